"""How long things are kept, and deleting them when that time has come.

The policy is a settings section (``RetentionPolicy`` in settings.json). The product brief: the recording goes
as soon as the summary is made, unless school policy says otherwise. So by default a recording is deleted when
its report is shared or final, and at the latest ``recording_max_days`` (7) days after it was imported, concept
or not (:func:`recording_due`); a school may choose 'on_final' or N days after the conversation instead.
Transcripts and summaries stay until the pupil has left school plus two years (sensitive conversations
shorter). A shared report becomes final when the parents confirm or after a response term. Every deletion
removes files, rows and index entry and is verified. :func:`run_at_start` deletes overdue recordings whenever
the app or any command starts (with a notice), so a laptop that is rarely used still forgets on time; audit
rows of an erased conversation go one year after the erasure (:func:`expire_audit`).
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

    recordings = Enum(["on_shared", "on_final", "after_days"], default_value="on_shared",
                      help="'on_shared': delete the recording as soon as the report is shared or definitief "
                           "(default); 'on_final': once it is definitief; 'after_days': recording_days after the "
                           "conversation.").tag(config=True)
    recording_max_days = Int(7, min=0, help="With 'on_shared' and 'on_final': the recording is deleted at the latest "
                                            "this many days after it was imported, even if the report is still a "
                                            "concept (0: no latest date).").tag(config=True)
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


def _day(stamp: str | None) -> Date | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return None


def recording_due(conversation, pol: RetentionPolicy | None = None, *, imported_at: str | None = None,
                  today: Date | None = None) -> Date | None:
    """The day this conversation's recording is (or was) due for deletion; None when it has none, or no date
    applies yet (only with a school policy without a latest date). The review screens show this date.

    ``imported_at``: when the recording came in (the audit's 'import'); the conversation's creation otherwise,
    which is never later, so the fallback errs towards deleting sooner."""
    if not getattr(conversation, "recording", None):
        return None
    pol = pol or policy()
    if pol.recordings == "after_days":
        return Date.fromisoformat(conversation.date) + timedelta(days=pol.recording_days)
    dates = []
    if conversation.status == "definitief":
        dates.append(_day(conversation.finalized_at) or _today(today))
    if pol.recordings == "on_shared" and conversation.status in ("gedeeld", "definitief"):
        dates.append(_day(conversation.shared_at) or _day(conversation.finalized_at) or _today(today))
    if pol.recording_max_days:
        start = _day(imported_at) or _day(conversation.created_at) or Date.fromisoformat(conversation.date)
        dates.append(start + timedelta(days=pol.recording_max_days))
    return min(dates) if dates else None


def imports(archive) -> dict[str, str]:
    """Conversation id -> when its (latest) recording was imported, from the audit log."""
    rows = archive.store.rows("SELECT conversation_id, max(at) AS at FROM audit WHERE event = 'import' "
                              "AND conversation_id IS NOT NULL GROUP BY conversation_id")
    return {r["conversation_id"]: r["at"] for r in rows}


def due_items(archive, today: Date | None = None, pol: RetentionPolicy | None = None) -> list[Due]:
    pol = pol or policy(archive)
    today = _today(today)
    imported = imports(archive)
    items: list[Due] = []
    for cid in archive.ids():
        c = archive.get(cid)
        if c.status == "gedeeld" and c.shared_at:
            when = datetime.fromisoformat(c.shared_at).date() + timedelta(days=pol.final_after_days)
            items.append(Due(cid, c.pupil, "finalize", when, when <= today))
        if c.recording:
            when = recording_due(c, pol, imported_at=imported.get(cid), today=today)
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
    if policy(archive).recordings in ("on_final", "on_shared"):
        archive.delete_recording(conversation_id, actor="systeem")


def run_at_start(archive, *, today: Date | None = None) -> list[tuple[str, str]]:
    """Delete every overdue recording and expire old audit rows; the notices (nl, en) to show, none when
    nothing was due. Called when the app or any command starts. Only recordings: deleting whole conversations
    stays the explicit, verified ``retention purge`` a teacher starts and sees."""
    pol = policy(archive)
    gone = []
    for d in due_items(archive, today, pol):
        if d.action == "delete-recording" and d.overdue:
            archive.delete_recording(d.id, actor="systeem")
            gone.append(d.id)
    expire_audit(archive, today=today)
    from . import audit

    audit.forget_names(archive.store)
    if not gone:
        return []
    n = len(gone)
    return [(f"Bewaartermijn: {n} {'opname' if n == 1 else 'opnames'} verwijderd waarvan de termijn verstreken was "
             f"({', '.join(gone)}).",
             f"Retention: {n} recording{'' if n == 1 else 's'} past {'its' if n == 1 else 'their'} term deleted "
             f"({', '.join(gone)}).")]


AUDIT_KEEP_DAYS = 365  # audit rows of an erased conversation stay one year after the erasure, then go


def expire_audit(archive, *, today: Date | None = None) -> int:
    """Delete the audit rows of conversations erased more than a year ago; the number of rows deleted. An
    erased conversation is one the case file no longer holds whose last audit row is its 'delete'."""
    cutoff = _today(today) - timedelta(days=AUDIT_KEEP_DAYS)
    held = set(archive.ids())
    rows = archive.store.rows("SELECT conversation_id, max(at) AS last FROM audit WHERE event IN ('delete', "
                              "'withdraw') AND conversation_id IS NOT NULL GROUP BY conversation_id")
    erased = [r["conversation_id"] for r in rows
              if r["conversation_id"] not in held and (_day(r["last"]) or cutoff) < cutoff]
    count = 0
    for cid in erased:
        count += archive.store.execute("DELETE FROM audit WHERE conversation_id = ?", (cid,)).rowcount or 0
    return count


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
