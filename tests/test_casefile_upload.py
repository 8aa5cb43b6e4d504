"""An app upload reaches the case file without a plaintext copy on disk (issue 11, item 6 left-over): the bytes
are held in an anonymous in-memory file while the pipeline decodes and stores them, so no file anywhere — data
folder, cache, scratch folders — holds them in the clear, during the import, after it, or after a kill."""
import os
import signal
import stat
import time

import pytest

from casefile_helpers import new_conversation, open_archive
from conftest import EVAL
from transkript_kernel.casefile import inmemory

WAV = EVAL / "audio" / "pub01-lezen-groep5.wav"


@pytest.fixture
def roots(tmp_path, monkeypatch, isolated_data):
    """Private cache and runtime folders, so the scan below covers every place a copy could go."""
    cache, runtime = tmp_path / "cache", tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("TRANSKRIPT_CACHE", str(cache))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    return [isolated_data, cache, runtime]


def _holding(roots, needle: bytes) -> list[str]:
    """Regular files (links not followed) whose bytes contain ``needle``."""
    return [str(p) for root in roots if root.exists() for p in root.rglob("*")
            if p.is_file() and not p.is_symlink() and needle in p.read_bytes()]


def test_memory_file_gives_the_bytes_under_the_name_and_leaves_nothing(roots):
    data = b"RIFF" + os.urandom(1 << 16) + b"qgeheimeopname"
    with inmemory.memory_file("gesprek van Daan.wav", data) as path:
        assert path.name == "gesprek van Daan.wav" and path.read_bytes() == data
        assert path.stat().st_size == len(data) and path.suffix == ".wav"
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        if inmemory.in_memory_supported():
            assert path.is_symlink() and _holding(roots, b"qgeheimeopname") == []
        else:  # pragma: no cover - not Linux: a private 0600 file, deleted at the end of the block
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        folder = path.parent
    assert not folder.exists() and _holding(roots, b"qgeheimeopname") == []
    with pytest.raises(ValueError):
        with inmemory.memory_file("../uit.wav", data):
            pass


@pytest.mark.parametrize("name", ["😀" * 120 + ".wav", "ملف صوتي.wav", "gesprek\r\nmet regel.wav", "x" * 10_000 + ".wav"])
def test_an_upload_with_an_odd_name_is_imported(name, roots):
    from transkript_widgets.upload import RecordingUpload

    archive = open_archive()
    conv = new_conversation(archive)
    upload = RecordingUpload(lambda: archive)
    upload.set_conversation(conv)
    assert upload.import_bytes(name, WAV.read_bytes()), upload.message.value
    assert archive.recording_path(conv.id).suffix == ".wav"
    archive.close()


def test_an_app_upload_leaves_no_plaintext_copy_during_or_after_the_import(roots, monkeypatch):
    from transkript_kernel import pipeline
    from transkript_widgets.upload import RecordingUpload

    audio = WAV.read_bytes()
    needle = audio[len(audio) // 2:len(audio) // 2 + 64]  # 64 bytes of the recording itself
    seen = {}
    real = pipeline.import_recording

    def watched(archive, conversation_id, path, **kw):
        seen["before"] = _holding(roots, needle)  # the upload is "on its way": nothing at rest may hold it
        result = real(archive, conversation_id, path, **kw)
        seen["after"] = _holding(roots, needle)  # stored (encrypted), not yet cleaned up
        return result

    monkeypatch.setattr(pipeline, "import_recording", watched)
    archive = open_archive()
    conv = new_conversation(archive)
    upload = RecordingUpload(lambda: archive)
    upload.set_conversation(conv)
    assert upload.import_bytes("gesprek Daan.wav", memoryview(audio)), upload.message.value
    assert seen == {"before": [], "after": []}
    assert _holding(roots, needle) == []
    assert archive.read_bytes(archive.recording_path(conv.id)) == audio  # the case file has it, encrypted
    archive.close()


@pytest.mark.skipif(not inmemory.in_memory_supported(), reason="memfd_create is Linux-only")
def test_an_upload_killed_midway_leaves_only_a_link_that_the_next_start_sweeps(roots):
    data = os.urandom(1 << 16) + b"qafgebrokenupload"
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            with inmemory.memory_file("opname.wav", data):
                os.write(ready_w, b"1")
                time.sleep(120)
        finally:
            os._exit(1)
    os.read(ready_r, 1)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    assert _holding(roots, b"qafgebrokenupload") == []  # the bytes died with the program
    open_archive().close()  # every start sweeps scratch folders of stopped programs
    assert [p for root in roots[1:] for p in root.rglob("opname.wav")] == []
