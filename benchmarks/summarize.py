"""How long the default summariser takes on a ~10-minute and on a 3-hour conversation.

Budget: at most 1 s per 10 minutes of conversation on 2 cores. Reported, never asserted.

The public reference transcripts are concatenated (ids renumbered, times shifted) until the talk lasts at
least ten minutes; the extractive backend then summarises it several times. Prints figures, asserts nothing.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVAL = Path(os.environ.get("TRANSKRIPT_SHARED", ROOT.parent / "shared")) / "eval"


def long_transcript(minutes: float = 10.0):
    from transkript_kernel.evaluation import load_scorer
    from transkript_kernel.transcript import Transcript

    scorer = load_scorer(EVAL)
    parts = []
    for conv in sorted((EVAL / "conversations").glob("*.json")):
        data = json.loads(conv.read_text(encoding="utf-8"))
        if data["language"] != "nl":
            continue
        ref = json.loads((EVAL / "audio" / f"{conv.stem}.ref.json").read_text(encoding="utf-8"))
        parts.append(Transcript.from_dict(scorer.ref_transcript(ref, data)))
    out = Transcript("nl", 0.0, [], dict(parts[0].speakers))
    offset, i = 0.0, 0
    while offset < minutes * 60:
        part = parts[i % len(parts)].copy()
        roles = {k: sp.role for k, sp in part.speakers.items()}
        by_role = {sp.role: k for k, sp in out.speakers.items()}
        for seg in part.segments:
            seg.id = len(out.segments)
            seg.start += offset
            seg.end += offset
            seg.speaker = by_role.get(roles.get(seg.speaker), seg.speaker)
            out.segments.append(seg)
        offset = out.segments[-1].end + 1.0
        i += 1
    out.duration = offset
    return out


def _timed(fn):
    """``fn()``, its wall and its CPU seconds (this process and its children: on a loaded machine wall time
    alone lies)."""
    from transkript_kernel.cluster import cpu_seconds

    t0, c0 = time.perf_counter(), cpu_seconds()
    out = fn()
    return out, time.perf_counter() - t0, cpu_seconds() - c0


def asr_fixtures(split: str = "dev"):
    """The committed ASR fixtures of the corpus (tests/data/corpus_asr/<split>), or none."""
    from transkript_kernel.transcript import Transcript

    folder = ROOT / "tests" / "data" / "corpus_asr" / split
    return [Transcript.load(p) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def main() -> int:
    from transkript_kernel.summarize import summarize

    print(f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs")
    transcript = long_transcript()
    words = sum(len(s.text.split()) for s in transcript.segments)
    first, cold, cold_cpu = _timed(lambda: summarize(transcript))
    runs = [_timed(lambda: summarize(transcript))[1:] for _ in range(5)]
    wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
    print(f"transcript: {transcript.duration / 60:.1f} min, {len(transcript.segments)} segments, {words} words")
    print(f"extractive summary: first run {cold:.3f} s wall / {cold_cpu:.3f} s CPU (loads lexicons, tagger), then "
          f"median {statistics.median(wall):.3f} s wall / {statistics.median(cpu):.3f} s CPU over {len(runs)} runs")
    print(f"result: {len(first.topics)} topics, {len(first.concerns)} concerns, {len(first.actions)} actions, "
          f"{len(first.warnings)} warnings")
    long = long_transcript(180.0)
    _, took, took_cpu = _timed(lambda: summarize(long))
    budget = long.duration / 600.0
    print(f"3-hour transcript: {long.duration / 60:.0f} min, {len(long.segments)} segments: {took:.2f} s wall / "
          f"{took_cpu:.2f} s CPU (budget {budget:.1f} s = 1 s per 10 min; "
          f"{'within' if took_cpu <= budget else 'OVER'} budget by CPU)")
    fixtures = asr_fixtures()
    if fixtures:
        minutes = sum(t.duration for t in fixtures) / 60
        _, took, took_cpu = _timed(lambda: [summarize(t) for t in fixtures])
        print(f"recognised speech (corpus ASR fixtures, dev): {len(fixtures)} conversations, {minutes:.0f} min: "
              f"{took:.2f} s wall / {took_cpu:.2f} s CPU = {took_cpu / minutes * 10:.2f} s CPU per 10 min "
              "(word lists: doubt marks and clause cuts)")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
