"""The summary data model, one to one with ``contracts/summary.schema.json`` (transkript.summary/1).

Every topic, concern and action cites the transcript segments it rests on (``evidence``: segment ids).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .document import JsonDocument

SCHEMA = "transkript.summary/1"
ROLES = ("docent", "ouder", "leerling", "school", "samen", "tolk", "anders", None)
WARNING_KINDS = ("subjective", "unsupported", "sensitive", "incomplete", "other")


class _Doubt:
    """The teacher-facing uncertainty every item may carry: ``confidence`` (0-1, how sure the summariser is),
    ``check`` (true = 'controleer': it rests on doubtful words or on the summariser's own doubt) and ``include``
    (the tick; by default ``not check``). Absent fields stay absent in JSON: a backend that does not judge its
    items writes none, and the contract reads absent ``include`` as included."""

    def _doubt(self) -> dict:
        d = {}
        if self.confidence is not None:
            d["confidence"] = round(float(self.confidence), 3)
        if self.check is not None:
            d["check"] = bool(self.check)
        if self.include is not None:
            d["include"] = bool(self.include)
        return d

    @property
    def included(self) -> bool:
        return self.include is not False


def _doubt_of(d: dict) -> dict:
    return {k: d[k] for k in ("confidence", "check", "include") if k in d}


@dataclass
class Topic(_Doubt):
    text: str
    evidence: list[int]
    confidence: float | None = None
    check: bool | None = None
    include: bool | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, "evidence": list(self.evidence), **self._doubt()}


@dataclass
class Concern(_Doubt):
    text: str
    raised_by: str | None
    evidence: list[int]
    confidence: float | None = None
    check: bool | None = None
    include: bool | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, "raised_by": self.raised_by, "evidence": list(self.evidence), **self._doubt()}


@dataclass
class Action(_Doubt):
    text: str
    owner: str | None
    due: str | None
    evidence: list[int]
    confidence: float | None = None
    check: bool | None = None
    include: bool | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, "owner": self.owner, "due": self.due, "evidence": list(self.evidence),
                **self._doubt()}


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

    def included(self) -> "Summary":
        """A copy with only the items the teacher keeps (``include`` true or absent): what the PDF, the mail and
        the scores take. ``transkript summarize`` writes every proposal; this is the one place that filters."""
        out = copy.deepcopy(self)
        for part in ("topics", "concerns", "actions"):
            setattr(out, part, [i for i in getattr(out, part) if i.included])
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Summary":
        cls.check_schema(d)
        return cls(language=d["language"], backend=d["backend"],
                   topics=[Topic(t["text"], list(t["evidence"]), **_doubt_of(t)) for t in d["topics"]],
                   concerns=[Concern(c["text"], c.get("raised_by"), list(c["evidence"]), **_doubt_of(c))
                             for c in d["concerns"]],
                   actions=[Action(a["text"], a.get("owner"), a.get("due"), list(a["evidence"]), **_doubt_of(a))
                            for a in d["actions"]],
                   warnings=[Warning(w["kind"], w["text"], list(w.get("evidence") or [])) for w in d["warnings"]])
