"""How sure the summariser is that a sentence tells a concern: a small logistic regression over what a careful
reader notices, with weights as plain JSON data (``data/lexicon/concern_scorer.json``).

Why learned and not one more cue list: parents and teachers seldom say "ik maak me zorgen". They tell it as a
fact ("ze slaapt weer bij ons in bed"), as an observation ("ik merk dat hij met tegenzin gaat"), as a feeling
("ik schrok daarvan") or as a question ("en als het dan toch niet lukt?"). Each hand rule that caught one of
these listed ordinary talk as a worry somewhere else. Here the same evidence is weighed together: a worry cue,
negative evaluation read from lemmas (``negative``), a negated ability, a problem word of the school domain,
whether the sentence is about the pupil, who says it, how often and since when it happens, whether the
listener answers with sympathy, whether the words come back later in the conversation, and against it:
positive evaluation, reassurance, a condition, an arrangement, a question from the school. The weights are
fitted on the corpus's train split only (``benchmarks/train_concern_scorer.py``); the probability is the
concern's ``confidence``, and below the threshold a concern is proposed unticked and marked ``check``.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from ..lexicon import phrase_re, topics as load_topics
from .analyser import Analyser
from .negative import negative
from .phrasing import strip_particles, words_of

DATA = Path(__file__).resolve().parent.parent / "data" / "lexicon"
WEIGHTS = DATA / "concern_scorer.json"
ROLES = ("docent", "ouder", "leerling", "school", "tolk")
NEG_KINDS = ("lemma", "negated", "no_longer", "too")
#: Direct speech: a verb of saying, then a colon or an opening quote ('Vorige week zei hij tegen me: meester, ik
#: ben gewoon dom', "hij zei laatst 'papa, ik ben dom'").
DIRECT_SPEECH = re.compile(r"\b(?:zei|zegt|zeggen|zeiden|vroeg|vraagt|riep|roept|schreef|appte|said|says|asked|"
                           r"told|tells|wrote)\b[^:\"“‘]{0,40}?(?::|\s[\"“‘]|\s'(?![stn]\s)|[\"“])\s*")
#: Reported speech, direct or indirect ('hij zegt dat hij die niet kan volgen'): a worry in someone's own words.
REPORTED = re.compile(r"\b(?:zegt|zei|zeggen|zeiden|vertelt|vertelde|vroeg|vraagt|says|said|told|tells|asked)"
                      r"(?:\s+(?:hij|ze|zij|ie|laatst|thuis|vaak|steeds|ook|he|she|me|mij|tegen\s+\w+))*"
                      r"\s+(?:dat|of|that|if)\b")


@lru_cache(maxsize=None)
def word_classes(language: str) -> dict[str, re.Pattern]:
    """The general word classes of ``data/lexicon/concerns.json`` as whole-word regexes."""
    data = json.loads((DATA / "concerns.json").read_text(encoding="utf-8"))
    return {name: phrase_re(words) for name, words in data.get(language, data["nl"]).items()}


def negated_before(low: str, start: int, c) -> bool:
    """A negation in the two words before a worry cue or a problem word: 'geen zorgen', 'niet bang', 'geen
    probleem'."""
    before = words_of(low[:start])[-2:]
    return bool(set(before) & (set(c.raw.get("negations", [])) | set(c.raw.get("negation_words", []))))


def make_sure(low: str, cue) -> bool:
    """'zorgen dat/voor' is 'to make sure', unless someone makes themselves worries ('maak me zorgen dat')."""
    if cue.group(0) != "zorgen":
        return False
    after = words_of(low[cue.end():])[:1]
    before = words_of(low[:cue.start()])[-3:]
    return bool(after) and after[0] in ("dat", "voor", "ervoor") and not set(before) & {
        "me", "mij", "ons", "zich", "maak", "maken", "maakt"}


class ConcernReader:
    """Reads the sentences of one conversation for concerns; caches what several sentences ask of each other
    (a neighbour's negativity, how often a word comes back)."""

    def __init__(self, an: Analyser):
        self.an = an
        self.classes = word_classes(an.language)
        self._signals: dict[int, dict[str, float]] = {}
        self.recurrence: dict[str, int] = {}
        for i, s in enumerate(an.sentences):
            if not an.meta[i]:
                for w in an.content(s.text):
                    self.recurrence[w] = self.recurrence.get(w, 0) + 1
        self.topic_res = [t["re"] for t in load_topics()]

    def signals(self, i: int) -> dict[str, float]:
        """What sentence ``i`` says by itself: a worry cue, a reassurance, a problem word, negative evaluation."""
        if i in self._signals:
            return self._signals[i]
        an, c = self.an, self.an.c
        s = an.sentences[i]
        low = strip_particles(s.text.strip(), c).lower()
        cue = c.concern.search(low)
        reassured = False
        if cue and (negated_before(low, cue.start(), c) or make_sure(low, cue)):
            reassured, cue = negated_before(low, cue.start(), c), None  # 'geen zorgen' / 'zorgen dat ...'
        problem = c.problem.search(low)
        if problem and negated_before(low, problem.start(), c):
            reassured, problem = True, None  # 'geen probleem', 'niet moeilijk'
        hit = negative(s.text, c, an.language, first_person_ok=an.role(s) == "leerling")
        out = {"cue": float(bool(cue)), "problem": float(bool(problem)), "reassurance": float(reassured)}
        out.update({f"neg_{k}": float(bool(hit) and hit.kind == k) for k in NEG_KINDS})
        out["neg_any"] = float(bool(cue or problem or hit))
        self._signals[i] = out
        return out

    def features(self, i: int) -> dict[str, float]:
        """The evidence that sentence ``i`` tells a concern, as named numbers (0/1 flags, a few scaled ones)."""
        an, c, k = self.an, self.an.c, self.classes
        s = an.sentences[i]
        low = strip_particles(s.text.strip(), c).lower()
        words = words_of(low)
        wset = set(words)
        role = an.role(s)
        content = an.content(s.text)
        negations = set(c.raw.get("negation_words", [])) | set(c.raw.get("negations", [])) | {
            "not", "no", "never", "nothing", "don't", "doesn't", "didn't", "can't", "won't", "isn't"}
        f = dict(self.signals(i))
        about = bool(wset & c.third_markers) or any(n.lower() in wset for n in an.names) or (
            role == "leerling" and bool(wset & c.first_singular))
        f["about_pupil"] = float(about)
        f["pupil_negative"] = float(about and bool(f["neg_any"]))
        f["first_person"] = float(bool(wset & (c.first_singular | c.first_plural)))
        f["second_person"] = float(bool(wset & c.second))
        f["negation"] = float(bool(wset & negations))
        f["ability_negated"] = float(bool(k["ability"].search(low) and wset & negations)
                                     or bool(wset & {"can't", "cannot", "couldn't"}))
        for name in ("frequency", "intensity", "since", "little", "observation", "state"):
            f[name] = float(bool(k[name].search(low)))
        f["positive"] = float(bool(k["positive"].search(low)) and not f["negation"])
        f["condition"] = float(bool(words[:1]) and bool(k["condition"].match(words[0])))
        f["arrangement"] = float(bool(k["arrangement"].search(low)))
        f["reported"] = float(bool(DIRECT_SPEECH.search(s.text) or REPORTED.search(low)))
        f["pupil_reported"] = float(f["reported"] and about)
        f["question"] = float(s.question)
        f["parent_question"] = float(s.question and role == "ouder")
        f.update({f"role_{r}": float(role == r) for r in ROLES})
        f["position"] = s.index / max(1, len(an.sentences) - 1)
        f["content"] = min(len(content), 12) / 12
        f["short"] = float(len(content) < 3)
        f["digits"] = float(bool(re.search(r"\d", low)))
        f["topic_term"] = float(any(self._topic_term(rx, low) for rx in self.topic_res))
        f["recurrence"] = min(max([self.recurrence.get(w, 1) - 1 for w in content] or [0]), 6) / 6
        f["turn_first"] = float(i == 0 or an.sentences[i - 1].turn != s.turn)
        reply = self._reply(i)
        f["sympathy"] = float(reply is not None and bool(k["sympathy"].search(reply.lower)))
        f["echo"] = float(reply is not None and bool(an.content(reply.text) & content))
        near = [j for j in (i - 1, i + 1) if 0 <= j < len(an.sentences) and an.sentences[j].turn == s.turn
                and not an.meta[j]]
        f["near_cue"] = float(any(self.signals(j)["cue"] for j in near))
        f["near_negative"] = float(any(self.signals(j)["neg_any"] for j in near))
        f.update(self._grammar(s.text))
        return f

    def _topic_term(self, rx: re.Pattern, low: str) -> bool:
        """A school-domain term of the topic lexicon that is more than function words ('alleen' is not)."""
        m = rx.search(low)
        return bool(m) and not all(w in self.an.c.stopwords for w in words_of(m.group(0)))

    def _reply(self, i: int):
        s = self.an.sentences[i]
        return next((x for x in self.an.sentences[i + 1:i + 4] if x.turn != s.turn and x.speaker != s.speaker), None)

    def _grammar(self, text: str) -> dict[str, float]:
        """Tense from the part-of-speech tags (HanTa via ``language``): worries are mostly told in the present
        or as what happened; all zero without a tagger."""
        from .language import analysis

        out = {"tense_past": 0.0, "tense_perfect": 0.0, "tense_present": 0.0, "adjectives": 0.0}
        a = analysis(text, self.an.language)
        if a is None or not a.words:
            return out
        out["tense_past"] = float(a.past)
        out["tense_perfect"] = float(a.perfect)
        out["tense_present"] = float(a.present)
        out["adjectives"] = min(sum(w.pos == "ADJ" for w in a.words), 3) / 3
        return out


def reader_for(an: Analyser) -> ConcernReader:
    """The conversation's one reader (topics and concerns both ask it), kept on the analyser."""
    if not hasattr(an, "_concern_reader"):
        an._concern_reader = ConcernReader(an)
    return an._concern_reader


@lru_cache(maxsize=1)
def model() -> dict | None:
    """The fitted weights, or None when the file is absent (then the summary has no concerns)."""
    if not WEIGHTS.is_file():
        return None
    return json.loads(WEIGHTS.read_text(encoding="utf-8"))
