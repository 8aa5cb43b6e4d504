"""The teacher's app: consent → upload → process → review → PDF, plus archive, retention, settings, help.

The app only wires widgets together and keeps which conversation is open. The long work
(``pipeline.process_conversation``) is not done in this kernel: "Verwerken" puts the conversation in the data
folder's queue, and the service started by ``transkript app`` runs it in its worker process
(:mod:`transkript_kernel.worker`). A thread of this kernel looks at the queue about twice a second
(:meth:`App.tick`): the queue panel shows every conversation of the evening, and the process panel shows the
open conversation's stages. So a reload, a second tab or an app restart shows the same queue, a crash of the
worker cannot take the page down, and the teacher records consent and adds the next family's recording while
earlier conversations are processed.

Withdrawn consent (issue 11): the case file deletes the conversation's recording and transcripts, but another
open tab still holds them on its page. So the app asks ``archive.consent_state(id)`` — one cheap query — before
every save, export, ▶ and queueing (:meth:`App.consent_ok`, passed to the widgets as their ``guard``) and at
every look at the queue; when consent was withdrawn (or the conversation is gone) it drops the transcript, the
summary and the decoded audio from the page and says why (:meth:`App.drop_conversation`).
"""
from __future__ import annotations

import threading
import weakref

import ipywidgets as w

from transkript_kernel.pipeline import PROCESS_STAGES as STAGES

from . import i18n
from .archive_browser import ArchiveBrowser
from .consent import ConsentForm
from .export import ExportPanel
from .failures import failure_text, guarded
from .help import HelpPanel
from .i18n import t
from .queue_panel import QueuePanel
from .recorder import RecordingPanel
from .retention import RetentionPanel
from .settings import SettingsPanel
from .summary_review import SummaryReview
from .transcript_editor import TranscriptEditor, recording_state
from .ui import CSS, Message, esc, step
from .upload import RecordingUpload

TICK = 0.5  # seconds between looks at the queue
SPEAKER_COUNTS = (1, 2, 3, 4)  # what the teacher can say before processing; 'automatisch' otherwise


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
    """Step 3: put the open conversation in the queue and show its job's progress, one bar per stage.

    The teacher may say how many people spoke (automatic, or 1–4; issue 14): the choice travels with the job
    (``JobQueue.add(id, speakers)`` → ``protocol.Run`` → ``pipeline.process_conversation(speakers=…)``) and
    helps when two voices are alike. It applies to a conversation not transcribed yet.

    ``refresh()`` reads the conversation's job from the queue; when it turns ``klaar`` (or ``fout`` with a
    transcript kept) ``on_done(conversation_id)`` loads the results into the page, once per job."""

    def __init__(self, archive_factory, on_done, data_dir=None, guard=None, **kw):
        from transkript_kernel.worker.jobqueue import JobQueue

        self._archive = archive_factory
        self.on_done = on_done
        self.guard = guard
        self.queue = JobQueue(data_dir)
        self.conversation_id = None
        self.has_recording = False
        self._stage = STAGES[0]
        self._shown: tuple | None = None  # (job id, state) last shown, so each outcome is handled once
        self.button = w.Button(description=t("process.start"), button_style="primary",
                               layout=w.Layout(width="280px"), disabled=True)
        self.button.add_class("tk-process-start")
        self.button.on_click(lambda _: self.start())
        counts = [(t("process.speakers_auto"), "auto")] + [(str(n), str(n)) for n in SPEAKER_COUNTS]
        self.speakers = w.Dropdown(description=t("process.speakers_count"), options=counts, value="auto",
                                   disabled=True, style={"description_width": "160px"},
                                   layout=w.Layout(width="360px"))
        self.speakers.add_class("tk-process-speakers")
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
        speakers_help = w.HTML(f'<span class="tk-muted" style="padding-left:8px">'
                               f'{esc(t("process.speakers_help"))}</span>')
        super().__init__([w.HBox([self.speakers, speakers_help], layout=w.Layout(align_items="center")),
                          self.button] + rows + [self.message], **kw)

    @property
    def job(self):
        return self.queue.for_conversation(self.conversation_id) if self.conversation_id else None

    @property
    def busy(self) -> bool:
        job = self.job
        return job is not None and job.state in ("wacht", "bezig")

    def set_conversation(self, cid: str | None, has_recording: bool) -> None:
        self.conversation_id = cid
        self.has_recording = has_recording
        self._stage = STAGES[0]
        job = self.job
        # a job that ended before this conversation was opened is not announced again
        self._shown = (job.id, job.state) if job is not None and job.state not in ("wacht", "bezig") else None
        self.message.clear()
        for s in STAGES:
            self._set(s, 0.0, "–")
        self.refresh()

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

    @guarded("process-queue")
    def start(self):
        """Put the open conversation at the end of the queue (once); returns its job."""
        cid = self.conversation_id
        if cid is None or not self.has_recording or (self.guard is not None and not self.guard(cid)):
            return None
        job = self.queue.add(cid, speakers=self.speakers.value)
        self._shown = None
        self.refresh()
        return job

    def refresh(self) -> None:
        """Show the open conversation's job as the queue has it now."""
        job = self.job
        self.button.disabled = not (self.conversation_id and self.has_recording) or \
            (job is not None and job.state in ("wacht", "bezig", "klaar"))
        self.speakers.disabled = self.button.disabled
        if job is None:
            return
        if job.state == "wacht":
            place = [j.id for j in self.queue.jobs() if j.state in ("wacht", "bezig")].index(job.id) + 1
            key = "process.queued" if self.queue.service_running() else "process.no_service"
            self.message.show("info" if key == "process.queued" else "warn", t(key, place=place))
        elif job.state == "bezig":
            if job.stage:
                self.progress(job.stage, job.fraction)
        elif self._shown != (job.id, job.state):
            self._shown = (job.id, job.state)
            self._ended(job)

    def _ended(self, job) -> None:
        cid = job.conversation_id
        if job.state == "klaar":
            for s in STAGES:
                self._set(s, 1.0)
            self.on_done(cid)  # results on the page before the message says so
            self.message.show("ok", t("process.done", seconds=round(job.seconds or 0)))
            return
        kept = self._archive().transcript(cid) is not None
        if job.state == "gestopt":
            self.message.show("warn", t("process.stopped") + ("\n" + t("process.kept") if kept else ""))
        else:
            self.message.show("error", t("process.failed", reason=job.error(i18n.language()) or job.error_type) +
                              ("\n" + t("process.kept") if kept else ""))
        if kept:
            self.on_done(cid)


class GuardedReview(SummaryReview):
    """The summary review with the app's consent check before saving (the review itself belongs to the summary
    work; the case file refuses the write anyway, this also clears the page)."""

    def __init__(self, archive_factory, guard, **kw):
        self.guard = guard
        super().__init__(archive_factory, **kw)

    def save(self):
        if not self.guard(self.conversation_id):
            return None
        return super().save()


class App:
    """Build with ``App()``, show with ``app.show()`` (the notebook does exactly that).

    ``poll=False`` leaves out the thread that looks at the queue (tests call :meth:`tick` themselves)."""

    def __init__(self, language: str | None = None, *, poll: bool = True):
        from transkript_kernel import log, settings

        settings.secure_umask()  # the app kernel's files (uploads, exports) are the teacher's alone
        log.setup(role="app")
        general = settings.get(settings.GeneralSettings)
        i18n.set_language(language or general.ui_language)
        self.archive = _ThreadArchive()
        self.conversation_id: str | None = None
        self._tick_lock = threading.RLock()
        self.root = w.VBox(layout=w.Layout(width="100%"))
        self.root.add_class("tk-app")
        self.build()
        self._stop = threading.Event()
        if poll:
            threading.Thread(target=_poll, args=(weakref.ref(self), self._stop, self.archive),
                             name="transkript-queue", daemon=True).start()

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

        with self._tick_lock:
            self.queue_panel = QueuePanel(self.archive, on_open=self.open_conversation)
            self.consent = ConsentForm(self.archive, on_created=self._created)
            self.upload = RecordingUpload(self.archive, on_imported=self._imported)
            self.recording = RecordingPanel(self.archive, on_imported=self._imported)
            self.processing = ProcessPanel(self.archive, on_done=self._processed, guard=self.consent_ok)
        self.later = w.VBox()
        self._fresh_review_steps()
        flow = w.VBox([self.queue_panel, w.HBox([self.new_button]), self.status, step(t("step.consent")),
                       self.consent, step(t("step.upload")), self.upload,
                       self.recording, step(t("step.process")),
                       self.processing, self.later])
        flow.add_class("tk-flow")
        self.browser = ArchiveBrowser(self.archive, on_open=self.open_conversation, on_withdrawn=self.consent_ok)
        self.retention = RetentionPanel(self.archive)
        self.settings_panel = SettingsPanel()
        self.help = HelpPanel()
        self.tabs = w.Tab(children=[flow, self.browser, self.retention, self.settings_panel, self.help])
        for i, key in enumerate(("tab.conversation", "tab.archive", "tab.retention", "tab.settings", "tab.help")):
            self.tabs.set_title(i, t(key))
        self.tabs.add_class("tk-tabs")
        self.root.children = [w.HTML(CSS), header, self.notices(), self.tabs]

    def _fresh_review_steps(self) -> None:
        """Steps 4–6 as new, empty widgets (built, and again when a conversation is dropped)."""
        self.editor = TranscriptEditor(self.archive, on_saved=self._transcript_saved, guard=self.consent_ok)
        self.review = GuardedReview(self.archive, guard=self.consent_ok)
        self.export = ExportPanel(self.archive, guard=self.consent_ok)
        self.later.children = [step(t("step.transcript")), self.editor, step(t("step.summary")), self.review,
                               step(t("step.export")), self.export]
        self.later.layout.display = "none"

    # --- withdrawn consent ---------------------------------------------------------------------------------
    def consent_ok(self, cid: str | None) -> bool:
        """May this page still work on ``cid``? False (and the page cleared) when its consent was withdrawn or
        it left the case file, in this tab or any other: asked before every save, export, ▶ and queueing."""
        from transkript_kernel.errors import NotFoundError

        if cid is None:
            return True
        try:
            state = self.archive().consent_state(cid)
        except NotFoundError:
            state = "gone"
        if state in ("withdrawn", "gone"):
            self.drop_conversation(cid, state)
            return False
        return True

    def drop_conversation(self, cid: str, state: str = "withdrawn") -> None:
        """Take everything of ``cid`` off this page: transcript, summary, decoded audio; say why."""
        if cid != self.conversation_id and cid != self.editor.conversation_id:
            return  # not on this page (e.g. withdrawn from the archive tab for another conversation)
        self.editor.clear()  # the decoded recording goes now, not when the widget is collected
        self._fresh_review_steps()
        self.conversation_id = None
        self.consent.summary_line.value = ""
        self.upload.set_conversation(None)
        self.recording.set_conversation(None)
        with self._tick_lock:
            self.processing.set_conversation(None, has_recording=False)
        self.status.show("error", t("app.consent_withdrawn" if state == "withdrawn" else "app.conversation_gone",
                                    id=cid))

    def notices(self) -> w.HTML:
        """Warnings from the case file itself, e.g. a data folder inside a cloud-synced folder."""
        from transkript_kernel.errors import TranskriptError

        try:
            notices = self.archive().notices
        except TranskriptError as exc:  # e.g. an archive that cannot be opened: say so at the top
            return w.HTML(f'<div class="tk-msg tk-msg-error">{esc(failure_text(exc, "open-archive"))}</div>')
        lang = i18n.language()
        return w.HTML("".join(f'<div class="tk-msg tk-msg-warn">{esc(nl if lang == "nl" else en)}</div>'
                              for nl, en in notices))

    def show(self) -> None:
        """Display the app once (returns nothing, so a notebook cell does not display it twice)."""
        from IPython.display import display

        display(self.root)

    def _repr_mimebundle_(self, **kw):
        return self.root._repr_mimebundle_(**kw)

    def close(self) -> None:
        """Stop looking at the queue (the queue and its worker go on: they belong to the data folder)."""
        self._stop.set()

    def tick(self) -> None:
        """One look at the queue: the queue panel and the open conversation's progress; and whether the open
        conversation's consent still holds (withdrawn in another tab: the page is cleared within a tick)."""
        with self._tick_lock:
            self.consent_ok(self.conversation_id)
            self.queue_panel.refresh()
            self.processing.refresh()

    def _switch_language(self, change) -> None:
        i18n.set_language(change["new"])
        cid = self.conversation_id
        self.build()
        if cid:
            self.open_conversation(cid)

    # --- the flow ----------------------------------------------------------------------------------------
    def new_conversation(self) -> None:
        """The next family: an empty form; the queue goes on."""
        self.conversation_id = None
        self.build()

    def _created(self, conv) -> None:
        self.conversation_id = conv.id
        self.upload.set_conversation(conv)
        self.recording.set_conversation(conv)
        self.processing.set_conversation(conv.id, has_recording=False)
        self.later.layout.display = "none"

    def _imported(self, cid: str) -> None:
        self.consent.message.clear()
        self.upload.upload.disabled = True  # one recording per conversation: uploaded or recorded
        self.recording.recorder.enabled = False
        self.processing.set_conversation(cid, has_recording=True)
        self.status.show("info", t("app.ready_to_process"))

    def _processed(self, cid: str) -> None:
        """A job of the open conversation ended: load what the case file now holds."""
        if cid != self.conversation_id:
            return  # the teacher moved on to another conversation; the results are in the archive
        archive = self.archive()
        transcript = archive.transcript(cid)
        summary = archive.summary(cid) if transcript is not None else None
        versions = archive.versions(cid) if summary is not None else []
        self._show_results(cid, transcript, summary, versions[-1].version if versions else None)

    def _show_results(self, cid, transcript, summary, version=None) -> None:
        if transcript is None:
            return
        self.status.show("info", t("app.review_now") if summary is not None else t("app.transcript_only"))
        self.editor.load(cid, transcript, recording=recording_state(self.archive(), cid))
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

    @guarded("open", message="status")
    def open_conversation(self, cid: str) -> None:
        """Load a conversation from the case file into the flow tab (from the queue, the archive, a switch)."""
        from transkript_kernel.errors import NotFoundError

        archive = self.archive()
        try:
            conv = archive.get(cid)
        except NotFoundError as exc:  # deleted meanwhile (retention, withdrawal in another tab)
            self.status.show("error", failure_text(exc, "open"))
            return
        if archive.consent_state(cid) == "withdrawn":  # nothing of it is shown or worked on any more
            if cid == self.conversation_id:
                self.drop_conversation(cid)
            else:
                self.status.show("error", t("app.consent_withdrawn", id=cid))
            return
        self.conversation_id = cid
        self.tabs.selected_index = 0
        archive.log("view", cid, actor="docent")
        self.status.show("info", t("app.opened", pupil=conv.pupil, date=conv.date, kind=t("kind." + conv.kind)))
        self.consent.show_conversation(conv)
        self.upload.set_conversation(conv)
        self.recording.set_conversation(conv)
        path = archive.recording_path(cid)
        with self._tick_lock:
            self.processing.set_conversation(cid, has_recording=bool(path and path.exists()))
        transcript = archive.transcript(cid)
        summary, version = None, None
        if transcript is not None:
            summary = archive.summary(cid)
            versions = archive.versions(cid)
            version = versions[-1].version if versions else None
        if transcript is None:
            self.later.layout.display = "none"
        else:
            self._show_results(cid, transcript, summary, version)


def _poll(app_ref, stop: threading.Event, archive) -> None:
    """The app's look at the queue, until the app is gone or closed. Holds only a weak reference, so an app
    that is dropped (a closed tab's kernel, a test) ends its thread."""
    from transkript_kernel import log

    try:
        while not stop.wait(TICK):
            app = app_ref()
            if app is None:
                return
            try:
                app.tick()
            except Exception as exc:  # the boundary of this thread: logged with its traceback, tried again
                log.failure("queue-tick", exc)
                stop.wait(5)
            del app
    finally:
        archive.close_thread()
