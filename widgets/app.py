"""The teacher's app: consent → upload → transcribe → review → PDF, plus archive, retention, settings, help.

The app only wires widgets together and keeps which conversation is open. Long work
(``pipeline.process_conversation``) runs in a background thread that reports real progress per stage
(``pipeline.PROCESS_STAGES``: transcription, speakers, summary), so the page stays responsive; a failure shows the
engine's message and keeps whatever the case file already saved.
"""
from __future__ import annotations

import threading
import time

import ipywidgets as w

from transkript_kernel.pipeline import PROCESS_STAGES as STAGES

from . import i18n
from .archive_browser import ArchiveBrowser
from .consent import ConsentForm
from .export import ExportPanel
from .help import HelpPanel
from .i18n import error_text, t
from .retention import RetentionPanel
from .settings import SettingsPanel
from .summary_review import SummaryReview
from .transcript_editor import TranscriptEditor
from .ui import CSS, Message, esc, step
from .upload import RecordingUpload


def stage_of(name) -> str | None:
    """The pipeline's own stage names only: one progress signature, no aliases to keep in step."""
    return name if name in STAGES else None


class _ThreadArchive:
    """One ``Archive`` per thread: SQLite connections must not cross threads."""

    def __init__(self):
        self._local = threading.local()

    def __call__(self):
        archive = getattr(self._local, "archive", None)
        if archive is None:
            from transkript_kernel.casefile.archive import Archive

            archive = self._local.archive = Archive()
        return archive

    def close_thread(self) -> None:
        """Close this thread's connection (a worker thread calls this when it is done)."""
        archive = getattr(self._local, "archive", None)
        if archive is not None:
            self._local.archive = None
            archive.close()


class ProcessPanel(w.VBox):
    """Step 3: run ``pipeline.process_conversation`` in a thread with one progress bar per stage."""

    def __init__(self, archive_factory, on_done, **kw):
        self._archive = archive_factory
        self.on_done = on_done
        self.conversation_id = None
        self.thread: threading.Thread | None = None
        self._stage = STAGES[0]
        self.button = w.Button(description=t("process.start"), button_style="primary",
                               layout=w.Layout(width="280px"), disabled=True)
        self.button.add_class("tk-process-start")
        self.button.on_click(lambda _: self.start())
        self.bars = {}
        rows = []
        for s in STAGES:
            bar = w.FloatProgress(value=0.0, min=0.0, max=1.0, description=t(f"process.{s}"),
                                  style={"description_width": "160px", "bar_color": "#2f80ed"},
                                  layout=w.Layout(width="520px"))
            bar.add_class(f"tk-progress-{s}")
            pct = w.HTML('<span class="tk-muted">–</span>', layout=w.Layout(width="80px"))
            pct.add_class(f"tk-progress-{s}-pct")
            self.bars[s] = (bar, pct)
            rows.append(w.HBox([bar, pct]))
        self.message = Message()
        self.message.add_class("tk-process-message")
        super().__init__([self.button] + rows + [self.message], **kw)

    @property
    def busy(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def set_conversation(self, cid: str | None, has_recording: bool) -> None:
        busy = self.busy
        if busy and cid != self.conversation_id:
            return  # this panel belongs to the conversation being processed
        self.conversation_id = cid
        self.button.disabled = busy or not (cid and has_recording)
        if not busy:
            self.message.clear()
            for s in STAGES:
                self._set(s, 0.0, "–")

    def _set(self, stage: str, fraction: float, text: str | None = None) -> None:
        bar, pct = self.bars[stage]
        bar.value = max(0.0, min(1.0, float(fraction)))
        pct.value = f'<span class="tk-muted">{esc(text if text is not None else f"{round(bar.value * 100)} %")}</span>'

    def progress(self, *args) -> None:
        """Accepts ``(stage, fraction)`` like the pipeline, or ``(fraction)`` for the current stage."""
        if len(args) >= 2:
            stage, fraction = stage_of(args[0]), args[1]
        else:
            stage, fraction = self._stage, args[0]
        if stage is None:
            return
        if stage != self._stage:  # earlier stages are done once a later one reports
            for s in STAGES[:STAGES.index(stage)]:
                self._set(s, 1.0)
            self._stage = stage
        self._set(stage, fraction)
        self.message.show("info", t(f"process.busy_{stage}", pct=round(float(fraction) * 100)))

    def start(self) -> threading.Thread | None:
        if self.thread is not None and self.thread.is_alive():
            return self.thread
        cid = self.conversation_id
        self.button.disabled = True
        self._stage = STAGES[0]
        for s in STAGES:
            self._set(s, 0.0, "0 %")
        self.message.show("info", t("process.started"))
        self.thread = threading.Thread(target=self._work, args=(cid,), name=f"transkript-process-{cid}",
                                       daemon=True)
        self.thread.start()
        return self.thread

    def _work(self, cid: str) -> None:
        try:
            self._run(cid)
        finally:
            close = getattr(self._archive, "close_thread", None)
            if close:
                close()

    def _run(self, cid: str) -> None:
        started = time.monotonic()
        from transkript_kernel import pipeline

        archive = self._archive()
        try:
            result = pipeline.process_conversation(archive, cid, progress=self.progress, actor="docent")
            transcript, summary = result.transcript, result.summary
        except Exception as exc:  # keep what the case file already saved and say what went wrong
            kept = self._kept(archive, cid)
            self.message.show("error", t("process.failed", reason=error_text(exc)) +
                              ("\n" + t("process.kept") if kept else ""))
            if kept:
                self.on_done(cid)
            self.button.disabled = False
            return
        for s in STAGES:
            self._set(s, 1.0)
        self.on_done(cid, transcript, summary)  # results on the page before the message says so
        self.message.show("ok", t("process.done", seconds=round(time.monotonic() - started)))
        self.button.disabled = False

    @staticmethod
    def _kept(archive, cid) -> bool:
        try:
            return archive.transcript(cid) is not None
        except Exception:
            return False


class App:
    """Build with ``App()``, show with ``app.show()`` (the notebook does exactly that)."""

    def __init__(self, language: str | None = None):
        from transkript_kernel import settings

        settings.secure_umask()  # the app kernel's files (uploads, exports) are the teacher's alone
        general = settings.get(settings.GeneralSettings)
        i18n.set_language(language or general.ui_language)
        self.archive = _ThreadArchive()
        self.conversation_id: str | None = None
        self.root = w.VBox(layout=w.Layout(width="100%"))
        self.root.add_class("tk-app")
        self.build()

    # --- building ----------------------------------------------------------------------------------------
    def build(self) -> None:
        from transkript_kernel import settings

        school = settings.get(settings.GeneralSettings).school_name
        self.lang_toggle = w.ToggleButtons(options=[("NL", "nl"), ("EN", "en")], value=i18n.language(),
                                           style={"button_width": "48px"})
        self.lang_toggle.add_class("tk-lang")
        self.lang_toggle.observe(self._switch_language, "value")
        header = w.HBox([w.HTML(f'<div class="tk-header"><div class="tk-title">{esc(t("app.title"))}</div>'
                                f'<div class="tk-sub">{esc(school or t("app.subtitle"))}</div></div>'),
                         self.lang_toggle],
                        layout=w.Layout(justify_content="space-between", align_items="center", width="100%"))
        self.status = Message()
        self.status.add_class("tk-app-status")
        self.new_button = w.Button(description=t("app.new"), layout=w.Layout(width="200px"))
        self.new_button.add_class("tk-new")
        self.new_button.on_click(lambda _: self.new_conversation())

        self.consent = ConsentForm(self.archive, on_created=self._created)
        self.upload = RecordingUpload(self.archive, on_imported=self._imported)
        old = getattr(self, "processing", None)
        if old is not None and old.busy and old.conversation_id == self.conversation_id:
            self.processing = old  # a language switch must not lose a running job's progress
        else:
            self.processing = ProcessPanel(self.archive, on_done=self._processed)
        self.editor = TranscriptEditor(self.archive, on_saved=self._transcript_saved)
        self.review = SummaryReview(self.archive)
        self.export = ExportPanel(self.archive)
        self.later = w.VBox([step(t("step.transcript")), self.editor, step(t("step.summary")), self.review,
                             step(t("step.export")), self.export])
        self.later.layout.display = "none"
        flow = w.VBox([w.HBox([self.new_button]), self.status, step(t("step.consent")), self.consent,
                       step(t("step.upload")), self.upload, step(t("step.process")), self.processing, self.later])
        flow.add_class("tk-flow")
        self.browser = ArchiveBrowser(self.archive, on_open=self.open_conversation)
        self.retention = RetentionPanel(self.archive)
        self.settings_panel = SettingsPanel()
        self.help = HelpPanel()
        self.tabs = w.Tab(children=[flow, self.browser, self.retention, self.settings_panel, self.help])
        for i, key in enumerate(("tab.conversation", "tab.archive", "tab.retention", "tab.settings", "tab.help")):
            self.tabs.set_title(i, t(key))
        self.tabs.add_class("tk-tabs")
        self.root.children = [w.HTML(CSS), header, self.notices(), self.tabs]

    def notices(self) -> w.HTML:
        """Warnings from the case file itself, e.g. a data folder inside a cloud-synced folder."""
        try:
            notices = self.archive().notices
        except Exception as exc:
            return w.HTML(f'<div class="tk-msg tk-msg-error">{esc(error_text(exc))}</div>')
        lang = i18n.language()
        return w.HTML("".join(f'<div class="tk-msg tk-msg-warn">{esc(nl if lang == "nl" else en)}</div>'
                              for nl, en in notices))

    def show(self) -> None:
        """Display the app once (returns nothing, so a notebook cell does not display it twice)."""
        from IPython.display import display

        display(self.root)

    def _repr_mimebundle_(self, **kw):
        return self.root._repr_mimebundle_(**kw)

    def _switch_language(self, change) -> None:
        i18n.set_language(change["new"])
        cid = self.conversation_id
        self.build()
        if cid:
            self.open_conversation(cid)

    # --- the flow ----------------------------------------------------------------------------------------
    def new_conversation(self) -> None:
        self.conversation_id = None
        self.build()

    def _created(self, conv) -> None:
        self.conversation_id = conv.id
        self.upload.set_conversation(conv)
        self.processing.set_conversation(conv.id, has_recording=False)
        self.later.layout.display = "none"

    def _imported(self, cid: str) -> None:
        self.consent.message.clear()
        self.processing.set_conversation(cid, has_recording=True)
        self.status.show("info", t("app.ready_to_process"))

    def _processed(self, cid: str, transcript=None, summary=None) -> None:
        if cid != self.conversation_id:
            return  # the teacher moved on to another conversation; the results are in the archive
        archive = self.archive()
        version = None
        try:
            transcript = transcript if transcript is not None else archive.transcript(cid)
            summary = summary if summary is not None else archive.summary(cid)
            versions = archive.versions(cid)
            version = versions[-1].version if versions else None
        except Exception:
            summary = None if transcript is None else summary
        self._show_results(cid, transcript, summary, version)

    def _show_results(self, cid, transcript, summary, version=None) -> None:
        if transcript is None:
            return
        self.status.show("info", t("app.review_now") if summary is not None else t("app.transcript_only"))
        self.editor.load(cid, transcript)
        if summary is not None:
            self.review.load(cid, transcript, summary, version)
            self.review.layout.display = None
            self.export.load(cid, summary.language)
            self.export.layout.display = None
        else:
            self.review.layout.display = "none"
            self.export.layout.display = "none"
        self.later.layout.display = None

    def _transcript_saved(self, transcript) -> None:
        if self.review.summary is not None:
            self.review.transcript = transcript

    def open_conversation(self, cid: str) -> None:
        """Load a conversation from the case file into the flow tab (from the archive or after a switch)."""
        archive = self.archive()
        try:
            conv = archive.get(cid)
        except Exception as exc:
            self.status.show("error", error_text(exc))
            return
        self.conversation_id = cid
        self.tabs.selected_index = 0
        try:
            archive.log("view", cid, actor="docent")
        except Exception:
            pass
        self.status.show("info", t("app.opened", pupil=conv.pupil, date=conv.date, kind=t("kind." + conv.kind)))
        self.consent.show_conversation(conv)
        self.upload.set_conversation(conv)
        try:
            path = archive.recording_path(cid)
            has_recording = bool(path and path.exists())
        except Exception:
            has_recording = False
        self.processing.set_conversation(cid, has_recording=has_recording)
        try:
            transcript = archive.transcript(cid)
        except Exception:
            transcript = None
        summary, version = None, None
        if transcript is not None:
            try:
                summary = archive.summary(cid)
                versions = archive.versions(cid)
                version = versions[-1].version if versions else None
            except Exception:
                pass
        if transcript is None:
            self.later.layout.display = "none"
        else:
            self._show_results(cid, transcript, summary, version)
