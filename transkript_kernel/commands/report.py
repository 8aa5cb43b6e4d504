"""``transkript report`` (PDF of one conversation) and ``transkript mail`` (an e-mail draft with that PDF)."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from ..errors import InputError, NotFoundError


def register(sub) -> None:
    p = sub.add_parser("report", help="PDF-verslag van een gesprek / PDF report of a conversation",
                       description="Maak het PDF-verslag van een gesprek uit het archief (ID) of van een "
                                   "transcript (JSON). Make the PDF report of an archived conversation (ID) or "
                                   "of a transcript file.")
    p.add_argument("source", metavar="ID|TRANSCRIPT.json")
    p.add_argument("--pdf", required=True, type=Path, metavar="OUT.pdf", help="waar het verslag komt / output file")
    _common(p)
    p.add_argument("--summary", type=Path, metavar="SUMMARY.json",
                   help="samenvatting (standaard: laatste versie in het archief, of nieuw gemaakt) / summary file")
    p.add_argument("--version", dest="report_version", default=None,
                   help="versienummer op het verslag / version printed on the report")
    p.set_defaults(func=run_report)

    m = sub.add_parser("mail", help="e-mailconcept met het verslag / e-mail draft with the report",
                       description="Schrijf een e-mailconcept (.eml) met het PDF-verslag als bijlage, om in uw "
                                   "eigen mailprogramma te openen. Er wordt niets verstuurd. Writes an e-mail draft; "
                                   "nothing is sent.")
    m.add_argument("source", metavar="ID")
    m.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.eml")
    _common(m)
    m.add_argument("--to", help="adres van de ouder(s) / recipient address (optional)")
    m.add_argument("--pdf", type=Path, help="bestaand verslag gebruiken / use an existing PDF")
    m.set_defaults(func=run_mail)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--language", "-l", default=None,
                   help="taal van het verslag (nl, en, tr, ar, pl, uk, de, fr, es); standaard de taal van het "
                        "gesprek / report language, default: the conversation's")
    p.add_argument("--with-transcript", action="store_true", help="volledig transcript toevoegen / add transcript")
    p.add_argument("--whisper-english", action="store_true",
                   help="bij --language en: transcript laten vertalen door Whisper (alleen met een opname) / "
                        "with --language en: have Whisper translate the recording")
    p.add_argument("--school", default=None, help="schoolnaam (standaard: instelling) / school name")


def _load_inputs(args):
    """(transcript, summary, conversation, version, archive, recording) for an ID or a transcript file."""
    from ..summary import Summary
    from ..transcript import Transcript

    src = args.source
    as_path = Path(src)
    if src.lower().endswith(".json") or as_path.is_file():
        if not as_path.is_file():
            raise InputError(f"Transcript {as_path.name!r} bestaat niet.", f"Transcript {as_path.name!r} does not exist.")
        transcript = Transcript.load(as_path)
        summary = Summary.load(args.summary) if args.summary else _summarize(transcript)
        return transcript, summary, None, getattr(args, "report_version", None), None, None

    from ..casefile.archive import Archive

    archive = Archive()
    conv = archive.get(src)
    transcript = archive.transcript(src)
    if transcript is None:
        raise NotFoundError(f"Gesprek {src} heeft nog geen transcript; verwerk eerst de opname.",
                            f"Conversation {src} has no transcript yet; process the recording first.")
    if getattr(args, "summary", None):
        summary, version = Summary.load(args.summary), getattr(args, "report_version", None)
    else:
        summary = archive.summary(src)
        if summary is None:
            raise NotFoundError(f"Gesprek {src} heeft nog geen samenvatting.", f"Conversation {src} has no summary yet.")
        versions = archive.versions(src)
        version = getattr(args, "report_version", None) or (versions[-1].version if versions else None)
    return transcript, summary, conv, version, archive, archive.recording_path(src)


def _summarize(transcript):
    try:
        from .. import summarize
    except ImportError as exc:
        raise InputError("Geef een samenvatting mee met --summary.", "Pass a summary with --summary.") from exc
    return summarize.summarize(transcript)


def _render(args, out_pdf: Path):
    from .. import labels, report, translate

    transcript, summary, conv, version, archive, recording = _load_inputs(args)
    language = labels.check_language(args.language or (conv.language if conv else transcript.language) or "nl")
    whisper = None
    if args.whisper_english:
        if language != "en":
            raise InputError("--whisper-english kan alleen met --language en.", "--whisper-english needs --language en.")
        if recording is None:
            raise InputError("Voor een Whisper-vertaling is de opname nodig (gesprek uit het archief).",
                             "A Whisper translation needs the recording (an archived conversation).")
        whisper = translate.whisper_english(recording, transcript, source_language=transcript.language)
    report.render_pdf(out_pdf, transcript=transcript, summary=summary, conversation=conv, language=language,
                      with_transcript=args.with_transcript, version=version, school_name=args.school,
                      whisper_transcript=whisper)
    return conv, archive, language


def run_report(args) -> int:
    conv, archive, _ = _render(args, args.pdf)
    if archive is not None:
        archive.add_export(conv.id, args.pdf, kind="pdf")
    print(f"verslag / report: {args.pdf}")
    return 0


def run_mail(args) -> int:
    from .. import mail
    from ..casefile.archive import Archive

    if args.pdf:
        archive = Archive()
        conv = archive.get(args.source)
        language = args.language or conv.language or "nl"
        mail.write_draft(args.output, pdf=args.pdf, language=language, conversation=conv, to=args.to,
                         school_name=args.school, attachment_name=_attachment_name(conv))
    else:
        with tempfile.TemporaryDirectory(prefix="transkript-mail-") as tmp:
            pdf = Path(tmp) / "verslag.pdf"
            conv, archive, language = _render(args, pdf)
            mail.write_draft(args.output, pdf=pdf, language=language, conversation=conv, to=args.to,
                             school_name=args.school, attachment_name=_attachment_name(conv))
            archive.add_export(conv.id, pdf, kind="pdf")
    print(f"e-mailconcept / e-mail draft: {args.output} (niet verstuurd / not sent)", file=sys.stdout)
    return 0


def _attachment_name(conv) -> str:
    return f"verslag-{conv.date or conv.id}.pdf"
