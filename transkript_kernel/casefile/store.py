"""The case file's database: one SQLite file beside the conversation folders.

WAL lets the app read while a batch writes; ``busy_timeout`` makes a second writer wait instead of failing;
every change runs in one ``BEGIN IMMEDIATE`` transaction, so a crash leaves either all of it or none.
Full-text search is one FTS5 row per conversation (rowid = the conversation's number) with a column per
field, so a query may combine a pupil's name with words from the summary, and deleting a conversation removes
exactly its index entry. The schema version is ``PRAGMA user_version``; :data:`MIGRATIONS` moves
an older file forward, in one transaction per step.

The file is encrypted with SQLCipher (the ``sqlcipher3`` build of SQLite: FTS5, trigram tokenizer and WAL as
before, no plaintext header, every page and WAL frame authenticated): :class:`Store` takes the raw 256-bit
database key from :mod:`.keys` (no second passphrase derivation per connection). ``key=None`` is a plain
SQLite file (the test-only plaintext mode, and the old archives that :mod:`.encrypt` migrates).
"""
from __future__ import annotations

import os
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from sqlcipher3 import dbapi2 as sqlite3  # same DB-API as the standard module, with SQLCipher

from ..errors import DiskFullError, StorageError
from . import search as search_index

DB_NAME = "archive.sqlite3"
BUSY_TIMEOUT_MS = 20_000
PLAIN_HEADER = b"SQLite format 3\x00"  # the first bytes of an unencrypted SQLite file
DatabaseError = sqlite3.Error  # what callers catch (the standard module's sqlite3.Error is another class)
SCRUB_WAIT_S = 20.0  # how long a scrub waits for other programs' reads to end before it fails loudly
STALE_WAL_WAIT_S = 0.5  # how long opening the archive waits to truncate the write-ahead log (best effort)

# full-text columns of a conversation's index row (rowid = conversations.num)
FTS_FIELDS = ("meta", "notes", "transcript", "summary")

MIGRATIONS: list[str] = [
    # 1: conversations, consent, revisions, exports, audit, full-text index
    """
    CREATE TABLE conversations (
        num INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        pupil TEXT NOT NULL,
        pupil_key TEXT NOT NULL,
        grp TEXT NOT NULL DEFAULT '',
        age_band TEXT NOT NULL DEFAULT '',
        date TEXT NOT NULL,
        kind TEXT NOT NULL,
        language TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'concept' CHECK (status IN ('concept', 'gedeeld', 'definitief')),
        participants TEXT NOT NULL DEFAULT '[]',
        notes TEXT NOT NULL DEFAULT '',
        sensitive INTEGER NOT NULL DEFAULT 0,
        leaves_school TEXT,
        created_at TEXT NOT NULL,
        shared_at TEXT,
        finalized_at TEXT,
        recording TEXT,
        recording_sha256 TEXT,
        recording_deleted_at TEXT
    );
    CREATE INDEX conversations_pupil ON conversations(pupil_key);
    CREATE INDEX conversations_date ON conversations(date);
    CREATE TABLE consents (
        num INTEGER PRIMARY KEY,
        conversation INTEGER NOT NULL REFERENCES conversations(num) ON DELETE CASCADE,
        given INTEGER NOT NULL,
        by_role TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        how TEXT NOT NULL,
        purpose TEXT NOT NULL,
        retention_notice TEXT NOT NULL,
        pupil_view TEXT,
        withdrawn_at TEXT
    );
    CREATE INDEX consents_conversation ON consents(conversation);
    CREATE TABLE transcripts (
        conversation INTEGER NOT NULL REFERENCES conversations(num) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        by TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (conversation, revision)
    );
    CREATE TABLE summaries (
        conversation INTEGER NOT NULL REFERENCES conversations(num) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        by TEXT NOT NULL,
        role TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (conversation, version)
    );
    CREATE TABLE exports (
        num INTEGER PRIMARY KEY,
        conversation INTEGER NOT NULL REFERENCES conversations(num) ON DELETE CASCADE,
        file TEXT NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE audit (
        num INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        actor TEXT NOT NULL,
        conversation_id TEXT
    );
    CREATE VIRTUAL TABLE search USING fts5(meta, notes, transcript, summary,
                                         tokenize = 'unicode61 remove_diacritics 2');
    """,
    # 2: crash-safe file operations (intent log) and duplicate detection by content hash
    """
    CREATE TABLE intents (
        num INTEGER PRIMARY KEY,
        op TEXT NOT NULL CHECK (op IN ('write', 'delete')),
        path TEXT NOT NULL,
        pid INTEGER NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX conversations_recording_sha ON conversations(recording_sha256);
    """,
    # 3: a durable "needs scrub" mark, written in the transaction that deletes; cleared only by a verified scrub
    """
    CREATE TABLE scrub_pending (
        num INTEGER PRIMARY KEY,
        at TEXT NOT NULL
    );
    """,
    # 4: copies by path and hash (a copy outside the case file is deleted only while it is still ours), and
    # which exports hold the transcript (they go on withdrawal even when the report is final)
    """
    ALTER TABLE exports ADD COLUMN sha256 TEXT;
    ALTER TABLE exports ADD COLUMN with_transcript INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE intents ADD COLUMN sha256 TEXT;
    """,
    # 5: one stable identity per pupil (P-…), so an access export never mixes two children with the same name;
    # the group stays with the conversation (it changes every year). Existing names become one identity each.
    """
    CREATE TABLE pupils (
        num INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        pupil_number TEXT NOT NULL DEFAULT '',
        birth_date TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX pupils_key ON pupils(name_key);
    ALTER TABLE conversations ADD COLUMN pupil_id TEXT REFERENCES pupils(id);
    INSERT INTO pupils (id, name, name_key, created_at)
        SELECT 'P-' || lower(hex(randomblob(5))), min(pupil), pupil_key, min(created_at)
        FROM conversations GROUP BY pupil_key;
    UPDATE conversations SET pupil_id = (SELECT id FROM pupils WHERE name_key = conversations.pupil_key);
    CREATE INDEX conversations_pupil_id ON conversations(pupil_id);
    """,
    # 6: recordings whose consent was withdrawn, by SHA-256 only (a hash of audio, no content, no name): kept
    # after the conversation is gone, so a batch rerun cannot file the same recording again
    """
    CREATE TABLE withdrawn_recordings (
        sha256 TEXT PRIMARY KEY,
        at TEXT NOT NULL
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def is_plaintext(path: str | Path) -> bool:
    """True for an existing, unencrypted SQLite file (an archive from before encryption)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except OSError:
        return False


def connect(path: str | Path, key: bytes | None, *, timeout: float = BUSY_TIMEOUT_MS / 1000):
    """A connection to the archive file, keyed when ``key`` is given (the only way other code and the tests
    should open it: a plain ``sqlite3.connect`` cannot read an encrypted archive)."""
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not SQLCipher's stderr log
    if key is not None:
        if len(key) != 32:
            raise ValueError("database key must be 32 bytes")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def _db_error(exc: sqlite3.Error, path: Path) -> StorageError:
    text = str(exc)
    if "not a database" in text.lower():
        return StorageError(f"Het archief {path} kan niet worden geopend: het is beschadigd of hoort bij een andere "
                            "sleutel (encryption.json). Er is niets veranderd.",
                            f"The archive {path} cannot be opened: it is damaged or belongs to another key "
                            "(encryption.json). Nothing was changed.")
    if "full" in text.lower():
        return DiskFullError(f"De schijf is vol: het archief ({path}) is niet bijgewerkt. Er is niets verloren "
                             "gegaan; maak ruimte vrij en probeer het opnieuw.",
                             f"The disk is full: the archive ({path}) was not updated. Nothing was lost; free "
                             "some space and try again.")
    if "locked" in text.lower() or "busy" in text.lower():
        return StorageError(f"Het archief is bezet door een ander programma ({text}); probeer het zo opnieuw.",
                            f"The archive is busy in another program ({text}); try again shortly.")
    return StorageError(f"Fout in het archief {path}: {text}", f"Archive error in {path}: {text}")


class Store:
    """One connection to the archive database, safe to share between the threads of one process."""

    def __init__(self, path: str | Path, *, migrate_to: int = SCHEMA_VERSION, key: bytes | None = None):
        self.path = Path(path)
        self.encrypted = key is not None
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.conn = connect(self.path, key)
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a wrong key fails here, at once
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = self._wal()
            if mode.lower() != "wal":  # pragma: no cover - only on file systems without shared memory
                raise StorageError(f"Het archief kan niet in WAL-modus ({mode}).", f"Archive cannot use WAL ({mode}).")
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not just unlinked
            self.conn.execute("PRAGMA temp_store = MEMORY")  # sorts and VACUUM's copy never in a plaintext temp file
            if self.conn.execute("PRAGMA page_count").fetchone()[0] == 0:
                self.conn.execute("PRAGMA auto_vacuum = FULL")  # a new file: freed pages leave the file at commit
        except OSError as exc:
            raise StorageError(f"Kan de archiefmap {self.path.parent} niet maken: {exc.strerror}",
                               f"Cannot create the archive folder {self.path.parent}: {exc.strerror}") from exc
        except sqlite3.Error as exc:
            conn = getattr(self, "conn", None)
            if conn is not None:
                conn.close()  # never a half-opened archive
            raise _db_error(exc, self.path) from exc
        self.migrate(migrate_to)

    def _wal(self) -> str:
        """Switch to WAL, waiting like every other statement: the switch needs a moment alone with the file and
        SQLite answers "locked" at once (without its busy handler) while another process opens or sets up a new
        archive, so a second program starting at the same time retries until the busy timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                return self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    # --- schema ---------------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, target: int = SCHEMA_VERSION) -> int:
        """Apply the missing migrations; refuse a file written by a newer Transkript."""
        current = self.version
        if current > SCHEMA_VERSION:
            raise StorageError(f"Dit archief is gemaakt door een nieuwere Transkript (schema {current}); "
                               "werk Transkript bij.",
                               f"This archive was made by a newer Transkript (schema {current}); upgrade Transkript.")
        for number in range(current + 1, target + 1):
            with self.transaction():
                if self.version >= number:  # another process set up this step while we waited for the lock
                    continue
                for statement in _statements(MIGRATIONS[number - 1]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")
        if self.version >= 1 and not search_index.installed(self.conn):  # the search module's own tables
            with self.transaction() as conn:
                search_index.install(conn)
        self._full_auto_vacuum()
        self._private_files()
        return self.version

    def _full_auto_vacuum(self) -> None:
        """Free pages are where deleted text would linger: with ``auto_vacuum = FULL`` they are cut off the file
        at every commit, so "no free page" is a property :meth:`scrub` can check. A file made before is rebuilt
        once (VACUUM)."""
        if self.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 1:
            return
        with self._lock:
            try:
                self.conn.execute("PRAGMA auto_vacuum = FULL")
                self.conn.execute("VACUUM")
            except sqlite3.Error as exc:
                raise _db_error(exc, self.path) from exc

    def _private_files(self) -> None:
        """The database and its WAL and shared-memory files are the owner's alone (0600), whatever the umask
        of the program that made them."""
        for suffix in ("", "-wal", "-shm"):
            try:
                os.chmod(f"{self.path}{suffix}", 0o600)
            except OSError:
                pass

    # --- transactions and queries -----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing; nested use joins the outer transaction. Takes the write lock at once."""
        with self._lock:
            outer = self._depth == 0
            try:
                if outer:
                    self.conn.execute("BEGIN IMMEDIATE")
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                if outer:
                    self.conn.execute("COMMIT")
            except BaseException as exc:
                if outer and self.conn.in_transaction:
                    try:
                        self.conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                if isinstance(exc, sqlite3.Error):
                    raise _db_error(exc, self.path) from exc
                raise

    def rows(self, sql: str, params: Sequence = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _db_error(exc, self.path) from exc

    def one(self, sql: str, params: Sequence = ()) -> sqlite3.Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def execute(self, sql: str, params: Sequence = ()) -> sqlite3.Cursor:
        """A write; inside a transaction when one is open, else its own transaction."""
        with self.transaction() as conn:
            return conn.execute(sql, params)

    # --- full-text index --------------------------------------------------------------------------------
    def index(self, num: int, **fields: str) -> None:
        """Set some columns of a conversation's index row, keeping the others."""
        with self.transaction() as conn:
            row = conn.execute("SELECT meta, notes, transcript, summary FROM search WHERE rowid = ?", (num,)).fetchone()
            values = dict(zip(FTS_FIELDS, row)) if row else dict.fromkeys(FTS_FIELDS, "")
            for name, text in fields.items():
                if name not in FTS_FIELDS:
                    raise KeyError(name)
                values[name] = text or ""
            conn.execute("DELETE FROM search WHERE rowid = ?", (num,))
            if any(v.strip() for v in values.values()):
                conn.execute("INSERT INTO search (rowid, meta, notes, transcript, summary) VALUES (?, ?, ?, ?, ?)",
                             (num, *(values[f] for f in FTS_FIELDS)))
            for name in ("notes", "summary", "transcript"):  # the passages shown with a hit (search.py)
                if name in fields and (name != "transcript" or not values[name]):
                    search_index.set_passages(conn, num, name, search_index.text_passages(values[name]))

    def unindex(self, num: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM search WHERE rowid = ?", (num,))
            search_index.remove(conn, num)

    def indexed(self, num: int) -> dict[str, str]:
        """A conversation's non-empty index columns ({} after deletion: used to verify it)."""
        row = self.one("SELECT meta, notes, transcript, summary FROM search WHERE rowid = ?", (num,))
        found = {f: v for f, v in zip(FTS_FIELDS, row) if v} if row else {}
        with self._lock:
            passages = search_index.count(self.conn, num)
        if passages:
            found["passages"] = f"{passages} passages"
        return found

    def mark_scrub(self, conn) -> None:
        """Inside the transaction that deletes: a durable mark that the deleted text must still be wiped. It
        survives a crash between the commit and :meth:`scrub`; the next ``repair()`` finishes the job."""
        conn.execute("INSERT INTO scrub_pending (at) VALUES (datetime('now'))")

    def scrub_pending(self) -> bool:
        return self.one("SELECT 1 FROM scrub_pending LIMIT 1") is not None

    def scrub(self, *, wait: float | None = None) -> None:
        """After a deletion: merge the full-text index so no deleted words linger in old index segments, move the
        write-ahead log into the database and truncate it, then verify: the checkpoint was complete, the WAL is
        empty and the file has no free pages (with ``secure_delete`` and ``auto_vacuum = FULL`` deleted text
        then survives nowhere in the file). Another program's long read blocks the checkpoint: it is retried for
        ``wait`` seconds, then :class:`StorageError` — the deletion itself stands and the durable mark stays, so
        the next ``repair()`` completes the scrub."""
        wait = SCRUB_WAIT_S if wait is None else wait
        with self.transaction() as conn:
            conn.execute("INSERT INTO search (search) VALUES ('optimize')")
            search_index.optimize(conn)
        with self._lock:  # secure_delete zeroes a deleted cell, but a page rebuilt by a b-tree balance can keep
            try:  # old cell bytes in its unused middle (the SIGKILL test found a pupil's name there): rebuild
                self.conn.execute("VACUUM")  # the file from live rows only (in memory: temp_store = MEMORY)
            except sqlite3.Error as exc:
                raise _db_error(exc, self.path) from exc
        deadline = time.monotonic() + wait
        problem = ""
        with self._lock, self._busy_timeout(wait):
            try:
                while True:
                    problem = self._checkpoint()
                    if not problem or time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
            except sqlite3.Error as exc:
                raise _db_error(exc, self.path) from exc
        if problem:
            raise StorageError(
                f"Het verwijderde is uit het archief, maar de sporen ervan zijn nog niet gewist ({problem}): een "
                "ander programma leest het archief. Sluit andere Transkript-vensters en voer 'transkript archive "
                "repair' uit.",
                f"The deleted data is out of the archive, but its traces are not wiped yet ({problem}): another "
                "program is reading the archive. Close other Transkript windows and run 'transkript archive "
                "repair'.")
        with self.transaction() as conn:  # the pages this touches were just verified clean
            conn.execute("DELETE FROM scrub_pending")
        with self._lock:
            try:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass

    def drop_stale_wal(self, *, wait: float = STALE_WAL_WAIT_S) -> bool:
        """Truncate the write-ahead log to 0 bytes when no other program is using the archive (a checkpoint first
        moves every committed frame into the database). A program killed in the middle of a commit, or in a
        transaction big enough to spill pages before its commit, leaves frames that no commit covers: SQLite
        ignores them, but their bytes — text that was never stored, or that a later deletion removed — stay in the
        file until the log is truncated or overwritten (the SIGKILL test found a pupil's name there after a
        kill). Runs at every opening (:meth:`Archive.repair`); when another program is busy it is left to the
        next opening or deletion. True when the log is empty afterwards."""
        wal = Path(f"{self.path}-wal")
        if not wal.exists() or wal.stat().st_size == 0:
            return True
        with self._lock, self._busy_timeout(wait):
            try:
                busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except sqlite3.Error:
                return False  # e.g. locked by another program's write: nothing lost, tried again next time
        return not busy and (not wal.exists() or wal.stat().st_size == 0)

    @contextmanager
    def _busy_timeout(self, seconds: float) -> Iterator[None]:
        """A shorter wait for other programs' locks for one step (a checkpoint that may be retried later)."""
        self.conn.execute(f"PRAGMA busy_timeout = {max(1, int(min(seconds, BUSY_TIMEOUT_MS / 1000) * 1000))}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _checkpoint(self) -> str:
        """One complete checkpoint attempt; '' when verified, else what is still wrong."""
        busy, frames, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            return f"checkpoint blocked, {frames} WAL frames"
        wal = Path(f"{self.path}-wal")
        size = wal.stat().st_size if wal.exists() else 0
        if size:
            return f"WAL still {size} bytes"
        free = self.conn.execute("PRAGMA freelist_count").fetchone()[0]
        if free:
            return f"{free} free pages"
        return ""

    def check(self) -> list[str]:
        """Database-level problems: integrity, dangling foreign keys, index entries without conversation."""
        problems = [f"integrity: {r[0]}" for r in self.rows("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {tuple(r)}" for r in self.rows("PRAGMA foreign_key_check")]
        orphans = self.one("SELECT count(*) FROM search WHERE rowid NOT IN (SELECT num FROM conversations)")[0]
        if orphans:
            problems.append(f"search index: {orphans} entries without conversation")
        with self._lock:
            orphan_passages = search_index.orphans(self.conn)
        if orphan_passages:
            problems.append(f"search passages: {orphan_passages} without conversation")
        if self.scrub_pending():
            problems.append("deleted data not yet wiped from the database file (run repair)")
        return problems

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def fts_query(text: str) -> str:
    """Turn what a teacher types into a safe FTS5 query: every word must occur; ``word*`` is a prefix."""
    terms = []
    for token in re.findall(r"[\w*]+", text, flags=re.UNICODE):
        prefix = token.endswith("*")
        word = token.strip("*")
        if not word:
            continue
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
