"""Helpers for driving the app's widgets without a browser, shared by the widget test files: an app on the
isolated data directory, a consent form filled in as a teacher would, the text of an HTML widget, and a
conversation with a real recording, the reference transcript and a real summary, opened in the app."""
from __future__ import annotations

import re

from conftest import EVAL, reference_transcript

CONV = "pub01-lezen-groep5"
WAV = EVAL / "audio" / f"{CONV}.wav"


def make_app(language="nl"):
    from transkript_widgets.app import App

    return App(language=language, poll=False)  # the tests look at the queue themselves: app.tick()


def register(app, pupil="Sanne Testleerling", *, given=True, kind=None, age_band="8-12", pupil_view=None):
    """Fill in and submit the consent form; returns the form."""
    form = app.consent
    form.pupil.value = pupil
    form.teacher.value = "Meester Bram"
    form.parent.value = "Mevrouw Visser"
    form.group.value = "groep 5"
    if kind:
        form.kind.value = kind
    form.age_band.value = age_band
    form.consent.value = "given" if given else "refused"
    if pupil_view:
        form.pupil_view.value = pupil_view
    form.create_button.click()
    return form


def text(html_widget) -> str:
    return re.sub(r"<[^>]+>", "", html_widget.value)


def processed_app(tmp_path):
    """A conversation with a real recording, the reference transcript and a real extractive summary, open in
    a fresh app; returns ``(app, conversation_id)``."""
    from transkript_kernel import summarize
    from transkript_kernel.transcript import Transcript

    app = make_app()
    register(app)
    assert app.upload.import_bytes(WAV.name, WAV.read_bytes()), text(app.upload.message)
    cid = app.conversation_id
    archive = app.archive()
    transcript = Transcript.load(reference_transcript(CONV, tmp_path))
    archive.save_transcript(cid, transcript, by="test")
    archive.save_summary(cid, summarize.summarize(transcript), by="test", role="docent", reason="eerste versie")
    app.open_conversation(cid)
    return app, cid
