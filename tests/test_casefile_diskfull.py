"""A full disk while writing: a clear DiskFullError, nothing half-written, nothing already saved lost."""
import errno
import os
import subprocess

import pytest

from casefile_helpers import all_files, fake_audio, new_conversation, open_archive, summary, transcript
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.errors import DiskFullError


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB file system (tmpfs); skipped only where mounting is impossible (not root)."""
    mount = tmp_path / "klein"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(path):
    """Fill the file system completely; returns the filler file."""
    filler = path / "vulling.bin"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_full_disk_during_import_and_correction_loses_nothing(small_disk, tmp_path):
    archive = Archive(small_disk / "data")
    conv = new_conversation(archive)
    archive.save_transcript(conv.id, transcript(), by="transkript")
    archive.save_summary(conv.id, summary(), by="Juf Sanne", role="docent", reason="eerste versie")
    saved = {p: p.read_bytes() for p in all_files(archive.data_dir)}

    big = fake_audio(tmp_path / "groot.m4a", size=3 * 1024 * 1024)  # larger than the whole disk
    with pytest.raises(DiskFullError) as err:
        archive.import_recording(conv.id, big)
    assert "schijf is vol" in err.value.nl and "disk is full" in err.value.en
    assert archive.recording_path(conv.id) is None
    assert {p: p.read_bytes() for p in all_files(archive.data_dir)} == saved
    assert not [p for p in archive.data_dir.rglob("*.tmp")]

    filler = _fill(small_disk)
    with pytest.raises(DiskFullError):
        archive.save_summary(conv.id, summary(topic="Rekenen"), by="Moeder", role="ouder", reason="correctie")
    with pytest.raises(DiskFullError):
        # the database itself cannot grow either
        for i in range(200):
            new_conversation(archive, pupil=f"Vol {i}", notes="x" * 4000)
    assert [v.version for v in archive.versions(conv.id)] == [1]
    assert {p: p.read_bytes() for p in all_files(archive.data_dir)} == saved
    filler.unlink()
    archive.close()

    again = Archive(small_disk / "data")
    assert again.check() == []
    assert again.summary(conv.id).topics[0].text == summary().topics[0].text
    assert again.save_summary(conv.id, summary(topic="Rekenen"), by="Moeder", role="ouder", reason="correctie") == 2
    again.import_recording(conv.id, fake_audio(tmp_path / "klein.m4a", size=50_000))
    assert again.check() == []


def test_disk_full_reported_by_fsync_leaves_no_trace(monkeypatch, tmp_path):
    """The same guarantee where no tmpfs can be mounted: the OS reports ENOSPC when flushing."""
    archive = open_archive()
    conv = new_conversation(archive)
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DiskFullError):
        archive.import_recording(conv.id, fake_audio(tmp_path / "a.wav"))
    with pytest.raises(DiskFullError):
        archive.save_summary(conv.id, summary(), by="Juf", role="docent", reason="eerste")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert all_files(archive.data_dir) == [] and archive.versions(conv.id) == []
    assert archive.check() == []
    archive.import_recording(conv.id, fake_audio(tmp_path / "a.wav"))  # the same file works afterwards
