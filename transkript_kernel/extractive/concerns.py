"""Concerns: what worries someone about the pupil, with who raised it and the segments it rests on.

Every sentence that is not an action, an acknowledgement or talk about the recording is a candidate; the concern
scorer (``concern_scoring``) weighs how likely it tells a worry — said straight out ("ik maak me zorgen"),
indirectly ("ik merk dat hij met tegenzin gaat", "dat vind ik lastig", "ik schrok daarvan") or as a plain
fact ("ze slaapt weer bij ons in bed"). Sentences above the proposal floor become concerns; those above the
threshold are ticked (``include``), the others are proposed unticked with ``check`` ('controleer'), so the
teacher sees them without the summary listing every feeling as a worry. The recogniser's doubt lowers the
confidence by half the share of the concern's words it was unsure of. Neighbouring sentences of one turn that
both qualify become one concern (one worry told in two sentences); a bare 'daar maak ik me zorgen over' takes the
sentences it points back to.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analyser import Analyser
from .concern_scoring import DIRECT_SPEECH, ConcernReader, model, reader_for
from .grounding import evidence_text, misrendered, quote, unchecked
from .phrasing import finish, number_words, strip_particles, trim_clauses, words_of
from .rendering import third_person
from ..sentences import Sentence
from ..summary import Concern

#: How much the recogniser's doubt about a concern's words lowers its confidence. Whether a sentence tells a worry
#: rests on few content words, and at full weight one misheard word among three took a third of the confidence
#: of a plain worry ('Thuis wil hij alleen nog gamen' with 'gamen' misheard). Half weight was chosen by the
#: scorer's rule (F2 of recall and precision) on the corpus's ASR train fixtures, which the scorer is not fitted on
#: (23 recordings then): recall 0.558 -> 0.601 at precision 0.621 -> 0.596, F2 0.570 -> 0.600.
DOUBT_WEIGHT = 0.5
#: At most this many sentences make one concern, and a concern of several sentences stays under MAX_WORDS.
GROUP_SENTENCES = 3
MAX_WORDS = 45
#: A reply joined to the worry before it is short ('Nee, in de kring zegt ze weinig, dat klopt'); a longer one
#: tells its own worry and keeps its own speaker.
REPLY_WORDS = 15


@dataclass
class Group:
    """Neighbouring candidate sentences of one turn that tell one worry, with the scorer's probabilities."""
    indices: list[int] = field(default_factory=list)
    probs: list[float] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return max(self.probs)


def concerns(an: Analyser, action_sentences=()) -> list[Concern]:
    """``action_sentences``: indices of sentences already read as actions, so no concern repeats them."""
    weights = model()
    if weights is None:
        return []
    reader = reader_for(an)
    scored = score(reader, candidates(an, action_sentences), weights)
    out = []
    for g in select(an, scored, weights["floor"]):
        item = render(an, g)
        if item is not None:
            confidence = g.confidence * (1.0 - DOUBT_WEIGHT * _doubtful_share(an, item.evidence, item.text))
            item.confidence = round(confidence, 3)
            item.check = confidence < weights["threshold"]
            item.include = not item.check
            out.append(item)
    return join_replies(an, merge(an, out))


def join_replies(an: Analyser, items: list[Concern]) -> list[Concern]:
    """A worry and the other side's short reply about the same thing in the very next turn ('Ze is verlegen.' - 'In
    de kring zegt ze weinig, dat klopt.') are one concern told by two people: one item, raised by the first,
    resting on both, so the teacher does not untick the same worry twice."""
    out: list[Concern] = []
    for it in items:
        prev = out[-1] if out else None
        if prev is not None and prev.raised_by != it.raised_by and it.evidence and prev.evidence \
                and 0 < min(it.evidence) - max(prev.evidence) <= 1 \
                and an.content(prev.text) & an.content(it.text) \
                and len(words_of(it.text)) <= REPLY_WORDS \
                and len(words_of(prev.text)) + len(words_of(it.text)) <= MAX_WORDS:
            prev.text = f"{prev.text.rstrip('.')}. {it.text}"
            prev.evidence = sorted(set(prev.evidence) | set(it.evidence))
            if (it.confidence or 0) > (prev.confidence or 0):
                prev.confidence, prev.check, prev.include = it.confidence, it.check, it.include
            continue
        out.append(it)
    return out


def candidates(an: Analyser, action_sentences=()) -> list[int]:
    """Sentences that could tell a concern: not about the recording, not a bare yes/no, not an action already,
    not a refusal, with at least one content word."""
    out = []
    for i, s in enumerate(an.sentences):
        if an.meta[i] or an.is_ack(s) or i in action_sentences or not an.content(s.text):
            continue
        if _refusal(s.lower.strip(), an.c):
            continue  # 'Nee, dat lukt niet': an answer to a proposal, not a worry
        out.append(i)
    return out


def score(reader: ConcernReader, indices: list[int], weights: dict) -> list[tuple[int, float]]:
    """(sentence index, the scorer's probability that it tells a concern) per candidate."""
    from .scoring import probability

    return [(i, probability(reader.features(i), weights)) for i in indices]


def select(an: Analyser, scored: list[tuple[int, float]], floor: float) -> list[Group]:
    """Sentences at or above ``floor``, neighbours of one turn joined into one group (at most GROUP_SENTENCES)."""
    groups: list[Group] = []
    for i, p in sorted(scored):
        if p < floor:
            continue
        last = groups[-1] if groups else None
        if last and last.indices[-1] == i - 1 and an.sentences[i - 1].turn == an.sentences[i].turn \
                and len(last.indices) < GROUP_SENTENCES:
            last.indices.append(i)
            last.probs.append(p)
        else:
            groups.append(Group([i], [p]))
    return groups


def render(an: Analyser, g: Group) -> Concern | None:
    """The concern's text: its sentences in the third person, a bare cue with what it points back to; quoted
    with attribution when a rewrite cannot be vouched for."""
    pairs = [(an.sentences[i], p) for i, p in zip(g.indices, g.probs)]
    while len(pairs) > 1 and sum(len(words_of(x.text)) for x, _p in pairs) > MAX_WORDS:
        pairs.remove(min(pairs, key=lambda xp: xp[1]))  # too long for one item: the least sure sentence goes
    role = an.role(max(pairs, key=lambda xp: xp[1])[0])
    sentences = [x for x, _p in pairs]
    if len(sentences) == 1 and _points_back(an, sentences[0]):
        sentences = _context(an, sentences[0]) + sentences
    parts = [(trim_clauses(strip_particles(x.text.strip(), an.c), an.c).rstrip(".!?"), x) for x in sentences]
    parts = [(b, x) for b, x in parts if b]
    if not parts:
        return None
    bodies = [b for b, _x in parts]
    evidence = sorted({i for x in sentences for i in x.segment_ids})
    text = ". ".join(finish(number_words(_rewrite(an, b, x), an.language)) for b, x in parts)
    said = evidence_text(an.transcript, evidence)
    if unchecked(text, said, an.language) or misrendered(text, said, an.language):
        # a rewrite made a word nobody said, or a form that reads wrong: quote the speaker instead
        text = quote(role, " ".join(b + "." for b in bodies), an.language)
        if text is None or unchecked(text, said, an.language):
            return None
    return Concern(text, role, evidence)


QUOTES = " \"'‘’“”"


def _rewrite(an: Analyser, body: str, s: Sentence) -> str:
    """The clause in the third person; words someone is quoted saying stay as said, in quotes: the 'ik' in
    'hij zei: ik ben gewoon dom' is the pupil, and 'de leerkracht is gewoon dom' would misreport who said what."""
    m = DIRECT_SPEECH.search(body)
    said = body[m.end():].strip(QUOTES) if m else ""
    if not said:
        return third_person(an, body, s)
    lead = third_person(an, body[:m.end()].rstrip(QUOTES + ":"), s)
    return f'{lead}: "{said}"'


def _points_back(an: Analyser, s: Sentence) -> bool:
    """'Daar maak ik me zorgen over.', 'Dat vind ik lastig.': fewer than two content words besides the cue, and
    a word that points back."""
    low = s.lower
    cue = an.c.concern.search(low)
    content = an.content(s.text) - (an.content(cue.group(0)) if cue else set())
    return len(content) < 2 and bool(set(words_of(low)) & {"dat", "dit", "daar", "daarvan", "daarover", "het",
                                                            "that", "this", "it"})


def _context(an: Analyser, s: Sentence) -> list[Sentence]:
    """Up to two sentences before ``s`` in the same turn that carry what it points back to."""
    out = []
    for prev in reversed(an.sentences[max(0, s.index - 2):s.index]):
        if prev.turn != s.turn or prev.question or an.is_ack(prev) or an.meta[prev.index]:
            break
        pw = words_of(prev.text)
        if not pw or (len(pw) <= 5 and pw[0] in ("dat", "dit", "that", "this", "it")):
            continue  # a reaction ('Dat herken ik wel'), not the content of the worry
        out.insert(0, prev)
    return out


def _refusal(low: str, c) -> bool:
    return any(low.startswith(r) and (len(low) == len(r) or not low[len(r)].isalnum()) for r in c.refusal
               if r not in ("nee", "no"))


def _doubtful_share(an: Analyser, ids, text: str) -> float:
    """The share of the concern's content words the shared doubt marks (recognised segments only), as for an
    action: a likely worry with one unsure word stays ticked (the export asks the teacher to confirm that word),
    a garbled one is marked 'controleer'."""
    from . import doubtful_share

    return doubtful_share(an, ids, text)


def merge(an: Analyser, items: list[Concern]) -> list[Concern]:
    """Concerns about the same thing (most content words shared) become one, keeping the fullest text and the
    higher confidence."""
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
            if (o.confidence or 0) > (it.confidence or 0):
                it.confidence, it.check, it.include = o.confidence, o.check, o.include
        out.append(it)
    return out


def _core(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()
