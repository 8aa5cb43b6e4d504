"""``transkript eval``: score a summary backend on scripted conversations.

Two shapes: ``transkript eval DIR`` on a folder with the layout of ``../shared/eval`` (``conversations/*.json``,
``audio/*.ref.json``, ``score.py``), and ``transkript eval --corpus tests/data/corpus --split dev [--asr]`` on the
summary corpus split by split. Either way the figures come from the shared ``score.py`` itself, per conversation
and on average; the corpus table adds topic precision, invented words and the worth of the 'controleer' mark.
"""
from __future__ import annotations


def register(subparsers) -> None:
    from ..summarize import backends

    p = subparsers.add_parser(
        "eval", help="samenvattingen meten / score summaries on an eval folder or the corpus",
        description="Meet een samenvattingsmethode op een map met gesprekken (indeling van ../shared/eval) of op "
                    "een split van het corpus. Score a summary backend on a folder of conversations (layout of "
                    "../shared/eval) or on one split of the corpus.")
    p.add_argument("directory", metavar="DIR", nargs="?", default=None,
                   help="map met/folder with conversations/, audio/*.ref.json, score.py")
    p.add_argument("--corpus", default=None, metavar="DIR",
                   help="corpusmap met/corpus folder with train/, dev/, test/")
    p.add_argument("--split", default="dev", choices=("train", "dev", "test", "all"),
                   help="welke split van het corpus / which split of the corpus (standaard/default dev)")
    p.add_argument("--asr", nargs="?", const="", default=None, metavar="DIR",
                   help="ASR-transcripten in plaats van perfecte / ASR fixtures instead of perfect transcripts "
                        "(standaard/default <CORPUS>_asr/<split>/<id>.json, e.g. tests/data/corpus_asr)")
    p.add_argument("--backend", choices=backends(), default="extractive")
    p.add_argument("--model-path", default=None, help="lokale modelmap of .gguf voor/for --backend transformers")
    p.add_argument("--template", default=None, help="prompt-sjabloon (.j2) voor/for --backend transformers")
    p.add_argument("--scorer", default=None, metavar="DIR",
                   help="map met score.py als DIR er geen heeft / folder with score.py when DIR has none")
    p.add_argument("--csv", default=None, metavar="OUT.csv", help="tabel ook als CSV / also write the table as CSV")
    p.set_defaults(func=run)


def run(args) -> int:
    import pandas as pd

    from ..atomic import write_text
    from ..errors import InputError
    from ..evaluation import evaluate, with_mean

    options = {k: v for k, v in (("model_path", args.model_path), ("template", args.template)) if v}
    if args.corpus:
        return _run_corpus(args, options)
    if not args.directory:
        raise InputError("Geef een map (DIR) of --corpus op.", "Give a folder (DIR) or --corpus.")
    table = with_mean(evaluate(args.directory, backend=args.backend, scorer_dir=args.scorer, **options))
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(table.to_string())
    if args.csv:
        write_text(args.csv, table.to_csv())
    return 0


def _run_corpus(args, options) -> int:
    from pathlib import Path

    import pandas as pd

    from ..atomic import write_text
    from ..evaluation import check_precision, evaluate_corpus, with_mean

    asr = None if args.asr is None else (args.asr or default_asr(args.corpus))
    table, hits = evaluate_corpus(args.corpus, args.split, asr=asr, backend=args.backend, scorer_dir=args.scorer,
                                  **options)
    table = with_mean(table)
    table.loc["mean", "split"] = args.split
    table.loc["mean", "invented_words"] = table["invented_words"].iloc[:-1].sum()
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(table.to_string())
    worth = check_precision(hits)
    source = "ASR" if asr else "perfect"
    print(f"split {args.split} ({source}, {len(table) - 1} gesprekken/conversations); invented words (sum): "
          f"{int(table.loc['mean', 'invented_words'])}")
    print("precisie voorstellen / proposal precision: zonder 'controleer'/unmarked {} (n={}), met 'controleer'/"
          "check {} (n={})".format(*worth["unmarked"], *worth["check"]))
    if args.csv:
        write_text(args.csv, table.to_csv())
    return 0


def default_asr(corpus) -> str:
    """Where the ASR fixtures of ``corpus`` live when --asr names no folder: next to it as ``<corpus>_asr``
    (tests/data/corpus -> tests/data/corpus_asr, as tests/corpus_asr.py writes them), else ``<corpus>/asr``."""
    from pathlib import Path

    corpus = Path(corpus)
    sibling = corpus.with_name(corpus.name + "_asr")
    return str(sibling if sibling.is_dir() else corpus / "asr")
