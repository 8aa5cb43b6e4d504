"""The audit log records who did what and when, for every kind of event, and never conversation content."""
import sqlite3

import pytest

from casefile_helpers import fake_audio, new_conversation, open_archive, summary, transcript
from transkript_kernel.casefile import access
from transkript_kernel.errors import InputError


def test_every_event_is_logged_without_content(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSKRIPT_USER", "juf.sanne")
    archive = open_archive()
    secret = "Zwanenburgstraat-geheim"
    conv = new_conversation(archive, pupil="Kees Vertrouwelijk", notes=f"Notitie {secret}")
    archive.import_recording(conv.id, fake_audio(tmp_path / "a.wav"))
    archive.save_transcript(conv.id, transcript(f"Moeder noemt {secret}. Verder niets."), by="transkript")
    archive.save_summary(conv.id, summary(topic=f"Thuis {secret}"), by="Juf Sanne", role="docent", reason="eerste")
    archive.save_summary(conv.id, summary(topic=f"Thuis {secret} anders"), by="Moeder", role="ouder",
                         reason=f"correctie {secret}")
    archive.log("view", conv.id)
    pdf = tmp_path / "v.pdf"
    pdf.write_bytes(b"%PDF")
    archive.add_export(conv.id, pdf)
    access.export_pupil(archive, "Kees Vertrouwelijk", tmp_path / "inzage.zip")
    archive.finalize(conv.id)
    archive.delete_conversation(conv.id)
    log = archive.audit_log()
    events = set(log["event"])
    assert {"create", "consent", "import", "view", "export", "correction", "finalise", "delete",
            "access-export"} <= events
    assert set(log["actor"]) >= {"juf.sanne", "Moeder"}
    assert (log["conversation_id"] == conv.id).all()  # survives the deletion of the conversation
    assert log["at"].str.match(r"\d{4}-\d\d-\d\dT").all()
    dump = "\n".join(sqlite3.connect(archive.data_dir / "archive.sqlite3").iterdump())
    audit_rows = [line for line in dump.splitlines() if 'INSERT INTO "audit"' in line]
    assert audit_rows and not any(secret in r or "Kees" in r or "Vertrouwelijk" in r for r in audit_rows)
    assert secret not in dump  # the deletion removed every trace of the content


def test_unknown_events_are_refused():
    archive = open_archive()
    with pytest.raises(InputError):
        archive.log("listened to the tape")
    assert archive.audit_log().empty
