"""Data at rest is the owner's alone: the data folder 0700, every file in it 0600, whatever the caller's umask;
an archive made before is tightened when opened (issue 11, item 4)."""
import os
import stat
import subprocess
import sys

from casefile_helpers import cli, fake_audio, new_conversation, open_archive, summary, transcript
from conftest import ROOT


def _modes(root):
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, root)] = stat.S_IMODE(os.lstat(path).st_mode)
    out["."] = stat.S_IMODE(os.stat(root).st_mode)
    return out


def _session(archive, tmp_path):
    conv = new_conversation(archive, pupil="Privé Testkind")
    archive.import_recording(conv.id, fake_audio(tmp_path / "in.wav"))
    archive.save_transcript(conv.id, transcript(), by="transkript")
    archive.save_summary(conv.id, summary(), by="Juf", role="docent", reason="eerste")
    return conv


def test_everything_in_the_data_folder_is_private(tmp_path, isolated_data):
    old = os.umask(0o022)  # a careless caller: the engine must not depend on it
    try:
        archive = open_archive()
        _session(archive, tmp_path)
        archive.close()
    finally:
        os.umask(old)
    modes = _modes(isolated_data)
    assert len(modes) > 8
    loose = {p: oct(m) for p, m in modes.items() if m & 0o077}
    assert loose == {}, loose
    assert modes["."] == 0o700


def test_cli_writes_private_files_even_with_an_open_umask(tmp_path, isolated_data):
    out = subprocess.run(["bash", "-c", f"umask 022; {sys.executable} -m transkript_kernel new --pupil 'Kind Umask' "
                          "--kind tienminutengesprek --date 2026-10-01 --consent given --consent-by ouder"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    loose = {p: oct(m) for p, m in _modes(isolated_data).items() if m & 0o077}
    assert loose == {}, loose


def test_an_old_world_readable_archive_is_tightened_when_opened(tmp_path, isolated_data):
    archive = open_archive()
    _session(archive, tmp_path)
    archive.close()
    for dirpath, dirs, files in os.walk(isolated_data):  # as an older Transkript left it
        for name in files:
            os.chmod(os.path.join(dirpath, name), 0o644)
        for name in dirs:
            os.chmod(os.path.join(dirpath, name), 0o755)
    os.chmod(isolated_data, 0o755)
    assert any(m & 0o077 for m in _modes(isolated_data).values())
    assert cli("archive", "list").returncode == 0
    loose = {p: oct(m) for p, m in _modes(isolated_data).items() if m & 0o077}
    assert loose == {}, loose
