"""ThirdParties: before a PDF or a mail goes to the family, the names of other people (not participants) with
their passages, and per name "vervang door 'een klasgenoot'", a phrase the teacher types, or keep it.

The engine does the work (``transkript_kernel.thirdparty``): :meth:`ThirdParties.load_for` finds the names,
:meth:`ThirdParties.apply` makes the family's copies (the replaced summary a new version with the reason, the
transcript a copy) and returns the engine's ``FamilyCopy``, whose ``summary``, ``transcript`` and ``version`` go
to ``pipeline.export_report(..., family=)`` (which also replaces them in Whisper's English copy). The export
panel (:mod:`.export`) places this widget next to the doubtful-word box and calls ``apply`` before every PDF;
the widget holds only the teacher's choices.
"""
from __future__ import annotations

import re
from typing import Callable

import ipywidgets as w

from .i18n import t
from .ui import esc

PASSAGES_SHOWN = 3  # per name; the rest is counted

REPLACE, TYPED, KEEP = "replace", "typed", "keep"


class _NameRow(w.VBox):
    """One name: its passages and the choice."""

    def __init__(self, person, passages: list[tuple[str, str]], language: str):
        self.person = person
        self.default_phrase = person.phrase(language)
        shown = "".join(f'<li><span class="tk-tp-time">{esc(when)}</span> {_highlight(text, person.forms)}</li>'
                        for when, text in passages[:PASSAGES_SHOWN])
        more = len(passages) - PASSAGES_SHOWN
        extra = f'<li class="tk-tp-more">{esc(t("thirdparty.more", n=more))}</li>' if more > 0 else ""
        where = esc(t("thirdparty.in_summary")) if person.in_summary else ""
        self.head = w.HTML(f'<b class="tk-tp-name">{esc(person.name)}</b> '
                           f'<span class="tk-tp-count">({esc(t("thirdparty.mentions", n=person.mentions))}'
                           f'{"; " + where if where else ""})</span>'
                           f'<ul class="tk-tp-passages" style="margin:2px 0 4px 0">{shown}{extra}</ul>')
        self.choice = w.RadioButtons(
            options=[(t("thirdparty.replace", phrase=self.default_phrase), REPLACE),
                     (t("thirdparty.replace_typed"), TYPED), (t("thirdparty.keep"), KEEP)],
            value=REPLACE, layout=w.Layout(width="auto"))
        self.choice.add_class("tk-tp-choice")
        self.phrase = w.Text(placeholder=t("thirdparty.phrase_placeholder"), disabled=True,
                             layout=w.Layout(width="240px"))
        self.phrase.add_class("tk-tp-phrase")
        self.choice.observe(lambda ch: setattr(self.phrase, "disabled", ch["new"] != TYPED), "value")
        super().__init__([self.head, w.HBox([self.choice, self.phrase])])
        self.add_class("tk-tp-row")

    def wanted(self) -> str | None:
        """The phrase for this name, or None to keep it (an empty typed phrase falls back to the default)."""
        if self.choice.value == KEEP:
            return None
        if self.choice.value == TYPED and self.phrase.value.strip():
            return self.phrase.value.strip()
        return self.default_phrase


def _highlight(text: str, forms) -> str:
    """The passage with the name in bold (escaped first: a passage is text, never markup)."""
    out = esc(text)
    for form in sorted(set(forms or ()), key=len, reverse=True):
        out = re.sub(rf"(?<![\w-]){re.escape(esc(form))}(?![\w-])", lambda m: f"<b>{m.group(0)}</b>", out)
    return out


class ThirdParties(w.VBox):
    """``load_for(archive, id)`` (or ``load(found, transcript)``), then ``apply(archive, id)`` before exporting."""

    def __init__(self, on_change: Callable | None = None, **kw):
        self.on_change = on_change
        self.found: list = []
        self.rows: list[_NameRow] = []
        self.language = "nl"
        self.intro = w.HTML()
        self.list = w.VBox()
        super().__init__([self.intro, self.list], layout=w.Layout(display="none"), **kw)
        self.add_class("tk-third-parties")

    # -- filling --
    def load_for(self, archive, conversation_id: str) -> list:
        """Find the names in the conversation's latest transcript and summary (the form's names excluded)."""
        from transkript_kernel import thirdparty

        transcript = archive.transcript(conversation_id)
        found = thirdparty.find_for(archive, conversation_id, transcript=transcript)
        return self.load(found, transcript)

    def load(self, found, transcript=None, language: str | None = None) -> list:
        from transkript_kernel.formatting import clock

        self.found = list(found)
        self.language = language or getattr(transcript, "language", None) or "nl"
        by_id = {s.id: s for s in (transcript.segments if transcript is not None else [])}
        self.rows = []
        for person in self.found:
            passages = [(clock(by_id[i].start), by_id[i].text) for i in person.segments if i in by_id]
            row = _NameRow(person, passages, self.language)
            row.choice.observe(lambda _ch: self.on_change and self.on_change(), "value")
            self.rows.append(row)
        self.list.children = tuple(self.rows)
        if self.found:
            self.intro.value = (f'<div class="tk-msg tk-msg-warn">'
                                f'{esc(t("thirdparty.intro", n=len(self.found)))}</div>')
            self.layout.display = None
        else:
            self.intro.value = ""
            self.layout.display = "none"
        return self.found

    def changed_for(self, archive, conversation_id: str) -> bool:
        """Find the names again (the summary may have been edited since). A name not shown yet: show the new
        list, keeping the choices made for the names shown, and answer True — the teacher chooses before the
        PDF. Names that are gone (replaced by an earlier export) need no choice: False."""
        from transkript_kernel import thirdparty

        transcript = archive.transcript(conversation_id)
        found = thirdparty.find_for(archive, conversation_id, transcript=transcript)
        shown = {row.person.name: (row.choice.value, row.phrase.value) for row in self.rows}
        if all(tp.name in shown for tp in found):
            return False
        self.load(found, transcript)
        for row in self.rows:
            if row.person.name in shown:
                row.choice.value, row.phrase.value = shown[row.person.name]
        return True

    # -- the teacher's choices --
    def choices(self) -> dict[str, str | None]:
        """Name → phrase (None: kept), as ``thirdparty.redact`` takes it."""
        return {row.person.name: row.wanted() for row in self.rows}

    def keep(self) -> list[str]:
        return [name for name, phrase in self.choices().items() if phrase is None]

    def phrases(self) -> dict[str, str]:
        return {name: phrase for name, phrase in self.choices().items() if phrase is not None}

    def apply(self, archive, conversation_id: str, *, by: str = "docent", role: str = "docent"):
        """The family's copies with the chosen phrases (``thirdparty.FamilyCopy``), for
        ``pipeline.export_report(..., family=)``."""
        from transkript_kernel import thirdparty

        return thirdparty.prepare_for_family(archive, conversation_id, keep=self.keep(), phrases=self.phrases(),
                                             by=by, role=role)

    def reset(self) -> None:
        self.load([])
