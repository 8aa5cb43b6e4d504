"""The queue service: one per data folder, one worker process under it.

``transkript app`` starts it (``python -m transkript_kernel.worker.service DATA --parent PID``) next to Voila,
in Voila's process group: it ends with the app (a signal to the group, or its parent gone), and page reloads and
closed tabs do not touch it. It holds ``wachtrij.lock`` for its whole life; a second service on the same folder
sees the lock and exits at once, so two apps on one folder share one queue and one worker.

Its loop: take the first waiting job, send ``Run`` to the worker, write every ``Progress`` into the queue (at most
a few times a second) and the outcome (``Result`` → klaar, ``Error`` → fout with the engine's message). While a
job runs it watches the queue for a stop request and the worker for its death:

- Stop: the worker is killed (SIGKILL: a transcription cannot be interrupted politely), the job is ``gestopt``.
- Death (segfault, the kernel's out-of-memory killer, …): the job is ``fout`` with a message saying so.

In both cases the case file is opened once, which finishes or removes the dead worker's half-done writes
(``Archive.repair``), and a fresh worker is started for the next job.
"""
from __future__ import annotations

import argparse
import fcntl
import multiprocessing
import os
import signal
import time
from pathlib import Path

from . import protocol
from .jobqueue import SERVICE_LOCK, JobQueue

POLL = 0.25  # seconds between looks at the queue and the worker
PROGRESS_EVERY = 0.5  # seconds between progress writes into the queue


def died_message(exitcode: int | None) -> tuple[str, str]:
    """What the teacher reads when the worker died under a job."""
    how_nl, how_en = "", ""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signaal {-exitcode}"
        how_nl = f" (het stopte met {name}"
        how_en = f" (it ended with {name}"
        if -exitcode == signal.SIGKILL:
            how_nl += ": vaak te weinig geheugen"
            how_en += ": often too little memory"
        how_nl += ")"
        how_en += ")"
    elif exitcode is not None:
        how_nl, how_en = f" (afsluitcode {exitcode})", f" (exit code {exitcode})"
    return (f"Het verwerkingsprogramma is onverwacht gestopt{how_nl}. Wat al bewaard was, blijft bewaard; "
            "een nieuw verwerkingsprogramma is gestart. Probeer het opnieuw met 'Opnieuw'; gebeurt het weer, sluit "
            "dan andere programma's of verwerk een kortere opname.",
            f"The processing program stopped unexpectedly{how_en}. What was stored is kept; a new processing "
            "program has been started. Try again with 'Retry'; if it happens again, close other programs or "
            "process a shorter recording.")


STOPPED = ("Gestopt op uw verzoek. Wat al bewaard was, blijft bewaard; met 'Opnieuw' gaat het verder.",
           "Stopped at your request. What was stored is kept; 'Retry' continues.")


class Worker:
    """The worker child and its end of the pipe."""

    def __init__(self, data_dir: Path, warm: bool = True):
        from .process import main

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=main, args=(child, str(data_dir), warm), name="transkript-worker",
                                daemon=True)
        self.proc.start()
        child.close()  # only the child holds its end: its death closes the pipe for us
        self.ready: protocol.Ready | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.is_alive()

    def kill(self) -> int | None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(10)
        self.conn.close()
        return self.proc.exitcode

    def shutdown(self) -> None:
        try:
            self.conn.send(protocol.Shutdown())
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(10)
        self.kill()


class Service:
    def __init__(self, data_dir: str | os.PathLike, parent: int | None = None, warm: bool = True):
        self.data_dir = Path(data_dir).expanduser()
        self.warm = warm  # load the models before the first job (off: each loads on first use)
        self.queue = JobQueue(self.data_dir)
        self.parent = parent
        self.stopping = False
        self.worker: Worker | None = None
        self._lock = None

    # --- life -------------------------------------------------------------------------------------------------
    def acquire(self) -> bool:
        """Take the folder's service lock; False when another service has it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fh = open(self.data_dir / SERVICE_LOCK, "a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._lock = fh
        return True

    def parent_gone(self) -> bool:
        return self.parent is not None and os.getppid() != self.parent

    def running(self) -> bool:
        return not self.stopping and not self.parent_gone()

    def run(self) -> int:
        from .. import log

        if not self.acquire():
            return 0  # another app serves this folder: share its queue
        log.setup(self.data_dir, role="service")
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        back = self.queue.recover()
        log.event("service-start", resumed=len(back))
        self.worker = Worker(self.data_dir, warm=self.warm)
        try:
            while self.running():
                job = self.queue.next_waiting()
                if job is None:
                    self._idle()
                    continue
                self.run_job(job)
        finally:
            if self.worker is not None:
                self.worker.shutdown()
            log.event("service-stop")
        return 0

    def _stop(self, *_):
        self.stopping = True

    def _idle(self) -> None:
        """Nothing to do: keep an eye on the worker (it may die idle) and read its Ready."""
        if self.worker.conn.poll(POLL):
            try:
                self._receive()
            except (EOFError, OSError):
                pass
        if not self.worker.alive():
            self._replace_worker()

    def _receive(self):
        message = self.worker.conn.recv()
        if isinstance(message, protocol.Ready):
            self.worker.ready = message
        return message

    def _replace_worker(self) -> None:
        """Kill what is left of the worker, let the case file repair its half-done writes, start a fresh one."""
        from .. import log
        from ..casefile.archive import Archive

        code = self.worker.kill()
        Archive(self.data_dir).close()  # opening the case file repairs what the dead worker left half-done
        log.event("worker-replaced", exitcode=code)
        self.worker = Worker(self.data_dir, warm=self.warm)

    # --- one job ----------------------------------------------------------------------------------------------
    def run_job(self, job) -> str:
        """Hand ``job`` to the worker and see it through; returns the state it ended in."""
        from .. import log

        self.queue.start(job.id, worker=self.worker.pid)
        log.event("job-sent", job=job.id, conversation=job.conversation_id, worker=self.worker.pid)
        started = time.monotonic()
        try:
            self.worker.conn.send(protocol.Run(job.id, job.conversation_id, job.speakers))
        except (BrokenPipeError, OSError):
            pass  # a dead worker: noticed below
        last_write, pending = 0.0, None
        while True:
            try:
                message = self._receive() if self.worker.conn.poll(POLL) else None
            except (EOFError, OSError):
                message = None
                self.worker.proc.join(5)  # the pipe closed: the worker is dying or dead
            if isinstance(message, protocol.Progress) and message.job_id == job.id:
                pending = message
                if time.monotonic() - last_write >= PROGRESS_EVERY:
                    self.queue.update(job.id, stage=pending.stage, fraction=round(pending.fraction, 3))
                    last_write, pending = time.monotonic(), None
                continue
            if isinstance(message, protocol.Result) and message.job_id == job.id:
                self.queue.finish(job.id, "klaar", seconds=message.seconds)
                return "klaar"
            if isinstance(message, protocol.Error) and message.job_id == job.id:
                self.queue.finish(job.id, "fout", error_type=message.error_type, nl=message.nl, en=message.en,
                                  seconds=time.monotonic() - started)
                return "fout"
            if message is not None:
                continue
            if not self.worker.alive():
                code = self.worker.proc.exitcode
                nl, en = died_message(code)
                log.event("worker-died", job=job.id, exitcode=code)
                self.queue.finish(job.id, "fout", error_type="WorkerDied", nl=nl, en=en,
                                  seconds=time.monotonic() - started)
                self._replace_worker()
                return "fout"
            current = self.queue.get(job.id)
            if current is None or current.stop:
                log.event("job-stop", job=job.id)
                self.worker.kill()
                self.queue.finish(job.id, "gestopt", nl=STOPPED[0], en=STOPPED[1],
                                  seconds=time.monotonic() - started)
                self._replace_worker()
                return "gestopt"
            if not self.running():  # the app ends: the job goes back in line for the next start
                self.worker.kill()
                self.queue.update(job.id, state="wacht", stage=None, fraction=0.0)
                return "wacht"


def start(data_dir: str | os.PathLike, parent: int | None = None, warm: bool = True, **popen):
    """Start the service as a process of its own (``transkript app`` does this before Voila takes over)."""
    import subprocess
    import sys

    argv = [sys.executable, "-m", "transkript_kernel.worker.service", str(data_dir)]
    if parent is not None:
        argv += ["--parent", str(parent)]
    if not warm:
        argv.append("--no-warm")
    return subprocess.Popen(argv, **popen)


def start_beside_app(app_pid: int):
    """``transkript app``'s call, just before Voila replaces its process (same pid): the service of the
    configured data folder, in the app's process group, ending when the app ends."""
    import subprocess

    from ..settings import data_dir

    return start(data_dir(), parent=app_pid, stdin=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m transkript_kernel.worker.service",
                                     description="De wachtrij van één gegevensmap verwerken / serve one data "
                                                 "folder's queue")
    parser.add_argument("data_dir")
    parser.add_argument("--parent", type=int, default=None,
                        help="stoppen als dit proces weg is / stop when this process is gone")
    parser.add_argument("--no-warm", dest="warm", action="store_false",
                        help="modellen pas bij de eerste opdracht laden / load models at the first job")
    args = parser.parse_args(argv)
    return Service(args.data_dir, parent=args.parent, warm=args.warm).run()


if __name__ == "__main__":
    raise SystemExit(main())
