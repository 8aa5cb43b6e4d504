"""Batches on Dask: recordings per hour with the process pool, ``--cluster local:1`` and ``local:2`` in one run,
Dask's own per-task overhead (scheduling, data transfer, model reuse) and a throughput model for 4, 16 and 64
workers (the README's figures).

    python benchmarks/cluster.py [--recordings N] [--seconds S] [--json OUT.json]

The recordings are the public ones (``../shared/eval/audio``), cut to S seconds (default: whole) and repeated
until there are N (re-encoded with a different bitrate each time, so every copy is a new recording to the case
file). Each configuration gets its own empty case file. Wall clock on this machine, which is shared: run it
when it is quiet and read the figures as an order of magnitude.
"""
from __future__ import annotations

import argparse
import json
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

    os.environ["TRANSKRIPT_DATA"] = str(folder / f"data-{label}")
    cpu0 = os.times()
    t0 = time.perf_counter()
    report = batch.run(src, folder / f"out-{label}", manifest=manifest, progress=False, **kwargs)
    wall = time.perf_counter() - t0
    cpu1 = os.times()
    done = report.count("done")
    out = {"label": label, "done": done, "failed": report.failed, "wall_s": round(wall, 1),
           "per_hour": round(done / wall * 3600, 1) if done else 0.0,
           "client_cpu_s": round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 1)}
    run = report.cluster
    if run is not None:
        tasks = run.tasks
        overhead = [(t.finished - t.submitted) - t.compute for t in tasks]
        out.update(connect_s=run.connect_seconds, setup_s=run.setup_seconds,
                   compute_s=[t.compute for t in tasks], render_s=run.render_seconds,
                   worker_tasks=[t.worker_task for t in tasks], payload_mb=round(
                       statistics.mean(t.payload_bytes for t in tasks) / 1e6, 2) if tasks else 0,
                   queue_plus_overhead_s=[round(o, 2) for o in overhead])
    return out


def dask_overhead(payload_mb: float, tasks: int = 20) -> dict:
    """Dask alone: a LocalCluster of one worker over TLS, tasks that do nothing with a recording-sized payload,
    one at a time (round trip = scheduling + transfer both ways), and the same without payload."""
    import secrets

    from distributed import Client, LocalCluster
    from distributed.security import Security

    def nothing(data):
        return len(data) if data is not None else 0

    payload = secrets.token_bytes(int(payload_mb * 1e6))
    result = {}
    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                      security=Security.temporary(), protocol="tls://") as lc, \
            Client(lc, security=lc.security) as client:
        for label, data in (("empty", None), (f"{payload_mb:g} MB", payload)):
            times = []
            for i in range(tasks):
                t0 = time.perf_counter()
                client.submit(nothing, data, key=f"probe-{secrets.token_hex(6)}", pure=False).result()
                times.append(time.perf_counter() - t0)
            result[label] = {"median_ms": round(statistics.median(times[2:]) * 1000, 1),
                             "p90_ms": round(sorted(times[2:])[int(0.9 * (len(times) - 2))] * 1000, 1)}
    return result


def model(per_recording_s: float, overhead_s: float, render_s: float, payload_mb: float,
          workers=(4, 16, 64), renderers=(1, 2, 4)) -> list[dict]:
    """Recordings per hour for W single-slot workers and R local render processes: the smaller of what the
    workers compute and what the coordinator renders; the network needed at that rate."""
    rows = []
    for w in workers:
        compute = w * 3600 / (per_recording_s + overhead_s)
        for r in renderers:
            render = r * 3600 / render_s
            rate = min(compute, render)
            rows.append({"workers": w, "renderers": r, "per_hour": round(rate),
                         "bound": "workers" if compute <= render else "reports",
                         "network_mbit_s": round(rate * payload_mb * 8 / 3600, 1)})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recordings", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=None, help="cut each recording to this many seconds")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
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
            print(f"{r['label']:>8}: {r['done']} done, {r['wall_s']:7.1f} s wall, {r['per_hour']:6.1f}/hour"
                  + (f", connect {r['connect_s']} s, model set-up {r['setup_s']} s/worker, compute "
                     f"{statistics.mean(r['compute_s']):.1f} s/recording, report {statistics.mean(r['render_s']):.1f} "
                     f"s, queue+overhead {statistics.median(r['queue_plus_overhead_s']):.1f} s (median)"
                     if "connect_s" in r else ""))
        one = runs[1]
        payload = one["payload_mb"] or 1.0
        probe = dask_overhead(payload)
        print(f"Dask per task (TLS, 1 worker, round trip): {probe}")
        per_rec = statistics.mean(one["compute_s"])
        per_task = probe[f"{payload:g} MB"]["median_ms"] / 1000
        render = statistics.mean(one["render_s"])
        rows = model(per_rec, per_task, render, payload)
        print(f"model: {per_rec:.1f} s compute/recording (1 thread here), {per_task * 1000:.0f} ms Dask/task, "
              f"{render:.1f} s report/recording")
        for row in rows:
            print(f"  {row['workers']:>3} workers, {row['renderers']} report processes: {row['per_hour']:>6}/hour "
                  f"({row['bound']}-bound), {row['network_mbit_s']} Mbit/s")
        per_minute = per_rec / (minutes / args.recordings)  # worker seconds per minute of audio
        long_rows = model(per_minute * 10, per_task, render, payload / (minutes / args.recordings) * 10)
        print(f"model for 10-minute conversations ({per_minute:.0f} s compute per audio minute):")
        for row in long_rows:
            print(f"  {row['workers']:>3} workers, {row['renderers']} report processes: {row['per_hour']:>6}/hour "
                  f"({row['bound']}-bound), {row['network_mbit_s']} Mbit/s")
        result = {"recordings": args.recordings, "audio_minutes": round(minutes, 1), "runs": runs,
                  "dask_overhead": probe, "model": rows,
                  "model_10_minutes": long_rows}
        if args.json:
            args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
