"""The audit log records who did what and when, for every kind of event, and never conversation content."""

import pytest

from casefile_helpers import fake_audio, new_conversation, open_archive, summary, transcript
from transkript_kernel.casefile import access
from transkript_kernel.errors import InputError


def test_every_event_is_logged_without_content(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSKRIPT_USER", "Juf Sanne de Vries")
    monkeypatch.setenv("LOGNAME", "jsanne")
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
    assert set(log["account"]) == {"jsanne"}  # the OS account, never the configured display name
    from transkript_kernel.casefile.audit import ROLES

    assert set(log["role"]) <= set(ROLES) and {"ouder", "systeem"} & set(log["role"])
    assert not log["actor"].str.contains("Sanne|Moeder|Vries").any()
    assert (log["conversation_id"] == conv.id).all()  # survives the deletion of the conversation
    assert log["at"].str.match(r"\d{4}-\d\d-\d\dT").all()
    dump = "\n".join(f'INSERT INTO "{t}" VALUES{tuple(r)}'  # every row, read through the decrypting connection
                     for t in [r[0] for r in archive.store.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
                     for r in archive.store.rows(f'SELECT * FROM "{t}"'))
    audit_rows = [line for line in dump.splitlines() if 'INSERT INTO "audit"' in line]
    assert audit_rows and not any(secret in r or "Kees" in r or "Vertrouwelijk" in r or "Sanne" in r
                                  for r in audit_rows)
    assert secret not in dump  # the deletion removed every trace of the content


def test_unknown_events_are_refused():
    archive = open_archive()
    with pytest.raises(InputError):
        archive.log("listened to the tape")
    assert archive.audit_log().empty


# --- issue 11, item 9: roles and the OS account only; erased conversations' rows go after a year ------------
@pytest.mark.parametrize("given, role", [("docent", "docent"), ("Mevrouw Jansen (moeder)", "gebruiker"),
                                         ("moeder", "ouder"), ("bewaartermijn", "systeem"), ("", "gebruiker"),
                                         ("x" * 10_000, "gebruiker"), ("Teacher", "docent")])
def test_actors_are_reduced_to_a_role(given, role, monkeypatch):
    from transkript_kernel.casefile import audit

    monkeypatch.setenv("LOGNAME", "acc1")
    archive = open_archive()
    archive.log("view", None, actor=given)
    row = archive.audit_log().iloc[-1]
    assert (row["role"], row["account"], row["actor"]) == (role, "acc1", f"{role}:acc1")
    assert audit.role_of(given) == role


def test_old_free_text_actors_lose_their_names():
    from transkript_kernel.casefile import audit

    archive = open_archive()
    archive.store.execute("INSERT INTO audit (at, event, actor, conversation_id) VALUES (?, ?, ?, ?)",
                          ("2025-01-01T00:00:00+00:00", "view", "Mevrouw Jansen (moeder)", "x"))
    archive.log("view", None, actor="docent")
    assert audit.forget_names(archive.store) == 1
    actors = archive.audit_log()["actor"].tolist()
    assert actors[0] == "gebruiker:onbekend" and actors[1].startswith("docent:")
    assert audit.forget_names(archive.store) == 0


def test_audit_rows_of_an_erased_conversation_go_one_year_after_the_erasure(monkeypatch):
    from datetime import date, timedelta

    from transkript_kernel.casefile import retention

    archive = open_archive()
    erased = new_conversation(archive)
    kept = new_conversation(archive)
    archive.delete_conversation(erased.id)
    today = date.today()
    assert retention.expire_audit(archive, today=today + timedelta(days=364)) == 0  # within the year: kept
    assert set(archive.audit_log()["conversation_id"]) >= {erased.id, kept.id}
    assert retention.expire_audit(archive, today=today + timedelta(days=366)) > 0
    ids = set(archive.audit_log()["conversation_id"])
    assert erased.id not in ids and kept.id in ids  # a conversation still held keeps its rows
