"""How sure the summariser is that an action candidate is a real agreement: a small logistic regression over
features a careful reader looks at (cue kind, tense, modality, hedges, feelings, speaker role, owner, due date,
the answer in the next turn), with weights as plain JSON data (``data/lexicon/action_scorer.json``).

Why learned and not one more word list: each hand rule fixed one conversation and broke another; weights
fitted on the corpus's train split (``benchmarks/train_action_scorer.py``, train only) weigh the same evidence
together, and their probability is the item's ``confidence``. Below the threshold an item is marked ``check``
('controleer') and not ticked; it is still proposed, so the teacher sees it and ticks it with one click.
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from .phrasing import words_of

WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "action_scorer.json"

# General Dutch/English function-word classes (no conversation's phrases): hedges, feelings, past, negation.
HEDGES = {"misschien", "eventueel", "wellicht", "mogelijk", "zou", "zouden", "kunnen", "ooit", "later",
          "maybe", "perhaps", "might", "could", "would", "possibly", "eventually", "sometime"}
FEELINGS = {"vind", "vindt", "voel", "voelt", "denk", "denkt", "hoop", "hoopt", "blij", "schrik", "schrok", "snap",
            "begrijp", "weet", "merk", "merkt", "gevoel", "bang", "zorgen", "think", "feel", "hope", "glad", "know",
            "understand", "worried", "afraid", "guess", "suppose", "believe"}
PAST = {"was", "waren", "had", "hadden", "heb", "hebben", "heeft", "al", "vorig", "vorige", "gisteren", "toen",
        "vroeger", "already", "last", "yesterday", "were", "did", "ago", "then"}
NEGATION = {"niet", "geen", "nooit", "niks", "niets", "not", "no", "never", "nothing", "don't", "won't", "can't"}
CONDITION = {"als", "if", "wanneer", "when", "zodra", "indien", "unless", "tenzij"}
META = {"gesprek", "opname", "opneemt", "opnemen", "verslag", "verslagje", "beginnen", "afronden", "conversation",
        "recording", "record", "summary", "start", "begin"}
KINDS = ("commitment", "proposal", "request", "agreement", "receive", "arrangement")
SIDES = ("school", "ouder", "leerling", "samen")
ROLES = ("docent", "ouder", "leerling", "school", "tolk")


def features(an, cd, action) -> dict[str, float]:
    """The evidence about one candidate, as named numbers (0/1 flags, a few scaled counts)."""
    from .actions import SIDE

    s = cd.sentence
    words = words_of(s.text)
    wset = set(words)
    content = an.content(cd.text)
    f: dict[str, float] = {f"kind_{k}": float(cd.kind == k) for k in KINDS}
    f.update({f"owner_{k}": float(SIDE.get(cd.owner) == k) for k in SIDES})
    f["owner_unknown"] = float(cd.owner is None)
    role = an.role(s)
    f.update({f"role_{r}": float(role == r) for r in ROLES})
    f["weak"] = float(cd.weak)
    f["accepted"] = float(bool(cd.accepted))
    f["due"] = float(bool(action.due))
    f["future"] = float(bool(an.c.future.search(s.lower)))
    f["hedge"] = float(bool(wset & HEDGES))
    f["feeling"] = float(bool(wset & FEELINGS))
    f["past"] = float(bool(wset & PAST))
    f["negation"] = float(bool(wset & NEGATION))
    f["condition"] = float(bool(words[:1] and words[0] in CONDITION) or bool(wset & CONDITION))
    f["meta"] = float(bool(wset & META))
    f["question"] = float(s.question)
    f["starts_dan"] = float(words[:1] in (["dan"], ["then"], ["daar"], ["there"]))
    f["content"] = min(len(content), 12) / 12
    f["short"] = float(len(content) < 3)
    f["long"] = float(len(words) > 25)
    f["merged"] = float(bool(cd.before or cd.after))
    f["quoted"] = float(action.text.endswith(('"', '?"')) and ': "' in action.text)
    f["names"] = float(bool(set(re.findall(r"\b[A-Z][a-zà-ÿ]+\b", s.text[1:])) & an.names))
    f["digits"] = float(bool(re.search(r"\d|half|kwart", s.lower)))
    f["ack_next"] = float(_acknowledged(an, s))
    f["position"] = s.index / max(1, len(an.sentences) - 1)
    return f


def _acknowledged(an, s) -> bool:
    """Does another speaker say yes right after (an acceptance cue opens the next turn)?"""
    for nxt in an.sentences[s.index + 1:s.index + 4]:
        if nxt.turn != s.turn and nxt.speaker != s.speaker:
            low = nxt.lower.strip()
            return any(low.startswith(a) for a in an.c.acceptance)
    return False


@lru_cache(maxsize=1)
def model() -> dict | None:
    """The fitted weights, or None when the file is absent (then every item keeps confidence 0.5, no mark)."""
    if not WEIGHTS.is_file():
        return None
    return json.loads(WEIGHTS.read_text(encoding="utf-8"))


def probability(feats: dict[str, float], weights: dict | None = None) -> float:
    m = weights or model()
    if m is None:
        return 0.5
    z = m["bias"] + sum(w * feats.get(name, 0.0) for name, w in m["weights"].items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def threshold(weights: dict | None = None) -> float:
    m = weights or model()
    return m["threshold"] if m else 0.0
