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
from .concerns import concerns
from .grounding import evidence_text, quote, unchecked
from .scoring import features, probability, threshold
from .rendering import render_action
from .topics import topics


def summarise(transcript, language: str | None = None, **_options) -> Summary:
    """The backend entry (see ``summarize.BACKENDS``): topics, concerns and actions of ``transcript``."""
    an = Analyser(transcript, language)
    cands = resolve(an, action_candidates(an))
    action_sentences = {cd.sentence.index for cd in cands}
    actions = []
    for cd in cands:
        action = grounded_action(an, cd, render_action(an, cd))
        if action is not None:
            judge(an, cd, action)
            actions.append(action)
    return Summary(language=an.language, backend="extractive", topics=topics(an),
                   concerns=concerns(an, action_sentences), actions=actions, warnings=[])


def grounded_action(an: Analyser, cd, action):
    """``action`` when every word of it is vouched for (see ``grounding``); else the speaker's own clause, quoted
    with attribution; None when the neutrality filter leaves nothing of that clause."""
    said = evidence_text(an.transcript, action.evidence)
    if not unchecked(f"{action.text} {action.due or ''}", said, an.language):
        return action
    quoted = quote(an.role(cd.sentence), cd.text, an.language, "?" if cd.sentence.question else ".")
    if quoted is None or unchecked(quoted, said, an.language):
        return None
    action.text = quoted
    if action.due and unchecked(action.due, said, an.language):
        action.due = None
    return action


#: Below this word probability (the recogniser's own) a word is doubtful: an item resting on it is 'controleer'.
DOUBTFUL_PROBABILITY = 0.5


def doubtful_words(an: Analyser, ids) -> bool:
    """Does the evidence rest on words the recogniser doubted? (Own doubt until the shared doubt marks land.)"""
    for i in ids:
        try:
            seg = an.transcript.segment(i)
        except KeyError:
            continue
        if any(w.probability is not None and w.probability < DOUBTFUL_PROBABILITY for w in seg.words or ()):
            return True
    return False


def judge(an: Analyser, cd, action) -> None:
    """confidence (the scorer's probability), check (below its threshold, or doubtful words) and include."""
    p = probability(features(an, cd, action))
    action.confidence = round(p, 3)
    action.check = p < threshold() or doubtful_words(an, action.evidence)
    action.include = not action.check
