"""Shared fixtures: the public eval material in ../shared, an isolated data directory, test artefacts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRANSKRIPT_SHARED", ROOT.parent / "shared")).resolve()
EVAL = SHARED / "eval"
ARTIFACTS = ROOT / "test-artifacts"
TEST_PASSPHRASE = "test-wachtwoord-niet-echt"
# the case file is encrypted: a test passphrase, never the developer's real keyring. Set here (at collection)
# as well as in the autouse fixture below, so session- and module-scoped app servers, batch kernels and worker
# processes started before any test function inherit them too.
TEST_KEY_ENV = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "TRANSKRIPT_PASSPHRASE": TEST_PASSPHRASE,
                "TRANSKRIPT_FAST_KDF_FOR_TESTS": "1"}  # hundreds of new archives: a cheap scrypt cost
os.environ.update(TEST_KEY_ENV)
os.environ.pop("TRANSKRIPT_PLAINTEXT_FOR_TESTS", None)  # only the raw-byte tests ask for it


def conversation_ids() -> list[str]:
    return sorted(p.stem for p in (EVAL / "conversations").glob("*.json"))


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not EVAL.is_dir():
        pytest.fail(f"the shared eval material is missing at {EVAL} (set TRANSKRIPT_SHARED)")
    return EVAL


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def isolated_data(tmp_path, monkeypatch) -> Path:
    """Every test gets its own empty data directory; the model cache stays shared (it is rebuildable)."""
    data = tmp_path / "data"
    monkeypatch.setenv("TRANSKRIPT_DATA", str(data))
    for name, value in TEST_KEY_ENV.items():  # again per test: a test may have changed them
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TRANSKRIPT_PLAINTEXT_FOR_TESTS", raising=False)
    return data


def load_conversation(conv_id: str) -> dict:
    return json.loads((EVAL / "conversations" / f"{conv_id}.json").read_text(encoding="utf-8"))


def reference_transcript(conv_id: str, out_dir: Path) -> Path:
    """A perfect transcript (transkript.transcript/1) made by the shared scorer."""
    out = out_dir / f"{conv_id}.transcript.json"
    subprocess.run([sys.executable, str(EVAL / "score.py"), "reftranscript",
                    str(EVAL / "audio" / f"{conv_id}.ref.json"),
                    str(EVAL / "conversations" / f"{conv_id}.json"), str(out)], check=True)
    return out


def ffmpeg(*args) -> None:
    """Make test audio with ffmpeg (quiet, overwriting)."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True)


def excerpt(src: Path, dest: Path, seconds: float) -> Path:
    """The first ``seconds`` of a recording, as AAC in ``dest`` (.m4a): where a property needs a real public
    recording but not all of its 110 s, a cut proves it for a fraction of the recogniser's time."""
    ffmpeg("-i", src, "-t", seconds, "-c:a", "aac", "-b:a", "64k", dest)
    return dest


def score(kind: str, hyp: Path, ref: Path) -> dict:
    """Run the shared scorer exactly as tools outside the code do."""
    out = subprocess.run([sys.executable, str(EVAL / "score.py"), kind, str(hyp), str(ref)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


# --- real speech recognition, once per session (ASR engineer) ------------------------------------------------
_ASR_CACHE: dict = {}


@pytest.fixture(scope="session")
def asr_transcript():
    """Factory ``asr_transcript(conv_id, fmt="wav", language=None) -> Transcript``.

    Transcribes a public recording with the real default model (faster-whisper, Whisper base, the engine's
    default settings, no speaker attribution) once per session and hands out copies, so tests downstream of
    ASR (speakers, summaries, reports) use real recogniser output cheaply. ``language`` None takes the
    recording's language from its ``.ref.json``.
    """
    from transkript_kernel import asr

    def make(conv_id: str, fmt: str = "wav", language: str | None = None):
        if language is None:
            ref = json.loads((EVAL / "audio" / f"{conv_id}.ref.json").read_text(encoding="utf-8"))
            language = ref["language"]
        key = (conv_id, fmt, language)
        if key not in _ASR_CACHE:
            _ASR_CACHE[key] = asr.transcribe(EVAL / "audio" / f"{conv_id}.{fmt}", language=language,
                                             settings=asr.AsrSettings())  # defaults, whatever a test configured
        return _ASR_CACHE[key].copy()

    return make


# --- the long crash soak (make soak): a marker of its own, never part of `make test` or the quick suite ---------
def pytest_configure(config):
    config.addinivalue_line("markers", "soak: long SIGKILL crash rounds (make soak; skipped unless TRANSKRIPT_SOAK=1)")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TRANSKRIPT_SOAK") == "1":
        return
    skip = pytest.mark.skip(reason="soak: run with `make soak` (TRANSKRIPT_SOAK=1)")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)
