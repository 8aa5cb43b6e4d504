"""Which action candidates stand: proposals accepted or refused by the reply, follow-up sentences and
elaborations merged into the action they belong to, duplicates folded together."""
from __future__ import annotations

import re

from .actions import SIDE, Candidate, candidate
from .phrasing import strip_particles, words_of
from ..sentences import Sentence
from .analyser import Analyser
from .reference import antecedent, object_pronouns



def resolve(an: Analyser, cands: list[Candidate]) -> list[Candidate]:
    """The candidates that are real actions, with what belongs to them merged in."""
    c = an.c
    by_index = {cd.sentence.index: cd for cd in cands}
    # continuation: 'Ik schakel meester Rob in. Hij volgt de komende vier weken de pauzes.' is one action
    for s in an.sentences[1:]:
        prev = by_index.get(s.index - 1)
        if prev is None or s.index in by_index or prev.sentence.turn != s.turn or s.question:
            continue
        words = words_of(strip_particles(s.text, c))[:3]
        if not (set(words) & (c.third_pupil | {"die", "deze", "they", "he", "she"})) or not an.dues(s.text):
            continue
        if c.problem.search(s.lower) or c.concern.search(s.lower) or an.meta[s.index]:
            continue
        extra = candidate(an, s, strip_particles(s.text.strip(), c), prev.owner, "arrangement")
        _absorb(prev, extra, keep_text=True)
    # proposals: accepted or refused by the next turn of another speaker
    for cd in cands:
        if cd.kind not in ("proposal", "request"):
            continue
        reply = _reply(an, cd.sentence)
        if reply is None:
            cd.dropped = cd.kind == "request"
            continue
        reply, low = _answer(an, reply, cd.sentence)
        if any(low.startswith(r) for r in c.refusal):
            cd.dropped = True
        elif any(low.startswith(a) for a in c.acceptance):
            cd.accepted = True
        elif DETAILS and _details_only(an, reply):
            # 'Zullen we over zes weken nog eens afspreken?' - 'Doe maar op een woensdag.': the answer accepts by
            # filling in when; its time joins the proposal, its segment the evidence
            cd.accepted = True
            when = [d for _a, _b, d in an.dues(reply.text)]
            if when:
                cd.due = ", ".join(dict.fromkeys([d for d in (cd.due, *when) if d]))
            cd.evidence = sorted(set(cd.evidence) | set(reply.segment_ids))
            for o in cands:
                if o is not cd and o.sentence.index == reply.index and not o.dropped:
                    o.dropped = True  # the answer's own words are not a second action
        elif cd.kind == "request":
            cd.dropped = True  # a question nobody said yes to is no agreement
    # a granted request ('Mag ik haar zelf brengen?' - 'Ja. Brengt u haar maar tot de deur.') is one action
    for cd in cands:
        if cd.dropped or cd.kind != "request" or not cd.accepted:
            continue
        reply = _reply(an, cd.sentence)
        answer = [o for o in cands if not o.dropped and o is not cd and reply is not None
                  and o.sentence.turn == reply.turn and o.sentence.index > cd.sentence.index]
        if answer:
            other = answer[0]
            if SIDE.get(cd.owner) == "samen" and other.owner:
                cd.owner = other.owner
                cd.owner_fixed = True
            _absorb(cd, other, keep_text=True)
    # elaboration: 'Dat kan. Ik zal haar moeder vragen ...' specifies the proposal just accepted
    for cd in cands:
        if cd.dropped or cd.kind != "commitment":
            continue
        s = cd.sentence
        prev = an.sentences[s.index - 1] if s.index > 0 else None
        if not prev or prev.turn != s.turn or not an.is_ack(prev) or c.additive.search(s.lower):
            continue
        target = [p for p in cands if p.kind == "proposal" and not p.dropped and p.accepted
                  and p.sentence.turn == s.turn - 1 and SIDE.get(p.owner) == SIDE.get(cd.owner)]
        if target:
            t = target[-1]
            _absorb(t, cd, keep_text=False)
    # anaphoric links: '... daarvoor ...', 'als er dan ...' lean on the sentence before, in the same turn
    for cd in cands:
        if cd.dropped:
            continue
        s = cd.sentence
        if s.index == 0:
            continue
        prev = an.sentences[s.index - 1]
        if prev.turn != s.turn:
            continue
        linked = c.link.search(s.lower) or c.condition.search(s.lower)
        if not linked:
            continue
        before = by_index.get(prev.index)
        same_side = before is not None and (SIDE.get(before.owner) == SIDE.get(cd.owner)
                                            or None in (before.owner, cd.owner)
                                            or "samen" in (SIDE.get(before.owner), SIDE.get(cd.owner)))
        # ('Ik stel voor dat we een vervolggesprek plannen. Ik stuur u daarvoor een uitnodiging.': the shared
        # plan and one side's step for it are one action)
        if before is not None and not before.dropped and same_side:
            _absorb(cd, before, keep_text=not before.weak, before=True)
        elif before is not None and not cd.due and before.due:
            cd.due = before.due
        elif not cd.due:
            due = _context_due(an, prev)
            if due:
                cd.due = due
                cd.evidence = sorted(set(cd.evidence) | set(prev.segment_ids))
    # a fronted 'dat/die' commitment ('Dat doe ik zelf, volgende week donderdag.') takes the thing it points
    # back to, from the sentence before in the same turn or from the other speaker's turn it answers
    for cd in cands:
        if cd.dropped or cd.sentence.index == 0 or not FRONTED:
            continue
        _resolve_fronted(an, cd)
    # pronoun objects ('Ik bespreek die elke maandag', 'Ik scan hem vanavond in') name what they point back to
    for cd in cands:
        if cd.dropped or cd.sentence.index == 0:
            continue
        _resolve_objects(an, cd)
    kept = [cd for cd in cands if not cd.dropped]
    return _dedupe(an, kept)


#: A proposal answered only by details (a time, an amount) counts as accepted (``_details_only``).
DETAILS = True


def _details_only(an: Analyser, reply: Sentence) -> bool:
    """A short answer that names a time or an amount and refuses nothing: 'Doe maar op een woensdag.',
    'Tien minuten, na het eten.', 'Donderdag om drie uur.'"""
    low = reply.lower.strip()
    words = words_of(low)
    if reply.question or not words or len(words) > 10 or any(low.startswith(r) for r in an.c.refusal):
        return False
    if set(words) & set(an.c.raw.get("negation_words", [])):
        return False
    return bool(an.dues(reply.text)) or bool(re.search(
        r"\b(?:\d+|minuten|minuutjes|kwartier|uur|keer|minutes|hours?|times)\b", low))


def _reply(an: Analyser, s: Sentence) -> Sentence | None:
    for nxt in an.sentences[s.index + 1:]:
        if an.speaker_info:
            if nxt.turn != s.turn and nxt.speaker != s.speaker:
                return nxt
        else:
            return nxt
    return None


def _answer(an: Analyser, reply: Sentence, asked: Sentence) -> tuple[Sentence, str]:
    """The sentence of the answering turn that says yes or no, and its lower-case text: a hesitation ('Hm.') or
    a short echo of the proposal's own words before a yes or no ('Samen kijken. Ja, dat kan.') is passed over,
    and an interpreter's lead-in ('Mevrouw zegt ja, graag') is taken off, so the answer itself is read."""
    c = an.c
    said, pause = an.content(asked.text), set(c.raw.get("hesitations", ()))
    turn = [x for x in an.sentences[reply.index:reply.index + 3] if x.turn == reply.turn]
    for k, x in enumerate(turn[:-1]):
        words, content = words_of(x.lower), an.content(x.text)
        if not (set(words) <= pause or (len(words) <= 4 and content and content <= said)):
            break
        nxt = _unrelayed(an, turn[k + 1])
        if any(nxt.startswith(a) for a in c.acceptance + c.refusal):
            return turn[k + 1], nxt
    return reply, _unrelayed(an, reply)


def _unrelayed(an: Analyser, s: Sentence) -> str:
    """'Mevrouw zegt ja, graag' -> 'ja, graag': what an interpreter passes on, without the lead-in."""
    low = s.lower.strip()
    m = an.c.relay.match(low)
    if m and s.role == "tolk":
        low = re.sub(r"^[\s,:]*(?:dat\s+|that\s+)?", "", low[m.end():])
    return low


def _absorb(keep: Candidate, other: Candidate, *, keep_text: bool, before: bool = False):
    """Merge ``other`` into ``keep``: evidence and due always, text when it adds what ``keep`` lacks."""
    other.dropped = True
    keep.evidence = sorted(set(keep.evidence) | set(other.evidence))
    dues = [d for d in ((other.due, keep.due) if before else (keep.due, other.due)) if d]
    keep.due = ", ".join(dict.fromkeys(dues)) or None
    if keep_text:
        (keep.before if before else keep.after).append(other)
    if SIDE.get(keep.owner) in (None, "samen") and other.owner and not keep.owner_fixed:
        keep.owner = other.owner
    if keep.kind == "commitment" and other.kind == "commitment" and before and keep_text:
        pass


def _context_due(an: Analyser, prev: Sentence) -> str | None:
    dues = an.dues(prev.text)
    events = re.findall(r"\b(?:de|het|the) ((?:[\w-]+)?(?:toets|test|onderzoek|rapport|assessment|exam))\b",
                        prev.text, re.I)
    due = dues[0][2] if dues else None
    if events:
        word = "na de" if an.language == "nl" else "after the"
        return f"{word} {events[0]}" + (f" ({due[:1].lower() + due[1:]})" if due else "")
    return due


#: Resolve a fronted demonstrative object to the noun phrase it points back to (``_resolve_fronted``).
FRONTED = True
FRONT_WORDS = {"dat", "die", "deze", "dit", "that", "this", "those", "these"}
OWN_POSSESSIVES = {"mijn", "m'n", "onze", "ons", "jouw", "je", "uw", "jullie", "my", "our", "your"}


def _resolve_fronted(an: Analyser, cd: Candidate) -> None:
    """'Dat doe ik zelf' after '... is een diagnostisch gesprek met Kacper' -> 'Een diagnostisch gesprek met Kacper
    doe ik zelf': the demonstrative is the fronted object (a finite verb follows it), so the noun phrase takes its
    place and the word order stays Dutch. The antecedent is the sentence before in the same turn, or the last
    sentence of the other speaker's turn just before; its segments join the evidence. Nothing changes when no
    noun phrase is found or the phrase holds 'mijn/uw' from another speaker (the person would be wrong)."""
    from .language import analysis

    text = cd.text.strip()
    lead = strip_particles(text, an.c)
    a = analysis(lead, an.language)
    if a is None or len(a.words) < 3:
        return
    first, second = a.words[0], a.words[1]
    if first.token.lower() not in FRONT_WORDS or not (second.finite or second.pos == "WW"):
        return
    if second.lemma.lower() in an.c.non_action or second.token.lower() in an.c.non_action:
        return  # 'Dat begrijp ik', 'Dat zien we thuis ook': a reaction, not a commitment
    s = cd.sentence
    prev = an.sentences[s.index - 1]
    if prev.turn != s.turn and (not an.speaker_info or prev.speaker == s.speaker):
        return
    if an.meta[prev.index]:
        return
    np = None if an.is_ack(prev) else _noun_phrase(an, prev.text)
    source = prev
    if not np:
        found = antecedent(an, s.index, first.token)
        if found is None:
            return
        np, _noun, source = found
    if source.speaker != s.speaker and set(words_of(np)) & OWN_POSSESSIVES:
        return
    np = np[:1].upper() + np[1:]
    cd.text = text[:len(text) - len(lead)] + np + lead[len(first.token):]
    cd.evidence = sorted(set(cd.evidence) | set(source.segment_ids))


def _noun_phrase(an: Analyser, text: str) -> str | None:
    """The first noun phrase with a common noun as head in ``text`` (HanTa tags): determiner or possessive,
    adjectives, the noun, and one prepositional phrase after it ('een diagnostisch gesprek met Kacper')."""
    from .language import analysis

    a = analysis(text, an.language)
    if a is None:
        return None
    ws = a.words
    verb = next((k for k, w in enumerate(ws) if w.finite), None)
    for i, w in enumerate(ws):
        if verb is None or i <= verb:
            continue  # the subject before the finite verb is not what a fronted 'dat' points back to
        if not (w.tag.startswith("N(soort") or w.tag.startswith("NN")):
            continue
        start = i
        while start > 0 and (ws[start - 1].pos in ("ADJ", "LID") or ws[start - 1].tag.startswith(
                ("VNW(aanw,det", "VNW(bez", "VNW(onbep,det", "TW", "DPS", "AT0", "DT0", "AJ"))):
            start -= 1
        if start == i or ws[start].pos not in ("LID", "VNW") and not ws[start].tag.startswith(("AT0", "DPS", "DT0")):
            continue  # a bare noun ('Dag oma'): no phrase to front
        end = i + 1
        if end + 1 < len(ws) and ws[end].tag.startswith(("VZ(init", "PRP")) and (
                ws[end + 1].tag.startswith(("N(", "NP", "NN"))):
            end += 2
        return " ".join(x.token for x in ws[start:end])
    return None


def _resolve_objects(an: Analyser, cd: Candidate) -> None:
    """'Ik scan hem vanavond in' -> 'Ik scan hem (verklaring) vanavond in': an object pronoun of a handling verb
    names the thing it points back to (``reference.antecedent``) in brackets; that sentence joins the evidence."""
    for pronoun in object_pronouns(an, cd.text)[:1]:
        found = antecedent(an, cd.sentence.index, pronoun)
        if found is None:
            continue
        _np, noun, source = found
        if noun.lower() in cd.text.lower():
            continue
        cd.text = re.sub(rf"\b({re.escape(pronoun)})\b", rf"\1 ({noun})", cd.text, count=1, flags=re.I)
        cd.evidence = sorted(set(cd.evidence) | set(source.segment_ids))


def _dedupe(an: Analyser, cands: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    for cd in cands:
        words = an.content(cd.text)
        dup = None
        for o in out:
            ow = an.content(o.text)
            if SIDE.get(o.owner) == SIDE.get(cd.owner) and words and ow:
                overlap = len(words & ow) / min(len(words), len(ow))
                if overlap >= 0.6:
                    dup = o
                    break
        if dup:
            dup.evidence = sorted(set(dup.evidence) | set(cd.evidence))
            if not dup.due:
                dup.due = cd.due
        else:
            out.append(cd)
    return out
