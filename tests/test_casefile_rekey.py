"""``transkript key change`` re-encrypts (issue 11, item 4 left-over): after a change an old copy of
``encryption.json`` with the old passphrase opens nothing — neither the database nor any file — and a program
killed at any moment of the change leaves an archive that opens, whole, with exactly one of the two passphrases.
Kills are real (a forked child, SIGKILL or ``os._exit``), so locks and open files die as they would."""
import hashlib
import os
import random
import shutil
import signal
import stat
import time

import pytest

from casefile_helpers import cli, fake_audio, new_conversation, open_archive, summary, transcript
from conftest import TEST_PASSPHRASE
from transkript_kernel.casefile import crypto, keys, rekey
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.casefile.store import DB_NAME, connect
from transkript_kernel.errors import StorageError

NEW = "een heel nieuw wachtwoord"


def _fill(tmp_path, count: int = 3, size: int = 200_000) -> dict:
    """Conversations with a recording, transcript, summary and an export; returns what each must still read."""
    archive = open_archive()
    expected = {}
    for i in range(count):
        conv = new_conversation(archive, pupil=f"Kind Sleutel{i}", notes=f"notitie {i}")
        archive.import_recording(conv.id, fake_audio(tmp_path / f"a{i}.wav", seed=i, size=size))
        archive.save_transcript(conv.id, transcript(f"Het kind {i} zegt iets. Tweede zin."), by="transkript")
        archive.save_summary(conv.id, summary(), by="Juf", role="docent", reason="eerste")
        pdf = tmp_path / f"verslag{i}.pdf"
        pdf.write_bytes(b"%PDF-1.4 verslag " + str(i).encode())
        archive.add_export(conv.id, pdf)
        expected[conv.id] = _content(archive, conv.id)
    archive.close()
    return expected


def _content(archive, cid) -> tuple:
    rec = archive.read_bytes(archive.recording_path(cid))
    return (archive.get(cid).pupil, archive.transcript(cid).text, archive.summary(cid).to_json(),
            hashlib.sha256(rec).hexdigest(), [archive.read_bytes(e["path"]) for e in archive.exports(cid)])


def _opens_with(phrase, monkeypatch) -> bool:
    monkeypatch.setenv("TRANSKRIPT_PASSPHRASE", phrase)
    try:
        Archive().close()
    except keys.PassphraseError:
        return False
    return True


def _whole(expected, data) -> None:
    archive = Archive()
    try:
        assert archive.check() == []
        assert {cid: _content(archive, cid) for cid in archive.ids()} == expected
        assert archive.search("Sleutel0")["id"].tolist() == [c for c, v in expected.items() if v[0].endswith("0")]
    finally:
        archive.close()
    assert not (data / rekey.NEXT_KEY).exists() and not (data / rekey.NEXT_DB).exists()
    assert not list(data.rglob(f"*{rekey.SIDECAR}"))
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in data.rglob("*") if p.is_file())


def test_after_a_key_change_the_old_key_file_and_passphrase_open_nothing(tmp_path, isolated_data, monkeypatch):
    expected = _fill(tmp_path)
    old_key_file = (isolated_data / keys.KEY_FILE).read_bytes()
    old_keys = keys.derive(keys.unwrap(isolated_data, TEST_PASSPHRASE))
    before = {p: p.read_bytes() for p in (isolated_data / "conversations").rglob("*") if p.is_file()}
    monkeypatch.setenv("TRANSKRIPT_NEW_PASSPHRASE", NEW)
    done = cli("key", "change", data=isolated_data)
    assert done.returncode == 0, done.stderr
    assert "opnieuw versleuteld" in done.stdout and "re-encrypted" in done.stdout
    assert not _opens_with(TEST_PASSPHRASE, monkeypatch)
    assert _opens_with(NEW, monkeypatch)
    _whole(expected, isolated_data)
    after = {p: p.read_bytes() for p in (isolated_data / "conversations").rglob("*") if p.is_file()}
    assert set(after) == set(before) and all(after[p] != before[p] for p in before)  # every file rewritten

    # someone kept the old encryption.json and learnt the old passphrase: it unwraps the old key, which opens
    # neither the database nor a single file of the case file as it is now
    stolen = tmp_path / "gestolen"
    shutil.copytree(isolated_data, stolen)
    (stolen / keys.KEY_FILE).write_bytes(old_key_file)
    assert keys.unwrap(stolen, TEST_PASSPHRASE)  # the old wrap itself still works ...
    monkeypatch.setenv("TRANSKRIPT_PASSPHRASE", TEST_PASSPHRASE)
    with pytest.raises(StorageError, match="another key"):
        Archive(stolen)
    conn = connect(stolen / DB_NAME, old_keys.database)
    with pytest.raises(Exception):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()
    for path in (stolen / "conversations").rglob("*"):
        if path.is_file():
            with pytest.raises(crypto.DamagedFileError):
                crypto.decrypt_bytes(old_keys, path.read_bytes(), name=path.name)


def test_a_key_change_is_refused_while_another_program_has_the_archive_open(tmp_path, isolated_data, monkeypatch):
    _fill(tmp_path, count=1)
    key_file = (isolated_data / keys.KEY_FILE).read_bytes()
    holder = Archive()  # e.g. the app
    monkeypatch.setenv("TRANSKRIPT_NEW_PASSPHRASE", NEW)
    done = cli("key", "change", data=isolated_data)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "archief open" in done.stderr and "has the archive open" in done.stderr
    assert (isolated_data / keys.KEY_FILE).read_bytes() == key_file
    holder.close()
    assert _opens_with(TEST_PASSPHRASE, monkeypatch)


def test_a_damaged_file_stops_the_change_and_leaves_the_old_archive(tmp_path, isolated_data, monkeypatch):
    _fill(tmp_path, count=2)
    victim = sorted((isolated_data / "conversations").rglob("t-*.json"))[-1]
    blob = bytearray(victim.read_bytes())
    blob[-5] ^= 0x01
    victim.write_bytes(bytes(blob))
    with pytest.raises(crypto.DamagedFileError):
        rekey.change(isolated_data, TEST_PASSPHRASE, NEW)
    assert not (isolated_data / rekey.NEXT_KEY).exists() and not (isolated_data / rekey.NEXT_DB).exists()
    assert not [p for p in isolated_data.rglob("*") if rekey.SIDECAR in p.name]
    assert _opens_with(TEST_PASSPHRASE, monkeypatch) and not _opens_with(NEW, monkeypatch)


def _in_child(action) -> int:
    """Run ``action`` in a forked child (which may "crash" with os._exit); the child's exit status."""
    pid = os.fork()
    if pid == 0:
        try:
            action()
        finally:
            os._exit(0)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _crash(monkeypatch, target, name, *, after_calls: int = 1):
    """Make ``target.name`` end the program (exit 9) after its ``after_calls``-th call returns."""
    real, calls = getattr(target, name), []

    def dying(*a, **kw):
        result = real(*a, **kw)
        calls.append(1)
        if len(calls) >= after_calls:
            os._exit(9)
        return result
    monkeypatch.setattr(target, name, dying)


@pytest.mark.parametrize("point, committed", [
    ("new key file written", False), ("second file re-encrypted", False), ("database exported", False),
    ("commit", True), ("first file replaced", True), ("database replaced", True)])
def test_a_crash_at_each_step_leaves_the_old_or_the_new_archive(point, committed, tmp_path, isolated_data,
                                                                monkeypatch):
    expected = _fill(tmp_path)

    def change():
        if point == "new key file written":
            _crash(monkeypatch, keys, "write_next")
        elif point == "second file re-encrypted":
            _crash(monkeypatch, crypto, "reencrypt_stream", after_calls=2)
        elif point == "database exported":
            _crash(monkeypatch, rekey, "_export_database")
        elif point == "commit":
            monkeypatch.setattr(rekey, "_roll_forward", lambda data: os._exit(9))
        else:  # renames: the commit is the first, then the files, the database last
            files = len([p for p in (isolated_data / "conversations").rglob("*") if p.is_file()])
            _crash(monkeypatch, rekey, "_swap", after_calls=2 if point == "first file replaced" else files + 2)
        rekey.change(isolated_data, TEST_PASSPHRASE, NEW)

    assert _in_child(change) == 9
    assert _opens_with(NEW if committed else TEST_PASSPHRASE, monkeypatch)
    assert not _opens_with(TEST_PASSPHRASE if committed else NEW, monkeypatch)
    monkeypatch.setenv("TRANSKRIPT_PASSPHRASE", NEW if committed else TEST_PASSPHRASE)
    _whole(expected, isolated_data)


def test_killed_at_random_moments_of_key_changes_it_always_opens_with_one_passphrase(tmp_path, isolated_data,
                                                                                     monkeypatch):
    """SIGKILL at a random moment of each of several key changes in a row (fixed seed; the moments spread over
    the length of an uninterrupted change, measured here, so the kills cover it on any machine)."""
    expected = _fill(tmp_path, count=4, size=600_000)
    rng = random.Random(20261202)
    current, outcomes = TEST_PASSPHRASE, []
    start = time.monotonic()
    assert _in_child(lambda: rekey.change(isolated_data, current, "gemeten")) == 0
    length = time.monotonic() - start
    current = "gemeten"
    for round_ in range(10):
        new = f"wachtwoord {round_}"
        pid = os.fork()
        if pid == 0:
            try:
                rekey.change(isolated_data, current, new)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 1.2 * length))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        opens = [p for p in (current, new) if _opens_with(p, monkeypatch)]
        assert len(opens) == 1, (round_, opens)
        current = opens[0]
        outcomes.append(current == new)
        monkeypatch.setenv("TRANSKRIPT_PASSPHRASE", current)
        _whole(expected, isolated_data)
    print("rounds that ended with the new passphrase:", outcomes)
