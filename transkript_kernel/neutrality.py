"""Neutral by design: judgements stay out of the summary's items, sensitive subjects raise a flag.

A report that parents and colleagues read must not repeat "lastig kind" or "ouder was boos" as fact. Such
phrases (``data/lexicon/neutrality.json``) become ``subjective`` warnings that cite where they were said;
items that carry one lose the clause (or go). Mentions of abuse, neglect, Veilig Thuis, a complaint procedure
or a disciplinary matter raise a ``sensitive`` warning: such a conversation should perhaps not be recorded.
"""
from __future__ import annotations

import re

from .lexicon import neutrality as _patterns
from .sentences import sentences_of
from .summary import Warning

TEXT = {
    "nl": {"subjective": "Subjectieve kwalificatie '{phrase}' (gezegd door {who}, segment {ids}): niet als feit "
                         "in de samenvatting opgenomen.",
           "sensitive": "Gevoelig onderwerp genoemd ('{phrase}', segment {ids}). Zo'n gesprek hoort mogelijk niet "
                        "opgenomen te worden; overleg met de aandachtsfunctionaris of directie voordat u het "
                        "verslag deelt.",
           "who": {None: "onbekend", "docent": "leerkracht", "ouder": "ouder", "leerling": "leerling",
                   "tolk": "tolk", "anders": "anders"}},
    "en": {"subjective": "Subjective qualification '{phrase}' (said by {who}, segment {ids}): not stated as fact "
                         "in the summary.",
           "sensitive": "Sensitive subject mentioned ('{phrase}', segment {ids}). Such a conversation should "
                        "perhaps not have been recorded; consult the safeguarding officer or the head before "
                        "sharing the report.",
           "who": {None: "unknown", "docent": "teacher", "ouder": "parent", "leerling": "pupil",
                   "tolk": "interpreter", "anders": "other"}},
}


def find(text: str, kind: str) -> list[re.Match]:
    low = text.lower()
    return [m for rx in _patterns()[kind] for m in rx.finditer(low)]


def transcript_warnings(transcript, language: str = "nl") -> list[Warning]:
    """Subjective and sensitive warnings for everything said in the transcript."""
    t = TEXT.get(language, TEXT["nl"])
    out: list[Warning] = []
    seen: set = set()
    sensitive: dict[str, list[int]] = {}
    for s in sentences_of(transcript, language):
        matches = sorted(find(s.text, "subjective"), key=lambda m: m.end() - m.start(), reverse=True)
        kept: list = []
        for m in matches:  # overlapping judgements ('mother was very angry', 'was very angry at') count once
            if not any(k.start() < m.end() and m.start() < k.end() for k in kept):
                kept.append(m)
        for m in sorted(kept, key=lambda m: m.start()):
            key = ("subjective", m.group(0), tuple(s.segment_ids))
            if key in seen:
                continue
            seen.add(key)
            who = t["who"].get(s.role, s.role)
            out.append(Warning("subjective", t["subjective"].format(
                phrase=m.group(0), who=who, ids=", ".join(map(str, s.segment_ids))), list(s.segment_ids)))
        for m in find(s.text, "sensitive"):
            sensitive.setdefault(m.group(0), []).extend(s.segment_ids)
    for phrase, ids in sensitive.items():
        ids = sorted(set(ids))
        out.append(Warning("sensitive", t["sensitive"].format(phrase=phrase, ids=", ".join(map(str, ids))), ids))
    return out


def scrub_text(text: str) -> str | None:
    """``text`` without the clauses that carry a subjective qualification; None when nothing neutral is left."""
    if not find(text, "subjective"):
        return text
    parts = re.split(r"(;\s+|,\s+|\s+(?:en|maar|want|omdat|and|but|because)\s+)", text)
    kept = [p for p in parts[::2] if p.strip() and not find(p, "subjective")]
    if not kept or sum(len(re.findall(r"\w+", p)) for p in kept) < 3:
        return None
    out = "; ".join(k.strip(" ,;") for k in kept)
    return out[:1].upper() + out[1:]


def scrub(summary) -> list:
    """Remove subjective qualifications from the summary's items in place; returns the items dropped."""
    dropped = []
    for part in ("topics", "concerns", "actions"):
        keep = []
        for item in getattr(summary, part):
            text = scrub_text(item.text)
            if text is None:
                dropped.append(item)
                continue
            item.text = text
            keep.append(item)
        setattr(summary, part, keep)
    return dropped
