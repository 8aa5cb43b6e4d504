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


def main() -> int:
    from transkript_kernel.summarize import summarize

    transcript = long_transcript()
    words = sum(len(s.text.split()) for s in transcript.segments)
    t0 = time.perf_counter()
    first = summarize(transcript)
    cold = time.perf_counter() - t0
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        summarize(transcript)
        times.append(time.perf_counter() - t0)
    print(f"transcript: {transcript.duration / 60:.1f} min, {len(transcript.segments)} segments, {words} words")
    print(f"extractive summary: first run {cold:.3f} s (loads lexicons), then median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}) over {len(times)} runs")
    print(f"result: {len(first.topics)} topics, {len(first.concerns)} concerns, {len(first.actions)} actions, "
          f"{len(first.warnings)} warnings")
    long = long_transcript(180.0)
    t0 = time.perf_counter()
    summarize(long)
    took = time.perf_counter() - t0
    budget = long.duration / 600.0
    print(f"3-hour transcript: {long.duration / 60:.0f} min, {len(long.segments)} segments: {took:.2f} s "
          f"(budget {budget:.1f} s = 1 s per 10 min; {'within' if took <= budget else 'OVER'} budget)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
