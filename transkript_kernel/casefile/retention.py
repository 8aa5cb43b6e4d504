"""How long things are kept, and deleting them when that time has come.

The policy is a settings section (``RetentionPolicy`` in settings.json). Recordings go as soon as the report
is final (default) or N days after the conversation; transcripts and summaries stay until the pupil has left
school plus two years (sensitive conversations shorter). A shared report becomes final when the parents
confirm or after a response term. Every deletion removes files, rows and index entry and is verified.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as Date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from traitlets import CaselessStrEnum, Enum, Int, List
from traitlets.config import Configurable

from ..conversation import KINDS

ACTIONS = {"finalize": ("definitief maken", "make final"),
           "delete-recording": ("opname verwijderen", "delete recording"),
           "delete-conversation": ("gesprek verwijderen", "delete conversation")}
STATUS_COLUMNS = ["id", "pupil", "action", "due", "overdue"]


class RetentionPolicy(Configurable):
    """When recordings, transcripts and summaries are deleted, and when a report becomes final."""

    recordings = Enum(["on_final", "after_days"], default_value="on_final",
                      help="'on_final': delete the recording as soon as the report is definitief (default); "
                           "'after_days': delete it recording_days after the conversation.").tag(config=True)
    recording_days = Int(30, min=0, help="With recordings='after_days': days after the conversation date that the "
                                         "recording is deleted.").tag(config=True)
    years_after_leaving = Int(2, min=0, help="Transcripts and summaries are kept until the pupil leaves school plus "
                                             "this many years.").tag(config=True)
    assumed_years_until_leaving = Int(4, min=0, help="When the leaving date is unknown and cannot be estimated from "
                                                     "the group ('groep 5' → after groep 8), assume the pupil leaves "
                                                     "this many years after the conversation.").tag(config=True)
    sensitive_kinds = List(CaselessStrEnum(KINDS), default_value=["zorggesprek"],
                           help="Kinds of conversation kept for the shorter sensitive term.").tag(config=True)
    sensitive_keep_days = Int(365, min=0, help="Sensitive conversations (marked sensitive, or of a sensitive kind) "
                                               "are deleted entirely this many days after the "
                                               "conversation.").tag(config=True)
    final_after_days = Int(14, min=0, help="A report shared with the parents becomes definitief after this many days "
                                           "without a response.").tag(config=True)


def policy(archive=None) -> RetentionPolicy:
    from .. import settings

    return settings.get(RetentionPolicy, archive.data_dir if archive is not None else None)


@dataclass
class Due:
    id: str
    pupil: str
    action: str  # finalize | delete-recording | delete-conversation
    due: Date | None  # None: no date yet (recording waits for the report to become final)
    overdue: bool


def _add_years(d: Date, years: int) -> Date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def leaving_date(conversation, pol: RetentionPolicy) -> Date:
    """Known leaving date, else estimated from 'groep N' (primary school ends after groep 8, on 31 July)."""
    if conversation.leaves_school:
        return Date.fromisoformat(conversation.leaves_school)
    held = Date.fromisoformat(conversation.date)
    m = re.search(r"groep\s*([1-8])\b", conversation.group or "", re.I)
    if m:
        school_year_end = held.year if held.month < 8 else held.year + 1
        return Date(school_year_end + 8 - int(m.group(1)), 7, 31)
    return _add_years(held, pol.assumed_years_until_leaving)


def keep_until(conversation, pol: RetentionPolicy) -> Date:
    held = Date.fromisoformat(conversation.date)
    if conversation.sensitive or conversation.kind in pol.sensitive_kinds:
        return held + timedelta(days=pol.sensitive_keep_days)
    return _add_years(leaving_date(conversation, pol), pol.years_after_leaving)


def _today(today: Date | None) -> Date:
    return today or datetime.now(timezone.utc).date()


def due_items(archive, today: Date | None = None, pol: RetentionPolicy | None = None) -> list[Due]:
    pol = pol or policy(archive)
    today = _today(today)
    items: list[Due] = []
    for cid in archive.ids():
        c = archive.get(cid)
        if c.status == "gedeeld" and c.shared_at:
            when = datetime.fromisoformat(c.shared_at).date() + timedelta(days=pol.final_after_days)
            items.append(Due(cid, c.pupil, "finalize", when, when <= today))
        if c.recording:
            if pol.recordings == "after_days":
                when = Date.fromisoformat(c.date) + timedelta(days=pol.recording_days)
            elif c.status == "definitief":
                when = datetime.fromisoformat(c.finalized_at).date() if c.finalized_at else today
            else:
                when = None
            items.append(Due(cid, c.pupil, "delete-recording", when, when is not None and when <= today))
        when = keep_until(c, pol)
        items.append(Due(cid, c.pupil, "delete-conversation", when, when <= today))
    return items


def status(archive, *, today: Date | None = None):
    """Every coming or overdue retention step as a pandas DataFrame (id, pupil, action, due, overdue)."""
    import pandas as pd

    rows = [{"id": d.id, "pupil": d.pupil, "action": d.action, "due": d.due.isoformat() if d.due else None,
             "overdue": d.overdue} for d in due_items(archive, today)]
    frame = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    return frame.sort_values(["overdue", "due"], ascending=[False, True], na_position="last",
                             ignore_index=True) if len(frame) else frame


@dataclass
class PurgeResult:
    dry_run: bool
    finalized: list[str] = field(default_factory=list)
    recordings_deleted: list[str] = field(default_factory=list)
    conversations_deleted: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.finalized) + len(self.recordings_deleted) + len(self.conversations_deleted)


def purge(archive, dry_run: bool = False, *, today: Date | None = None,
          progress: Callable[[str, str], None] | None = None, actor: str | None = None) -> PurgeResult:
    """Carry out every overdue step: finalise, delete recordings, delete whole conversations (verified).
    ``dry_run`` only reports. ``progress(action, id)`` is called after each step."""
    pol = policy(archive)
    result = PurgeResult(dry_run=dry_run)
    items = [d for d in due_items(archive, today, pol) if d.overdue]
    gone = {d.id for d in items if d.action == "delete-conversation"}
    order = {"finalize": 0, "delete-recording": 1, "delete-conversation": 2}
    for d in sorted(items, key=lambda d: order[d.action]):
        if d.action != "delete-conversation" and d.id in gone:
            continue  # the whole conversation goes anyway
        if not dry_run:
            if d.action == "finalize":
                archive.finalize(d.id, actor=actor or "bewaartermijn")
            elif d.action == "delete-recording":
                archive.delete_recording(d.id, actor=actor or "bewaartermijn")
            else:
                archive.delete_conversation(d.id, actor=actor or "bewaartermijn", scrub=False)
        {"finalize": result.finalized, "delete-recording": result.recordings_deleted,
         "delete-conversation": result.conversations_deleted}[d.action].append(d.id)
        if progress:
            progress(d.action, d.id)
    if result.conversations_deleted and not dry_run:
        archive.store.scrub()
    return result


def on_final(archive, conversation_id: str) -> None:
    """Called when a report becomes definitief: with the default policy the recording goes at once."""
    if policy(archive).recordings == "on_final":
        archive.delete_recording(conversation_id, actor="bewaartermijn")


# --- iCalendar ------------------------------------------------------------------------------------------------
def calendar(archive, out: str | Path, *, today: Date | None = None, with_names: bool = False) -> Path:
    """Write an .ics file with every coming deletion date, for the teacher's own agenda. Only the
    conversation id is in it unless ``with_names`` (agendas are often synced to a cloud)."""
    from ..atomic import write_text

    today = _today(today)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Transkript//bewaartermijnen//NL", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:Transkript bewaartermijnen"]
    for d in due_items(archive, today):
        if d.action == "finalize" or d.due is None or d.due < today:
            continue
        nl, en = ACTIONS[d.action]
        who = f" – {d.pupil}" if with_names else ""
        lines += ["BEGIN:VEVENT", f"UID:{d.id}-{d.action}@transkript.invalid", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{d.due.strftime('%Y%m%d')}",
                  f"DTEND;VALUE=DATE:{(d.due + timedelta(days=1)).strftime('%Y%m%d')}",
                  f"SUMMARY:{_ics_text(f'Transkript: {nl} (gesprek {d.id}){who}')}",
                  f"DESCRIPTION:{_ics_text(f'{nl} / {en}: transkript retention purge')}",
                  "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return write_text(out, "".join(_fold(line) + "\r\n" for line in lines))


def _ics_text(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """RFC 5545: lines of at most 75 octets, continued with a space; never split a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += b
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)
