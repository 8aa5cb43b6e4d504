"""What a widget shows and logs when an action fails.

Engine errors (:class:`~transkript_kernel.errors.TranskriptError`) carry their own Dutch and English message:
the teacher sees that, and the log gets one line with the error's type. Anything else is a bug: the teacher sees
that something unexpected happened and where the log is, and the log gets the traceback's frames (never the
exception's message or values, see :mod:`transkript_kernel.log`). Widgets catch ``TranskriptError`` where they
expect it; :func:`guarded` is the one boundary per button that catches the rest, so no failure is silent and
none is swallowed.
"""
from __future__ import annotations

import functools

from .i18n import t


def failure_text(exc: BaseException, where: str, **ids) -> str:
    """Log ``exc`` (type; traceback frames for a bug) and return the message for the teacher."""
    from transkript_kernel import log
    from transkript_kernel.errors import TranskriptError

    log.failure(where, exc, **ids)
    if isinstance(exc, TranskriptError):
        from .i18n import language

        return exc.message(language())
    return t("error.bug", kind=type(exc).__name__, log=str(log.log_path()))


def guarded(where: str, message: str = "message"):
    """Decorate a widget method run by a button: an exception the method did not handle is logged with its
    traceback and shown in ``self.<message>`` instead of vanishing into the kernel's output."""

    def wrap(method):
        @functools.wraps(method)
        def run(self, *args, **kw):
            try:
                return method(self, *args, **kw)
            except Exception as exc:  # the boundary: logged with its traceback, shown to the teacher
                getattr(self, message).show("error", failure_text(exc, where,
                                                                  conversation=getattr(self, "conversation_id", None)))
                return None

        return run

    return wrap
