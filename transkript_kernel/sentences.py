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


#: Recognised text (segments with a word list) longer than this many words is cut into clauses by its tags.
CLAUSE_WORDS = 12
SUBJECT_PRONOUNS = {"ik", "we", "wij", "u", "je", "jij", "jullie", "hij", "ze", "zij", "i", "you", "he", "she",
                    "they"}
#: Words before which no new clause starts ('dat ik', 'als we', 'voor ik', 'want ik' keep their clause).
NO_CUT_AFTER = {"dat", "als", "of", "omdat", "want", "wat", "hoe", "zodat", "wanneer", "waar", "toen", "die",
                "terwijl", "voordat", "nadat", "zodra", "indien", "wie", "sinds", "totdat", "doordat", "hoewel",
                "zolang", "voor", "met", "aan", "bij", "naar", "van", "door", "om", "tegen", "te", "and", "that",
                "if", "when", "because", "so", "what", "how", "where", "who", "before", "after", "as", "than",
                "to", "for", "with", "of", "dan"}
#: Words that open a verb-second clause in front of the finite verb ('dan doen we', 'die geef ik').
V2_OPENERS = {"dan", "daar", "daarom", "daarna", "daarnaast", "nu", "straks", "morgen", "thuis", "dat", "die",
              "dit", "deze", "verder", "ook", "nou", "misschien", "then", "so", "now", "maybe"}
#: 'het' opening a clause with one of these verbs ('... het zou helpen als u ...', 'het is belangrijk dat ...').
IT_VERBS = {"zou", "is", "lijkt", "helpt", "wordt", "would", "helps"}
CONJUNCTIONS = {"en", "maar", "and", "but"}
CONDITIONS = {"als", "wanneer", "zodra", "mocht", "indien", "if", "when", "once", "unless"}


def clause_cuts(words: list[tuple[str, bool]]) -> list[int]:
    """Token positions where a new main clause starts in unpunctuated recognised speech, from ``words``:
    (token, is finite verb) in order. A subject pronoun right before a finite verb starts one ('... op papier |
    ik heb ...'), unless a subordinator, preposition or a finite verb (inversion) stands before it; an opener
    with a finite verb and a subject pronoun after it ('... | dan doen we ...', '... | die geef ik ...') starts
    one too. Never inside a condition's first clause ('als het helpt, dan ...' stays whole)."""
    low = [w.lower() for w, _ in words]
    fin = [f for _, f in words]
    cuts = []
    for k in range(2, len(words) - 1):
        start = k - 1 if low[k - 1] in CONJUNCTIONS else k  # '... , en ik ga ...': the 'en' opens the clause
        prev = low[start - 1]
        if start < 2 or prev in NO_CUT_AFTER or (fin[start - 1] and start == k):
            continue  # after a finite verb only with 'en/maar' between ('... naar bed gaat en misschien kunt u')
        if low[k] in SUBJECT_PRONOUNS and fin[k + 1]:
            cuts.append(start)
        elif low[k] in V2_OPENERS and fin[k + 1] and k + 2 < len(words) and low[k + 2] in SUBJECT_PRONOUNS:
            cuts.append(start)
        elif low[k] in ("het", "it") and low[k + 1] in IT_VERBS:
            cuts.append(start)
    out, start = [], 0
    for k in cuts:
        head = low[start:k]
        if len([w for w in head if w[:1].isalnum()]) < 3 or (head and head[0] in CONDITIONS and not any(
                fin[start + 1:k])):
            continue
        out.append(k)
        start = k
    if out and len([w for w in low[out[-1]:] if w[:1].isalnum()]) < 3:
        out.pop()
    return out


def _split_clauses(text: str, tag) -> list[tuple[int, int]] | None:
    """Cut ``text`` at :func:`clause_cuts`; None when the tagger gives nothing (the caller splits as before)."""
    tagged = tag(text)
    if not tagged:
        return None
    spans, pos = [], 0
    for token, _ in tagged:
        at = text.find(token, pos)
        if at < 0:
            return None
        spans.append((at, at + len(token)))
        pos = at + len(token)
    bounds = [0] + [spans[k][0] for k in clause_cuts(tagged)] + [len(text)]
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


def sentences_of(transcript, language: str | None = None, tag=None) -> list[Sentence]:
    """All sentences of a transcript, in order, each with its segment ids, speaker, role and turn index.
    ``tag``: text -> [(token, is finite verb)] (the summariser passes its part-of-speech tagger): then a long
    sentence of recognised speech (segments with a word list, whose full stops the recogniser often leaves
    out) is cut where a new main clause starts (:func:`clause_cuts`) instead of at every comma."""
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
        recognised = tag is not None and any(getattr(seg, "words", None) for seg in segs)
        spans = []
        for s, e in split(text, language):
            part = text[s:e]
            cut = _split_clauses(part, tag) if recognised and len(part.split()) > CLAUSE_WORDS else None
            spans += [(s + a, s + b) for a, b in (cut or _split_run_on(part, language))]
        for s, e in spans:
            ids = [sid for a, b, sid in owners if a < e and b > s] or [segs[0].id]
            sentence = text[s:e].strip().rstrip(",").strip()
            out.append(Sentence(sentence, ids, speaker, role, t, len(out), is_question(sentence, language)))
    return out
