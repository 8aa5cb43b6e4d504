"""The evening's queue: ``wachtrij.json`` in the data folder, shared by every app tab and the service.

A list of jobs in processing order, each with its state — ``wacht`` (waiting), ``bezig`` (being processed, with
stage and fraction), ``klaar`` (done), ``fout`` (failed, with the engine's message) or ``gestopt`` (stopped by
the teacher). It holds conversation ids, never names or content. Every change is a read-modify-write under an
``flock`` on ``wachtrij.lock.json`` and an atomic rename, so kernels and the service can change it at the same
time and a crash leaves the previous version; readers need no lock. Because the queue is a file and not a
process's memory, its order and states survive a page reload, an app restart and a dead worker.

Who writes what: a kernel adds jobs, reorders waiting ones, asks to stop (a waiting job is stopped at once, a
running one gets ``stop=True`` and the service kills the worker) and puts a failed or stopped job back in line.
The service moves jobs through ``bezig`` to ``klaar``/``fout``/``gestopt`` and writes progress.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path

QUEUE_FILE = "wachtrij.json"
EDIT_LOCK = "wachtrij.lock.json"  # held only while one change is written
SERVICE_LOCK = "wachtrij.lock"  # held by the one service for its whole life
FORMAT = "transkript.queue/1"
STATES = ("wacht", "bezig", "klaar", "fout", "gestopt")
ACTIVE = ("wacht", "bezig")  # a conversation is in line at most once while in one of these


@dataclass
class Job:
    id: str
    conversation_id: str
    state: str = "wacht"
    stage: str | None = None
    fraction: float = 0.0
    speakers: str = "auto"
    stop: bool = False  # the teacher asked to stop this running job
    added: str = ""
    started: str | None = None
    finished: str | None = None
    seconds: float | None = None  # processing time of the last run
    worker: int | None = None  # process id of the worker that ran it last (for the log and tests)
    error_type: str | None = None
    error_nl: str | None = None
    error_en: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> "Job":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def error(self, language: str = "nl") -> str | None:
        return self.error_en if language == "en" and self.error_en else self.error_nl


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class JobQueue:
    """The queue of one data folder. Cheap to make; every method reads the file afresh."""

    def __init__(self, data_dir: str | os.PathLike | None = None):
        from ..settings import data_dir as default_data_dir

        self.data_dir = Path(data_dir or default_data_dir()).expanduser()
        self.path = self.data_dir / QUEUE_FILE

    # --- reading ----------------------------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        """All jobs in processing order (done, failed and stopped ones stay until removed)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        return [Job.from_dict(j) for j in raw.get("jobs", [])]

    def get(self, job_id: str) -> Job | None:
        return next((j for j in self.jobs() if j.id == job_id), None)

    def for_conversation(self, conversation_id: str) -> Job | None:
        """The latest job of a conversation (an active one if there is one)."""
        jobs = [j for j in self.jobs() if j.conversation_id == conversation_id]
        active = [j for j in jobs if j.state in ACTIVE]
        return (active or jobs or [None])[-1]

    def version(self) -> int:
        """Changes when the file changes (``st_mtime_ns``), so a panel redraws only then."""
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def service_running(self) -> bool:
        """Whether a service holds this folder's lock (the lock is tried, never kept)."""
        lock = self.data_dir / SERVICE_LOCK
        if not lock.exists():
            return False
        with open(lock, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False

    # --- changing ---------------------------------------------------------------------------------------------
    @contextmanager
    def _edit(self):
        """Read-modify-write under the edit lock; the block gets the job list and may change it in place."""
        from ..atomic import write_text

        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / EDIT_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                jobs = self.jobs()
                before = [asdict(j) for j in jobs]
                yield jobs
                after = [asdict(j) for j in jobs]
                if after != before:
                    write_text(self.path, json.dumps({"format": FORMAT, "jobs": after}, ensure_ascii=False,
                                                      indent=1) + "\n")
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add(self, conversation_id: str, speakers: str | int = "auto") -> Job:
        """Put a conversation at the end of the line; one already waiting or running is returned as it is."""
        from .. import log

        with self._edit() as jobs:
            for j in jobs:
                if j.conversation_id == conversation_id and j.state in ACTIVE:
                    return j
            job = Job(id="j-" + secrets.token_hex(4), conversation_id=conversation_id, speakers=str(speakers),
                      added=_now())
            jobs.append(job)
        log.event("queue-add", job=job.id, conversation=conversation_id)
        return job

    def move(self, job_id: str, delta: int) -> None:
        """Move a waiting job ``delta`` places among the waiting jobs (negative: earlier)."""
        with self._edit() as jobs:
            waiting = [i for i, j in enumerate(jobs) if j.state == "wacht"]
            here = next((k for k, i in enumerate(waiting) if jobs[i].id == job_id), None)
            if here is None:
                return
            there = max(0, min(len(waiting) - 1, here + delta))
            if there == here:
                return
            order = [jobs[i] for i in waiting]
            order.insert(there, order.pop(here))
            for i, job in zip(waiting, order):
                jobs[i] = job

    def request_stop(self, job_id: str) -> None:
        """Stop a job: a waiting one at once; a running one is killed by the service, which then marks it."""
        from .. import log

        with self._edit() as jobs:
            for j in jobs:
                if j.id == job_id and j.state == "wacht":
                    j.state, j.finished = "gestopt", _now()
                elif j.id == job_id and j.state == "bezig":
                    j.stop = True
        log.event("queue-stop", job=job_id)

    def retry(self, job_id: str) -> None:
        """A failed or stopped job goes back in line, at the end (the pipeline reuses what was stored)."""
        with self._edit() as jobs:
            for k, j in enumerate(jobs):
                if j.id == job_id and j.state in ("fout", "gestopt"):
                    if any(o.conversation_id == j.conversation_id and o.state in ACTIVE for o in jobs):
                        return
                    jobs.pop(k)
                    j.state, j.stage, j.fraction, j.stop = "wacht", None, 0.0, False
                    j.error_type = j.error_nl = j.error_en = j.finished = None
                    jobs.append(j)
                    return

    def remove(self, job_id: str) -> None:
        """Take a finished, failed or stopped job off the list (a running one must be stopped first)."""
        with self._edit() as jobs:
            jobs[:] = [j for j in jobs if not (j.id == job_id and j.state not in ACTIVE)]

    # --- the service's side -----------------------------------------------------------------------------------
    def next_waiting(self) -> Job | None:
        return next((j for j in self.jobs() if j.state == "wacht"), None)

    def update(self, job_id: str, **values) -> Job | None:
        with self._edit() as jobs:
            for j in jobs:
                if j.id == job_id:
                    for key, value in values.items():
                        setattr(j, key, value)
                    return j
        return None

    def start(self, job_id: str, worker: int | None = None) -> Job | None:
        return self.update(job_id, state="bezig", stage=None, fraction=0.0, started=_now(), finished=None,
                           worker=worker)

    def finish(self, job_id: str, state: str, *, error_type: str | None = None, nl: str | None = None,
               en: str | None = None, seconds: float | None = None) -> Job | None:
        assert state in ("klaar", "fout", "gestopt"), state
        values = dict(state=state, finished=_now(), stop=False, error_type=error_type, error_nl=nl, error_en=en)
        if state == "klaar":
            values.update(stage=None, fraction=1.0)
        if seconds is not None:
            values["seconds"] = round(seconds, 1)
        return self.update(job_id, **values)

    def recover(self) -> list[str]:
        """At service start: a job left ``bezig`` by a stopped app waits again in its place, ahead of the jobs
        added after it (a stop request, if any, is honoured). Returns the ids put back."""
        back = []
        with self._edit() as jobs:
            for j in jobs:
                if j.state == "bezig":
                    if j.stop:
                        j.state, j.stop, j.finished = "gestopt", False, _now()
                    else:
                        j.state, j.stage, j.fraction = "wacht", None, 0.0
                        back.append(j.id)
        return back
