"""A summary for every language (issue 16 item 2): through Whisper's own English, with evidence in the original.

The extractive summariser has rules for Dutch and English only. For a conversation held in another language
(Turkish, Polish, Arabic…) the transcript stays in the spoken language — that is what was said, and what the
case file keeps — and Whisper translates *the same audio* into English (``task="translate"``). That English
version is summarised; each item's evidence is mapped back to the original segments that overlap the English
ones in time, so "bron" still points at what was said. Every item is a proposal marked "controleer" (``check``,
not ticked): Whisper's translation can be wrong in ways nobody reading only the English would see, so the
teacher ticks an item after checking it against the original. The summary is marked as made from a machine translation
(:data:`MARK` in ``summary.backend``, plus a warning in Dutch and English), and the report says so plainly in
the family's language (:func:`translated_from`).

A conversation with an interpreter or in mixed languages is transcribed per speech chunk in its own language
(:func:`.asr.transcribe_by_language`) and summarised in its main language: directly when that is Dutch or
English, else through Whisper's English as above.
"""
from __future__ import annotations

from typing import Callable, ContextManager

from .summary import Summary, Warning
from .transcript import Transcript

#: In ``Summary.backend`` after the backend's own name: "extractive; whisper-translate:tr".
MARK = "whisper-translate:"
#: Evidence: an English segment points at every original segment it covers at least this share of.
MIN_SHARE = 0.5


def summary_languages(backend: str | None = None) -> tuple[str, ...] | None:
    """The languages ``backend`` summarises directly; None: any (a language model)."""
    from .lexicon import LANGUAGES
    from .settings import get
    from .summarize import SummarySettings

    backend = backend or get(SummarySettings).backend
    return tuple(LANGUAGES) if backend == "extractive" else None


def needs_english(transcript: Transcript, backend: str | None = None) -> bool:
    """True when the summariser has no rules for the transcript's (main) language."""
    known = summary_languages(backend)
    return known is not None and (transcript.language or "").lower() not in known


def translated_from(summary: Summary | None) -> str | None:
    """The spoken language a summary was made from through Whisper's English, or None."""
    backend = getattr(summary, "backend", "") or ""
    for part in backend.split(";"):
        part = part.strip()
        if part.startswith(MARK):
            return part[len(MARK):] or None
    return None


def evidence_map(english: Transcript, original: Transcript) -> dict[int, list[int]]:
    """English segment id → the original segment ids it stands for (same times).

    An original segment counts when at least :data:`MIN_SHARE` of it (or of the English one, if that is the
    shorter) overlaps; otherwise the one with most overlap, so no evidence is lost."""
    out: dict[int, list[int]] = {}
    for e in english.segments:
        ids, best, best_overlap = [], None, 0.0
        for o in original.segments:
            overlap = min(e.end, o.end) - max(e.start, o.start)
            if overlap <= 0:
                continue
            if overlap >= MIN_SHARE * max(1e-6, min(o.end - o.start, e.end - e.start)):
                ids.append(o.id)
            if overlap > best_overlap:
                best, best_overlap = o.id, overlap
        out[e.id] = ids or ([best] if best is not None else [])
    return out


def translated(text: str, min_words: int = 4) -> bool:
    """Is this segment English at all? Whisper base sometimes leaves a turn in the spoken language under
    ``task="translate"``; English rules must not run on it. Short segments ("Tamam.") are let through."""
    import re

    from .lexicon import known_language

    return len(re.findall(r"[^\W\d_]+", text)) < min_words or known_language(text)


def _remap(summary: Summary, mapping: dict[int, list[int]]) -> Summary:
    """Evidence in original segment ids. An item whose English lies where the original transcript has nothing
    (the recogniser heard no words there) has no source to check it against: it becomes a warning."""
    def ids(evidence):
        return sorted({o for e in evidence or () for o in mapping.get(e, [])})

    for w in summary.warnings:
        w.evidence = ids(w.evidence)
    for part in ("topics", "concerns", "actions"):
        kept = []
        for item in getattr(summary, part):
            had = bool(item.evidence)
            item.evidence = ids(item.evidence)
            if item.evidence or not had:
                kept.append(item)
            else:
                due = getattr(item, "due", None)
                summary.warnings.append(Warning("unsupported", f"{item.text} ({due})" if due else item.text))
        setattr(summary, part, kept)
    return summary


def notice(source: str) -> str:
    """The summary's own warning (Dutch / English, like the summariser's notices)."""
    from . import labels

    nl, en = labels.language_name("nl", source), labels.language_name("en", source)
    return (f"Deze samenvatting is automatisch gemaakt uit een machinevertaling naar het Engels (Whisper) van het "
            f"gesprek in het {nl}; de bronnen wijzen naar het transcript in het {nl}. Controleer elk punt. / This "
            f"summary was made automatically from a machine translation into English (Whisper) of the "
            f"conversation in {en}; its sources point at the {en} transcript. Check every item.")


def summarize_via_english(original: Transcript, english: Transcript, *, backend: str | None = None) -> Summary:
    """Summarise Whisper's English version of ``original`` with evidence in ``original`` (its segment ids).

    ``english`` gets the original's speakers by time (:func:`.translate.align_speakers`) so the summariser can
    tell who promised what."""
    from . import summarize, translate

    english = translate.align_speakers(english.copy(), original)
    english.language = "en"
    for seg in english.segments:
        seg.words = None  # word times of a translation mean nothing; the doubt check reads the original
    english.segments = [seg for seg in english.segments if translated(seg.text)]
    for i, seg in enumerate(english.segments):  # ids are positions for the summariser; times stay
        seg.id = i
    summary = summarize.summarize(english, backend=backend, language="en")
    summary = _remap(summary, evidence_map(english, original))
    for part in ("topics", "concerns", "actions"):  # proposals: the teacher ticks each after checking it
        for item in getattr(summary, part):
            item.check, item.include = True, False
    source = (original.language or "?").split("-")[0]
    summary.backend = f"{summary.backend}; {MARK}{source}"
    summary.warnings.insert(0, Warning("other", notice(source)))
    return summary


def summarize_any(transcript: Transcript, recording: Callable[[], ContextManager] | None, *,
                  backend: str | None = None, model: str | None = None, progress=None) -> Summary:
    """The summary of a transcript in any language: directly when the summariser knows its main language,
    else through Whisper's English from ``recording()`` (a context manager giving the recording's path, or
    None when it is gone — then the summary is empty with the summariser's own notice)."""
    from . import asr, summarize

    if not needs_english(transcript, backend) or recording is None:
        return summarize.summarize(transcript, backend=backend)
    with recording() as path:
        if path is None:
            return summarize.summarize(transcript, backend=backend)
        english = asr.translate_to_english(path, language=transcript.language, model=model, progress=progress)
    return summarize_via_english(transcript, english, backend=backend)
