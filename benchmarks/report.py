"""Report and batch speed: seconds per PDF, and batch throughput with 1 and 2 workers.

    .venv/bin/python benchmarks/report.py [--repeat 5] [--files 2] [--skip-batch]

PDFs are made from a perfect (reference) transcript of the public eval material so the figure is the report's
own cost; the batch runs the real engine (faster-whisper, speakers, summary, PDF) through papermill on the
public .m4a recordings. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRANSKRIPT_SHARED", ROOT.parent / "shared")).resolve()
EVAL = SHARED / "eval"
sys.path.insert(0, str(ROOT))


def reference(conv_id: str, out: Path):
    from transkript_kernel.transcript import Transcript

    path = out / f"{conv_id}.json"
    subprocess.run([sys.executable, str(EVAL / "score.py"), "reftranscript", str(EVAL / "audio" / f"{conv_id}.ref.json"),
                    str(EVAL / "conversations" / f"{conv_id}.json"), str(path)], check=True)
    return Transcript.load(path)


def bench_pdf(tmp: Path, repeat: int) -> None:
    from transkript_kernel import report, summarize
    from transkript_kernel.conversation import ConsentRecord, Conversation, Participant

    transcript = reference("pub02-gedrag-groep7", tmp)
    summary = summarize.summarize(transcript)
    conv = Conversation(id="bench", pupil="Bram de Wit", date="2026-03-12", group="7",
                        participants=[Participant("Juf Ilse", "docent"), Participant("Vader", "ouder")],
                        consent=ConsentRecord(True, "ouder", "2026-03-12T18:00:00+00:00"))
    t0 = time.perf_counter()
    report.render_pdf(tmp / "warm.pdf", transcript=transcript, summary=summary, conversation=conv)
    print(f"first PDF (imports, fonts, template): {time.perf_counter() - t0:.2f} s")
    for lang, with_transcript in [("nl", False), ("nl", True), ("ar", True)]:
        times = []
        for i in range(repeat):
            t0 = time.perf_counter()
            out = report.render_pdf(tmp / f"r-{lang}-{i}.pdf", transcript=transcript, summary=summary,
                                    conversation=conv, language=lang, with_transcript=with_transcript)
            times.append(time.perf_counter() - t0)
        pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
        pages = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
        print(f"PDF {lang}{' + transcript' if with_transcript else ''}: median {statistics.median(times):.2f} s, "
              f"min {min(times):.2f} s over {repeat} ({pages} pages, {out.stat().st_size / 1024:.0f} kB, "
              f"{len(transcript.segments)} segments)")


def bench_batch(tmp: Path, files: int) -> None:
    recordings = sorted((EVAL / "audio").glob("*.m4a"))[:files]
    src = tmp / "in"
    src.mkdir()
    for r in recordings:
        shutil.copy(r, src / r.name)
    audio_seconds = 0.0
    for r in recordings:
        import json

        ref = json.loads((EVAL / "audio" / f"{r.stem}.ref.json").read_text(encoding="utf-8"))
        segs = ref["segments"] if isinstance(ref, dict) else ref
        audio_seconds += max(s["end"] for s in segs)
    for workers in (1, 2):
        out = tmp / f"out-{workers}"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "transkript_kernel", "batch", str(src), "--out", str(out),
                               "--consent", "given", "--workers", str(workers), "--no-progress"],
                              capture_output=True, text=True, env={**os.environ, "TRANSKRIPT_DATA": str(tmp / "data")})
        wall = time.perf_counter() - t0
        status = proc.stdout.strip().splitlines()[-2] if proc.stdout.strip() else proc.stderr[-300:]
        print(f"batch, {workers} worker(s), {len(recordings)} recordings ({audio_seconds:.0f} s of audio): "
              f"{wall:.1f} s wall, {wall / len(recordings):.1f} s per recording, "
              f"{len(recordings) / wall * 3600:.0f} recordings/hour, real-time factor {wall / audio_seconds:.2f}"
              f"  [{status}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", type=int, default=2)
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()
    print(f"cpu cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="transkript-bench-") as tmp:
        os.environ["TRANSKRIPT_DATA"] = str(Path(tmp) / "data")
        bench_pdf(Path(tmp), args.repeat)
        if not args.skip_batch:
            bench_batch(Path(tmp), args.files)


if __name__ == "__main__":
    main()
