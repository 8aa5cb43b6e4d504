"""Topics: school-domain terms from the lexicon (unless said in a judgement), plus content nouns said more
than once that no lexicon topic covers.

A topic needs more than one content word: a lexicon topic is raised when its content terms come up at least
twice (two terms, or one term in two sentences), or once in a sentence that tells a worry ('I am worried that he
falls behind in maths') or an agreement ('Ik geef hem vrijdag een leesboekje mee'); a function word in the lexicon ('alleen', 'niemand') never
names it, so 'Hij kent alleen de tafel van tien' raises no social-emotional topic. The salient rest is nouns only
(HanTa's tags where installed), without forms of address, kin words and days ('meneer', 'moeder', 'donderdag'):
they are said often and name nothing that was discussed."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from ..lexicon import topics as load_topics
from .phrasing import tokens_of, words_of
from ..sentences import Sentence
from ..summary import Topic
from .analyser import Analyser
from .concern_scoring import reader_for



def topics(an: Analyser, action_sentences=(), limit_terms: int = 5) -> list[Topic]:
    """Lexicon topics in the order they first came up (at most ``limit_terms`` terms each), then salient rest.
    ``action_sentences``: indices of sentences read as actions (a term said once in an agreement is a topic)."""
    found, judged_spans = [], {}
    reader = reader_for(an)
    for t in load_topics():
        terms, evidence, first = [], [], None
        mentions, weighty = 0, False
        for i, s in enumerate(an.sentences):
            if an.meta[i]:
                continue
            hits = list(t["re"].finditer(s.lower)) + _compound_hits(t, s.lower)
            if t.get("ctx_re") is not None and t["ctx_need"].search(s.lower):
                hits += list(t["ctx_re"].finditer(s.lower))
            judged = _subjective_spans(s, judged_spans)
            hits = [m for m in hits if not any(a < m.end() and m.start() < b for a, b in judged)
                    and not _function_term(an, m.group(0))]  # 'alleen' meaning 'only' names no topic
            for m in hits:
                term = m.group(0)
                if term not in terms:
                    terms.append(term)
            if hits:
                mentions += 1
                weighty = weighty or i in action_sentences or bool(reader.signals(i)["neg_any"])
                evidence.extend(s.segment_ids)
                first = i if first is None else first
        if len(terms) < 2 and mentions < 2 and not weighty:
            continue  # one word said once in passing is not a topic; once in a worry or an agreement is
        if terms:
            label = t["label"].get(an.language, t["label"]["nl"])
            found.append((first, Topic(f"{label}: {', '.join(terms[:limit_terms])}",
                                       sorted(set(evidence)))))
    found.sort(key=lambda x: x[0])
    topics = [t for _, t in found]
    covered = {w for t in topics for w in words_of(t.text)}
    salient = _salient(an, covered)
    if salient:
        label = "Verder genoemd" if an.language == "nl" else "Also mentioned"
        ev = sorted({i for _, ids in salient for i in ids})
        topics.append(Topic(f"{label}: {', '.join(w for w, _ in salient)}", ev))
    return topics


#: A lexicon word this long or longer also counts as the first part of a compound ('wiskunde' in
#: 'wiskundetoets', 'profiel' in 'profielwerkstuk'): Dutch writes compounds as one word, and a recogniser
#: often glues or splits them differently from the lexicon.
COMPOUND_MIN = 5


def _compound_hits(t: dict, low: str) -> list:
    """Words that start with one of the topic's single-word terms and go on with a second word ('toetsweek'):
    at least three more letters, so an inflection or derivation is no compound ('vervelen' -> 'vervelend',
    'verdriet' -> 'verdrietig'); function words are never extended ('alleen' -> 'alleenstaand')."""
    rx = _compound_re(tuple(t["terms"]))
    return [m for m in rx.finditer(low) if len(m.group(0)) - len(m.group(1)) >= 3] if rx else []


@lru_cache(maxsize=None)
def _compound_re(terms: tuple[str, ...]) -> re.Pattern | None:
    from ..lexicon import cues

    stop = cues("nl").stopwords | cues("en").stopwords
    heads = sorted({w.lower() for w in terms if " " not in w and "-" not in w and len(w) >= COMPOUND_MIN
                    and w.lower() not in stop}, key=len, reverse=True)
    if not heads:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(h) for h in heads) + r")[a-zà-ÿ]+")


def _subjective_spans(s: Sentence, cache: dict[int, list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Spans of ``s`` that judge rather than report (cached in ``cache``: every topic asks again)."""
    from ..neutrality import find

    if s.index not in cache:
        cache[s.index] = [(m.start(), m.end()) for m in find(s.text, "subjective")]
    return cache[s.index]


def _salient(an: Analyser, covered: set[str], n: int = 4) -> list[tuple[str, list[int]]]:
    """Content nouns said in at least two segments that no lexicon topic covers. Each cites the first segment
    that holds it (so the word is in its evidence); a word the recogniser was unsure of is skipped (a misheard
    'wevroeger' is no topic)."""
    from . import doubtful_share

    where: dict[str, set[int]] = {}
    plain = _not_salient(an.language)
    seg_words = {seg.id: set(words_of(seg.text)) for seg in an.transcript.segments}
    for i, s in enumerate(an.sentences):
        if an.meta[i]:
            continue
        for t, noun in _tokens(an, s.text):
            w = t.lower()
            if (noun and len(w) >= 5 and re.fullmatch(r"[a-zà-ÿ-]+", w) and w not in an.c.stopwords
                    and w not in plain and w not in covered and t not in an.names and not _verbish(an, w)):
                where.setdefault(w, set()).update(k for k in s.segment_ids if w in seg_words.get(k, ()))
    ranked = sorted(((w, ids) for w, ids in where.items() if len(ids) >= 2 and not doubtful_share(an, ids, w)),
                    key=lambda x: (-len(x[1]), x[0]))
    return [(w, sorted(ids)[:1]) for w, ids in ranked[:n]]  # cite where first said: a pointer, not coverage


def _tokens(an: Analyser, text: str) -> list[tuple[str, bool]]:
    """(token, could it be a noun) per token: HanTa's tag where the tagger is installed, else every token."""
    from .language import analysis

    a = analysis(text, an.language)
    if a is None:
        return [(t, True) for t in tokens_of(text)]
    return [(w.token, w.pos == "N") for w in a.words]


@lru_cache(maxsize=None)
def _not_salient(language: str) -> frozenset[str]:
    """Nouns said often that name nothing discussed: forms of address, kin words, days and months."""
    from ..lexicon import DATA

    data = json.loads((DATA / "topics.json").read_text(encoding="utf-8"))
    return frozenset(data.get(f"not_salient_{language}", []))


def _verbish(an: Analyser, w: str) -> bool:
    if an.language == "nl":
        adjective = w.endswith("e") and not w.endswith(("ie", "ee"))
        return adjective or (w.endswith(("en", "t", "de", "te")) and not w.endswith(("ing", "heid", "schap")))
    return w.endswith(("ing", "ed", "ly", "s"))


def _function_term(an: Analyser, term: str) -> bool:
    """A term made only of function words ('alleen', 'even', 'niet mee'), or a pronoun by its part of speech
    ('niemand', 'nobody'): it names no topic."""
    from ..lexicon import cues
    from .language import analysis

    stop = an.c.stopwords | cues("nl").stopwords | cues("en").stopwords
    if all(w in stop for w in words_of(term)):
        return True
    a = analysis(term, an.language) if " " not in term else None
    return bool(a and a.words) and a.words[0].pos == "VNW"
