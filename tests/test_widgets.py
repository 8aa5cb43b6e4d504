"""The app's widgets without a browser: each widget driven as the page would, against the real engine and a real
case file in an isolated data directory (the ``isolated_data`` fixture). No ASR model runs here: transcripts
come from the shared reference material; the browser test covers the real transcription."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, reference_transcript

from app_helpers import CONV, WAV, processed_app
from app_helpers import make_app as _app, register as _register, text as _text


# --- helpers ---------------------------------------------------------------------------------------------------
@pytest.fixture
def processed(tmp_path):
    """A conversation with a real recording, the reference transcript and a real extractive summary."""
    return processed_app(tmp_path)


# --- labels, notebook, launch ----------------------------------------------------------------------------------
def test_ui_labels_agree_between_dutch_and_english():
    from transkript_widgets import i18n

    nl, en = i18n.labels("nl"), i18n.labels("en")
    assert nl.keys() == en.keys()
    for key in nl:
        assert set(re.findall(r"{(\w+)}", nl[key])) == set(re.findall(r"{(\w+)}", en[key])), key
    used = set()
    for path in (ROOT / "widgets").glob("*.py"):
        used |= set(re.findall(r'\bt\("([a-z_]+\.[a-zA-Z_.]+)"', path.read_text(encoding="utf-8")))
    assert used and not (used - nl.keys()), f"labels missing: {sorted(used - nl.keys())}"


def test_notebook_is_thin_and_matches_the_packaged_copy(tmp_path):
    from transkript_kernel.app_notebook import app_notebook, write_app_notebook

    repo = json.loads((ROOT / "notebooks" / "app.ipynb").read_text(encoding="utf-8"))
    assert repo == app_notebook()
    code = "".join("".join(c["source"]) for c in repo["cells"])
    assert code.count("\n") < 8 and "transkript_widgets.app" in code
    assert repo["metadata"]["title"].startswith("Transkript – gespreksverslagen")
    written = write_app_notebook(tmp_path / "app.ipynb")
    assert json.loads(written.read_text(encoding="utf-8")) == repo


def test_app_command_binds_to_localhost_without_cdn(monkeypatch, tmp_path):
    from transkript_kernel.commands import app as command

    argv = command.voila_argv(Path("x.ipynb"), 8866)
    assert "--Voila.ip=127.0.0.1" in argv and "--Voila.port=8866" in argv and "--no-browser" in argv
    assert "--Voila.port_retries=0" in argv
    import ast

    # a Python literal (traitlets reads it with literal_eval; JSON's false would not parse)
    tornado = ast.literal_eval(next(a for a in argv if a.startswith("--Voila.tornado_settings=")).split("=", 1)[1])
    assert tornado["websocket_max_message_size"] >= 60 * 1024 * 1024
    template = command.template_root() / "voila" / "templates" / command.TEMPLATE
    page = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "cdn" not in page.lower() and "https://" not in page
    assert str(command.template_root()) in command.voila_env()["JUPYTER_PATH"]

    out = subprocess.run([sys.executable, "-m", "transkript_kernel", "app", "--dry-run", "--port", "8899"],
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    assert "--Voila.port=8899" in out.stdout and str(ROOT / "notebooks" / "app.ipynb") in out.stdout
    bad = subprocess.run([sys.executable, "-m", "transkript_kernel", "app", "--port", "80"], capture_output=True,
                         text=True, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("fout / error: Poort 80")
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = subprocess.run([sys.executable, "-m", "transkript_kernel", "app", "--port", str(port)],
                              capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert busy.returncode == 2 and "al in gebruik" in busy.stderr and "already in use" in busy.stderr


def test_notebook_is_found_without_the_repository(monkeypatch, tmp_path):
    """Installed from a wheel there is no notebooks/ folder: the packaged notebook is written to the cache."""
    from transkript_kernel.commands import app as command

    monkeypatch.setenv("TRANSKRIPT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(command, "__file__", str(tmp_path / "site-packages" / "transkript_kernel" / "commands"
                                                 / "app.py"))
    path = command.notebook_path()
    assert path == tmp_path / "cache" / "app" / "app.ipynb"
    assert json.loads(path.read_text(encoding="utf-8"))["cells"]


# --- consent --------------------------------------------------------------------------------------------------
def test_consent_given_enables_upload_and_refusal_blocks_it():
    from transkript_kernel.casefile.archive import Archive

    app = _app()
    assert app.upload.upload.disabled
    _register(app, given=False, pupil="Daan Weigering")
    assert "zonder toestemming" in _text(app.consent.message)
    assert app.upload.upload.disabled and "niet mogelijk" in _text(app.upload.message)
    assert not app.upload.import_bytes(WAV.name, WAV.read_bytes())  # even when driven directly
    refused = app.conversation_id
    assert Archive().get(refused).consent.given is False  # the refusal is stored

    app.new_conversation()
    _register(app, pupil="Sanne Toestemming")
    assert "met toestemming" in _text(app.consent.message)
    assert not app.upload.upload.disabled


def test_forbidden_kind_is_refused_and_nothing_is_stored():
    from transkript_kernel.casefile import consent
    from transkript_kernel.casefile.archive import Archive

    app = _app()
    shown = _text(app.consent.form.children[1]).replace("&#x27;", "'")
    assert all(rule["nl"] in shown for rule in consent.rules()["forbidden"])
    _register(app, kind=consent.FORBIDDEN_KINDS[0])
    assert app.consent.message.value and "tk-msg-error" in app.consent.message.value
    assert "Neem dit gesprek niet op" in _text(app.consent.message)
    assert app.conversation_id is None and app.upload.upload.disabled
    assert len(Archive().list()) == 0


def test_pupil_view_is_asked_from_twelve():
    app = _app()
    form = app.consent
    form.age_band.value = "8-12"
    assert form.pupil_view_box.layout.display == "none"
    form.age_band.value = "12-16"
    assert form.pupil_view_box.layout.display is None
    _register(app, age_band="12-16")
    assert "mening van de leerling" in _text(form.message).lower()
    _register(app, age_band="12-16", pupil_view="refused")
    assert app.upload.upload.disabled and "leerling" in _text(app.upload.message).lower()


# --- upload ---------------------------------------------------------------------------------------------------
def test_upload_imports_a_real_recording_with_an_odd_name():
    app = _app()
    _register(app)
    assert app.upload.import_bytes('../../etc/ "opname" van één ouder.wav', WAV.read_bytes())
    text = _text(app.upload.message)
    assert "staat in het dossier" in text and "1:53" in text
    path = app.archive().recording_path(app.conversation_id)
    assert path.is_file() and app.archive().read_bytes(path) == WAV.read_bytes()
    assert not app.processing.button.disabled


@pytest.mark.parametrize("name, content, expected", [
    ("kapot.m4a", b"dit is geen geluid" * 500, "geen leesbare opname"),
    ("leeg.wav", b"", "leeg"),
    ("notities.txt", b"hallo", "bestandstype"),
])
def test_bad_uploads_show_the_engines_message_and_store_nothing(name, content, expected, tmp_path):
    app = _app()
    _register(app)
    assert not app.upload.import_bytes(name, content)
    text = _text(app.upload.message)
    assert expected in text and "niet opgeslagen" in text and "onverwachts" not in text
    assert app.archive().recording_path(app.conversation_id) is None
    assert app.processing.button.disabled


def test_upload_size_limit_comes_from_the_settings():
    from transkript_kernel import settings

    settings.save_config({"AudioSettings": {"max_upload_mb": 1}})
    app = _app()
    _register(app)
    assert app.upload.max_bytes == 1_000_000 and "1 MB" in _text(app.upload.hint)
    assert not app.upload.import_bytes(WAV.name, WAV.read_bytes())
    assert "grens" in _text(app.upload.message)


def test_safe_name_keeps_only_the_file_name():
    from transkript_widgets.upload import safe_name  # the engine's formatter, as the upload uses it

    assert safe_name("../../x/opname 1.m4a", fallback="opname") == "opname 1.m4a"
    assert safe_name('C:\\Users\\a\\"q"<b>.wav', fallback="opname") == "_q__b_.wav"
    assert safe_name("..", fallback="opname") == "opname"


# --- processing -----------------------------------------------------------------------------------------------
def test_progress_reports_per_stage_and_fills_earlier_stages():
    from transkript_widgets.app import ProcessPanel

    panel = ProcessPanel(lambda: None, on_done=lambda *a: None)
    panel.progress("transcribe", 0.4)
    assert panel.bars["transcribe"][0].value == pytest.approx(0.4) and "40 %" in _text(panel.message)
    panel.progress("speakers", 0.5)
    assert panel.bars["transcribe"][0].value == 1.0 and panel.bars["speakers"][0].value == 0.5
    panel.progress(0.25)  # a bare fraction belongs to the current stage
    assert panel.bars["speakers"][0].value == 0.25
    panel.progress("summarize", 1.0)
    assert all(bar.value == 1.0 for bar, _ in panel.bars.values())


def _queue():
    from transkript_kernel.worker.jobqueue import JobQueue

    return JobQueue()


def test_processing_puts_the_conversation_in_the_queue_once():
    app = _app()
    _register(app)
    app.upload.import_bytes(WAV.name, WAV.read_bytes())
    job = app.processing.start()
    assert app.processing.start().id == job.id and [j.id for j in _queue().jobs()] == [job.id]
    app.tick()
    assert app.processing.button.disabled and "plaats 1" in _text(app.processing.message)
    assert "draait niet" in _text(app.processing.message)  # no service in this test: said, not hidden
    assert "Sanne Testleerling" in app.queue_panel.rows.children[0].label.value


def test_failure_in_the_summary_keeps_the_transcript(tmp_path):
    from transkript_kernel.transcript import Transcript

    app = _app()
    _register(app)
    app.upload.import_bytes(WAV.name, WAV.read_bytes())
    cid = app.conversation_id
    app.archive().save_transcript(cid, Transcript.load(reference_transcript(CONV, tmp_path)), by="test")
    job = app.processing.start()
    q = _queue()
    q.start(job.id)
    q.finish(job.id, "fout", error_type="SummaryError", nl="De samenvatting lukte niet (test).",
             en="The summary failed (test).")
    app.tick()
    text = _text(app.processing.message)
    assert "De samenvatting lukte niet (test)." in text and "bewaard" in text
    assert app.later.layout.display is None and app.editor.transcript is not None
    assert app.review.layout.display == "none"
    assert not app.processing.button.disabled  # the teacher can try again
    assert app.queue_panel._rows[job.id].buttons["retry"].layout.display is None

# --- transcript editor ----------------------------------------------------------------------------------------
def test_rename_speaker_and_edit_text_are_saved_as_a_revision(processed):
    app, cid = processed
    editor = app.editor
    archive = app.archive()
    editor.rename("S2", "Moeder van Daan", "ouder")
    assert archive.transcript(cid).speakers["S2"].label == "Moeder van Daan"
    assert archive.original_transcript(cid).speakers["S2"].label == "moeder van Daan"
    options = editor.rows.children[0].children[1].options
    assert ("Moeder van Daan (ouder)", "S2") in options

    first = editor.rows.children[0].children[3]
    first.value = "Goedenavond, <b>fijn</b> dat u er bent."
    editor.save_button.click()
    assert archive.transcript(cid).segment(0).text == "Goedenavond, <b>fijn</b> dat u er bent."
    assert len(archive.transcript_revisions(cid)) == 3


def test_play_a_segment_from_the_recording(processed):
    app, cid = processed
    seg = app.editor.transcript.segments[2]
    app.editor.play(seg.id)
    wav = app.editor.player.value
    assert wav[:4] == b"RIFF"
    seconds = (len(wav) - 44) / 2 / 16000
    assert seg.end - seg.start < seconds < seg.end - seg.start + 0.6


def test_transcript_pages(processed):
    from transkript_widgets.transcript_editor import PAGE_SIZE

    app, _ = processed
    editor = app.editor
    assert len(editor.rows.children) == min(PAGE_SIZE, len(editor.transcript.segments))
    assert editor.prev_button.disabled


# --- summary review -------------------------------------------------------------------------------------------
def test_summary_edit_add_remove_and_save_a_version(processed):
    app, cid = processed
    review = app.review
    archive = app.archive()
    before = archive.summary(cid)
    if not review.boxes["actions"].children:
        review.add_item("actions")
    item = review.boxes["actions"].children[0]
    item.text.value = "Ouders lezen elke avond tien minuten samen."
    item.due.value = "2026-12-01"
    review.add_item("topics")
    review.boxes["topics"].children[-1].text.value = "Bibliotheekbezoek"
    review.boxes["topics"].children[-1].evidence.value = "8, 9"
    n_concerns = len(review.boxes["concerns"].children)
    if n_concerns:
        review.remove_item(review.boxes["concerns"].children[0])
    review.reason.value = "correctie na overleg"
    version = review.save()
    assert version == 2
    saved = archive.summary(cid)
    assert saved.actions[0].text == "Ouders lezen elke avond tien minuten samen." and saved.actions[0].due == "2026-12-01"
    assert saved.topics[-1].text == "Bibliotheekbezoek" and saved.topics[-1].evidence == [8, 9]
    assert len(saved.concerns) == max(0, n_concerns - 1)
    assert archive.versions(cid)[-1].reason == "correctie na overleg"
    assert archive.summary(cid, 1).to_dict() == before.to_dict()


def test_cited_segments_are_shown_and_escaped(processed):
    from transkript_widgets.summary_review import cited_segments_html

    app, _ = processed
    transcript = app.editor.transcript
    transcript.segments[0].text = "<script>alert(1)</script> hallo"
    html = cited_segments_html(transcript, [0, 999])
    assert "<script>" not in html and "&lt;script&gt;" in html and "#999" in html
    item = app.review.boxes["topics"].children[0]
    item.show.value = True
    assert "tk-cite" in item.sources.value


def test_warnings_are_shown_first(processed):
    from transkript_kernel.summary import Warning

    app, cid = processed
    summary = app.archive().summary(cid)
    summary.warnings = [Warning("subjective", "‘lui’ is een oordeel, geen waarneming.", [3])]
    app.review.load(cid, app.editor.transcript, summary)
    first = app.review.children[0]
    assert first is app.review.warnings
    assert "1 waarschuwing" in _text(first.children[0]) and "lui" in _text(first.children[1].children[0])


# --- export, archive, retention, settings, help ---------------------------------------------------------------
def test_export_makes_a_pdf_with_preview_and_download(processed):
    app, cid = processed
    export = app.export
    export.with_transcript.value = True
    pdf = export.export()
    assert pdf is not None and app.archive().read_bytes(pdf)[:5] == b"%PDF-", _text(export.message)
    assert app.archive().exports(cid)[0]["path"] == pdf
    assert 'href="data:application/pdf;base64,' in export.download.value
    assert export.preview.children and export.preview.children[0].value[:4] == b"\x89PNG"


def test_archive_search_open_and_history(processed):
    app, cid = processed
    browser = app.browser
    browser.query.value = "bibliotheek"
    rows = browser.refresh()
    assert [r["id"] for r in rows] == [cid]
    assert browser.results.children
    app.review.boxes["topics"].children[0].text.value = "Lezen thuis en op school"
    app.review.save()
    browser.show_history(cid)
    diff = browser.detail.children[-2]
    browser.detail.children[-3].children[-1].click()
    assert "Lezen thuis en op school" in diff.value
    browser.query.value = "woordbestaatniet"
    assert browser.refresh() == []
    app.tabs.selected_index = 1
    browser.open_conversation(cid)
    assert app.tabs.selected_index == 0 and app.conversation_id == cid


def test_retention_lists_and_purges_only_after_confirmation(processed):
    app, cid = processed
    panel = app.retention
    rows = panel.refresh()
    assert any(r["id"] == cid for r in rows)
    assert panel.purge_button.disabled
    assert panel.purge() is None and "bevestiging" in _text(panel.message)
    panel.confirm.value = True
    done = panel.purge()
    assert done is not None and not panel.confirm.value


def test_settings_are_saved_to_settings_json():
    from transkript_kernel import settings

    app = _app()
    panel = app.settings_panel
    editor, _ = panel.editors[("GeneralSettings", "school_name")]
    editor.value = "OBS De Test"
    assert panel.save()
    assert settings.get(settings.GeneralSettings).school_name == "OBS De Test"
    assert "OBS De Test" in _app().root.children[1].children[0].value


def test_language_switch_keeps_the_open_conversation(processed):
    app, cid = processed
    app.lang_toggle.value = "en"
    assert app.conversation_id == cid
    assert app.tabs.get_title(1) == "Archive" and app.editor.transcript is not None
    assert "from 16" in app.help.children[0].value
    app.lang_toggle.value = "nl"
    assert app.tabs.get_title(1) == "Archief"


def test_access_export_finalize_and_withdrawal_from_the_archive(processed):
    import base64
    import io
    import zipfile

    app, cid = processed
    browser = app.browser
    browser.show_history(cid)
    box = browser.detail.children[-1]
    (export_b, final_b), (confirm, withdraw_b), link, out = box.children[1].children, box.children[2].children, \
        box.children[3], box.children[4]
    export_b.click()
    data = re.search(r'base64,([^"]+)"', link.value).group(1)
    names = zipfile.ZipFile(io.BytesIO(base64.b64decode(data))).namelist()
    assert names and not any(n.endswith((".wav", ".m4a")) for n in names)  # recordings stay out by default
    assert withdraw_b.disabled
    confirm.value = True
    withdraw_b.click()
    assert "recording" in _text(out) and app.archive().recording_path(cid) is None
    assert app.archive().transcript(cid) is None
    final_b.click()
    assert "tk-msg-error" in out.value  # nothing left to finalise: the engine says why


def test_judging_words_in_the_teachers_edit_are_pointed_out(processed):
    app, cid = processed
    review = app.review
    review.add_item("concerns")
    review.boxes["concerns"].children[-1].text.value = "Daan is een lastig kind"
    version = review.save()
    assert version == 2  # saved: the teacher decides
    assert "tk-msg-warn" in review.message.value and "lastig kind" in _text(review.message)
    review.boxes["concerns"].children[-1].text.value = "Daan leest thuis weinig"
    review.save()
    assert "tk-msg-ok" in review.message.value


def test_archive_filters_by_group_and_status(processed):
    app, cid = processed
    browser = app.browser
    browser.group.value = "groep 5"
    assert [r["id"] for r in browser.refresh()] == [cid]
    browser.group.value = "groep 8"
    assert browser.refresh() == []
    browser.group.value = ""
    browser.status.value = "definitief"
    assert browser.refresh() == []
    browser.status.value = "concept"
    assert [r["id"] for r in browser.refresh()] == [cid]


def test_progress_and_results_come_from_the_queue_and_survive_a_language_switch(processed):
    app, cid = processed
    q = _queue()
    job = q.add(cid)
    q.start(job.id)
    q.update(job.id, stage="speakers", fraction=0.5)
    app.tick()
    assert app.processing.bars["transcribe"][0].value == 1.0 and app.processing.bars["speakers"][0].value == 0.5
    app.lang_toggle.value = "en"
    app.tick()
    assert app.processing.bars["speakers"][0].value == 0.5 and "50 %" in _text(app.processing.message)
    assert "busy 50 %" in app.queue_panel._rows[job.id].state.value
    q.finish(job.id, "klaar", seconds=12)
    app.tick()
    assert "tk-msg-ok" in app.processing.message.value and app.editor.transcript is not None


def test_results_of_a_job_do_not_land_in_a_new_conversation(processed):
    app, cid = processed
    q = _queue()
    job = q.add(cid)
    q.start(job.id)
    app.new_conversation()
    assert app.processing.button.disabled
    q.finish(job.id, "klaar", seconds=3)
    app.tick()
    assert app.conversation_id is None and app.editor.transcript is None and app.later.layout.display == "none"
    app.queue_panel._rows[job.id].buttons["open"].click()  # the evening: open it from the queue when ready
    assert app.conversation_id == cid and app.later.layout.display is None


def test_queue_panel_reorders_and_stops_in_the_shared_file(processed):
    from transkript_widgets.app import App

    app, cid = processed
    q = _queue()
    a, b = q.add("20261005-aaaaaaaa"), q.add(cid)
    other_tab = App(language="nl", poll=False)  # every tab shows the same queue
    app.tick()
    app.queue_panel._rows[b.id].buttons["up"].click()
    other_tab.tick()
    assert [r.job_id for r in other_tab.queue_panel.rows.children] == [b.id, a.id]
    other_tab.queue_panel._rows[a.id].buttons["stop"].click()
    app.tick()
    assert 'data-state="gestopt"' in app.queue_panel._rows[a.id].state.value
