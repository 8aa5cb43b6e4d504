"""The SQLite store: WAL, foreign keys, busy timeout, migrations, safe full-text queries, two writers at once."""
import sqlite3
import subprocess
import sys

import pytest

from casefile_helpers import new_conversation, open_archive
from conftest import ROOT
from transkript_kernel.errors import StorageError
from transkript_kernel.casefile.store import BUSY_TIMEOUT_MS, SCHEMA_VERSION, Store, fts_query


def test_pragmas_and_schema_version(tmp_path):
    store = Store(tmp_path / "a.sqlite3")
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    assert store.version == SCHEMA_VERSION >= 2
    with pytest.raises(StorageError):  # foreign keys are enforced
        store.execute("INSERT INTO consents (conversation, given, by_role, at, how, purpose, retention_notice) "
                      "VALUES (999, 1, 'ouder', 'x', 'mondeling', 'p', 'r')")


def test_migration_from_version_1_keeps_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = Store(path, migrate_to=1)
    assert old.version == 1
    assert not old.rows("SELECT name FROM sqlite_master WHERE name = 'intents'")
    old.execute("INSERT INTO conversations (id, pupil, pupil_key, date, kind, language, created_at) "
                "VALUES ('20260101-0000abcd', 'Oud Kind', 'oud kind', '2026-01-01', 'oudergesprek', 'nl', 'x')")
    old.close()
    new = Store(path)
    assert new.version == SCHEMA_VERSION
    assert new.rows("SELECT name FROM sqlite_master WHERE name = 'intents'")
    assert new.one("SELECT pupil FROM conversations")["pupil"] == "Oud Kind"


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        Store(path)


@pytest.mark.parametrize("query", ['"', "'", "lees*", 'a" OR "b', "NEAR(", "-", "***", "Zoë's", "AND OR NOT"])
def test_search_queries_never_break_the_fts_syntax(query):
    archive = open_archive()
    new_conversation(archive, pupil="Zoë Lees", notes="leest graag AND schrijft")
    frame = archive.search(query)  # must not raise
    assert list(frame.columns)[:2] == ["id", "pupil"]
    assert fts_query('a"b') == '"a" "b"'


def test_two_processes_write_at_the_same_time(isolated_data):
    code = ("import sys; sys.path.insert(0, 'tests'); from casefile_helpers import *; a = open_archive()\n"
            "for i in range(40):\n"
            "    c = new_conversation(a, pupil=f'Kind {sys.argv[1]} {i}', notes='samen schrijven')\n"
            "    a.save_summary(c.id, summary(), by='juf', role='docent', reason='eerste')\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, tag], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for tag in ("A", "B")]
    reader = open_archive()
    seen = []
    while any(p.poll() is None for p in procs):
        seen.append(len(reader.list()))  # the app keeps reading while batches write
    errors = [p.stderr.read() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    frame = reader.list()
    assert len(frame) == 80 and (frame["summaries"] == 1).all()
    assert seen == sorted(seen)
    assert len(reader.search("schrijven")) == 50  # default limit
    assert reader.check() == []


def test_several_processes_open_a_brand_new_archive_at_once(tmp_path):
    """Two programs setting up the same new archive: the schema is made once (the version is re-read inside the
    set-up transaction) and the switch to WAL waits instead of failing with "database is locked"."""
    code = ("import sys, time\n"
            "from transkript_kernel.casefile.store import Store\n"
            "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"  # start together
            "Store(sys.argv[1]).close()\n")
    import time

    for round_ in range(3):
        path = tmp_path / f"new{round_}" / "archive.sqlite3"
        start = time.time() + 2.0
        procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(start)], cwd=ROOT,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        errors = [p.communicate(timeout=120)[1] for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, errors
        store = Store(path)
        assert store.version == SCHEMA_VERSION and store.check() == []
        store.close()


def test_migration_step_done_by_another_process_meanwhile_is_skipped(tmp_path):
    """The race itself, made certain: a second store saw version 0, another set the schema up before it took the
    write lock; its migration must see the new version inside the transaction and skip the step."""
    path = tmp_path / "a.sqlite3"

    class Late(Store):
        stale = True

        @property
        def version(self):
            if self.stale:  # what it read before the other process finished
                self.stale = False
                return 0
            return super().version

    late = Late(path, migrate_to=0)
    Store(path).close()  # the other process wins
    late.stale = True
    assert late.migrate() == SCHEMA_VERSION  # no "table conversations already exists"
