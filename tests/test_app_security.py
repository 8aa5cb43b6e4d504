"""The app's lock (issue 11, item 2): a token, the Host check, and no cross-origin websockets.

Quick tests read the command ``transkript app`` builds (Voila parses it exactly as it will at start). The
``browser`` tests start the real server (``tests/app_server.py``) and knock on it: without the token, with a
wrong token, under another Host name (DNS rebinding), and with websockets from another origin, both from a
plain client that sets the headers and from Chromium on a page of another origin.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import http.server
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app_server import CHROMIUM, CHROMIUM_ARGS, ROOT, AppServer, free_port
from transkript_kernel import cli
from transkript_kernel.commands import app as app_cmd

NOTEBOOK = ROOT / "notebooks" / "app.ipynb"


# --- quick: the command line ----------------------------------------------------------------------------
def test_tokens_are_long_urlsafe_and_fresh():
    tokens = {app_cmd.new_token() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(token) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", token)


def test_the_token_never_appears_on_voilas_command_line():
    """Every account can read a command line (``ps``); the token goes through the environment only."""
    token = app_cmd.new_token()
    argv = app_cmd.voila_argv(NOTEBOOK, 18999)
    assert not any(token in a for a in argv)
    assert not any("token=" in a.lower() and "auto_token" not in a.lower() for a in argv)
    env = app_cmd.voila_env(token)
    assert env["JUPYTER_TOKEN"] == token
    assert "JUPYTER_TOKEN_FILE" not in env


def test_voila_reads_host_check_token_and_origin_check_from_the_arguments():
    from voila.app import Voila

    argv = app_cmd.voila_argv(NOTEBOOK, 18999)
    assert argv[1:3] == ["-m", "voila"]
    voila = Voila()
    voila.parse_command_line(argv[3:])
    assert voila.tornado_settings["allow_remote_access"] is False  # applied after Voila's hard-coded True
    assert voila.tornado_settings["websocket_max_message_size"] >= 64 * 1024 * 1024
    assert voila.auto_token is True  # with JUPYTER_TOKEN set, Voila uses it instead of an empty token
    assert voila.identity_provider_class.__name__ == "LocalOnlyIdentityProvider"
    assert voila.ip == "127.0.0.1" and voila.open_browser is False


def test_the_identity_provider_checks_origin_even_with_a_token():
    from transkript_kernel.app_security import LocalOnlyIdentityProvider

    assert LocalOnlyIdentityProvider(token="x" * 43).should_check_origin(object()) is True


def test_dry_run_and_bad_port(capsys):
    assert cli.main(["app", "--dry-run", "--no-browser"]) == 0
    out = capsys.readouterr().out
    assert "voila" in out and "allow_remote_access" in out and "?token=" not in out
    assert cli.main(["app", "--port", "80"]) == 2
    err = capsys.readouterr().err
    assert "Poort 80" in err and "Port 80" in err


# --- the real server --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = AppServer(tmp_path_factory.mktemp("appdata"), log=tmp_path_factory.mktemp("applog") / "voila.log")
    try:
        yield app
    finally:
        app.stop()


def _get(url: str, headers: dict | None = None) -> tuple[int, str, str]:
    """(status, final URL, body) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(req, timeout=120) as resp:
            return resp.status, resp.geturl(), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location", ""), err.read().decode("utf-8", "replace")


def _kernel_and_cookie(server) -> tuple[str, str]:
    """Load the app with the token as the teacher's browser does: its kernel id and the login cookie."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(server.url, timeout=180) as resp:
        page = resp.read().decode("utf-8", "replace")
    kernel = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page)
    assert kernel, "the app page names no kernel"
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert cookie, "no login cookie after opening the link with the token"
    return kernel.group(1), cookie


def _websocket(url: str, headers: dict) -> str:
    """'open', or the HTTP status the server refused the handshake with."""
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    async def attempt():
        try:
            ws = await websocket_connect(HTTPRequest(url, headers=headers, request_timeout=30))
        except HTTPClientError as err:
            return str(err.code)
        ws.close()
        return "open"

    # in a thread of its own: another test module's Playwright may hold an event loop in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, attempt()).result()


@pytest.mark.browser
def test_link_is_printed_before_voila_starts_and_holds_a_long_token(server):
    text = Path(server.log).read_text()
    link = f"http://127.0.0.1:{server.port}/?token={server.token}"
    assert link in text and len(server.token) >= 32
    assert text.splitlines()[0].endswith(link)  # the first line, before anything of Voila's
    assert server.token not in text.replace(link, "")  # Voila itself does not log it again


@pytest.mark.browser
def test_no_token_or_a_wrong_token_is_refused(server):
    for url in (server.base, f"{server.base}?token=", f"{server.base}?token={'A' * 43}",
                f"{server.base}api/kernels", f"{server.base}voila/api/shutdown/x"):
        status, location, body = _get(url)
        assert status in (302, 403, 405), (url, status)
        assert "tk-app" not in body and "kernelId" not in body
        if status == 302:
            assert "/login" in location
    status, _, body = _get(server.url)
    assert status == 200 and "kernelId" in body  # the control: with the token the app opens


@pytest.mark.browser
def test_a_wrong_host_header_is_refused(server):
    """DNS rebinding: a name that resolves to 127.0.0.1 still arrives with its own Host header."""
    for host in (f"evil.example:{server.port}", "evil.example", f"127.0.0.1.nip.io:{server.port}"):
        status, _, body = _get(server.url, {"Host": host})
        assert status == 403, (host, status)
        assert "kernelId" not in body
    status, _, _ = _get(server.url, {"Host": f"localhost:{server.port}"})
    assert status == 200


@pytest.mark.browser
def test_cross_origin_websockets_are_refused(server):
    kernel, cookie = _kernel_and_cookie(server)
    ws = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel}/channels"
    same = {"Origin": f"http://127.0.0.1:{server.port}"}
    assert _websocket(ws, {**same, "Cookie": cookie}) == "open"  # the control: the app's own page
    assert _websocket(f"{ws}?token={server.token}", same) == "open"
    assert _websocket(ws, {"Origin": "http://evil.example", "Cookie": cookie}) == "403"
    assert _websocket(f"{ws}?token={server.token}", {"Origin": "http://evil.example"}) == "403"  # even so
    assert _websocket(f"{ws}?token={server.token}", {"Origin": "null"}) == "403"
    assert _websocket(ws, same) == "403"  # no cookie, no token


@pytest.mark.browser
def test_a_page_of_another_origin_in_chromium_cannot_open_the_kernel(server):
    """A real browser on another origin (here: another local port, as a rebinding or a local web page would
    be) tries the kernel's websocket with the token in hand: it never opens."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is missing at {CHROMIUM} (make setup installs it)")
    kernel, _ = _kernel_and_cookie(server)

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!DOCTYPE html><title>elders</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    other = http.server.HTTPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(f"http://localhost:{other.server_address[1]}/")
                script = """([url]) => new Promise(done => {
                    const ws = new WebSocket(url);
                    ws.onopen = () => { ws.close(); done('open'); };
                    ws.onerror = () => done('refused');
                    setTimeout(() => done('timeout'), 20000);
                })"""
                url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel}/channels?token={server.token}"
                assert page.evaluate(script, [url]) == "refused"
                # the control: the app's own page in the same browser does open it
                own = browser.new_page()
                own.goto(server.url, timeout=180_000)
                assert own.evaluate(script, [url]) == "open"
            finally:
                browser.close()
    finally:
        other.shutdown()


@pytest.mark.browser
def test_the_browser_is_opened_at_the_link_through_a_private_file(tmp_path):
    """Without ``--no-browser`` the teacher's browser ($BROWSER here: a script that records what it got) is
    opened at a 0600 file that redirects to the link with the token; the token is not on its command line."""
    record = tmp_path / "opened.txt"
    fake = tmp_path / "browser.sh"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {record}\n'
                    f'f="${{1#file://}}"; stat -c %a "$f" >> {record}; cat "$f" >> {record}\n')
    fake.chmod(0o755)
    app = AppServer(tmp_path / "data", env={"BROWSER": str(fake)}, no_browser=False)
    try:
        for _ in range(200):
            if record.exists() and "token=" in record.read_text():
                break
            time.sleep(0.1)
        lines = record.read_text().splitlines()
        assert lines[0].startswith("file://") and app.token not in lines[0]
        assert lines[1] == "600"
        assert f"http://127.0.0.1:{app.port}/?token={app.token}" in "\n".join(lines[2:])
    finally:
        app.stop()


@pytest.mark.browser
def test_no_browser_opens_nothing(tmp_path):
    record = tmp_path / "opened.txt"
    fake = tmp_path / "browser.sh"
    fake.write_text(f'#!/bin/sh\necho "$1" >> {record}\n')
    fake.chmod(0o755)
    app = AppServer(tmp_path / "data", env={"BROWSER": str(fake)}, no_browser=True)
    try:
        status, _, _ = _get(app.url)
        assert status == 200
        assert not record.exists()
    finally:
        app.stop()
