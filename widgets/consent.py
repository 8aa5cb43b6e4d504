"""ConsentForm: who, what kind of conversation, and the consent that allows recording it.

The form only collects answers; the case file decides (``archive.create`` refuses forbidden kinds and stores a
refusal without allowing a recording). The kinds that must not be recorded come from the engine's consent
module, so the form and the rules cannot drift apart.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import ipywidgets as w

from .failures import failure_text, guarded
from .i18n import t
from .ui import Message, esc

AGE_BANDS = ("4-8", "8-12", "12-16", "16+")


def pupil_view_asked(age_band: str) -> bool:
    """From the engine's age (about 12) the pupil's own view is asked as well."""
    from transkript_kernel.casefile import consent
    from transkript_kernel.conversation import Conversation

    age = Conversation(id="", pupil="", date="", age_band=age_band).pupil_age
    return age is not None and age >= consent.PUPIL_VIEW_FROM_AGE


def forbidden_kinds(lang: str | None = None) -> dict[str, str]:
    """``{kind: reason}`` from the engine's consent rules, the reason in the interface language."""
    from transkript_kernel.casefile import consent

    from .i18n import language

    lang = "nl" if (lang or language()) == "nl" else "en"
    reasons = {r["id"]: r.get(lang, "") for r in consent.rules().get("forbidden", [])}
    return {str(k): reasons.get(k, "") for k in consent.FORBIDDEN_KINDS}


def conversation_kinds() -> list[str]:
    from transkript_kernel.conversation import KINDS

    return list(KINDS)


class ConsentForm(w.VBox):
    """Step 1. ``on_created(conversation)`` is called when the case file accepted the conversation."""

    def __init__(self, archive_factory: Callable, on_created: Callable | None = None, **kw):
        self._archive = archive_factory
        self.on_created = on_created
        self.conversation = None
        wide = w.Layout(width="420px")
        style = {"description_width": "190px"}
        self.pupil = w.Text(description=t("consent.pupil"), placeholder=t("consent.pupil_placeholder"),
                            layout=wide, style=style)
        self.date = w.DatePicker(description=t("consent.date"), value=dt.date.today(), style=style,
                                  layout=w.Layout(width="330px"))
        forbidden = forbidden_kinds()
        options = [(t(f"kind.{k}") if t(f"kind.{k}") != f"kind.{k}" else k, k) for k in conversation_kinds()]
        options += [(f"{k} – {t('consent.do_not_record_short')}", k) for k in forbidden if k not in dict(options).values()]
        self.kind = w.Dropdown(description=t("consent.kind"), options=options, value=options[0][1] if options else None,
                               layout=wide, style=style)
        self.group = w.Text(description=t("consent.group"), placeholder="groep 5", layout=wide, style=style)
        self.age_band = w.Dropdown(description=t("consent.age_band"), options=list(AGE_BANDS), value="8-12",
                                   layout=wide, style=style)
        self.language = w.Dropdown(description=t("consent.language"),
                                   options=[(t("lang.nl"), "nl"), (t("lang.en"), "en")], value="nl",
                                   layout=wide, style=style)
        self.teacher = w.Text(description=t("consent.teacher"), layout=wide, style=style)
        self.parent = w.Text(description=t("consent.parent"), layout=wide, style=style)
        self.consent = w.RadioButtons(description=t("consent.question"), style=style,
                                      options=[(t("consent.given"), "given"), (t("consent.refused"), "refused")],
                                      value=None, layout=w.Layout(width="auto"))
        from transkript_kernel.conversation import CONSENT_ROLES

        self.consent_by = w.Dropdown(description=t("consent.by"), style=style, layout=wide,
                                     options=[(t("role." + r), r) for r in CONSENT_ROLES], value=CONSENT_ROLES[0])
        self.how = w.Dropdown(description=t("consent.how"), style=style, layout=wide,
                              options=[(t("consent.oral"), "mondeling"), (t("consent.written"), "schriftelijk")],
                              value="mondeling")
        self.pupil_view = w.RadioButtons(description=t("consent.pupil_view"), style=style,
                                         options=[(t("consent.pupil_agrees"), "given"),
                                                  (t("consent.pupil_refuses"), "refused")],
                                         value=None, layout=w.Layout(width="auto"))
        self.pupil_view_box = w.VBox([w.HTML(f'<div class="tk-muted">{esc(t("consent.pupil_view_help"))}</div>'),
                                      self.pupil_view])
        self.create_button = w.Button(description=t("consent.create"), button_style="primary",
                                      layout=w.Layout(width="240px"))
        self.create_button.add_class("tk-consent-create")
        self.message = Message()
        self.message.add_class("tk-consent-message")

        read_aloud = w.HTML(
            f'<div class="tk-muted">{esc(t("consent.read_aloud_intro"))}</div>'
            f'<div class="tk-quote">“{esc(t("consent.read_aloud"))}”</div>')
        items = "".join(f"<li>{esc(v or k)}</li>" for k, v in forbidden.items())
        dont = w.HTML(f'<div class="tk-msg tk-msg-warn"><b>{esc(t("consent.do_not_record"))}</b>'
                      f'<ul style="margin:4px 0 0 0">{items}</ul>'
                      f'<div>{esc(t("consent.do_not_record_more"))}</div></div>')

        for name in ("pupil", "date", "kind", "group", "age_band", "language", "teacher", "parent", "consent",
                     "consent_by", "how", "pupil_view"):
            getattr(self, name).add_class(f"tk-consent-{name.replace('_', '-')}")
        self.age_band.observe(self._age_changed, "value")
        self.create_button.on_click(self._create)
        self._age_changed()
        self.form = w.VBox([read_aloud, dont, self.pupil, self.date, self.kind, self.group, self.age_band,
                            self.language, self.teacher, self.parent, self.consent, self.consent_by, self.how,
                            self.pupil_view_box, self.create_button])
        self.summary_line = w.HTML()
        self.summary_line.add_class("tk-consent-summary")
        super().__init__([self.form, self.summary_line, self.message], **kw)
        self.add_class("tk-consent")

    def _age_changed(self, *_):
        asked = pupil_view_asked(self.age_band.value)
        self.pupil_view_box.layout.display = None if asked else "none"
        if not asked:
            self.pupil_view.value = None

    def consent_record(self):
        from transkript_kernel.casefile import consent

        return consent.record(self.consent.value == "given", self.consent_by.value, how=self.how.value,
                              pupil_view=self.pupil_view.value if pupil_view_asked(self.age_band.value) else None,
                              language=self.language.value)

    def participants(self):
        from transkript_kernel.conversation import Participant

        people = [(self.teacher.value.strip(), "docent"), (self.parent.value.strip(), "ouder")]
        return [Participant(name, role) for name, role in people if name]

    @guarded("consent-create")
    def _create(self, *_):
        from transkript_kernel.errors import TranskriptError

        if not self.pupil.value.strip():
            self.message.show("error", t("consent.need_pupil"))
            return
        if self.consent.value is None:
            self.message.show("error", t("consent.need_answer"))
            return
        if pupil_view_asked(self.age_band.value) and self.pupil_view.value is None:
            self.message.show("error", t("consent.need_pupil_view"))
            return
        self.create_button.disabled = True
        try:
            conv = self._archive().create(
                pupil=self.pupil.value.strip(), date=(self.date.value or dt.date.today()).isoformat(),
                kind=self.kind.value, language=self.language.value, group=self.group.value.strip(),
                age_band=self.age_band.value, participants=self.participants(), consent=self.consent_record())
        except TranskriptError as exc:  # the engine's message (a forbidden kind, a refusal), Dutch or English
            self.message.show("error", failure_text(exc, "consent-create"))
            return
        finally:
            self.create_button.disabled = False
        self.conversation = conv
        self.show_conversation(conv)
        allowed, why = self.decision(conv)
        if allowed:
            self.message.show("ok", t("consent.created", id=conv.id))
        else:
            self.message.show("error", t("consent.refused_stored", id=conv.id) + "\n" + why)
        if self.on_created:
            self.on_created(conv)

    def show_conversation(self, conv) -> None:
        """Fold the form into one line for a registered conversation (a new one starts with 'Nieuw gesprek')."""
        allowed, why = self.decision(conv)
        consent = t("consent.line_given") if allowed else t("consent.line_refused")
        kind = t("kind." + conv.kind) if t("kind." + conv.kind) != "kind." + conv.kind else conv.kind
        self.summary_line.value = (f'<div class="tk-summary-line"><b>{esc(conv.pupil)}</b> · {esc(conv.date)} · '
                                   f'{esc(kind)}{" · " + esc(conv.group) if conv.group else ""} · '
                                   f'{esc(consent)} <span class="tk-muted">({esc(conv.id)})</span></div>')
        self.form.layout.display = "none"

    @staticmethod
    def decision(conv) -> tuple[bool, str]:
        """The engine's verdict on recording this conversation, with its reason in the interface language."""
        from transkript_kernel.casefile import consent
        from transkript_kernel.errors import TranskriptError

        from .i18n import language

        try:
            d = consent.check(conv.kind, conv.consent, age_band=conv.age_band)
        except TranskriptError as exc:  # a kind the rules refuse (changed since it was stored): not allowed
            return False, failure_text(exc, "consent-check", conversation=conv.id)
        return d.recording_allowed, d.nl if language() == "nl" else d.en
