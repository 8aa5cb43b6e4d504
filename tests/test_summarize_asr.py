"""The default summariser on what the default speech recogniser makes of the public audio (no speakers)."""
import json

import pytest

from conftest import SHARED, conversation_ids, score
from transkript_kernel.summarize import summarize


@pytest.mark.slow
def test_action_recall_on_asr_transcripts(asr_transcript, tmp_path):
    figures = {}
    for conv_id in conversation_ids():
        transcript = asr_transcript(conv_id)
        summary = summarize(transcript)
        assert all(item.evidence for part in (summary.topics, summary.concerns, summary.actions) for item in part)
        path = summary.save(tmp_path / f"{conv_id}.summary.json")
        figures[conv_id] = score("summary", path, SHARED / "eval" / "conversations" / f"{conv_id}.json")
        print(conv_id, json.dumps(figures[conv_id], ensure_ascii=False))
    recall = sum(f["action_recall"] for f in figures.values()) / len(figures)
    assert recall >= 0.6, {k: f["action_recall"] for k, f in figures.items()}
