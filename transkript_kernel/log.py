"""The one ``transkript`` logger: what happened, where, to which id — never what was said.

The app's kernels, the queue service and the worker process all write to ``transkript.log`` in the data folder
(created 0600: only the teacher's account may read it), so a failure a teacher reports can be found afterwards.
A line holds a time, the process, an event name and fields that are ids, stages, numbers or error *types*.
Callers pass only those; as a guard :func:`event` also drops any value that cannot be one (a sentence, a path,
a file name with spaces), and :func:`failure` logs an exception's type and the frames of its traceback (file, line, function)
but not its message: a message may quote a file name or a transcript.
"""
from __future__ import annotations

import logging
import os
import re
import traceback
from pathlib import Path

LOG_FILE = "transkript.log"
MAX_BYTES = 5_000_000  # one rollover to transkript.log.1 when the log grows past this at start-up
logger = logging.getLogger("transkript")

_SAFE = re.compile(r"^[A-Za-z0-9_.:+-]{0,64}$")  # ids, stages, numbers, error types, states
_handlers: dict[Path, logging.Handler] = {}


def log_path(data_dir: str | os.PathLike | None = None) -> Path:
    from .settings import data_dir as default_data_dir

    return Path(data_dir or default_data_dir()).expanduser() / LOG_FILE


def setup(data_dir: str | os.PathLike | None = None, role: str = "app") -> Path:
    """Add the data folder's log file to the ``transkript`` logger (once per process and folder)."""
    path = log_path(data_dir)
    if path in _handlers:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name(LOG_FILE + ".1"))
    except FileNotFoundError:
        pass
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    os.chmod(path, 0o600)  # also when an older file was made with a wider mode
    handler = logging.FileHandler(path, encoding="utf-8", delay=False)
    handler.setFormatter(logging.Formatter(f"%(asctime)s {role}[%(process)d] %(levelname)s %(message)s"))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    _handlers[path] = handler
    return path


def close(data_dir: str | os.PathLike | None = None) -> None:
    """Detach the file handler of ``data_dir`` (tests use many data folders in one process)."""
    handler = _handlers.pop(log_path(data_dir), None)
    if handler is not None:
        logger.removeHandler(handler)
        handler.close()


def safe(value) -> str:
    """``value`` if it looks like an id, stage, number or type name; otherwise a placeholder."""
    text = value if isinstance(value, str) else repr(value) if isinstance(value, (int, float, bool)) else None
    if text is None and value is None:
        return "-"
    return text if text is not None and _SAFE.match(text) else "<weggelaten>"


def _fields(fields: dict) -> str:
    return " ".join(f"{key}={safe(value)}" for key, value in fields.items())


def event(_event: str, _level: int = logging.INFO, **fields) -> None:
    """One line: ``event key=value …`` — values that are not ids, stages or numbers are left out."""
    logger.log(_level, "%s %s", safe(_event), _fields(fields))


def error_type(exc: BaseException) -> str:
    return type(exc).__name__


def frames(exc: BaseException) -> str:
    """The traceback without messages or values: ``file:line in function`` per frame, innermost last."""
    out = []
    for f in traceback.extract_tb(exc.__traceback__):
        out.append(f"  {Path(f.filename).name}:{f.lineno} in {f.name}")
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        out.append(f"  caused by {error_type(cause)}")
        out += [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in traceback.extract_tb(cause.__traceback__)]
    return "\n".join(out)


def failure(where: str, exc: BaseException, **fields) -> None:
    """An exception: an engine error (``TranskriptError``, already told to the user) as one warning line; any
    other exception as an error with its traceback frames."""
    from .errors import TranskriptError

    if isinstance(exc, TranskriptError):
        logger.warning("%s failed error=%s %s", safe(where), error_type(exc), _fields(fields))
    else:
        logger.error("%s failed error=%s %s\n%s", safe(where), error_type(exc), _fields(fields), frames(exc))
