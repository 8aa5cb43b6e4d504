"""The messages between the queue service and the worker process (a ``multiprocessing`` pipe, pickled).

service → worker
    ``Run(job_id, conversation_id, speakers)``: process this conversation (``pipeline.process_conversation``).
    ``Shutdown()``: finish and exit.
worker → service
    ``Ready(pid, warm_seconds)``: models loaded (sent once, after start-up; jobs sent before it simply wait).
    ``Progress(job_id, stage, fraction)``: the pipeline's own ``progress(stage, fraction)``, ``stage`` in
    ``pipeline.PROCESS_STAGES``, ``fraction`` 0–1 within the stage.
    ``Result(job_id, conversation_id, version, reused, seconds)``: stored; ``version`` is the summary version.
    ``Error(job_id, error_type, nl, en)``: the engine's message (a ``TranskriptError``) in both languages; any
    other exception arrives as its type with a general message (the traceback is in the log).

A worker that dies sends nothing: the service notices the closed pipe or the exit code.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    job_id: str
    conversation_id: str
    speakers: str = "auto"


@dataclass(frozen=True)
class Shutdown:
    pass


@dataclass(frozen=True)
class Ready:
    pid: int
    warm_seconds: float


@dataclass(frozen=True)
class Progress:
    job_id: str
    stage: str
    fraction: float


@dataclass(frozen=True)
class Result:
    job_id: str
    conversation_id: str
    version: int | None
    reused: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class Error:
    job_id: str
    error_type: str
    nl: str
    en: str
