"""A conversation's facts: who, when, what kind, and the consent that allows recording it.

The case file (archive) stores these; reports print them. Dates are ISO strings (YYYY-MM-DD).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

STATUSES = ("concept", "gedeeld", "definitief")
KINDS = ("tienminutengesprek", "oudergesprek", "mentorgesprek", "adviesgesprek", "zorggesprek",
         "startgesprek", "voortgangsgesprek", "anders")


@dataclass
class Participant:
    name: str
    role: str | None = None  # docent, ouder, leerling, tolk, anders


@dataclass
class ConsentRecord:
    given: bool
    by: str  # role of who answered: ouder, leerling, ...
    at: str  # ISO timestamp
    how: str = "mondeling"  # mondeling | schriftelijk
    purpose: str = "verslag van het gesprek"
    retention_notice: str = ""
    pupil_view: str | None = None  # given | refused | None (not asked: pupil younger than ~12)
    withdrawn_at: str | None = None


@dataclass
class Conversation:
    id: str
    pupil: str
    date: str
    kind: str = "oudergesprek"
    language: str = "nl"
    group: str = ""
    age_band: str = ""  # e.g. "4-8", "8-12", "12-16", "16+"
    participants: list[Participant] = field(default_factory=list)
    status: str = "concept"
    consent: ConsentRecord | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Conversation":
        d = dict(d)
        d["participants"] = [Participant(**p) for p in d.get("participants") or []]
        d["consent"] = ConsentRecord(**d["consent"]) if d.get("consent") else None
        return cls(**d)
