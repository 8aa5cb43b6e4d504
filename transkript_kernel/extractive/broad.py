"""A broad net for action candidates: every sentence that is framed as something that will happen becomes a
candidate, and the learned scorer (``scoring``), not a word list, decides whether it stands.

Why: the rule frames ('ik stuur u ...', 'het zou helpen als u ...') never propose about 45 % of the actions on
conversations nobody tuned them on — 'Dat regel ik morgen met meneer Kok', 'Wat ik wil doen: ik meld haar aan
bij ...', 'Dan meld je jezelf vóór half negen af in de app'. What such sentences share is general Dutch and
English grammar: a finite verb in the present with a subject that can act (ik, we, u, the pupil, a colleague)
or an imperative, plus a commitment frame (future or modal verb), a time expression, or a 'ja' in the next
turn. The part-of-speech tags come from HanTa (``language``); without it a word-list fallback reads the same
frame less well. Past events, questions and worries are not proposed here.
"""
from __future__ import annotations

import re

from .actions import Candidate, _we_owner, addressee, candidate, speaking_for
from .analyser import Analyser
from .language import analysis
from .phrasing import lead_in, strip_particles, words_of

#: Modal and future verbs (lemmas) that frame a commitment in the present tense.
FRAME_LEMMAS = {"nl": {"gaan", "zullen", "willen", "kunnen", "mogen", "moeten"},
                "en": {"will", "shall", "can", "may", "must", "should", "go", "want", "'ll", "’ll"}}
#: Finite verbs that state rather than act: 'ik ben', 'ik heb', 'ik denk', 'I think' (lemmas).
STATIVE = {"zijn", "hebben", "denken", "vinden", "weten", "hopen", "geloven", "snappen", "begrijpen", "merken",
           "voelen", "herkennen", "zien", "horen", "snap", "lijken", "heten", "staan", "zitten", "liggen",
           "be", "have", "think", "know", "hope", "believe", "feel", "understand", "see", "seem", "guess", "mean"}


OPENING_CLAUSE = {"als", "wanneer", "zodra", "mocht", "indien", "omdat", "nu", "if", "when", "once", "because",
                  "since", "as"}


def main_finite(an: Analyser, words) -> int | None:
    """The index of the main clause's finite verb: the first one, or after an opening subordinate clause ('Als er
    op het plein iets gebeurt, kom je het meteen zeggen') the first one after its comma."""
    finite = [k for k, w in enumerate(words) if w.finite]
    if not finite:
        return None
    content = [k for k, w in enumerate(words) if w.pos != "LET"]
    if content and words[content[0]].token.lower() in OPENING_CLAUSE:
        comma = next((k for k, w in enumerate(words) if w.token == ","), None)
        after = [k for k in finite if comma is not None and k > comma]
        if after:
            return after[0]
    return finite[0]


def subject_owner(an: Analyser, s, words) -> tuple[str | None, str]:
    """(owner, subject kind) from the subject next to the first finite verb: first, plural, second, pupil,
    staff, imperative or none."""
    role = an.role(s)
    f = main_finite(an, words)
    if f is None:
        return None, "none"
    around = [words[k] for k in (f - 1, f + 1, f + 2) if 0 <= k < len(words)]
    for w in around:
        low = w.token.lower()
        if low in an.c.first_singular or low in ("i", "i'll", "i’ll"):
            return speaking_for(role), "first"
        if low in an.c.first_plural or low in ("we'll", "we’ll"):
            return _we_owner(an, s, s.lower), "plural"
        if low in an.c.second:
            return addressee(an, s), "second"
        if w.token in an.names or low in an.c.third_pupil:
            if s.role == "tolk" and role == "ouder" and low in an.c.third_pupil:
                return "ouder", "pupil"  # 'Meneer zegt dat hij ...': the interpreter speaks for the parent
            return "leerling", "pupil"
    before = " ".join(w.token for w in words[:f]).lower()
    if an.c.school_roles.search(before):
        return ("school" if role in ("docent", "school", None) else None), "staff"
    if words[f] is words[0] or (f > 0 and all(w.pos == "LET" for w in words[:f])):
        return addressee(an, s), "imperative"
    return None, "none"


def broad_candidates(an: Analyser, taken: set[int]) -> list[Candidate]:
    """Candidates from sentences no rule frame took (``taken``: their indices), each with ``cd.frame`` holding
    what made it a candidate (for the scorer's features)."""
    c = an.c
    out = []
    for i, s in enumerate(an.sentences):
        if i in taken or an.meta[i] or an.is_ack(s) or s.question:
            continue
        text = lead_in(strip_particles(s.text.strip(), c), c)
        low = text.lower()
        if len(words_of(low)) < 3 or c.concern.search(low):
            continue
        a = analysis(text, an.language)
        if a is None or not a.words:
            continue
        hi = main_finite(an, a.words)
        if hi is None:
            cd = _repeated_back(an, s, text)
            if cd is not None:
                out.append(cd)
            continue
        finite = a.finite
        head = a.words[hi]
        lemma = head.lemma.lower()
        frame = {
            "due": bool(an.dues(text)),
            "modal": any(w.lemma.lower() in FRAME_LEMMAS.get(an.language, set()) or
                         w.token.lower() in FRAME_LEMMAS.get(an.language, set()) for w in finite),
            "future": bool(c.future.search(low)),
            "imperative": a.imperative,
            "past": a.past,
            "perfect": a.perfect,
            "stative": lemma in STATIVE and not a.infinitive,
            "accepted": _accepted(an, s),
        }
        if frame["past"] and not frame["due"]:
            continue  # 'ik belde haar': telling what happened
        if not (frame["due"] or frame["modal"] or frame["future"] or frame["imperative"] or frame["accepted"]):
            continue
        owner, subject = subject_owner(an, s, list(a.words))
        if subject == "none" and not frame["imperative"]:
            if not (frame["due"] and not frame["stative"] and an.role(s)):
                continue
            owner = an.role(s)  # 'Maar de telefoon gaat wel om half negen op de keukentafel': the speaker arranges
        frame["subject"] = subject
        cd = candidate(an, s, text, owner, "broad")
        cd.frame = frame
        cd.imperative = subject == "imperative"
        out.append(cd)
    return out


def _accepted(an: Analyser, s) -> bool:
    for nxt in an.sentences[s.index + 1:s.index + 4]:
        if nxt.turn != s.turn and nxt.speaker != s.speaker:
            low = nxt.lower.strip()
            return any(low.startswith(x) for x in an.c.acceptance)
    return False


def _repeated_back(an: Analyser, s, text: str) -> Candidate | None:
    """A plan said without a verb ('Per kaartje hooguit vijf woorden, alleen steekwoorden.') that the other side
    repeats at once ('Vijf woorden per kaartje.'): saying it back is how people take on what they agree to, so it
    is the repeater's (the scorer still decides)."""
    content = an.content(text)
    if len(content) < 3 or not an.role(s):
        return None
    nxt = next((x for x in an.sentences[s.index + 1:s.index + 3] if x.turn != s.turn), None)
    if nxt is None or nxt.speaker == s.speaker or nxt.question:
        return None
    said = an.content(nxt.text)
    if len(said & content) < 2 or len(said & content) < len(said) / 2:
        return None
    cd = candidate(an, s, text, speaking_for(an.role(nxt)), "broad")
    cd.evidence = sorted(set(cd.evidence) | set(nxt.segment_ids))
    cd.frame = {"due": bool(an.dues(text)), "modal": False, "future": False, "imperative": False, "past": False,
                "perfect": False, "stative": False, "accepted": True, "subject": "none"}
    return cd
