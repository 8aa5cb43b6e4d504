"""The ``transkript`` command: a thin layer over the engine.

Each subcommand lives in ``transkript_kernel/commands/<name>.py`` with a ``register(subparsers)`` that adds
its parser and sets ``func``. Errors from the engine (:class:`TranskriptError`) are printed Dutch first, then
English, and turn into the error's exit code; nothing else is printed on failure.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .errors import TranskriptError
from .offline import lock_down_environment

# one module per command group, in the order ``--help`` lists them
COMMANDS = ("transcribe", "speakers", "summarize", "evaluate", "casefile", "report", "batch", "app", "key")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="transkript",
        description="Transkript: verslagen van oudergesprekken, volledig lokaal. "
                    "Reports of parent-teacher conversations, fully offline.")
    parser.add_argument("--version", action="version", version=f"transkript {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f".commands.{name}", __package__).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    lock_down_environment()  # first: every child (workers, kernels, Voila) inherits it
    from .settings import secure_umask

    secure_umask()  # before anything is written: every file 0600, every folder 0700
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        _retention_at_start()
        return int(args.func(args) or 0)
    except TranskriptError as exc:
        print(f"fout / error: {exc.both()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Afgebroken; er is niets half opgeslagen. / Interrupted; nothing was half saved.", file=sys.stderr)
        return 130


def _retention_at_start() -> None:
    """Overdue recordings go whenever any command (the app included) starts, with a notice on stderr. Only when
    a case file already exists here: a command that never used one does not create it. A case file that cannot
    be opened now (e.g. locked) is left to the command itself, which says why if it needs it."""
    from .settings import data_dir

    from .casefile.store import DB_NAME

    if not (data_dir() / DB_NAME).is_file():
        return
    from .casefile import retention
    from .casefile.archive import Archive

    try:
        with Archive() as archive:
            notices = retention.run_at_start(archive)
    except TranskriptError:
        return
    for nl, en in notices:
        print(f"{nl}\n{en}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
