"""The summary data model, one to one with ``contracts/summary.schema.json`` (transkript.summary/1).

Every topic, concern and action cites the transcript segments it rests on (``evidence``: segment ids).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

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
class Summary:
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
        if d.get("schema") != SCHEMA:
            from .errors import InputError

            raise InputError(f"Dit is geen Transkript-samenvatting (schema {d.get('schema')!r}).",
                             f"This is not a Transkript summary (schema {d.get('schema')!r}).")
        return cls(language=d["language"], backend=d["backend"],
                   topics=[Topic(t["text"], list(t["evidence"])) for t in d["topics"]],
                   concerns=[Concern(c["text"], c.get("raised_by"), list(c["evidence"])) for c in d["concerns"]],
                   actions=[Action(a["text"], a.get("owner"), a.get("due"), list(a["evidence"]))
                            for a in d["actions"]],
                   warnings=[Warning(w["kind"], w["text"], list(w.get("evidence") or [])) for w in d["warnings"]])

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Summary":
        return cls.from_dict(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> "Summary":
        from .errors import InputError

        try:
            return cls.from_json(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"Kan samenvatting {Path(path).name} niet lezen: {exc}",
                             f"Cannot read summary {Path(path).name}: {exc}") from exc

    def save(self, path: str | Path) -> Path:
        from .atomic import write_text

        return write_text(path, self.to_json() + "\n")
