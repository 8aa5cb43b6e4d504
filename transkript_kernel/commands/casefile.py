"""Case-file commands: new, import, process, archive, correct, finalize, consent, retention, export.

All of them work on the data directory (``TRANSKRIPT_DATA``). ``new`` prints only the new id on stdout so that
scripts can capture it; notices (such as a cloud-sync warning) go to stderr.
"""
from __future__ import annotations

import json
import sys


def _archive():
    from ..casefile.archive import Archive

    archive = Archive()
    for nl, en in archive.notices:
        print(f"{nl}\n{en}", file=sys.stderr)
    return archive


def register(sub) -> None:
    p = sub.add_parser("new", help="nieuw gesprek met toestemming / new conversation with consent")
    p.add_argument("--pupil", required=True, help="naam van de leerling / pupil's name")
    p.add_argument("--pupil-id", default=None, help="bestaande leerling P-… / existing pupil identity P-…")
    p.add_argument("--pupil-number", default="", help="leerlingnummer (optioneel) / pupil number (optional)")
    p.add_argument("--birth-date", default="", help="geboortedatum YYYY-MM-DD (optioneel) / birth date (optional)")
    p.add_argument("--new-pupil", action="store_true",
                   help="een andere leerling met een bestaande naam / another pupil with an existing name")
    p.add_argument("--group", default="", help="groep of klas / group or class")
    p.add_argument("--age-band", default="", help="leeftijd, bv. 8-12 of 12-16 / age band")
    p.add_argument("--kind", required=True, help="soort gesprek / kind of conversation")
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--language", default="nl")
    p.add_argument("--consent", required=True, choices=("given", "refused"))
    p.add_argument("--consent-by", required=True, help="wie antwoordde (rol) / who answered (role), e.g. ouder")
    p.add_argument("--consent-name", default="", help="naam van wie antwoordde / name of who answered")
    p.add_argument("--consent-how", default="mondeling", choices=("mondeling", "schriftelijk"))
    p.add_argument("--purpose", default=None, help="doel van de opname / purpose")
    p.add_argument("--retention-notice", default=None, help="gegeven uitleg over bewaren / retention notice given")
    p.add_argument("--pupil-consent", choices=("given", "refused"), default=None,
                   help="mening van de leerling (vanaf ca. 12 jaar) / pupil's view (from about 12)")
    p.add_argument("--circumstance", action="append", default=[],
                   help="bijzondere omstandigheid, bv. 'juridische-gevolgen' / special circumstance")
    p.add_argument("--participant", action="append", default=[], metavar="NAME:ROLE",
                   help="deelnemer, herhaalbaar, bv. 'Samira Haddou:docent'; namen helpen de spraakherkenning en "
                        "benoemen sprekers / participant, repeatable; names help speech recognition and name "
                        "speakers (roles: docent, ouder, leerling, school, tolk, anders)")
    p.add_argument("--notes", default="", help="schriftelijke aantekeningen / written notes")
    p.add_argument("--sensitive", action="store_true", help="gevoelig: korter bewaren / sensitive: kept shorter")
    p.add_argument("--leaves-school", default=None, help="verwachte vertrekdatum YYYY-MM-DD / expected leaving date")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("import", help="opname toevoegen / add a recording")
    p.add_argument("id")
    p.add_argument("audio")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("process", help="transcriberen en samenvatten / transcribe and summarise")
    p.add_argument("id")
    p.add_argument("--speakers", default="auto", metavar="auto|N|off",
                   help="sprekerherkenning / speaker attribution (standaard/default auto)")
    p.add_argument("--backend", default=None, help="samenvatter / summary backend (default: settings)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_process)

    p = sub.add_parser("archive", help="archief: lijst, tonen, zoeken / archive: list, show, search")
    asub = p.add_subparsers(dest="archive_command", metavar="list|show|search|check|repair", required=True)
    for name in ("list", "search"):
        q = asub.add_parser(name)
        if name == "search":
            q.add_argument("query")
        q.add_argument("--pupil")
        q.add_argument("--group")
        q.add_argument("--kind")
        q.add_argument("--from", dest="date_from")
        q.add_argument("--to", dest="date_to")
        q.add_argument("--status", choices=("concept", "gedeeld", "definitief"))
        q.add_argument("--json", action="store_true")
        q.set_defaults(func=cmd_list if name == "list" else cmd_search)
    q = asub.add_parser("show")
    q.add_argument("id")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_show)
    q = asub.add_parser("check", help="consistentie controleren / check consistency")
    q.set_defaults(func=cmd_check)
    q = asub.add_parser("repair", help="afgebroken stappen opruimen / clean up interrupted steps")
    q.set_defaults(func=cmd_repair)

    p = sub.add_parser("correct", help="correctie als nieuwe versie / correction as a new version")
    p.add_argument("id")
    p.add_argument("--by", required=True, help="rol: ouder, leerling, docent, …")
    p.add_argument("--name", default=None, help="wie / who (default: the role)")
    p.add_argument("--reason", required=True)
    p.add_argument("--file", required=True, help="SUMMARY.json (transkript.summary/1)")
    p.set_defaults(func=cmd_correct)

    p = sub.add_parser("share", help="verslag gedeeld met ouders / report shared with the parents")
    p.add_argument("id")
    p.set_defaults(func=lambda a: _set_status(a, "gedeeld"))
    p = sub.add_parser("finalize", help="verslag definitief / make the report final")
    p.add_argument("id")
    p.set_defaults(func=lambda a: _set_status(a, "definitief"))

    p = sub.add_parser("consent", help="toestemming / consent")
    csub = p.add_subparsers(dest="consent_command", metavar="withdraw", required=True)
    q = csub.add_parser("withdraw", help="intrekken: opname en afgeleiden meteen weg / withdraw")
    q.add_argument("id")
    q.set_defaults(func=cmd_withdraw)

    p = sub.add_parser("retention", help="bewaartermijnen / retention")
    rsub = p.add_subparsers(dest="retention_command", metavar="status|purge|calendar", required=True)
    q = rsub.add_parser("status")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_retention_status)
    q = rsub.add_parser("purge")
    q.add_argument("--dry-run", action="store_true")
    q.set_defaults(func=cmd_purge)
    q = rsub.add_parser("calendar")
    q.add_argument("-o", "--output", required=True, help="FILE.ics")
    q.add_argument("--with-names", action="store_true", help="leerlingnamen in de agenda / pupil names in events")
    q.set_defaults(func=cmd_calendar)

    p = sub.add_parser("export", help="inzage: alles over één leerling als zip / right of access zip")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--pupil", help="naam (als maar één leerling zo heet) / name (if only one pupil has it)")
    who.add_argument("--pupil-id", help="leerling P-… / pupil identity P-…")
    p.add_argument("-o", "--output", required=True, help="FILE.zip")
    p.set_defaults(func=cmd_export)


# --- commands -------------------------------------------------------------------------------------------------
def cmd_new(args) -> int:
    from ..casefile import consent
    from ..conversation import Participant
    from ..errors import InputError

    participants = []
    for item in args.participant:
        name, _, role = item.rpartition(":") if ":" in item else (item, "", "")
        participants.append(Participant(name.strip(), role.strip() or None))
    with _archive() as archive:
        record = consent.record(args.consent == "given", args.consent_by, how=args.consent_how,
                                name=args.consent_name, purpose=args.purpose, retention_notice=args.retention_notice,
                                pupil_view=args.pupil_consent, language=args.language)
        if not args.pupil.strip():
            raise InputError("Vul de naam van de leerling in.", "Enter the pupil's name.")
        conv = archive.create(pupil=args.pupil, date=args.date, kind=args.kind, language=args.language,
                              group=args.group, age_band=args.age_band, participants=participants,
                              consent=record, circumstances=args.circumstance, notes=args.notes,
                              sensitive=args.sensitive, leaves_school=args.leaves_school, pupil_id=args.pupil_id,
                              pupil_number=args.pupil_number, birth_date=args.birth_date,
                              new_pupil=args.new_pupil)
        if not conv.consent.allows_recording:
            print("Geen toestemming: dit gesprek kan alleen schriftelijke aantekeningen bevatten. / "
                  "No consent: this conversation can hold written notes only.", file=sys.stderr)
    print(conv.id)
    return 0


def cmd_import(args) -> int:
    from .. import pipeline

    with _archive() as archive:
        result = pipeline.import_recording(archive, args.id, args.audio)
    print(f"Opname opgeslagen / recording stored: {result.path.name} ({result.duration:.0f} s, "
          f"sha256 {result.sha256})")
    return 0


def cmd_process(args) -> int:
    from .. import pipeline

    last = {}

    def progress(stage: str, fraction: float) -> None:
        pct = int(fraction * 100)
        if not args.quiet and last.get(stage) != pct // 10:
            last[stage] = pct // 10
            print(f"{stage} {pct}%", file=sys.stderr, flush=True)

    with _archive() as archive:
        result = pipeline.process_conversation(archive, args.id, speakers=args.speakers, backend=args.backend,
                                               progress=progress)
        transcript, summary = result.transcript, result.summary
        for notice in transcript.notices:
            print(notice, file=sys.stderr)
    print(f"{args.id}: {len(transcript.segments)} segmenten, {len(summary.topics)} onderwerpen, "
          f"{len(summary.concerns)} zorgen, {len(summary.actions)} afspraken")
    return 0


def _filters(args) -> dict:
    return {k: getattr(args, k) for k in ("pupil", "group", "kind", "date_from", "date_to", "status")
            if getattr(args, k, None)}


def _print_frame(frame, as_json: bool, empty: str) -> None:
    if as_json:
        print(frame.to_json(orient="records", force_ascii=False))
    elif len(frame) == 0:
        print(empty)
    else:
        print(frame.astype(object).where(frame.notna(), "-").to_string(index=False))


def cmd_list(args) -> int:
    with _archive() as archive:
        frame = archive.list(**_filters(args))
    _print_frame(frame[["id", "pupil", "group", "date", "kind", "status", "consent", "recording", "summaries"]]
                 if not args.json else frame, args.json, "Geen gesprekken gevonden. / No conversations found.")
    return 0


def cmd_search(args) -> int:
    with _archive() as archive:
        frame = archive.search(args.query, **_filters(args))
    _print_frame(frame, args.json, "Niets gevonden. / Nothing found.")
    return 0


def cmd_show(args) -> int:
    with _archive() as archive:
        conv = archive.get(args.id)
        info = conv.to_dict()
        info["pupil_id"] = archive.pupil_id(args.id)
        info["consents"] = [c.__dict__ for c in archive.consents(args.id)]
        info["transcript_revisions"] = [{k: r[k] for k in ("revision", "by", "at")}
                                        for r in archive.transcript_revisions(args.id)]
        info["summary_versions"] = [v.to_dict() for v in archive.versions(args.id)]
        info["exports"] = [{"file": e["path"].name, "kind": e["kind"], "at": e["at"]} for e in archive.exports(args.id)]
        archive.log("view", args.id)
        summary = archive.summary(args.id)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
        return 0
    c = conv.consent
    print(f"{conv.id}  {conv.pupil} ({conv.group or '-'})  {conv.date}  {conv.kind}  [{conv.status}]")
    if c:
        state = "ingetrokken" if c.withdrawn_at else ("gegeven" if c.given else "geweigerd")
        print(f"toestemming: {state} door {c.by} ({c.how}, {c.at})"
              + (f"; leerling: {c.pupil_view}" if c.pupil_view else ""))
    print(f"opname: {'ja' if conv.recording else 'nee'}; transcripten: {len(info['transcript_revisions'])}; "
          f"versies: {len(info['summary_versions'])}; exports: {len(info['exports'])}")
    if conv.notes:
        print(f"aantekeningen: {conv.notes}")
    if summary:
        from ..casefile.versions import lines

        print("\n".join(lines(summary, summary.language)))
    return 0


def cmd_check(args) -> int:
    with _archive() as archive:
        problems = archive.check()
    for p in problems:
        print(p)
    if not problems:
        print("Het archief is in orde. / The archive is consistent.")
    return 1 if problems else 0


def cmd_repair(args) -> int:
    from ..casefile.archive import Archive

    archive = Archive(repair=False)
    with archive:
        done = archive.repair(deep=True)
    print("\n".join(done) or "Niets te herstellen. / Nothing to repair.")
    return 0


def cmd_correct(args) -> int:
    from ..summary import Summary

    summary = Summary.load(args.file)
    with _archive() as archive:
        version = archive.save_summary(args.id, summary, by=args.name or args.by, role=args.by, reason=args.reason)
        previous = version - 1
        text = archive.diff(args.id, previous, version) if previous >= 1 else ""
    print(f"Versie {version} opgeslagen / version {version} saved.")
    if text:
        print(text)
    return 0


def _set_status(args, status: str) -> int:
    with _archive() as archive:
        conv = archive.set_status(args.id, status)
    print(f"{conv.id}: {conv.status}" + ("; opname verwijderd / recording deleted"
                                          if status == "definitief" and not conv.recording else ""))
    return 0


def cmd_withdraw(args) -> int:
    with _archive() as archive:
        deleted = archive.withdraw_consent(args.id)
    print(f"Toestemming ingetrokken / consent withdrawn; verwijderd / deleted: {', '.join(deleted) or '-'}")
    return 0


def cmd_retention_status(args) -> int:
    from ..casefile import retention

    with _archive() as archive:
        frame = retention.status(archive)
    _print_frame(frame, args.json, "Geen bewaartermijnen. / No retention dates.")
    return 0


def cmd_purge(args) -> int:
    from ..casefile import retention

    def progress(action: str, cid: str) -> None:
        word = "zou doen / would do" if args.dry_run else "gedaan / done"
        print(f"{action} {cid} ({word})", flush=True)

    with _archive() as archive:
        result = retention.purge(archive, dry_run=args.dry_run, progress=progress)
    print(f"{'Proefdraai / dry run' if args.dry_run else 'Klaar / done'}: {len(result.finalized)} definitief, "
          f"{len(result.recordings_deleted)} opnamen, {len(result.conversations_deleted)} gesprekken.")
    return 0


def cmd_calendar(args) -> int:
    from ..casefile import retention

    with _archive() as archive:
        path = retention.calendar(archive, args.output, with_names=args.with_names)
    print(path)
    return 0


def cmd_export(args) -> int:
    from ..casefile import access

    with _archive() as archive:
        path = access.export_pupil(archive, args.pupil, args.output, pupil_id=args.pupil_id)
    print(path)
    return 0
