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
from .language import analysis
from .scoring import features, probability, threshold
from .rendering import render_action
from .topics import topics


def summarise(transcript, language: str | None = None, **_options) -> Summary:
    """The backend entry (see ``summarize.BACKENDS``): topics, concerns and actions of ``transcript``."""
    try:
        return _summarise(transcript, language)
    finally:
        analysis.cache_clear()  # tagged sentences are cached per summary only: no conversation's words linger


def _summarise(transcript, language: str | None) -> Summary:
    an = Analyser(transcript, language)
    ruled = action_candidates(an)
    broad = broad_candidates(an, {cd.sentence.index for cd in ruled}) if BROAD else []
    cands = resolve(an, sorted(ruled + broad, key=lambda cd: cd.sentence.index))
    action_sentences = {cd.sentence.index for cd in cands if cd.kind != "broad"}
    actions = []
    for cd in cands:
        action = grounded_action(an, cd, render_action(an, cd))
        if action is not None:
            if _recognised(an, set(action.evidence)):
                action.text = shortened(action.text)
            judge(an, cd, action)
            actions.append(action)
    return Summary(language=an.language, backend="extractive", topics=topics(an, action_sentences),
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
    quoted = quote(an.role(cd.sentence), cd.said or cd.text, an.language, "?" if cd.sentence.question else ".")
    if quoted is None or unchecked(quoted, said, an.language):
        return None
    action.text = quoted
    if action.due and unchecked(action.due, said, an.language):
        action.due = None
    return action


#: An item from recognised speech longer than this many words loses its last clauses (';' pieces, then ',').
MAX_WORDS = 30


def shortened(text: str, limit: int = MAX_WORDS) -> str:
    """``text`` cut back to at most ``limit`` words at clause boundaries, keeping at least its first clause:
    recognised speech runs sentences together, and a parent reads a short line ('Leerkracht: "Ik bel u
    vrijdag, ..."' keeps its closing quote). Items stay short: at most 15 words on average (issue 10). Only for
    recognised speech: a typed sentence that long is one the speaker meant (cutting it lost agreements on dev)."""
    import re

    def count(t: str) -> int:
        return len(re.findall(r"\w+", t))

    if count(text) <= limit:
        return text
    quoted = re.match(r'^([^":]{1,20}: ")(.*?)([.?!]?)"$', text)
    head, body, end = (quoted.group(1), quoted.group(2), (quoted.group(3) or ".") + '"') if quoted else ("", text, "")
    for sep in ("; ", ", "):
        parts = body.split(sep)
        while len(parts) > 1 and count(head + sep.join(parts)) > limit:
            parts.pop()
        body = sep.join(parts)
    return head + body.rstrip(" ,;") + end


def _recognised(an: Analyser, ids: set) -> bool:
    """Only segments the recogniser wrote (with a word list) can hold doubt."""
    return any(seg.id in ids and getattr(seg, "words", None) for seg in an.transcript.segments)


def _marks(an: Analyser) -> list:
    """The transcript's doubt marks (``doubt.marks``, names of the speakers and pupils excepted), once."""
    from .. import doubt

    if not hasattr(an, "_doubt_marks"):
        names = [sp.label for sp in an.transcript.speakers.values() if sp.label] + sorted(an.names)
        an._doubt_marks = doubt.marks(an.transcript, names)
    return an._doubt_marks


def doubtful_share(an: Analyser, ids, text: str) -> float:
    """How much of the item's own content the shared doubt marks in its evidence (``doubt.marks``): each content
    word the doubt marks counts by how unsure the recogniser was (1 - its word probability; a recognised word
    no dictionary knows and no name explains counts half: it may be a misspelling of the right word), divided by
    the number of content words. Only the words the reader gets count, and only content words: on real recogniser
    output nearly every segment holds some unsure word (a 'de', a filler, a name), so marking an item for any of
    them marked every item (the public recordings lost every action). Only segments the recogniser wrote (with a
    word list) can hold doubt: a typed reference transcript has none, so a name or a brand in it never marks an
    item 'controleer'."""
    from .. import doubt

    wanted = set(ids)
    if not _recognised(an, wanted):
        return 0.0
    cited: dict[str, float] = {}
    for m in _marks(an):
        if m.segment_id in wanted:
            weight = 1.0 - m.probability if m.reason == "probability" and m.probability is not None else 0.5
            cited[m.word.casefold()] = max(weight, cited.get(m.word.casefold(), 0.0))
    content = [w for w in (doubt.bare(t).casefold() for t in doubt.tokens(text))
               if w and w not in an.c.stopwords and any(ch.isalpha() for ch in w)]
    return sum(cited.get(w, 0.0) for w in content) / len(content) if content else 0.0


def judge(an: Analyser, cd, action) -> None:
    """confidence (the scorer's probability that this is an agreement, times the share of its content words the
    recogniser was sure of), check (below the scorer's threshold) and include (= not check). One unsure word
    leaves a likely agreement ticked (the export still asks the teacher to confirm that very word:
    ``doubt.blocking_words``); a garbled item, or an unsure one with an unsure word, is marked 'controleer'.
    Marking every item with any unsure word unticked nearly all items made from real recogniser output."""
    p = probability(features(an, cd, action))
    p *= 1.0 - doubtful_share(an, action.evidence, f"{action.text} {action.due or ''}")
    action.confidence = round(p, 3)
    action.check = p < threshold()
    action.include = not action.check
