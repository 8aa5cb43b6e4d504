"""Is this a word? Debian's Hunspell dictionaries, read through libhunspell with ctypes.

Two features rest on this one question: the doubtful-word marks in the transcript (a word the recogniser wrote
that no Dutch dictionary knows) and the summariser's promise never to invent a word (every word of an item
comes from its evidence, a closed set of role and function words, or a form the dictionary accepts).

Why ctypes and not a Python binding: the bindings on PyPI are unmaintained or need a compiler, while
``libhunspell-1.7-0`` and ``hunspell-nl`` are plain Debian packages (``make setup`` installs them). Loading the
Dutch dictionary takes about 0.1 s, a look-up a microsecond; both are cached per process.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from functools import lru_cache
from pathlib import Path

from .errors import BackendUnavailableError

#: Where Debian puts Hunspell dictionaries; ``TRANSKRIPT_HUNSPELL_DIR`` is searched first.
SEARCH_DIRS = ("/usr/share/hunspell", "/usr/share/myspell/dicts", "/usr/share/myspell")
#: Which dictionary serves which language code.
DICTIONARIES = {"nl": "nl_NL", "en": "en_US"}
_LIBRARIES = ("hunspell-1.7", "hunspell")


class SpellingUnavailableError(BackendUnavailableError):
    """libhunspell or the language's dictionary is not installed."""


class Dictionary:
    """One Hunspell dictionary. ``known(word)`` accepts a word as written, lower-cased or capitalised (a
    sentence start or a name written in lower case by the recogniser)."""

    def __init__(self, lib, aff: Path, dic: Path):
        self._lib = lib
        self._handle = lib.Hunspell_create(str(aff).encode(), str(dic).encode())
        if not self._handle:
            raise SpellingUnavailableError(f"Woordenboek {dic.name} kon niet worden geladen.",
                                           f"Dictionary {dic.name} could not be loaded.")
        self._lock = threading.Lock()  # one Hunspell handle is not safe across threads
        self.name = dic.stem

    def _spell(self, word: str) -> bool:
        with self._lock:
            return bool(self._lib.Hunspell_spell(self._handle, word.encode("utf-8")))

    @lru_cache(maxsize=65536)
    def known(self, word: str) -> bool:
        word = word.strip()
        if not word:
            return False
        if any(ch.isdigit() for ch in word):
            return True  # numbers, dates, '5,4': not a spelling question
        candidates = (word, word.lower(), word[:1].upper() + word[1:].lower())
        return any(self._spell(w) for w in dict.fromkeys(candidates))

    def unknown(self, words) -> list[str]:
        """The words (in order, without repeats) that the dictionary does not know."""
        return [w for w in dict.fromkeys(words) if not self.known(w)]


@lru_cache(maxsize=1)
def _library():
    for name in _LIBRARIES:
        found = ctypes.util.find_library(name)
        if found:
            lib = ctypes.CDLL(found)
            lib.Hunspell_create.restype = ctypes.c_void_p
            lib.Hunspell_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
            lib.Hunspell_spell.restype = ctypes.c_int
            lib.Hunspell_spell.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
            return lib
    raise SpellingUnavailableError(
        "De spellingcontrole (libhunspell) is niet geïnstalleerd: voer 'make setup' uit "
        "(Debian-pakketten libhunspell-1.7-0 en hunspell-nl).",
        "The spelling checker (libhunspell) is not installed: run 'make setup' "
        "(Debian packages libhunspell-1.7-0 and hunspell-nl).")


def _find(name: str) -> tuple[Path, Path] | None:
    dirs = [os.environ["TRANSKRIPT_HUNSPELL_DIR"]] if os.environ.get("TRANSKRIPT_HUNSPELL_DIR") else []
    for d in [*dirs, *SEARCH_DIRS]:
        aff, dic = Path(d) / f"{name}.aff", Path(d) / f"{name}.dic"
        if aff.is_file() and dic.is_file():
            return aff, dic
    return None


@lru_cache(maxsize=8)
def dictionary(language: str = "nl") -> Dictionary:
    """The cached dictionary for ``language`` (``nl``, ``en``); raises :class:`SpellingUnavailableError`."""
    name = DICTIONARIES.get(language)
    found = _find(name) if name else None
    if found is None:
        package = {"nl": "hunspell-nl", "en": "hunspell-en-us"}.get(language, f"hunspell-{language}")
        raise SpellingUnavailableError(
            f"Geen woordenboek voor taal {language!r} gevonden (Debian-pakket {package}).",
            f"No dictionary found for language {language!r} (Debian package {package}).")
    return Dictionary(_library(), *found)


def optional(language: str = "nl") -> Dictionary | None:
    """The dictionary for ``language``, or None when it is not installed: for checks that work without one (more
    strictly, or with fewer marks) rather than fail."""
    try:
        return dictionary(language)
    except SpellingUnavailableError:
        return None


def available(language: str = "nl") -> bool:
    return optional(language) is not None
