"""Benchmark the teacher's app in headless Chromium, exactly as a teacher uses it.

1. Start-up (warm): from starting ``transkript app`` to the first rendered widget on the page, repeated after
   one unmeasured start so the OS file cache is warm.
2. Upload to PDF for a ~2-minute public recording: upload, transcription + speakers + summary, PDF.

Prints figures only (no asserts). Usage: ``.venv/bin/python benchmarks/app.py [--runs 3] [--audio FILE]``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT.parent / "shared" / "eval" / "audio" / "pub01-lezen-groep5.m4a"
sys.path.insert(0, str(ROOT / "tests"))

from app_server import CHROMIUM, CHROMIUM_ARGS, AppServer  # noqa: E402


def startup(browser, data: Path) -> tuple[float, float]:
    server = AppServer(data)
    try:
        page = browser.new_page()
        page.goto(server.url, timeout=120_000)
        page.wait_for_selector(".tk-app .tk-consent-create", timeout=120_000)
        total = time.perf_counter() - server.started
        page.close()
        return server.listening, total
    finally:
        server.stop()


def upload_to_pdf(browser, data: Path, audio: Path) -> dict:
    server = AppServer(data)
    try:
        page = browser.new_page()
        page.goto(server.url, timeout=120_000)
        page.wait_for_selector(".tk-app .tk-consent-create", timeout=120_000)
        page.fill(".tk-consent-pupil input", "Benchmark Leerling")
        page.click(".tk-consent-consent label:has-text('Ja, toestemming')")
        page.click("button.tk-consent-create")
        page.wait_for_selector(".tk-consent-message .tk-msg-ok", timeout=60_000)
        t0 = time.perf_counter()
        with page.expect_file_chooser() as chooser:
            page.click("button.tk-upload")
        chooser.value.set_files(str(audio))
        page.wait_for_selector(".tk-upload-message .tk-msg-ok", timeout=300_000)
        t1 = time.perf_counter()
        page.click("button.tk-process-start")
        page.wait_for_selector(".tk-process-message .tk-msg-ok, .tk-process-message .tk-msg-error",
                               timeout=3_600_000)
        if page.locator(".tk-process-message .tk-msg-error").count():
            raise RuntimeError(page.inner_text(".tk-process-message"))
        t2 = time.perf_counter()
        page.click("button.tk-export-make")
        page.wait_for_selector(".tk-download", timeout=600_000)
        t3 = time.perf_counter()
        return {"upload": t1 - t0, "process": t2 - t1, "pdf": t3 - t2, "total": t3 - t0}
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--audio", type=Path, default=AUDIO)
    parser.add_argument("--skip-pdf", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from transkript_kernel import audio as audio_mod

    duration = audio_mod.load(args.audio).duration
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            startup(browser, Path(tmp) / "warmup")  # not measured: warms the file cache
            runs = [startup(browser, Path(tmp) / f"run{i}") for i in range(args.runs)]
            listen = [r[0] for r in runs]
            first = [r[1] for r in runs]
            print(f"app start (warm), {args.runs} runs: port listening median {statistics.median(listen):.2f} s; "
                  f"first rendered widget median {statistics.median(first):.2f} s "
                  f"(min {min(first):.2f}, max {max(first):.2f})")
            if not args.skip_pdf:
                r = upload_to_pdf(browser, Path(tmp) / "flow", args.audio)
                print(f"upload to PDF, {args.audio.name} ({duration / 60:.1f} min, "
                      f"{args.audio.stat().st_size / 1e6:.1f} MB): upload+check {r['upload']:.1f} s, "
                      f"transcribe+speakers+summary {r['process']:.1f} s, PDF {r['pdf']:.1f} s, "
                      f"total {r['total']:.1f} s ({r['total'] / duration:.2f}x real time)")
        finally:
            browser.close()
    print(f"cpu cores: {os.cpu_count()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
