"""The summary seam: one call, several backends, the same neutrality and coverage checks for all.

``summarize(transcript, backend="extractive")`` returns a :class:`~transkript_kernel.summary.Summary` that
follows ``contracts/summary.schema.json``. Backends are looked up by name; an optional one (``transformers``)
fails only when it is used, with :class:`BackendUnavailableError`. Whatever the backend wrote, judgements are
scrubbed from its items and reported as warnings, and stretches no item covers are flagged.
"""
from __future__ import annotations

import importlib
import json
from functools import lru_cache
from pathlib import Path

from traitlets import CaselessStrEnum, Float
from traitlets.config import Configurable

from .errors import BackendUnavailableError, InputError, SummaryError
from .formatting import clock
from .summary import Summary, Warning

# name -> "module:function"; the function takes (transcript, language=..., **options) and returns a Summary
BACKENDS = {
    "extractive": "transkript_kernel.extractive:summarise",
    "transformers": "transkript_kernel.llm:summarise",
}


class SummarySettings(Configurable):
    """How summaries are made."""

    backend = CaselessStrEnum(tuple(BACKENDS), "extractive", help="Default summary backend: 'extractive' (offline "
                              "rules, instant) or 'transformers' (a local language model, see "
                              "LlmSettings).").tag(config=True)
    incomplete_seconds = Float(45.0, min=0.0, help="A stretch of at least this many seconds (and three turns) that "
                                                   "no item cites raises an 'incomplete' warning.").tag(config=True)


def backends() -> list[str]:
    """Names of all backends; optional ones may still fail with BackendUnavailableError when used."""
    return list(BACKENDS)


def _backend(name: str):
    if name not in BACKENDS:
        raise InputError(f"Onbekende samenvattingsmethode {name!r}; kies uit {', '.join(BACKENDS)}.",
                         f"Unknown summary backend {name!r}; choose from {', '.join(BACKENDS)}.")
    module, func = BACKENDS[name].split(":")
    try:
        return getattr(importlib.import_module(module), func)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise BackendUnavailableError(
            f"De methode {name!r} is niet beschikbaar: {exc}. Gebruik 'extractive'.",
            f"The backend {name!r} is not available: {exc}. Use 'extractive'.") from exc


def _as_transcript(transcript):
    from .transcript import Transcript

    if isinstance(transcript, Transcript):
        return transcript
    if isinstance(transcript, (str, Path)):
        return Transcript.load(transcript)
    if isinstance(transcript, dict):
        try:
            return Transcript.from_dict(transcript)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"Dit transcript is onvolledig: {exc}", f"This transcript is incomplete: {exc}") from exc
    raise InputError(f"Verwacht een transcript, kreeg {type(transcript).__name__}.",
                     f"Expected a transcript, got {type(transcript).__name__}.")


def summarize(transcript, *, backend: str | None = None, language: str | None = None, **options) -> Summary:
    """Summarise ``transcript`` (Transcript, dict or path) with ``backend``; always schema-valid."""
    from . import coverage, neutrality
    from .lexicon import guess_language
    from .settings import get

    settings = get(SummarySettings)
    backend = backend or settings.backend
    fn = _backend(backend)
    transcript = _as_transcript(transcript)
    lang = language or transcript.language or guess_language(transcript.text)
    lang = lang if lang in ("nl", "en") else guess_language(transcript.text)
    why = refusal(transcript, language, backend)
    if why:
        empty = Summary(language=lang, backend=backend)
        empty.warnings.append(Warning("other", why))
        return empty
    summary = fn(transcript, language=lang, **options)
    summary.language = lang
    neutrality.scrub(summary)
    warnings = list(summary.warnings) + neutrality.transcript_warnings(transcript, lang)
    warnings += coverage.warnings(transcript, summary, lang, min_seconds=settings.incomplete_seconds)
    summary.warnings = _dedupe_warnings(warnings)
    validate(summary.to_dict())
    return summary


NOTICES = {
    "empty": "Het transcript is leeg of te kort (minder dan {n} woorden): er is niets samen te vatten. / "
             "The transcript is empty or too short (fewer than {n} words): there is nothing to summarise.",
    "speakers": "Het transcript heeft geen sprekers: zonder sprekers is niet te zeggen wie wat afsprak, dus de "
                "samenvatting blijft leeg. Laat de sprekers herkennen en vat opnieuw samen. / The transcript has no "
                "speakers: without them nobody can tell who agreed to what, so the summary stays empty. Detect the "
                "speakers and summarise again.",
    "language": "Voor de taal {lang!r} heeft de samenvatter geen regels (alleen Nederlands en Engels): de "
                "samenvatting blijft leeg. / The summariser has no rules for the language {lang!r} (only Dutch and "
                "English): the summary stays empty.",
}
MIN_WORDS = 3


def refusal(transcript, language: str | None = None, backend: str = "extractive") -> str | None:
    """Why this transcript gets a summary without items (a bilingual notice), or None. Bad input never raises
    and never yields an invented item: empty or one-word transcripts, transcripts without any speaker, and (for
    the rule-based backend) languages it has no rules for."""
    import re

    from .lexicon import LANGUAGES, known_language

    n_words = len(re.findall(r"\w+", transcript.text))
    if n_words < MIN_WORDS:
        return NOTICES["empty"].format(n=MIN_WORDS)
    if not any(seg.speaker for seg in transcript.segments):
        return NOTICES["speakers"]
    if backend == "extractive":
        lang = (language or transcript.language or "").lower() or None
        if lang and lang not in LANGUAGES:
            return NOTICES["language"].format(lang=lang)
        if not lang and not known_language(transcript.text):
            return NOTICES["language"].format(lang="?")
    return None


def _dedupe_warnings(warnings: list[Warning]) -> list[Warning]:
    seen, out = set(), []
    for w in warnings:
        key = (w.kind, w.text)
        if key not in seen:
            seen.add(key)
            out.append(w)
    return out


@lru_cache(maxsize=1)
def schema() -> dict:
    """The public summary contract (a copy of contracts/summary.schema.json shipped with the package)."""
    path = Path(__file__).resolve().parent / "data" / "summary.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _problems(data: dict) -> list[str]:
    """Where ``data`` breaks the summary contract. Hand-written on purpose: importing jsonschema costs seconds
    (it builds IRI grammars at import), and the contract is small; tests check it with jsonschema too."""
    sch = schema()
    roles = set(sch["$defs"]["role"]["enum"])
    kinds = set(sch["properties"]["warnings"]["items"]["properties"]["kind"]["enum"])
    out = [f"(root): '{k}' ontbreekt / is missing" for k in sch["required"] if k not in data]
    if data.get("schema") != sch["properties"]["schema"]["const"]:
        out.append("schema")
    for key in ("language", "backend"):
        if not isinstance(data.get(key), str):
            out.append(key)

    def evidence(where, ev):
        if not isinstance(ev, list) or not ev or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0
                                                          for i in ev):
            out.append(f"{where}/evidence")

    for part, fields in (("topics", ()), ("concerns", ("raised_by",)), ("actions", ("owner", "due"))):
        items = data.get(part)
        if not isinstance(items, list):
            out.append(part)
            continue
        for n, item in enumerate(items):
            where = f"{part}/{n}"
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                out.append(f"{where}/text")
                continue
            evidence(where, item.get("evidence"))
            conf = item.get("confidence")
            if conf is not None and (isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0 <= conf <= 1):
                out.append(f"{where}/confidence")
            out += [f"{where}/{f}" for f in ("check", "include") if f in item and not isinstance(item[f], bool)]
            for f in fields:
                if f not in item:
                    out.append(f"{where}/{f}")
                elif f in ("raised_by", "owner") and item[f] not in roles:
                    out.append(f"{where}/{f}")
                elif f == "due" and item[f] is not None and not isinstance(item[f], str):
                    out.append(f"{where}/{f}")
    for n, w in enumerate(data.get("warnings") or []):
        if not isinstance(w, dict) or w.get("kind") not in kinds or not isinstance(w.get("text"), str):
            out.append(f"warnings/{n}")
        elif "evidence" in w and not (isinstance(w["evidence"], list) and all(isinstance(i, int) for i in w["evidence"])):
            out.append(f"warnings/{n}/evidence")
    return out


def validate(data: dict) -> None:
    """Raise SummaryError when ``data`` does not follow the summary contract."""
    problems = _problems(data) if isinstance(data, dict) else ["(root)"]
    if problems:
        where = ", ".join(problems[:5])
        raise SummaryError(f"De samenvatting volgt het formaat niet: {where}",
                           f"The summary does not follow the contract: {where}")


# --- Markdown -----------------------------------------------------------------------------------------------
LABELS = {
    "nl": {"title": "Samenvatting", "topics": "Besproken onderwerpen", "concerns": "Zorgen",
           "actions": "Afspraken", "warnings": "Aandachtspunten voor de lezer", "who": "Wie", "what": "Wat",
           "when": "Wanneer", "source": "Bron", "raised": "genoemd door", "none": "geen",
           "segment": "segment", "backend": "Gemaakt met",
           "roles": {"docent": "leerkracht", "ouder": "ouder", "leerling": "leerling", "school": "school",
                     "samen": "samen", "tolk": "tolk", "anders": "anders", None: "—"},
           "kinds": {"subjective": "subjectief", "unsupported": "niet onderbouwd", "sensitive": "gevoelig",
                     "incomplete": "onvolledig", "other": "overig"}},
    "en": {"title": "Summary", "topics": "Topics discussed", "concerns": "Concerns", "actions": "Agreed actions",
           "warnings": "Notes for the reader", "who": "Who", "what": "What", "when": "When", "source": "Source",
           "raised": "raised by", "none": "none", "segment": "segment", "backend": "Made with",
           "roles": {"docent": "teacher", "ouder": "parent", "leerling": "pupil", "school": "school",
                     "samen": "together", "tolk": "interpreter", "anders": "other", None: "—"},
           "kinds": {"subjective": "subjective", "unsupported": "unsupported", "sensitive": "sensitive",
                     "incomplete": "incomplete", "other": "other"}},
}


def _md(text) -> str:
    """Escape what Markdown would otherwise interpret (tables, emphasis, HTML)."""
    text = str(text or "")
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ")


def _cite(ids, transcript, labels) -> str:
    if not ids:
        return ""
    if transcript is not None:
        out = []
        for i in ids:
            try:
                seg = transcript.segment(i)
            except KeyError:
                out.append(f"#{i}")
                continue
            out.append(f"#{i} {clock(seg.start)}")
        return "; ".join(out)
    return f"{labels['segment']} " + ", ".join(map(str, ids))


def to_markdown(summary: Summary, transcript=None) -> str:
    """A readable rendering of ``summary``; with ``transcript`` the citations show times as well."""
    lab = LABELS.get(summary.language, LABELS["nl"])
    roles = lab["roles"]
    lines = [f"# {lab['title']}", ""]
    lines += [f"## {lab['topics']}", ""]
    lines += [f"- {_md(t.text)} ({_cite(t.evidence, transcript, lab)})" for t in summary.topics] or [f"_{lab['none']}_"]
    lines += ["", f"## {lab['concerns']}", ""]
    lines += [f"- {_md(c.text)} — {lab['raised']} {roles.get(c.raised_by, c.raised_by)} "
              f"({_cite(c.evidence, transcript, lab)})" for c in summary.concerns] or [f"_{lab['none']}_"]
    lines += ["", f"## {lab['actions']}", ""]
    if summary.actions:
        lines += [f"| {lab['who']} | {lab['what']} | {lab['when']} | {lab['source']} |", "|---|---|---|---|"]
        lines += [f"| {roles.get(a.owner, a.owner)} | {_md(a.text)} | {_md(a.due or '—')} | "
                  f"{_cite(a.evidence, transcript, lab)} |" for a in summary.actions]
    else:
        lines.append(f"_{lab['none']}_")
    if summary.warnings:
        lines += ["", f"## {lab['warnings']}", ""]
        lines += [f"- **{lab['kinds'].get(w.kind, w.kind)}**: {_md(w.text)}" for w in summary.warnings]
    lines += ["", f"_{lab['backend']}: {_md(summary.backend)}_", ""]
    return "\n".join(lines)
