"""The fixed texts of reports and e-mails, one JSON file per language in ``templates/labels/``.

Only the fixed texts live here; what was *said* in a conversation is content and is translated (or not) by
:mod:`.translate`. Dutch is the reference: every other language must have the same keys (a test checks), and
a key missing at run time falls back to English, then Dutch, rather than breaking a report.
"""
from __future__ import annotations

import json
import re
from datetime import date as _date
from functools import lru_cache

from .errors import InputError

LANGUAGES = ("nl", "en", "tr", "ar", "pl", "uk", "de", "fr", "es",
             "ti", "so", "prs", "fa", "ro", "bg", "pt", "hu", "zh", "ber", "pap", "ku", "ru", "it", "lt")
RTL_LANGUAGES = frozenset({"ar", "fa", "prs"})  # each file's "direction" says the same (a test checks)
#: Other ways to write a report language: Dari is Afghan Persian (ISO 639-3 ``prs``, also tagged ``fa-AF``);
#: ``ber`` is Tamazight in Latin script (Tarifit, Kabyle and Tashelhit speakers in the Netherlands write it so);
#: ``ku`` is Kurmanji in Latin script.
ALIASES = {"fa-af": "prs", "zgh-latn": "ber", "tzm-latn": "ber", "rif": "ber", "kab": "ber", "zgh": "ber",
           "kmr": "ku", "zh-hans": "zh", "zh-cn": "zh", "pt-br": "pt", "pt-pt": "pt"}


def _labels_dir():
    from transkript_templates import path

    return path("labels")


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """One label file, ``templates/labels/<name>.json`` (report texts ``nl``…, app texts ``ui_nl``…), read once."""
    with open(_labels_dir() / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def check_language(language: str) -> str:
    """The language code, normalised; unknown languages are an input error (Dutch first)."""
    tag = (language or "").strip().lower().replace("_", "-")
    code = ALIASES.get(tag) or ALIASES.get("-".join(tag.split("-")[:2])) or tag.split("-")[0]
    code = ALIASES.get(code, code) if code not in LANGUAGES else code
    if code not in LANGUAGES:
        raise InputError(f"Onbekende verslagtaal {language!r}; kies uit: {', '.join(LANGUAGES)}.",
                         f"Unknown report language {language!r}; choose from: {', '.join(LANGUAGES)}.")
    return code


def labels(language: str) -> dict:
    """All fixed texts for ``language``, with English and then Dutch filling any gap."""
    code = check_language(language)
    merged = dict(load("nl"))
    merged.update(load("en"))
    merged.update(load(code))
    return merged


def direction(language: str) -> str:
    return "rtl" if check_language(language) in RTL_LANGUAGES else "ltr"


def text(report_language: str, key: str, **values) -> str:
    """One label with ``{placeholders}`` filled in; unknown placeholders are left as they are."""
    template = labels(report_language)[key]
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


def role(language: str, role_name: str | None) -> str:
    if not role_name:
        return ""
    return labels(language).get(f"role_{role_name}", role_name)


def kind(language: str, kind_name: str | None) -> str:
    if not kind_name:
        return ""
    return labels(language).get(f"kind_{kind_name}", kind_name)


def language_name(report_language: str, content_language: str | None) -> str:
    """Name of ``content_language`` written in ``report_language`` ("Nederlands", "Dutch", ...)."""
    if not content_language:
        return ""
    code = content_language.split("-")[0].lower()
    return labels(report_language).get(f"lang_{code}", content_language)


def format_date(language: str, value: str | None) -> str:
    """An ISO date as "12 maart 2026" in the report language (its ``date_format``: "2026年3月12日",
    "2026. március 12."); anything unparsable is shown as given."""
    if not value:
        return ""
    try:
        d = _date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    lab = labels(language)
    return lab.get("date_format", "{day} {month} {year}").format(day=d.day, month=lab["months"][d.month - 1],
                                                                 year=d.year)
