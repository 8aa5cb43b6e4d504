"""``transkript summarize TRANSCRIPT.json``: a transcript in, a summary (JSON, optionally Markdown) out.

JSON goes to stdout unless ``-o`` is given, so the command pipes; files are written atomically and only after
the summary is complete and schema-valid.
"""
from __future__ import annotations


def register(subparsers) -> None:
    from ..summarize import backends

    p = subparsers.add_parser(
        "summarize", help="transcript samenvatten / summarise a transcript",
        description="Vat een transcript samen: onderwerpen, zorgen en afspraken, met bronverwijzingen. "
                    "Summarise a transcript: topics, concerns and agreed actions, each citing its segments.")
    p.add_argument("transcript", metavar="TRANSCRIPT.json", help="transkript.transcript/1 JSON")
    p.add_argument("--backend", choices=backends(), default=None,
                   help="extractive (standaard/default, offline regels/rules) of/or transformers (lokaal taalmodel/"
                        "local language model)")
    p.add_argument("-l", "--language", default=None, help="nl of/or en (anders uit het transcript/else from the "
                                                          "transcript)")
    p.add_argument("--model-path", default=None, help="lokale modelmap of .gguf voor/for --backend transformers")
    p.add_argument("--template", default=None, help="prompt-sjabloon (.j2) voor/for --backend transformers")
    p.add_argument("-o", "--output", default=None, metavar="SUMMARY.json",
                   help="uitvoerbestand / output file (anders/otherwise stdout)")
    p.add_argument("--markdown", default=None, metavar="OUT.md", help="ook Markdown schrijven / also write Markdown")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from ..atomic import write_text
    from ..summarize import summarize, to_markdown
    from ..transcript import Transcript

    transcript = Transcript.load(args.transcript)
    options = {k: v for k, v in (("model_path", args.model_path), ("template", args.template)) if v}
    summary = summarize(transcript, backend=args.backend, language=args.language, **options)
    if args.output:
        summary.save(args.output)
    else:
        sys.stdout.write(summary.to_json() + "\n")
    if args.markdown:
        write_text(args.markdown, to_markdown(summary, transcript))
    if args.output or args.markdown:
        print(f"{len(summary.topics)} onderwerpen/topics, {len(summary.concerns)} zorgen/concerns, "
              f"{len(summary.actions)} afspraken/actions, {len(summary.warnings)} waarschuwingen/warnings",
              file=sys.stderr)
    return 0
