"""Retention: recordings go when the report is shared or final and at the latest 7 days after import (or after N
days), reports after leaving + 2 years,
sensitive ones sooner; shared reports become final after 14 days; deletion is complete and verified; .ics."""
from datetime import date, timedelta

from casefile_helpers import all_files, fake_audio, new_conversation, open_archive, summary, transcript
from transkript_kernel.casefile import retention
from transkript_kernel.settings import save_config


def _with_recording(archive, tmp_path, seed=0, **kw):
    conv = new_conversation(archive, **kw)
    archive.import_recording(conv.id, fake_audio(tmp_path / f"r{seed}.wav", seed=seed))
    archive.save_transcript(conv.id, transcript("Het woord ijsvogel valt. Tweede zin."), by="transkript")
    archive.save_summary(conv.id, summary(), by="Juf Sanne", role="docent", reason="eerste versie")
    return conv


def test_default_policy_deletes_the_recording_as_soon_as_the_report_is_final(tmp_path):
    archive = open_archive()
    conv = _with_recording(archive, tmp_path)
    rec = archive.recording_path(conv.id)
    assert rec.exists()
    status = retention.status(archive)
    week = (date.today() + timedelta(days=7)).isoformat()
    assert status[status.action == "delete-recording"]["due"].tolist() == [week]  # at the latest, concept or not
    archive.finalize(conv.id)
    assert not rec.exists() and archive.recording_path(conv.id) is None
    assert archive.transcript(conv.id) is not None and archive.summary(conv.id) is not None
    assert archive.check() == []


def test_recordings_after_n_days_when_configured(tmp_path, isolated_data):
    save_config({"RetentionPolicy": {"recordings": "after_days", "recording_days": 10}}, isolated_data)
    archive = open_archive()
    conv = _with_recording(archive, tmp_path, date="2026-10-01")
    archive.finalize(conv.id)
    assert archive.recording_path(conv.id) is not None  # not on 'final' with this policy
    assert retention.purge(archive, today=date(2026, 10, 10)).count == 0
    result = retention.purge(archive, today=date(2026, 10, 11))
    assert result.recordings_deleted == [conv.id] and archive.recording_path(conv.id) is None


def test_shared_report_becomes_final_after_the_response_term(tmp_path):
    archive = open_archive()
    conv = _with_recording(archive, tmp_path)
    archive.set_status(conv.id, "gedeeld")
    shared = date.fromisoformat(archive.get(conv.id).shared_at[:10])
    assert retention.purge(archive, today=shared + timedelta(days=13)).finalized == []
    dry = retention.purge(archive, dry_run=True, today=shared + timedelta(days=14))
    assert dry.finalized == [conv.id] and archive.get(conv.id).status == "gedeeld"
    done = retention.purge(archive, today=shared + timedelta(days=14))
    assert done.finalized == [conv.id] and archive.get(conv.id).status == "definitief"
    assert archive.recording_path(conv.id) is None  # final → recording gone at once


def test_reports_are_kept_until_leaving_plus_two_years_and_then_deleted_completely(tmp_path):
    archive = open_archive()
    keep = _with_recording(archive, tmp_path, seed=1, pupil="Blijft Testkind", group="groep 3")
    gone = _with_recording(archive, tmp_path, seed=2, pupil="Gerrit Vertrekker", group="groep 8", date="2026-10-05")
    # groep 8 in school year 2026-27 → leaves 2027-07-31 → kept until 2029-07-31
    row = retention.status(archive).query("id == @gone.id and action == 'delete-conversation'")
    assert row["due"].tolist() == ["2029-07-31"]
    pdf = tmp_path / "v.pdf"
    pdf.write_bytes(b"%PDF")
    archive.add_export(gone.id, pdf)
    num = archive.store.one("SELECT num FROM conversations WHERE id = ?", (gone.id,))["num"]
    assert retention.purge(archive, dry_run=True, today=date(2029, 7, 31)).conversations_deleted == [gone.id]
    assert archive.get(gone.id) and archive.store.indexed(num)  # dry run touched nothing
    result = retention.purge(archive, today=date(2029, 7, 31))
    assert result.conversations_deleted == [gone.id]
    assert archive.ids() == [keep.id]
    assert [f for f in all_files(archive.data_dir) if gone.id in str(f)] == []
    assert archive.store.indexed(num) == {}
    for table in ("consents", "transcripts", "summaries", "exports"):
        assert archive.store.one(f"SELECT count(*) FROM {table} WHERE conversation = ?", (num,))[0] == 0
    assert archive.search("Vertrekker").empty and not archive.search("ijsvogel").empty  # only `keep` left
    assert archive.check() == []


def test_sensitive_conversations_are_kept_shorter(tmp_path):
    archive = open_archive()
    normal = new_conversation(archive, date="2026-10-05")
    marked = new_conversation(archive, date="2026-10-05", sensitive=True)
    care = new_conversation(archive, date="2026-10-05", kind="zorggesprek")
    due = retention.status(archive).set_index("id")["due"]
    assert due[marked.id] == due[care.id] == "2027-10-05"
    assert due[normal.id] > "2028-01-01"
    assert set(retention.purge(archive, today=date(2027, 10, 5)).conversations_deleted) == {marked.id, care.id}


def test_leaving_date_and_fallback():
    pol = retention.RetentionPolicy()
    conv = new_conversation(open_archive(), group="klas 2b", date="2026-03-01", leaves_school="2030-07-15")
    assert retention.keep_until(conv, pol) == date(2032, 7, 15)
    conv.leaves_school = None
    assert retention.keep_until(conv, pol) == date(2032, 3, 1)  # 4 assumed years + 2


def test_calendar_lists_coming_deletions_without_names(tmp_path):
    archive = open_archive()
    conv = _with_recording(archive, tmp_path, pupil="Ünal d'Agenda", group="groep 6")
    out = retention.calendar(archive, tmp_path / "bewaren.ics")
    raw = out.read_bytes()
    text = raw.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2 and conv.id in text  # the recording's latest date and the report's
    assert "Ünal" not in text
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    due = retention.keep_until(archive.get(conv.id), retention.RetentionPolicy())
    assert f"DTSTART;VALUE=DATE:{due.strftime('%Y%m%d')}" in text
    named = retention.calendar(archive, tmp_path / "namen.ics", with_names=True).read_bytes().decode()
    assert "Ünal d'Agenda" in named.replace("\r\n ", "")


def test_deleted_words_are_gone_from_the_database_file_itself(tmp_path, monkeypatch):
    """Not just unlinked: secure_delete, an index merge and a WAL checkpoint leave no trace in the bytes."""
    monkeypatch.setenv("TRANSKRIPT_PLAINTEXT_FOR_TESTS", "1")  # a grep of the raw bytes needs the plaintext mode
    archive = open_archive()
    conv = new_conversation(archive, pupil="Quirijn Wegwezen", group="groep 8", date="2001-10-01",
                            notes="geheimwoord xylofoonkoffer")
    archive.save_transcript(conv.id, transcript("Over de xylofoonkoffer gesproken. Tweede zin."), by="transkript")
    keep = new_conversation(archive, pupil="Blijft Hier", notes="gewoon")
    db = archive.data_dir / "archive.sqlite3"

    def raw() -> bytes:
        return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())

    assert b"xylofoonkoffer" in raw()
    assert retention.purge(archive).conversations_deleted == [conv.id]
    assert b"xylofoonkoffer" not in raw() and b"Wegwezen" not in raw() and b"wegwezen" not in raw()
    assert archive.get(keep.id).notes == "gewoon" and archive.check() == []


# --- issue 11, item 8: recordings go within a week, and overdue ones at the next start ---------------------
def test_a_2020_concept_recording_is_not_kept_in_2026(tmp_path):
    """The review's case: the report stays 'concept', the recording must still go."""
    archive = open_archive()
    conv = _with_recording(archive, tmp_path, date="2020-03-01", leaves_school="2030-07-31")
    assert archive.get(conv.id).status == "concept"
    assert retention.recording_due(archive.get(conv.id), imported_at="2020-03-02T10:00:00+00:00") == \
        date(2020, 3, 9)
    soon = retention.purge(archive, today=date.today() + timedelta(days=6))
    assert conv.id not in soon.recordings_deleted  # imported today: 7 days from now
    late = retention.purge(archive, today=date.today() + timedelta(days=8))
    assert late.recordings_deleted == [conv.id] and archive.recording_path(conv.id) is None


def test_sharing_the_report_makes_the_recording_due_that_day(tmp_path):
    archive = open_archive()
    conv = _with_recording(archive, tmp_path)
    archive.set_status(conv.id, "gedeeld")
    assert retention.recording_due(archive.get(conv.id)) == date.today()
    notices = retention.run_at_start(archive)
    assert archive.recording_path(conv.id) is None
    assert notices and "opname" in notices[0][0] and "recording" in notices[0][1]
    assert retention.recording_due(archive.get(conv.id)) is None  # gone: no date, no ▶


def test_a_school_policy_without_a_latest_date_keeps_the_old_behaviour(tmp_path, isolated_data):
    save_config({"RetentionPolicy": {"recordings": "on_final", "recording_max_days": 0}}, isolated_data)
    archive = open_archive()
    conv = _with_recording(archive, tmp_path)
    archive.set_status(conv.id, "gedeeld")
    assert retention.recording_due(archive.get(conv.id), retention.policy(archive)) is None
    archive.finalize(conv.id)
    assert archive.recording_path(conv.id) is None


def test_overdue_recordings_go_when_any_command_starts(tmp_path, isolated_data, capsys):
    from transkript_kernel import cli

    archive = open_archive()
    conv = _with_recording(archive, tmp_path)
    other = _with_recording(archive, tmp_path, seed=1)
    archive.store.execute("UPDATE audit SET at = '2020-01-01T00:00:00+00:00' WHERE event = 'import' "
                          "AND conversation_id = ?", (conv.id,))  # imported long ago
    archive.close()
    assert cli.main(["archive", "list"]) == 0
    err = capsys.readouterr().err
    assert "Bewaartermijn" in err and "Retention" in err and conv.id in err
    again = open_archive()
    assert again.recording_path(conv.id) is None and again.recording_path(other.id) is not None
    assert cli.main(["archive", "list"]) == 0
    assert "Bewaartermijn" not in capsys.readouterr().err  # nothing due: no notice
