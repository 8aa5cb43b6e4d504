"""An e-mail *draft* with the report attached, for the teacher's own mail client. Nothing is ever sent.

The draft is an RFC 5322 message (``.eml``) with ``X-Unsent: 1``, which Outlook and Thunderbird open as a
message to edit and send. The cover text is short, neutral and in the report language (one of the report's
label languages, ``templates/labels``), and asks the parents to report anything that is wrong or missing. The
subject names the pupil by first name only (:func:`subject_name`).
"""
from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from traitlets import Unicode
from traitlets.config import Configurable

from . import labels as L
from .conversation import Conversation
from .errors import InputError
from .formatting import safe_name

DEFAULT_SENDER = "leerkracht@school.invalid"  # RFC 2606: never deliverable; the mail client replaces it


class MailSettings(Configurable):
    """Mail drafts."""

    sender = Unicode("", help="The teacher's or school's address for the From line of mail drafts. Empty: a "
                              "placeholder the mail client replaces (leerkracht@school.invalid).").tag(config=True)
    sender_name = Unicode("", help="Display name on the From line; empty: the school name.").tag(config=True)


_ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def _check_address(value: str, what: str) -> str:
    value = (value or "").strip()
    if value and not _ADDRESS.match(value):
        raise InputError(f"{what}: {value!r} is geen geldig e-mailadres.", f"{what}: {value!r} is not a valid e-mail address.")
    return value


def _one_line(text) -> str:
    return " ".join(str(text or "").split())


def subject_name(pupil: str) -> str:
    """The pupil as the subject line names them: the first name only ("Chloë Jansen" → "Chloë"), or the initials
    when the first word is only an initial ("J. de Vries" → "J.d.V."). A subject line is seen by anyone glancing at
    an inbox, a shared screen or a mail server's log; the full name stays in the attached report. A name as a
    pupil administration writes it, surname first ("de Vries, Sanne"), gives the part after the comma."""
    name = _one_line(pupil)
    if "," in name:
        name = name.split(",", 1)[1].strip() or name.split(",", 1)[0]
    words = [w for w in name.split() if w]
    if not words:
        return ""
    first = words[0]
    if len(first.rstrip(".")) > 1:
        return first
    return "".join(w[0] + "." for w in words if w[:1].isalpha())


def cover_text(language: str, *, conversation: Conversation | None = None, school_name: str = "") -> tuple[str, str]:
    """Subject and body of the cover mail in the report language."""
    lang = L.check_language(language)
    when = L.format_date(lang, conversation.date) if conversation is not None else ""
    pupil = subject_name(conversation.pupil) if conversation is not None else ""
    subject = L.text(lang, "mail_subject", pupil=pupil, date=when)
    if conversation is None:  # no facts: drop the empty "(…)" and "over " parts
        subject = L.labels(lang)["title"]
    body = L.text(lang, "mail_body", date=when, school=school_name).rstrip() + "\n"
    return " ".join(subject.split()), body


def build_draft(*, pdf: str | Path, language: str = "nl", conversation: Conversation | None = None,
                to: str | None = None, sender: str | None = None, school_name: str | None = None,
                attachment_name: str | None = None) -> EmailMessage:
    from .settings import GeneralSettings, get

    pdf = Path(pdf)
    try:
        data = pdf.read_bytes()
    except OSError as exc:
        raise InputError(f"Kan het verslag {pdf.name} niet lezen: {exc.strerror}.",
                         f"Cannot read the report {pdf.name}: {exc.strerror}.") from exc
    if not data.startswith(b"%PDF"):
        raise InputError(f"{pdf.name} is geen PDF.", f"{pdf.name} is not a PDF.")
    settings = get(MailSettings)
    if school_name is None:
        school_name = get(GeneralSettings).school_name
    school_name = _one_line(school_name)  # a CR/LF in a name must never reach (or break) a header
    subject, body = cover_text(language, conversation=conversation, school_name=school_name)

    msg = EmailMessage()
    from_addr = _check_address(sender or settings.sender, "Afzender / sender") or DEFAULT_SENDER
    msg["From"] = formataddr((_one_line(settings.sender_name) or school_name or "", from_addr))
    if to:
        msg["To"] = _check_address(to, "Ontvanger / recipient")
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="transkript.invalid")
    msg["X-Unsent"] = "1"  # open as a draft in Outlook / Thunderbird
    msg.set_content(body, headers=[f"Content-Language: {L.check_language(language)}"])
    name = safe_name(attachment_name or pdf.name, fallback="verslag.pdf")  # a mail client saves it as is
    msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return msg


def write_draft(out_eml: str | Path, *, pdf: str | Path, language: str = "nl",
                conversation: Conversation | None = None, to: str | None = None, sender: str | None = None,
                school_name: str | None = None, attachment_name: str | None = None) -> Path:
    """Write the draft atomically and return its path. Nothing is sent."""
    from email.policy import SMTP

    from .atomic import write_bytes

    msg = build_draft(pdf=pdf, language=language, conversation=conversation, to=to, sender=sender,
                      school_name=school_name, attachment_name=attachment_name)
    return write_bytes(out_eml, msg.as_bytes(policy=SMTP))
