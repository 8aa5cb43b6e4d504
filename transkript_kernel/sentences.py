"""Sentence splitting for Dutch and English transcripts, keeping track of which segments each sentence rests on.

Summaries cite segment ids, but meaning lives in sentences: an ASR segment may end mid-sentence and one turn
may hold several sentences. So turns (runs of one speaker) are joined, split into sentences, and every
sentence remembers the segments its characters came from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# abbreviations whose full stop does not end a sentence (lower case, without the dot)
ABBREVIATIONS = {
    "nl": {"bijv", "bv", "o.a", "d.w.z", "m.a.w", "mevr", "dhr", "mr", "drs", "dr", "ir", "juf", "mw", "nr", "t.a.v",
           "i.p.v", "z.s.m", "etc", "enz", "ca", "evt", "gr", "vs", "ong", "jl", "a.s", "resp"},
    "en": {"mr", "mrs", "ms", "dr", "prof", "e.g", "i.e", "etc", "vs", "no", "st", "approx", "jr", "sr"},
}
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)]*)(\s+)")


@dataclass
class Sentence:
    text: str
    segment_ids: list[int]
    speaker: str | None
    role: str | None
    turn: int
    index: int = 0
    question: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def lower(self) -> str:
        return self.text.lower()


def split(text: str, language: str = "nl") -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``."""
    abbrev = ABBREVIATIONS.get(language, set()) | ABBREVIATIONS["nl"] | ABBREVIATIONS["en"]
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(2)
        before = text[start:m.start(1)]
        last = re.findall(r"[\w.]+$", before)
        token = last[0].lower().rstrip(".") if last else ""
        if m.group(1) == "." and (token in abbrev or re.fullmatch(r"\d+", token) and _next_is_digit(text, m.end())):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _next_is_digit(text: str, pos: int) -> bool:
    return pos < len(text) and text[pos].isdigit()


RUN_ON_WORDS = 30


def _split_run_on(text: str, language: str) -> list[tuple[int, int]]:
    """Speech recognisers drop full stops: cut a long unpunctuated stretch at commas and clause openers."""
    from .lexicon import cues

    c = cues(language)
    if len(text.split()) <= RUN_ON_WORDS:
        return [(0, len(text))]
    cuts = {0}
    for m in re.finditer(r",\s+", text):
        cuts.add(m.end())
    starts = sorted({s.lower() for s in c.raw.get("run_on_starts", [])}, key=len, reverse=True)
    low = text.lower()
    blockers = c.subordinators | c.prepositions
    verbs = set(c.raw.get("question_verbs", [])) | c.non_action | c.modals
    for st in starts:
        for m in re.finditer(r"(?<![\w'’-])" + re.escape(st) + r"(?![\w'’-])", low):
            before = re.findall(r"[\w'’-]+", low[:m.start()])
            pronoun_first = st.split()[0] in ("ik", "we", "i", "ze", "hij")
            if before and before[-1] not in blockers and not (pronoun_first and before[-1] in verbs) and m.start() - max(c_ for c_ in cuts if c_ <= m.start()) > 12:
                cuts.add(m.start())
    bounds = sorted(cuts) + [len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip(" ,")]


def is_question(text: str, language: str) -> bool:
    """A question mark, or (for punctuation-less speech recognition) verb-first or wh-word order."""
    from .lexicon import cues

    t = text.strip()
    if t.rstrip("\"'”’) ").endswith("?"):
        return True
    if t.endswith((".", "!")):
        return False
    c = cues(language)
    words = re.findall(r"[\w'’-]+", t.lower())
    subjects = {"ik", "we", "wij", "u", "je", "jij", "hij", "ze", "zij", "jullie", "i", "you", "he", "she", "they", "it"}
    if len(words) >= 2 and words[0] in c.raw.get("question_verbs", []) and words[1] in subjects:
        return True
    return len(words) >= 2 and words[0] in c.raw.get("wh_words", []) and words[1] in c.raw.get("question_verbs", [])


def sentences_of(transcript, language: str | None = None) -> list[Sentence]:
    """All sentences of a transcript, in order, each with its segment ids, speaker, role and turn index."""
    language = language or transcript.language or "nl"
    turns: list[list] = []
    for seg in transcript.segments:
        if not seg.text.strip():
            continue
        if turns:
            prev = turns[-1][-1]
            same = seg.speaker == prev.speaker
            if seg.speaker is None and prev.speaker is None:
                # no speaker information: only join when the previous segment stopped mid-sentence
                same = not re.search(r"[.!?…][\"'”’)]*\s*$", prev.text.strip())
            if same:
                turns[-1].append(seg)
                continue
        turns.append([seg])
    out: list[Sentence] = []
    for t, segs in enumerate(turns):
        text, owners = "", []
        for seg in segs:
            piece = seg.text.strip()
            if text:
                text += " "
            owners.append((len(text), len(text) + len(piece), seg.id))
            text += piece
        speaker = segs[0].speaker
        role = transcript.role_of(speaker)
        spans = []
        for s, e in split(text, language):
            spans += [(s + a, s + b) for a, b in _split_run_on(text[s:e], language)]
        for s, e in spans:
            ids = [sid for a, b, sid in owners if a < e and b > s] or [segs[0].id]
            sentence = text[s:e].strip().rstrip(",").strip()
            out.append(Sentence(sentence, ids, speaker, role, t, len(out), is_question(sentence, language)))
    return out
