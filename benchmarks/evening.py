"""A parent evening's speed: each stage of a 10-minute conversation, cold and in the warm worker, and throughput.

    .venv/bin/python benchmarks/evening.py [--minutes 10] [--skip-cold]

A 10-minute recording is put together from the public recordings (ffmpeg, 16 kHz mono WAV). "Cold" is one
conversation in a fresh process, as one-at-a-time processing pays it: imports, model loading, transcription,
speakers, summary and the first PDF of the process. "Warm" is the next conversation in the same process (models
loaded, the PDF renderer already used), the case of an evening's queue. "Worker" is a fresh process that first
runs the worker's own ``warm()`` (:mod:`transkript_kernel.worker.process`, paid once per evening while the
teacher fills in the consent form) and then one conversation.

Per stage: wall seconds, CPU seconds of the process (all its threads, plus children such as ffmpeg) and the wall
time as a share of the recording's length (target: the warm total ≤ 0.12×). Stages: ``decode`` (reading the
recording, until ASR reports), ``transcribe``, ``diarize`` (until diarisation reports its end), ``merge``
(turns onto words, roles, names, storing the transcript), ``summarize``, ``export`` (the PDF). On a shared
machine wall time moves with the load (printed at the start and after each process); CPU seconds move much
less. Throughput: recordings of this length per hour, queue (warm) beside one at a time (cold). Prints
figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRANSKRIPT_SHARED", ROOT.parent / "shared")).resolve()
AUDIO = SHARED / "eval" / "audio"
SOURCES = ["pub01-lezen-groep5", "pub02-gedrag-groep7", "pub03-schooladvies-groep8"]
STAGES = ("startup", "decode", "transcribe", "diarize", "merge", "summarize", "export")


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


def clock() -> tuple[float, float]:
    """(wall, CPU) now; CPU of this process's threads and its finished children (ffmpeg decoding)."""
    from transkript_kernel.cluster import cpu_seconds

    return time.perf_counter(), cpu_seconds()


class Marks:
    """Stage ends from the pipeline's ``progress(stage, fraction)``: ASR's first report ends ``decode``, its
    1.0 ends ``transcribe``, the speakers stage's first 1.0 (diarisation's own) ends ``diarize``, the summary's
    start ends ``merge``."""

    def __init__(self):
        self.at = {"start": clock()}

    def progress(self, stage: str, fraction: float) -> None:
        key = {("transcribe", False): "decode", ("transcribe", True): "transcribe",
               ("speakers", True): "diarize", ("summarize", False): "merge"}.get((stage, fraction >= 1.0))
        if key is not None and key not in self.at:
            self.at[key] = clock()

    def mark(self, key: str) -> None:
        self.at[key] = clock()

    def stages(self) -> dict[str, tuple[float, float]]:
        order = ["start", "decode", "transcribe", "diarize", "merge", "summarize", "export"]
        out, last = {}, self.at["start"]
        for key in order[1:]:
            now = self.at.get(key, last)
            out[key] = (now[0] - last[0], now[1] - last[1])
            last = now
        return out


def one(archive, path: Path, pupil: str) -> dict[str, tuple[float, float]]:
    """One conversation through the pipeline (as the worker runs it) and its PDF (as the app makes it)."""
    from transkript_kernel import pipeline
    from transkript_kernel.casefile import consent

    conv = archive.create(pupil=pupil, date="2026-10-05", kind="tienminutengesprek", language="nl", group="groep 5",
                          consent=consent.record(True, "ouder", how="mondeling", name="Ouder Bench"))
    pipeline.import_recording(archive, conv.id, path)
    marks = Marks()
    pipeline.process_conversation(archive, conv.id, progress=marks.progress, actor="bench")
    marks.mark("summarize")
    pipeline.export_report(archive, conv.id, actor="bench")
    marks.mark("export")
    return marks.stages()


def child(data: str, cold: str, warm: str, queue) -> None:
    """A fresh process: a cold conversation (loading as it goes), then a warm one."""
    t0 = clock()
    os.environ["TRANSKRIPT_DATA"] = data
    from transkript_kernel.casefile.archive import Archive

    archive = Archive(data)
    t1 = clock()
    first = {"startup": (t1[0] - t0[0], t1[1] - t0[1]), **one(archive, Path(cold), "Bench Koud")}
    second = one(archive, Path(warm), "Bench Warm")
    archive.close()
    queue.put((first, second, os.getloadavg()[0]))


def child_worker(data: str, path: str, queue) -> None:
    """The worker's own start: ``warm()`` first (what the service's worker does while the teacher types), then
    the PDF renderer as the app's kernel warms it, then one conversation."""
    os.environ["TRANSKRIPT_DATA"] = data
    from transkript_kernel.casefile.archive import Archive
    from transkript_kernel.worker import process

    t0 = clock()
    process.warm()
    t1 = clock()
    process.warm_pdf()
    t2 = clock()
    archive = Archive(data)
    times = one(archive, Path(path), "Bench Voorverwarmd")
    archive.close()
    queue.put(((t1[0] - t0[0], t1[1] - t0[1]), (t2[0] - t1[0], t2[1] - t1[1]), times, os.getloadavg()[0]))


def run(target, *args):
    """``target(*args, queue)`` in a fresh spawned process; its answer, or SystemExit when it died without one."""
    import queue as queue_mod

    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    while True:
        try:
            out = q.get(timeout=5)
            break
        except queue_mod.Empty:
            if not p.is_alive():
                raise SystemExit(f"{target.__name__} ended with exit code {p.exitcode} and no figures")
    p.join()
    return out


def table(columns: dict[str, dict], length: float) -> dict[str, float]:
    """Stage rows, one wall/CPU column pair per run; returns each run's wall total."""
    print(f"{'stage':<11}" + "".join(f"{name:>30}" for name in columns))
    print(f"{'':<11}" + f"{'wall s   cpu s   wall/len':>30}" * len(columns))
    for stage in STAGES:
        cells = []
        for times in columns.values():
            wall, cpu = times.get(stage, (0.0, 0.0))
            cells.append(f"{wall:8.1f} {cpu:7.1f} {wall / length:9.3f}×" if stage in times else f"{'–':>30}")
        print(f"{stage:<11}" + "".join(f"{c:>30}" for c in cells))
    totals = {}
    cells = []
    for name, times in columns.items():
        wall = sum(w for w, _ in times.values())
        cpu = sum(c for _, c in times.values())
        totals[name] = wall
        cells.append(f"{wall:8.1f} {cpu:7.1f} {wall / length:9.3f}×")
    print(f"{'total':<11}" + "".join(f"{c:>30}" for c in cells))
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--skip-cold", action="store_true",
                        help="only the worker (warm() first, then one conversation): a third of the time")
    args = parser.parse_args()
    length = args.minutes * 60
    os.environ.setdefault("TRANSKRIPT_PASSPHRASE", "benchmark-wachtwoord-niet-echt")  # throw-away case files
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cold_wav, warm_wav, pre_wav = (recording(tmp, args.minutes, v) for v in (0, 1, 2))
        print(f"recording: {args.minutes:g} min from {', '.join(SOURCES)}; {os.cpu_count()} cores, "
              f"load average at start {os.getloadavg()[0]:.1f}", flush=True)
        columns = {}
        if not args.skip_cold:
            cold, warm, load = run(child, str(tmp / "data"), str(cold_wav), str(warm_wav))
            print(f"cold and warm done; load average {load:.1f}", flush=True)
            columns.update(cold=cold, warm=warm)
        warm_up, pdf_up, worker, load = run(child_worker, str(tmp / "data2"), str(pre_wav))
        print(f"worker done; load average {load:.1f}", flush=True)
        columns["worker"] = worker
        print(f"stage seconds: wall, CPU (process + children) and wall as a share of the {length:.0f} s recording")
        totals = table(columns, length)
        print(f"the worker's warm() before its first job: {warm_up[0]:.1f} s wall, {warm_up[1]:.1f} s CPU; the "
              f"PDF renderer's warm-up: {pdf_up[0]:.1f} s wall, {pdf_up[1]:.1f} s CPU (both paid once per evening, "
              "while the teacher fills in the form)")
        queue_total = totals.get("warm", totals["worker"])
        line = f"throughput for {args.minutes:g}-minute conversations: queue in the warm worker {3600 / queue_total:.1f}/hour"
        if "cold" in totals:
            line += f", one at a time in fresh processes {3600 / totals['cold']:.1f}/hour"
        print(line + f" (load average now {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
