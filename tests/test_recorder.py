"""Recording in the app: the kernel half of the recorder (the browser half is in tests/test_app_evening.py)."""
from __future__ import annotations

import pytest

from app_helpers import WAV
from app_helpers import make_app as _app, text as _text
from app_helpers import register
from conftest import ffmpeg


def _register(app, given=True):
    register(app, "Sanne Opname", given=given)


@pytest.fixture(scope="module")
def webm(tmp_path_factory):
    """What Chromium's MediaRecorder makes: WebM with Opus (30 s of a public recording)."""
    out = tmp_path_factory.mktemp("rec") / "opname.webm"
    ffmpeg("-i", WAV, "-t", "30", "-c:a", "libopus", "-b:a", "32k", out)
    return out.read_bytes()


def test_recording_before_consent_is_refused_and_nothing_is_stored(webm):
    app = _app()
    assert not app.recording.recorder.enabled
    assert not app.recording.import_recording(webm, "audio/webm;codecs=opus")
    assert "toestemming" in _text(app.recording.message)
    app.recording._message(None, {"type": "refused"}, [])  # what the page sends when clicked while disabled
    assert "toestemming" in _text(app.recording.message)
    _register(app, given=False)
    assert not app.recording.recorder.enabled
    assert not app.recording.import_recording(webm)
    from transkript_kernel.casefile.archive import Archive

    with Archive() as archive:
        assert all(archive.recording_path(cid) is None for cid in archive.ids())


def test_a_recording_goes_into_the_case_file_through_the_pipeline(webm):
    from transkript_kernel import audio

    app = _app()
    _register(app)
    cid = app.conversation_id
    assert app.recording.recorder.enabled
    app.recording._message(None, {"type": "recording", "mime": "audio/webm;codecs=opus"}, [memoryview(webm)])
    assert "staat in het dossier" in _text(app.recording.message), _text(app.recording.message)
    path = app.archive().recording_path(cid)
    with app.archive().recording_file(cid) as plain:  # encrypted at rest: decoded from a private plaintext view
        assert path.suffix == ".webm" and 29 <= audio.load(plain).duration <= 31  # playable: it decodes fully
    assert not app.recording.recorder.enabled and app.upload.upload.disabled  # one recording per conversation
    assert not app.processing.button.disabled


def test_a_denied_or_missing_microphone_is_said_plainly():
    app = _app()
    _register(app)
    app.recording._message(None, {"type": "error", "name": "NotAllowedError"}, [])
    assert "geweigerd" in _text(app.recording.message)
    app.recording._message(None, {"type": "error", "name": "NotFoundError"}, [])
    assert "geen microfoon" in _text(app.recording.message)


def test_a_broken_recording_gets_the_engines_message():
    app = _app()
    _register(app)
    assert not app.recording.import_recording(b"\x1aE\xdf\xa3 not really webm" * 100)
    text = _text(app.recording.message)
    assert "niet opgeslagen" in text and "onverwachts" not in text
