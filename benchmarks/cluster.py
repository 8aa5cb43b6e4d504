"""Batches on Dask: recordings per hour with the process pool, ``--cluster local:1`` and ``local:2`` in one run,
Dask's own per-task overhead (scheduling, data transfer, model reuse) and a throughput model for 4, 16 and 64
workers (the README's figures).

    python benchmarks/cluster.py [--recordings N] [--seconds S] [--json OUT.json] [--probe-only MB]

The recordings are the public ones (``../shared/eval/audio``), cut to S seconds (default: whole) and repeated
until there are N (re-encoded with a different bitrate each time, so every copy is a new recording to the case
file). Each configuration gets its own empty case file. Besides wall clock, every configuration reports the CPU
seconds of this process and all its children (workers, render processes, notebook kernels: ``getrusage``) and the
load average before and after: on a shared machine the wall figures are upper bounds (recordings per hour lower
bounds), the CPU seconds are what the work itself costs.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVAL = Path(os.environ.get("TRANSKRIPT_SHARED", ROOT.parent / "shared")) / "eval"
PUBLIC = {"pub01-lezen-groep5": ("Daan", "nl"), "pub02-gedrag-groep7": ("Sem", "nl"),
          "pub03-schooladvies-groep8": ("Lotte", "nl"), "pub04-english-parent": ("Mia", "en")}


def make_input(folder: Path, n: int, seconds: float | None) -> tuple[Path, Path, float]:
    """N recordings and a manifest; returns (input folder, manifest, minutes of audio)."""
    src = folder / "in"
    src.mkdir()
    rows, minutes = [], 0.0
    stems = list(PUBLIC)
    for i in range(n):
        stem = stems[i % len(stems)]
        name = f"opname-{i:03d}.m4a"
        cut = ["-t", str(seconds)] if seconds else []
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(EVAL / "audio" / f"{stem}.m4a"), *cut,
                        "-c:a", "aac", "-b:a", f"{64 + i}k", str(src / name)], check=True)
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                str(src / name)], check=True, capture_output=True, text=True)
        minutes += float(probe.stdout) / 60
        pupil, lang = PUBLIC[stem]
        rows.append(f"{name},{pupil} {i},5,oudergesprek,2026-03-12,{lang},given,8-12\n")
    manifest = folder / "manifest.csv"
    manifest.write_text("file,pupil,group,kind,date,language,consent,age_band\n" + "".join(rows), encoding="utf-8")
    return src, manifest, minutes


def run_batch(label: str, src: Path, manifest: Path, folder: Path, **kwargs) -> dict:
    from transkript_kernel import batch
    from transkript_kernel.cluster import cpu_seconds

    os.environ["TRANSKRIPT_DATA"] = str(folder / f"data-{label}")
    load0, cpu0 = os.getloadavg()[0], cpu_seconds()
    t0 = time.perf_counter()
    report = batch.run(src, folder / f"out-{label}", manifest=manifest, progress=False, **kwargs)
    wall = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0  # the cluster and the process pools are closed (and waited for) by now
    done = report.count("done")
    out = {"label": label, "done": done, "failed": report.failed, "wall_s": round(wall, 1),
           "per_hour": round(done / wall * 3600, 1) if done else 0.0, "cpu_s": round(cpu, 1),
           "cpu_s_per_recording": round(cpu / done, 1) if done else 0.0,
           "load": [round(load0, 1), round(os.getloadavg()[0], 1)]}
    run = report.cluster
    if run is not None:
        tasks = run.tasks
        overhead = [(t.finished - t.submitted) - t.compute for t in tasks]
        out.update(connect_s=run.connect_seconds, setup_s=run.setup_seconds, setup_cpu_s=run.setup_cpu,
                   compute_s=[t.compute for t in tasks], compute_cpu_s=[t.cpu for t in tasks],
                   render_s=run.render_seconds, render_cpu_s=run.render_cpu, worker_tasks=[t.worker_task for t in tasks], payload_mb=round(
                       statistics.mean(t.payload_bytes for t in tasks) / 1e6, 2) if tasks else 0,
                   queue_plus_overhead_s=[round(o, 2) for o in overhead])
    return out


def size_label(mb: float) -> str:
    return f"{mb:g} MB" if mb else "empty"


def dask_overhead(sizes_mb=(0.0, 0.5, 5.0), rounds: int = 40) -> dict:
    """Dask alone: a LocalCluster of one worker over TLS and tasks that do nothing, one at a time, with no
    payload (the round trip: scheduling) and with recording-sized payloads (the difference: transfer). The
    sizes take turns round by round, so a change in the machine's load hits them alike."""
    import secrets

    from distributed import Client, LocalCluster
    from distributed.security import Security

    def nothing(data):
        return len(data) if data is not None else 0

    payloads = {size_label(mb): secrets.token_bytes(int(mb * 1e6)) if mb else None for mb in sizes_mb}
    times: dict[str, list[float]] = {label: [] for label in payloads}
    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                      security=Security.temporary(), protocol="tls://") as lc, \
            Client(lc, security=lc.security) as client:
        for i in range(rounds + 2):  # two rounds to warm up
            for label, data in payloads.items():
                t0 = time.perf_counter()
                client.submit(nothing, data, key=f"probe-{secrets.token_hex(6)}", pure=False).result()
                if i >= 2:
                    times[label].append(time.perf_counter() - t0)
    result = {label: {"median_ms": round(statistics.median(t) * 1000, 1),
                      "p90_ms": round(sorted(t)[int(0.9 * len(t))] * 1000, 1)} for label, t in times.items()}
    result["load"] = round(os.getloadavg()[0], 1)
    return result


def model(compute_s: float, overhead_s: float, render_s: float, payload_mb: float,
          workers=(4, 16, 64)) -> list[dict]:
    """W workers of one task slot each: the recordings per hour they compute, the report processes the
    coordinator needs to keep up with them (each renders 3600 / render_s an hour) and the network to the
    workers at that rate."""
    rows = []
    for w in workers:
        rate = w * 3600 / (compute_s + overhead_s)
        rows.append({"workers": w, "per_hour": round(rate), "report_processes": math.ceil(rate * render_s / 3600),
                     "network_mbit_s": round(rate * payload_mb * 8 / 3600, 1)})
    return rows


def print_model(title: str, rows: list[dict]) -> None:
    print(title)
    for row in rows:
        print(f"  {row['workers']:>3} workers: {row['per_hour']:>5}/hour, {row['report_processes']} report "
              f"processes needed, {row['network_mbit_s']} Mbit/s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recordings", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=None, help="cut each recording to this many seconds")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--probe-only", type=float, default=None, metavar="MB",
                    help="only Dask's per-task overhead, with payloads of MB and ten times MB")
    args = ap.parse_args(argv)
    if args.probe_only is not None:
        print(f"Dask per task (TLS, 1 worker, round trip), load {os.getloadavg()[0]:.1f}: "
              f"{dask_overhead((0.0, args.probe_only, 10 * args.probe_only))}")
        return 0
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    os.environ.setdefault("TRANSKRIPT_PASSPHRASE", "benchmark-wachtwoord-niet-echt")
    with tempfile.TemporaryDirectory(prefix="transkript-bench-cluster-") as tmp:
        folder = Path(tmp)
        src, manifest, minutes = make_input(folder, args.recordings, args.seconds)
        print(f"{args.recordings} opnamen / recordings, {minutes:.1f} min audio, {os.cpu_count()} cores, "
              f"load {os.getloadavg()[0]:.1f}")
        runs = [run_batch("pool-2", src, manifest, folder, workers=2),
                run_batch("local-1", src, manifest, folder, workers=1, cluster="local:1"),
                run_batch("local-2", src, manifest, folder, workers=1, cluster="local:2")]
        for r in runs:
            print(f"{r['label']:>8}: {r['done']} done, {r['wall_s']:7.1f} s wall, {r['per_hour']:6.1f}/hour, "
                  f"{r['cpu_s']:.0f} CPU s ({r['cpu_s_per_recording']:.0f} per recording), load {r['load']}"
                  + (f", connect {r['connect_s']} s, model set-up {r['setup_s']} s ({r['setup_cpu_s']} CPU s) per "
                     f"worker, compute {statistics.mean(r['compute_s']):.1f} s/recording "
                     f"({statistics.mean(r['compute_cpu_s']):.1f} CPU s), report {statistics.mean(r['render_s']):.1f} "
                     f"s ({statistics.mean(r['render_cpu_s']):.1f} CPU s), queue+overhead "
                     f"{statistics.median(r['queue_plus_overhead_s']):.1f} s (median)" if "connect_s" in r else ""))
        one = runs[1]
        payload = one["payload_mb"] or 1.0
        minutes_each = minutes / args.recordings
        long_payload = round(payload / minutes_each * 10, 1)  # a 10-minute conversation
        probe = dask_overhead((0.0, payload, long_payload))
        print(f"Dask per task (TLS, 1 worker, round trip): {probe}")
        per_task = probe[size_label(payload)]["median_ms"] / 1000
        per_long_task = probe[size_label(long_payload)]["median_ms"] / 1000
        cores = os.cpu_count() or 1  # local:1 gives its one task slot every core
        # two bases: the wall times measured here (a loaded machine: the slow end) and the CPU seconds, compute
        # spread over a worker with as many cores as this one (a quiet machine, perfect scaling: the fast end)
        bases = {"wall": (statistics.mean(one["compute_s"]), statistics.mean(one["render_s"])),
                 "cpu": (statistics.mean(one["compute_cpu_s"]) / cores, statistics.mean(one["render_cpu_s"]))}
        result = {"recordings": args.recordings, "audio_minutes": round(minutes, 1), "cores": cores,
                  "runs": runs, "dask_overhead": probe, "model": {}, "model_10_minutes": {}}
        for basis, (per_rec, render) in bases.items():
            rows = model(per_rec, per_task, render, payload)
            print_model(f"model ({basis}): {per_rec:.1f} s compute/recording, {per_task * 1000:.0f} ms Dask/task, "
                        f"{render:.1f} s report/recording", rows)
            per_minute = per_rec / minutes_each  # worker seconds per minute of audio
            long_rows = model(per_minute * 10, per_long_task, render, long_payload)
            print_model(f"model ({basis}) for 10-minute conversations ({per_minute:.1f} s compute per audio "
                        f"minute):", long_rows)
            result["model"][basis], result["model_10_minutes"][basis] = rows, long_rows
        if args.json:
            args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
