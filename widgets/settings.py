"""Settings tab: the settings the teacher may change (school name, model, retention policy, vocabulary).

Each setting is a traitlet declared, with its help text, in the module that uses it; this tab renders the
ones listed in :data:`SECTIONS` from ``settings.describe`` and writes changes to ``settings.json``.
A section whose module has not loaded is skipped rather than failing the tab.
"""
from __future__ import annotations

import importlib
import json

import ipywidgets as w

from .i18n import error_text, t
from .ui import Message, esc

# (module, class, names shown or None for all)
SECTIONS = (
    ("transkript_kernel.settings", "GeneralSettings", None),
    ("transkript_kernel.asr", "AsrSettings", ("model", "language", "vocabulary", "max_upload_mb",
                                              "max_duration_hours")),
    ("transkript_kernel.casefile.retention", "RetentionPolicy", None),
    ("transkript_kernel.casefile.consent", "ConsentPolicy", None),
)


def settings_classes() -> list[tuple[type, tuple | None]]:
    found = []
    for module, name, names in SECTIONS:
        try:
            cls = getattr(importlib.import_module(module), name)
        except Exception:
            continue
        found.append((cls, names))
    return found


def _editor(trait_info: dict, trait, current):
    from traitlets import Bool, CaselessStrEnum, Enum, Float, Int, List, Unicode

    kw = dict(description=trait_info["name"], style={"description_width": "180px"}, layout=w.Layout(width="560px"))
    if isinstance(trait, Bool):
        return w.Checkbox(value=bool(current), indent=False, description=trait_info["name"])
    if isinstance(trait, (Enum, CaselessStrEnum)):
        return w.Dropdown(options=list(trait.values), value=current, **kw)
    if isinstance(trait, Int):
        return w.IntText(value=int(current or 0), **kw)
    if isinstance(trait, Float):
        return w.FloatText(value=float(current or 0), **kw)
    if isinstance(trait, List):
        return w.Textarea(value="\n".join(str(v) for v in (current or [])), rows=3, **kw)
    if isinstance(trait, Unicode):
        if len(current or "") > 60:
            return w.Textarea(value=current, rows=4, **kw)
        return w.Text(value=current or "", **kw)
    return w.Textarea(value=json.dumps(current, ensure_ascii=False), rows=2, **kw)


def _value(editor, trait):
    from traitlets import List, Unicode

    if isinstance(trait, List) and isinstance(editor, w.Textarea):
        return [line.strip() for line in editor.value.splitlines() if line.strip()]
    if isinstance(editor, w.Textarea) and not isinstance(trait, Unicode):
        try:
            return json.loads(editor.value)
        except ValueError:
            return editor.value
    return editor.value


class SettingsPanel(w.VBox):
    def __init__(self, on_saved=None, **kw):
        from transkript_kernel import settings

        self.on_saved = on_saved
        self.editors: dict[tuple[str, str], tuple] = {}
        parts = [w.HTML(f'<div class="tk-msg tk-msg-info">{esc(t("settings.intro", path=settings.settings_path()))}'
                        f'</div>')]
        for cls, names in settings_classes():
            obj = settings.get(cls)
            traits = cls.class_traits(config=True)
            parts.append(w.HTML(f'<div class="tk-step">{esc(t("settings." + cls.__name__))}</div>'))
            for info in settings.describe(cls):
                if names and info["name"] not in names:
                    continue
                trait = traits[info["name"]]
                editor = _editor(info, trait, getattr(obj, info["name"]))
                editor.add_class(f"tk-setting-{cls.__name__}-{info['name']}")
                self.editors[(cls.__name__, info["name"])] = (editor, trait)
                parts += [editor, w.HTML(f'<div class="tk-muted" style="margin:0 0 8px 190px">'
                                         f'{esc(info["help"])}</div>')]
        self.save_button = w.Button(description=t("settings.save"), button_style="primary",
                                    layout=w.Layout(width="200px"))
        self.save_button.add_class("tk-settings-save")
        self.save_button.on_click(lambda _: self.save())
        self.message = Message()
        parts += [self.save_button, self.message]
        super().__init__(parts, **kw)

    def values(self) -> dict:
        out: dict[str, dict] = {}
        for (section, name), (editor, trait) in self.editors.items():
            out.setdefault(section, {})[name] = _value(editor, trait)
        return out

    def save(self) -> bool:
        from transkript_kernel import settings

        values = self.values()
        try:
            for cls, _ in settings_classes():  # validate through the traitlets before writing anything
                obj = cls()
                for name, value in values.get(cls.__name__, {}).items():
                    setattr(obj, name, value)
            settings.save_config(values)
        except Exception as exc:
            self.message.show("error", t("settings.failed", reason=error_text(exc)))
            return False
        self.message.show("ok", t("settings.saved"))
        if self.on_saved:
            self.on_saved(values)
        return True
