"""DoubtConfirm: the app makes no PDF while a ticked summary item holds a doubtful word, unless the teacher
confirms she checked them.

The words come from ``transkript_kernel.doubt.blocking_words`` (the one rule). The export panel places this
widget and asks :meth:`DoubtConfirm.needs_confirmation` before exporting; when it answers True the panel stops
and the widget shows the items and words with a checkbox and a button, which calls ``on_confirm`` (the panel's
export again). A confirmation holds for exactly the words shown: a changed summary with other doubtful words
asks again. The command line never blocks (``transkript report`` prints the words with ``[?]``).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as w

from .i18n import t
from .ui import esc


class DoubtConfirm(w.VBox):
    """``needs_confirmation(summary, transcript, names)`` or ``needs_confirmation_for(archive, id)``."""

    def __init__(self, on_confirm: Callable | None = None, **kw):
        self.on_confirm = on_confirm
        self.blocking: list = []
        self._confirmed_key = None
        self.items = w.HTML()
        self.items.add_class("tk-doubt-items")
        self.checked = w.Checkbox(description=t("doubt.checked"), value=False, indent=False,
                                  layout=w.Layout(width="auto"))
        self.checked.add_class("tk-doubt-checked")
        self.confirm_button = w.Button(description=t("doubt.confirm"), button_style="warning", disabled=True,
                                       layout=w.Layout(width="auto"))
        self.confirm_button.add_class("tk-doubt-confirm")
        self.checked.observe(lambda ch: setattr(self.confirm_button, "disabled", not ch["new"]), "value")
        self.confirm_button.on_click(lambda _: self.confirm())
        super().__init__([self.items, w.HBox([self.checked, self.confirm_button])],
                         layout=w.Layout(display="none"), **kw)
        self.add_class("tk-doubt-confirm-box")

    @staticmethod
    def _key(blocking) -> tuple:
        return tuple((d.section, d.index, d.text, d.words) for d in blocking)

    def needs_confirmation(self, summary, transcript=None, names=()) -> bool:
        """True (and shown) while ticked items hold doubtful words the teacher has not confirmed."""
        from transkript_kernel import doubt

        return self._show(doubt.blocking_words(summary, transcript, names))

    def needs_confirmation_for(self, archive, conversation_id: str) -> bool:
        from transkript_kernel import doubt

        return self._show(doubt.blocking_in_case_file(archive, conversation_id))

    def _show(self, blocking) -> bool:
        self.blocking = list(blocking)
        if not self.blocking or self._key(self.blocking) == self._confirmed_key:
            self.layout.display = "none"
            return False
        rows = "".join(
            f'<li><span class="tk-doubt-words">{", ".join(f"<u>{esc(x)}</u>" for x in d.words)}</span>'
            f' — {esc(d.text)}</li>' for d in self.blocking)
        self.items.value = (f'<div class="tk-msg tk-msg-warn">{esc(t("doubt.blocking", n=len(self.blocking)))}'
                            f'<ul style="margin:4px 0 0 0">{rows}</ul></div>')
        self.checked.value = False
        self.confirm_button.disabled = True
        self.layout.display = None
        return True

    def confirm(self) -> None:
        """The teacher checked the words shown: the next export goes ahead."""
        if not self.checked.value:
            return
        self._confirmed_key = self._key(self.blocking)
        self.layout.display = "none"
        if self.on_confirm:
            self.on_confirm()

    def reset(self) -> None:
        """A new conversation: forget the confirmation."""
        self._confirmed_key = None
        self.blocking = []
        self.layout.display = "none"
