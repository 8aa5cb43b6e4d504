"""Interface labels in Dutch (first) and English, read from ``templates/labels/ui_<lang>.json``.

One language is active for the whole app; switching rebuilds the widgets (see :mod:`.app`). A missing English
label falls back to Dutch, a missing Dutch label to the key itself, so a gap is visible but never a crash.
"""
from __future__ import annotations

from transkript_kernel.labels import load

LANGUAGES = ("nl", "en")
_active = {"lang": "nl"}


def labels(lang: str) -> dict[str, str]:
    return load(f"ui_{lang}")


def set_language(lang: str) -> str:
    _active["lang"] = lang if lang in LANGUAGES else "nl"
    return _active["lang"]


def language() -> str:
    return _active["lang"]


def t(key: str, lang: str | None = None, **values) -> str:
    """The label ``key`` in ``lang`` (default: the active language), formatted with ``values``."""
    lang = lang or _active["lang"]
    text = labels(lang).get(key) or labels("nl").get(key) or key
    return text.format(**values) if values else text


def error_text(exc: BaseException, lang: str | None = None) -> str:
    """A user-facing message for any exception: the engine's own text for a TranskriptError."""
    from transkript_kernel.errors import TranskriptError

    lang = lang or _active["lang"]
    if isinstance(exc, TranskriptError):
        return exc.message(lang)
    return t("error.unexpected", lang, detail=f"{type(exc).__name__}: {exc}")
