"""One queue and one worker per data folder: the queue file, the message protocol, stop, a dead worker, the lock.

The service runs as ``transkript app`` runs it: a process of its own (``worker.service.start``) with a spawned
worker under it. The quick tests use conversations whose work is cheap (a stored transcript: only the summary
is made) or fails at once; the ones that stop or kill a worker in the middle of a real transcription are slow.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from conftest import EVAL, excerpt, reference_transcript

CONV = "pub01-lezen-groep5"
WAV = EVAL / "audio" / f"{CONV}.wav"
WAIT = 300  # s: generous; these are limits for a hung test, not speed claims


def _conversation(archive, *, recording: Path | None = None, transcript_dir: Path | None = None,
                  pupil="Sanne Test"):
    """An invented pupil's conversation with consent; with a recording, or a stored (reference) transcript."""
    from transkript_kernel import pipeline
    from transkript_kernel.casefile import consent
    from transkript_kernel.transcript import Transcript

    conv = archive.create(pupil=pupil, date="2026-10-05", kind="tienminutengesprek", language="nl",
                          group="groep 5", consent=consent.record(True, "ouder", how="mondeling", name="Ouder Test"))
    if recording is not None:
        pipeline.import_recording(archive, conv.id, recording)
    if transcript_dir is not None:
        archive.save_transcript(conv.id, Transcript.load(reference_transcript(CONV, transcript_dir)), by="test")
    return conv.id


def _wait(queue, job_id, states, timeout=WAIT, what=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = queue.get(job_id)
        if job is not None and job.state in states and (what is None or what(job)):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} never reached {states}: {queue.get(job_id)}")


@pytest.fixture
def service(isolated_data):
    """The service of this test's data folder, as a process; stopped (SIGTERM) afterwards."""
    from transkript_kernel.worker import service as service_mod

    procs = []

    def start(warm=False):
        proc = service_mod.start(isolated_data, warm=warm)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except Exception:
                proc.kill()
                raise


# --- the queue file ---------------------------------------------------------------------------------------------
def test_queue_keeps_order_and_state_across_instances(isolated_data):
    from transkript_kernel.worker.jobqueue import JobQueue

    q = JobQueue(isolated_data)
    a, b, c = (q.add(cid) for cid in ("c-a", "c-b", "c-c"))
    assert q.add("c-b").id == b.id  # one conversation is in line once
    q.move(c.id, -2)
    assert [j.conversation_id for j in JobQueue(isolated_data).jobs()] == ["c-c", "c-a", "c-b"]
    q.request_stop(a.id)  # a waiting job stops at once
    assert q.get(a.id).state == "gestopt"
    q.start(c.id)
    q.request_stop(c.id)  # a running one is only marked: the service kills the worker
    assert q.get(c.id).state == "bezig" and q.get(c.id).stop
    q.retry(a.id)
    assert [j.conversation_id for j in q.jobs() if j.state == "wacht"] == ["c-b", "c-a"]
    q.finish(c.id, "fout", error_type="X", nl="kapot", en="broken")
    assert q.get(c.id).error("en") == "broken" and q.get(c.id).error("nl") == "kapot"
    q.remove(c.id)
    assert c.id not in {j.id for j in q.jobs()}
    q.remove(b.id)  # a waiting job is not removed (it must be stopped first)
    assert b.id in {j.id for j in q.jobs()}
    text = (isolated_data / "wachtrij.json").read_text()
    assert "Sanne" not in text and "transkript.queue/1" in text
    assert oct((isolated_data / "wachtrij.json").stat().st_mode & 0o777) == "0o600"


def test_a_job_running_when_the_app_stopped_goes_back_to_the_front(isolated_data):
    from transkript_kernel.worker.jobqueue import JobQueue

    q = JobQueue(isolated_data)
    done, running, stopping, waiting = (q.add(c) for c in ("c-0", "c-1", "c-2", "c-3"))
    q.finish(done.id, "klaar")
    q.start(running.id)
    q.start(stopping.id)
    q.request_stop(stopping.id)
    assert q.recover() == [running.id]
    states = [(j.conversation_id, j.state) for j in q.jobs()]
    assert states == [("c-0", "klaar"), ("c-1", "wacht"), ("c-2", "gestopt"), ("c-3", "wacht")]
    assert q.next_waiting().id == running.id


def test_died_message_names_the_signal_and_memory():
    from transkript_kernel.worker.service import died_message

    nl, en = died_message(-signal.SIGKILL)
    assert "SIGKILL" in nl and "geheugen" in nl and "memory" in en
    nl, en = died_message(-signal.SIGSEGV)
    assert "SIGSEGV" in nl and "geheugen" not in nl
    assert "afsluitcode 3" in died_message(3)[0]


def test_messages_are_small_dataclasses_that_pickle():
    import pickle
    from dataclasses import is_dataclass

    from transkript_kernel.worker import protocol

    for msg in (protocol.Run("j", "c"), protocol.Shutdown(), protocol.Ready(1, 0.5), protocol.Progress("j", "transcribe", 0.4),
                protocol.Result("j", "c", 1, ("transcribe",), 2.0), protocol.Error("j", "NotFoundError", "nl", "en")):
        assert is_dataclass(msg) and pickle.loads(pickle.dumps(msg)) == msg


# --- the service with a real worker -----------------------------------------------------------------------------
def test_service_processes_in_order_reports_engine_errors_and_holds_the_lock(isolated_data, service, tmp_path):
    from transkript_kernel.casefile.archive import Archive
    from transkript_kernel.worker import service as service_mod
    from transkript_kernel.worker.jobqueue import JobQueue

    with Archive(isolated_data) as archive:
        first = _conversation(archive, transcript_dir=tmp_path)  # stored transcript: only the summary is made
        missing = _conversation(archive, pupil="Daan Test")  # nothing to process
        second = _conversation(archive, transcript_dir=tmp_path, pupil="Mila Test")
    q = JobQueue(isolated_data)
    jobs = [q.add(cid) for cid in (first, missing, second)]
    proc = service()
    _wait(q, jobs[0].id, ("klaar",), what=lambda j: True)
    assert q.service_running()
    second_app = service()  # a second app on the same folder: its service sees the lock and leaves
    assert second_app.wait(60) == 0 and proc.poll() is None
    failed = _wait(q, jobs[1].id, ("fout",))
    assert failed.error_type == "NotFoundError" and "geen opname" in failed.error("nl")
    assert "no recording" in failed.error("en")
    _wait(q, jobs[2].id, ("klaar",))
    started = [q.get(j.id).started for j in jobs]
    assert started == sorted(started)  # one after another, in queue order
    with Archive(isolated_data) as archive:
        assert archive.summary(first) is not None and archive.summary(second) is not None
        assert archive.check() == []
    log = (isolated_data / "transkript.log").read_text()
    assert "job-done" in log and "error=NotFoundError" in log and "Sanne" not in log and "Daan" not in log
    done = next(line for line in log.splitlines() if " job-done " in line)
    assert "summarize_s=" in done and "summarize_cpu=" in done  # what each stage cost, wall and CPU
    assert service_mod.Service(isolated_data).acquire() is False  # the lock is the service's while it runs


@pytest.mark.slow
def test_stop_kills_the_job_and_retry_resumes(isolated_data, service):
    from transkript_kernel.casefile.archive import Archive
    from transkript_kernel.worker.jobqueue import JobQueue

    with Archive(isolated_data) as archive:
        cid = _conversation(archive, recording=WAV)
    q = JobQueue(isolated_data)
    job = q.add(cid)
    service(warm=True)
    running = _wait(q, job.id, ("bezig",), what=lambda j: j.stage == "transcribe" and j.fraction > 0)
    q.request_stop(job.id)
    stopped = _wait(q, job.id, ("gestopt",), timeout=60)
    assert "Gestopt" in stopped.error("nl")
    assert not _alive(running.worker), "the worker of a stopped job still runs"
    with Archive(isolated_data) as archive:
        assert archive.check() == [] and archive.transcript(cid) is None
    q.retry(job.id)
    done = _wait(q, job.id, ("klaar",))
    assert done.worker != running.worker  # a fresh worker
    with Archive(isolated_data) as archive:
        assert archive.summary(cid) is not None and archive.check() == []


@pytest.mark.slow
def test_a_killed_worker_fails_its_job_clearly_and_a_fresh_one_takes_the_next(isolated_data, service, tmp_path):
    from transkript_kernel.casefile.archive import Archive
    from transkript_kernel.worker.jobqueue import JobQueue

    # its first 60 s are enough: the kill comes at the first transcription progress the queue shows
    clip = excerpt(WAV, tmp_path / "eerste-minuut.m4a", 60)
    with Archive(isolated_data) as archive:
        long_one = _conversation(archive, recording=clip)
        next_one = _conversation(archive, transcript_dir=tmp_path, pupil="Mila Test")
    q = JobQueue(isolated_data)
    victim, after = q.add(long_one), q.add(next_one)
    service(warm=True)
    running = _wait(q, victim.id, ("bezig",), what=lambda j: j.stage == "transcribe" and j.fraction > 0)
    os.kill(running.worker, signal.SIGKILL)  # what the kernel's out-of-memory killer does
    failed = _wait(q, victim.id, ("fout",), timeout=60)
    assert failed.error_type == "WorkerDied" and "onverwacht gestopt" in failed.error("nl")
    assert "SIGKILL" in failed.error("nl") and "geheugen" in failed.error("nl")
    done = _wait(q, after.id, ("klaar",))
    assert done.worker != running.worker
    import subprocess
    import sys

    check = subprocess.run([sys.executable, "-m", "transkript_kernel", "archive", "check"], capture_output=True,
                           text=True, env=dict(os.environ, TRANSKRIPT_DATA=str(isolated_data)))
    assert check.returncode == 0, check.stdout + check.stderr


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
