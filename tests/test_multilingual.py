"""A summary for every language (issue 16 item 2): Whisper's English of the same audio, evidence in the original;
interpreter conversations transcribed per language. Our own fictional conversations in tests/data/multilingual,
spoken by espeak-ng (Turkish through its MBROLA voices mb-tr1/mb-tr2: the plain 'tr' voice is too garbled for
Whisper base to transcribe or translate at all, see the README)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EVAL

from transkript_kernel import asr, labels, multilingual, report
from transkript_kernel.summary import Summary
from transkript_kernel.transcript import Segment, Speaker, Transcript

DATA = Path(__file__).resolve().parent / "data" / "multilingual"


def conversation(conv_id: str) -> dict:
    return json.loads((DATA / f"{conv_id}.json").read_text(encoding="utf-8"))


def spoken(conv_id: str, out: Path) -> tuple[Path, dict]:
    """The conversation spoken with the shared synthesizer: (wav, reference with each turn's times)."""
    src = out / "conv"
    src.mkdir(parents=True, exist_ok=True)
    (src / f"{conv_id}.json").write_text(json.dumps(conversation(conv_id), ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, str(EVAL / "synthesize.py"), str(src), str(out)], capture_output=True,
                          text=True)
    assert done.returncode == 0, f"synthesis failed (make setup installs espeak-ng and mbrola-tr1/2): {done.stderr}"
    return out / f"{conv_id}.wav", json.loads((out / f"{conv_id}.ref.json").read_text(encoding="utf-8"))


# --- the English version's summary points at the original -----------------------------------------------------
def _turkish() -> Transcript:
    speakers = {"S1": Speaker("Meneer Kaya", "docent"), "S2": Speaker("moeder", "ouder")}
    texts = ["Merhaba, hoş geldiniz.", "Evde okumakta çok zorlanıyor.", "Her akşam onunla kitap okuyacağım.",
             "Size cuma günü bir e-posta göndereceğim."]
    segs = [Segment(i, 5.0 * i, 5.0 * i + 4.0, t, "S1" if i in (0, 3) else "S2") for i, t in enumerate(texts)]
    return Transcript("tr", 20.0, segs, speakers)


def _english() -> Transcript:  # what Whisper's translation gives: other cuts, the same times
    texts = [(0.2, 4.1, "Hello, welcome."), (5.1, 9.0, "At home she finds reading very hard."),
             (10.0, 13.8, "I will read a book with her every evening."),
             (15.2, 19.6, "I will send you an e-mail on Friday.")]
    return Transcript("en", 20.0, [Segment(i, a, b, t) for i, (a, b, t) in enumerate(texts)])


def test_evidence_maps_to_the_original_segments_by_time():
    original = _turkish()
    english = Transcript("en", 20.0, [Segment(0, 0.0, 9.5, "Hello. At home reading is hard."),
                                      Segment(1, 9.6, 10.4, "Every"), Segment(2, 30.0, 31.0, "After the end.")])
    mapping = multilingual.evidence_map(english, original)
    assert mapping[0] == [0, 1]  # one English segment over two turns points at both
    assert mapping[1] == [2]  # a sliver still points at the turn it lies in
    assert mapping[2] == []  # nothing said there


def test_a_turkish_transcript_gets_an_english_summary_with_evidence_in_turkish():
    original, english = _turkish(), _english()
    summary = multilingual.summarize_via_english(original, english)
    items = summary.topics + summary.concerns + summary.actions
    assert summary.actions, summary.to_json()
    assert any(re.search(r"\bFriday\b", a.text) or a.due and "Friday" in a.due for a in summary.actions)
    for item in items:
        assert item.evidence and set(item.evidence) <= {s.id for s in original.segments}
        assert item.check is True and item.include is False  # a proposal until the teacher has checked it
    friday = next(a for a in summary.actions if "Friday" in (a.text + (a.due or "")))
    assert friday.evidence == [3] and friday.owner == "docent"  # the Turkish turn at the same time, its speaker
    assert summary.language == "en" and multilingual.translated_from(summary) == "tr"
    assert "machinevertaling" in summary.warnings[0].text and "Turks" in summary.warnings[0].text
    Summary.from_dict(summary.to_dict())  # still the contract
    assert multilingual.translated_from(Summary("nl", "extractive")) is None


def test_an_item_with_no_original_segment_at_its_time_becomes_a_warning():
    english = _english()
    english.segments[3].start, english.segments[3].end = 25.0, 29.0  # the recogniser heard nothing there
    summary = multilingual.summarize_via_english(_turkish(), english)
    assert not any("Friday" in (a.text + (a.due or "")) for a in summary.actions)
    assert any(w.kind == "unsupported" and "Friday" in w.text for w in summary.warnings)
    assert all(i.evidence for i in summary.topics + summary.concerns + summary.actions)


def test_a_turn_whisper_left_untranslated_gives_no_item():
    english = _english()
    english.segments[3].text = "Size cuma günü bir e-posta göndereceğim."  # Whisper base kept the Turkish
    summary = multilingual.summarize_via_english(_turkish(), english)
    assert summary.actions and not any(3 in a.evidence for a in summary.actions)
    assert multilingual.translated("Tamam.") and not multilingual.translated(english.segments[3].text)
    assert multilingual.translated(_english().segments[3].text)


def test_which_languages_go_through_english():
    assert multilingual.needs_english(Transcript("tr", 1.0, []), "extractive")
    assert not multilingual.needs_english(Transcript("nl", 1.0, []), "extractive")
    assert not multilingual.needs_english(Transcript("en", 1.0, []), "extractive")
    assert not multilingual.needs_english(Transcript("tr", 1.0, []), "transformers")  # a model reads any language


@pytest.mark.parametrize("lang", ["nl", "tr", "ar"])
def test_the_report_says_plainly_what_is_machine_translated(lang):
    original = _turkish()
    summary = multilingual.summarize_via_english(original, _english())
    for item in summary.actions:
        item.include = True  # the teacher checked and ticked them
    ctx = report.build_context(transcript=original, summary=summary, language=lang, with_transcript=True,
                               translator=None)
    expected = labels.text(lang, "summary_from_translation", language=labels.language_name(lang, "tr"))
    assert ctx["notices"][0] == expected
    assert labels.text(lang, "content_not_translated", language=labels.language_name(lang, "en")) \
        not in ctx["notices"]  # not "the content is in English": the transcript is Turkish
    assert ctx["actions"] and [row["text"] for row in ctx["transcript"]] == [s.text for s in original.segments]


def test_a_summary_in_a_known_language_has_no_such_notice():
    t = Transcript("nl", 8.0, [Segment(0, 0.0, 4.0, "Ik bel u vrijdag.", "S1")], {"S1": Speaker("Juf", "docent")})
    ctx = report.build_context(transcript=t, summary=Summary("nl", "extractive"), language="nl", translator=None)
    assert not any("machinevertaling" in n for n in ctx["notices"])


# --- real speech ----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_turkish_conversation_gets_a_summary_with_evidence_and_a_machine_translated_note(tmp_path):
    """Through the one workflow, as the app and batch run it: Turkish transcript kept, summary from Whisper's
    English of the same recording, every item pointing at Turkish segments at the same time, the PDF's note."""
    from transkript_kernel import pipeline
    from transkript_kernel.casefile import consent
    from transkript_kernel.casefile.archive import Archive
    from transkript_kernel.conversation import Participant

    wav, ref = spoken("tr01-lezen", tmp_path)
    with Archive() as archive:
        conv = archive.create(pupil="Elif", date="2026-03-12", kind="oudergesprek", language="tr",
                              participants=[Participant("Meneer Kaya", "docent"), Participant("Ayla", "ouder")],
                              consent=consent.record(True, "ouder", how="schriftelijk"))
        pipeline.import_recording(archive, conv.id, wav)
        result = pipeline.process_conversation(archive, conv.id, speakers=2)
        transcript, summary = result.transcript, result.summary
        assert transcript.language == "tr" and re.search(r"[çğışöü]", transcript.text)  # what was said, in Turkish
        items = summary.topics + summary.concerns + summary.actions
        assert items, summary.to_json()
        assert multilingual.translated_from(summary) == "tr" and "machinevertaling" in summary.warnings[0].text
        by_id = {s.id: s for s in transcript.segments}
        for item in items:
            assert item.evidence and set(item.evidence) <= set(by_id), item
            assert item.include is False and item.check is True
        for item in items:
            item.include = True  # the teacher ticks them after checking
        out = tmp_path / "tr.pdf"
        pipeline.export_report(archive, conv.id, language="nl", summary=summary, out=out)
    text = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "machinevertaling naar het Engels van het gesprek in het Turks" in text


@pytest.mark.slow
def test_interpreter_conversation_is_transcribed_per_language(tmp_path):
    """Dutch teacher, English mother, an interpreter in between: every turn in its own language."""
    from transkript_kernel import pipeline
    from transkript_kernel.conversation import Participant

    conv = conversation("tolk01-rekenen")
    wav, ref = spoken("tolk01-rekenen", tmp_path)
    transcript = asr.transcribe_by_language(wav)
    codes = asr.segment_languages(transcript)
    assert set(codes) == {"nl", "en"} and transcript.language in ("nl", "en")
    right = 0
    for turn, want in zip(ref["segments"], conv["turn_languages"]):
        inside = [(s, c) for s, c in zip(transcript.segments, codes)
                  if min(s.end, turn["end"]) - max(s.start, turn["start"])
                  > 0.5 * min(s.end - s.start, turn["end"] - turn["start"])]  # two turns of one language may join
        assert inside, turn
        right += all(c == want for _, c in inside)
    assert right >= len(ref["segments"]) - 1, (right, list(zip(codes, [s.text for s in transcript.segments])))
    dutch = " ".join(s.text for s, c in zip(transcript.segments, codes) if c == "nl").lower()
    english = " ".join(s.text for s, c in zip(transcript.segments, codes) if c == "en").lower()
    assert re.search(r"\b(de|het|dat|klas|elke)\b", dutch) and re.search(r"\b(the|he|she|every)\b", english)
    assert [s.id for s in transcript.segments] == list(range(len(transcript.segments)))
    assert all(a.start <= b.start for a, b in zip(transcript.segments, transcript.segments[1:]))
    assert pipeline.interpreted([Participant("Aziz", "tolk")]) and not pipeline.interpreted([Participant("A", "ouder")])
