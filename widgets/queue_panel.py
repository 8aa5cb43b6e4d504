"""QueuePanel: the evening's conversations in processing order, with their state, reorder, stop and open.

It shows the data folder's queue file (:mod:`transkript_kernel.worker.jobqueue`), which every tab and the
service share: what one tab changes, the others show at their next look (:meth:`QueuePanel.refresh`, called
by the app about twice a second; it redraws only when the file changed). Names come from the case file —
the queue itself holds only ids. Rows are kept per job and updated in place, so a button is not replaced
under the teacher's mouse by a progress tick.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as w

from .failures import failure_text
from .i18n import language, t
from .ui import Message, esc

BUTTONS = (  # (name, label key, states it is offered in)
    ("up", "queue.up", ("wacht",)),
    ("down", "queue.down", ("wacht",)),
    ("stop", "queue.stop", ("wacht", "bezig")),
    ("retry", "queue.retry", ("fout", "gestopt")),
    ("open", "queue.open", ("klaar", "fout", "gestopt")),
    ("remove", "queue.remove", ("klaar", "fout", "gestopt")),
)


def state_text(job) -> str:
    """``wacht``, ``bezig 40 % (transcriptie)``, ``klaar``, ``fout``, ``gestopt`` in the interface language."""
    if job.state == "bezig":
        stage = t(f"process.{job.stage}") if job.stage else t("queue.starting")
        return t("queue.state.bezig", pct=round(job.fraction * 100), stage=stage)
    return t(f"queue.state.{job.state}")


class _Row(w.HBox):
    def __init__(self, panel: "QueuePanel", job_id: str):
        self.job_id = job_id
        self.label = w.HTML(layout=w.Layout(width="420px"))
        self.label.add_class("tk-queue-label")
        self.state = w.HTML(layout=w.Layout(width="230px"))
        self.state.add_class("tk-queue-state")
        self.buttons = {}
        for name, key, _ in BUTTONS:
            b = w.Button(description=t(key), layout=w.Layout(width="auto"))
            b.add_class(f"tk-queue-{name}")
            b.on_click(lambda _, name=name: panel.act(name, self.job_id))
            self.buttons[name] = b
        self.error = w.HTML()
        super().__init__([self.label, self.state, *self.buttons.values()], layout=w.Layout(align_items="center"))
        self.add_class("tk-queue-row")

    def show(self, job, label: str) -> None:
        if self.label.value != label:
            self.label.value = label
        state = (f'<span class="tk-queue-state-{esc(job.state)}" data-state="{esc(job.state)}">'
                 f'{esc(state_text(job))}</span>')
        if job.state == "fout" and job.error(language()):
            state += f'<div class="tk-muted tk-queue-error">{esc(job.error(language()))}</div>'
        if self.state.value != state:
            self.state.value = state
        for name, _, states in BUTTONS:
            visible = job.state in states and not (name == "stop" and job.stop)
            display = None if visible else "none"
            if self.buttons[name].layout.display != display:
                self.buttons[name].layout.display = display


class QueuePanel(w.VBox):
    """``on_open(conversation_id)`` loads a conversation into the flow for review and the PDF."""

    def __init__(self, archive_factory: Callable, on_open: Callable, data_dir=None, **kw):
        from transkript_kernel.worker.jobqueue import JobQueue

        self._archive = archive_factory
        self.on_open = on_open
        self.queue = JobQueue(data_dir)
        self._seen = None
        self._rows: dict[str, _Row] = {}
        self._labels: dict[str, str] = {}
        self.title = w.HTML(f'<div class="tk-step">{esc(t("queue.title"))}</div>')
        self.empty = w.HTML(f'<div class="tk-muted">{esc(t("queue.empty"))}</div>')
        self.rows = w.VBox()
        self.rows.add_class("tk-queue-rows")
        self.message = Message()
        self.message.add_class("tk-queue-message")
        super().__init__([self.title, self.empty, self.rows, self.message], **kw)
        self.add_class("tk-queue")
        self.refresh(force=True)

    def _label(self, cid: str) -> str:
        """The pupil, date and kind of a conversation (cached: they do not change during an evening)."""
        if cid not in self._labels:
            from transkript_kernel.errors import NotFoundError

            try:
                conv = self._archive().get(cid)
            except NotFoundError:  # deleted or withdrawn meanwhile
                return f'<span class="tk-muted">{esc(cid)}</span>'
            self._labels[cid] = (f'<b>{esc(conv.pupil)}</b> <span class="tk-muted">{esc(conv.group)} · '
                                 f'{esc(conv.date)} · {esc(t("kind." + conv.kind))}</span>')
        return self._labels[cid]

    def refresh(self, force: bool = False) -> bool:
        """Redraw when the queue file changed; True if it did."""
        version = self.queue.version()
        if not force and version == self._seen:
            return False
        self._seen = version
        jobs = self.queue.jobs()
        rows = []
        for job in jobs:
            row = self._rows.get(job.id) or _Row(self, job.id)
            self._rows[job.id] = row
            row.show(job, self._label(job.conversation_id))
            rows.append(row)
        if [r.job_id for r in rows] != [r.job_id for r in self.rows.children]:
            self.rows.children = rows
        for gone in set(self._rows) - {j.id for j in jobs}:
            self._rows.pop(gone).close()
        self.empty.layout.display = "none" if jobs else None
        waiting = any(j.state in ("wacht", "bezig") for j in jobs)
        if waiting and not self.queue.service_running():
            self.message.show("warn", t("queue.no_service"))
        elif "tk-msg-warn" in self.message.value:
            self.message.clear()
        return True

    def act(self, name: str, job_id: str) -> None:
        """A row's button: change the queue file (the service and every tab read it) and redraw."""
        from transkript_kernel.errors import TranskriptError

        job = self.queue.get(job_id)
        if job is None:
            return
        try:
            if name in ("up", "down"):
                self.queue.move(job_id, -1 if name == "up" else 1)
            elif name == "stop":
                self.queue.request_stop(job_id)
            elif name == "retry":
                self.queue.retry(job_id)
            elif name == "remove":
                self.queue.remove(job_id)
            elif name == "open":
                self.on_open(job.conversation_id)
        except TranskriptError as exc:
            self.message.show("error", failure_text(exc, f"queue-{name}", job=job_id))
        self.refresh(force=True)
