"""``transkript report`` (PDF of one conversation) and ``transkript mail`` (an e-mail draft with that PDF)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError


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
    p.add_argument("--keep-names", nargs="*", metavar="NAAM", default=None,
                   help="namen van anderen (niet-deelnemers) niet vervangen: zonder NAAM alle, anders alleen deze; "
                        "standaard vervangen door 'een klasgenoot' / keep other people's names (all, or these); "
                        "by default they are replaced")


def _is_file_source(src: str) -> bool:
    return src.lower().endswith(".json") or Path(src).is_file()


def _render_file(args, out_pdf: Path) -> str:
    """A transcript file outside the case file (stand-alone, like ``transkript transcribe``)."""
    from .. import labels, report
    from ..summary import Summary
    from ..transcript import Transcript

    path = Path(args.source)
    if not path.is_file():
        raise InputError(f"Transcript {path.name!r} bestaat niet.", f"Transcript {path.name!r} does not exist.")
    if args.whisper_english:
        raise InputError("Voor een Whisper-vertaling is de opname nodig (gesprek uit het archief).",
                         "A Whisper translation needs the recording (an archived conversation).")
    transcript = Transcript.load(path)
    summary = Summary.load(args.summary) if args.summary else _summarize(transcript)
    language = labels.check_language(args.language or transcript.language or "nl")
    shown_summary, shown_transcript = summary, transcript
    if _replacing(args):  # no consent form here: only the speakers' labels are known participants
        from .. import thirdparty

        found = thirdparty.find(transcript, summary)
        red = thirdparty.redact(summary, transcript, thirdparty.choices(
            found, keep=args.keep_names or (), language=transcript.language), found=found)
        shown_summary, shown_transcript = red.summary, red.transcript
        _print_replaced(found, red.replaced, file_source=True)
    report.render_pdf(out_pdf, transcript=shown_transcript, summary=shown_summary, language=language,
                      with_transcript=args.with_transcript, version=getattr(args, "report_version", None),
                      school_name=args.school)
    _print_doubts(summary, transcript)  # the teacher's check is on what was said, not on the family's copy
    return language


def _print_doubts(summary, transcript, names=()) -> None:
    """The command line never blocks on doubtful words: it names them, one ``[?]`` line per ticked item."""
    from .. import doubt

    for line in doubt.cli_lines(doubt.blocking_words(summary, transcript, names)):
        print(line)


def _replacing(args) -> bool:
    """Other people's names are replaced unless ``--keep-names`` is given without names."""
    return getattr(args, "keep_names", None) != []


def _print_replaced(found, replaced: dict, *, file_source: bool = False) -> None:
    """The terminal (never a log) names what was replaced and what was kept, so the teacher can check."""
    if not found:
        return
    done = [f"{tp.name} ({replaced[tp.name]}×)" for tp in found if replaced.get(tp.name)]
    kept = [tp.name for tp in found if not replaced.get(tp.name)]
    if done:
        print("namen van anderen vervangen / other people's names replaced: " + ", ".join(done))
    if kept:
        print("namen van anderen behouden / other people's names kept: " + ", ".join(kept))
    if file_source and done:
        print("(zonder toestemmingsformulier zijn alleen de sprekers bekend; houd een naam met --keep-names NAAM / "
              "without a consent form only the speakers are known; keep a name with --keep-names NAME)")


def _family_copy(archive, args):
    """The summary and transcript for the family: other people's names replaced (a new summary version)."""
    from .. import thirdparty
    from ..summary import Summary

    summary = Summary.load(args.summary) if getattr(args, "summary", None) else None
    family = thirdparty.prepare_for_family(archive, args.source, keep=args.keep_names or (), summary=summary)
    _print_replaced(family.found, family.replaced)
    return family


def _summarize(transcript):
    from .. import summarize

    return summarize.summarize(transcript)


def _export(archive, args, out: Path | None):
    """An archived conversation: the one workflow's export (kept in the case file, a copy at ``out``)."""
    from .. import pipeline
    from ..summary import Summary

    summary = Summary.load(args.summary) if getattr(args, "summary", None) else None
    family = _family_copy(archive, args) if _replacing(args) else None  # also for Whisper's English copy
    return pipeline.export_report(archive, args.source, language=args.language, with_transcript=args.with_transcript,
                                  out=out, school_name=args.school, whisper_english=args.whisper_english,
                                  summary=None if family else summary, version=getattr(args, "report_version", None),
                                  family=family)


def run_report(args) -> int:
    from ..casefile.archive import Archive
    from ..summary import Summary

    if _is_file_source(args.source):
        _render_file(args, args.pdf)
    else:
        with Archive() as archive:
            _export(archive, args, args.pdf)
            from .. import doubt

            summary = Summary.load(args.summary) if args.summary else archive.summary(args.source)
            if summary is not None:
                _print_doubts(summary, archive.transcript(args.source), doubt.names_for(archive.get(args.source)))
    print(f"verslag / report: {args.pdf}")
    return 0


def run_mail(args) -> int:
    from .. import mail
    from ..casefile.archive import Archive

    with Archive() as archive:
        conv = archive.get(args.source)
        if args.pdf:
            pdf, language = args.pdf, args.language or conv.language or "nl"
        else:
            result = _export(archive, args, None)
            pdf, language = result.pdf, result.language
        with archive.decrypted(pdf) as plain:  # a case-file PDF is encrypted: a private view, deleted after
            mail.write_draft(args.output, pdf=plain, language=language, conversation=conv, to=args.to,
                             school_name=args.school, attachment_name=_attachment_name(conv))
            # the draft holds the report: registered with the conversation, so withdrawal and retention delete it
            archive.register_copy(conv.id, args.output, kind="mail", derived_from=plain)
    print(f"e-mailconcept / e-mail draft: {args.output} (niet verstuurd / not sent)", file=sys.stdout)
    return 0


def _attachment_name(conv) -> str:
    return f"verslag-{conv.date or conv.id}.pdf"
