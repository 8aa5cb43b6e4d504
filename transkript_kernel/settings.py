"""Where things live and how settings are read.

Settings are traitlets, declared by the module that uses them (as Voila does), each with help text. One JSON
file, ``settings.json`` in the data directory, configures them all: ``{"AsrSettings": {"beam_size": 5}}``.
``TRANSKRIPT_DATA`` moves the data directory; ``TRANSKRIPT_CACHE`` the cache (assembled model weights).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TypeVar

from traitlets import Unicode
from traitlets.config import Config, Configurable

SETTINGS_FILE = "settings.json"
T = TypeVar("T", bound=Configurable)


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


def settings_path(directory: Path | None = None) -> Path:
    return (directory or data_dir()) / SETTINGS_FILE


def load_config(directory: Path | None = None) -> Config:
    """Read ``settings.json``; a missing file means all defaults."""
    path = settings_path(directory)
    if not path.exists():
        return Config()
    with open(path, encoding="utf-8") as fh:
        return Config(json.load(fh))


def save_config(values: dict, directory: Path | None = None) -> Path:
    """Merge ``{"SectionName": {"trait": value}}`` into ``settings.json`` atomically."""
    from .atomic import write_json

    path = settings_path(directory)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for section, traits in values.items():
        current.setdefault(section, {}).update(traits)
    return write_json(path, current)


def get(cls: type[T], directory: Path | None = None, **overrides) -> T:
    """An instance of a settings class configured from ``settings.json`` and then ``overrides``."""
    obj = cls(config=load_config(directory))
    for name, value in overrides.items():
        if value is not None:
            setattr(obj, name, value)
    return obj


def describe(cls: type[Configurable]) -> list[dict]:
    """Name, default and help of every setting of ``cls``: for the README, ``--help`` and the Settings tab."""
    return [{"name": name, "default": trait.default(), "help": trait.help}
            for name, trait in sorted(cls.class_traits(config=True).items())]


class GeneralSettings(Configurable):
    """Settings that belong to no single step."""

    ui_language = Unicode("nl", help="Language of the interface: 'nl' (default) or 'en'.").tag(config=True)
    school_name = Unicode("", help="School name printed on reports.").tag(config=True)


