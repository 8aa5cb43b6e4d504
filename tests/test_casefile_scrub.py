"""Verified deletion (issue 11, item 5): after deleting, no deleted word survives anywhere in the data folder's
raw bytes — not in the database file, its free pages, the write-ahead log or an old full-text segment; a scrub
blocked by another program's read fails loudly and leaves a durable mark that repair() completes."""
import sqlite3

import pytest

from casefile_helpers import fake_audio, new_conversation, open_archive, summary, transcript
from transkript_kernel.casefile import store as store_mod
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.errors import StorageError

SECRET_WORDS = ("zebravlinder", "quirijn", "xylofoonkast")


@pytest.fixture(autouse=True)
def plaintext(monkeypatch):
    """A grep of the raw bytes means something only without encryption: the test-only plaintext mode."""
    monkeypatch.setenv("TRANSKRIPT_PLAINTEXT_FOR_TESTS", "1")


def _raw_hits(data, words=SECRET_WORDS):
    hits = {}
    for path in data.rglob("*"):
        if path.is_file():
            raw = path.read_bytes().lower()
            # the full-text index stores a term after the part it shares with the one before: look for tails too
            found = [w for w in words if w.encode() in raw or w[3:].encode() in raw]
            if found:
                hits[str(path.relative_to(data))] = found
    return hits


def _secret_conversation(archive, tmp_path):
    conv = new_conversation(archive, pupil="Quirijn Xylofoonkast", notes="tekenles in de klas")
    archive.import_recording(conv.id, fake_audio(tmp_path / "z.wav"))
    archive.save_transcript(conv.id, transcript("Quirijn tekent een zebravlinder. De xylofoonkast is stuk."),
                            by="transkript")
    archive.save_summary(conv.id, summary(topic="Zebravlinder tekenen"), by="Juf", role="docent", reason="eerste")
    for i in range(30):  # enough other text that the index has several segments and pages to reuse
        other = new_conversation(archive, pupil=f"Ander Kind {i}", notes=f"leest graag boek {i}")
        archive.save_transcript(other.id, transcript(f"Het gaat goed met lezen {i}. Rekenen ook."), by="transkript")
    return conv


def test_deleted_words_survive_nowhere_in_the_raw_files(tmp_path, isolated_data):
    archive = open_archive()
    conv = _secret_conversation(archive, tmp_path)
    assert _raw_hits(isolated_data)  # the test can see them while they are there (plaintext test mode)
    archive.delete_conversation(conv.id)
    assert not archive.store.scrub_pending()
    assert _raw_hits(isolated_data) == {}
    assert archive.check() == []


def test_withdrawal_wipes_the_transcript_words(tmp_path, isolated_data):
    archive = open_archive()
    conv = _secret_conversation(archive, tmp_path)
    archive.withdraw_consent(conv.id)
    hits = _raw_hits(isolated_data, ("zebravlinder", "tekent een", "xylofoonkast is stuk"))
    # the summary of a non-final report goes too; the pupil's name stays with the (empty) conversation record
    assert hits == {}


def test_a_reader_blocking_the_checkpoint_fails_loudly_and_repair_finishes(tmp_path, isolated_data, monkeypatch):
    archive = open_archive()
    conv = _secret_conversation(archive, tmp_path)
    reader = store_mod.connect(isolated_data / "archive.sqlite3", archive.keys and archive.keys.database)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM conversations").fetchone()  # holds a snapshot: blocks the checkpoint
    monkeypatch.setattr(store_mod, "SCRUB_WAIT_S", 0.3)
    with pytest.raises(StorageError, match="repair"):
        archive.delete_conversation(conv.id)
    assert archive.store.scrub_pending()  # the durable mark
    assert any("not yet wiped" in p for p in archive.check())
    with pytest.raises(StorageError):  # the app is not told everything is fine while a reader holds on
        archive.repair(deep=True)
    reader.rollback()
    reader.close()
    archive.close()
    again = Archive()  # opening repairs: the scrub completes
    assert not again.store.scrub_pending() and again.check() == []
    assert _raw_hits(isolated_data) == {}


def test_a_purge_stopped_between_commit_and_scrub_is_finished_by_repair(tmp_path, isolated_data):
    archive = open_archive()
    conv = _secret_conversation(archive, tmp_path)
    archive.delete_conversation(conv.id, scrub=False)  # a purge killed here, before its one scrub at the end
    stale = Archive(repair=False)
    assert stale.store.scrub_pending() and _raw_hits(isolated_data)  # the words are still in the file
    stale.close()
    fixed = Archive()  # the killed program's connection is still "open": its WAL stays, as after a SIGKILL
    assert not fixed.store.scrub_pending()
    assert _raw_hits(isolated_data) == {}


def test_an_old_archive_gets_full_auto_vacuum(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    store = store_mod.Store(path, migrate_to=0)
    assert store.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
