"""An archive from before encryption is encrypted in place at its first opening, all or nothing.

Three steps, with one commit point:

1. every file under ``conversations/`` is written encrypted beside itself, as ``.<name>.enc-migrate``;
2. the database is exported into an encrypted copy (``sqlcipher_export``), which replaces the plain file in one
   ``rename`` — the commit point;
3. the encrypted files replace the plain ones.

A crash before the commit point leaves the old archive (plain database, plain files; the half-made ``.enc-migrate``
files are thrown away and the next opening starts again); a crash after it leaves the new one, whose step 3 the
next opening finishes before anything reads a file. A marker file (``.encrypting``) says that step 3 may still be
due, so an ordinary opening costs one ``stat``. Other programs opening the archive wait on a lock file meanwhile.
Needs free space for one more copy of the data for a moment.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..atomic import atomic_open
from ..errors import StorageError
from . import crypto
from .store import DB_NAME, DatabaseError, SCHEMA_VERSION, connect, is_plaintext

SIDECAR = ".enc-migrate"
MARKER = ".encrypting"
LOCK = ".encrypting.lock"


def needed(data_dir: Path) -> bool:
    return is_plaintext(data_dir / DB_NAME) or (data_dir / MARKER).exists()


def ensure(data_dir: Path, keys: crypto.Keys) -> bool:
    """Encrypt a plain archive (or finish an interrupted encryption); True if anything was done."""
    data_dir = Path(data_dir)
    if not needed(data_dir):
        return False
    with _exclusive(data_dir):
        if not needed(data_dir):  # another program did it while we waited
            return False
        db = data_dir / DB_NAME
        if is_plaintext(db):
            _write_marker(data_dir)
            for sidecar in _sidecars(data_dir, half_written=True):  # an earlier attempt stopped before its commit
                sidecar.unlink()
            for path in _plain_files(data_dir):
                with open(path, "rb") as fin, atomic_open(_sidecar_of(path), "wb") as fout:
                    crypto.encrypt_stream(keys, fin, fout)
            _encrypt_database(db, keys.database)  # the commit point
        for sidecar in _sidecars(data_dir):  # roll forward
            os.replace(sidecar, sidecar.with_name(sidecar.name[1:-len(SIDECAR)]))
            _fsync_dir(sidecar.parent)
        (data_dir / MARKER).unlink(missing_ok=True)
        _fsync_dir(data_dir)
    return True


def _encrypt_database(db: Path, key: bytes) -> None:
    tmp = db.with_name(db.name + ".encrypting")
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    conn = connect(db, None)
    try:
        conn.execute("PRAGMA busy_timeout = 20000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError("Dit archief is gemaakt door een nieuwere Transkript; werk Transkript bij.",
                               "This archive was made by a newer Transkript; upgrade Transkript.")
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            raise StorageError("Het archief wordt versleuteld, maar een ander programma gebruikt het nog; sluit "
                               "andere Transkript-vensters en probeer het opnieuw. Er is niets veranderd.",
                               "The archive is being encrypted, but another program still uses it; close other "
                               "Transkript windows and try again. Nothing was changed.")
        conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key.hex()}'\"", (str(tmp),))
        conn.execute("PRAGMA enc.auto_vacuum = FULL")
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute(f"PRAGMA enc.user_version = {int(version)}")  # not copied by sqlcipher_export
        conn.execute("DETACH DATABASE enc")
    except DatabaseError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"Het archief kon niet worden versleuteld ({exc}); er is niets veranderd.",
                           f"The archive could not be encrypted ({exc}); nothing was changed.") from exc
    finally:
        conn.close()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    for stale in (Path(f"{db}-wal"), Path(f"{db}-shm")):  # the plain file's, empty after the checkpoint
        stale.unlink(missing_ok=True)
    os.replace(tmp, db)
    _fsync_dir(db.parent)


def _plain_files(data_dir: Path) -> list[Path]:
    root = data_dir / "conversations"
    if not root.is_dir():
        return []
    return [p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
            and not crypto.is_encrypted(p)]


def _sidecars(data_dir: Path, *, half_written: bool = False, suffix: str = SIDECAR) -> list[Path]:
    """The rewritten files waiting to replace theirs (``.<name><suffix>``; :mod:`.rekey` has its own suffix);
    ``half_written`` adds the temporary file of one the program was writing when it stopped (``atomic_open``'s
    ``.<sidecar>.<random>.tmp``)."""
    root = data_dir / "conversations"
    if not root.is_dir():
        return []
    patterns = [f".*{suffix}"] + ([f"..*{suffix}.*.tmp"] if half_written else [])
    return [p for pattern in patterns for p in root.rglob(pattern) if p.is_file()]


def _sidecar_of(path: Path) -> Path:
    return path.with_name(f".{path.name}{SIDECAR}")


def _write_marker(data_dir: Path) -> None:
    fd = os.open(data_dir / MARKER, os.O_WRONLY | os.O_CREAT, 0o600)
    os.fsync(fd)
    os.close(fd)
    _fsync_dir(data_dir)


@contextmanager
def _exclusive(data_dir: Path) -> Iterator[None]:
    fd = os.open(data_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
