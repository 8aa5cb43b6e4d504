"""Our own conversations with other pupils' names (``tests/data/thirdparty``) as transcripts, and the score of
third-party detection on them: names found and missed (precision, recall) and name mentions left after
replacement. The figures in the README come from :func:`evaluate` (``python benchmarks/thirdparty.py``)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

DATA = Path(__file__).resolve().parent / "data" / "thirdparty"
#: written after the rules were frozen, never used to tune them
HELD_OUT = ("tp07-groepsindeling", "tp08-geen-derden", "tp09-english-fight")


def conversations() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("*.json"))]


def load(conv_id: str) -> dict:
    return json.loads((DATA / f"{conv_id}.json").read_text(encoding="utf-8"))


def transcript_of(conv: dict):
    """One segment per turn, 4 s each; speakers by role, labelled as on the form."""
    from transkript_kernel.transcript import Segment, Speaker, Transcript

    roles = {role for role, _ in conv["turns"]}
    speakers = {f"S_{r}": Speaker(conv.get("speakers", {}).get(r, r).split(",")[0], r if r != "samen" else None)
                for r in sorted(roles)}
    segs = [Segment(i, 4.0 * i, 4.0 * i + 3.5, text, f"S_{role}") for i, (role, text) in enumerate(conv["turns"])]
    return Transcript(language=conv["language"], duration=4.0 * len(segs), segments=segs, speakers=speakers)


def form(conv: dict) -> SimpleNamespace:
    """The consent form of a conversation: pupil and participants, as the teacher typed them."""
    parts = [SimpleNamespace(name=n, role=r) for n, r in conv.get("participants", [])]
    return SimpleNamespace(pupil=conv.get("pupil", ""), participants=parts, consent=None)


def mentions(text: str, name: str) -> int:
    return len(re.findall(rf"(?<![\w'’\-]){re.escape(name)}(?![\w\-])", text))


@dataclass
class Score:
    found: int = 0  # names found that are third parties
    wrong: int = 0  # names found that are not
    missed: int = 0  # third parties not found
    mentions: int = 0  # mentions of third parties in the transcripts
    left: int = 0  # of which still there after replacement with the defaults
    wrong_names: tuple = ()
    missed_names: tuple = ()

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.wrong) if self.found + self.wrong else 1.0

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.missed) if self.found + self.missed else 1.0


def evaluate(ids=None) -> Score:
    from transkript_kernel import doubt, thirdparty

    s = Score()
    wrong, missed = [], []
    for conv in conversations():
        if ids is not None and conv["id"] not in ids:
            continue
        t = transcript_of(conv)
        found = thirdparty.find(t, None, doubt.names_for(form(conv)), language=conv["language"])
        got = {tp.name for tp in found}
        truth = set(conv["third_parties"])
        s.found += len(got & truth)
        s.wrong += len(got - truth)
        s.missed += len(truth - got)
        wrong += [f"{conv['id']}:{n}" for n in sorted(got - truth)]
        missed += [f"{conv['id']}:{n}" for n in sorted(truth - got)]
        red = thirdparty.redact(None, t, thirdparty.choices(found, language=conv["language"]), found=found)
        for name in truth:
            s.mentions += sum(mentions(x.text, name) for x in t.segments)
            s.left += sum(mentions(x.text, name) for x in red.transcript.segments)
    s.wrong_names, s.missed_names = tuple(wrong), tuple(missed)
    return s
