"""Against selective reporting: long stretches of the conversation that no item cites raise a warning."""
from __future__ import annotations

import re

from .formatting import clock
from .summary import Warning

TEXT = {"nl": "Segment {a}–{b} ({ta}–{tb}, {n} beurten) komt in geen onderwerp, zorg of afspraak voor. "
              "Controleer of de samenvatting hier iets mist.",
        "en": "Segments {a}–{b} ({ta}–{tb}, {n} turns) are not cited by any topic, concern or action. "
              "Check whether the summary misses something there."}


def uncovered(transcript, summary, *, min_seconds: float = 45.0, min_segments: int = 3,
              min_words: int = 5) -> list[list]:
    """Runs of consecutive content segments (``min_words`` or more) that no item cites."""
    cited = {i for part in (summary.topics, summary.concerns, summary.actions) for item in part for i in item.evidence}
    runs, run = [], []
    for seg in transcript.segments:
        words = len(re.findall(r"\w+", seg.text))
        if seg.id in cited:
            if run:
                runs.append(run)
            run = []
        elif words >= min_words:
            run.append(seg)
    if run:
        runs.append(run)
    out = []
    for run in runs:
        duration = run[-1].end - run[0].start
        if len(run) >= min_segments and (duration >= min_seconds or duration <= 0):
            out.append(run)
    return out


def warnings(transcript, summary, language: str = "nl", **limits) -> list[Warning]:
    text = TEXT.get(language, TEXT["nl"])
    return [Warning("incomplete", text.format(a=run[0].id, b=run[-1].id, ta=clock(run[0].start),
                                              tb=clock(run[-1].end), n=len(run)), [s.id for s in run])
            for run in uncovered(transcript, summary, **limits)]
