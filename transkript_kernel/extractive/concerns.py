"""Worries and problem statements about the pupil become concerns, with who raised them and the context a
bare 'daar maak ik me zorgen over' points back to."""
from __future__ import annotations

import re

from .phrasing import finish, number_words, strip_particles, trim_clauses, words_of
from .grounding import evidence_text, misrendered, quote, unchecked
from .rendering import third_person
from ..sentences import Sentence
from ..summary import Concern
from .analyser import Analyser
from .negative import negative



def concerns(an: Analyser, action_sentences=()) -> list[Concern]:
    """``action_sentences``: indices of sentences already read as actions, so no concern repeats them."""
    c = an.c
    out: list[Concern] = []
    for i, s in enumerate(an.sentences):
        if an.meta[i] or an.is_ack(s):
            continue
        text = strip_particles(s.text.strip(), c)
        low = text.lower()
        cue = c.concern.search(low)
        if cue and (_negated(low, cue.start(), c) or _ensure(low, cue)):
            cue = None  # 'geen zorgen', 'niet bang': a reassurance; 'zorgen dat ...': to make sure
        problem = c.problem.search(low)
        if problem and _negated(low, problem.start(), c):
            problem = None  # 'geen probleem', 'niet alleen'
        problem = problem or (NEGATIVE and negative(
            text, c, an.language, first_person_ok=an.role(s) == "leerling"))
        if not cue and not problem:
            continue
        if _refusal(low, c):
            continue  # 'Nee, dat lukt niet': an answer to a proposal, not a worry
        if problem and not cue:
            if i in action_sentences:
                continue  # 'Ik maak een afspraak over wat hij doet als hij boos wordt' is an action
            if re.match(r"(als|if|wanneer|when|indien|mocht|mochten|should)\b",
                        _clause_with(text, problem.group(0)).lower()):
                continue  # 'If he is ill, ...' is a condition, not a worry
            if set(words_of(low)) & {"hoeft", "hoeven", "hoef", "needn't", "need not"}:
                continue  # 'hij hoeft niet meer te ...': an arrangement, not a worry
            words = set(words_of(low))
            about_pupil = words & c.third_markers or any(n.lower() in words for n in an.names) or (
                an.role(s) == "leerling" and words & c.first_singular)
            if not about_pupil or s.question:
                continue
        evidence = list(s.segment_ids)
        if not cue:
            body = strip_particles(_clause_with(text, problem.group(0)), c)
            pointing = re.search(r"\b(het|dat|dit|it|that|this)[.!?]?$", body.lower().strip())
            if len(an.content(body)) < 2 and pointing:
                ctx = _context(an, s)
                if ctx:
                    body = "; ".join(trim_clauses(x.text, c).rstrip(".") for x in ctx + [s])
                    evidence = sorted(set(evidence) | {i for x in ctx for i in x.segment_ids})
        else:
            body = trim_clauses(text[cue.start():], c)
            content = an.content(body) - an.content(cue.group(0))
            if len(content) < 2:
                ctx = _context(an, s) or _context_after(an, s)
                if ctx:
                    body = cue.group(0) + ": " + "; ".join(trim_clauses(x.text, c).rstrip(".") for x in ctx)
                    evidence = sorted(set(evidence) | {i for x in ctx for i in x.segment_ids})
                elif len(content) < 2:
                    body = trim_clauses(text, c)
            body = body if len(an.content(body)) >= 2 else trim_clauses(text, c)
        text = finish(number_words(third_person(an, body, s), an.language))
        said = evidence_text(an.transcript, evidence)
        if unchecked(text, said, an.language) or misrendered(text, said, an.language):
            # a rewrite made a word nobody said, or a form that reads wrong: quote the speaker instead
            text = quote(an.role(s), body, an.language)
            if text is None or unchecked(text, said, an.language):
                continue
        out.append(Concern(text, an.role(s), sorted(set(evidence))))
    return _merge_concerns(an, out)


#: Read negative evaluation from lemmas too (``negative``), not only the fixed problem phrases.
NEGATIVE = True


def _negated(low: str, start: int, c) -> bool:
    """A negation in the two words before a worry cue or a problem word: 'geen zorgen', 'niet bang', 'geen
    probleem'."""
    before = words_of(low[:start])[-2:]
    return bool(set(before) & (set(c.raw.get("negations", [])) | set(c.raw.get("negation_words", []))))


def _ensure(low: str, cue) -> bool:
    """'zorgen dat/voor' is 'to make sure', unless someone makes themselves worries ('maak me zorgen dat')."""
    if cue.group(0) != "zorgen":
        return False
    after = words_of(low[cue.end():])[:1]
    before = words_of(low[:cue.start()])[-3:]
    return bool(after) and after[0] in ("dat", "voor", "ervoor") and not set(before) & {"me", "mij", "ons", "zich",
                                                                                          "maak", "maken", "maakt"}


def _refusal(low: str, c) -> bool:
    return any(low.startswith(r) and (len(low) == len(r) or not low[len(r)].isalnum()) for r in c.refusal
               if r not in ("nee", "no"))


def _clause_with(text: str, needle: str) -> str:
    parts = re.split(r",\s+|;\s+|\s+(?:omdat|want|maar|because|but)\s+", text)
    for p in parts:
        if needle in p.lower():
            return p
    return text


def _context(an: Analyser, s: Sentence) -> list[Sentence]:
    out = []
    for prev in reversed(an.sentences[max(0, s.index - 2):s.index]):
        if prev.turn != s.turn or prev.question or an.is_ack(prev) or an.meta[prev.index]:
            break
        pw = words_of(prev.text)
        if not pw or (len(pw) <= 5 and pw[0] in ("dat", "dit", "that", "this", "it")):
            continue  # a reaction ('Dat herken ik wel'), not the content of the worry
        out.insert(0, prev)
    return out


def _context_after(an: Analyser, s: Sentence) -> list[Sentence]:
    nxt = an.sentences[s.index + 1] if s.index + 1 < len(an.sentences) else None
    if nxt is None or nxt.turn != s.turn or nxt.question or an.meta[nxt.index]:
        return []
    return [nxt]


def _merge_concerns(an: Analyser, items: list[Concern]) -> list[Concern]:
    """Concerns about the same thing (most content words shared) become one, keeping the fullest text."""
    out: list[Concern] = []
    for it in items:
        words = an.content(it.text)
        same = [o for o in out if o.raised_by == it.raised_by and (
            _core(o.text) in _core(it.text) or _core(it.text) in _core(o.text) or (
                words and an.content(o.text) and len(words & an.content(o.text)) >= 2
                and len(words & an.content(o.text)) / min(len(words), len(an.content(o.text))) >= 0.6))]
        for o in same:
            out.remove(o)
            it.evidence = sorted(set(o.evidence) | set(it.evidence))
            if len(o.text) > len(it.text):
                it.text = o.text
            it.raised_by = it.raised_by or o.raised_by
        out.append(it)
    return out


def _core(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()
