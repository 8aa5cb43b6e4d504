"""What runs inside a Dask worker of a cluster batch (:mod:`.cluster` is the client side): the plugin that checks
the worker and loads the models once, and the task that turns one recording into a transcript and summary.

A worker only computes. It never opens the case file: its ``TRANSKRIPT_DATA`` is a private folder holding nothing
but the client's model settings, and the recording it gets is a private file deleted when the task ends. Imports
``distributed`` at the top: only workers and a client that asked for ``--cluster`` import this module.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from distributed import Reschedule, WorkerPlugin, get_worker

from .cluster_identity import EVENT_TOPIC, PLUGIN_NAME, fingerprint, mismatch
from .errors import TranskriptError


class TranskriptPlugin(WorkerPlugin):
    """Per worker process: check the fingerprint, install the client's settings in a private folder, set the
    CPU threads and load the models once. A mismatch closes the worker (nanny included) before any task runs."""

    name = PLUGIN_NAME

    def __init__(self, expected: dict, settings: dict, cpu_threads: int = 0):
        self.expected = expected
        self.settings = settings
        self.cpu_threads = cpu_threads
        self.state = "new"  # new → loading → ready | refused
        self.setup_seconds = 0.0
        self.setup_cpu = 0.0  # CPU seconds of the set-up (the worker process's, all threads)
        self.tasks = 0
        self.private: str | None = None
        self._ready = threading.Event()
        self._closing = None

    def __getstate__(self):  # only the configuration travels; the state is the worker's own
        return {"expected": self.expected, "settings": self.settings, "cpu_threads": self.cpu_threads}

    def __setstate__(self, state):
        self.__init__(**state)

    async def setup(self, worker):
        import asyncio

        self.state = "loading"
        try:
            reason = await asyncio.to_thread(self._prepare, worker.state.nthreads)
        except TranskriptError as exc:  # e.g. the client's model is not on this machine
            reason = (f"Werker geweigerd: {exc.nl}", f"Worker refused: {exc.en}")
        if reason is None:
            self.state = "ready"
            worker.log_event(EVENT_TOPIC, {"event": "ready", "worker": worker.address,
                                           "seconds": round(self.setup_seconds, 2)})
        else:
            self.state = "refused"
            worker.log_event(EVENT_TOPIC, {"event": "refused", "worker": worker.address, "nl": reason[0],
                                           "en": reason[1]})
            self._closing = asyncio.ensure_future(worker.close(nanny=True, reason="transkript-refused"))
        self._ready.set()

    def _prepare(self, slots: int) -> tuple[str, str] | None:
        import json
        import tempfile

        from .offline import lock_down_environment
        from .settings import secure_umask

        started, cpu_started = time.perf_counter(), time.process_time()
        lock_down_environment()
        secure_umask()
        threads = self.cpu_threads or max(1, (os.cpu_count() or 1) // max(1, slots))
        os.environ["OMP_NUM_THREADS"] = str(threads)
        settings = {k: dict(v) for k, v in self.settings.items()}
        asr_conf = settings.setdefault("AsrSettings", {})
        if not asr_conf.get("cpu_threads"):
            asr_conf["cpu_threads"] = threads  # explicit: CTranslate2 would otherwise follow the nanny's 1
        self.private = tempfile.mkdtemp(prefix="transkript-worker-")
        Path(self.private, "settings.json").write_text(json.dumps(settings), encoding="utf-8")
        os.environ["TRANSKRIPT_DATA"] = self.private  # never the case file: a worker only computes
        try:
            import torch

            torch.set_num_threads(threads)
        except ImportError:
            pass
        wrong = mismatch(fingerprint(), self.expected)
        if wrong is not None:
            return (f"Werker geweigerd: {wrong[0]}.", f"Worker refused: {wrong[1]}.")
        from .worker.process import warm

        warm()
        self.setup_seconds = time.perf_counter() - started
        self.setup_cpu = time.process_time() - cpu_started
        return None

    def wait(self, timeout: float) -> str:
        self._ready.wait(timeout)
        return self.state

    def teardown(self, worker):
        import shutil

        if self.private:
            shutil.rmtree(self.private, ignore_errors=True)


def worker_status(dask_worker=None) -> dict:
    """For ``client.run``: the plugin's state without waiting (this runs on the worker's event loop)."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME) if dask_worker is not None else None
    if plugin is None:
        return {"state": "none"}
    return {"state": plugin.state, "seconds": plugin.setup_seconds, "cpu": plugin.setup_cpu}


def transcribe_recording(spec: dict) -> dict:
    """A Dask task: one recording's transcript and summary (JSON), never raising a :class:`TranskriptError`
    (its Dutch and English come back in ``error``). The recording is written to a private file named as it is
    stored in the case file, so the transcript's ``source`` equals the process pool's, and removed after."""
    import shutil
    import tempfile

    worker = get_worker()
    plugin = None
    deadline = time.monotonic() + 120
    while plugin is None and time.monotonic() < deadline:  # a worker that joined a moment ago: set-up runs
        plugin = worker.plugins.get(PLUGIN_NAME)
        if plugin is None:
            time.sleep(0.2)
    if plugin is None or plugin.wait(600) != "ready":
        raise Reschedule()  # refused or never set up: the scheduler gives the task to another worker
    plugin.tasks += 1
    warm = plugin.tasks > 1 or plugin.setup_seconds > 0
    started, cpu_started = time.perf_counter(), time.process_time()
    folder = Path(tempfile.mkdtemp(prefix="opname-", dir=plugin.private))
    try:
        target = folder / spec["name"]
        if spec.get("data") is not None:
            with open(target, "xb") as fh:
                fh.write(spec["data"])
        else:
            target.symlink_to(spec["path"])  # the shared folder: the file itself, under its case-file name
        from . import pipeline
        from .conversation import Participant

        transcript, summary = pipeline.transcribe_and_summarize(
            target, language=spec["language"], speakers=spec["speakers"], names=spec["names"],
            participants=[Participant(**p) for p in spec["participants"]])
        if (transcript.source or {}).get("sha256") != spec["sha256"]:
            out = {"error": {"nl": "De opname in de gedeelde map is niet meer dezelfde als bij het archiveren.",
                             "en": "The recording in the shared folder is no longer the one that was filed."}}
        else:
            out = {"transcript": transcript.to_json(), "summary": summary.to_json()}
    except TranskriptError as exc:
        out = {"error": {"nl": exc.nl, "en": exc.en}}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out.update(compute=time.perf_counter() - started, cpu=time.process_time() - cpu_started, warm=warm,
               worker_task=plugin.tasks)  # cpu: all the worker process's threads (one task slot: this task's)
    return out
