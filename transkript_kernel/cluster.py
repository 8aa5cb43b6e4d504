"""A batch's heavy step on a Dask distributed cluster inside the school's own network (``transkript batch
--cluster``): past one machine, an existing engine rather than a home-made one.

Division of work. Workers only compute: :func:`.cluster_worker.transcribe_recording` runs :func:`.pipeline.transcribe_and_summarize`
(transcription, speakers, summary) on one recording's bytes, or on its path in a shared folder the coordinator
names, and returns the transcript and summary as JSON. They never open the case file (each worker points
``TRANSKRIPT_DATA`` at a private empty folder holding only the client's model settings). The client is the single
writer: it checks consent and files each recording in the case file *before* anything is sent, stores what comes
back with :func:`.pipeline.store_processed` (consent checked again), and renders each report through the
per-conversation papermill notebook in local processes, exactly as the process pool does. A recording the case
file already holds a transcript for (an interrupted run) is not sent again.

Models are loaded once per worker by :class:`.cluster_worker.TranskriptPlugin` (a ``WorkerPlugin``), which also refuses a worker
whose Transkript version, model hash or speech engine differs from the client's: the worker closes itself (and
its nanny), says why on the ``transkript`` event topic, and never runs a task. CPU threads are explicit, as in the
process pool: Dask's nanny sets ``OMP_NUM_THREADS=1``, which would halve CTranslate2's speed.

Addresses: ``local:N`` starts a ``LocalCluster`` of N worker processes on 127.0.0.1 with TLS on throwaway
certificates (``Security.temporary()``); ``tls://HOST:PORT`` needs a CA, certificate and key (mutual TLS);
``tcp://`` is refused unless ``--insecure-local`` and a loopback host. Task keys are ``transkript-opname-<random>``:
the dashboard and the logs never show a pupil's or a file's name. ``distributed`` is imported only here and only
when a cluster is asked for.

A scheduler that goes away mid-batch ends the batch rather than waiting or resubmitting (a restarted scheduler
knows neither the tasks nor the plugin that checks workers): what came back is stored and rendered, every other
recording is ``failed`` with :data:`SCHEDULER_LOST`, and a rerun sends only those.
"""
from __future__ import annotations

import ipaddress
import os
import secrets
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from traitlets import Int, Unicode
from traitlets.config import Configurable

from .cluster_identity import EVENT_TOPIC, PLUGIN_NAME, fingerprint, mismatch  # noqa: F401 (used by callers)
from .errors import InputError, TranskriptError

KEY_PREFIX = "transkript-opname"
ALLOWED_FAILURES = 3  # distributed.scheduler.allowed-failures: a task that killed this many workers is given up
NO_WORKERS = "Geen werkers meer in het cluster; niet verwerkt. / No workers left in the cluster; not processed."
SCHEDULER_LOST = ("De verbinding met de Dask-scheduler is verbroken; niet verwerkt en niets ervan staat als klaar. "
                  "Start dezelfde batch opnieuw als de scheduler weer draait: wat klaar is, wordt overgeslagen. / "
                  "The connection to the Dask scheduler was lost; not processed and nothing of it is marked done. "
                  "Run the same batch again once the scheduler is back: what is done is skipped.")
SHIPPED_SECTIONS = ("AsrSettings", "AudioSettings", "DiarizeSettings", "SummarySettings", "LlmSettings")


class BatchSettings(Configurable):
    """Where ``transkript batch`` runs its heavy step; the command's flags override these."""

    cluster = Unicode("", help="Dask scheduler for batches: '' (this machine's process pool), 'local:N' or "
                               "'tls://host:8786'.").tag(config=True)
    tls_ca = Unicode("", help="CA certificate (PEM) of the school's Dask cluster.").tag(config=True)
    tls_cert = Unicode("", help="This machine's certificate (PEM) for the Dask cluster.").tag(config=True)
    tls_key = Unicode("", help="This machine's private key (PEM) for the Dask cluster.").tag(config=True)
    shared_folder = Unicode("", help="Folder every worker sees at the same path: recordings in it are sent as "
                                     "paths instead of bytes.").tag(config=True)
    cpu_threads = Int(0, min=0, help="CPU threads per recording on a worker; 0: the worker's cores divided by "
                                     "its task slots.").tag(config=True)
    connect_timeout = Int(20, min=1, help="Seconds to wait for the scheduler (and for a first worker).").tag(
        config=True)


class ClusterAddressError(InputError):
    """The cluster address or its certificates are unusable (refused before anything is sent)."""


class ClusterUnavailableError(TranskriptError):
    """The scheduler cannot be reached, or no worker was accepted."""

    exit_code = 6


@dataclass
class ClusterOptions:
    address: str  # local:N, tls://host:port, tcp://127.0.0.1:port
    tls_ca: str = ""
    tls_cert: str = ""
    tls_key: str = ""
    insecure_local: bool = False
    shared_folder: str = ""
    cpu_threads: int = 0
    connect_timeout: float = 20.0
    local_workers: int = 0  # N of local:N (0: a remote scheduler)

    @property
    def encrypted(self) -> bool:
        return not self.address.startswith("tcp://")


@dataclass
class TaskTiming:
    """One recording's trip through the cluster (seconds; wall clock of the client and of the worker)."""

    submitted: float
    finished: float
    compute: float  # on the worker: transcribe + speakers + summary
    payload_bytes: int
    warm: bool  # the worker's models were already loaded (every task after the plugin's set-up)
    worker_task: int  # how many tasks this worker process had run, this one included
    key: str = ""  # the Dask key: transkript-opname-<random>, never a name
    cpu: float = 0.0  # CPU seconds of the worker process during the task (all its threads)


@dataclass
class ClusterRun:
    """What a cluster batch reports besides results.csv: for the coordinator and the benchmark."""

    address: str = ""
    scheduler: str = ""  # the scheduler's own address (tls://… unless --insecure-local)
    lost: int = 0  # recordings not processed because the scheduler went away mid-batch (0: it stayed)
    dashboard: str = ""
    workers: int = 0  # accepted at the start
    refused: list[str] = field(default_factory=list)  # one bilingual line per refused worker
    setup_seconds: list[float] = field(default_factory=list)  # the plugin's model loading, per worker
    setup_cpu: list[float] = field(default_factory=list)  # its CPU seconds, per worker
    tasks: list[TaskTiming] = field(default_factory=list)
    render_seconds: list[float] = field(default_factory=list)  # per report, in the local render processes
    render_cpu: list[float] = field(default_factory=list)  # its CPU seconds (the notebook's kernel included)
    connect_seconds: float = 0.0  # scheduler reached (a LocalCluster started) and a first worker ready


# --- the address ------------------------------------------------------------------------------------------------
def require_distributed():
    """``distributed``, or a message saying how to get it (it is only needed for ``--cluster``)."""
    try:
        import distributed
    except ImportError as exc:
        raise ClusterUnavailableError(
            "Voor --cluster is het pakket 'distributed' (Dask) nodig: pip install distributed. Zonder --cluster "
            "werkt de batch zoals altijd.",
            "--cluster needs the package 'distributed' (Dask): pip install distributed. Without --cluster the "
            "batch works as always.") from exc
    return distributed


def options(address: str, *, tls_ca: str = "", tls_cert: str = "", tls_key: str = "", insecure_local: bool = False,
            shared_folder: str = "", cpu_threads: int = 0, connect_timeout: float = 20.0) -> ClusterOptions:
    """Check an address and its certificates without touching the network: refused within milliseconds."""
    address = (address or "").strip()
    opts = ClusterOptions(address, tls_ca, tls_cert, tls_key, insecure_local, shared_folder, cpu_threads,
                          float(connect_timeout))
    if address.startswith("local:") or address == "local":
        count = address.partition(":")[2] or str(os.cpu_count() or 1)
        if not count.isdigit() or int(count) < 1:
            raise ClusterAddressError(f"'{address}': gebruik local:N met N ≥ 1 werkprocessen.",
                                      f"'{address}': use local:N with N ≥ 1 worker processes.")
        opts.local_workers = int(count)
        opts.address = f"local:{count}"
        return opts
    if "://" not in address:
        address = opts.address = f"tcp://{address}"  # what distributed would assume: plain text
    scheme, host = urlsplit(address).scheme, urlsplit(address).hostname or ""
    if scheme == "tls":
        missing = [flag for flag, value in (("--tls-ca", tls_ca), ("--tls-cert", tls_cert), ("--tls-key", tls_key))
                   if not value]
        if missing:
            raise ClusterAddressError(
                f"Een tls://-cluster vraagt wederzijdse TLS: geef ook {', '.join(missing)} (of BatchSettings.tls_*).",
                f"A tls:// cluster needs mutual TLS: also give {', '.join(missing)} (or BatchSettings.tls_*).")
        for value in (tls_ca, tls_cert, tls_key):
            if not Path(value).expanduser().is_file():
                raise ClusterAddressError(f"Het certificaatbestand {value} bestaat niet.",
                                          f"The certificate file {value} does not exist.")
        return opts
    if scheme == "tcp":
        if insecure_local and _loopback(host):
            return opts
        raise ClusterAddressError(
            f"{address}: een cluster zonder versleuteling wordt geweigerd; TLS is verplicht (tls:// met "
            "--tls-ca, --tls-cert en --tls-key, of local:N). Alleen voor een test op deze computer: "
            "--insecure-local met 127.0.0.1.",
            f"{address}: a cluster without encryption is refused; TLS is required (tls:// with --tls-ca, "
            "--tls-cert and --tls-key, or local:N). Only for a test on this computer: --insecure-local with "
            "127.0.0.1.")
    raise ClusterAddressError(f"Onbekend clusteradres {address}: gebruik local:N of tls://HOST:8786.",
                              f"Unknown cluster address {address}: use local:N or tls://HOST:8786.")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def shipped_settings() -> dict:
    """The client's settings a worker needs to make the same transcript and summary (never the case file's)."""
    import json

    from .settings import settings_path

    path = settings_path()
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in values.items() if k in SHIPPED_SECTIONS and isinstance(v, dict)} \
        if isinstance(values, dict) else {}


# --- on the client ----------------------------------------------------------------------------------------------
@contextmanager
def connect(opts: ClusterOptions):
    """A client on the cluster (starting a LocalCluster for ``local:N``), the plugin registered and at least one
    worker accepted; yields ``(client, ClusterRun)``. Unreachable scheduler → a message within the timeout."""
    require_distributed()
    import logging

    import dask
    from distributed import Client, LocalCluster
    from distributed.security import Security

    from .cluster_worker import TranskriptPlugin, worker_status

    run = ClusterRun(address=opts.address)
    cluster = None
    t0 = time.perf_counter()
    config = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
              "distributed.comm.timeouts.connect": f"{opts.connect_timeout}s"}
    with dask.config.set(config):
        try:
            if opts.local_workers:
                threads = opts.cpu_threads or max(1, (os.cpu_count() or 1) // opts.local_workers)
                opts.cpu_threads = threads
                cluster = LocalCluster(n_workers=opts.local_workers, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                       security=Security.temporary(), protocol="tls://",
                                       silence_logs=logging.ERROR, env={"OMP_NUM_THREADS": str(threads)})
                client = Client(cluster, security=cluster.security, timeout=opts.connect_timeout)
            else:
                if opts.encrypted:
                    security = Security(tls_ca_file=str(Path(opts.tls_ca).expanduser()),
                                        tls_client_cert=str(Path(opts.tls_cert).expanduser()),
                                        tls_client_key=str(Path(opts.tls_key).expanduser()),
                                        require_encryption=True)
                else:
                    security = Security()
                client = Client(opts.address, security=security, timeout=opts.connect_timeout)
        except (OSError, TimeoutError) as exc:
            if cluster is not None:
                cluster.close()
            raise ClusterUnavailableError(
                f"De Dask-scheduler op {opts.address} is niet bereikbaar binnen {opts.connect_timeout:g} s "
                f"(draait hij, klopt de poort, laat de firewall hem door, kloppen de certificaten?).",
                f"The Dask scheduler at {opts.address} cannot be reached within {opts.connect_timeout:g} s (is it "
                f"running, is the port right, does the firewall let it through, are the certificates right?).") \
                from exc
        try:
            run.dashboard = client.dashboard_link or ""
            run.scheduler = client.scheduler.address
            client.subscribe_topic(EVENT_TOPIC, lambda event: _on_event(event, run))
            client.register_plugin(TranskriptPlugin(fingerprint(), shipped_settings(), opts.cpu_threads),
                                   name=PLUGIN_NAME)
            _accepted(client, opts, run)
            run.connect_seconds = round(time.perf_counter() - t0, 2)
            yield client, run
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _on_event(event, run: ClusterRun) -> None:
    _, msg = event
    if msg.get("event") == "refused":
        line = f"{msg['nl']} / {msg['en']} ({msg.get('worker', '?')})"
        if line not in run.refused:
            run.refused.append(line)
            print(line, file=sys.stderr)


def _accepted(client, opts: ClusterOptions, run: ClusterRun) -> None:
    """Wait for a first worker that passed the plugin's check; stop with the reasons when every worker that came
    was refused, or with a plain message when none came within the timeout."""
    from .cluster_worker import worker_status

    started = time.monotonic()
    while True:
        states = [s for s in client.run(worker_status, on_error="return").values() if isinstance(s, dict)]
        ready = [s for s in states if s.get("state") == "ready"]
        if ready:
            run.workers = len(ready)
            run.setup_seconds = [round(s["seconds"], 2) for s in ready]
            run.setup_cpu = [round(s.get("cpu", 0.0), 2) for s in ready]
            return
        waited = time.monotonic() - started
        if run.refused and not any(s.get("state") in ("new", "loading") for s in states):
            raise ClusterUnavailableError(f"Geen enkele werker is geaccepteerd: {'; '.join(run.refused)}",
                                          f"No worker was accepted: {'; '.join(run.refused)}")
        if not states and waited > opts.connect_timeout:
            raise ClusterUnavailableError(
                f"Er meldt zich geen werker bij {opts.address} binnen {opts.connect_timeout:g} s.",
                f"No worker joined {opts.address} within {opts.connect_timeout:g} s.")
        if waited > 600:  # loading the models takes seconds; assembling them once, a minute
            raise ClusterUnavailableError("Geen werker werd binnen 10 minuten gereed.",
                                          "No worker got ready within 10 minutes.")
        time.sleep(0.5)


def task_spec(archive, conversation_id: str, item, speakers, shared_folder: str = "") -> dict:
    """What a worker needs for one recording: its bytes (or its shared-folder path), the conversation's language,
    the consent form's participants and names (the pool's vocabulary), the speakers mode. No pupil in the key."""
    from dataclasses import asdict

    from . import asr

    conv = archive.get(conversation_id)
    spec = {"name": archive.recording_path(conversation_id).name, "sha256": conv.recording_sha256,
            "language": conv.language, "speakers": speakers, "names": list(asr.conversation_names(conv)),
            "participants": [asdict(p) for p in conv.participants], "data": None, "path": None}
    shared = Path(shared_folder).expanduser().resolve() if shared_folder else None
    if shared is not None and shared in item.file.parents:
        spec["path"] = str(item.file)
    else:
        spec["data"] = item.file.read_bytes()
    return spec


def run_jobs(jobs: list[dict], record, opts: ClusterOptions, *, file_conversation, render, init_render,
             render_workers: int = 1) -> ClusterRun:
    """The batch's jobs through the cluster: file (client) → compute (workers) → store (client) → notebook (local
    processes). ``record(job, outcome)`` gets each job's outcome dict exactly once, as ``render`` (the pool's
    ``batch._run_one``) returns it. The batch hands in its own steps, so this module never imports it."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor
    from concurrent.futures import wait as wait_local

    from distributed import wait as wait_dask

    from . import pipeline
    from .cluster_worker import transcribe_recording
    from .casefile.archive import Archive
    from .summary import Summary
    from .transcript import Transcript

    pending = list(jobs)
    dask_futures: dict = {}  # future → (job, conversation id, submitted at, payload bytes)
    render_futures: dict = {}
    threads = max(1, (os.cpu_count() or 1) // max(1, render_workers))
    ctx = multiprocessing.get_context("spawn")
    with connect(opts) as (client, run), Archive() as archive, \
            ProcessPoolExecutor(max_workers=render_workers, mp_context=ctx, initializer=init_render,
                                initargs=(threads,)) as renderers:
        print(f"Dask-dashboard (alleen op deze computer / this computer only): {run.dashboard}", file=sys.stderr)

        def fail(job, started, exc=None, message=None):
            record(job, {"status": "failed", "message": message or _both(exc),
                         "seconds": round(time.monotonic() - started, 1)})

        def launch(job):
            started = time.monotonic()
            try:
                cid = file_conversation(archive, job["item"], actor=job["actor"])  # consent first, then import
                if archive.original_transcript(cid) is not None:  # resumed: the notebook reuses what is stored
                    render_futures[renderers.submit(_measured, render, job)] = (job, started)
                    return
                pipeline._require_consent(archive, cid)
                spec = task_spec(archive, cid, job["item"], job["speakers"], opts.shared_folder)
            except TranskriptError as exc:
                return fail(job, started, exc)
            except OSError as exc:
                return fail(job, started, message=f"{type(exc).__name__}: {exc.strerror}")
            except Exception as exc:  # one recording must not stop the batch (as in the pool's _run_one)
                return fail(job, started, message=f"{type(exc).__name__}: {exc}")
            size = len(spec["data"] or b"")
            try:
                future = client.submit(transcribe_recording, spec, key=f"{KEY_PREFIX}-{secrets.token_hex(8)}",
                                       pure=False)
            except Exception as exc:  # a client whose scheduler just went away refuses new tasks
                return fail(job, started, message=_failure(client, exc))
            dask_futures[future] = (job, cid, started, time.time(), size)

        def give_up(message: str) -> int:
            """Every recording still in the cluster or not yet sent fails with ``message``; what came back is
            stored and its report still renders (local processes need no scheduler)."""
            left = len(dask_futures) + len(pending)
            for future, (job, _, started, _, _) in list(dask_futures.items()):
                future.cancel()
                del dask_futures[future]
                fail(job, started, message=message)
            while pending:
                fail(pending.pop(0), time.monotonic(), message=message)
            return left

        try:
            alone_since = None  # when the last worker left
            while pending or dask_futures or render_futures:
                if (pending or dask_futures) and client.status != "running":  # the scheduler went away
                    run.lost = give_up(SCHEDULER_LOST)
                    print(f"{opts.address}: {SCHEDULER_LOST} ({run.lost} opnamen / recordings)", file=sys.stderr)
                    continue
                if pending or dask_futures:
                    known = client.scheduler_info()["workers"].values()
                    slots = max(2, 2 * sum(w["nthreads"] for w in known))
                    alone_since = None if known else (alone_since or time.monotonic())
                if alone_since and dask_futures and time.monotonic() - alone_since > max(60, opts.connect_timeout):
                    give_up(NO_WORKERS)  # nobody to run them
                while pending and len(dask_futures) < slots:
                    launch(pending.pop(0))
                if dask_futures:
                    try:
                        done = wait_dask(list(dask_futures), timeout=0.5, return_when="FIRST_COMPLETED").done
                    except TimeoutError:
                        done = set()
                    for future in done:
                        job, cid, started, submitted, size = dask_futures.pop(future)
                        _collect(future, job, cid, started, submitted, size, archive, run,
                                 lambda job: renderers.submit(_measured, render, job), render_futures, fail,
                                 Transcript, Summary)
                if render_futures:
                    done, _ = wait_local(list(render_futures), timeout=0 if dask_futures else 0.5,
                                         return_when=FIRST_COMPLETED)
                    for future in done:
                        job, started = render_futures.pop(future)
                        try:
                            outcome = future.result()
                        except Exception as exc:  # the render process itself died
                            outcome = {"status": "failed", "message": f"{type(exc).__name__}: {exc}"}
                        run.render_seconds.append(outcome.get("seconds", 0.0))  # the notebook and PDF alone
                        run.render_cpu.append(outcome.pop("cpu_seconds", 0.0))
                        outcome["seconds"] = round(time.monotonic() - started, 1)
                        record(job, outcome)
        except BaseException:
            for future in dask_futures:
                future.cancel()
            renderers.shutdown(wait=False, cancel_futures=True)
            raise
    return run


def cpu_seconds() -> float:
    """User + system CPU of this process and of every child that ended and was waited for (with their own
    children: a render process's notebook kernels, a LocalCluster's workers once closed)."""
    import resource

    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def _measured(render, job: dict) -> dict:
    """In a local render process: ``render(job)`` and the CPU seconds it cost (``cpu_seconds`` in the outcome,
    taken out again before the batch records it)."""
    before = cpu_seconds()
    outcome = render(job)
    outcome["cpu_seconds"] = round(cpu_seconds() - before, 2)
    return outcome


def _failure(client, exc: BaseException) -> str:
    """Why a task could not be sent or fetched: the scheduler's loss when that is the cause, else the error."""
    return SCHEDULER_LOST if client.status != "running" else f"{type(exc).__name__}: {exc}"


def _both(exc: TranskriptError) -> str:
    return f"{exc.nl} / {exc.en}" if exc.nl != exc.en else exc.nl


def _collect(future, job, cid, started, submitted, size, archive, run, submit_render, render_futures, fail,
             Transcript, Summary) -> None:
    """One finished cluster task: store its results (consent checked again), then queue the report."""
    from asyncio import CancelledError

    from distributed import KilledWorker

    from . import pipeline

    if future.client.status != "running":  # the scheduler went away: the result cannot be fetched any more
        return fail(job, started, message=SCHEDULER_LOST)
    if future.status != "finished":
        exc = future.exception() if future.status == "error" else None
        if isinstance(exc, KilledWorker):
            message = (f"Werkers vielen {ALLOWED_FAILURES} keer uit tijdens deze opname; niet verwerkt. / "
                       f"Workers died {ALLOWED_FAILURES} times while processing this recording; not processed.")
        else:
            message = f"{type(exc).__name__}: {exc}" if exc is not None else f"Dask: {future.status}"
        return fail(job, started, message=message)
    try:
        out = future.result()
    except (Exception, CancelledError) as exc:  # lost on the way back (the scheduler went away meanwhile)
        return fail(job, started, message=_failure(future.client, exc))
    future.release()
    if "error" in out:
        return fail(job, started, TranskriptError(out["error"]["nl"], out["error"]["en"]))
    run.tasks.append(TaskTiming(submitted, time.time(), round(out["compute"], 3), size, out["warm"],
                                out["worker_task"], future.key, round(out.get("cpu", 0.0), 3)))
    try:
        pipeline.store_processed(archive, cid, Transcript.from_json(out["transcript"]),
                                 Summary.from_json(out["summary"]), actor=job["actor"])
    except TranskriptError as exc:
        return fail(job, started, exc)
    render_futures[submit_render(job)] = (job, started)
