"""Files of the case file encrypted at rest: AES-256-GCM in 1 MiB chunks, so a 250 MB recording is streamed,
never held in memory whole (let alone twice).

Layout of an encrypted file::

    MAGIC (8 bytes) | salt (16 bytes) | chunk 0 | chunk 1 | … | last chunk

Every file has its own key, derived from the archive's file key and the file's random salt (HKDF-SHA256),
so nonces never repeat across files; a chunk's nonce is its number plus a "last chunk" flag, and the header is
authenticated with every chunk. A file cut short, chunks swapped, a flipped bit or a wrong key all fail to
decrypt (:class:`DamagedFileError`) — never half a transcript read as if it were whole.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from ..errors import StorageError

MAGIC = b"TKENC1\n\0"
SALT_BYTES = 16
CHUNK = 1 << 20  # plaintext bytes per chunk
TAG = 16
HEADER = len(MAGIC) + SALT_BYTES


class DamagedFileError(StorageError):
    """An encrypted file that does not decrypt: damaged, cut short, or made with another key."""


@dataclass(frozen=True)
class Keys:
    """The archive's two working keys, derived from its data key (:mod:`.keys`): one for the database
    (SQLCipher, raw key), one from which every file's own key is derived."""
    database: bytes
    files: bytes

    def __repr__(self) -> str:  # never print a key, not even in a traceback
        return "Keys(…)"


def _file_key(keys: Keys, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"transkript file v1").derive(keys.files)


def _nonce(index: int, last: bool) -> bytes:
    return struct.pack(">QI", index, 1 if last else 0)  # 12 bytes


def is_encrypted(path: str | os.PathLike) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def encrypt_stream(keys: Keys, fin: BinaryIO, fout: BinaryIO) -> int:
    """Encrypt everything ``fin`` gives into ``fout``; returns the plaintext size."""
    return seal_stream(keys, fin, fout, hashed=False)[0]


def seal_stream(keys: Keys | None, fin: BinaryIO, fout: BinaryIO, *, hashed: bool = True) -> tuple[int, str]:
    """Copy ``fin`` into ``fout``, encrypted when ``keys`` is given (as is in the test-only plaintext mode), and
    hash the plaintext on the way (``hashed``), so a recording is read once. Returns its size and SHA-256 ('' when
    not hashed). The chunks are read into two reused buffers and encrypted into a third: no per-chunk copies
    besides the kernel's and the cipher's (importing a recording is mostly this loop)."""
    import hashlib

    digest = hashlib.sha256() if hashed else None
    current, following = bytearray(CHUNK), bytearray(CHUNK)
    sealed = memoryview(bytearray(CHUNK + TAG)) if keys else None
    if keys:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt = os.urandom(SALT_BYTES)
        header = MAGIC + salt
        gcm = AESGCM(_file_key(keys, salt))
        fout.write(header)
    size, index = 0, 0
    filled = _fill(fin, current)
    while True:
        ahead = _fill(fin, following) if filled == CHUNK else 0  # nothing after it: this is the last chunk
        block = memoryview(current)[:filled]
        if digest is not None:
            digest.update(block)
        if keys:
            out = sealed[:filled + TAG]
            gcm.encrypt_into(_nonce(index, not ahead), block, header, out)
            fout.write(out)
        else:
            fout.write(block)
        size += filled
        if not ahead:
            return size, digest.hexdigest() if digest is not None else ""
        current, following, filled, index = following, current, ahead, index + 1


def _fill(fh: BinaryIO, buf: bytearray) -> int:
    """Read into ``buf`` until it is full or the input ends (a pipe gives less at a time); bytes read."""
    view, got = memoryview(buf), 0
    while got < len(buf):
        n = fh.readinto(view[got:])
        if not n:
            break
        got += n
    return got


def decrypt_stream(keys: Keys, fin: BinaryIO, fout: BinaryIO, *, name: str = "") -> int:
    """Decrypt ``fin`` into ``fout`` chunk by chunk; :class:`DamagedFileError` if any chunk fails, the file is
    cut short or has trailing bytes. Returns the plaintext size."""
    size = 0
    for plain, _ in _chunks(keys, fin, name):
        fout.write(plain)
        size += len(plain)
    return size


def reencrypt_stream(old: Keys, new: Keys, fin: BinaryIO, fout: BinaryIO, *, name: str = "") -> int:
    """Decrypt with ``old`` and encrypt with ``new`` (a new salt, so a new file key), chunk for chunk — the
    plaintext exists one chunk at a time, in memory only (``transkript key change``). Returns the size."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt = os.urandom(SALT_BYTES)
    header = MAGIC + salt
    gcm = AESGCM(_file_key(new, salt))
    fout.write(header)
    size = 0
    for index, (plain, last) in enumerate(_chunks(old, fin, name)):
        fout.write(gcm.encrypt(_nonce(index, last), plain, header))
        size += len(plain)
    return size


def _chunks(keys: Keys, fin: BinaryIO, name: str) -> Iterator[tuple[bytes, bool]]:
    """The plaintext chunks of an encrypted file with their last-chunk flag, each authenticated before it is
    given out."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = fin.read(HEADER)
    if len(header) != HEADER or not header.startswith(MAGIC):
        raise _damaged(name, "no encryption header")
    gcm = AESGCM(_file_key(keys, header[len(MAGIC):]))
    index = 0
    block = _read_full(fin, CHUNK + TAG)
    while True:
        following = _read_full(fin, CHUNK + TAG) if len(block) == CHUNK + TAG else b""
        last = not following
        try:
            plain = gcm.decrypt(_nonce(index, last), block, header)
        except InvalidTag:
            raise _damaged(name, f"chunk {index}") from None
        yield plain, last
        if last:
            return
        block, index = following, index + 1


def encrypt_bytes(keys: Keys, data: bytes) -> bytes:
    import io

    out = io.BytesIO()
    encrypt_stream(keys, io.BytesIO(data), out)
    return out.getvalue()


def decrypt_bytes(keys: Keys, data: bytes, *, name: str = "") -> bytes:
    import io

    out = io.BytesIO()
    decrypt_stream(keys, io.BytesIO(data), out, name=name)
    return out.getvalue()


def _read_full(fh: BinaryIO, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = fh.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _damaged(name: str, what: str) -> DamagedFileError:
    return DamagedFileError(f"Het versleutelde bestand {name or ''} is beschadigd of hoort bij een andere sleutel "
                            f"({what}); het wordt niet gelezen.",
                            f"The encrypted file {name or ''} is damaged or belongs to another key ({what}); "
                            "it is not read.")
