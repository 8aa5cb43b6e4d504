"""``transkript app``: start the teacher's Voila app on this machine only.

Voila is started with settings that keep everything local: bound to 127.0.0.1, a fixed port (no silent
port hopping), no browser opened, a page template without CDN links, and a raised websocket message size so
that 30–60 MB phone recordings can be uploaded through the ipywidgets FileUpload (tornado's default is 10 MB).
No Jupyter import happens here: Voila runs in its own process.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

DEFAULT_PORT = 8866
HOST = "127.0.0.1"
WEBSOCKET_MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # a base64-free binary comm message carries the whole file
TEMPLATE = "transkript"
NOTEBOOK = "app.ipynb"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "app", help="de app voor docenten starten (alleen op deze computer) / start the teacher's app",
        description="Start de Transkript-app in Voila op http://127.0.0.1:PORT (alleen lokaal). "
                    "Starts the Transkript app in Voila on http://127.0.0.1:PORT (local only).")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"poort / port (standaard / default {DEFAULT_PORT})")
    p.add_argument("--dry-run", action="store_true",
                   help="alleen het Voila-commando tonen / only print the Voila command")
    p.set_defaults(func=run)


def notebook_path() -> Path:
    """The app notebook: the repository copy when running from a checkout, else one generated from the package.

    A wheel does not ship ``notebooks/``; the same thin notebook is then written (atomically) into the cache
    directory from :mod:`transkript_kernel.app_notebook`, which is the source of truth for both.
    """
    here = Path(__file__).resolve().parents[2] / "notebooks" / NOTEBOOK
    if here.is_file():
        return here
    from ..app_notebook import write_app_notebook  # plain json, no Jupyter import
    from ..settings import cache_dir
    return write_app_notebook(cache_dir() / "app" / NOTEBOOK)


def template_root() -> Path:
    """Jupyter data root that holds ``voila/templates/transkript`` (shipped in ``transkript_templates``)."""
    import transkript_templates

    return transkript_templates.path()


def voila_argv(notebook: Path, port: int = DEFAULT_PORT) -> list[str]:
    tornado = {"websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_BYTES}
    return [sys.executable, "-m", "voila", str(notebook),
            f"--Voila.ip={HOST}", f"--Voila.port={int(port)}", "--Voila.port_retries=0",
            "--no-browser", "--Voila.open_browser=False",
            f"--Voila.tornado_settings={json.dumps(tornado)}",
            f"--VoilaConfiguration.template={TEMPLATE}", "--VoilaConfiguration.theme=light",
            "--VoilaConfiguration.show_tracebacks=False", "--VoilaExporter.language_code=nl"]


def voila_env() -> dict[str, str]:
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(template_root()), env.get("JUPYTER_PATH", "")) if p)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    return env


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def run(args) -> int:
    from ..errors import InputError

    if not 1024 <= args.port <= 65535:
        raise InputError(f"Poort {args.port} kan niet: kies een getal tussen 1024 en 65535.",
                         f"Port {args.port} is not possible: choose a number between 1024 and 65535.")
    argv = voila_argv(notebook_path(), args.port)
    if args.dry_run:
        import shlex

        print(shlex.join(argv))
        return 0
    if not port_free(args.port):
        raise InputError(f"Poort {args.port} is al in gebruik. Draait Transkript al? Open dan "
                         f"http://{HOST}:{args.port}/ of start met een andere --port.",
                         f"Port {args.port} is already in use. Is Transkript already running? Then open "
                         f"http://{HOST}:{args.port}/ or start with another --port.")
    print(f"Transkript draait op / runs on http://{HOST}:{args.port}/  (Ctrl+C om te stoppen / to stop)",
          flush=True)
    os.execve(sys.executable, argv, voila_env())  # Voila replaces this process: signals reach it directly
    return 0  # pragma: no cover
