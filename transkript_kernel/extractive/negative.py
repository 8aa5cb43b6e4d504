"""Negative evaluation in a sentence: where a speaker says that something goes wrong for someone.

Why: parents, pupils and teachers seldom say "ik maak me zorgen". They say "hij wordt dan boos", "het schrijven
kost haar veel moeite", "ze wil niet meer naar training", "een jongen lacht haar uit". A fixed list of phrases
misses every inflection and every separable verb, so this reads the sentence's lemmas (HanTa, simplemma for
words the tagger does not know) against general language lists in ``data/lexicon/{nl,en}.json``:

- ``negative_lemmas``: words that evaluate negatively by themselves (boos, piekeren, moeite, uitlachen, tired);
  a separated particle is joined to its verb ('lacht ... uit' -> uitlachen); a negation right before the word
  turns it round ('hij is niet dom'), so that is no hit;
- ``negatable_lemmas``: words that are a problem when negated in the same clause ('lukt niet', 'gaat niet
  goed', 'snapt hij niet', "can't follow");
- ``no_longer``: 'niet meer', 'niks meer', 'nooit meer' (something stopped);
- ``too_words``: 'te' + an adjective or a quantity ('te laat', 'te veel', 'too hard');
- ``predicative_lemmas``: words that are negative only when they close their clause ('hij is vaak alleen',
  'dat vond hij heel erg'), not as a focus word or intensifier ('hij kent alleen de tafel van tien', 'erg druk').

A hit whose clause has a first-person subject ('dat wil ik niet', 'we kennen haar nog niet') is the speaker's
own position, not a worry about the pupil, unless the speaker is the pupil (``first_person_ok``).

Without a tagger only the surface forms are compared (the lemma lists still hold the base forms), which is
weaker, never wrong in another way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .language import analysis, lemma
from .phrasing import tokens_of

CLAUSE_BREAK = re.compile(r"^[,;:.!?]$|^(?:maar|want|omdat|terwijl|but|because|while|although)$", re.I)


@dataclass(frozen=True)
class Hit:
    """Where the negative evaluation is: the word that carries it (surface form) and what kind of hit it is."""
    word: str
    kind: str  # 'lemma', 'negated', 'no_longer', 'too'

    def group(self, _n: int = 0) -> str:  # reads like a regex match where the concern code expects one
        return self.word.lower()


def _words(text: str, language: str):
    """(token, lemma, tag) per token; lemmas from the tagger, or simplemma, or the token itself."""
    a = analysis(text, language)
    if a is not None:
        return [(w.token, (w.lemma or w.token).lower(), w.tag) for w in a.words]
    return [(t, lemma(t, language), "") for t in tokens_of(text)]


def _particle_verbs(words) -> dict[int, str]:
    """Index of a finite verb -> particle + lemma when a separated particle ('VZ(fin)', 'uit') closes its
    clause: 'lacht haar dan uit' -> uitlachen."""
    out = {}
    for i, (_tok, lem, tag) in enumerate(words):
        if "WW(pv" not in tag:
            continue
        for j in range(i + 1, len(words)):
            tok_j, _l, tag_j = words[j]
            if CLAUSE_BREAK.match(tok_j):
                break
            if tag_j.startswith("VZ(fin"):
                out[i] = tok_j.lower() + lem
    return out


def negative(text: str, c, language: str, *, first_person_ok: bool = False) -> Hit | None:
    """The first negative evaluation in ``text`` (one sentence), or None."""
    raw = c.raw
    neg_lemmas = set(raw.get("negative_lemmas", []))
    negatable = set(raw.get("negatable_lemmas", []))
    negations = set(raw.get("negations", [])) | set(raw.get("negation_words", []))
    too = set(raw.get("too_words", []))
    predicative = set(raw.get("predicative_lemmas", []))
    first = set() if first_person_ok else (set(c.first_singular) | set(c.first_plural))
    no_longer = set(raw.get("no_longer", []))
    words = _words(text, language)
    low = [t.lower() for t, _l, _t in words]
    particles = _particle_verbs(words)
    clause_start = 0
    for i, (tok, lem, tag) in enumerate(words):
        if CLAUSE_BREAK.match(tok):
            clause_start = i + 1
            continue
        forms = {low[i], lem, particles.get(i, "")}
        clause = low[clause_start:]
        clause = clause[:next((k for k, t in enumerate(clause) if CLAUSE_BREAK.match(t)), len(clause))]
        if forms & predicative:
            nxt = words[i + 1] if i + 1 < len(words) else ("." , ".", "LET()")
            if nxt[0].lower() not in ("maar", "but") and (
                    CLAUSE_BREAK.match(nxt[0]) or nxt[2].startswith(("WW", "VZ", "V", "PR"))):
                return Hit(tok, "lemma")
        if forms & neg_lemmas:
            before = low[max(clause_start, i - 2):i]
            main = clause[:next((k for k, (_t, _l, g) in enumerate(words[clause_start:clause_start + len(clause)])
                                 if g.startswith("VG(onder")), len(clause))]
            verb_negated = "WW(pv" in tag and set(main) & negations  # 'dat vergeten ze niet snel'
            if not (set(before) & negations) and not verb_negated:
                return Hit(tok, "lemma")
        own = set(clause) & first and not set(clause) & set(c.third_markers)  # 'ik denk dat hij ...' is about him
        if forms & negatable and not own:
            if set(clause) & negations:
                return Hit(tok, "negated")
        if low[i] in negations and i + 1 < len(low) and low[i + 1] in no_longer:
            return Hit(f"{tok} {words[i + 1][0]}", "no_longer")
        if low[i] in too and i + 1 < len(words):
            nxt_tok, nxt_lem, nxt_tag = words[i + 1]
            if nxt_tag.startswith(("ADJ", "AJ")) or nxt_lem in neg_lemmas or nxt_tok.lower() in ("veel", "weinig",
                                                                                                  "much", "many",
                                                                                                  "little", "few"):
                return Hit(f"{tok} {nxt_tok}", "too")
    return None
