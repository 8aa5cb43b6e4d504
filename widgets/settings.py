"""Settings tab: every setting in the teacher's language, the everyday ones first, the technical ones folded away.

The list, the words (Dutch and English label and help) and the level of each setting come from the engine's
registry (:func:`transkript_kernel.settings.registry`), the editors from the trait types: a dropdown for a closed
choice, a checkbox for yes/no, a number field within the trait's bounds. Only changed values are written to
``settings.json``, so a default that improves in a later version is not pinned by a save. A section whose module
cannot load (a bug: the registry test imports every one) does not take the tab down: it is named in the tab and
logged with its traceback (:func:`.failures.failure_text`).
"""
from __future__ import annotations

import json

import ipywidgets as w

from .failures import failure_text, guarded
from .i18n import language, t
from .ui import Message, esc, step

WIDTH = {"description_width": "260px"}
NUMBER_LIMIT = 2 ** 31 - 1


def _options(setting, values, lang: str) -> list[tuple[str, str]]:
    """Values with words first, in the registry's order; the others (e.g. rare language codes) after them."""
    labelled = [v for v in setting.choices if v in values]
    return [(setting.choice_label(v, lang), v) for v in labelled + sorted(v for v in values if v not in labelled)]


def _editor(setting, trait, current, lang: str):
    from traitlets import Bool, Dict, Enum, Float, Int, List, Unicode

    label = setting.label[lang]
    kw = dict(description=label, tooltip=f"{setting.section}.{setting.name}", style=WIDTH,
              layout=w.Layout(width="640px"))
    if isinstance(trait, Bool):
        return w.Checkbox(value=bool(current), indent=False, description=label,
                          tooltip=kw["tooltip"])
    if isinstance(trait, Enum):  # CaselessStrEnum is an Enum
        return w.Dropdown(options=_options(setting, trait.values, lang), value=current, **kw)
    if isinstance(trait, List) and isinstance(getattr(trait, "_trait", None), Enum):
        return w.SelectMultiple(options=_options(setting, trait._trait.values, lang), value=tuple(current or ()),
                                rows=min(8, len(trait._trait.values)), **kw)
    if isinstance(trait, Int):
        low = trait.min if trait.min is not None else -NUMBER_LIMIT
        high = trait.max if trait.max is not None else NUMBER_LIMIT
        return w.BoundedIntText(value=int(current or 0), min=low, max=high, **kw)
    if isinstance(trait, Float):
        low = trait.min if trait.min is not None else -float(NUMBER_LIMIT)
        high = trait.max if trait.max is not None else float(NUMBER_LIMIT)
        return w.BoundedFloatText(value=float(current or 0), min=low, max=high, step=None, **kw)
    if isinstance(trait, List):
        return w.Textarea(value="\n".join(str(v) for v in (current or [])), rows=3, **kw)
    if isinstance(trait, Unicode):
        if len(current or "") > 60:
            return w.Textarea(value=current, rows=4, **kw)
        return w.Text(value=current or "", **kw)
    if isinstance(trait, Dict):
        return w.Textarea(value=json.dumps(current or {}, ensure_ascii=False), rows=2, **kw)
    return w.Textarea(value=json.dumps(current, ensure_ascii=False), rows=2, **kw)


def _value(editor, trait):
    """The editor's value as the trait takes it; ``ValueError`` for text that is not the JSON a dict needs."""
    from traitlets import Dict, List, Unicode

    if isinstance(editor, w.SelectMultiple):
        return list(editor.value)
    if isinstance(trait, List) and isinstance(editor, w.Textarea):
        return [line.strip() for line in editor.value.splitlines() if line.strip()]
    if isinstance(editor, w.Textarea) and not isinstance(trait, Unicode):
        text = editor.value.strip()
        if isinstance(trait, Dict) and not text:
            return {}
        return json.loads(text)
    return editor.value


class SettingsPanel(w.VBox):
    def __init__(self, on_saved=None, **kw):
        from transkript_kernel import settings

        lang = language()
        self.on_saved = on_saved
        self.editors: dict[tuple[str, str], tuple] = {}
        self.labels: dict[tuple[str, str], str] = {}
        self._saved: dict[tuple[str, str], object] = {}  # what the file holds now, so only changes are written
        by_level: dict[str, list] = {level: [] for level in settings.LEVELS}
        self.broken: list[str] = []  # sections whose module did not load (shown, logged)
        for sec in settings.registry():
            try:
                cls = sec.cls()
            except (ImportError, AttributeError) as exc:  # the registry names a module or class that is missing
                reason = failure_text(exc, "settings-section")
                self.broken.append(sec.name)
                by_level["basis"].append(w.HTML(f'<div class="tk-msg tk-msg-error">'
                                                f'{esc(t("settings.section_failed", section=sec.title[lang]))}'
                                                f' {esc(reason)}</div>'))
                continue
            obj = settings.get(cls)
            traits = cls.class_traits(config=True)
            rows: dict[str, list] = {level: [] for level in settings.LEVELS}
            for s in sec.settings:
                trait = traits[s.name]
                editor = _editor(s, trait, getattr(obj, s.name), lang)
                editor.add_class(f"tk-setting-{sec.name}-{s.name}")
                self.editors[(sec.name, s.name)] = (editor, trait)
                self.labels[(sec.name, s.name)] = s.label[lang]
                self._saved[(sec.name, s.name)] = _value(editor, trait)
                rows[s.level] += [editor, w.HTML(f'<div class="tk-muted" style="margin:0 0 8px 270px">'
                                                 f'{esc(s.help[lang])}</div>')]
            for level, items in rows.items():
                if items:
                    by_level[level] += [step(sec.title[lang]), *items]
        advanced_text = settings.level_text("geavanceerd")
        self.advanced = w.Accordion(children=[w.VBox([w.HTML(f'<div class="tk-muted">'
                                                             f'{esc(advanced_text["help"][lang])}</div>'),
                                                      *by_level["geavanceerd"]])], selected_index=None)
        self.advanced.set_title(0, advanced_text["title"][lang])
        self.advanced.add_class("tk-settings-advanced")
        self.save_button = w.Button(description=t("settings.save"), button_style="primary",
                                    layout=w.Layout(width="200px"))
        self.save_button.add_class("tk-settings-save")
        self.save_button.on_click(lambda _: self.save())
        self.message = Message()
        intro = w.HTML(f'<div class="tk-msg tk-msg-info">{esc(t("settings.intro", path=settings.settings_path()))}'
                       f'</div>')
        super().__init__([intro, *by_level["basis"], self.advanced, self.save_button, self.message], **kw)

    def values(self) -> dict:
        """Every setting as shown: ``{"Section": {"name": value}}`` (``ValueError`` for unreadable JSON text)."""
        out: dict[str, dict] = {}
        for (section, name), (editor, trait) in self.editors.items():
            out.setdefault(section, {})[name] = _value(editor, trait)
        return out

    def changes(self) -> dict:
        """Only the settings that differ from what ``settings.json`` gives now."""
        out: dict[str, dict] = {}
        for (section, name), (editor, trait) in self.editors.items():
            try:
                value = _value(editor, trait)
            except ValueError as exc:
                raise _Invalid(self.labels[(section, name)]) from exc
            if value != self._saved[(section, name)]:
                out.setdefault(section, {})[name] = value
        return out

    @guarded("settings-save")
    def save(self) -> bool:
        from traitlets import TraitError

        from transkript_kernel import settings
        from transkript_kernel.errors import TranskriptError

        try:
            values = self.changes()
            for section, traits in values.items():  # validate through the traitlets before writing anything
                obj = settings.section(section).cls()()
                for name, value in traits.items():
                    try:
                        setattr(obj, name, value)
                    except TraitError as exc:
                        raise _Invalid(self.labels[(section, name)]) from exc
            if values:
                settings.save_config(values)
        except _Invalid as exc:
            self.message.show("error", t("settings.failed", reason=t("settings.invalid", label=exc.label)))
            return False
        except TranskriptError as exc:  # e.g. settings.json could not be written
            self.message.show("error", t("settings.failed", reason=failure_text(exc, "settings-save")))
            return False
        for section, traits in values.items():
            for name, value in traits.items():
                self._saved[(section, name)] = value
        self.message.show("ok", t("settings.saved"))
        if self.on_saved:
            self.on_saved(values)
        return True


class _Invalid(ValueError):
    """A value the setting cannot take; carries the label the teacher sees."""

    def __init__(self, label: str):
        super().__init__(label)
        self.label = label
