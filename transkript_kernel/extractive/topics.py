"""Topics: school-domain terms from the lexicon (unless said in a judgement), plus content nouns said more
than once that no lexicon topic covers."""
from __future__ import annotations

import re

from ..lexicon import topics as load_topics
from .phrasing import tokens_of, words_of
from ..sentences import Sentence
from ..summary import Topic
from .analyser import Analyser



def topics(an: Analyser, limit_terms: int = 5) -> list[Topic]:
    """Lexicon topics in the order they first came up (at most ``limit_terms`` terms each), then salient rest."""
    found, judged_spans = [], {}
    for t in load_topics():
        terms, evidence, first = [], [], None
        for i, s in enumerate(an.sentences):
            if an.meta[i]:
                continue
            hits = list(t["re"].finditer(s.lower))
            if t.get("ctx_re") is not None and t["ctx_need"].search(s.lower):
                hits += list(t["ctx_re"].finditer(s.lower))
            judged = _subjective_spans(s, judged_spans)
            hits = [m for m in hits if not any(a < m.end() and m.start() < b for a, b in judged)]
            for m in hits:
                term = m.group(0)
                if term not in terms:
                    terms.append(term)
                evidence.extend(s.segment_ids)
                first = i if first is None else first
        if terms and all(_function_term(an, term) for term in terms):
            continue  # 'alleen' meaning 'only' raises no social-emotional topic: a topic needs a content word
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


def _subjective_spans(s: Sentence, cache: dict[int, list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Spans of ``s`` that judge rather than report (cached in ``cache``: every topic asks again)."""
    from ..neutrality import find

    if s.index not in cache:
        cache[s.index] = [(m.start(), m.end()) for m in find(s.text, "subjective")]
    return cache[s.index]


def _salient(an: Analyser, covered: set[str], n: int = 4) -> list[tuple[str, list[int]]]:
    """Content nouns said in at least two segments that no lexicon topic covers."""
    where: dict[str, set[int]] = {}
    for i, s in enumerate(an.sentences):
        if an.meta[i]:
            continue
        for t in tokens_of(s.text):
            w = t.lower()
            if (len(w) >= 5 and re.fullmatch(r"[a-zà-ÿ-]+", w) and w not in an.c.stopwords
                    and w not in covered and t not in an.names and not _verbish(an, w)):
                where.setdefault(w, set()).update(s.segment_ids)
    ranked = sorted(((w, ids) for w, ids in where.items() if len(ids) >= 2), key=lambda x: (-len(x[1]), x[0]))
    return [(w, sorted(ids)[:1]) for w, ids in ranked[:n]]  # cite where first said: a pointer, not coverage


def _verbish(an: Analyser, w: str) -> bool:
    if an.language == "nl":
        adjective = w.endswith("e") and not w.endswith(("ie", "ee"))
        return adjective or (w.endswith(("en", "t", "de", "te")) and not w.endswith(("ing", "heid", "schap")))
    return w.endswith(("ing", "ed", "ly", "s"))


def _function_term(an: Analyser, term: str) -> bool:
    """A term made only of function words ('alleen', 'even', 'niet mee'): too common to raise a topic alone."""
    from ..lexicon import cues

    stop = an.c.stopwords | cues("nl").stopwords | cues("en").stopwords
    return all(w in stop for w in words_of(term))
