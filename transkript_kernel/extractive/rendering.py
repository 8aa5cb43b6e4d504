"""Saying what was said the way a report does: clauses in the third person ('Ik bel u' -> 'De leerkracht belt
de ouder') and an action's pieces joined into one sentence without its due date."""
from __future__ import annotations

import re

from .actions import Candidate, addressee, speaking_for
from .phrasing import (EN_MODALS, NL_U_FORM, en_to_3sg, finish, nl_1sg_to_3sg, nl_plural_to_3sg, number_words,
                       strip_particles, tokens_of, words_of)
from ..sentences import Sentence
from ..summary import Action
from .analyser import Analyser


#: English first-person contractions and what the speaker's role noun takes instead ("I'm going to" -> "the
#: teacher is going to").
EN_CONTRACTED = {"i'm": "is", "i’m": "is", "i'd": "would", "i’d": "would"}
SEPARABLE = ("terug", "samen", "mee", "door", "voor", "af", "op", "aan", "uit", "bij", "in", "na", "toe",
             "weg", "langs", "thuis")


def render_action(an: Analyser, cd: Candidate) -> Action:
    """The action as the summary states it: third person, merged pieces joined, due date apart."""
    def phrase(c: Candidate) -> list[str]:
        own = third_person(an, c.text.strip().rstrip("."), c.sentence, owner=c.own_owner)
        if c.imperative:
            own = _imperative(an, c.text.strip().rstrip("."), c) or own
        own = _declarative(an, own)
        compact = compact_proposal(an, c.body, c.sentence) if c.body else None
        return [p for b in c.before for p in phrase(b)] + [compact or own] + \
            [p for a in c.after for p in phrase(a)]

    pieces = phrase(cd)
    pieces = [p if i == 0 else _lower_first(p) for i, p in enumerate(pieces) if p]
    text = "; ".join(pieces)
    due = cd.due
    if due:
        text = _without_dues(an, text)
    text = number_words(text, an.language)
    due = number_words(due, an.language) if due else due
    return Action(finish(text), cd.owner, due, sorted(set(cd.evidence)))


def _without_dues(an: Analyser, text: str) -> str:
    spans = an.dues(text)
    if not spans:
        return text
    out, last = "", 0
    for a, b, _ in spans:
        if a == 0 or (last == 0 and re.fullmatch(r"\s*(?:in|op|na|voor|vanaf|tot|over|on|in|after)\s+", text[:a], re.I)):
            continue  # a fronted time phrase ('In de komende twee weken neem ik') holds the word order: keep it
        head = text[last:a]
        # the time phrase's own preposition goes with it ('sinds oktober', 'tot de kerst'): left alone it hangs
        head = re.sub(r"\b(?:sinds|vanaf|tot|vóór|uiterlijk|since|until|before)\s*$", "", head, flags=re.I)
        out += head
        last = b
    out += text[last:]
    out = re.sub(r"\b(vanaf|van|op|in|tot|na|voor|vóór|uiterlijk|from|on|in|by|before|until|every|elke)\s+(?=[,;.]|$)", "", out)
    out = re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", out)).strip(" ,")
    out = re.sub(r",\s*([,;])", r"\1", out)
    # a clause the time phrase leaves hanging (', die is') goes too
    out = re.sub(r",\s+(?:die|dat|which|that|en|and)\s+(?:is|zijn|was|are|is\s+er)\s*(?=;|$)", "", out)
    if len(words_of(out)) < 3:
        return text
    return out


def compact_proposal(an: Analyser, body: str, s: Sentence) -> str | None:
    """'als u elke avond samen leest' -> 'De ouder leest elke avond samen'; None when not safe."""
    toks = tokens_of(body.strip().rstrip("."))
    low = [t.lower() for t in toks]
    if len(toks) < 3 or any(t in an.c.subordinators for t in low[1:]) or "," in low:
        return None
    role = an.role(s)
    other = an.owner_noun(addressee(an, s)) if role else None
    first = low[0]
    if an.language == "en":
        if first in ("she", "he") or toks[0] in an.names:
            return _cap_first(_join(toks))
        if first in ("you",) and other:
            return _cap_first(_join([other] + toks[1:])).replace(" your ", " their ")
        if re.fullmatch(r"[a-z]+", first) and first not in an.c.stopwords and other:
            rest = [("their" if w == "your" else t) for t, w in zip(toks[1:], low[1:])]
            return _cap_first(_join([other, en_to_3sg(toks[0])] + rest))
        return None
    if first in an.c.second and other:
        subject = other
    elif first in an.c.third_pupil or toks[0] in an.names:
        subject = toks[0]
    else:
        return None
    verb = toks[-1]
    if not re.fullmatch(r"[a-zà-ÿ]+t", verb.lower()) or len(verb) < 4:
        return None
    verb = NL_U_FORM.get(verb.lower(), verb)
    particle = ""
    for p in SEPARABLE:
        if verb.lower().startswith(p) and len(verb) - len(p) >= 4:
            particle, verb = p, verb[len(p):]
            break
    middle = toks[1:-1]
    out = [subject, verb] + middle + ([particle] if particle else [])
    return _cap_first(_join(out))


def _imperative(an: Analyser, text: str, cd: Candidate) -> str | None:
    """'Laat hem thuis veel knippen' -> 'De ouder laat hem thuis veel knippen'."""
    noun = an.owner_noun(cd.own_owner)
    if not noun:
        return None
    text = strip_particles(text, an.c)
    toks = tokens_of(text)
    if not toks:
        return None
    verb = nl_1sg_to_3sg(toks[0].lower()) if an.language == "nl" else en_to_3sg(toks[0].lower())
    rest = [("their" if t.lower() == "your" else t) for t in toks[1:]]
    return _cap_first(_join([noun, verb] + rest))


def _declarative(an: Analyser, text: str) -> str:
    """'Kan de ouder ... bellen' (a request) -> 'De ouder kan ... bellen'; 'Could the parent X' -> 'The parent Xs'."""
    nouns = "|".join(re.escape(n) for n in sorted(list(an.c.owner_nouns.values()) + [
        "school en ouder", "the school and the parent", "de ouders", "the parents"], key=len, reverse=True))
    m = re.match(r"^laten (school en ouder) (.+)$", text, re.I)
    if m:
        rest = tokens_of(m.group(2))
        low = [t.lower() for t in rest]
        end = next((k for k, w in enumerate(low) if w in an.c.subordinators or w == ","), len(rest))
        inf = max((k for k in range(end) if low[k].endswith("en") and low[k] not in ("even", "tien", "zeven",
                                                                                   "negen", "open")), default=None)
        if inf is not None:
            rest = [rest[inf]] + rest[:inf] + rest[inf + 1:]
            return f"School en ouder {_join(rest)}"
    m = re.match(r"^let(?:'s| us) (.+)$", text, re.I)
    if m:
        return f"The school and the parent {m.group(1)}"
    m = re.match(rf"^([a-zà-ÿ]+t) ({nouns}) (.+?) maar\b(.*)$", text, re.I)
    if m and an.language == "nl":
        return f"{_cap_first(m.group(2))} {m.group(1).lower()} {m.group(3)}{m.group(4)}"
    m = re.match(rf"^([a-zà-ÿ]+t) ({nouns}) (.+)$", text, re.I)
    if m and an.language == "nl" and m.group(1).lower() not in an.c.subordinators:
        return f"{_cap_first(m.group(2))} {m.group(1).lower()} {m.group(3)}"  # 'Belt u mij dan?' -> 'De ouder belt'
    m = re.match(rf"^(kan|wil|zou|moet|zal|mag|zullen|kunnen|mogen|gaan) ({nouns}) (.+)$", text, re.I)
    if m:
        return f"{_cap_first(m.group(2))} {m.group(1).lower()} {m.group(3)}"
    m = re.match(rf"^(?:could|can|would|will|shall|may) ({nouns}) (\w+)(.*)$", text, re.I)
    if m:
        plural = " and " in m.group(1) or m.group(1).endswith("s")
        return f"{_cap_first(m.group(1))} {m.group(2) if plural else en_to_3sg(m.group(2))}{m.group(3)}"
    return text


def third_person(an: Analyser, clause: str, s: Sentence, owner: str | None = None) -> str:
    """'Ik geef hem vrijdag ...' -> 'De leerkracht geeft hem vrijdag ...', when the speaker's role is known."""
    role = speaking_for(an.role(s))
    speaker_noun = an.owner_noun(role)
    other_noun = an.owner_noun(addressee(an, s)) if role else None
    if not speaker_noun:
        return clause
    toks = tokens_of(clause)
    low = [t.lower() for t in toks]
    out = list(toks)
    nl = an.language == "nl"
    subj_i = None
    for i, w in enumerate(low):
        if not nl and w in EN_CONTRACTED:
            out[i] = f"{speaker_noun} {EN_CONTRACTED[w]}"
            subj_i = i
            continue
        if w in an.c.first_singular or (not nl and w in ("i'll", "i’ll")):
            out[i] = speaker_noun
            subj_i = i
            if not nl and w in ("i'll", "i’ll"):
                out[i] = speaker_noun + " will"
                continue
            prev_sub = i > 0 and low[i - 1] in an.c.subordinators
            if nl:
                vi = i + 1 if (i == 0 or low[i - 1] in an.c.coordinators
                               or not re.match(r"\w", low[i - 1])) else i - 1
                if prev_sub:
                    k = i + 1
                    while k < len(toks) and re.match(r"\w", toks[k]) and low[k] not in an.c.coordinators:
                        k += 1
                    if k - 1 > i and re.fullmatch(r"[a-zà-ÿ]+", low[k - 1]) and len(low[k - 1]) > 2:
                        out[k - 1] = nl_1sg_to_3sg(toks[k - 1])
                    continue
                if 0 <= vi < len(toks):
                    out[vi] = _third_singular(an, toks, vi)
                    # a second verb coordinated with 'en': 'houd ... bij en stuur u ...'
                    for j in range(vi + 1, len(toks) - 1):
                        if low[j] == "en" and low[j + 1] not in an.c.first_singular and \
                                low[j + 1] in _coordinated_verbs(low, vi) and \
                                low[j + 1] not in an.c.prepositions and _verb_at(an, toks, j + 1):
                            out[j + 1] = nl_1sg_to_3sg(toks[j + 1])
            elif i + 1 < len(toks) and not prev_sub and not (i > 0 and low[i - 1] in EN_MODALS | {"do", "did"}):
                out[i + 1] = en_to_3sg(toks[i + 1])
        elif w in ("mij", "me") and nl:
            out[i] = "zich" if subj_i is not None and i - subj_i <= 2 else speaker_noun
        elif w == "me" and not nl:
            out[i] = speaker_noun
        elif w in ("mijn", "my"):
            out[i] = "de" if nl else "the"
        elif other_noun and w in ("u", "you"):
            out[i] = other_noun
            # 'kunt u' / 'u kunt'
            for j in (i - 1, i + 1):
                if 0 <= j < len(toks) and low[j] in NL_U_FORM:
                    out[j] = NL_U_FORM[low[j]]
        elif other_noun and w in ("uw", "your"):
            out[i] = "de" if nl else "their"
        elif w in an.c.first_plural and role == "docent":
            if i > 0 and low[i - 1] in an.c.subordinators:
                out[i] = ("ze" if nl else "they") if owner == "samen" and subj_i is not None else \
                    ("school en ouder" if nl else "the school and the parent")
                continue
            if owner == "samen":
                out[i] = "school en ouder" if nl else "the school and the parent"
                subj_i = i
                continue
            noun = an.owner_noun("school")
            vi = i + 1 if i == 0 or not re.match(r"\w", low[i - 1]) else i - 1
            if 0 <= vi < len(toks):
                if nl:
                    v3 = nl_plural_to_3sg(toks[vi])
                    if v3 is None:
                        continue
                    out[vi] = v3
                elif low[vi] in ("are",):
                    out[vi] = "is"
            out[i] = noun
        elif w in an.c.first_plural and owner == "samen" and role:
            out[i] = "school en ouder" if nl else "the school and the parent"
        elif w in an.c.first_plural and role == "ouder":
            out[i] = "de ouders" if nl else "the parents"
        elif nl and w in ("je", "jij") and other_noun and addressee(an, s) == "leerling":
            # the school to a pupil who takes part: 'je komt langs' / 'dan kom je langs' -> 'de leerling komt langs'
            if i == 0 or low[i - 1] in an.c.coordinators or not re.match(r"\w", low[i - 1]):
                out[i] = other_noun
                if i + 1 < len(toks) and low[i + 1] in NL_U_FORM:
                    out[i + 1] = NL_U_FORM[low[i + 1]]
            elif i >= 1 and _verb_at(an, toks, i - 1):
                out[i] = other_noun
                out[i - 1] = nl_1sg_to_3sg(toks[i - 1])
    text = _join(out)
    return _cap_first(text)


def _third_singular(an: Analyser, toks: list[str], k: int) -> str:
    """The third person of the first-person verb ``toks[k]`` ('stuur' -> 'stuurt'). A recogniser's misspelt form
    ('besprek' for 'bespreek') gives no word ('besprekt'): then the form is made from the verb's lemma by the
    tagger ('bespreken' -> 'bespreekt') when the dictionary knows that one."""
    from .. import spelling
    from .language import analysis

    plain = nl_1sg_to_3sg(toks[k])
    dictionary = spelling.optional(an.language)
    if dictionary is None or dictionary.known(plain):
        return plain
    a = analysis(" ".join(toks), an.language)
    if a is None or len(a.words) != len(toks) or a.words[k].pos != "WW":
        return plain
    other = nl_plural_to_3sg(a.words[k].lemma.lower())
    if other and dictionary.known(other):
        return _cap_first(other) if toks[k][:1].isupper() else other
    return plain


def _verb_at(an: Analyser, toks: list[str], k: int) -> bool:
    """Is ``toks[k]`` a verb by the part-of-speech tags ('... en stuur u' yes, '... over dieren en voetbal
    leest' no)? True without a tagger: the word-list rule alone decides then."""
    from .language import analysis

    a = analysis(" ".join(toks), an.language)
    if a is None or len(a.words) != len(toks):
        return True
    return a.words[k].pos == "WW"


def _cap_first(s: str) -> str:
    return s[:1].upper() + s[1:]


def _coordinated_verbs(low: list[str], vi: int) -> set[str]:
    """Words right after 'en' that look like a first-person verb (no article/pronoun)."""
    out = set()
    for j in range(vi + 1, len(low) - 1):
        if low[j] == "en":
            w = low[j + 1]
            if w not in {"de", "het", "een", "ik", "we", "hij", "zij", "ze", "u", "dan", "ook", "daarna", "in", "op",
                         "met", "als", "dat", "die", "haar", "hem", "zijn", "mijn"} and re.fullmatch(r"[a-z]+", w):
                out.add(w)
    return out


def _lower_first(s: str) -> str:
    """Lower-case the first letter of a joined clause unless it starts a name ('Sem', 'Mr Jansen')."""
    first = s.split(" ", 1)[0]
    if first.lower() in {"de", "het", "een", "the", "a", "an", "als", "if", "daarnaast", "thuis", "misschien"}:
        return s[:1].lower() + s[1:]
    return s


def _join(tokens: list[str]) -> str:
    text = ""
    for t in tokens:
        if not text:
            text = t
        elif re.match(r"[,.;:!?)\]’”]", t) or text.endswith(("(", "[", "‘", "“")):
            text += t
        else:
            text += " " + t
    return text
