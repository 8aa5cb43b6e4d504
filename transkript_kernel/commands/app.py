"""``transkript app``: start the teacher's Voila app on this machine only, behind a lock.

Voila is started with settings that keep everything local: bound to 127.0.0.1, a fixed port (no silent
port hopping), a page template without CDN links, and a raised websocket message size so that 30–60 MB phone
recordings can be uploaded through the ipywidgets FileUpload (tornado's default is 10 MB).

The lock (issue 11): any other account or process on the machine can reach 127.0.0.1, and a web page can
through DNS rebinding, so the app needs a key.
- a fresh random token (``secrets.token_urlsafe``, 43 URL-safe characters) each start. It reaches Voila
  through the environment (``JUPYTER_TOKEN``, readable only by the teacher's own account), never through the
  command line, which every account can read in ``ps``;
- ``http://127.0.0.1:PORT/?token=TOKEN`` is printed on stdout before Voila starts, and the teacher's browser
  is opened at it through a 0600 redirect file (so the token is not in the browser's command line either);
  ``--no-browser`` does not open it (the Jupyter convention);
- the Host check stays on: Voila 0.5 hard-codes ``allow_remote_access=True``, but ``Voila.tornado_settings``
  is applied after it, so ``{"allow_remote_access": false}`` there refuses any Host that is not a loopback
  address or ``localhost`` (DNS rebinding);
- websockets from another Origin are refused, token or not (:mod:`transkript_kernel.app_security`).
No Jupyter import happens here: Voila runs in its own process.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_PORT = 8866
HOST = "127.0.0.1"
WEBSOCKET_MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # a base64-free binary comm message carries the whole file
TEMPLATE = "transkript"
NOTEBOOK = "app.ipynb"
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters of [A-Za-z0-9_-]
BROWSER_FILE_SECONDS = 60  # how long the 0600 redirect file for the browser exists


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "app", help="de app voor docenten starten (alleen op deze computer) / start the teacher's app",
        description="Start de Transkript-app in Voila op http://127.0.0.1:PORT (alleen lokaal). "
                    "Starts the Transkript app in Voila on http://127.0.0.1:PORT (local only).")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"poort / port (standaard / default {DEFAULT_PORT})")
    p.add_argument("--no-browser", action="store_true",
                   help="geen browser openen; open zelf de getoonde link / do not open a browser; open the "
                        "printed link yourself")
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


def new_token() -> str:
    import secrets

    return secrets.token_urlsafe(TOKEN_BYTES)


def app_url(port: int, token: str) -> str:
    return f"http://{HOST}:{int(port)}/?token={token}"


def voila_argv(notebook: Path, port: int = DEFAULT_PORT) -> list[str]:
    """Voila's command line. It holds no secret: the token goes through :func:`voila_env`."""
    tornado = {"websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_BYTES,
               "allow_remote_access": False,  # applied after Voila's hard-coded True: the Host check stays on
               "local_hostnames": ["localhost"]}
    return [sys.executable, "-m", "voila", str(notebook),
            f"--Voila.ip={HOST}", f"--Voila.port={int(port)}", "--Voila.port_retries=0",
            "--no-browser", "--Voila.open_browser=False",  # we open it ourselves, with the token
            "--Voila.auto_token=True",  # Voila then takes the token from JUPYTER_TOKEN instead of none at all
            "--Voila.identity_provider_class=transkript_kernel.app_security.LocalOnlyIdentityProvider",
            f"--Voila.tornado_settings={tornado!r}",  # a Python literal: traitlets reads it with literal_eval
            f"--VoilaConfiguration.template={TEMPLATE}", "--VoilaConfiguration.theme=light",
            "--VoilaConfiguration.show_tracebacks=False", "--VoilaExporter.language_code=nl"]


def voila_env(token: str | None = None) -> dict[str, str]:
    from ..offline import lock_down_environment

    env = dict(lock_down_environment(dict(os.environ)))  # Voila passes it on to every kernel it starts
    env.pop("JUPYTER_TOKEN_FILE", None)
    if token is not None:
        env["JUPYTER_TOKEN"] = token
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


def open_browser_later(url: str, port: int) -> None:
    """Open the teacher's browser at ``url`` once Voila listens, from a forked child (this process becomes
    Voila). The browser gets a ``file://`` redirect page made 0600, as Jupyter does, so the token never
    appears on a command line; the page is removed again after a minute."""
    import tempfile
    import time

    pid = os.fork()
    if pid:
        return
    try:  # the child: never returns into the CLI
        import socket
        import webbrowser
        from html import escape

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            os._exit(0)
        fd, page = tempfile.mkstemp(prefix="transkript-", suffix=".html")  # 0600
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f'<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url='
                     f'{escape(url)}"><title>Transkript</title><a href="{escape(url)}">Transkript</a>\n')
        webbrowser.open(Path(page).as_uri())
        time.sleep(BROWSER_FILE_SECONDS)
        os.unlink(page)
    except BaseException:
        pass
    os._exit(0)


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
    from ..casefile import keys
    from ..settings import data_dir

    keys.archive_keys(data_dir())  # the archive passphrase now, at the terminal: the kernels and the worker have
    # none (a typed one reaches them through the environment); a wrong one fails here, before anything starts
    token = new_token()
    url = app_url(args.port, token)
    print(f"Transkript draait op / runs on {url}", flush=True)
    print("Open deze link in je browser; hij werkt alleen op deze computer en tot Transkript stopt (Ctrl+C). / "
          "Open this link in your browser; it works only on this computer and until Transkript stops (Ctrl+C).",
          flush=True)
    if not args.no_browser:
        open_browser_later(url, args.port)
    from ..worker.service import start_beside_app

    start_beside_app(os.getpid())  # the evening's queue and its worker process (transkript_kernel.worker)
    os.execve(sys.executable, argv, voila_env(token))  # Voila replaces this process: signals reach it directly
    return 0  # pragma: no cover
