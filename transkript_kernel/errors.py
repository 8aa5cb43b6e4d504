"""One exception hierarchy for the whole engine.

Every error carries its message in Dutch and English, so the CLI and the widgets can show it in the user's
language without knowing what went wrong. Subclasses say *what kind* of failure it is; callers catch
:class:`TranskriptError` to turn any of them into a user-facing message.
"""
from __future__ import annotations

from .formatting import Text


class TranskriptError(Exception):
    """Base class: a failure the user can understand and act on."""

    exit_code = 1

    def __init__(self, nl: str, en: str | None = None):
        self.nl = nl
        self.en = en or nl
        super().__init__(self.en)

    @property
    def text(self) -> Text:
        return Text(self.nl, self.en)

    def message(self, language: str = "nl") -> str:
        return self.text.get(language)

    def both(self) -> str:
        """Dutch first, English second — for the command line."""
        return self.text.both("\n")


# --- input ------------------------------------------------------------------------------------------------
class InputError(TranskriptError):
    """The user's file or argument is unusable."""

    exit_code = 2


class AudioError(InputError):
    """A recording cannot be read or is not acceptable."""


class EmptyAudioError(AudioError):
    pass


class CorruptAudioError(AudioError):
    pass


class UnsupportedFormatError(AudioError):
    pass


class AudioTooLongError(AudioError):
    pass


class FileTooLargeError(AudioError):
    pass


class SilentAudioError(AudioError):
    pass


# --- models and optional backends ----------------------------------------------------------------------------
class ModelError(TranskriptError):
    """A model is missing, damaged or not available offline."""

    exit_code = 3


class ModelNotAvailableError(ModelError):
    pass


class BackendUnavailableError(TranskriptError):
    """An optional backend was asked for but its dependency or model is not installed."""

    exit_code = 3


# --- consent and the case file ------------------------------------------------------------------------------
class ConsentError(TranskriptError):
    """Recording or processing is not allowed."""

    exit_code = 4


class ConsentRefusedError(ConsentError):
    pass


class ForbiddenKindError(ConsentError):
    pass


class StorageError(TranskriptError):
    """The archive or a file could not be written or read."""

    exit_code = 5


class DiskFullError(StorageError):
    pass


class NotFoundError(StorageError):
    pass


class DuplicateError(StorageError):
    pass


# --- later stages -----------------------------------------------------------------------------------------
class SummaryError(TranskriptError):
    pass


class ReportError(TranskriptError):
    pass
