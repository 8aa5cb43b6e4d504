"""The transcript data model, one to one with ``contracts/transcript.schema.json`` (transkript.transcript/1).

Segment ids are stable once assigned: summaries cite them as evidence, so editing text or speakers never
renumbers; only :meth:`Transcript.renumber` does, and only before anything cites the transcript.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .document import JsonDocument

SCHEMA = "transkript.transcript/1"
ROLES = ("docent", "ouder", "leerling", "school", "tolk", "anders", None)  # school: other staff (IB, zorgcoördinator)


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float | None = None

    def to_dict(self) -> dict:
        d = {"start": round(self.start, 3), "end": round(self.end, 3), "word": self.word}
        if self.probability is not None:
            d["probability"] = round(self.probability, 4)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Word":
        return cls(float(d["start"]), float(d["end"]), d["word"], d.get("probability"))


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    speaker: str | None = None
    words: list[Word] | None = None

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"id": self.id, "start": round(self.start, 3), "end": round(self.end, 3),
                             "speaker": self.speaker, "text": self.text}
        if self.words is not None:
            d["words"] = [w.to_dict() for w in self.words]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Segment":
        words = d.get("words")
        return cls(int(d["id"]), float(d["start"]), float(d["end"]), d["text"], d.get("speaker"),
                   [Word.from_dict(w) for w in words] if words is not None else None)

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass
class Speaker:
    label: str
    role: str | None = None

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {ROLES}")

    def to_dict(self) -> dict:
        return {"label": self.label, "role": self.role}

    @classmethod
    def from_dict(cls, d: dict) -> "Speaker":
        return cls(d["label"], d.get("role"))


@dataclass
class Transcript(JsonDocument):
    SCHEMA = SCHEMA
    NAME = ("transcript", "transcript")

    language: str
    duration: float
    segments: list[Segment] = field(default_factory=list)
    speakers: dict[str, Speaker] = field(default_factory=dict)
    source: dict | None = None  # {"file": name only, "sha256": hex}
    model: dict | None = None  # what produced it: name, compute type, options
    notices: list = field(default_factory=list)  # formatting.Text; not part of the contract: shown, not saved

    # --- contract round-trip ------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        d: dict[str, Any] = {"schema": SCHEMA, "language": self.language, "duration": round(self.duration, 3)}
        if self.source is not None:
            d["source"] = dict(self.source)
        if self.model is not None:
            d["model"] = copy.deepcopy(self.model)
        d["speakers"] = {k: s.to_dict() for k, s in self.speakers.items()}
        d["segments"] = [s.to_dict() for s in self.segments]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Transcript":
        cls.check_schema(d)
        return cls(language=d["language"], duration=float(d["duration"]),
                   segments=[Segment.from_dict(s) for s in d["segments"]],
                   speakers={k: Speaker.from_dict(v) for k, v in d.get("speakers", {}).items()},
                   source=d.get("source"), model=d.get("model"))

    # --- convenience ------------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def segment(self, segment_id: int) -> Segment:
        for s in self.segments:
            if s.id == segment_id:
                return s
        raise KeyError(segment_id)

    def role_of(self, speaker_id: str | None) -> str | None:
        sp = self.speakers.get(speaker_id) if speaker_id is not None else None
        return sp.role if sp else None

    def label_of(self, speaker_id: str | None) -> str | None:
        sp = self.speakers.get(speaker_id) if speaker_id is not None else None
        return sp.label if sp else None

    def renumber(self) -> None:
        """Give segments ids 0..n-1 in time order: only while nothing cites them yet."""
        self.segments.sort(key=lambda s: (s.start, s.end))
        for i, s in enumerate(self.segments):
            s.id = i

    def next_id(self) -> int:
        return max((s.id for s in self.segments), default=-1) + 1

    def copy(self) -> "Transcript":
        return copy.deepcopy(self)
