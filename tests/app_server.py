"""``transkript app`` as a real server for the browser tests and the app benchmark (not a test file itself).

The server runs in a process group of its own, so stopping it takes Voila and its kernels down together. It
is started as a teacher starts it, with ``--no-browser``; the token is read from the link ``transkript app``
prints before Voila starts, and :attr:`AppServer.url` carries it.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """Start ``transkript app`` on a free port with its own data directory; ``listening`` is the seconds from
    start until the port accepted a connection."""

    def __init__(self, data: Path, log: Path | None = None, timeout: float = 60.0, *,
                 prefix: list[str] | None = None, env: dict[str, str] | None = None, no_browser: bool = True):
        """``prefix`` runs the command under another (e.g. ``strace``); ``env`` adds to the environment."""
        self.port = free_port()
        self.data = data
        if log is None:
            import tempfile

            fd, name = tempfile.mkstemp(prefix="transkript-app-", suffix=".log")
            os.close(fd)
            log, self._own_log = Path(name), True
        else:
            self._own_log = False
        self.log = log
        self.token = ""
        self.started = time.perf_counter()
        full_env = dict(os.environ, TRANSKRIPT_DATA=str(data), **(env or {}))
        cmd = [*(prefix or []), sys.executable, "-m", "transkript_kernel", "app", "--port", str(self.port)]
        if no_browser:
            cmd.append("--no-browser")
        with open(log, "w") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            self._wait_for_port(timeout)
            self.token = self._read_token()
        except BaseException:
            self.stop()
            raise
        self.listening = time.perf_counter() - self.started

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def url(self) -> str:
        """The link the teacher opens: with the token."""
        return f"{self.base}?token={self.token}"

    def _read_token(self) -> str:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]+)", Path(self.log).read_text())
        if not found or int(found.group(1)) != self.port:
            raise RuntimeError("transkript app did not print its link with a token before Voila listened")
        return found.group(2)

    def _wait_for_port(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"transkript app exited early with code {self.proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"Voila did not listen on 127.0.0.1:{self.port} within {timeout} s")

    def stop(self) -> None:
        """SIGTERM the group (Voila shuts its kernels down), then SIGKILL whatever is left — including kernels,
        which jupyter_client starts in sessions of their own."""
        import psutil

        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        for child in children:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        if self._own_log:
            Path(self.log).unlink(missing_ok=True)
