"""Write files so that a crash or a full disk never leaves half a file behind.

Everything goes to a temporary file in the same directory, is flushed to disk, and is then renamed over the
target; on any failure the temporary file is removed and nothing at the target changes.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from .errors import DiskFullError, StorageError


def _storage_error(path: Path, exc: OSError) -> StorageError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(f"De schijf is vol: {path} is niet opgeslagen. Er is niets verloren gegaan; "
                             "maak ruimte vrij en probeer het opnieuw.",
                             f"The disk is full: {path} was not saved. Nothing was lost; free some space "
                             "and try again.")
    return StorageError(f"Kan {path} niet schrijven: {exc.strerror}.", f"Cannot write {path}: {exc.strerror}.")


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file that replaces ``path`` only when the block finishes without error."""
    path = Path(path)
    binary = "b" in mode
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _storage_error(path, exc) from exc
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise _storage_error(path, exc) from exc
    except BaseException:
        _unlink_quietly(tmp)
        raise


def write_text(path, text: str) -> Path:
    with atomic_open(path, "w") as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path, data: bytes) -> Path:
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def write_json(path, obj) -> Path:
    return write_text(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


def copy_file(src, dst) -> Path:
    with open(src, "rb") as fin, atomic_open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    return Path(dst)


def sha256_file(path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks so a long recording never sits in memory whole."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink_quietly(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
