"""JSON files that follow one of the shared contracts: one way to check, read and write them.

Transcripts and summaries are read by tools outside the code, so both check their ``schema`` tag on the way
in, name the file (not a path) in errors, and are written atomically.
"""
from __future__ import annotations

import json
from pathlib import Path

from .errors import InputError


class JsonDocument:
    """Mixin for a dataclass with ``to_dict``/``from_dict`` that follows contract ``SCHEMA``."""

    SCHEMA = ""
    NAME = ("document", "document")  # Dutch, English: how the user calls it

    @classmethod
    def check_schema(cls, d: dict) -> None:
        if not isinstance(d, dict) or d.get("schema") != cls.SCHEMA:
            found = d.get("schema") if isinstance(d, dict) else None
            raise InputError(f"Dit is geen Transkript-{cls.NAME[0]} (schema {found!r}).",
                             f"This is not a Transkript {cls.NAME[1]} (schema {found!r}).")

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    # what a damaged or hand-edited document can make ``from_dict`` raise; turned into one clear InputError
    BROKEN = (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError)

    @classmethod
    def from_json(cls, text: str):
        """Parse and check; anything malformed is an :class:`InputError` (never a bare KeyError or TypeError,
        a fuzz test holds this)."""
        try:
            return cls.from_dict(json.loads(text))
        except InputError:
            raise
        except cls.BROKEN as exc:
            detail = f"{type(exc).__name__}: {str(exc)[:120]}"
            raise InputError(f"Deze {cls.NAME[0]} is beschadigd of onvolledig ({detail}).",
                             f"This {cls.NAME[1]} is damaged or incomplete ({detail}).") from exc

    @classmethod
    def load(cls, path: str | Path):
        path = Path(path)
        return cls.read(lambda: path.read_text(encoding="utf-8"), path.name)

    @classmethod
    def read(cls, get_text, name: str):
        """Parse the text ``get_text()`` returns (a plain file, or the case file's decrypted bytes): any failure
        to read or parse it becomes one :class:`InputError` naming the file, never a traceback."""
        try:
            return cls.from_json(get_text())
        except InputError as exc:
            raise InputError(f"Kan {cls.NAME[0]} {name} niet lezen: {exc.nl}",
                             f"Cannot read {cls.NAME[1]} {name}: {exc.en}") from exc
        except (OSError, ValueError) as exc:
            raise InputError(f"Kan {cls.NAME[0]} {name} niet lezen: {exc}",
                             f"Cannot read {cls.NAME[1]} {name}: {exc}") from exc

    def save(self, path: str | Path) -> Path:
        from .atomic import write_text

        return write_text(path, self.to_json() + "\n")
