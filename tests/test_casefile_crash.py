"""A real process killed with SIGKILL in the middle of an import, a correction or a purge leaves the archive
consistent and loses nothing that was already saved."""
import hashlib
import os
import signal
import subprocess
import sys
import time

from casefile_helpers import all_files, fake_audio, new_conversation, open_archive, summary, transcript
from conftest import ROOT
from transkript_kernel.casefile.archive import Archive


def _snapshot(data):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in all_files(data)}


def _kill(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_kill_during_import(tmp_path, isolated_data):
    archive = open_archive()
    kept = new_conversation(archive, pupil="Blijft Testkind")
    archive.import_recording(kept.id, fake_audio(tmp_path / "eerder.wav", seed=1))
    archive.save_summary(kept.id, summary(), by="Juf", role="docent", reason="eerste")
    before = _snapshot(isolated_data)
    conv = new_conversation(archive)
    pipe = tmp_path / "opname.wav"
    os.mkfifo(pipe)  # the child reads the recording from a pipe we control: killed mid-copy for certain
    # the case file's own import (the CLI's `import` decodes the whole file first, see tests/test_pipeline.py)
    child = subprocess.Popen([sys.executable, "-c", "import sys; from transkript_kernel.casefile.archive import "
                              "Archive; Archive().import_recording(sys.argv[1], sys.argv[2])", conv.id, str(pipe)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open(pipe, "wb") as writer:
        writer.write(os.urandom(3 << 20))
        writer.flush()
        folder = isolated_data / "conversations" / conv.id / "recording"
        deadline = time.time() + 30
        while not any(p.stat().st_size > 0 for p in folder.glob(".*.tmp")) if folder.exists() else True:
            assert time.time() < deadline, child.stderr.read1().decode()
            time.sleep(0.01)
        _kill(child)  # while the copy is half written
    stale = Archive(repair=False)
    assert any("unfinished" in p for p in stale.check())  # the kill really interrupted the import
    stale.close()
    after = Archive()  # opening repairs
    assert after.check() == []
    assert after.recording_path(conv.id) is None and after.get(conv.id).recording_sha256 is None
    assert _snapshot(isolated_data) == before
    after.import_recording(conv.id, fake_audio(tmp_path / "opnieuw.wav", seed=2))
    assert after.check() == []


CORRECT_LOOP = """
import sys
sys.path.insert(0, "tests")
from casefile_helpers import open_archive, summary
archive = open_archive()
for i in range(100000):
    v = archive.save_summary(sys.argv[1], summary(topic=f"Onderwerp {i}"), by="Moeder", role="ouder",
                             reason=f"correctie {i}")
    print(v, flush=True)
"""


def test_kill_during_corrections(isolated_data):
    archive = open_archive()
    conv = new_conversation(archive)
    archive.save_transcript(conv.id, transcript(), by="transkript")
    archive.save_summary(conv.id, summary(), by="Juf", role="docent", reason="eerste versie")
    for delay in (0.0, 0.003, 0.011):
        child = subprocess.Popen([sys.executable, "-c", CORRECT_LOOP, conv.id], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        reported = [int(child.stdout.readline()) for _ in range(5)]
        time.sleep(delay)
        _kill(child)
        reported += [int(line) for line in child.stdout.read().split()]
        again = Archive()
        assert again.check() == [], again.check()
        versions = [v.version for v in again.versions(conv.id)]
        assert versions == list(range(1, len(versions) + 1))  # no gaps, nothing lost
        assert set(reported) <= set(versions)
        for v in versions:
            assert again.summary(conv.id, v).topics  # every stored version loads
        again.close()
    assert archive.original_transcript(conv.id).to_dict() == transcript().to_dict()


def test_kill_during_purge(tmp_path, isolated_data):
    archive = open_archive()
    due, kept = [], []
    for i in range(40):
        old = i % 4 != 0
        conv = new_conversation(archive, pupil=f"Kind {i}", group="groep 8",
                                date="2001-10-01" if old else "2026-10-01")
        archive.import_recording(conv.id, fake_audio(tmp_path / f"{i}.wav", seed=i, size=200_000))
        archive.save_transcript(conv.id, transcript(), by="transkript")
        archive.save_summary(conv.id, summary(), by="Juf", role="docent", reason="eerste")
        (due if old else kept).append(conv.id)
    kept_files = {p: h for p, h in _snapshot(isolated_data).items() if any(k in str(p) for k in kept)}
    child = subprocess.Popen([sys.executable, "-m", "transkript_kernel", "retention", "purge"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = [child.stdout.readline() for _ in range(3)]
    assert all(line.startswith("delete-conversation") for line in first), first
    _kill(child)
    after = Archive()
    assert after.check() == []
    left = set(after.ids())
    assert set(kept) <= left and 0 < len(set(due) - left) < len(due)  # stopped half way
    for cid in set(due) - left:
        after.verify_deleted(cid)  # each one either completely gone …
    for cid in left:
        assert after.summary(cid) and after.recording_path(cid).is_file()  # … or completely there
    assert {p: h for p, h in _snapshot(isolated_data).items() if any(k in str(p) for k in kept)} == kept_files
    finish = subprocess.run([sys.executable, "-m", "transkript_kernel", "retention", "purge"], cwd=ROOT,
                            capture_output=True, text=True)
    assert finish.returncode == 0, finish.stderr
    assert sorted(Archive().ids()) == sorted(kept) and Archive().check() == []


def test_repair_removes_files_a_power_cut_left_without_record(isolated_data):
    """After a power cut the newest commits may be lost while the file reached the disk: `archive repair`
    removes such files of ours, and nothing else."""
    from casefile_helpers import cli

    archive = open_archive()
    conv = new_conversation(archive)
    archive.save_summary(conv.id, summary(), by="Juf", role="docent", reason="eerste")
    folder = isolated_data / "conversations" / conv.id
    orphan = folder / "summaries" / "s-0123456789abcdef.json"
    orphan.write_text("{}")
    foreign = folder / "exports" / "verslag.pdf"  # e.g. a PDF the report step is still writing
    foreign.parent.mkdir()
    foreign.write_bytes(b"%PDF")
    assert any("s-0123456789abcdef" in p for p in archive.check())
    out = cli("archive", "repair")
    assert out.returncode == 0 and "s-0123456789abcdef" in out.stdout
    assert not orphan.exists() and foreign.exists() and archive.summary(conv.id).topics
