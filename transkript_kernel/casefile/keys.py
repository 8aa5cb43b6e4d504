"""The archive's key: where the passphrase comes from, and the key file that lets it open the archive.

The archive is encrypted with a random 256-bit *data key*. The data folder holds ``encryption.json``: a salt,
the scrypt cost, and the data key wrapped (AES-GCM) with a key derived from the teacher's passphrase — the
passphrase itself and the unwrapped data key are never written anywhere in the data folder. A wrong passphrase
fails the wrap's authentication tag, so it is told apart from a damaged archive before anything is opened.
``transkript key change`` makes a new data key and re-encrypts the whole archive under it (:mod:`.rekey`), so an
old copy of ``encryption.json`` with the old passphrase opens nothing any more.

Where the passphrase comes from, first found wins: ``TRANSKRIPT_PASSPHRASE`` (scripts, CI — as borg and restic),
the OS keyring (``keyring``; service "transkript", user = the data folder), a prompt only when there is a
terminal. Nothing found, or a wrong one: :class:`PassphraseError` — a bilingual message and exit ≠ 0.

Test-only switches, honoured only when set to exactly "1" (documented in the README, never set by the program):
``TRANSKRIPT_PLAINTEXT_FOR_TESTS`` stores nothing encrypted (so raw-byte tests can grep the files), and
``TRANSKRIPT_FAST_KDF_FOR_TESTS`` makes a *new* key file with a cheap scrypt cost (hundreds of test archives).
"""
from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path

from ..errors import StorageError
from .crypto import Keys

KEY_FILE = "encryption.json"
FORMAT = "transkript-key/1"
ENV_PASSPHRASE = "TRANSKRIPT_PASSPHRASE"
ENV_PLAINTEXT = "TRANSKRIPT_PLAINTEXT_FOR_TESTS"
ENV_FAST_KDF = "TRANSKRIPT_FAST_KDF_FOR_TESTS"
KEYRING_SERVICE = "transkript"
SCRYPT_N = 2 ** 15  # ≈ 0.1 s and 32 MB once per process: slows guessing, not the teacher
TEST_SCRYPT_N = 2 ** 10
_CACHE: dict[tuple, bytes] = {}  # (key file content, passphrase) → data key, for this process only


class PassphraseError(StorageError):
    """No passphrase, or the wrong one: the archive stays closed."""


def plaintext_mode() -> bool:
    return os.environ.get(ENV_PLAINTEXT) == "1"


def key_file(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILE


def archive_keys(data_dir: Path) -> Keys | None:
    """The working keys of the archive in ``data_dir`` (None in the test-only plaintext mode). A new archive
    gets a new data key under the passphrase found (:func:`passphrase`)."""
    data_dir = Path(data_dir)
    path = key_file(data_dir)
    if plaintext_mode():
        if path.exists():
            raise PassphraseError("Dit archief is versleuteld; de onversleutelde testmodus kan het niet openen.",
                                  "This archive is encrypted; the plaintext test mode cannot open it.")
        return None
    if not path.exists():
        _create(data_dir, passphrase(data_dir, new=True))
    return derive(unwrap(data_dir, passphrase(data_dir)))


def derive(data_key: bytes) -> Keys:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    def sub(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(data_key)

    return Keys(database=sub(b"transkript database v1"), files=sub(b"transkript files v1"))


def unwrap(data_dir: Path, phrase: str) -> bytes:
    """The data key, or :class:`PassphraseError` when ``phrase`` is not this archive's passphrase."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    path = key_file(data_dir)
    try:
        raw = path.read_text(encoding="utf-8")
        info = json.loads(raw)
        salt, wrapped = base64.b64decode(info["salt"]), base64.b64decode(info["wrapped"])
        n, r, p = int(info["n"]), int(info["r"]), int(info["p"])
        if info.get("format") != FORMAT:
            raise ValueError(info.get("format"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StorageError(f"Het sleutelbestand {path} is onleesbaar of beschadigd ({type(exc).__name__}); het "
                           "archief blijft dicht. Zet een reservekopie van dat bestand terug.",
                           f"The key file {path} is unreadable or damaged ({type(exc).__name__}); the archive "
                           "stays closed. Restore that file from a backup.") from None
    cached = _CACHE.get((raw, phrase))
    if cached is not None:
        return cached
    try:
        data_key = AESGCM(_kek(phrase, salt, n, r, p)).decrypt(wrapped[:12], wrapped[12:], FORMAT.encode())
    except InvalidTag:
        raise PassphraseError(
            f"Het wachtwoord van het archief in {data_dir} klopt niet; het archief blijft dicht. Controleer "
            f"{ENV_PASSPHRASE} of het wachtwoord in de sleutelbos van het systeem.",
            f"The archive passphrase for {data_dir} is wrong; the archive stays closed. Check "
            f"{ENV_PASSPHRASE} or the passphrase in the system keyring.") from None
    _CACHE[(raw, phrase)] = data_key
    return data_key


def write_next(data_dir: Path, data_key: bytes, phrase: str, name: str) -> Path:
    """A key change's first step (:mod:`.rekey`): a new data key wrapped under ``phrase`` in the file ``name``
    beside the key file, at the current key file's scrypt cost."""
    info = json.loads(key_file(data_dir).read_text(encoding="utf-8"))
    target = Path(data_dir) / name
    _write(data_dir, _wrapped(data_key, phrase, int(info["n"])), target=target)
    return target


def passphrase(data_dir: Path, *, new: bool = False) -> str:
    """``TRANSKRIPT_PASSPHRASE`` > OS keyring > a prompt (only with a terminal); :class:`PassphraseError` when
    none is found. A passphrase typed at the prompt is handed to the programs this one starts (app kernels,
    batch workers) through the environment, which only this account can read."""
    env = os.environ.get(ENV_PASSPHRASE)
    if env:
        return env
    stored = _keyring_get(data_dir)
    if stored:
        return stored
    if sys.stdin is not None and sys.stdin.isatty():
        phrase = _prompt(data_dir, new)
        os.environ[ENV_PASSPHRASE] = phrase
        if new:
            remember(data_dir, phrase)
        return phrase
    raise PassphraseError(
        f"Geen wachtwoord voor het archief in {data_dir}: zet {ENV_PASSPHRASE}, bewaar het in de sleutelbos van "
        "het systeem, of start Transkript in een terminal om het in te typen. Het archief blijft dicht.",
        f"No passphrase for the archive in {data_dir}: set {ENV_PASSPHRASE}, store it in the system keyring, "
        "or start Transkript in a terminal to type it. The archive stays closed.")


def _prompt(data_dir: Path, new: bool) -> str:
    import getpass

    try:
        if not new:
            return getpass.getpass(f"Wachtwoord van het archief / archive passphrase ({data_dir}): ")
        first = getpass.getpass(f"Nieuw wachtwoord voor het archief / new archive passphrase ({data_dir}): ")
        second = getpass.getpass("Nog een keer / once more: ")
    except (EOFError, OSError):
        first = second = ""
    if not first or first != second:
        raise PassphraseError("De wachtwoorden zijn leeg of verschillen; er is niets gemaakt.",
                              "The passphrases are empty or differ; nothing was created.")
    return first


def _keyring_get(data_dir: Path) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, str(Path(data_dir).resolve()))
    except Exception:  # no backend, a locked keyring, D-Bus missing: as if nothing were stored
        return None


def remember(data_dir: Path, phrase: str) -> None:
    """Keep a new passphrase in the OS keyring when there is one (so the app opens without asking)."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, str(Path(data_dir).resolve()), phrase)
    except Exception:
        pass


def _kek(phrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(phrase.encode("utf-8"))


def _wrapped(data_key: bytes, phrase: str, n: int) -> dict:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    wrapped = nonce + AESGCM(_kek(phrase, salt, n, 8, 1)).encrypt(nonce, data_key, FORMAT.encode())
    return {"format": FORMAT, "kdf": "scrypt", "n": n, "r": 8, "p": 1,
            "salt": base64.b64encode(salt).decode("ascii"), "wrapped": base64.b64encode(wrapped).decode("ascii"),
            "cipher": "AES-256-GCM (files), SQLCipher 4 (database)"}


def _create(data_dir: Path, phrase: str) -> None:
    n = TEST_SCRYPT_N if os.environ.get(ENV_FAST_KDF) == "1" else SCRYPT_N
    _write(data_dir, _wrapped(os.urandom(32), phrase, n))


def _write(data_dir: Path, info: dict, *, target: Path | None = None) -> None:
    """Atomic. The key file itself is only ever made new, never overwritten (link, not rename: when another
    program made one at the same moment, that one's data key is used); ``target``, another name, is replaced."""
    import tempfile

    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".encryption.", suffix=".tmp", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(info, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        if target is not None:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, key_file(data_dir))
            except FileExistsError:
                pass
        dfd = os.open(data_dir, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError as exc:
        raise StorageError(f"Kan het sleutelbestand in {data_dir} niet schrijven: {exc.strerror}",
                           f"Cannot write the key file in {data_dir}: {exc.strerror}") from exc
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
