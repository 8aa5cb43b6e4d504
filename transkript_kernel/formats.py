"""A transcript as text people open elsewhere: plain text, SubRip and WebVTT subtitles, or the JSON contract.

Speaker labels are written as they stand in the transcript (``Juf Sanne: ...``); segments without a known
speaker are written bare. Subtitle cue numbers follow the segment ids, so a cue can be traced back.
"""
from __future__ import annotations

from .formatting import timestamp as _timestamp
from .transcript import Transcript

FORMATS = ("json", "txt", "srt", "vtt")


def _line(transcript: Transcript, segment) -> str:
    label = transcript.label_of(segment.speaker) or segment.speaker
    return f"{label}: {segment.text.strip()}" if label else segment.text.strip()


def to_txt(transcript: Transcript) -> str:
    return "".join(f"[{_timestamp(s.start, '.')[:-4]}] {_line(transcript, s)}\n" for s in transcript.segments)


def to_srt(transcript: Transcript) -> str:
    cues = [f"{s.id + 1}\n{_timestamp(s.start, ',')} --> {_timestamp(s.end, ',')}\n{_line(transcript, s)}\n"
            for s in transcript.segments]
    return "\n".join(cues)


def to_vtt(transcript: Transcript) -> str:
    cues = [f"{s.id}\n{_timestamp(s.start, '.')} --> {_timestamp(s.end, '.')}\n"
            f"{_line(transcript, s).replace('-->', '→')}\n" for s in transcript.segments]
    return "WEBVTT\n\n" + "\n".join(cues)


def to_json(transcript: Transcript) -> str:
    return transcript.to_json() + "\n"


def render(transcript: Transcript, fmt: str = "json") -> str:
    """The transcript in ``fmt`` (one of :data:`FORMATS`)."""
    writers = {"json": to_json, "txt": to_txt, "srt": to_srt, "vtt": to_vtt}
    if fmt not in writers:
        from .errors import InputError

        raise InputError(f"Onbekend formaat '{fmt}': kies uit {', '.join(FORMATS)}.",
                         f"Unknown format '{fmt}': choose from {', '.join(FORMATS)}.")
    return writers[fmt](transcript)


def format_for(path, default: str = "json") -> str:
    """The format a file name asks for by its extension (``.srt`` -> srt), else ``default``."""
    suffix = str(path).rsplit(".", 1)[-1].lower() if "." in str(path) else ""
    return suffix if suffix in FORMATS else default
