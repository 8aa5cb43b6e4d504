"""``transkript transcribe AUDIO``: a recording in, a transcript out (JSON on stdout unless ``-o``).

The output is written only after everything succeeded, atomically, so a failure never leaves a partial file;
progress goes to stderr so stdout stays clean JSON for pipes. ``--names``/``--names-file`` give the recogniser
the names a consent form would hold, for a recording outside the case file: they go the same way as the case
file's (``asr.transcribe(names=...)``: first in the hotwords, then ``names.correct``).
"""
from __future__ import annotations

import argparse
import sys


def _speakers(value: str):
    """argparse's view of ``speakers.parse_mode``, the one parser of this option (bad values: usage error)."""
    from ..errors import InputError
    from ..speakers import parse_mode

    try:
        return parse_mode(value)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.both().replace("\n", " / ")) from None


def register(subparsers) -> None:
    from ..formats import FORMATS

    p = subparsers.add_parser(
        "transcribe", help="opname transcriberen / transcribe a recording",
        description="Transcribeer een opname volledig lokaal met faster-whisper. "
                    "Transcribe a recording fully offline with faster-whisper.")
    p.add_argument("audio", metavar="AUDIO", help="m4a, aac, mp3, wav, ogg, opus, webm, flac or mp4")
    p.add_argument("-l", "--language", default=None,
                   help="taal / language: nl (standaard/default), auto, of een ISO-code / or an ISO code (en, tr…)")
    p.add_argument("--model", default=None,
                   help="'base' (ingebouwd/embedded) of de map van een CTranslate2-Whispermodel / "
                        "or a local CTranslate2 Whisper directory")
    p.add_argument("--task", choices=("transcribe", "translate"), default="transcribe",
                   help="translate = Engelse vertaling / English translation")
    p.add_argument("--speakers", type=_speakers, default="auto", metavar="auto|N|off",
                   help="sprekerherkenning / speaker attribution (standaard/default auto)")
    p.add_argument("-o", "--output", default=None, metavar="OUT",
                   help="uitvoerbestand / output file (anders/otherwise stdout)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="json (standaard/default), txt, srt, vtt; anders afgeleid van -o / else from -o's extension")
    p.add_argument("--names", action="append", default=[], metavar="'NAAM, NAAM'",
                   help="namen die in het gesprek vallen (leerling, ouders, leerkracht), met komma's gescheiden, "
                        "herhaalbaar: de herkenner schrijft ze zo / names spoken in the conversation (pupil, "
                        "parents, teacher), comma-separated, repeatable: the recogniser spells them like this")
    p.add_argument("--names-file", default=None, metavar="BESTAND",
                   help="tekstbestand (UTF-8) met zulke namen, één per regel / a text file (UTF-8) with such names, "
                        "one per line")
    p.add_argument("-q", "--quiet", action="store_true", help="geen voortgangsbalk / no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import formats, pipeline, settings
    from ..asr import AsrSettings
    from ..atomic import write_text

    conf = settings.get(AsrSettings)
    names = _names(args.names, args.names_file)  # a bad names file fails before minutes of decoding
    fmt = args.format or (formats.format_for(args.output) if args.output else "json")
    bar = None if args.quiet else _ProgressBar()
    try:
        transcript = pipeline.transcribe_file(args.audio, language=args.language or conf.language, task=args.task,
                                              model=args.model, speakers=args.speakers, names=names,
                                              progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    text = formats.render(transcript, fmt)
    if args.output:
        write_text(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    for notice in transcript.notices:
        print(notice, file=sys.stderr)
    return 0


NAMES_FILE_MAX_BYTES = 64 * 1024  # Whisper keeps ~220 hotword tokens: a longer list is a wrong file


def _names(given: list[str], path: str | None) -> tuple[str, ...]:
    """The names from ``--names`` (commas separate them) and ``--names-file`` (one per line), cleaned and without
    doubles by ``asr.split_vocabulary``, the parser of the configured vocabulary too."""
    from ..asr import split_vocabulary
    from ..errors import InputError
    from ..formatting import safe_name

    parts = list(given)
    if path:
        shown = safe_name(path, max_length=80)  # the last part only, no control characters (CR/LF, NUL)
        unreadable = InputError(f"Het namenbestand '{shown}' kan niet worden gelezen als UTF-8-tekst.",
                                f"The names file '{shown}' cannot be read as UTF-8 text.")
        try:
            with open(path, "rb") as fh:
                data = fh.read(NAMES_FILE_MAX_BYTES + 1)
        except (OSError, ValueError) as exc:  # missing, a folder, unreadable, NUL in the path
            raise unreadable from exc
        if len(data) > NAMES_FILE_MAX_BYTES:
            raise InputError(f"Het namenbestand '{shown}' is groter dan {NAMES_FILE_MAX_BYTES // 1024} kB; geef "
                             "alleen de namen uit dit gesprek.",
                             f"The names file '{shown}' is larger than {NAMES_FILE_MAX_BYTES // 1024} kB; give only "
                             "the names in this conversation.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise unreadable from exc
        parts += text.splitlines()
    return split_vocabulary(",".join(parts))


class _ProgressBar:
    """One tqdm bar on stderr, restarted per stage (transcriberen, sprekers)."""

    LABELS = {"transcribe": "transcriberen / transcribing", "speakers": "sprekers / speakers"}

    def __init__(self):
        self.stage = None
        self.bar = None

    def update(self, stage: str, fraction: float) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=100, desc=self.LABELS.get(stage, stage), unit="%", file=sys.stderr,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]")
        target = int(round(100 * fraction))
        if target > self.bar.n:
            self.bar.update(target - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
