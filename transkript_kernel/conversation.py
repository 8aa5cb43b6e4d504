"""A conversation's facts: who, when, what kind, and the consent that allows recording it.

The case file (archive) stores these; reports print them. Dates are ISO strings (YYYY-MM-DD), moments ISO
timestamps in UTC. New fields are added at the end with defaults, so older callers keep working.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields

STATUSES = ("concept", "gedeeld", "definitief")
KINDS = ("tienminutengesprek", "oudergesprek", "mentorgesprek", "adviesgesprek", "zorggesprek",
         "startgesprek", "voortgangsgesprek", "anders")
COORDINATOR_STATEMENT = "verklaring-coordinator"  # a batch coordinator's --consent given for every recording
CONSENT_HOW = ("mondeling", "schriftelijk", COORDINATOR_STATEMENT)
CONSENT_ROLES = ("ouder", "verzorger", "leerling", "voogd", "anders")
# What a recording may be: :mod:`.audio` decodes these, the case file stores only these. Listed here, with the
# conversation's other facts, so the case file can check a file without importing the audio decoder.
RECORDING_EXTENSIONS = (".m4a", ".aac", ".mp3", ".wav", ".ogg", ".opus", ".webm", ".flac", ".mp4")


@dataclass
class Participant:
    name: str
    role: str | None = None  # docent, ouder, leerling, tolk, anders


@dataclass
class ConsentRecord:
    given: bool
    by: str  # role of who answered: ouder, leerling, ...
    at: str  # ISO timestamp
    how: str = "mondeling"  # mondeling | schriftelijk | verklaring-coordinator (shown "verklaring coördinator")
    purpose: str = "verslag van het gesprek"
    retention_notice: str = ""
    pupil_view: str | None = None  # given | refused | None (not asked: pupil younger than ~12)
    withdrawn_at: str | None = None
    name: str = ""  # who answered, if the school records it (role alone is enough)

    @property
    def allows_recording(self) -> bool:
        """Recording needs a yes, no withdrawal, and no 'no' from a pupil whose view was asked."""
        return bool(self.given) and self.withdrawn_at is None and self.pupil_view != "refused"

    @classmethod
    def from_dict(cls, d: dict) -> "ConsentRecord":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


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
    notes: str = ""  # written notes: the only record when recording is refused
    sensitive: bool = False  # shorter retention (see retention.RetentionPolicy)
    leaves_school: str | None = None  # expected leaving date; decides how long the report is kept
    created_at: str | None = None
    shared_at: str | None = None  # status became 'gedeeld': parents' response term starts
    finalized_at: str | None = None
    recording: str | None = None  # stored file name (inside the conversation folder), None if none
    recording_sha256: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Conversation":
        d = dict(d)
        d["participants"] = [Participant(**p) for p in d.get("participants") or []]
        d["consent"] = ConsentRecord.from_dict(d["consent"]) if d.get("consent") else None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    @property
    def pupil_age(self) -> int | None:
        """Lower bound of the age band ("12-16" → 12), or None when unknown."""
        m = re.match(r"\s*(\d+)", self.age_band or "")
        return int(m.group(1)) if m else None
