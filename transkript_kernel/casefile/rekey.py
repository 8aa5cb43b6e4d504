"""``transkript key change``: a new passphrase *and* a new data key — the whole case file is re-encrypted.

Re-wrapping the old data key under a new passphrase (what ``restic key passwd`` does) leaves every byte of the
archive readable with an old copy of ``encryption.json`` and the old passphrase: exactly what a teacher changing
a leaked passphrase must be protected from. So a key change makes a new random data key, writes the database
anew under it (SQLCipher ``sqlcipher_export`` into a fresh file) and re-encrypts every file of the case file; the
old key then opens nothing (only the old bytes a disk keeps after a rename, which is the disk encryption's job).

Crash-safe, with one commit point — the rename of the new key file over ``encryption.json``:

1. ``encryption.next.json``: the new data key wrapped under the new passphrase (its presence = "not committed");
2. every file under ``conversations/`` re-encrypted beside itself as ``.<name>.rekey``;
3. the database exported under the new key as ``archive.sqlite3.rekeyed``;
4. **commit**: ``encryption.next.json`` renamed over ``encryption.json``;
5. roll forward: the ``.rekey`` files replace the old ones, then the new database replaces the old one.

Killed before 4, the next opening removes the leftovers (the old passphrase still opens the old archive; run the
change again); killed after it, the next opening finishes step 5 before anything is read (the new passphrase
opens it). Deciding needs two ``stat`` calls at every opening and no key.

Nobody may use the archive meanwhile: every :class:`~.archive.Archive` holds a shared lock on ``.open.lock`` for
as long as it is open, and the change takes it exclusively — refused (with a message) while the app, a batch or
another command has the archive open; a program starting meanwhile waits until the change is done.
Needs free space for one more copy of the case file for a moment.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import BinaryIO

from ..atomic import atomic_open
from ..errors import StorageError
from . import crypto
from . import keys as keys_mod
from .encrypt import _exclusive, _fsync_dir, _sidecars as _all_sidecars
from .store import DB_NAME, DatabaseError, connect

NEXT_KEY = "encryption.next.json"
NEXT_DB = DB_NAME + ".rekeyed"
SIDECAR = ".rekey"
OPEN_LOCK = ".open.lock"


def hold_open(data_dir: Path) -> BinaryIO:
    """A shared lock saying "this archive is open here" (waits while a key change runs); closing the returned
    file — or its being garbage-collected with an archive nobody closed — lets go."""
    fh = open(Path(data_dir) / OPEN_LOCK, "ab")  # umask 0o077: 0600
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
    except OSError:
        fh.close()
        raise
    return fh


def recover(data_dir: Path) -> str:
    """At every opening, before the key is read: undo a key change stopped before its commit point, or finish
    one stopped after it. Returns 'undone', 'finished' or '' (nothing to do: two ``stat`` calls)."""
    data_dir = Path(data_dir)
    if not _pending(data_dir):
        return ""
    with _exclusive(data_dir):  # one program repairs; the others wait and then find nothing to do
        return _recover_locked(data_dir)


def change(data_dir: Path, old: str, new: str) -> int:
    """Re-encrypt the archive in ``data_dir`` under a new data key wrapped with ``new``; returns the number of
    files re-encrypted. :class:`~.keys.PassphraseError` when ``old`` is wrong or ``new`` empty,
    :class:`StorageError` while another program has the archive open. The keyring, when there is one, gets the
    new passphrase right after the commit point."""
    data_dir = Path(data_dir)
    if not new:
        raise keys_mod.PassphraseError("Een leeg wachtwoord kan niet.", "An empty passphrase is not allowed.")
    lock = _alone(data_dir)
    try:
        _recover_locked(data_dir)
        old_keys = keys_mod.derive(keys_mod.unwrap(data_dir, old))
        data_key = os.urandom(32)
        try:
            keys_mod.write_next(data_dir, data_key, new, NEXT_KEY)  # 1
            new_keys = keys_mod.derive(data_key)
            files = _files(data_dir)
            for path in files:  # 2
                with open(path, "rb") as fin, atomic_open(_sidecar_of(path), "wb") as fout:
                    crypto.reencrypt_stream(old_keys, new_keys, fin, fout, name=path.name)
            _export_database(data_dir, old_keys.database, new_keys.database)  # 3
        except BaseException:  # a damaged file, a full disk: back to the old archive at once
            _recover_locked(data_dir)
            raise
        _swap(data_dir / NEXT_KEY, keys_mod.key_file(data_dir))  # 4: the commit point
        keys_mod.remember(data_dir, new)
        _roll_forward(data_dir)  # 5
        return len(files)
    finally:
        os.close(lock)


# --- the steps --------------------------------------------------------------------------------------------------
def _pending(data_dir: Path) -> bool:
    return (data_dir / NEXT_KEY).exists() or (data_dir / NEXT_DB).exists()


def _recover_locked(data_dir: Path) -> str:
    if (data_dir / NEXT_KEY).exists():  # not committed: back to the old archive, the new key file last
        for path in _all_sidecars(data_dir, half_written=True, suffix=SIDECAR):
            path.unlink(missing_ok=True)
        for path in (data_dir / NEXT_DB, Path(f"{data_dir / NEXT_DB}-journal")):
            path.unlink(missing_ok=True)
        (data_dir / NEXT_KEY).unlink()
        _fsync_dir(data_dir)
        return "undone"
    if (data_dir / NEXT_DB).exists():  # committed: finish
        _roll_forward(data_dir)
        return "finished"
    return ""


def _roll_forward(data_dir: Path) -> None:
    """The re-encrypted files replace the old ones, then the new database the old one (its presence is what
    tells the next opening that this step is still due, so it goes last)."""
    for sidecar in _all_sidecars(data_dir, suffix=SIDECAR):
        _swap(sidecar, sidecar.with_name(sidecar.name[1:-len(SIDECAR)]))
    db = data_dir / DB_NAME
    for stale in (Path(f"{db}-wal"), Path(f"{db}-shm")):  # the old file's, empty: it was checkpointed alone
        stale.unlink(missing_ok=True)
    _swap(data_dir / NEXT_DB, db)


def _swap(new: Path, old: Path) -> None:
    """``new`` takes the place of ``old`` in one rename, on disk before the next step."""
    os.replace(new, old)
    _fsync_dir(old.parent)


def _export_database(data_dir: Path, old_key: bytes, new_key: bytes) -> None:
    db, tmp = data_dir / DB_NAME, data_dir / NEXT_DB
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    conn = connect(db, old_key)
    try:
        conn.execute("PRAGMA busy_timeout = 20000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:  # cannot happen while we hold the open lock alone; never export a half-checkpointed file
            raise StorageError("Het archief is bezet; er is niets veranderd.", "The archive is busy; nothing was changed.")
        conn.execute(f"ATTACH DATABASE ? AS rekeyed KEY \"x'{new_key.hex()}'\"", (str(tmp),))
        conn.execute("PRAGMA rekeyed.auto_vacuum = FULL")
        conn.execute("SELECT sqlcipher_export('rekeyed')")
        conn.execute(f"PRAGMA rekeyed.user_version = {int(version)}")  # not copied by sqlcipher_export
        conn.execute("DETACH DATABASE rekeyed")
    except DatabaseError as exc:
        raise StorageError(f"Het archief kon niet opnieuw worden versleuteld ({exc}); er is niets veranderd.",
                           f"The archive could not be re-encrypted ({exc}); nothing was changed.") from exc
    finally:
        conn.close()
    os.chmod(tmp, 0o600)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alone(data_dir: Path) -> int:
    """The open lock, exclusively, or :class:`StorageError` when another program has the archive open."""
    fd = os.open(data_dir / OPEN_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StorageError("Een ander Transkript-programma (de app, een batch, een opdracht) heeft het archief open; "
                           "sluit het en probeer het opnieuw. Er is niets veranderd.",
                           "Another Transkript program (the app, a batch, a command) has the archive open; close it "
                           "and try again. Nothing was changed.") from None
    return fd


def _files(data_dir: Path) -> list[Path]:
    """Every encrypted file of the case file (a half-written ``.tmp`` of a stopped program is not one)."""
    root = data_dir / "conversations"
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
                  and crypto.is_encrypted(p))


def _sidecar_of(path: Path) -> Path:
    return path.with_name(f".{path.name}{SIDECAR}")

