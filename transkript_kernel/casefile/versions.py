"""Summary versions: the teacher's first, then corrections by parents, pupil or teacher, each with who, role,
when and why — and a diff a parent can read (plain lines, not JSON).
"""
from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass

from ..summary import Summary

CORRECTION_ROLES = ("docent", "ouder", "leerling", "mentor", "school", "anders")

_HEADINGS = {"nl": ("Onderwerpen", "Zorgen", "Afspraken", "Waarschuwingen", "door", "wie", "wanneer",
                    "bewijs: segment"),
             "en": ("Topics", "Concerns", "Actions", "Warnings", "by", "who", "due", "evidence: segment")}


@dataclass
class Version:
    version: int
    by: str
    role: str
    at: str
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)

    def label(self) -> str:
        return f"versie {self.version} ({self.role}, {self.by}, {self.at})"


def lines(summary: Summary, language: str = "nl", bullet: str = "- ") -> list[str]:
    """The summary as readable lines, stable enough to diff line by line."""
    h = _HEADINGS.get(language, _HEADINGS["en"])
    out = [f"## {h[0]}"] + [f"{bullet}{t.text}" for t in summary.topics]
    out += [f"## {h[1]}"] + [f"{bullet}{c.text}" + (f" ({h[4]} {c.raised_by})" if c.raised_by else "")
                             for c in summary.concerns]
    out += [f"## {h[2]}"]
    for a in summary.actions:
        extra = ", ".join(x for x in ((f"{h[5]}: {a.owner}" if a.owner else ""), (f"{h[6]}: {a.due}" if a.due else ""))
                          if x)
        out.append(f"{bullet}{a.text}" + (f" ({extra})" if extra else ""))
    out += [f"## {h[3]}"] + [f"{bullet}[{w.kind}] {w.text}" for w in summary.warnings]
    return out


def diff(a: Summary, b: Summary, *, a_label: str = "a", b_label: str = "b", language: str = "nl") -> str:
    """Two summaries compared line by line: '- ' removed, '+ ' added, '  ' unchanged context, '…' skipped
    lines; empty when they agree."""
    out = []
    for i, line in enumerate(difflib.unified_diff(lines(a, language, ""), lines(b, language, ""),
                                                  fromfile=a_label, tofile=b_label, lineterm="", n=2)):
        if i < 2:
            out.append(line)
        elif line.startswith("@@"):
            out.append("…")
        else:
            out.append(f"{line[0] if line[0] in '+-' else ' '} {line[1:]}")
    return "\n".join(out)


def validate_role(role: str) -> str:
    from ..errors import InputError

    if role not in CORRECTION_ROLES:
        raise InputError(f"Rol {role!r} is onbekend; kies uit {', '.join(CORRECTION_ROLES)}.",
                         f"Unknown role {role!r}; choose from {', '.join(CORRECTION_ROLES)}.")
    return role
