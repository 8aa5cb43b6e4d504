"""A parent evening's speed: each stage of a 10-minute conversation, cold and in the warm worker, and throughput.

    .venv/bin/python benchmarks/evening.py [--minutes 10] [--skip-cold]

A 10-minute recording is put together from the public recordings (ffmpeg, 16 kHz mono WAV). "Cold" is one
conversation in a fresh process, as one-at-a-time processing pays it: imports, model loading, transcription,
speakers, summary and the first PDF of the process. "Warm" is the next conversation in the same worker process
(:mod:`transkript_kernel.worker.process`: models loaded once by ``warm()``, the PDF renderer already used), the
case of an evening's queue. Per stage: seconds and the share of the recording's length (target ≤ 0.12× warm).
Throughput: recordings of this length per hour, queue (warm) beside one at a time (cold). The load average is
printed beside the figures: on a shared machine they move with it. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRANSKRIPT_SHARED", ROOT.parent / "shared")).resolve()
AUDIO = SHARED / "eval" / "audio"
SOURCES = ["pub01-lezen-groep5", "pub02-gedrag-groep7", "pub03-schooladvies-groep8"]
STAGES = ("startup", "transcribe", "speakers", "summarize", "export")


def recording(out: Path, minutes: float, variant: int) -> Path:
    """``minutes`` of the public recordings one after another; ``variant`` changes a few samples (the case file
    accepts a recording's bytes only once)."""
    lst = out / f"list{variant}.txt"
    files = [AUDIO / f"{SOURCES[i % len(SOURCES)]}.wav" for i in range(int(minutes * 60 // 100) + 2)]
    lst.write_text("".join(f"file '{f}'\n" for f in files))
    path = out / f"avond-{variant}.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(lst), "-t",
                    str(minutes * 60), "-af", f"volume={1 - variant * 0.01}", "-ar", "16000", "-ac", "1",
                    str(path)], check=True)
    return path


def one(archive, path: Path, pupil: str, times: dict, warm_started: float | None) -> None:
    """One conversation through the pipeline (as the worker runs it) and its PDF (as the app makes it)."""
    from transkript_kernel import pipeline
    from transkript_kernel.casefile import consent

    conv = archive.create(pupil=pupil, date="2026-10-05", kind="tienminutengesprek", language="nl", group="groep 5",
                          consent=consent.record(True, "ouder", how="mondeling", name="Ouder Bench"))
    pipeline.import_recording(archive, conv.id, path)
    ends: dict[str, float] = {}

    def progress(stage, fraction):
        if fraction >= 1.0 and stage not in ends:
            ends[stage] = time.perf_counter()

    start = time.perf_counter()
    pipeline.process_conversation(archive, conv.id, progress=progress, actor="bench")
    t_export = time.perf_counter()
    pipeline.export_report(archive, conv.id, actor="bench")
    done = time.perf_counter()
    times["transcribe"] = ends["transcribe"] - start
    times["speakers"] = ends["speakers"] - ends["transcribe"]
    times["summarize"] = t_export - ends["speakers"]
    times["export"] = done - t_export
    if warm_started is not None:
        times["startup"] = warm_started


def child(data: str, cold: str, warm: str, queue) -> None:
    """A fresh worker-like process: cold conversation (loading as it goes), then a warm one."""
    t0 = time.perf_counter()
    os.environ["TRANSKRIPT_DATA"] = data
    from transkript_kernel.casefile.archive import Archive

    archive = Archive(data)
    imports = time.perf_counter() - t0
    first: dict = {}
    one(archive, Path(cold), "Bench Koud", first, imports)
    second: dict = {}
    one(archive, Path(warm), "Bench Warm", second, 0.0)
    archive.close()
    queue.put((first, second))


def child_warm_only(data: str, warm: str, queue) -> None:
    """The worker's own start: ``warm()`` first (what the service's worker does while the teacher types)."""
    os.environ["TRANSKRIPT_DATA"] = data
    from transkript_kernel.casefile.archive import Archive
    from transkript_kernel.worker import process

    t0 = time.perf_counter()
    process.warm()
    process_warm = time.perf_counter() - t0
    archive = Archive(data)
    times: dict = {}
    one(archive, Path(warm), "Bench Voorverwarmd", times, 0.0)
    archive.close()
    queue.put((process_warm, times))


def show(label: str, times: dict, length: float) -> float:
    total = sum(times.get(s, 0.0) for s in STAGES)
    parts = "  ".join(f"{s} {times.get(s, 0.0):6.1f} s ({times.get(s, 0.0) / length:.3f}×)" for s in STAGES)
    print(f"{label:<6} {parts}  total {total:6.1f} s = {total / length:.3f}× its length")
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    length = args.minutes * 60
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cold_wav, warm_wav, pre_wav = (recording(tmp, args.minutes, v) for v in (0, 1, 2))
        print(f"recording: {args.minutes:g} min from {', '.join(SOURCES)}; {os.cpu_count()} cores, "
              f"load average at start {os.getloadavg()[0]:.1f}")
        q = ctx.Queue()
        p = ctx.Process(target=child, args=(str(tmp / "data"), str(cold_wav), str(warm_wav), q))
        p.start()
        cold, warm = q.get()
        p.join()
        q2 = ctx.Queue()
        p2 = ctx.Process(target=child_warm_only, args=(str(tmp / "data2"), str(pre_wav), q2))
        p2.start()
        warm_up, pre = q2.get()
        p2.join()
        print(f"stage seconds (share of the {length:.0f} s recording); load average now {os.getloadavg()[0]:.1f}")
        cold_total = show("cold", cold, length)
        warm_total = show("warm", warm, length)
        show("worker", pre, length)
        print(f"the worker's warm() before its first job: {warm_up:.1f} s (paid once per evening, while waiting)")
        print(f"throughput for {args.minutes:g}-minute conversations: queue in the warm worker "
              f"{3600 / warm_total:.1f}/hour, one at a time in fresh processes {3600 / cold_total:.1f}/hour")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
