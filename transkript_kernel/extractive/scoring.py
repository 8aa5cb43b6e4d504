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
HYPOTHETICAL = {"misschien", "eventueel", "wellicht", "mogelijk", "ooit", "zou", "zouden", "maybe", "perhaps",
                "might", "could", "would", "possibly"}
PAST_MARKERS = re.compile(r"\b(?:al|vorige (?:week|maand|keer)|vorig (?:jaar|schooljaar)|gisteren|toen|vroeger|"
                          r"laatst|already|last (?:week|month|year|time)|yesterday|ago|back then)\b")
SUBJECTS = ("first", "plural", "second", "pupil", "staff", "imperative", "none")
KINDS = ("commitment", "proposal", "request", "agreement", "receive", "arrangement", "broad")
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
    f.update(_grammar(an, cd, s))
    reply = _reply_kind(an, s)
    f["reply_accept"] = float(reply == "accept")
    f["reply_refuse"] = float(reply == "refuse")
    f["hypothetical"] = float(bool(wset & HYPOTHETICAL))
    f["if_then"] = float(bool(words[:1] and words[0] in CONDITION and wset & {"dan", "then"}))
    f["past_marker"] = float(bool(PAST_MARKERS.search(s.lower)))
    f["echo"] = float(_echoed(an, s, content))
    f["recap"] = float(_recapped(an, s, content))
    f["ability"] = float(bool(wset & ABILITY) and not wset & FUTURE_WORDS)
    f["transfer_verb"] = float(bool({_lemma(an, w) for w in words} & TRANSFER_VERBS))
    f.update(_context(an, s, wset))
    if FREQUENCY:
        f.update(_specific(an, content))
    return f


#: Words of habit ('hij leest altijd'): a description of how things are, not an agreement.
HABIT = {"altijd", "meestal", "vaak", "soms", "nooit", "gewoonlijk", "steeds", "always", "usually", "often",
         "sometimes", "never", "normally"}
#: Words that explain why rather than say what will be done.
EXPLAIN = {"want", "omdat", "doordat", "namelijk", "eigenlijk", "because", "since", "actually"}


def _context(an, s, wset: set[str]) -> dict[str, float]:
    """Where the sentence stands: after the other side's question (an answer to 'wat kunnen we thuis doen?' is
    advice or a proposal), its place in its turn (agreements close a turn; explanations fill it), habits and
    explanations in its own words, and a generic 'je' (no pupil present: 'dan heb je ...' means anyone)."""
    turn = [x for x in an.sentences if x.turn == s.turn]
    prev = an.sentences[s.index - 1] if s.index > 0 else None
    asked = prev is not None and prev.turn != s.turn and prev.question
    return {"after_question": float(asked),
            "turn_long": float(len(turn) >= 4),
            "turn_last": float(turn[-1] is s),
            "turn_first": float(turn[0] is s),
            "habit": float(bool(wset & HABIT)),
            "explain": float(bool(wset & EXPLAIN)),
            "generic_je": float(an.language == "nl" and not an.pupil_present and bool(wset & {"je", "jij"})
                                and "u" not in wset)}


def _specific(an, content: set[str]) -> dict[str, float]:
    """How specific the item's content words are, by their frequency in general Dutch/English (wordfreq's Zipf
    scale, 0-8): agreements name concrete things ('splitskaartjes', 'leesboekje', 'intern begeleider'), talk
    uses common words. 'rare' = share of content words below Zipf 3; 'zipf_min' scaled to 0-1."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:
        return {"rare": 0.0, "zipf_min": 0.0}
    zipfs = [zipf_frequency(w, an.language) for w in content]
    if not zipfs:
        return {"rare": 0.0, "zipf_min": 0.0}
    return {"rare": sum(z < 3.0 for z in zipfs) / len(zipfs), "zipf_min": min(zipfs) / 8}


#: Use word frequencies (wordfreq) as scorer features (a switch for measuring what they add; README).
FREQUENCY = True


#: Verbs of sending, calling, arranging and handing over (lemmas): what agreements in a school are made of.
TRANSFER_VERBS = {"bellen", "mailen", "sturen", "opsturen", "doorsturen", "meegeven", "geven", "regelen", "plannen",
                  "inplannen", "aanmelden", "melden", "afmelden", "vragen", "navragen", "bespreken", "brengen",
                  "meenemen", "ophalen", "inleveren", "invullen", "aanvragen", "zoeken", "opzoeken", "uitnodigen",
                  "afspreken", "doorgeven", "informeren", "laten", "oefenen", "maken", "zetten", "bijhouden",
                  "call", "email", "send", "forward", "give", "arrange", "plan", "schedule", "sign", "ask",
                  "discuss", "bring", "fill", "apply", "invite", "inform", "practise", "practice", "check", "put"}
ABILITY = {"kan", "kunt", "kunnen", "mag", "mogen", "can", "may"}
FUTURE_WORDS = {"ga", "gaat", "gaan", "zal", "zullen", "will", "shall", "'ll"}


def _lemma(an, word: str) -> str:
    from .language import lemma

    return lemma(word, an.language) if GRAMMAR else word


def _echoed(an, s, content: set[str]) -> bool:
    """Does the other side repeat one of its content words in the next turn ('Woensdag in het mentoruur.')?
    Repeating is how people confirm what they agree to."""
    for nxt in an.sentences[s.index + 1:s.index + 4]:
        if nxt.turn != s.turn and nxt.speaker != s.speaker:
            return bool(an.content(nxt.text) & content)
    return False


def _recapped(an, s, content: set[str]) -> bool:
    """Is the candidate said again later (at least two of its content words in one later sentence, five or
    more sentences on)? Agreements are summed up at the end; explanations rarely are."""
    if len(content) < 2:
        return False
    return any(len(an.content(o.text) & content) >= 2 for o in an.sentences[s.index + 5:])


def _grammar(an, cd, s) -> dict[str, float]:
    """Tense, imperative, modal frame and subject from the part-of-speech tags (HanTa via ``language``); all
    zero when no tagger is installed (then the scorer leans on the word classes above)."""
    from .broad import FRAME_LEMMAS, STATIVE, subject_owner
    from .language import analysis

    out = {"pos_tagged": 0.0, "tense_past": 0.0, "tense_perfect": 0.0, "tense_present": 0.0,
           "imperative_form": 0.0, "modal_frame": 0.0, "stative": 0.0, "infinitive": 0.0}
    out.update({f"subject_{k}": 0.0 for k in SUBJECTS})
    if not GRAMMAR:
        return out
    a = analysis(cd.text, an.language)
    if a is None or not a.words:
        return out
    finite = a.finite
    frames = FRAME_LEMMAS.get(an.language, set())
    out["pos_tagged"] = 1.0
    out["tense_past"] = float(a.past)
    out["tense_perfect"] = float(a.perfect)
    out["tense_present"] = float(a.present)
    out["imperative_form"] = float(a.imperative)
    out["modal_frame"] = float(any(w.lemma.lower() in frames or w.token.lower() in frames for w in finite))
    out["stative"] = float(bool(finite) and finite[0].lemma.lower() in STATIVE and not a.infinitive)
    out["infinitive"] = float(a.infinitive)
    subject = cd.frame.get("subject") or subject_owner(an, s, list(a.words))[1]
    out[f"subject_{subject}"] = 1.0
    return out


#: Use the part-of-speech features (a switch for measuring what they add; see the README's figures).
GRAMMAR = True


def _reply_kind(an, s) -> str | None:
    """'accept' or 'refuse' when the next turn of another speaker opens with a yes or a no, else None."""
    for nxt in an.sentences[s.index + 1:s.index + 4]:
        if nxt.turn != s.turn and nxt.speaker != s.speaker:
            low = nxt.lower.strip()
            if any(low.startswith(r) for r in an.c.refusal):
                return "refuse"
            if any(low.startswith(a) for a in an.c.acceptance):
                return "accept"
            return None
    return None


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
