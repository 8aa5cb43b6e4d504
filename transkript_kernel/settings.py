"""Where things live and how settings are read.

Settings are traitlets, declared by the module that uses them (as Voila does). One JSON file,
``settings.json`` in the data directory, configures them all: ``{"AsrSettings": {"beam_size": 5}}``.
``TRANSKRIPT_DATA`` moves the data directory; ``TRANSKRIPT_CACHE`` the cache (assembled model weights).

The registry, ``data/settings_registry.json``, is the one list of settings classes: each as a lazy
``"module:Class"`` string (so reading settings never imports numpy or a model library), with each setting's Dutch
and English label and help for teachers, its level (``basis`` or ``geavanceerd``) and words for closed choices.
The README table, the app's Settings tab and the unknown-key warning all read it; a test keeps it equal to the
classes' traits.
"""
from __future__ import annotations

import difflib
import importlib
import json
import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from traitlets import CaselessStrEnum, TraitError, Unicode
from traitlets.config import Config, Configurable

SETTINGS_FILE = "settings.json"
REGISTRY_FILE = "settings_registry.json"
LEVELS = ("basis", "geavanceerd")
T = TypeVar("T", bound=Configurable)
log = logging.getLogger("transkript")


def data_dir() -> Path:
    """The archive's home: ``$TRANSKRIPT_DATA`` or the per-user data directory."""
    env = os.environ.get("TRANSKRIPT_DATA")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "transkript"


def cache_dir() -> Path:
    """Rebuildable files (assembled model weights, warm caches): ``$TRANSKRIPT_CACHE`` or the user cache."""
    env = os.environ.get("TRANSKRIPT_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "transkript"


PRIVATE_UMASK = 0o077


def secure_umask() -> None:
    """Files and folders this process makes are the owner's alone (0600 files, 0700 folders): called by every
    entry point (CLI, app kernel, batch workers and kernels, the case file when it opens), so no copy, temporary
    file or log of a care conversation is readable by another account on the machine. Kernels and workers
    started from here inherit it."""
    os.umask(PRIVATE_UMASK)


def settings_path(directory: Path | None = None) -> Path:
    return (directory or data_dir()) / SETTINGS_FILE


# --- the registry -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Setting:
    """One setting as teachers see it: words in both languages, its level, and words for closed choices."""

    section: str
    name: str
    level: str
    label: dict[str, str]
    help: dict[str, str]
    choices: dict[str, dict[str, str]] = field(default_factory=dict)

    def choice_label(self, value, lang: str = "nl") -> str:
        """The words for one value of a closed choice; the value itself when the registry has none."""
        words = self.choices.get(str(value))
        return words[lang] if words else str(value)


@dataclass(frozen=True)
class Section:
    """One settings class: its ``settings.json`` section name, where it lives, its title and its settings."""

    name: str
    target: str  # "module:Class", imported only when the class itself is needed
    title: dict[str, str]
    settings: tuple[Setting, ...]

    def cls(self) -> type[Configurable]:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)

    def setting(self, name: str) -> Setting:
        for s in self.settings:
            if s.name == name:
                return s
        raise KeyError(f"{self.name}.{name}")


@lru_cache(maxsize=None)
def _registry_data() -> dict:
    with resources.files("transkript_kernel").joinpath("data", REGISTRY_FILE).open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=None)
def registry() -> tuple[Section, ...]:
    """Every settings class, in the order the Settings tab and the README show them."""
    out = []
    for name, sec in _registry_data()["sections"].items():
        settings = tuple(Setting(name, key, s["level"], s["label"], s["help"], s.get("choices", {}))
                         for key, s in sec["settings"].items())
        out.append(Section(name, sec["class"], sec["title"], settings))
    return tuple(out)


def section(name: str) -> Section:
    for sec in registry():
        if sec.name == name:
            return sec
    raise KeyError(name)


def level_text(level: str) -> dict[str, dict[str, str]]:
    """Title and help of a level (``basis``, ``geavanceerd``) in both languages."""
    return _registry_data()["levels"][level]


def classes() -> list[type[Configurable]]:
    """The registered settings classes (imports their modules)."""
    return [sec.cls() for sec in registry()]


def _known() -> dict[str, set[str]]:
    return {sec.name: {s.name for s in sec.settings} for sec in registry()}


def _closest(section_name: str, key: str | None, known: dict[str, set[str]]) -> str | None:
    """The known section or ``Section.setting`` an unknown key most likely meant."""
    if key is None:
        hit = difflib.get_close_matches(section_name, list(known), n=1, cutoff=0.5)
        return hit[0] if hit else None
    moved = [sec for sec, names in known.items() if key in names]  # e.g. a setting that moved to another class
    if moved:
        return f"{moved[0]}.{key}"
    hit = difflib.get_close_matches(key, sorted(known.get(section_name, ())), n=1, cutoff=0.5)
    if hit:
        return f"{section_name}.{hit[0]}"
    everything = [f"{sec}.{name}" for sec, names in known.items() for name in names]
    hit = difflib.get_close_matches(f"{section_name}.{key}", everything, n=1, cutoff=0.5)
    return hit[0] if hit else None


_warned: set[tuple] = set()


def _warn_once(path: Path, what: tuple, nl: str, en: str) -> None:
    """One warning per file and key per process: settings are read often, the teacher needs to hear it once."""
    marker = (str(path), *what)
    if marker not in _warned:
        _warned.add(marker)
        log.warning("%s / %s", nl, en)


def check_keys(values: dict, path: Path) -> dict:
    """``values`` without the sections and settings the registry does not know, each named in one warning.

    Only key names reach the log, never a value: a misspelt key must not stop the app, and the file may hold a
    school's own words.
    """
    known = _known()
    clean: dict = {}
    for sec, traits in values.items():
        if sec not in known:
            guess = _closest(sec, None, known)
            _warn_once(path, (sec,),
                       f"{path.name}: onbekende sectie '{sec}' wordt overgeslagen"
                       + (f"; bedoelt u '{guess}'?" if guess else "."),
                       f"unknown section '{sec}' is skipped" + (f"; did you mean '{guess}'?" if guess else "."))
            continue
        if not isinstance(traits, dict):
            _warn_once(path, (sec, None), f"{path.name}: sectie '{sec}' is geen lijst van instellingen en wordt "
                       "overgeslagen.", f"section '{sec}' is not a set of settings and is skipped.")
            continue
        clean[sec] = {}
        for key, value in traits.items():
            if key in known[sec]:
                clean[sec][key] = value
                continue
            guess = _closest(sec, key, known)
            _warn_once(path, (sec, key),
                       f"{path.name}: onbekende instelling '{sec}.{key}' wordt overgeslagen"
                       + (f"; bedoelt u '{guess}'?" if guess else "."),
                       f"unknown setting '{sec}.{key}' is skipped" + (f"; did you mean '{guess}'?" if guess else "."))
    return clean


def load_config(directory: Path | None = None) -> Config:
    """Read ``settings.json``; a missing file means all defaults, unknown keys are warned about and skipped."""
    path = settings_path(directory)
    if not path.exists():
        return Config()
    with open(path, encoding="utf-8") as fh:
        values = json.load(fh)
    return Config(check_keys(values if isinstance(values, dict) else {}, path))


def save_config(values: dict, directory: Path | None = None) -> Path:
    """Merge ``{"SectionName": {"trait": value}}`` into ``settings.json`` atomically."""
    from .atomic import write_json

    path = settings_path(directory)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for sec, traits in values.items():
        current.setdefault(sec, {}).update(traits)
    return write_json(path, current)


def get(cls: type[T], directory: Path | None = None, **overrides) -> T:
    """An instance of a settings class configured from ``settings.json`` and then ``overrides``.

    A value the class refuses (a choice that does not exist, a number out of bounds) is warned about and the
    default used instead, so one bad line in the file cannot stop the app.
    """
    config = load_config(directory)
    if cls.__name__ in config:
        probe = cls()
        for name, value in list(config[cls.__name__].items()):
            try:
                setattr(probe, name, value)
            except TraitError:
                del config[cls.__name__][name]
                default = cls.class_traits()[name].default()
                _warn_once(settings_path(directory), (cls.__name__, name, "invalid"),
                           f"{SETTINGS_FILE}: ongeldige waarde voor '{cls.__name__}.{name}'; de standaardwaarde "
                           f"{default!r} wordt gebruikt.",
                           f"invalid value for '{cls.__name__}.{name}'; the default {default!r} is used.")
    obj = cls(config=config)
    for name, value in overrides.items():
        if value is not None:
            setattr(obj, name, value)
    return obj


def describe(cls: type[Configurable]) -> list[dict]:
    """Name, default and help of every setting of ``cls``: for ``--help`` and developers."""
    return [{"name": name, "default": trait.default(), "help": trait.help}
            for name, trait in sorted(cls.class_traits(config=True).items())]


def _default_text(value) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 30 else value[:27].rstrip(", ") + "…"
        return f"`{text}`" if text else "(empty)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, dict)):
        return f"`{json.dumps(value, ensure_ascii=False)}`"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _choices_text(setting: Setting, values, lang: str) -> str:
    """Closed choices for the README: the ones with words first, each with its words; long lists cut short."""
    ordered = [v for v in setting.choices if v in values] + [v for v in values if v not in setting.choices]
    shown = [f"`{v}`" + (f" ({setting.choices[v][lang]})" if v in setting.choices else "") for v in ordered[:8]]
    shown = [x.replace("``", '`""`', 1) if x.startswith("``") else x for x in shown]
    return ", ".join(shown) + (f", … ({len(ordered)} in all)" if len(ordered) > 8 else "") + "."


def markdown_table(lang: str = "en") -> str:
    """The README's settings table, generated from the registry and the classes (defaults come from the code)."""
    rows = ["| section | setting | default | level | meaning |", "| --- | --- | --- | --- | --- |"]
    for sec in registry():
        traits = sec.cls().class_traits(config=True)
        for s in sec.settings:
            trait = traits[s.name]
            values = getattr(trait, "values", None) or getattr(getattr(trait, "_trait", None), "values", None)
            meaning = f"**{s.label[lang]}.** {s.help[lang]}"
            if values:
                meaning += " Choices: " + _choices_text(s, values, lang)
            level = level_text(s.level)["title"][lang].lower()
            rows.append(f"| `{sec.name}` | `{s.name}` | {_default_text(trait.default())} | {level} | "
                        f"{meaning.replace('|', '/')} |")
    return "\n".join(rows)


class GeneralSettings(Configurable):
    """Settings that belong to no single step."""

    ui_language = CaselessStrEnum(["nl", "en"], "nl", help="Language of the interface: 'nl' (default) or "
                                                           "'en'.").tag(config=True)
    school_name = Unicode("", help="School name printed on reports.").tag(config=True)
