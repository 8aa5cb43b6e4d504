"""Names as the consent form spells them: put right what the recogniser wrote for a known name.

Hotwords (see :mod:`.asr`) make Whisper hear a form's names far more often, but it still writes some of them
its own way: lower case ("ilse"), without the diaeresis ("Joelle"), or as it sounds ("Jusef" for "Youssef",
"Zamira" for "Samira"). The consent form is the authority for how these names are written, so after
recognition each word is compared with the names' words:

- the same letters, differing only in case, diacritics or apostrophes: written as on the form;
- the same Dutch sound (a small phonetic key: z=s, v=f, th=t, c=k, y=j/i, ou/oe=u, doubled letters once; or
  one letter apart for keys of 5 letters or more): written as on the form, but only when the recogniser's word
  is not an ordinary Dutch word — a common word is never turned into a name.

A name word that is itself an ordinary lower-case word ("de Wit", "Bakker", "Mees") is only capitalised after
a title ("juf", "meneer", "mevrouw" ...) or another word of the same name. Only words change; times,
probabilities and segment boundaries stay, and the segment text is rebuilt from its words.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TITLES = ("juf", "juffrouw", "meester", "meneer", "mevrouw", "mr", "mrs", "ms", "dhr", "mw", "mevr", "dokter",
          "de", "van", "der", "den", "ten", "ter", "el", "al")
_JOINERS = "'’-"


@dataclass(frozen=True)
class NameWord:
    """One word of a form name (titles left out) and how it is matched."""

    text: str  # as on the form
    fold: str  # lower case, no diacritics or apostrophes
    key: str  # Dutch phonetic key
    common: bool  # also an ordinary lower-case Dutch word ("wit", "bakker")


def _letter(ch: str) -> bool:
    """A letter or digit, or a diacritic mark on one: Arabic vowel marks (يُوسُف) and decomposed accents belong to
    the word (a regular expression's \\w does not count them, and would cut the word in pieces)."""
    return ch.isalnum() or unicodedata.combining(ch) > 0


def _tokens(text: str) -> list[str]:
    """The words of a name: letters with their marks, joined by apostrophes or hyphens, ending in a letter."""
    out, current = [], ""
    for ch in text + " ":
        if _letter(ch) or ch in _JOINERS:
            current += ch
            continue
        core = current.rstrip(_JOINERS)
        if any(map(_letter, core)):
            out.append(core)
        current = ""
    return out


def _split(text: str) -> tuple[str, str, str, str] | None:
    """A written word as (leading space, punctuation before, the word, punctuation after); None when something
    other than letters, marks, apostrophes or hyphens sits inside the word ("3.5", "a/b")."""
    body = text.lstrip()
    at = [i for i, ch in enumerate(body) if _letter(ch)]
    if not at:
        return None
    core = body[at[0]:at[-1] + 1]
    if not all(_letter(ch) or ch in _JOINERS for ch in core):
        return None
    return text[:len(text) - len(body)], body[:at[0]], core, body[at[-1] + 1:]


def fold(word: str) -> str:
    """Lower case without diacritics, apostrophes or hyphens: "D'Angelo" -> "dangelo", "Joëlle" -> "joelle"."""
    text = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


_SOUNDS = (("sch", "s"), ("th", "t"), ("ph", "f"), ("ck", "k"), ("ch", "g"), ("gh", "g"), ("qu", "kw"),
           ("c", "k"), ("q", "k"), ("x", "ks"), ("z", "s"), ("v", "f"), ("dt", "t"), ("ij", "ei"),
           ("ou", "u"), ("oe", "u"), ("ie", "i"))


def key(word: str) -> str:
    """A small Dutch phonetic key: letters that sound alike in names become one letter."""
    s = fold(word)
    if not s.isalpha():
        return s
    s = re.sub(r"y(?=[aeiou])", "j", s).replace("y", "i")
    for a, b in _SOUNDS:
        s = s.replace(a, b)
    s = re.sub(r"d$", "t", s)
    return re.sub(r"(.)\1+", r"\1", s)


def name_words(names, language: str = "nl") -> list[NameWord]:
    """The words of the form's names worth matching: titles and particles left out, one per spelling."""
    common = _common_checker(language)
    out, seen = [], set()
    for name in names:
        for tok in _tokens(str(name)):
            f = fold(tok)
            if len(f) < 2 or f in TITLES or f in seen or f.isdigit():
                continue
            seen.add(f)
            out.append(NameWord(tok, f, key(tok), common(tok.lower())))
    return out


def _common_checker(language: str):
    """``common(word)``: is this lower-case word in the language's dictionary as an ordinary word?
    Without a dictionary every word counts as common, so only exact spellings are corrected."""
    try:
        from . import spelling

        d = spelling.dictionary(language)
    except Exception:  # no dictionary for this language (or no libhunspell): be careful, not clever
        return lambda word: True
    spell = getattr(d, "_spell", None)  # the lower-case form alone, not its capitalised (name) variant
    return (lambda word: spell(word)) if spell else d.known


def _distance1(a: str, b: str) -> bool:
    """At most one insertion, deletion or substitution apart."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def match(word: str, known: list[NameWord], common) -> NameWord | None:
    """The form name this recogniser word stands for, or None."""
    f = fold(word)
    if len(f) < 2:
        return None
    for nw in known:
        if f == nw.fold:
            return nw
    if common(word.lower()):
        return None  # an ordinary word: never turned into a name
    k = key(word)
    for nw in known:
        if k == nw.key and len(k) >= 3:
            return nw
    for nw in known:
        if len(nw.key) >= 5 and k[:1] == nw.key[:1] and _distance1(k, nw.key):
            return nw
    return None


def correct(transcript, names, language: str | None = "nl") -> int:
    """Write the form's names as the form does, in place; returns how many words changed."""
    lang = language or "nl"
    known = name_words(names, lang)
    if not known:
        return 0
    common = _common_checker(lang)
    changed = 0
    for seg in transcript.segments:
        if not seg.words:
            continue
        words, previous = [], ""
        for group in _spoken_words(seg.words):
            text = "".join(w.word for w in group)
            parts = _split(text)
            if parts is None:
                words += group
                previous = text.strip()
                continue
            space, before, core, after = parts
            nw = match(core, known, common)
            if nw is not None and core != nw.text:
                after_title = fold(previous) in TITLES or any(fold(previous) == k.fold for k in known)
                if not (nw.common and core.islower() and fold(core) == nw.fold and not after_title):
                    first, last = group[0], group[-1]
                    first.word, first.end = f"{space}{before}{nw.text}{after}", last.end
                    first.probability = min(w.probability for w in group)
                    group = [first]
                    changed += 1
            words += group
            previous = core
        seg.words = words
        seg.text = "".join(w.word for w in words).strip()
    return changed


def _spoken_words(words):
    """Whisper's word pieces grouped into written words: a piece without a leading space continues the one
    before it (" D" + "'Angelo" is one word)."""
    group = []
    for w in words:
        if group and not w.word[:1].isspace():
            group.append(w)
            continue
        if group:
            yield group
        group = [w]
    if group:
        yield group
