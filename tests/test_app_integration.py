"""The engine's finished features as the teacher meets them in the app: doubtful words before the PDF, when the
recording goes, a sensitive conversation, withdrawn consent in another tab, the speakers choice, and failures.

Widgets are driven as the page would, against the real engine and a real case file in an isolated data directory
(``isolated_data``), like ``test_widgets.py``; no ASR model runs here."""
from __future__ import annotations

import re

import pytest

from conftest import reference_transcript

from app_helpers import CONV, WAV, processed_app
from app_helpers import make_app as _app, register as _register, text as _text


@pytest.fixture
def processed(tmp_path):
    """A conversation with a real recording, the reference transcript and a real extractive summary, open."""
    return processed_app(tmp_path)


def _add_action(archive, cid, text, *, include=True):
    from transkript_kernel.summary import Action

    summary = archive.summary(cid)
    summary.actions.append(Action(text, "ouder", None, [1], include=include))
    archive.save_summary(cid, summary, by="test", role="docent", reason="test")


# --- 1. doubtful words stop the PDF until the teacher confirms them (issue 14 item 2) ---------------------------
def test_no_pdf_while_a_ticked_item_holds_a_doubtful_word_until_confirmed(processed):
    app, cid = processed
    archive = app.archive()
    export = app.export
    assert export.export() is not None  # no doubtful word in a ticked item: the PDF is made at once
    assert export.confirm.layout.display == "none"
    made = len(archive.exports(cid))
    _add_action(archive, cid, "Ouder belt juf Daantje-Xqz vrijdag.")
    app.open_conversation(cid)
    assert app.export.export() is None  # stopped: the box shows the item and the word
    export = app.export
    assert len(archive.exports(cid)) == made
    assert export.confirm.layout.display is None
    assert "<u>Daantje-Xqz</u>" in export.confirm.items.value and "Ouder belt juf" in export.confirm.items.value
    assert "twijfelwoorden" in _text(export.message)
    export.confirm.confirm_button.click()  # disabled until ticked: nothing happens
    assert len(archive.exports(cid)) == made
    export.confirm.checked.value = True
    export.confirm.confirm_button.click()  # confirming makes the PDF
    assert len(archive.exports(cid)) == made + 1 and "tk-msg-ok" in export.message.value
    assert export.export() is not None  # the same words, confirmed: no second question


def test_an_unticked_item_with_a_doubtful_word_does_not_block(processed):
    app, cid = processed
    _add_action(app.archive(), cid, "Ouder belt juf Daantje-Xqz vrijdag.", include=False)
    app.open_conversation(cid)
    assert app.export.export() is not None and app.export.confirm.layout.display == "none"


# --- 2. when the recording goes, and no ▶ once it is gone (issue 11 item 8) ------------------------------------
def _play_buttons(editor) -> list:
    import ipywidgets as w

    return [c for row in editor.rows.children for c in row.children
            if isinstance(c, w.Button) and c.description.startswith("▶")]


def test_the_transcript_says_when_the_recording_goes_and_drops_play_once_it_is_gone(processed):
    from datetime import date, datetime, timedelta, timezone

    from transkript_kernel import labels

    app, cid = processed
    week = {d + timedelta(days=7) for d in (date.today(), datetime.now(timezone.utc).date())}  # default: 7 days
    note = _text(app.editor.recording_note)
    assert any(f"De opname wordt verwijderd op {labels.format_date('nl', d.isoformat())}" in note for d in week), note
    assert _play_buttons(app.editor)
    app.lang_toggle.value = "en"
    note = _text(app.editor.recording_note)
    assert any(f"The recording will be deleted on {labels.format_date('en', d.isoformat())}" in note for d in week)
    app.lang_toggle.value = "nl"

    editor = app.editor
    editor.play(editor.transcript.segments[1].id)
    assert bytes(editor.player.value[:4]) == b"RIFF"  # decoded and playing
    app.archive().delete_recording(cid, actor="test")  # retention, in another tab or at start
    editor.play(editor.transcript.segments[2].id)  # the next ▶ finds out: no audio from the cached clip
    assert editor._clip is None and not bytes(editor.player.value) and editor.player_box.layout.display == "none"
    assert "niet (meer) beschikbaar" in _text(editor.message)
    assert not _play_buttons(editor) and "De opname is verwijderd" in _text(editor.recording_note)

    app.open_conversation(cid)  # opened again: no ▶ at all, the transcript stays
    assert app.editor.transcript is not None and app.editor.rows.children and not _play_buttons(app.editor)
    assert "De opname is verwijderd" in _text(app.editor.recording_note)
    assert app.editor.next_doubt() is None or not bytes(app.editor.player.value)  # navigating plays nothing


def test_the_archive_listing_says_the_same_day_as_the_transcript(processed):
    app, cid = processed
    app.browser.refresh()
    row = app.browser.results.children[0].children[-1].value
    day = re.search(r"verwijderd op (\d+ \w+ \d{4})", _text(app.editor.recording_note)).group(1)
    assert f"opname weg op {day}" in row  # one rule (retention.recording_due), not 'when the report is final'
    app.archive().delete_recording(cid, actor="test")
    app.browser.refresh()
    assert "geen opname" in app.browser.results.children[0].children[-1].value


# --- 3. a sensitive conversation says so before the PDF (issue 11 item 7) --------------------------------------
def _mark_sensitive(archive, cid):
    from transkript_kernel.summary import Warning

    summary = archive.summary(cid)
    summary.warnings.append(Warning("sensitive", "Gevoelig onderwerp (test)", [1]))
    archive.save_summary(cid, summary, by="test", role="docent", reason="test")  # the case file marks it
    assert archive.get(cid).sensitive


def test_a_sensitive_conversation_is_shown_before_the_pdf_with_what_it_means(processed):
    from datetime import date, timedelta

    from transkript_kernel import labels

    app, cid = processed
    assert app.export.sensitive_note.value == ""  # an ordinary conversation: no warning
    archive = app.archive()
    _mark_sensitive(archive, cid)
    app.open_conversation(cid)
    note = _text(app.export.sensitive_note)
    gone = labels.format_date("nl", (date.fromisoformat(archive.get(cid).date) + timedelta(days=365)).isoformat())
    assert "Gevoelig gesprek" in note and "korter bewaard" in note and gone in note and "voordat u het deelt" in note
    assert "tk-msg-error" in app.export.sensitive_note.value
    assert app.export.export() is not None  # shown before the click: the PDF is made
    app.lang_toggle.value = "en"
    assert "Sensitive conversation" in _text(app.export.sensitive_note)
    assert "before you share it" in _text(app.export.sensitive_note)


def test_a_conversation_marked_sensitive_after_opening_stops_the_first_click(processed):
    app, cid = processed
    archive = app.archive()
    made = len(archive.exports(cid))
    _mark_sensitive(archive, cid)  # e.g. processed again in the worker while the page was open
    assert app.export.export() is None and len(archive.exports(cid)) == made
    assert "Gevoelig gesprek" in _text(app.export.sensitive_note) and "gevoelig" in _text(app.export.message)
    assert app.export.export() is not None and len(archive.exports(cid)) == made + 1


def test_a_kind_kept_shorter_counts_as_sensitive():
    from transkript_widgets.export import sensitive_text

    app = _app()
    app.consent.kind.value = "zorggesprek"
    _register(app)
    text = sensitive_text(app.archive(), app.conversation_id)
    assert "zorggesprek" in text and "korter bewaard" in text
    other = _app()
    _register(other, pupil="Tim Testleerling")
    assert sensitive_text(other.archive(), other.conversation_id) == ""


# --- 4. withdrawn consent: every open tab drops the conversation (issue 11 item 3) -----------------------------
def _withdraw_from_archive_tab(app, cid):
    app.browser.show_history(cid)
    box = app.browser.detail.children[-1]
    confirm, withdraw_b = box.children[2].children
    confirm.value = True
    withdraw_b.click()
    return _text(box.children[4])


def _dropped(tab, cid):
    assert tab.conversation_id is None and tab.later.layout.display == "none"
    assert tab.editor.transcript is None and tab.review.summary is None and tab.export.conversation_id is None
    assert "ingetrokken" in _text(tab.status) and cid in _text(tab.status)


def test_withdrawn_consent_clears_this_tab_and_every_other_tab_at_its_next_action(processed):
    app, cid = processed
    archive = app.archive()
    tabs = {}
    for name in ("save", "play", "export", "summary", "tick"):
        tabs[name] = tab = _app()
        tab.open_conversation(cid)
        assert tab.editor.transcript is not None and tab.review.summary is not None
    playing = tabs["play"].editor
    playing.play(playing.transcript.segments[1].id)
    assert playing._clip is not None  # the decoded recording is held for playback
    editing = tabs["save"].editor
    editing.rows.children[0].children[3].value = "Goedenavond (na de intrekking getypt)."

    assert "recording" in _withdraw_from_archive_tab(app, cid)
    _dropped(app, cid)  # the tab that withdrew: at once

    assert editing.save() is False and archive.transcript(cid) is None  # nothing written back
    _dropped(tabs["save"], cid)
    assert editing.transcript is None and tabs["save"].editor is not editing

    playing.play(playing.transcript.segments[2].id)
    assert playing._clip is None and not bytes(playing.player.value)  # the decoded audio is dropped
    _dropped(tabs["play"], cid)

    assert tabs["export"].export.export() is None and archive.exports(cid) == []
    _dropped(tabs["export"], cid)

    assert tabs["summary"].review.save() is None and archive.summary(cid) is None
    _dropped(tabs["summary"], cid)

    tabs["tick"].tick()  # a tab the teacher does not touch: cleared at its next look at the queue
    _dropped(tabs["tick"], cid)

    tabs["tick"].open_conversation(cid)  # opening it again shows nothing of it
    assert tabs["tick"].later.layout.display == "none" and "ingetrokken" in _text(tabs["tick"].status)


def test_withdrawing_another_conversation_leaves_the_open_one_alone(processed):
    app, cid = processed
    other = _app()
    _register(other, pupil="Tim Testleerling")
    other_id = other.conversation_id
    assert "recording" not in _withdraw_from_archive_tab(app, other_id)
    app.tick()
    assert app.conversation_id == cid and app.editor.transcript is not None and app.later.layout.display is None


# --- 5. the teacher can say how many people spoke before processing (issue 14 item 4) --------------------------
def test_the_speakers_choice_reaches_the_pipeline_through_the_queue(monkeypatch, tmp_path):
    from transkript_kernel import pipeline
    from transkript_kernel.transcript import Transcript
    from transkript_kernel.worker import process, protocol
    from transkript_kernel.worker.jobqueue import JobQueue

    app = _app()
    _register(app)
    assert app.processing.speakers.disabled  # nothing to process yet
    assert app.upload.import_bytes(WAV.name, WAV.read_bytes())
    panel = app.processing
    assert not panel.speakers.disabled and panel.speakers.value == "auto"
    assert [v for _, v in panel.speakers.options] == ["auto", "1", "2", "3", "4"]
    panel.speakers.value = "3"
    job = panel.start()
    assert JobQueue().for_conversation(app.conversation_id).speakers == "3" and panel.speakers.disabled

    seen = {}

    def transcribe_file(path, *, speakers, **kw):  # the model is not run here; what it is asked is checked
        seen["speakers"] = speakers
        return Transcript.load(reference_transcript(CONV, tmp_path))

    monkeypatch.setattr(pipeline, "transcribe_file", transcribe_file)
    sent = []
    result = process.run(app.archive(), protocol.Run(job.id, job.conversation_id, job.speakers), sent.append)
    assert isinstance(result, protocol.Result), result
    assert seen["speakers"] == 3 and app.archive().transcript(app.conversation_id) is not None


# --- 6. failures: the engine's message, or 'unexpected' with a logged traceback (issue 13 item 4) ---------------
SECRET = "Sanne huilde tijdens het gesprek"  # content: never shown as an error detail, never logged


def _boom(*args, **kw):
    raise RuntimeError(SECRET)


def _log_text() -> str:
    from transkript_kernel import log

    return log.log_path().read_text(encoding="utf-8") if log.log_path().exists() else ""


def _consent_create(app, cid, monkeypatch):
    from transkript_kernel.casefile.archive import Archive

    monkeypatch.setattr(Archive, "create", _boom)
    app.new_conversation()
    _register(app, pupil="Tim Testleerling")
    assert not app.consent.create_button.disabled  # the button comes back after a failure
    return app.consent.message, "consent-create"


def _archive_list(app, cid, monkeypatch):
    from transkript_kernel.casefile.archive import Archive

    monkeypatch.setattr(Archive, "list", _boom)
    assert not app.browser.refresh()
    return app.browser.message, "archive-list"


def _archive_withdraw(app, cid, monkeypatch):
    from transkript_kernel.casefile.archive import Archive

    monkeypatch.setattr(Archive, "withdraw_consent", _boom)
    _withdraw_from_archive_tab(app, cid)
    return app.browser.requests_message, "archive-withdraw"


def _retention_status(app, cid, monkeypatch):
    from transkript_kernel.casefile import retention

    monkeypatch.setattr(retention, "status", _boom)
    assert not app.retention.refresh()
    return app.retention.message, "retention-status"


def _settings_save(app, cid, monkeypatch):
    from transkript_kernel import settings

    monkeypatch.setattr(settings, "save_config", _boom)
    editor, _ = app.settings_panel.editors[("GeneralSettings", "school_name")]
    editor.value = "OBS De Test"
    assert not app.settings_panel.save()
    return app.settings_panel.message, "settings-save"


def _transcript_save(app, cid, monkeypatch):
    from transkript_kernel.casefile.archive import Archive

    monkeypatch.setattr(Archive, "save_transcript", _boom)
    assert not app.editor.save()
    return app.editor.message, "transcript-save"


def _transcript_play(app, cid, monkeypatch):
    from transkript_kernel import audio

    monkeypatch.setattr(audio, "load", _boom)
    app.editor.play(app.editor.transcript.segments[0].id)
    return app.editor.message, "play"


@pytest.mark.parametrize("action", [_consent_create, _archive_list, _archive_withdraw, _retention_status,
                                    _settings_save, _transcript_save, _transcript_play],
                         ids=lambda f: f.__name__.strip("_"))
def test_a_bug_is_shown_as_unexpected_and_logged_with_frames_never_its_message(processed, monkeypatch, action):
    app, cid = processed
    message, where = action(app, cid, monkeypatch)
    shown = _text(message)
    assert "tk-msg-error" in message.value and "onverwachts" in shown and "RuntimeError" in shown, shown
    assert "transkript.log" in shown and SECRET not in shown
    log = _log_text()
    assert f"{where} failed error=RuntimeError" in log and "_boom" in log  # the traceback's frames
    assert SECRET not in log


def test_an_engine_error_is_shown_in_the_teachers_language(processed):
    app, cid = processed
    app.editor.rename("S9", "Iemand", None)  # no such speaker: the engine's own words
    assert "bestaat niet" in _text(app.editor.message) and "tk-msg-error" in app.editor.message.value
    app.lang_toggle.value = "en"
    app.editor.rename("S9", "Someone", None)
    assert "does not exist" in _text(app.editor.message)
    assert "transcript-rename failed error=InputError" in _log_text()  # the type by name, never the names
    assert "Someone" not in _log_text() and "Iemand" not in _log_text()
