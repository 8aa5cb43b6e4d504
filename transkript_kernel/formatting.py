"""How Transkript writes times, file names and two-language notices: one rule each, used by every face.

Times were formatted five ways (report, subtitles, coverage warnings, summaries, the app), file names three
ways and notices as ``"nl / en"`` strings the app could not split. A time in a report, a summary citation and
the transcript editor must read the same for the same segment, so they all come from here. Plain Python,
imports nothing of ours.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


# --- times ----------------------------------------------------------------------------------------------------
def clock(seconds: float | None, *, hours: bool = False, pad: bool = False) -> str:
    """A position or duration as people read it: ``m:ss``, or ``h:mm:ss`` from an hour on (rounded to the
    second, negative and missing as 0). ``hours`` always shows the hours (limits in messages: ``3:00:00``);
    ``pad`` writes two-digit minutes under an hour (``05:03``, the printed report's column)."""
    total = max(0, int(round(seconds or 0)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h or hours:
        return f"{h}:{m:02d}:{s:02d}"
    return f"{m:02d}:{s:02d}" if pad else f"{m}:{s:02d}"


def timestamp(seconds: float, separator: str = ".") -> str:
    """Subtitle time ``hh:mm:ss.mmm`` (WebVTT; SubRip uses ``separator=','``), to the millisecond."""
    ms = int(round(max(0.0, seconds) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


# --- file names -----------------------------------------------------------------------------------------------
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\']')


def safe_name(name: str, *, fallback: str = "bestand", ascii_only: bool = False, max_length: int = 120) -> str:
    """A file name that cannot leave its folder or break a download: only the last path part of ``name``,
    no control, quote or reserved characters, no leading or trailing dots or spaces.

    By default the name stays readable (``opname 1 – Çelik.m4a``: what the teacher uploaded). ``ascii_only``
    gives a slug for names Transkript makes itself on disk (``Celik-opname``): accents folded, every other
    run of characters one ``-``. An empty result becomes ``fallback``."""
    name = str(name).replace("\\", "/").split("/")[-1]
    if ascii_only:
        name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
        name = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    else:
        name = _UNSAFE.sub("_", name).strip(" .")
    return name[:max_length] or fallback


# --- two languages --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """A message for the user in Dutch and English (notices, warnings): the app shows the user's language,
    the command line both, Dutch first. Unpacks as ``nl, en``."""

    nl: str
    en: str

    def get(self, language: str = "nl") -> str:
        return self.nl if language == "nl" else self.en

    def both(self, separator: str = " / ") -> str:
        return self.nl if self.nl == self.en else f"{self.nl}{separator}{self.en}"

    def __str__(self) -> str:
        return self.both()

    def __iter__(self):
        return iter((self.nl, self.en))

    @classmethod
    def of(cls, value) -> "Text":
        """A :class:`Text` from a Text, an ``(nl, en)`` pair or one string (the same in both languages)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, tuple) and len(value) == 2:
            return cls(*value)
        return cls(str(value), str(value))
