"""From a recording to a transcript with speakers: the steps every face (CLI, app, batch) runs.

Progress is reported as ``progress(stage, fraction)`` with stage ``"transcribe"`` or ``"speakers"`` and
fraction in [0, 1] *within* that stage, so a UI can show "transcriberen 40 %" and then "sprekers 10 %".
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from .transcript import Transcript

Progress = Optional[Callable[[str, float], None]]


def transcribe_file(path: str | Path, *, language: str = "nl", task: str = "transcribe", model: str | None = None,
                    speakers: str | int = "auto", progress: Progress = None, **asr_options) -> Transcript:
    """Decode, check, transcribe and attribute speakers. Raises :class:`~.errors.TranskriptError` subclasses."""
    from . import asr, audio
    from . import speakers as speakers_mod

    clip = audio.load(path)
    transcript = asr.transcribe(clip, language=language, task=task, model=model,
                                progress=_stage(progress, "transcribe"), **asr_options)
    return speakers_mod.attribute(transcript, clip, mode=speakers, progress=_stage(progress, "speakers"))


def _stage(progress: Progress, stage: str) -> Callable[[float], None] | None:
    if progress is None:
        return None
    return lambda fraction: progress(stage, min(1.0, max(0.0, fraction)))
