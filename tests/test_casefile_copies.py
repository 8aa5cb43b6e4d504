"""Copies inside the case file's reach (issue 11, items 3, 6 and 10): every copy the user asks for is a 0600 file
registered by path and hash, deleted by withdrawal (the transcript's always, even when final) and deletion, but
never a file that changed or that a tampered row points at; interrupted uploads are swept; nothing is written back
after a withdrawal."""
import os
import stat

import pytest

from casefile_helpers import cli, fake_audio, new_conversation, open_archive, summary, transcript
from transkript_kernel.casefile import store as store_mod
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.errors import ConsentRefusedError, StorageError


def _pdf(path, text="verslag"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4\n" + text.encode() + os.urandom(16))
    return path


def _processed(archive, tmp_path):
    conv = new_conversation(archive)
    archive.import_recording(conv.id, fake_audio(tmp_path / "in.wav"))
    archive.save_transcript(conv.id, transcript(), by="transkript")
    archive.save_summary(conv.id, summary(), by="Juf", role="docent", reason="eerste")
    return conv


def _export(archive, conv, tmp_path, with_transcript: bool):
    """What pipeline.export_report does: a PDF kept inside the case file, and the user's copy at OUT."""
    import shutil

    suffix = "-met-transcript" if with_transcript else ""
    inside = archive.conversation_dir(conv.id) / "exports" / f"verslag-{conv.id}-nl{suffix}-1.pdf"
    pdf = archive.add_export(conv.id, _pdf(inside, suffix), kind="pdf")
    out = tmp_path / "uit" / f"kopie{suffix or '-zonder'}.pdf"
    out.parent.mkdir(exist_ok=True)
    shutil.copyfile(pdf, out)
    os.chmod(out, 0o644)
    return pdf, archive.register_copy(conv.id, out, kind="pdf")


def test_copies_are_private_and_registered_by_hash(tmp_path):
    archive = open_archive()
    conv = _processed(archive, tmp_path)
    _, copy = _export(archive, conv, tmp_path, with_transcript=False)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    (row,) = archive.copies(conv.id)
    from transkript_kernel.atomic import sha256_file

    assert row["sha256"] == sha256_file(copy) and not row["with_transcript"]


def test_withdrawal_after_final_deletes_pdfs_with_the_transcript_and_keeps_the_report(tmp_path):
    archive = open_archive()
    conv = _processed(archive, tmp_path)
    plain_inside, plain_copy = _export(archive, conv, tmp_path, with_transcript=False)
    full_inside, full_copy = _export(archive, conv, tmp_path, with_transcript=True)
    notebook = tmp_path / "uit" / "gesprek.ipynb"
    notebook.write_text('{"parameters": "Daan Testkind"}')
    archive.register_copy(conv.id, notebook, kind="notebook")
    archive.finalize(conv.id)
    deleted = archive.withdraw_consent(conv.id)
    assert "copies" in deleted and "transcripts" in deleted
    assert not full_inside.exists() and not full_copy.exists() and not notebook.exists()
    assert plain_inside.exists() and plain_copy.exists()  # the final report without transcript stays
    assert [e["path"] for e in archive.exports(conv.id)] == [plain_inside]
    assert archive.check() == []


def test_mail_draft_is_a_registered_copy_that_withdrawal_deletes(tmp_path):
    archive = open_archive()
    conv = _processed(archive, tmp_path)
    pdf, _ = _export(archive, conv, tmp_path, with_transcript=True)
    eml = tmp_path / "uit" / "concept.eml"
    out = cli("mail", conv.id, "--pdf", str(pdf), "-o", str(eml), "--school", "De School\r\nBcc: x@y.nl")
    assert out.returncode == 0, out.stderr  # a CR/LF in a name is flattened, never a crash
    assert stat.S_IMODE(eml.stat().st_mode) == 0o600
    assert any(c["path"] == eml and c["with_transcript"] for c in archive.copies(conv.id))
    assert b"\r\nBcc:" not in eml.read_bytes()
    archive.finalize(conv.id)
    archive.withdraw_consent(conv.id)
    assert not eml.exists()


def test_a_changed_copy_is_not_deleted_but_reported(tmp_path):
    archive = open_archive()
    conv = _processed(archive, tmp_path)
    _, copy = _export(archive, conv, tmp_path, with_transcript=False)
    copy.write_bytes(b"%PDF-1.4 someone else's file now")
    archive.delete_conversation(conv.id)
    assert copy.exists()
    assert any(str(copy) in n.nl for n in archive.notices)


def test_deletion_removes_registered_copies(tmp_path):
    archive = open_archive()
    conv = _processed(archive, tmp_path)
    _, copy = _export(archive, conv, tmp_path, with_transcript=False)
    archive.delete_conversation(conv.id)
    assert not copy.exists()


def test_a_tampered_database_cannot_make_repair_or_reads_reach_outside(tmp_path, isolated_data):
    archive = open_archive()
    conv = _processed(archive, tmp_path)
    victim = tmp_path / "elders" / "belangrijk.txt"
    victim.parent.mkdir()
    victim.write_text("niet van Transkript")
    archive.close()
    db = store_mod.connect(isolated_data / "archive.sqlite3", archive.keys.database)  # a restored or edited file
    db.execute("INSERT INTO intents (op, path, pid, at) VALUES ('delete', ?, 999999, 'x')", (str(victim),))
    db.execute("INSERT INTO intents (op, path, pid, at) VALUES ('delete', '../elders', 999999, 'x')")
    db.execute("UPDATE transcripts SET file = '../elders/belangrijk.txt'")
    db.commit()
    db.close()
    again = Archive()  # opening repairs: both intents are refused, nothing outside is touched
    assert victim.read_text() == "niet van Transkript"
    assert any("buiten de archiefmap" in n.nl for n in again.notices)
    with pytest.raises(StorageError, match="outside"):
        again.transcript(conv.id)
    assert any("outside the archive folder" in p for p in again.check())


def test_interrupted_uploads_of_an_earlier_version_are_swept_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSKRIPT_CACHE", str(tmp_path / "cache"))
    stopped = tmp_path / "cache" / "uploads" / "999999-0123456789abcdef"
    stopped.mkdir(parents=True)
    (stopped / "opname.wav").write_bytes(b"RIFF half")
    legacy = tmp_path / "cache" / "uploads" / "0a1b2c3d4e5f"  # named before uploads carried their pid
    legacy.mkdir()
    running = tmp_path / "cache" / "uploads" / f"{os.getpid()}-0123456789abcdef"  # this process: in progress
    running.mkdir()
    open_archive()
    assert not stopped.exists() and not legacy.exists() and running.exists()


def test_nothing_is_written_back_after_withdrawal(tmp_path):
    archive = open_archive()
    conv = _processed(archive, tmp_path)
    stale_tab = Archive()  # another open tab, still holding the transcript
    text = stale_tab.transcript(conv.id)
    archive.withdraw_consent(conv.id)
    assert stale_tab.consent_state(conv.id) == "withdrawn"
    with pytest.raises(ConsentRefusedError):
        stale_tab.save_transcript(conv.id, text, by="docent")
    with pytest.raises(ConsentRefusedError):
        stale_tab.save_summary(conv.id, summary(), by="Juf", role="docent", reason="toch")
    late = _pdf(archive.conversation_dir(conv.id) / "exports" / f"verslag-{conv.id}-nl-met-transcript-2.pdf")
    with pytest.raises(ConsentRefusedError):
        stale_tab.add_export(conv.id, late)
    assert not late.exists()
    assert archive.transcript(conv.id) is None and archive.check() == []
