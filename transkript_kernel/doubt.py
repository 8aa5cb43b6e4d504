"""Doubtful words: the one place that decides which words of a transcript the teacher should check.

A word is doubtful when the recogniser itself was unsure of it (faster-whisper's word probability below
:data:`THRESHOLD`, chosen on data: see the README, "Twijfelwoorden") or when the Dutch dictionary does not
know it (``spelling.dictionary``, Debian's hunspell-nl) and it is not a name from the consent form or the
participants (``names``). Everything that shows or acts on doubt asks this module: the transcript editor
(underline, ▶ at the word, "volgend twijfelwoord"), the summariser's ``check`` flag, the summary review, the
app's export confirmation and the CLI's ``[?]`` lines. One rule, so the faces cannot disagree.

Only the recogniser's words are doubtful: when the teacher has edited a segment, the words she typed are
hers (the segment's text is aligned to the recogniser's words; only words still matching one carry doubt).
Segments without word timings (word_timestamps off, reference transcripts) get dictionary marks only.

Word positions are indices into :func:`tokens` of the segment's *current* text (whitespace-separated), so a
face can underline ``tokens(seg.text)[mark.word_index]`` without knowing about Whisper's word list.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

#: Word probability below which the recogniser's word is marked. Chosen on the public recordings (README).
THRESHOLD = 0.5
#: Why a word is marked: the recogniser was unsure, or no dictionary knows it.
REASONS = ("probability", "dictionary")

_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_PARTS = re.compile(r"[-'’/]")


@dataclass(frozen=True)
class Mark:
    """One doubtful word. ``word_index`` counts :func:`tokens` of the segment's text; ``word`` is that token
    without surrounding punctuation; ``start``/``end`` are the word's time (the segment's when the recogniser
    gave no word timings) so ▶ can play from the word itself."""
    segment_id: int
    word_index: int
    word: str
    reason: str  # one of REASONS; "probability" wins when both hold
    probability: float | None = None
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class ItemDoubt:
    """A summary item that contains doubtful words: ``section`` (topics|concerns|actions), its index there,
    its text and the doubtful words (in order of appearance, without repeats)."""
    section: str
    index: int
    text: str
    words: tuple[str, ...] = field(default_factory=tuple)


# --- words ------------------------------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    """The whitespace-separated tokens of ``text`` (punctuation stays attached): the unit of ``word_index``."""
    return (text or "").split()


def bare(token: str) -> str:
    """A token without the punctuation around it ("Daan," -> "Daan", "'t" stays "t")."""
    return _EDGE_PUNCT.sub("", unicodedata.normalize("NFC", token or ""))


def _key(token: str) -> str:
    return bare(token).casefold()


def name_words(names: Iterable[str] = ()) -> frozenset[str]:
    """The words of the given names, case-folded: "Mevrouw El-Amrani" gives mevrouw, el-amrani, el, amrani."""
    out: set[str] = set()
    for name in names or ():
        for tok in tokens(str(name)):
            k = _key(tok)
            if k:
                out.add(k)
                out.update(p for p in (_key(x) for x in _PARTS.split(k)) if p)
    return frozenset(out)


def names_for(conversation) -> list[str]:
    """The names the school vouches for in one conversation: the pupil, the participants (consent form and
    ``transkript new --participant``) and who gave consent. Pass the result as ``names``."""
    if conversation is None:
        return []
    out = [getattr(conversation, "pupil", "") or ""]
    for p in getattr(conversation, "participants", None) or ():
        out.append(p.get("name", "") if isinstance(p, dict) else getattr(p, "name", "") or "")
    consent = getattr(conversation, "consent", None)
    if consent is not None:
        out.append(getattr(consent, "name", "") or "")
    return [n for n in out if n.strip()]


def _checkable(word: str) -> bool:
    """Is this a word a spelling question can be asked about? Not numbers, single letters or symbols."""
    return len(word) > 1 and any(ch.isalpha() for ch in word) and not any(ch.isdigit() for ch in word)


def _dictionary(language: str | None):
    """The language's dictionary, or None when it is not installed (then only probability marks remain)."""
    from . import spelling

    return spelling.optional((language or "nl").split("-")[0].lower())


def unknown(word: str, names: frozenset[str] = frozenset(), dictionary=None) -> bool:
    """True when ``word`` (bare) is no dictionary word and no name word. Hyphenated or apostrophed words are
    known when the whole or every part is known ("IB-er", "zorg-coördinator")."""
    w = bare(word)
    if not _checkable(w) or dictionary is None:
        return False
    k = w.casefold()
    if k in names:
        return False
    if dictionary.known(w):
        return False
    parts = [p for p in _PARTS.split(w) if p]
    if len(parts) > 1 and all((not _checkable(p)) or p.casefold() in names or dictionary.known(p) for p in parts):
        return False
    return True


# --- transcripts ------------------------------------------------------------------------------------------
def text_language(transcript) -> str:
    """The language the transcript's text is written in (English after Whisper's translate task)."""
    model = getattr(transcript, "model", None) or {}
    return model.get("text_language") or getattr(transcript, "language", None) or "nl"


def _aligned(text_tokens: list[str], words) -> list:
    """For every text token the recogniser's Word it still is (same bare word), or None when edited."""
    out = [None] * len(text_tokens)
    if not words:
        return out
    a = [_key(t) for t in text_tokens]
    b = [_key(w.word) for w in words]
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for block in sm.get_matching_blocks():
        for i in range(block.size):
            out[block.a + i] = words[block.b + i]
    return out


def segment_marks(segment, names: frozenset[str] = frozenset(), dictionary=None,
                  threshold: float = THRESHOLD) -> list[Mark]:
    """The doubtful words of one segment (see the module docstring for the rule)."""
    toks = tokens(segment.text)
    words = getattr(segment, "words", None)
    aligned = _aligned(toks, words) if words else [None] * len(toks)
    edited = bool(words)  # with a word list, unaligned tokens are the teacher's own
    marks = []
    for i, tok in enumerate(toks):
        w = bare(tok)
        if not w:
            continue
        src = aligned[i]
        if edited and src is None:
            continue
        p = getattr(src, "probability", None) if src is not None else None
        start = src.start if src is not None else segment.start
        end = src.end if src is not None else segment.end
        if p is not None and p < threshold and any(ch.isalnum() for ch in w):
            marks.append(Mark(segment.id, i, w, "probability", round(float(p), 4), start, end))
        elif unknown(w, names, dictionary):
            marks.append(Mark(segment.id, i, w, "dictionary", None if p is None else round(float(p), 4),
                              start, end))
    return marks


def marks(transcript, names: Iterable[str] = (), *, threshold: float = THRESHOLD) -> list[Mark]:
    """Every doubtful word of ``transcript`` in reading order. ``names``: the consent form's and the
    participants' names (and any other words the school vouches for), never marked as unknown."""
    nameset = name_words(names)
    dictionary = _dictionary(text_language(transcript))
    out: list[Mark] = []
    for seg in transcript.segments:
        out.extend(segment_marks(seg, nameset, dictionary, threshold))
    return out


def by_segment(found: Iterable[Mark]) -> dict[int, list[Mark]]:
    """Marks grouped per segment id (for a face that renders segment by segment)."""
    out: dict[int, list[Mark]] = {}
    for m in found:
        out.setdefault(m.segment_id, []).append(m)
    return out


def next_mark(found: list[Mark], after: tuple[int, int] | None = None,
              order: Iterable[int] | None = None) -> Mark | None:
    """The first mark after position ``(segment_id, word_index)`` in reading order, wrapping round to the
    first; None when there are none. ``order``: the segment ids in display order (default: as in ``found``,
    which :func:`marks` gives in reading order)."""
    if not found:
        return None
    ids = list(dict.fromkeys(order if order is not None else (m.segment_id for m in found)))
    rank = {sid: n for n, sid in enumerate(ids)}
    seq = sorted(found, key=lambda m: (rank.get(m.segment_id, len(rank)), m.word_index))
    if after is None:
        return seq[0]
    pos = (rank.get(after[0], -1), after[1])
    for m in seq:
        if (rank.get(m.segment_id, len(rank)), m.word_index) > pos:
            return m
    return seq[0]


# --- summaries --------------------------------------------------------------------------------------------
def words_in(text: str, transcript=None, evidence: Iterable[int] = (), names: Iterable[str] = (), *,
             language: str | None = None, found: list[Mark] | None = None) -> list[str]:
    """The doubtful words in a summary item's ``text``: words no dictionary knows (names excepted) and words
    that are marked in the cited ``evidence`` segments of ``transcript`` (pass ``found``, the transcript's
    :func:`marks`, to avoid recomputing them per item). In order of appearance, without repeats."""
    nameset = name_words(names)
    lang = language or (text_language(transcript) if transcript is not None else "nl")
    dictionary = _dictionary(lang)
    cited: set[str] = set()
    if transcript is not None:
        ev = set(evidence or ())
        source = found if found is not None else marks(transcript, names)
        cited = {m.word.casefold() for m in source if m.segment_id in ev}
    out: dict[str, None] = {}
    for tok in tokens(text):
        w = bare(tok)
        if not w:
            continue
        if w.casefold() in cited or unknown(w, nameset, dictionary):
            out.setdefault(w, None)
    return list(out)


SECTIONS = ("topics", "concerns", "actions")


def item_doubts(summary, transcript=None, names: Iterable[str] = (), *, included_only: bool = False) -> list[ItemDoubt]:
    """Every summary item (topics, concerns, actions) that contains doubtful words. ``included_only``: only
    items the teacher ticked (``include`` absent counts as ticked)."""
    names = tuple(names or ())
    found = marks(transcript, names) if transcript is not None else None
    lang = getattr(summary, "language", None)
    out = []
    for section in SECTIONS:
        for n, item in enumerate(getattr(summary, section, []) or []):
            if included_only and getattr(item, "include", True) is False:
                continue
            ws = words_in(item.text, transcript, getattr(item, "evidence", ()) or (), names,
                          language=lang, found=found)
            if ws:
                out.append(ItemDoubt(section, n, item.text, tuple(ws)))
    return out


def blocking_words(summary, transcript=None, names: Iterable[str] = ()) -> list[ItemDoubt]:
    """The ticked items that still hold doubtful words: the app makes no PDF while this is non-empty unless
    the teacher confirms (the CLI never blocks; it prints them with ``[?]``)."""
    return item_doubts(summary, transcript, names, included_only=True)


def blocking_in_case_file(archive, conversation_id: str) -> list[ItemDoubt]:
    """:func:`blocking_words` for a conversation in the case file: its latest summary and transcript, and the
    names from its consent form. Empty when there is no summary yet."""
    summary = archive.summary(conversation_id)
    if summary is None:
        return []
    return blocking_words(summary, archive.transcript(conversation_id), names_for(archive.get(conversation_id)))


def cli_lines(doubts: Iterable[ItemDoubt]) -> list[str]:
    """One line per item for the command line: ``[?] woord, woord — item text``. Words only, never logged."""
    return [f"[?] {', '.join(d.words)} — {d.text}" for d in doubts]
