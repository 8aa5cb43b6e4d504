"""RetentionPanel: what is due under the school's retention policy, and carrying it out after confirmation.

The policy and the deletion itself are the case file's (``retention.status`` / ``retention.purge``): a dry run
first lists exactly what would happen now; only after the teacher ticks the confirmation does the real purge
run. Deletions are verified by the engine.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as w

from .archive_browser import _records, table_html
from .failures import failure_text, guarded
from .i18n import language, t
from .ui import Message, esc


def action_label(action: str) -> str:
    from transkript_kernel.casefile import retention

    nl, en = retention.ACTIONS.get(action, (action, action))
    return nl if language() == "nl" else en


class RetentionPanel(w.VBox):
    def __init__(self, archive_factory: Callable, **kw):
        self._archive = archive_factory
        self.check_button = w.Button(description=t("retention.check"), layout=w.Layout(width="260px"))
        self.check_button.add_class("tk-retention-check")
        self.purge_button = w.Button(description=t("retention.purge"), button_style="danger",
                                     layout=w.Layout(width="260px"), disabled=True)
        self.purge_button.add_class("tk-retention-purge")
        self.confirm = w.Checkbox(description=t("retention.confirm"), value=False, indent=False,
                                  layout=w.Layout(width="auto"))
        self.confirm.add_class("tk-retention-confirm")
        self.table = w.HTML()
        self.table.add_class("tk-retention-table")
        self.plan = w.HTML()
        self.message = Message()
        self.message.add_class("tk-retention-message")
        self.check_button.on_click(lambda _: self.refresh())
        self.purge_button.on_click(lambda _: self.purge())
        self.confirm.observe(lambda ch: setattr(self.purge_button, "disabled", not ch["new"]), "value")
        intro = w.HTML(f'<div class="tk-msg tk-msg-info">{esc(t("retention.intro"))}</div>')
        super().__init__([intro, self.check_button, self.table, self.plan, self.confirm, self.purge_button,
                          self.message], **kw)

    @guarded("retention-status")
    def refresh(self) -> list[dict]:
        """Show every coming or overdue step, and what a purge would do today (dry run)."""
        from transkript_kernel.casefile import retention
        from transkript_kernel.errors import TranskriptError

        try:
            archive = self._archive()
            rows = _records(retention.status(archive))
            plan = retention.purge(archive, dry_run=True)
        except TranskriptError as exc:
            self.message.show("error", failure_text(exc, "retention-status"))
            return []
        for r in rows:
            r["action"] = action_label(r.get("action", ""))
            r["overdue"] = t("retention.yes") if r.get("overdue") else ""
        self.table.value = table_html(rows, ["pupil", "action", "due", "overdue", "id"])
        self.plan.value = (f'<div class="tk-msg tk-msg-warn">{esc(t("retention.plan", n=plan.count, f=len(plan.finalized), r=len(plan.recordings_deleted), c=len(plan.conversations_deleted)))}</div>'
                           if plan.count else "")
        self.message.show("info", t("retention.due", n=len(rows)) if rows else t("retention.nothing"))
        return rows

    @guarded("retention-purge")
    def purge(self):
        from transkript_kernel.casefile import retention
        from transkript_kernel.errors import TranskriptError

        if not self.confirm.value:
            self.message.show("error", t("retention.need_confirm"))
            return None
        try:
            done = retention.purge(self._archive(), dry_run=False, actor="docent")
        except TranskriptError as exc:  # e.g. a deletion that could not be verified: the engine says which
            self.message.show("error", failure_text(exc, "retention-purge"))
            return None
        finally:
            self.confirm.value = False
        self.message.show("ok", t("retention.purged", n=done.count, f=len(done.finalized),
                                  r=len(done.recordings_deleted), c=len(done.conversations_deleted)))
        self.plan.value = ""
        return done
