"""The cue lists and lexicons the extractive analyser runs on: data files in ``data/lexicon``, compiled once."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "lexicon"
LANGUAGES = ("nl", "en")


def _load(name: str) -> dict:
    with open(DATA / name, encoding="utf-8") as fh:
        return json.load(fh)


def phrase_re(phrases) -> re.Pattern:
    """One regex matching any of ``phrases`` as whole words (longest first)."""
    alts = sorted({p.lower() for p in phrases if p}, key=len, reverse=True)
    if not alts:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w-])")


class Cues:
    """The cue lists of one language, with the regexes built from them."""

    def __init__(self, language: str):
        if language not in LANGUAGES:
            language = "nl"
        self.language = language
        d = _load(f"{language}.json")
        self.raw = d
        self.owner_nouns: dict = d["owner_nouns"]
        self.first_singular = set(d["first_singular"])
        self.first_plural = set(d["first_plural"])
        self.second = set(d["second"])
        self.third_pupil = set(d["third_pupil"])
        self.subordinators = set(d["subordinators"])
        self.leading_particles = sorted(d["leading_particles"], key=len, reverse=True)
        self.non_action = set(d["non_action_verbs"])
        self.past_irregular = set(d["past_irregular"])
        self.future = phrase_re(d["future_markers"])
        self.modals = set(d["modals_ability"]) | {m for m in d["future_markers"] if " " not in m}
        self.agreement = phrase_re(d["agreement_verbs"])
        self.frames = [(re.compile(f["re"]), f["owner"], f["kind"]) for f in d["proposal_frames"]]
        self.imperative_frames = {f["re"] for f in d["proposal_frames"] if f.get("imperative")}
        self.receive = set(d["receive_verbs"])
        self.acceptance = [a.lower() for a in d["acceptance"]]
        self.refusal = [a.lower() for a in d["refusal"]]
        self.additive = phrase_re(d["additive"])
        self.link = phrase_re(d["anaphora_link"])
        self.condition = phrase_re(d["anaphora_condition"])
        self.demonstratives = set(d["demonstratives"])
        self.meta = phrase_re(d["meta"])
        self.concern = phrase_re(d["concern_cues"])
        self.problem = phrase_re(d["problem_words"])
        self.third_markers = set(d["third_person_markers"])
        self.trim_starts = [t.lower() for t in d["trim_clause_starts"]]
        self.trim_inline = re.compile(r"\s+(?:" + "|".join(re.escape(t) for t in d.get("trim_inline", ["want"])) + r")\s+",
                                      re.I)
        self.due = re.compile(r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in d["due_patterns"]) + r")(?![\w-])")
        self.present_plural_dt = set(d.get("present_plural_dt", []))
        self.coordinators = set(d.get("coordinators", []))
        self.prepositions = set(d.get("prepositions", []))
        self.together = phrase_re(d.get("together", []))
        self.school_roles = phrase_re(d.get("school_roles", []))
        self.possessives = set(d.get("possessives", []))
        self.pupil_modals: dict = d.get("pupil_modals", {})
        self.reciprocal = phrase_re(d.get("reciprocal", []))
        self.relay = phrase_re(d.get("relay", []))
        self.meeting = phrase_re(d.get("meeting", []))
        topics = _load("topics.json")
        self.stopwords = set(topics[f"stopwords_{language}"])


@lru_cache(maxsize=None)
def cues(language: str) -> Cues:
    return Cues(language if language in LANGUAGES else "nl")


@lru_cache(maxsize=None)
def topics() -> list[dict]:
    out = []
    for t in _load("topics.json")["topics"]:
        ctx = t.get("terms_in_context")
        out.append({**t, "re": phrase_re(t["terms"]),
                    "ctx_re": phrase_re(ctx["terms"]) if ctx else None,
                    "ctx_need": phrase_re(ctx["context"]) if ctx else None})
    return out


@lru_cache(maxsize=None)
def neutrality() -> dict:
    d = _load("neutrality.json")
    return {"subjective": [re.compile(p) for p in d["subjective"]],
            "sensitive": [re.compile(p) for p in d["sensitive"]]}


def guess_language(text: str) -> str:
    """'nl' or 'en' from function words, for transcripts that do not say."""
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    nl = sum(w in {"de", "het", "een", "en", "ik", "dat", "niet", "is", "van", "we", "u", "hij", "ze"} for w in words)
    en = sum(w in {"the", "a", "and", "i", "that", "not", "is", "of", "we", "you", "he", "she", "it"} for w in words)
    return "en" if en > nl else "nl"


def known_language(text: str, share: float = 0.08) -> bool:
    """Does ``text`` look like Dutch or English at all? At least ``share`` of its words are common function words
    of either language (Turkish, Arabic or Polish text has almost none), so rules are never run on a language they
    were not written for."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return False
    common = {"de", "het", "een", "en", "ik", "dat", "niet", "is", "van", "we", "u", "hij", "ze", "die", "in", "op",
              "met", "voor", "ja", "nee", "wat", "maar", "ook", "dan", "er", "zijn", "heeft", "kan", "wel", "the",
              "a", "and", "i", "that", "not", "of", "you", "he", "she", "it", "to", "in", "on", "with", "for", "yes",
              "no", "what", "but", "so", "we", "they", "is", "are", "have", "can", "will"}
    return sum(w in common for w in words) / len(words) >= share
