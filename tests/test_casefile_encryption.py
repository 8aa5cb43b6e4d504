"""Data at rest (issue 11, item 4): the database (SQLCipher) and every file in the case file (AES-GCM) are
encrypted; a copy of the data folder shows no pupil name and no spoken word; a wrong or missing passphrase is a
message, never a traceback or a half-opened archive; an old plaintext archive is encrypted in place, all or
nothing; ``transkript key change`` re-wraps the key."""
import hashlib
import os
import shutil
import stat

import pytest

from casefile_helpers import cli, fake_audio, new_conversation, open_archive, summary, transcript
from conftest import TEST_PASSPHRASE
from transkript_kernel.casefile import crypto, encrypt, keys
from transkript_kernel.casefile.archive import Archive, _scratch_roots
from transkript_kernel.casefile.store import DB_NAME, is_plaintext
from transkript_kernel.errors import StorageError

PUPIL = "Quirijn Zebravlinder"
SPOKEN = "De xylofoonkoffer staat bij de kapstok en Quirijn huilt soms."
WORDS = ("quirijn", "zebravlinder", "xylofoonkoffer", "kapstok", "huilt")


def _hits(folder) -> dict:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            raw = path.read_bytes().lower()
            # also UTF-16 (how PDFs may store text) and the tails an index stores after a shared prefix
            hit = [w for w in WORDS if w.encode() in raw or w.encode("utf-16-be") in raw
                   or (len(w) > 6 and w[3:].encode() in raw)]
            if hit:
                found[str(path.relative_to(folder))] = hit
    return found


def _session(tmp_path):
    """new, import, process (a fake transcript and summary), correct, export — what a teacher does."""
    from transkript_kernel import pipeline

    archive = open_archive()
    conv = new_conversation(archive, pupil=PUPIL, notes="Quirijn tekent graag", participants=[("Juf Kapstok", "docent")])
    archive.import_recording(conv.id, fake_audio(tmp_path / "gesprek.wav"))
    archive.save_transcript(conv.id, transcript(SPOKEN + " Tweede zin over de xylofoonkoffer."), by="transkript")
    archive.save_summary(conv.id, summary(topic="Quirijn en de xylofoonkoffer"), by="Juf", role="docent",
                         reason="eerste versie")
    corrected = archive.transcript(conv.id)
    corrected.segments[0].text = "De xylofoonkoffer staat bij de kapstok; Quirijn huilt soms."
    archive.save_transcript(conv.id, corrected, by="Juf")
    result = pipeline.export_report(archive, conv.id, with_transcript=True, out=tmp_path / "uit" / "verslag.pdf")
    return archive, conv, result


def test_a_copy_of_the_data_folder_shows_no_name_and_no_spoken_word(tmp_path, isolated_data, monkeypatch):
    monkeypatch.setenv("TRANSKRIPT_CACHE", str(tmp_path / "cache"))  # scratch folders of this test only (other
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)  # programs on the machine have their own, in use)
    archive, conv, result = _session(tmp_path)
    assert archive.transcript(conv.id).segments[0].text.startswith("De xylofoonkoffer")  # all readable to us
    assert archive.read_bytes(result.pdf)[:5] == b"%PDF-" and archive.search("xylofoonkoffer")["id"].tolist()
    archive.close()
    stolen = tmp_path / "gestolen"  # a lost laptop or a private cloud back-up of the data folder
    shutil.copytree(isolated_data, stolen)
    files = [p for p in stolen.rglob("*") if p.is_file()]
    assert len(files) >= 6 and not is_plaintext(stolen / DB_NAME)
    assert _hits(stolen) == {}
    in_case = [p for p in (stolen / "conversations").rglob("*") if p.is_file()]
    assert in_case and all(crypto.is_encrypted(p) for p in in_case)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    # the copy the user asked for at a path they named stays a PDF they can open (the threat model says so)
    assert result.copy.read_bytes()[:5] == b"%PDF-"
    assert not any(root.is_dir() and any(root.iterdir()) for root in _scratch_roots())  # no plaintext left over


def test_the_same_session_in_plaintext_test_mode_would_show_them(tmp_path, isolated_data, monkeypatch):
    """The grep above can fail: without encryption the same session leaves the words in the raw bytes."""
    monkeypatch.setenv("TRANSKRIPT_PLAINTEXT_FOR_TESTS", "1")
    archive, _, _ = _session(tmp_path)
    archive.close()
    assert set(_hits(isolated_data)) >= {DB_NAME}


def test_the_recording_is_decrypted_only_for_a_moment(tmp_path):
    archive = open_archive()
    conv = new_conversation(archive)
    src = fake_audio(tmp_path / "a.wav", size=3 * crypto.CHUNK + 17)  # several chunks, not a whole one
    archive.import_recording(conv.id, src)
    with archive.recording_file(conv.id) as plain:
        assert plain.read_bytes() == src.read_bytes() and stat.S_IMODE(plain.stat().st_mode) == 0o600
    assert not plain.exists() and not plain.parent.exists()
    assert hashlib.sha256(src.read_bytes()).hexdigest() == archive.get(conv.id).recording_sha256


def test_a_damaged_or_cut_encrypted_file_is_refused(tmp_path):
    archive = open_archive()
    conv = new_conversation(archive)
    archive.save_transcript(conv.id, transcript(), by="transkript")
    path = archive.data_dir / archive.transcript_revisions(conv.id)[0]["file"]
    data = bytearray(path.read_bytes())
    data[-3] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="damaged"):
        archive.transcript(conv.id)
    assert any("changed file" in p for p in archive.check())
    path.write_bytes(bytes(data[:crypto.HEADER + 5]))
    with pytest.raises(StorageError, match="damaged"):
        archive.transcript(conv.id)


@pytest.mark.parametrize("passphrase", ["verkeerd wachtwoord", None])
def test_a_wrong_or_missing_passphrase_is_a_message_not_a_traceback(passphrase, isolated_data, monkeypatch):
    archive = open_archive()
    new_conversation(archive, pupil=PUPIL)
    archive.close()
    before = {p: p.read_bytes() for p in isolated_data.rglob("*") if p.is_file()}
    if passphrase is None:
        monkeypatch.delenv("TRANSKRIPT_PASSPHRASE")
    else:
        monkeypatch.setenv("TRANSKRIPT_PASSPHRASE", passphrase)
    done = cli("archive", "list", data=isolated_data, stdin=open(os.devnull))
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-500:]
    assert ("klopt niet" in done.stderr and "is wrong" in done.stderr) if passphrase else \
        ("Geen wachtwoord" in done.stderr and "No passphrase" in done.stderr)
    assert PUPIL not in done.stdout
    assert {p: p.read_bytes() for p in isolated_data.rglob("*") if p.is_file()} == before  # nothing touched
    with pytest.raises(keys.PassphraseError):
        Archive()


def test_key_change_rewraps_and_the_old_passphrase_stops_working(isolated_data, monkeypatch):
    archive = open_archive()
    conv = new_conversation(archive, pupil=PUPIL)
    archive.close()
    monkeypatch.setenv("TRANSKRIPT_NEW_PASSPHRASE", "nieuw geheim 2")
    done = cli("key", "change", data=isolated_data)
    assert done.returncode == 0, done.stderr
    with pytest.raises(keys.PassphraseError):
        Archive()  # still TEST_PASSPHRASE in this environment
    monkeypatch.setenv("TRANSKRIPT_PASSPHRASE", "nieuw geheim 2")
    assert Archive().get(conv.id).pupil == PUPIL


def _plain_archive(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSKRIPT_PLAINTEXT_FOR_TESTS", "1")
    archive = open_archive()
    conv = new_conversation(archive, pupil=PUPIL, notes="xylofoonkoffer")
    archive.import_recording(conv.id, fake_audio(tmp_path / "a.wav"))
    archive.save_transcript(conv.id, transcript(SPOKEN), by="transkript")
    archive.save_summary(conv.id, summary(), by="Juf", role="docent", reason="eerste versie")
    archive.close()
    monkeypatch.delenv("TRANSKRIPT_PLAINTEXT_FOR_TESTS")
    return conv


def test_an_old_plaintext_archive_is_encrypted_in_place(tmp_path, isolated_data, monkeypatch):
    conv = _plain_archive(tmp_path, monkeypatch)
    assert is_plaintext(isolated_data / DB_NAME) and _hits(isolated_data)
    archive = open_archive()
    assert archive.get(conv.id).pupil == PUPIL and archive.transcript(conv.id).segments[0].text == SPOKEN
    assert archive.search("xylofoonkoffer")["id"].tolist() == [conv.id] and archive.check() == []
    archive.close()
    assert not is_plaintext(isolated_data / DB_NAME) and _hits(isolated_data) == {}
    assert not (isolated_data / encrypt.MARKER).exists()


@pytest.mark.parametrize("stop", ["before-commit", "after-commit"])
def test_a_crash_while_encrypting_leaves_the_old_or_the_new_archive(stop, tmp_path, isolated_data, monkeypatch):
    conv = _plain_archive(tmp_path, monkeypatch)
    old = {p: p.read_bytes() for p in (isolated_data / "conversations").rglob("*") if p.is_file()}

    class Killed(BaseException):
        pass

    if stop == "before-commit":
        def boom(db, key):
            raise Killed()
        monkeypatch.setattr(encrypt, "_encrypt_database", boom)
    else:
        real_replace, calls = os.replace, []

        def replace(a, b):  # the database goes in, then the first file, then "the power fails"
            if calls or str(b).endswith(DB_NAME):
                calls.append(b)
            if len(calls) == 3:
                raise Killed()
            return real_replace(a, b)
        monkeypatch.setattr(encrypt.os, "replace", replace)
    with pytest.raises(Killed):
        Archive()
    monkeypatch.undo()
    monkeypatch.setenv("TRANSKRIPT_DATA", str(isolated_data))
    monkeypatch.setenv("TRANSKRIPT_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv("TRANSKRIPT_FAST_KDF_FOR_TESTS", "1")
    if stop == "before-commit":  # the old archive, untouched
        assert is_plaintext(isolated_data / DB_NAME)
        assert {p: p.read_bytes() for p in old} == old
    else:  # the new database is in: the next opening finishes the files before anything reads them
        assert not is_plaintext(isolated_data / DB_NAME) and (isolated_data / encrypt.MARKER).exists()
    archive = Archive()
    assert archive.transcript(conv.id).segments[0].text == SPOKEN and archive.check() == []
    assert _hits(isolated_data) == {} and not list(isolated_data.rglob(f"*{encrypt.SIDECAR}"))


def test_the_plaintext_test_mode_refuses_an_encrypted_archive(monkeypatch):
    open_archive().close()
    monkeypatch.setenv("TRANSKRIPT_PLAINTEXT_FOR_TESTS", "1")
    with pytest.raises(keys.PassphraseError, match="encrypted"):
        Archive()
    monkeypatch.setenv("TRANSKRIPT_PLAINTEXT_FOR_TESTS", "yes")  # only exactly "1" switches it on
    assert not keys.plaintext_mode()
