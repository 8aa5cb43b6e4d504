"""The default summariser: offline, deterministic and instant, built from cue lists (``data/lexicon``).

No language model within reach writes usable Dutch summaries, so this one reads the conversation the way a
careful note-taker does: commitments ("ik stuur u ...") and accepted proposals ("het zou helpen als u ...")
become actions with an owner (speaker role + pronoun) and a due date (weekday, "over zes weken", ...),
worries and problem statements become concerns, school-domain terms become topics. Every item cites the
segments it rests on and is phrased in the third person where that can be done safely.

Parts: ``analyser`` (what they all read), ``actions`` (candidates), ``agreements`` (accepted, refused,
merged), ``rendering`` (item text), ``concerns``, ``topics``, ``phrasing`` (word-level helpers).
"""
from __future__ import annotations

from ..summary import Summary
from .actions import action_candidates
from .agreements import resolve
from .analyser import Analyser
from .broad import broad_candidates
from .concerns import concerns
from .grounding import evidence_text, misrendered, quote, unchecked
from .scoring import features, probability, threshold
from .rendering import render_action
from .topics import topics


def summarise(transcript, language: str | None = None, **_options) -> Summary:
    """The backend entry (see ``summarize.BACKENDS``): topics, concerns and actions of ``transcript``."""
    an = Analyser(transcript, language)
    ruled = action_candidates(an)
    broad = broad_candidates(an, {cd.sentence.index for cd in ruled}) if BROAD else []
    cands = resolve(an, sorted(ruled + broad, key=lambda cd: cd.sentence.index))
    action_sentences = {cd.sentence.index for cd in cands if cd.kind != "broad"}
    actions = []
    for cd in cands:
        action = grounded_action(an, cd, render_action(an, cd))
        if action is not None:
            judge(an, cd, action)
            actions.append(action)
    return Summary(language=an.language, backend="extractive", topics=topics(an),
                   concerns=concerns(an, action_sentences), actions=actions, warnings=[])


#: Propose every sentence with a commitment frame too (``broad``), not only the rule frames' sentences.
BROAD = True


def grounded_action(an: Analyser, cd, action):
    """``action`` when every word of it is vouched for (see ``grounding``); else the speaker's own clause, quoted
    with attribution; None when the neutrality filter leaves nothing of that clause."""
    said = evidence_text(an.transcript, action.evidence)
    if not unchecked(f"{action.text} {action.due or ''}", said, an.language) and \
            not misrendered(action.text, said, an.language):
        return action
    quoted = quote(an.role(cd.sentence), cd.text, an.language, "?" if cd.sentence.question else ".")
    if quoted is None or unchecked(quoted, said, an.language):
        return None
    action.text = quoted
    if action.due and unchecked(action.due, said, an.language):
        action.due = None
    return action


def doubtful_words(an: Analyser, ids) -> bool:
    """Does the evidence rest on words the shared doubt marks (``doubt.marks``: the recogniser's word
    probability below ``doubt.THRESHOLD``, or a recognised word no dictionary knows and no name explains)?
    Only segments the recogniser wrote (with a word list) can hold doubt: a typed reference transcript has
    none, so a name or a brand in it never marks an item 'controleer'."""
    from .. import doubt

    wanted = set(ids)
    segs = [seg for seg in an.transcript.segments if seg.id in wanted and getattr(seg, "words", None)]
    if not segs:
        return False
    if not hasattr(an, "_doubt_marks"):
        names = [sp.label for sp in an.transcript.speakers.values() if sp.label] + sorted(an.names)
        an._doubt_marks = {m.segment_id for m in doubt.marks(an.transcript, names)}
    return any(seg.id in an._doubt_marks for seg in segs)


def judge(an: Analyser, cd, action) -> None:
    """confidence (the scorer's probability), check (below its threshold, or doubtful words) and include."""
    p = probability(features(an, cd, action))
    action.confidence = round(p, 3)
    action.check = p < threshold() or doubtful_words(an, action.evidence)
    action.include = not action.check
