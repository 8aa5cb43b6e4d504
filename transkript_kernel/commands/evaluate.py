"""``transkript eval DIR``: score a summary backend on a folder of scripted conversations.

The folder has the layout of ``../shared/eval`` (``conversations/*.json``, ``audio/*.ref.json``, ``score.py``);
the figures are computed by that folder's own ``score.py``, per conversation and on average.
"""
from __future__ import annotations


def register(subparsers) -> None:
    from ..summarize import backends

    p = subparsers.add_parser(
        "eval", help="samenvattingen meten / score summaries on an eval folder",
        description="Meet een samenvattingsmethode op een map met gesprekken (indeling van ../shared/eval). "
                    "Score a summary backend on a folder of conversations (layout of ../shared/eval).")
    p.add_argument("directory", metavar="DIR", help="map met/folder with conversations/, audio/*.ref.json, score.py")
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
    from ..evaluation import evaluate, with_mean

    options = {k: v for k, v in (("model_path", args.model_path), ("template", args.template)) if v}
    table = with_mean(evaluate(args.directory, backend=args.backend, scorer_dir=args.scorer, **options))
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(table.to_string())
    if args.csv:
        write_text(args.csv, table.to_csv())
    return 0
