"""`transkript batch --cluster`: the heavy step on Dask distributed, inside the school's network.

Fast tests check what is refused before anything is sent (plain tcp://, missing certificates, an unreachable
scheduler, no `distributed`). The slow ones run real workers on short cuts of the public recordings: identical
results to the process pool over TLS, a worker killed mid-task, the scheduler killed mid-batch (a school's own
cluster started with the README's `dask scheduler` / `dask worker` commands), a worker with another model hash
refused.
"""
from __future__ import annotations

import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ffmpeg
from transkript_kernel import batch, cli, cluster
from transkript_kernel.cluster import ClusterAddressError, ClusterUnavailableError

MANIFEST_HEADER = "file,pupil,group,kind,date,language,consent,age_band\n"
PUPILS = {"pub01-lezen-groep5": ("Daan Özdemir", "nl"), "pub04-english-parent": ("Mia Clarke", "en")}
TIMING = {"seconds", "duration_s", "elapsed", "created_at", "created", "processing_seconds", "at"}


def result_statuses(path: Path) -> list[str]:
    """The statuses in results.csv (the file's other columns are the batch's business)."""
    with open(path, encoding="utf-8") as fh:
        return sorted(row["status"] for row in csv.DictReader(fh))


def one_recording(tmp_path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.m4a").write_bytes(b"x" * 100)
    return src


# --- refused before anything is sent --------------------------------------------------------------------------
@pytest.mark.parametrize("address, flags", [
    ("tcp://10.1.2.3:8786", []),
    ("tcp://10.1.2.3:8786", ["--insecure-local"]),  # not a loopback host: the flag does not help
    ("tcp://127.0.0.1:8786", []),  # loopback, but without the flag
    ("scheduler.school.local:8786", []),  # no scheme: distributed would use plain tcp
])
def test_plain_tcp_is_refused_before_anything_runs(tmp_path, capsys, address, flags):
    src = one_recording(tmp_path)
    code = cli.main(["batch", str(src), "--out", str(tmp_path / "out"), "--consent", "given", "--cluster", address,
                     *flags])
    err = capsys.readouterr().err
    assert code == ClusterAddressError.exit_code == 2
    assert "TLS is verplicht" in err and "TLS is required" in err
    assert not (tmp_path / "out").exists()  # refused before the plan, the case file or the network


def test_tls_needs_ca_certificate_and_key(tmp_path, capsys):
    src = one_recording(tmp_path)
    code = cli.main(["batch", str(src), "--out", str(tmp_path / "out"), "--consent", "given",
                     "--cluster", "tls://scheduler.school.local:8786", "--tls-ca", str(tmp_path / "ca.pem")])
    err = capsys.readouterr().err
    assert code == 2 and "--tls-cert" in err and "--tls-key" in err
    (tmp_path / "ca.pem").write_text("x")
    with pytest.raises(ClusterAddressError) as exc:
        cluster.options("tls://s:8786", tls_ca=str(tmp_path / "ca.pem"), tls_cert=str(tmp_path / "nope.pem"),
                        tls_key=str(tmp_path / "ca.pem"))
    assert "nope.pem" in exc.value.nl


def test_local_and_loopback_addresses_are_accepted():
    assert cluster.options("local:2").local_workers == 2
    assert cluster.options("local:2").encrypted
    opts = cluster.options("tcp://127.0.0.1:8786", insecure_local=True)
    assert not opts.encrypted and opts.local_workers == 0
    assert cluster.options("tcp://localhost:8786", insecure_local=True).address == "tcp://localhost:8786"
    for bad in ("local:0", "local:x", "udp://127.0.0.1:1"):
        with pytest.raises(ClusterAddressError):
            cluster.options(bad, insecure_local=True)


def test_settings_give_the_cluster_and_the_flag_wins(tmp_path, isolated_data):
    from transkript_kernel import settings
    from transkript_kernel.commands.batch import cluster_options

    settings.save_config({"BatchSettings": {"cluster": "local:3", "connect_timeout": 7}})
    args = cli.build_parser().parse_args(["batch", "in", "--out", "out"])
    opts = cluster_options(args)
    assert opts.local_workers == 3 and opts.connect_timeout == 7
    args.cluster = "off"
    assert cluster_options(args) is None


def test_unreachable_scheduler_is_a_clear_message_within_the_timeout(tmp_path, capsys):
    from transkript_kernel import settings
    from transkript_kernel.casefile.archive import Archive

    settings.save_config({"BatchSettings": {"connect_timeout": 2}})
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    src = one_recording(tmp_path)
    code = cli.main(["batch", str(src), "--out", str(tmp_path / "out"), "--consent", "given",
                     "--cluster", f"tcp://127.0.0.1:{port}", "--insecure-local", "--no-progress"])
    err = capsys.readouterr().err
    assert code == ClusterUnavailableError.exit_code
    assert "niet bereikbaar binnen 2 s" in err and "cannot be reached within 2 s" in err
    with Archive() as archive:  # nothing was filed for a cluster that is not there
        assert len(archive.list()) == 0


def test_without_distributed_the_message_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ClusterUnavailableError) as exc:
        cluster.require_distributed()
    assert "pip install distributed" in exc.value.nl and "Without --cluster" in exc.value.en


def test_fingerprint_mismatch_names_what_differs():
    mine = cluster.fingerprint()
    assert cluster.mismatch(mine, dict(mine)) is None
    other = dict(mine, model="0" * 64)
    nl, en = cluster.mismatch(mine, other)
    assert "modelhash" in nl and "model hash" in en and "transkript" not in nl.lower()


def test_engine_does_not_import_distributed_for_settings():
    code = ("import sys; from transkript_kernel import settings, cluster; settings.markdown_table();"
            "import transkript_kernel.commands.batch; print('distributed' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


# --- real workers (slow) ----------------------------------------------------------------------------------------
def _clips(tmp_path, eval_dir, seconds: int = 30) -> tuple[Path, Path]:
    """Short cuts of two public recordings (Dutch, English) and their manifest."""
    src = tmp_path / "avond"
    src.mkdir()
    lines = []
    for stem, (pupil, lang) in PUPILS.items():
        ffmpeg("-i", eval_dir / "audio" / f"{stem}.m4a", "-t", seconds, "-c:a", "aac", "-b:a", "64k",
               src / f"{stem}.m4a")
        lines.append(f"{stem}.m4a,{pupil},5a,oudergesprek,2026-03-12,{lang},given,8-12\n")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(MANIFEST_HEADER + "".join(lines), encoding="utf-8")
    return src, manifest


def _without(doc, keys=TIMING):
    """The document without timing fields and without the stored recording's (random) file name."""
    if isinstance(doc, dict):
        return {k: _without(v, keys) for k, v in doc.items() if k not in keys and k != "file"}
    if isinstance(doc, list):
        return [_without(v, keys) for v in doc]
    return doc


def _outputs(out: Path) -> dict[str, dict]:
    return {p.name: _without(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(out.glob("*.*.json"))}


@pytest.mark.slow
def test_local_cluster_gives_the_pools_transcripts_and_summaries_over_tls(tmp_path, eval_dir, monkeypatch):
    src, manifest = _clips(tmp_path, eval_dir)
    monkeypatch.setenv("TRANSKRIPT_DATA", str(tmp_path / "data-pool"))
    pool = batch.run(src, tmp_path / "pool", workers=2, manifest=manifest, progress=False)
    assert pool.count("done") == 2, [r.message for r in pool.results]
    monkeypatch.setenv("TRANSKRIPT_DATA", str(tmp_path / "data-cluster"))
    dask = batch.run(src, tmp_path / "dask", workers=1, manifest=manifest, progress=False, cluster="local:2")
    assert dask.count("done") == 2, [r.message for r in dask.results]

    pool_docs, dask_docs = _outputs(tmp_path / "pool"), _outputs(tmp_path / "dask")
    assert len(pool_docs) == 4 and pool_docs == dask_docs  # transcripts and summaries, both recordings
    assert all(doc["segments"] for name, doc in dask_docs.items() if name.endswith(".transcript.json"))
    run = dask.cluster
    assert run.scheduler.startswith("tls://127.0.0.1:")  # TLS by default, bound to this machine
    assert run.dashboard.startswith("http://127.0.0.1:")
    assert run.workers == 2 and len(run.tasks) == 2
    for task in run.tasks:  # the dashboard and the logs show keys: no pupil, no file name
        assert re.fullmatch(r"transkript-opname-[0-9a-f]{16}", task.key)
    assert all((tmp_path / "dask" / f"{stem}.pdf").is_file() for stem in PUPILS)
    assert result_statuses(tmp_path / "dask" / "results.csv") == ["done", "done"]

    again = batch.run(src, tmp_path / "dask", manifest=manifest, progress=False, cluster="local:2")
    assert again.count("already-done") == 2 and again.cluster is None  # resumable: no cluster needed at all


def _write_certs(folder: Path) -> dict[str, str]:
    """A CA-signed certificate for the test's own cluster, as files (what a school board hands out)."""
    from distributed.security import Security

    sec = Security.temporary()
    paths = {}
    for name, text in (("ca", sec.tls_ca_file), ("cert", sec.tls_client_cert), ("key", sec.tls_client_key)):
        paths[name] = str(folder / f"{name}.pem")
        Path(paths[name]).write_text(text)
        os.chmod(paths[name], 0o600)
    return paths


@pytest.mark.slow
def test_a_worker_killed_mid_task_and_every_recording_done_once(tmp_path, eval_dir):
    """A school's own cluster (tls:// with certificate files): the worker computing a recording is killed; the
    task runs again elsewhere and each recording is stored exactly once."""
    import dask
    from distributed import Client, LocalCluster
    from distributed.security import Security

    from transkript_kernel.casefile.archive import Archive

    src, manifest = _clips(tmp_path, eval_dir, seconds=25)
    certs = _write_certs(tmp_path)
    security = Security(tls_ca_file=certs["ca"], tls_client_cert=certs["cert"], tls_client_key=certs["key"],
                        tls_scheduler_cert=certs["cert"], tls_scheduler_key=certs["key"],
                        tls_worker_cert=certs["cert"], tls_worker_key=certs["key"], require_encryption=True)
    killed = []
    with dask.config.set({"distributed.scheduler.allowed-failures": 3}), \
            LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                         security=security, protocol="tls://", env={"OMP_NUM_THREADS": "1"}) as school, \
            Client(school, security=security) as watcher:

        def kill_one_mid_task():
            deadline = time.monotonic() + 600
            busy_since = {}
            while time.monotonic() < deadline and not killed:
                for addr, keys in watcher.processing().items():
                    if any(k.startswith(cluster.KEY_PREFIX) for k in keys):
                        busy_since.setdefault(addr, time.monotonic())
                        if time.monotonic() - busy_since[addr] > 4:  # well into the transcription
                            pid = watcher.run(os.getpid, workers=[addr])[addr]
                            os.kill(pid, signal.SIGKILL)
                            killed.append(addr)
                            return
                time.sleep(0.5)

        thread = threading.Thread(target=kill_one_mid_task, daemon=True)
        thread.start()
        opts = cluster.options(school.scheduler_address, tls_ca=certs["ca"], tls_cert=certs["cert"],
                               tls_key=certs["key"])
        report = batch.run(src, tmp_path / "out", manifest=manifest, progress=False, cluster=opts)
        thread.join(timeout=5)
    assert killed, "the watcher never saw a task running"
    assert report.count("done") == 2, [r.message for r in report.results]
    assert report.cluster.scheduler.startswith("tls://")
    with Archive() as archive:
        for r in report.results:
            assert len(archive.transcript_revisions(r.conversation)) == 1  # stored once, not twice
            assert len(archive.versions(r.conversation)) == 1
    assert result_statuses(tmp_path / "out" / "results.csv") == ["done", "done"]


@pytest.mark.slow
def test_a_worker_with_another_model_hash_is_refused(tmp_path, monkeypatch, capsys):
    """The client expects another model than the worker has (as when a server kept an old model): the worker
    closes itself before any task, and with no worker left the batch stops with the reason."""
    from transkript_kernel.casefile.archive import Archive

    real = cluster.fingerprint()
    monkeypatch.setattr(cluster, "fingerprint", lambda: dict(real, model="f" * 64))  # the client's side only
    src = one_recording(tmp_path)
    with pytest.raises(ClusterUnavailableError) as exc:
        batch.run(src, tmp_path / "out", consent="given", progress=False, cluster="local:1")
    assert "Werker geweigerd: modelhash" in exc.value.nl and "Worker refused: model hash" in exc.value.en
    assert "refused" in capsys.readouterr().err
    with Archive() as archive:  # refused before anything was filed or sent
        assert len(archive.list()) == 0


def _dask_cli(*args, env=None, log=None) -> subprocess.Popen:
    """`dask scheduler` / `dask worker` as the README starts them, in a process group of its own."""
    return subprocess.Popen([str(Path(sys.executable).parent / "dask"), *map(str, args)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.slow
def test_the_scheduler_killed_mid_batch_and_a_rerun_completes_the_rest(tmp_path, eval_dir, capsys, monkeypatch):
    """A school's scheduler dies while its one worker computes the second recording, just after the first came
    back, and a third still waits on the coordinator: the first is finished (its report renders on the
    coordinator, no scheduler needed), the others fail with a Dutch and English message and nothing of them is
    stored or marked done; a rerun on another cluster sends those two only, each recording stored once."""
    from transkript_kernel import pipeline
    from transkript_kernel.casefile.archive import Archive

    src, manifest = _clips(tmp_path, eval_dir, seconds=12)
    first, second = PUPILS  # the manifest's order: the order the batch sends them in
    third = f"{first}-deel2"  # one worker slot: two tasks in the cluster at a time, the third waits
    ffmpeg("-ss", 12, "-i", eval_dir / "audio" / f"{first}.m4a", "-t", 12, "-c:a", "aac", "-b:a", "64k",
           src / f"{third}.m4a")
    with open(manifest, "a", encoding="utf-8") as fh:
        fh.write(f"{third}.m4a,{PUPILS[first][0]},5a,oudergesprek,2026-03-12,nl,given,8-12\n")
    certs = _write_certs(tmp_path)
    tls = ["--tls-ca-file", certs["ca"], "--tls-cert", certs["cert"], "--tls-key", certs["key"]]
    scratch = tmp_path / "werker"  # the worker's TMPDIR: a task's recording folder shows it is running
    scratch.mkdir()
    env = dict(os.environ, DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION="True", TMPDIR=str(scratch))
    address_file = tmp_path / "scheduler.json"
    killed = []
    store = pipeline.store_processed

    def store_then_kill_the_scheduler(archive, cid, *args, **kwargs):
        """The client stores the first recording; then, with the second running on the worker, the scheduler
        is killed (before the first one's report is rendered)."""
        store(archive, cid, *args, **kwargs)
        deadline = time.monotonic() + 600
        while not killed and time.monotonic() < deadline:
            if any(scratch.glob("transkript-worker-*/opname-*")):
                os.kill(scheduler.pid, signal.SIGKILL)
                killed.append(cid)
            time.sleep(0.1)

    monkeypatch.setattr(pipeline, "store_processed", store_then_kill_the_scheduler)
    with open(tmp_path / "dask.log", "wb") as log:
        scheduler = _dask_cli("scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", "0",
                              "--no-dashboard", "--scheduler-file", address_file, *tls, env=env, log=log)
        worker = None
        try:
            deadline = time.monotonic() + 120
            while not address_file.is_file() and time.monotonic() < deadline:
                time.sleep(0.2)
            address = json.loads(address_file.read_text())["address"]
            worker = _dask_cli("worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                               "--death-timeout", "30", *tls, env=env, log=log)
            opts = cluster.options(address, tls_ca=certs["ca"], tls_cert=certs["cert"], tls_key=certs["key"])
            report = batch.run(src, tmp_path / "out", manifest=manifest, progress=False, cluster=opts)
        finally:
            for proc in (worker, scheduler):
                if proc is not None:
                    _stop(proc)
    assert killed, "the scheduler was never killed mid-batch"
    err = capsys.readouterr().err
    assert "De verbinding met de Dask-scheduler is verbroken" in err and "connection to the Dask scheduler" in err
    assert report.cluster.lost >= 1  # the second at least (the third too, unless it was sent as the link broke)
    rows = {r.file: r for r in report.results}
    assert rows[f"{first}.m4a"].status == "done" and rows[f"{first}.m4a"].conversation == killed[0]
    assert (tmp_path / "out" / f"{first}.pdf").is_file()
    assert result_statuses(tmp_path / "out" / "results.csv") == ["done", "failed", "failed"]
    for stem in (second, third):
        assert rows[f"{stem}.m4a"].status == "failed" and rows[f"{stem}.m4a"].message == cluster.SCHEDULER_LOST
        assert not (tmp_path / "out" / batch.DONE_DIR / f"{stem}.json").exists()
        assert not (tmp_path / "out" / f"{stem}.pdf").exists()
    with Archive() as archive:  # the one in the cluster was filed (consent first), nothing of its processing
        lost = archive.find_recording(batch.sha256_file(src / f"{second}.m4a"))
        assert lost and archive.original_transcript(lost) is None and archive.summary(lost) is None
        waiting = archive.find_recording(batch.sha256_file(src / f"{third}.m4a"))
        assert waiting is None or archive.original_transcript(waiting) is None

    again = batch.run(src, tmp_path / "out", manifest=manifest, progress=False, cluster="local:1")
    assert again.count("already-done") == 1 and again.count("done") == 2, [r.message for r in again.results]
    assert len(again.cluster.tasks) == 2  # only the two lost recordings went to a worker
    with Archive() as archive:
        assert len(archive.list()) == 3  # the rerun found the filed recording instead of filing it again
        for r in again.results:
            assert len(archive.transcript_revisions(r.conversation)) == 1
            assert len(archive.versions(r.conversation)) == 1
