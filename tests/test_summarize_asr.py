"""The default summariser on what the default speech recogniser makes of the public audio.

The recogniser writes no speakers, and a summary without speakers stays empty by design (nobody can tell who
agreed to what). So each recognised segment gets the speaker of the reference turn it overlaps most: the words
are the recogniser's, the speakers those a perfect diarisation would give.

This failed (recall 0.15) while any unsure word in an item's segments marked it 'controleer' and so unticked
it: recognised speech has unsure words in nearly every segment. Now only the item's own words count, weighed by
how unsure the recogniser was (``extractive.doubtful_share``); the last test asserts that rule directly.
"""
import json

import pytest

from conftest import EVAL, SHARED, conversation_ids, score
from transkript_kernel.summarize import summarize
from transkript_kernel.transcript import Speaker


def _with_reference_speakers(transcript, conv_id):
    ref = json.loads((EVAL / "audio" / f"{conv_id}.ref.json").read_text(encoding="utf-8"))
    roles = sorted({t["speaker"] for t in ref["segments"]})
    transcript.speakers = {f"S{i + 1}": Speaker(r, r) for i, r in enumerate(roles)}
    by_role = {r: f"S{i + 1}" for i, r in enumerate(roles)}
    for seg in transcript.segments:
        cover = {}
        for turn in ref["segments"]:
            overlap = min(seg.end, turn["end"]) - max(seg.start, turn["start"])
            if overlap > 0:
                cover[turn["speaker"]] = cover.get(turn["speaker"], 0) + overlap
        seg.speaker = by_role[max(cover, key=cover.get)] if cover else None
    return transcript


@pytest.mark.slow
def test_action_recall_on_asr_transcripts(asr_transcript, tmp_path):
    figures = {}
    for conv_id in conversation_ids():
        bare = asr_transcript(conv_id)
        empty = summarize(bare)
        assert not empty.actions and any(w.kind == "other" for w in empty.warnings)
        transcript = _with_reference_speakers(bare, conv_id)
        summary = summarize(transcript)
        assert all(item.evidence for part in (summary.topics, summary.concerns, summary.actions) for item in part)
        path = summary.save(tmp_path / f"{conv_id}.summary.json")
        figures[conv_id] = score("summary", path, SHARED / "eval" / "conversations" / f"{conv_id}.json")
        print(conv_id, json.dumps(figures[conv_id], ensure_ascii=False))
    recall = sum(f["action_recall"] for f in figures.values()) / len(figures)
    assert recall >= 0.6, {k: f["action_recall"] for k, f in figures.items()}


@pytest.mark.slow
def test_recognised_items_are_mostly_ticked_and_garbled_ones_are_not(asr_transcript):
    """On real recogniser output most proposed actions keep their tick (not every segment's 'eh' unticks them),
    and those that lose it are the less sure ones."""
    ticked, marked = [], []
    for conv_id in conversation_ids():
        summary = summarize(_with_reference_speakers(asr_transcript(conv_id), conv_id))
        for a in summary.actions:
            (marked if a.check else ticked).append(a.confidence)
    assert len(ticked) >= len(marked) / 2, (len(ticked), len(marked))
    assert max(marked, default=0.0) < min(ticked, default=1.0)
