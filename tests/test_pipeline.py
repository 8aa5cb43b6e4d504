"""The one workflow (`transkript_kernel.pipeline`): every face gets the same checks, stages and results.

The CLI and the app's upload refuse the same corrupt file with the same message; progress comes in STAGES order;
the papermill notebook's parameters are the dataclass the batch fills; a batch files each recording in the case
file and honours `speakers`; copies handed out are registered and go with a withdrawal.
"""
from __future__ import annotations

import ast
import html
import re
import subprocess
from pathlib import Path

import pytest

from casefile_helpers import cli, new_conversation, open_archive, summary, transcript
from conftest import EVAL, excerpt, ffmpeg
from transkript_kernel import batch, pipeline
from transkript_kernel.conversation import COORDINATOR_STATEMENT


def _tone(path: Path, seconds: int = 3) -> Path:
    """A short real recording (a tone: decodable and not silent; no speech needed where ASR is stubbed)."""
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", path)
    return path


def _truncated_m4a(path: Path) -> Path:
    data = (EVAL / "audio" / "pub01-lezen-groep5.m4a").read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def _text_as_m4a(path: Path) -> Path:
    path.write_text("Dit is een boodschappenlijst, geen opname.\n" * 200, encoding="utf-8")
    return path


# --- the same refusal in every face ----------------------------------------------------------------------------
@pytest.mark.parametrize("make", [_text_as_m4a, _truncated_m4a], ids=["text-renamed", "truncated"])
@pytest.mark.parametrize("ui_language", ["nl", "en"])
def test_cli_and_upload_refuse_the_same_corrupt_file_with_the_same_message(make, ui_language, tmp_path):
    from test_widgets import _app, _register, _text

    app = _app(ui_language)
    _register(app)
    cid = app.conversation_id
    bad = make(tmp_path / "kapot gesprek.m4a")

    done = cli("import", cid, str(bad))
    assert done.returncode != 0
    nl, en = done.stderr.split("fout / error: ", 1)[1].strip().split("\n", 1)
    assert "kapot gesprek.m4a" in nl and "kapot gesprek.m4a" in en

    assert not app.upload.import_bytes(bad.name, bad.read_bytes())
    shown = html.unescape(_text(app.upload.message))
    assert (nl if ui_language == "nl" else en) in shown
    assert app.archive().recording_path(cid) is None  # neither face stored anything


# --- stages and progress ---------------------------------------------------------------------------------------
def test_progress_comes_in_stage_order_with_fractions_in_range(tmp_path, monkeypatch):
    from transkript_kernel import asr

    def fake_transcribe(clip, *, progress=None, **kw):  # the recogniser is not what this test is about
        for f in (0.0, 0.5, 1.0):
            progress(f)
        return transcript("Daan leest langzaam. Hij oefent thuis. Juf geeft extra boekjes mee. Moeder helpt.")

    monkeypatch.setattr(asr, "transcribe", fake_transcribe)
    archive = open_archive()
    conv = new_conversation(archive)
    imported = pipeline.import_recording(archive, conv.id, _tone(tmp_path / "toon.m4a"))
    assert imported.duration == pytest.approx(3, abs=0.2) and imported.path == archive.recording_path(conv.id)
    seen: list[tuple[str, float]] = []

    def progress(stage, fraction):
        seen.append((stage, fraction))

    result = pipeline.process_conversation(archive, conv.id, speakers=1, progress=progress)
    exported = pipeline.export_report(archive, conv.id, progress=progress)
    order = [pipeline.STAGES.index(stage) for stage, _ in seen]  # an unknown stage fails here
    assert order == sorted(order) and set(order) == set(range(len(pipeline.STAGES)))
    assert all(0.0 <= f <= 1.0 for _, f in seen)
    for stage in pipeline.STAGES:  # every stage ends complete
        assert [f for s, f in seen if s == stage][-1] == 1.0
    assert len(result.transcript.speakers) == 1 and result.version == 1 and result.reused == ()
    assert archive.read_bytes(exported.pdf)[:5] == b"%PDF-" and exported.pdf in [e["path"] for e in archive.exports(conv.id)]

    again: list[tuple[str, float]] = []  # resumed: nothing is made twice, the stages still report in order
    second = pipeline.process_conversation(archive, conv.id, progress=lambda s, f: again.append((s, f)))
    assert second.reused == ("transcribe", "speakers", "summarize") and len(archive.versions(conv.id)) == 1
    assert [s for s, _ in again] == list(pipeline.PROCESS_STAGES)


def test_one_speakers_parser_everywhere(tmp_path):
    from transkript_kernel.errors import InputError

    archive = open_archive()
    conv = new_conversation(archive)
    with pytest.raises(InputError) as err:  # refused before minutes of work, with the parser's own message
        pipeline.process_conversation(archive, conv.id, speakers="veel")
    assert "sprekers" in err.value.nl
    with pytest.raises(InputError):
        batch.run(tmp_path, tmp_path / "uit", consent="given", speakers="0")
    bad = cli("process", conv.id, "--speakers", "twaalf")
    assert bad.returncode != 0 and "Ongeldige waarde voor sprekers" in bad.stderr


# --- the notebook's parameters ---------------------------------------------------------------------------------
def test_notebook_parameters_are_the_dataclass():
    import papermill as pm

    cell = pm.inspect_notebook(str(batch.default_notebook()))
    assert list(cell) == batch.NotebookParams.names()
    defaults = batch.NotebookParams()
    for name, info in cell.items():
        assert ast.literal_eval(info["default"]) == getattr(defaults, name), name


# --- copies handed out ----------------------------------------------------------------------------------------
def test_copies_are_registered_and_go_with_a_withdrawal(tmp_path):
    archive = open_archive()
    conv = new_conversation(archive)
    archive.save_transcript(conv.id, transcript(), by="juf")
    archive.save_summary(conv.id, summary(), by="juf", role="docent", reason="eerste versie")
    out = tmp_path / "uit"
    copies = pipeline.copy_results(archive, conv.id, out, "gesprek")
    assert set(copies.files) == {"transcript", "summary"}
    assert {c["kind"]: c["path"] for c in archive.copies(conv.id)} == copies.files
    assert archive.exports(conv.id) == [] and archive.check() == []
    deleted = archive.withdraw_consent(conv.id)
    assert "copies" in deleted and not any(p.exists() for p in copies.files.values())
    assert out.is_dir()  # the batch's folder itself is not the case file's to remove


def test_batch_files_each_recording_once_and_leaves_nothing_for_a_broken_one(tmp_path):
    from transkript_kernel.errors import CorruptAudioError

    archive = open_archive()
    good = batch.BatchItem(file=_tone(tmp_path / "Ava de Vries.m4a"), name="ava", coordinator=True)
    cid = batch.file_conversation(archive, good)
    assert batch.file_conversation(archive, good) == cid  # a rerun finds it by the recording's hash
    conv = archive.get(cid)
    assert conv.pupil == "Ava de Vries" and conv.consent.how == COORDINATOR_STATEMENT and conv.recording
    broken = batch.BatchItem(file=_text_as_m4a(tmp_path / "kapot.m4a"), name="kapot", pupil="Bo", date="2026-03-12",
                             consent_how="mondeling")
    with pytest.raises(CorruptAudioError):
        batch.file_conversation(archive, broken)
    assert archive.ids() == [cid] and archive.check() == []


# --- a batch with real audio -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_batch_honours_speakers_for_an_archived_conversation(tmp_path, eval_dir):
    """A real recording, the coordinator's consent, speakers=1: one conversation in the case file with one
    speaker, its PDF (saying how consent was recorded) kept there, and in OUT_DIR the PDF, transcript.json and
    summary.json (issue 12) — and every other file the batch wrote for it (issue 11: the executed notebook,
    the log, the done marker) — registered as copies, so withdrawal leaves nothing of it behind."""
    from transkript_kernel.casefile.archive import Archive

    src = tmp_path / "avond"
    src.mkdir()
    # its first 55 s (six turns of two voices): as good a proof of speakers=1 as all 110 s, at half the cost
    excerpt(eval_dir / "audio" / "pub01-lezen-groep5.m4a", src / "Daan Testkind.m4a", 55)
    out = tmp_path / "uit"
    report = batch.run(src, out, consent="given", speakers=1, progress=False)
    assert [(r.status, r.message) for r in report.results] == [("done", "")]
    cid = report.results[0].conversation

    with Archive() as archive:
        assert archive.ids() == [cid]
        conv = archive.get(cid)
        assert conv.pupil == "Daan Testkind" and conv.consent.how == COORDINATOR_STATEMENT
        stored = archive.transcript(cid)
        assert len(stored.speakers) == 1 and {s.speaker for s in stored.segments} == set(stored.speakers)
        assert len(stored.segments) > 5 and archive.summary(cid) is not None
        rows = archive.copies(cid)
        copies = {c["kind"]: c["path"] for c in rows}
        assert {k: copies.get(k) for k in ("pdf", "transcript", "summary")} == {
            "pdf": out / "Daan_Testkind.pdf", "transcript": out / "Daan_Testkind.transcript.json",
            "summary": out / "Daan_Testkind.summary.json"}
        registered = {c["path"] for c in rows}
        assert all(p.is_file() for p in registered)
        written = {p for p in out.rglob("*") if p.is_file()} - {out / "results.csv"}  # the batch's own list
        assert written - registered == set()  # nothing of this conversation left unregistered
        assert [e["kind"] for e in archive.exports(cid)] == ["pdf"]
    text = subprocess.run(["pdftotext", str(copies["pdf"]), "-"], check=True, capture_output=True, text=True).stdout
    assert "Daan Testkind" in text and "verklaring coördinator" in re.sub(r"\s+", " ", text)

    again = batch.run(src, out, consent="given", speakers=1, progress=False)  # resumable
    assert [r.status for r in again.results] == ["already-done"] and again.results[0].conversation == cid
    with Archive() as archive:
        assert archive.ids() == [cid]
        archive.withdraw_consent(cid)  # the parents withdraw: OUT_DIR keeps only the batch's own list
    assert [p for p in out.rglob("*") if p.is_file()] == [out / "results.csv"]
