"""Other people's names kept out of what goes to the family: find them, and replace them in the family's copy.

A conversation about a fight or bullying names other pupils ("Sem duwde hem", "de moeder van Mila"). Those
children are not party to this conversation and their names should not reach another family (Art. 8 EVRM). So
before a PDF or a mail is made, :func:`find` lists every *third party*: a capitalised word in the transcript or
the summary that

- a first-name list knows (``data/first_names.txt``: about 21,000 Latin-script names from Faker's person lists
  of 80 locales, MIT, plus names common in Dutch schools that it lacks, such as Sem and Senna, written for this
  project), or that a speaker uses as a name: "met X",
  "tegen X", "X zei", "X sloeg" — only when X is no ordinary word in the dictionary;
- is not the first word of a sentence (there "Roos", "Dan" or "Will" are just as often ordinary words), unless
  the list knows it and the dictionary does not, or the same name also occurs mid-sentence;
- is not a participant: the consent form's names (pupil, participants, who answered) and the speakers' labels;
- is not a place, school, method, brand, language, holiday, month or title (``data/thirdparty.json``).

Each name comes with its passages (segment ids). :func:`redact` makes *copies* with each chosen name replaced
by a neutral phrase ("een klasgenoot"; "een leerkracht" after juf/meester; the teacher may type another per
name); the case file keeps what was said: :func:`prepare_for_family` stores the replaced summary as a new
version with the reason, and the transcript copy is made for the report only.

The rules are plain and explainable rather than a learned model: a teacher sees every name before it goes, and
the figures on our own conversations are in the README.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping

from .names import fold

#: The default neutral phrases, per kind of person and language.
PHRASES = {
    "nl": {"child": "een klasgenoot", "teacher": "een leerkracht", "adult": "iemand"},
    "en": {"child": "a classmate", "teacher": "a teacher", "adult": "someone"},
}
DEFAULT_PHRASE = PHRASES["nl"]["child"]

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s?$")
_SENTENCE_END = re.compile(r"[.!?:…\"“”„«»]\s*$")  # after these a capital need not mean a name
_CAPITAL_AFTER = re.compile(r"[.!?…][\"“”„«»'’]?\s*$")  # after these a replacement phrase gets a capital
#: After a sentence-initial word these say little ("Dan is het klaar"); "Roos zei" does say it is a name.
_WEAK_AFTER = frozenset({"heeft", "had", "is", "was", "wil", "wilde", "mag", "moet", "kwam", "komt", "zit", "zat",
                         "en", "of", "deed", "doet", "speelt", "speelde", "has", "wants", "came", "and", "or",
                         "plays", "played"})


@dataclass
class ThirdParty:
    """One person who is not a participant, as found in the transcript and the summary."""

    name: str  # the first name as written (the key for replacements)
    segments: list[int] = field(default_factory=list)  # transcript passages that name them
    mentions: int = 0  # in the transcript and the summary
    in_summary: bool = False
    forms: list[str] = field(default_factory=list)  # as written, longest first ("Sem de Vries", "Sem")
    kind: str = "child"  # child | teacher (after juf/meester) | adult (after meneer/mevrouw)
    why: str = "list"  # list: a first-name list knows it; use: a speaker uses it as a name

    def phrase(self, language: str = "nl") -> str:
        """The neutral phrase offered by default."""
        return PHRASES.get(_lang(language), PHRASES["nl"])[self.kind]


@dataclass
class Redacted:
    """The family's copies and what was replaced in them (names → how many times)."""

    summary: object
    transcript: object
    replaced: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.replaced.values())


@dataclass
class FamilyCopy:
    """What :func:`prepare_for_family` hands the report: copies for the family and the version to print."""

    summary: object
    transcript: object
    version: int | None
    found: list[ThirdParty]
    replaced: dict[str, int]  # name → replacements made; empty when names were kept
    kept: list[str]
    phrases: dict[str, str] = field(default_factory=dict)  # name → the phrase the teacher typed

    def redact_translation(self, transcript, language: str = "en"):
        """Another copy of what was said (Whisper's English translation) with the same choices: kept names
        kept, a typed phrase as typed, the default phrase in the copy's ``language`` ("a classmate")."""
        wanted = choices(self.found, keep=self.kept, phrases=self.phrases, language=language)
        return redact(None, transcript, wanted, found=self.found).transcript


# --- word lists ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _data() -> dict:
    from pathlib import Path

    with open(Path(__file__).with_name("data") / "thirdparty.json", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Folded first names of ``data/first_names.txt`` (its header says where they come from and their licence).

    Plain data rather than a package: the list is the project's own, MIT like the project."""
    from pathlib import Path

    with open(Path(__file__).with_name("data") / "first_names.txt", encoding="utf-8") as fh:
        names = {fold(line.strip()) for line in fh if line.strip() and not line.startswith("#")}
    return frozenset(n for n in names if len(n) > 1)


@lru_cache(maxsize=1)
def _lists():
    d = _data()
    titles = {}
    for kind, words in d["titles"].items():
        for w in words:
            titles[fold(w.split()[-1])] = kind
    return (titles, frozenset(fold(w) for w in d["not_names"]), frozenset(fold(w) for w in d["starters"]),
            {k: frozenset(v) for k, v in d["before"].items()}, {k: frozenset(v) for k, v in d["after"].items()},
            frozenset(d["particles"]))


def _lang(language: str | None) -> str:
    code = (language or "nl").split("-")[0].lower()
    return code if code in PHRASES else "nl"


@lru_cache(maxsize=4)
def _ordinary(language: str):
    """``ordinary(word)``: is the lower-case word an ordinary dictionary word ("roos", "dan", "will")?"""
    from .names import _common_checker

    return _common_checker(language)


def participant_words(names: Iterable[str]) -> frozenset[str]:
    """Folded words of the participants' names (titles and particles left out): never a third party."""
    titles, *_rest, particles = _lists()
    out = set()
    for name in names or ():
        for tok in _WORD.findall(str(name or "")):
            f = fold(tok)
            if f and f not in titles and tok not in particles:
                out.add(f)
                out.update(fold(p) for p in re.split(r"[-'’]", tok) if len(p) > 1)
    return frozenset(out)


# --- finding -------------------------------------------------------------------------------------------------
@dataclass
class _Token:
    text: str  # the word without a possessive 's
    start: int
    end: int
    initial: bool  # first word of a sentence


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", m.group(0)) or m.group(0)
        before = text[:m.start()]
        initial = not before.strip() or bool(_SENTENCE_END.search(before))
        out.append(_Token(word, m.start(), m.start() + len(word), initial))
    return out


def _capitalised(word: str) -> bool:
    parts = [p for p in re.split(r"[-'’]", word) if p]
    return (len(word) >= 2 and bool(parts) and all(p[0].isupper() for p in parts)
            and not word.isupper() and not any(ch.isdigit() for ch in word))


@dataclass
class _Mention:
    key: str  # folded first name
    first: str
    form: str  # as written, with surname if any
    title: str | None
    segment: int | None


def _mentions(text: str, segment: int | None, *, exclude: frozenset[str], language: str,
              known_keys: set[str] | None = None) -> list[_Mention]:
    """Name mentions in one text. ``known_keys``: names already found (then a sentence-initial use counts)."""
    titles, not_names, starters, before, after, particles = _lists()
    lang = _lang(language)
    before_cues, after_cues = before.get(lang, frozenset()), after.get(lang, frozenset())
    names, ordinary = first_names(), _ordinary(lang)
    toks = _tokens(text)
    out: list[_Mention] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        f = fold(tok.text)
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if (not _capitalised(tok.text) or f in exclude or f in not_names or f in titles or tok.text.lower() in particles
                or (nxt is not None and fold(nxt.text) in not_names and _capitalised(nxt.text))):
            i += 1
            continue
        listed = f in names or all(fold(p) in names for p in tok.text.split("-"))
        is_word = ordinary(tok.text.lower())
        cue = ((prev is not None and not tok.initial and prev.text.lower() in before_cues)
               or (nxt is not None and nxt.text.lower() in after_cues and not nxt.initial))
        title = None
        if prev is not None and not tok.initial and fold(prev.text) in titles:
            title = titles[fold(prev.text)]
        if tok.initial:  # "Roos", "Dan", "Will" begin sentences as ordinary words: be stricter here
            strong_after = nxt is not None and nxt.text.lower() in after_cues - _WEAK_AFTER
            ok = (known_keys is not None and f in known_keys) or (
                f not in starters and listed and (not is_word or strong_after))
        else:
            ok = listed or title is not None or (cue and not is_word) or (known_keys is not None and f in known_keys)
        if not ok:
            i += 1
            continue
        # a surname may follow: "Sem de Vries", "Noah Jansen" (not another first name, not a new sentence)
        end, j = tok.end, i + 1
        while j < len(toks) and not toks[j].initial:
            w = toks[j].text
            if w in particles and j + 1 < len(toks) and _capitalised(toks[j + 1].text) and not toks[j + 1].initial:
                j += 1
                continue
            if _capitalised(w) and fold(w) not in names and fold(w) not in not_names and fold(w) not in exclude:
                end = toks[j].end
                j += 1
                continue
            break
        form = text[tok.start:end]
        out.append(_Mention(f, tok.text, form, title, segment))
        i = max(j, i + 1)
    return out


def _summary_texts(summary) -> list[tuple[int, str]]:
    """(evidence segment or -1, text) for every written text of a summary."""
    if summary is None:
        return []
    out = []
    for part in ("topics", "concerns", "actions"):
        for item in getattr(summary, part):
            seg = item.evidence[0] if item.evidence else -1
            out.append((seg, item.text))
            if part == "actions" and item.due:
                out.append((seg, item.due))
    out += [((w.evidence or [-1])[0], w.text) for w in summary.warnings]
    return out


def find(transcript, summary=None, participants: Iterable[str] = (), language: str | None = None) -> list[ThirdParty]:
    """Every third party in the transcript and the summary, in order of first mention, with their passages.

    ``participants``: the consent form's names (:func:`doubt.names_for`); the transcript's speaker labels are
    added, since a teacher may have named a speaker in the editor."""
    lang = _lang(language or getattr(transcript, "language", None) or getattr(summary, "language", None))
    labels = [s.label for s in (getattr(transcript, "speakers", None) or {}).values()]
    exclude = participant_words(list(participants or ()) + labels)
    segments = [(s.id, s.text) for s in (transcript.segments if transcript is not None else [])]
    texts = [(sid, text, False) for sid, text in segments] + [(sid, t, True) for sid, t in _summary_texts(summary)]
    first_pass = [m for sid, text, _ in texts for m in _mentions(text, sid, exclude=exclude, language=lang)]
    known = {m.key for m in first_pass}
    found: dict[str, ThirdParty] = {}
    titled: dict[str, list[str]] = {}
    for sid, text, from_summary in texts:
        for m in _mentions(text, sid, exclude=exclude, language=lang, known_keys=known):
            tp = found.get(m.key)
            if tp is None:
                tp = found[m.key] = ThirdParty(name=m.first)
            tp.mentions += 1
            if from_summary:
                tp.in_summary = True
            elif sid is not None and sid not in tp.segments:
                tp.segments.append(sid)
            if m.form not in tp.forms:
                tp.forms.append(m.form)
            if m.first not in tp.forms:
                tp.forms.append(m.first)
            titled.setdefault(m.key, []).append(m.title or "")
    for key, tp in found.items():
        kinds = [t for t in titled[key] if t]
        if kinds and len(kinds) * 2 >= len(titled[key]):
            tp.kind = max(set(kinds), key=kinds.count)
        tp.why = "list" if key in first_names() else "use"
        tp.forms.sort(key=len, reverse=True)
    return list(found.values())


def find_for(archive, conversation_id: str, summary=None, transcript=None) -> list[ThirdParty]:
    """:func:`find` on a conversation in the case file: its latest transcript and summary, its form's names."""
    from .doubt import names_for

    conv = archive.get(conversation_id)
    transcript = transcript if transcript is not None else archive.transcript(conversation_id)
    summary = summary if summary is not None else archive.summary(conversation_id)
    return find(transcript, summary, names_for(conv), language=getattr(transcript, "language", None) or conv.language)


# --- replacing -----------------------------------------------------------------------------------------------
def _pattern(forms: Iterable[str], titles: Iterable[str]) -> re.Pattern:
    alts = "|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True))
    title_alt = "|".join(re.escape(t) for t in sorted(set(titles), key=len, reverse=True))
    return re.compile(rf"(?<![\w'’\-])(?:(?P<title>(?i:{title_alt}))\s+)?(?P<name>{alts})(?![\w\-])")


def _cap_like(phrase: str, text: str, start: int) -> str:
    """"een klasgenoot" becomes "Een klasgenoot" where the name began a sentence."""
    initial = not text[:start].strip() or bool(_CAPITAL_AFTER.search(text[:start]))
    if initial and phrase[:1].islower():
        return phrase[:1].upper() + phrase[1:]
    return phrase


def replace_in_text(text: str, replacements: Mapping[str, str], forms: Mapping[str, list[str]] | None = None
                    ) -> tuple[str, dict[str, int]]:
    """``text`` with every form of each name (and a title before it) replaced; and how often per name."""
    if not text or not replacements:
        return text, {}
    titles = list(_lists()[0])
    counts: dict[str, int] = {}
    for name, phrase in replacements.items():
        if not name or phrase is None:
            continue
        pattern = _pattern((forms or {}).get(name) or [name], titles)

        def sub(m, name=name, phrase=phrase):
            counts[name] = counts.get(name, 0) + 1
            return _cap_like(phrase, m.string, m.start())

        text = pattern.sub(sub, text)
    return text, counts


def redact(summary, transcript, replacements: Mapping[str, str | None], *,
           found: Iterable[ThirdParty] | None = None) -> Redacted:
    """Copies of ``summary`` and ``transcript`` with each chosen name replaced by its phrase.

    ``replacements``: name → phrase (``None`` keeps the name). ``found`` (from :func:`find`) adds each name's
    written forms ("Sem de Vries"), so a surname goes with it. The originals are not touched."""
    import copy

    forms = {tp.name: tp.forms for tp in (found or ())}
    replaced: dict[str, int] = {}

    def fix(text):
        new, counts = replace_in_text(text, replacements, forms)
        for k, v in counts.items():
            replaced[k] = replaced.get(k, 0) + v
        return new

    s = copy.deepcopy(summary) if summary is not None else None
    if s is not None:
        for part in ("topics", "concerns", "actions"):
            for item in getattr(s, part):
                item.text = fix(item.text)
                if part == "actions" and item.due:
                    item.due = fix(item.due)
        for w in s.warnings:
            w.text = fix(w.text)
    t = transcript.copy() if transcript is not None else None
    if t is not None:
        for seg in t.segments:
            new = fix(seg.text)
            if new != seg.text:
                seg.text = new
                seg.words = None  # word timings would still spell the name
        for sp in t.speakers.values():
            sp.label = fix(sp.label)
    return Redacted(s, t, replaced)


def choices(found: Iterable[ThirdParty], *, keep: Iterable[str] = (), phrases: Mapping[str, str] | None = None,
            language: str = "nl") -> dict[str, str | None]:
    """Name → phrase for :func:`redact`: the default phrase, a typed one, or ``None`` for names kept."""
    kept = {fold(k) for k in keep or ()}
    typed = {fold(k): v for k, v in (phrases or {}).items() if v and str(v).strip()}
    return {tp.name: None if fold(tp.name) in kept else (typed.get(fold(tp.name)) or tp.phrase(language)).strip()
            for tp in found}


def reason(count_names: int) -> str:
    """The version reason: counts only, never the names (version lists are shown to anyone with access)."""
    return (f"namen van anderen vervangen voor de ouders ({count_names}) / "
            f"other people's names replaced for the family ({count_names})")


def prepare_for_family(archive, conversation_id: str, *, keep: Iterable[str] = (),
                       phrases: Mapping[str, str] | None = None, by: str = "docent", role: str = "docent",
                       summary=None) -> FamilyCopy:
    """Find the third parties of an archived conversation and make the family's copies.

    The stored summary, replaced, becomes a new version (reason: :func:`reason`) when it differs; a ``summary``
    passed in (``transkript report --summary``) is only copied. The transcript is never stored replaced: the case
    file keeps what was said, the report gets the copy. The log gets counts, never names."""
    transcript = archive.transcript(conversation_id)
    stored = summary is None
    summary = summary if summary is not None else archive.summary(conversation_id)
    found = find_for(archive, conversation_id, summary=summary, transcript=transcript)
    language = getattr(transcript, "language", None) or "nl"
    wanted = choices(found, keep=keep, phrases=phrases, language=language)
    red = redact(summary, transcript, wanted, found=found)
    written = getattr(summary, "language", None) or language
    if _lang(written) != _lang(language):  # a summary made through Whisper's English: "a classmate" there
        in_summary = redact(summary, None, choices(found, keep=keep, phrases=phrases, language=written),
                            found=found)
        red = Redacted(in_summary.summary, red.transcript, red.replaced)
    version = None
    if stored:
        versions = archive.versions(conversation_id)
        version = versions[-1].version if versions else None
    if stored and summary is not None and red.summary.to_dict() != summary.to_dict():
        n = sum(1 for v in wanted.values() if v is not None)
        version = archive.save_summary(conversation_id, red.summary, by=by, role=role, reason=reason(n))
    from . import log

    log.event("third-parties", conversation=conversation_id, found=len(found), replaced=red.count,
              kept=sum(1 for v in wanted.values() if v is None), version=version)  # counts only, never names
    return FamilyCopy(red.summary, red.transcript, version, found, red.replaced,
                      [name for name, phrase in wanted.items() if phrase is None], dict(phrases or {}))
