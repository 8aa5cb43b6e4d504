"""The summary data model, one to one with ``contracts/summary.schema.json`` (transkript.summary/1).

Every topic, concern and action cites the transcript segments it rests on (``evidence``: segment ids).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .document import JsonDocument

SCHEMA = "transkript.summary/1"
ROLES = ("docent", "ouder", "leerling", "school", "samen", "tolk", "anders", None)
WARNING_KINDS = ("subjective", "unsupported", "sensitive", "incomplete", "other")


@dataclass
class Topic:
    text: str
    evidence: list[int]

    def to_dict(self) -> dict:
        return {"text": self.text, "evidence": list(self.evidence)}


@dataclass
class Concern:
    text: str
    raised_by: str | None
    evidence: list[int]

    def to_dict(self) -> dict:
        return {"text": self.text, "raised_by": self.raised_by, "evidence": list(self.evidence)}


@dataclass
class Action:
    text: str
    owner: str | None
    due: str | None
    evidence: list[int]

    def to_dict(self) -> dict:
        return {"text": self.text, "owner": self.owner, "due": self.due, "evidence": list(self.evidence)}


@dataclass
class Warning:
    kind: str
    text: str
    evidence: list[int] = field(default_factory=list)

    def __post_init__(self):
        if self.kind not in WARNING_KINDS:
            raise ValueError(f"unknown warning kind {self.kind!r}")

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "text": self.text}
        if self.evidence:
            d["evidence"] = list(self.evidence)
        return d


@dataclass
class Summary(JsonDocument):
    SCHEMA = SCHEMA
    NAME = ("samenvatting", "summary")

    language: str
    backend: str
    topics: list[Topic] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "language": self.language, "backend": self.backend,
                "topics": [t.to_dict() for t in self.topics],
                "concerns": [c.to_dict() for c in self.concerns],
                "actions": [a.to_dict() for a in self.actions],
                "warnings": [w.to_dict() for w in self.warnings]}

    @classmethod
    def from_dict(cls, d: dict) -> "Summary":
        cls.check_schema(d)
        return cls(language=d["language"], backend=d["backend"],
                   topics=[Topic(t["text"], list(t["evidence"])) for t in d["topics"]],
                   concerns=[Concern(c["text"], c.get("raised_by"), list(c["evidence"])) for c in d["concerns"]],
                   actions=[Action(a["text"], a.get("owner"), a.get("due"), list(a["evidence"]))
                            for a in d["actions"]],
                   warnings=[Warning(w["kind"], w["text"], list(w.get("evidence") or [])) for w in d["warnings"]])
