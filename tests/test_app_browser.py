"""The teacher's app in a real browser: `transkript app` (Voila) driven by Debian's Chromium through Playwright.

One Voila server per test session, in its own process group (killed afterwards), with its own data directory.
Every page load gets a fresh kernel. Every test checks that the page never talked to anything but 127.0.0.1,
and saves screenshots of its steps into ``test-artifacts/``.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app_server import CHROMIUM, CHROMIUM_ARGS, AppServer
from conftest import EVAL

pytestmark = pytest.mark.browser

M4A = EVAL / "audio" / "pub01-lezen-groep5.m4a"
LOAD_TIMEOUT = 120_000  # ms: a cold kernel imports the widgets and the engine
PROCESS_TIMEOUT = 900_000  # ms: faster-whisper on two shared CPU cores


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``transkript app`` exactly as a teacher starts it, on a free port, with a private data directory."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is missing at {CHROMIUM} (make setup installs it)")
    data = tmp_path_factory.mktemp("appdata")
    log_path = tmp_path_factory.mktemp("applog") / "voila.log"
    app = AppServer(data, log=log_path)
    try:
        yield {"url": app.url, "port": app.port, "data": data, "log": log_path}
    finally:
        app.stop()


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: Playwright's sync API runs an event loop in this thread while it is open, so it must be
    closed before the next browser test module starts its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Requests:
    """Every URL the page asked for (HTTP and websockets)."""

    def __init__(self, port: int):
        self.port = port
        self.urls: list[str] = []

    def outside(self) -> list[str]:
        local = (f"http://127.0.0.1:{self.port}/", f"ws://127.0.0.1:{self.port}/")
        return [u for u in self.urls if not u.startswith(local) and not u.startswith(("data:", "blob:"))]


@pytest.fixture
def app_page(server, browser, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    requests = Requests(server["port"])
    page.on("request", lambda r: requests.urls.append(r.url))
    page.on("websocket", lambda ws: requests.urls.append(ws.url))
    page.goto(server["url"], timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".tk-app .tk-consent-create", timeout=LOAD_TIMEOUT)
    page.requests = requests
    yield page
    outside = requests.outside()
    context.close()
    assert requests.urls, "no requests were recorded at all"
    assert outside == [], f"the page made requests outside 127.0.0.1: {outside}"


def shot(page, artifacts: Path, name: str) -> None:
    """The whole app: Voila scrolls inside a panel, so the viewport is stretched to the app's height first."""
    size = page.viewport_size
    height = page.evaluate("document.querySelector('.tk-app').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(12000, max(size["height"], height + 160))})
    try:
        page.screenshot(path=str(artifacts / f"app-{name}.png"))
    finally:
        page.set_viewport_size(size)


def fill_consent(page, *, pupil: str, given: bool = True, kind: str | None = None, age_band: str = "8-12") -> None:
    page.fill(".tk-consent-pupil input", pupil)
    page.fill(".tk-consent-teacher input", "Meester Bram")
    page.fill(".tk-consent-parent input", "Mevrouw Visser")
    page.fill(".tk-consent-group input", "groep 5")
    if kind:
        page.select_option(".tk-consent-kind select", label=kind)
    page.select_option(".tk-consent-age-band select", label=age_band)
    page.click(".tk-consent-consent label:has-text('%s')" % ("Ja, toestemming" if given else "Nee, geen"))
    page.click("button.tk-consent-create")


def upload(page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.click("button.tk-upload")
    chooser.value.set_files(str(path))


def message(page, css: str, kind: str, timeout: int = 60_000) -> str:
    loc = page.locator(f"{css} .tk-msg-{kind}")
    loc.wait_for(timeout=timeout)
    return loc.inner_text()


# --- the whole flow ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_whole_flow_from_consent_to_pdf_and_search(app_page, server, artifacts):
    page = app_page
    shot(page, artifacts, "01-start")
    assert page.title() == "Transkript – gespreksverslagen"
    assert "Ik zou graag ons gesprek opnemen" in page.inner_text(".tk-consent")

    # 1. consent
    fill_consent(page, pupil="Sanne Testleerling")
    assert "vastgelegd met toestemming" in message(page, ".tk-consent-message", "ok")
    shot(page, artifacts, "02-consent")

    # 2. upload (ipywidgets 8 FileUpload: the file input only exists while the chooser is open)
    upload(page, M4A)
    assert "staat in het dossier" in message(page, ".tk-upload-message", "ok")
    shot(page, artifacts, "03-upload")

    # 3. transcribe, speakers, summary in the background, with progress
    page.click("button.tk-process-start")
    page.wait_for_selector(".tk-progress-transcribe-pct:has-text('%')", timeout=30_000)
    # the page stays responsive: the kernel answers a search in the archive while transcribing
    page.get_by_role("tab", name="Archief").click()
    page.fill(".tk-archive-query input", "Sanne")
    page.press(".tk-archive-query input", "Enter")
    page.wait_for_selector(".tk-archive-row:has-text('Sanne Testleerling')", timeout=30_000)
    assert page.locator(".tk-process-message .tk-msg-ok").count() == 0, "processing ended before the check"
    shot(page, artifacts, "04a-responsive-while-processing")
    page.get_by_role("tab", name="Gesprek").click()
    message(page, ".tk-process-message", "ok", timeout=PROCESS_TIMEOUT)
    progress = page.locator(".tk-progress-transcribe-pct").inner_text()
    assert progress.strip() == "100 %"
    shot(page, artifacts, "04-processed")

    # 4. rename a speaker (through speakers.rename) and give a role
    page.wait_for_selector(".tk-seg-text textarea", timeout=30_000)
    labels = page.locator(".tk-speaker-label input")
    assert labels.count() >= 1, "no speakers were found in the transcript"
    labels.first.fill("Juf Petra")
    page.locator(".tk-speaker-role select").first.select_option(label="docent")
    page.locator("button.tk-speaker-apply").first.click()
    assert "opgeslagen" in message(page, ".tk-transcript-message", "ok")
    page.wait_for_function("() => [...document.querySelectorAll('.tk-seg select option')]"
                           ".some(o => o.textContent.replace(/\\u00a0/g, ' ').includes('Juf Petra (docent)'))", timeout=30_000)
    shot(page, artifacts, "05-speaker-renamed")

    # 5. edit an action (or add one when the summary has none) and save a new version
    if page.locator(".tk-actions-text textarea").count() == 0:
        page.click("button.tk-add-actions")
    action = page.locator(".tk-actions-text textarea").first
    action.fill("Ouders lezen elke avond tien minuten samen met Sanne.")
    action.press("Tab")
    page.locator(".tk-show-sources").first.click()
    page.click("button.tk-summary-save")
    saved = message(page, ".tk-summary-message", "ok")
    assert re.search(r"versie [2-9]", saved), saved
    shot(page, artifacts, "06-summary-edited")

    # 6. the PDF with the transcript: preview and download
    page.check(".tk-export-with-transcript input")
    page.click("button.tk-export-make")
    page.wait_for_selector(".tk-export-message .tk-msg-ok, .tk-export-message .tk-msg-warn", timeout=180_000)
    if page.locator(".tk-export-message .tk-msg-warn").count():  # a ticked item holds doubtful words: confirm
        box = page.locator(".tk-doubt-confirm-box")
        assert box.locator(".tk-doubt-words u").count() >= 1, page.inner_text(".tk-export-message")
        shot(page, artifacts, "07a-doubtful-words")
        box.locator(".tk-doubt-checked input").check()
        box.locator("button.tk-doubt-confirm").click()
    message(page, ".tk-export-message", "ok", timeout=180_000)
    page.wait_for_selector(".tk-preview img", timeout=30_000)
    shot(page, artifacts, "07-pdf")
    with page.expect_download() as download:
        page.click("a.tk-download")
    pdf_path = artifacts / "app-report.pdf"
    download.value.save_as(str(pdf_path))
    from pypdf import PdfReader

    text = " ".join(p.extract_text() or "" for p in PdfReader(str(pdf_path)).pages)
    assert "tien minuten samen met Sanne" in " ".join(text.split())
    assert "Juf Petra" in text  # the renamed speaker reaches the report

    # 7. find it again in the archive by a word that was spoken
    from transkript_kernel.casefile.archive import Archive

    with Archive(server["data"]) as archive:
        cid = archive.ids(pupil="Sanne Testleerling")[-1]
        spoken = archive.transcript(cid).text
        assert archive.exports(cid), "the export was not recorded in the case file"
    words = sorted({w.strip(".,?!").lower() for w in spoken.split() if len(w.strip(".,?!")) >= 7 and w.isalpha()},
                   key=len, reverse=True)
    assert words, spoken
    page.get_by_role("tab", name="Archief").click()
    page.fill(".tk-archive-query input", words[0])
    page.press(".tk-archive-query input", "Enter")
    page.wait_for_selector(".tk-archive-row:has-text('Sanne Testleerling')", timeout=30_000)
    shot(page, artifacts, "08-archive-search")

    # 8. the corrections: versions and the difference between them
    page.locator(".tk-archive-row:has-text('Sanne Testleerling') button.tk-archive-history").first.click()
    page.click("button.tk-archive-diff")
    page.wait_for_selector(".tk-archive-diff-text:has-text('tien minuten samen met Sanne')", timeout=30_000)
    shot(page, artifacts, "09-versions")


# --- consent gates the upload -----------------------------------------------------------------------------------
def test_refused_consent_blocks_upload(app_page, artifacts):
    page = app_page
    fill_consent(page, pupil="Daan Weigering", given=False)
    text = message(page, ".tk-consent-message", "error")
    assert "zonder toestemming" in text
    assert page.locator("button.tk-upload").is_disabled()
    assert "niet mogelijk" in message(page, ".tk-upload-message", "error")
    shot(page, artifacts, "refused-consent")


def test_forbidden_kind_blocks_upload(app_page, artifacts):
    page = app_page
    fill_consent(page, pupil="Mila Verboden", kind="vermoeden-kindermishandeling – niet opnemen")
    text = message(page, ".tk-consent-message", "error")
    assert "niet opgenomen" in text.lower() or "niet op" in text.lower()
    assert page.locator("button.tk-upload").is_disabled()
    shot(page, artifacts, "forbidden-kind")


def test_corrupt_upload_shows_error(app_page, artifacts, tmp_path):
    page = app_page
    fill_consent(page, pupil="Jip Kapot")
    message(page, ".tk-consent-message", "ok")
    broken = tmp_path / "kapotte opname.m4a"
    broken.write_bytes(b"dit is geen geluid " * 4000)
    upload(page, broken)
    text = message(page, ".tk-upload-message", "error")
    assert "kapotte opname.m4a" in text and "niet opgeslagen" in text
    assert "onverwachts" not in text, text  # the engine's own message (CorruptAudioError), not a crash
    assert page.locator("button.tk-process-start").is_disabled()
    shot(page, artifacts, "corrupt-upload")


def test_large_phone_recording_uploads_through_the_websocket(app_page, artifacts, tmp_path):
    """A 35+ MB recording (tornado's default websocket limit is 10 MB): `transkript app` raises the limit."""
    import wave

    with wave.open(str(EVAL / "audio" / "pub01-lezen-groep5.wav"), "rb") as src:
        params, frames = src.getparams(), src.readframes(src.getnframes())
    big = tmp_path / "lange opname telefoon.wav"
    with wave.open(str(big), "wb") as out:
        out.setparams(params)
        for _ in range(10):
            out.writeframes(frames)
    assert big.stat().st_size > 35_000_000
    page = app_page
    fill_consent(page, pupil="Lotte Lang")
    message(page, ".tk-consent-message", "ok")
    upload(page, big)
    text = message(page, ".tk-upload-message", "ok", timeout=300_000)
    assert "lange opname telefoon.wav" in text and "MB" in text
    assert page.locator("button.tk-process-start").is_enabled()
    shot(page, artifacts, "large-upload")


def test_language_switch_to_english(app_page, artifacts):
    page = app_page
    page.click(".tk-lang button:has-text('EN')")
    page.wait_for_selector("button.tk-consent-create:has-text('Register conversation')", timeout=30_000)
    assert "I would like to record our conversation" in page.inner_text(".tk-consent")
    shot(page, artifacts, "english-consent")
    assert page.get_by_role("tab", name="Help").count() == 1
    page.get_by_role("tab", name="Help").click()
    assert "from 16" in page.inner_text(".tk-help-panel")
    shot(page, artifacts, "english-help")
