"""SummaryReview: the teacher checks the summary before it goes to the parents.

Topics, concerns and actions can be edited, added and removed; every item shows the transcript segments it
cites. The engine's warnings (subjective wording, unsupported claims, sensitive content) stand at the top.
Saving creates a new version in the case file with who, role and why (``archive.save_summary``).
"""
from __future__ import annotations

import re
from typing import Callable

import ipywidgets as w

from transkript_kernel.formatting import clock
from transkript_kernel.summary import ROLES as OWNER_ROLES

from .i18n import error_text, t
from .ui import Message, esc

SECTIONS = ("topics", "concerns", "actions")


def parse_evidence(text: str) -> list[int]:
    return sorted({int(n) for n in re.findall(r"\d+", text or "")})


def cited_segments_html(transcript, evidence) -> str:
    """The cited segments as quotes: time, speaker and text (escaped)."""
    if not evidence:
        return f'<div class="tk-muted">{esc(t("summary.no_evidence"))}</div>'
    parts = []
    for sid in evidence:
        try:
            seg = transcript.segment(sid)
        except (KeyError, AttributeError):
            parts.append(f'<div class="tk-cite">#{sid}: {esc(t("summary.missing_segment"))}</div>')
            continue
        who = transcript.label_of(seg.speaker) or t("transcript.unknown_speaker")
        parts.append(f'<div class="tk-cite"><span class="tk-seg-time">#{seg.id} {clock(seg.start)}</span> '
                     f'<b>{esc(who)}</b>: {esc(seg.text.strip())}</div>')
    return "".join(parts)


class _Item(w.VBox):
    """One editable summary item with its citations."""

    def __init__(self, section: str, item, review: "SummaryReview"):
        self.section = section
        self.review = review
        self.text = w.Textarea(value=item.text, layout=w.Layout(width="100%"), rows=2, continuous_update=False)
        self.text.add_class(f"tk-{section}-text")
        self.evidence = w.Text(value=", ".join(str(e) for e in item.evidence), description=t("summary.evidence"),
                               layout=w.Layout(width="230px"), style={"description_width": "70px"},
                               continuous_update=False)
        fields = [self.evidence]
        self.who = None
        self.due = None
        owner_opts = [(t(f"role.{r}") if r else t("role.none"), r) for r in OWNER_ROLES]
        if section == "concerns":
            self.who = w.Dropdown(options=owner_opts, value=item.raised_by if item.raised_by in OWNER_ROLES else None,
                                  description=t("summary.raised_by"), layout=w.Layout(width="230px"))
            fields.insert(0, self.who)
        if section == "actions":
            self.who = w.Dropdown(options=owner_opts, value=item.owner if item.owner in OWNER_ROLES else None,
                                  description=t("summary.owner"), layout=w.Layout(width="230px"))
            self.due = w.Text(value=item.due or "", description=t("summary.due"), placeholder="2026-12-01",
                              layout=w.Layout(width="230px"))
            fields[:0] = [self.who, self.due]
        self.show = w.ToggleButton(description=t("summary.show_sources"), layout=w.Layout(width="150px"))
        self.show.add_class("tk-show-sources")
        self.remove = w.Button(description=t("summary.remove"), layout=w.Layout(width="110px"))
        self.remove.add_class("tk-remove-item")
        self.sources = w.HTML()
        self.sources.add_class("tk-sources")
        self.show.observe(self._toggle, "value")
        self.evidence.observe(lambda _: self._toggle(), "value")
        self.remove.on_click(lambda _: review.remove_item(self))
        super().__init__([self.text, w.HBox(fields + [self.show, self.remove]), self.sources],
                         layout=w.Layout(border="1px solid #d9e2ec", padding="6px", margin="4px 0"))
        self.add_class(f"tk-{section}-item")

    def _toggle(self, *_):
        self.sources.value = (cited_segments_html(self.review.transcript, parse_evidence(self.evidence.value))
                              if self.show.value else "")

    def to_data(self):
        from transkript_kernel.summary import Action, Concern, Topic

        text = self.text.value.strip()
        ev = parse_evidence(self.evidence.value)
        if self.section == "topics":
            return Topic(text, ev)
        if self.section == "concerns":
            return Concern(text, self.who.value, ev)
        return Action(text, self.who.value, self.due.value.strip() or None, ev)


class SummaryReview(w.VBox):
    """Step 5. ``load(conversation_id, transcript, summary)``; ``on_saved(summary, version)`` after saving."""

    def __init__(self, archive_factory: Callable, on_saved: Callable | None = None, **kw):
        self._archive = archive_factory
        self.on_saved = on_saved
        self.conversation_id = None
        self.transcript = None
        self.summary = None
        self.warnings = w.VBox()
        self.warnings.add_class("tk-warnings")
        self.boxes = {s: w.VBox() for s in SECTIONS}
        self.add_buttons = {}
        parts = [self.warnings]
        for s in SECTIONS:
            add = w.Button(description=t(f"summary.add_{s}"), layout=w.Layout(width="220px"))
            add.add_class(f"tk-add-{s}")
            add.on_click(lambda _, s=s: self.add_item(s))
            self.add_buttons[s] = add
            self.boxes[s].add_class(f"tk-{s}")
            parts += [w.HTML(f"<b>{esc(t('summary.' + s))}</b>"), self.boxes[s], add]
        self.reason = w.Text(description=t("summary.reason"), placeholder=t("summary.reason_placeholder"),
                             layout=w.Layout(width="600px"), style={"description_width": "150px"})
        self.save_button = w.Button(description=t("summary.save"), button_style="primary",
                                    layout=w.Layout(width="240px"))
        self.save_button.add_class("tk-summary-save")
        self.save_button.on_click(lambda _: self.save())
        self.message = Message()
        self.message.add_class("tk-summary-message")
        self.version_label = w.HTML()
        parts += [self.reason, w.HBox([self.save_button, self.version_label]), self.message]
        super().__init__(parts, **kw)

    def load(self, conversation_id: str, transcript, summary, version: int | None = None) -> None:
        self.conversation_id = conversation_id
        self.transcript = transcript
        self.summary = summary
        self.message.clear()
        self.version_label.value = (f'<span class="tk-muted" style="padding-left:12px">'
                                    f'{esc(t("summary.version", v=version))}</span>' if version else "")
        self._render_warnings()
        for s in SECTIONS:
            self.boxes[s].children = [_Item(s, item, self) for item in getattr(summary, s)]

    def _render_warnings(self) -> None:
        rows = []
        for i, warn in enumerate(self.summary.warnings):
            head = w.HTML(f'<div class="tk-msg tk-msg-warn"><b>{esc(t("warning." + warn.kind))}</b>: '
                          f'{esc(warn.text)}</div>')
            cites = w.HTML(cited_segments_html(self.transcript, warn.evidence) if warn.evidence else "")
            rows.append(w.VBox([head, cites]))
        if rows:
            rows.insert(0, w.HTML(f'<div class="tk-msg tk-msg-error">'
                                  f'{esc(t("summary.warnings_intro", n=len(rows)))}</div>'))
        self.warnings.children = rows

    def add_item(self, section: str) -> None:
        from transkript_kernel.summary import Action, Concern, Topic

        blank = {"topics": Topic("", []), "concerns": Concern("", None, []), "actions": Action("", None, None, [])}
        item = _Item(section, blank[section], self)
        self.boxes[section].children = list(self.boxes[section].children) + [item]

    def remove_item(self, item: _Item) -> None:
        box = self.boxes[item.section]
        box.children = [c for c in box.children if c is not item]

    def current(self):
        """The summary as edited on screen (empty items are dropped)."""
        from transkript_kernel.summary import Summary

        data = {s: [c.to_data() for c in self.boxes[s].children] for s in SECTIONS}
        data = {s: [d for d in items if d.text] for s, items in data.items()}
        return Summary(language=self.summary.language, backend=self.summary.backend,
                       warnings=list(self.summary.warnings), **data)

    @staticmethod
    def judgements(summary) -> list[str]:
        """Judging words in the teacher's own wording (the engine's neutrality lexicon), to point out, not block."""
        from transkript_kernel import neutrality

        found = []
        for item in [*summary.topics, *summary.concerns, *summary.actions]:
            for m in neutrality.find(item.text, "subjective"):
                if m.group(0) not in found:
                    found.append(m.group(0))
        return found

    def save(self) -> int | None:
        summary = self.current()
        reason = self.reason.value.strip() or t("summary.default_reason")
        try:
            version = self._archive().save_summary(self.conversation_id, summary, by="docent", role="docent",
                                                   reason=reason)
        except Exception as exc:
            self.message.show("error", t("summary.save_failed", reason=error_text(exc)))
            return None
        self.summary = summary
        self.reason.value = ""
        self.version_label.value = (f'<span class="tk-muted" style="padding-left:12px">'
                                    f'{esc(t("summary.version", v=version))}</span>')
        flagged = self.judgements(summary)
        if flagged:
            self.message.show("warn", t("summary.saved", v=version) + "\n" +
                              t("summary.judgements", phrases=", ".join(f"‘{p}’" for p in flagged)))
        else:
            self.message.show("ok", t("summary.saved", v=version))
        if self.on_saved:
            self.on_saved(summary, version)
        return version
