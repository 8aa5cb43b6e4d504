"""Decode a recording into 16 kHz mono float32 samples, refusing what cannot be a usable conversation.

Everything a phone or laptop records goes through PyAV (FFmpeg bundled with faster-whisper), so no system
ffmpeg is needed at run time. The cheap checks (path, extension, size, container metadata, duration) come
before the expensive decode, so a 4-hour file or a text file renamed ``.m4a`` is refused in milliseconds.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from traitlets import Float
from traitlets.config import Configurable

from .atomic import sha256_file
from .errors import (AudioTooLongError, CorruptAudioError, EmptyAudioError, FileTooLargeError, InputError,
                     SilentAudioError, UnsupportedFormatError)
from .conversation import RECORDING_EXTENSIONS
from .formatting import clock

SAMPLE_RATE = 16000
SUPPORTED_EXTENSIONS = RECORDING_EXTENSIONS
SILENCE_DBFS = -60.0  # loudest 30 s window below this: nothing anyone could transcribe
TRUNCATED_RATIO = 0.9  # decoded less than this share of the announced duration: the file was cut off


class AudioSettings(Configurable):
    """What is accepted as a recording: checked here, before any decoding or model work.

    The limits belong to the audio checks, not to speech recognition: the app's upload, the command line and
    a batch all refuse the same files, and this module needs nothing from :mod:`.asr`.
    """

    max_duration_hours = Float(3.0, help="Longest recording accepted, in hours.").tag(config=True)
    max_upload_mb = Float(250.0, help="Largest recording file accepted, in megabytes. The app cannot take more than "
                          "256 MiB in one upload (its websocket limit).").tag(config=True)


@dataclass
class AudioClip:
    samples: np.ndarray = field(repr=False)  # float32, mono, ``sample_rate`` Hz
    sample_rate: int
    duration: float
    file_name: str  # name only: paths never end up in transcripts
    sha256: str


def _mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _limits(max_bytes, max_seconds) -> tuple[float, float]:
    """Explicit limits win; otherwise the configured ones (``AudioSettings``). 0 or less means no limit."""
    if max_bytes is None or max_seconds is None:
        from . import settings

        conf = settings.get(AudioSettings)
        if max_bytes is None:
            max_bytes = conf.max_upload_mb * 1e6
        if max_seconds is None:
            max_seconds = conf.max_duration_hours * 3600
    return (max_bytes if max_bytes and max_bytes > 0 else math.inf,
            max_seconds if max_seconds and max_seconds > 0 else math.inf)


def check_file(path, *, max_bytes=None) -> Path:
    """Path, extension and size checks that need no decoding; returns the path."""
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise InputError("Geef het pad van een opname op.", "Give the path of a recording.")
    path = Path(path).expanduser()
    name = path.name
    try:
        exists = path.exists()
    except OSError as exc:  # e.g. a name longer than the file system allows: Path.exists() raises, not False
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise InputError(f"'{shown}' is geen bruikbaar pad ({exc.strerror}).",
                         f"'{shown}' is not a usable path ({exc.strerror}).") from exc
    if not exists:
        raise InputError(f"Het bestand '{name}' bestaat niet (gezocht in {path.parent}).",
                         f"The file '{name}' does not exist (looked in {path.parent}).")
    if not path.is_file():
        raise InputError(f"'{name}' is geen bestand maar een map of apparaat.",
                         f"'{name}' is not a file but a directory or device.")
    if not os.access(path, os.R_OK):
        raise InputError(f"Het bestand '{name}' kan niet worden gelezen (geen leesrechten).",
                         f"The file '{name}' cannot be read (no read permission).")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        listed = ", ".join(e.lstrip(".") for e in SUPPORTED_EXTENSIONS)
        raise UnsupportedFormatError(
            f"'{name}' heeft een bestandstype dat Transkript niet leest ({suffix or 'geen extensie'}). "
            f"Gebruik een opname als {listed}.",
            f"'{name}' has a file type Transkript does not read ({suffix or 'no extension'}). "
            f"Use a recording as {listed}.")
    size = path.stat().st_size
    if size == 0:
        raise EmptyAudioError(f"Het bestand '{name}' is leeg (0 bytes). Is de opname goed opgeslagen?",
                              f"The file '{name}' is empty (0 bytes). Was the recording saved properly?")
    limit, _ = _limits(max_bytes, 0)
    if size > limit:
        raise FileTooLargeError(
            f"Het bestand '{name}' is te groot ({_mb(size)}; de grens is {_mb(limit)}). Knip de opname op of "
            "verhoog AudioSettings.max_upload_mb in de instellingen.",
            f"The file '{name}' is too large ({_mb(size)}; the limit is {_mb(limit)}). Split the recording or "
            "raise AudioSettings.max_upload_mb in the settings.")
    return path


def _corrupt(name: str, nl: str = "", en: str = "") -> CorruptAudioError:
    return CorruptAudioError(
        f"'{name}' is geen leesbare opname: het bestand is beschadigd, onvolledig of geen geluidsbestand"
        f"{f' ({nl})' if nl else ''}. Kopieer de opname opnieuw van het toestel.",
        f"'{name}' is not a readable recording: the file is damaged, incomplete or not audio"
        f"{f' ({en})' if en else ''}. Copy the recording from the device again.")


def _too_long(name: str, seconds: float, limit: float) -> AudioTooLongError:
    lasts, most = clock(seconds, hours=True), clock(limit, hours=True)
    return AudioTooLongError(
        f"De opname '{name}' duurt {lasts}; de grens is {most}. Knip de opname op of verhoog "
        "AudioSettings.max_duration_hours in de instellingen.",
        f"The recording '{name}' lasts {lasts}; the limit is {most}. Split the recording or "
        "raise AudioSettings.max_duration_hours in the settings.")


def probe_duration(container, stream) -> float | None:
    """Duration announced by the container (no decoding), or None when it does not say."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return None


def load(path, *, max_bytes=None, max_seconds=None) -> AudioClip:
    """Check and decode ``path``. Raises an :class:`~.errors.AudioError` subclass for every unusable input."""
    import av

    path = check_file(path, max_bytes=max_bytes)
    name = path.name
    _, limit_s = _limits(0, max_seconds)
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise _corrupt(name) from exc
    with container:
        if not container.streams.audio:
            raise _corrupt(name, "geen geluidsspoor", "no audio track")
        stream = container.streams.audio[0]
        announced = probe_duration(container, stream)
        if announced is not None and announced > limit_s:
            raise _too_long(name, announced, limit_s)
        samples = _decode(container, stream, name, limit_s)
    duration = len(samples) / SAMPLE_RATE
    if len(samples) == 0:
        if announced:  # the container promised sound but none could be decoded: the data part is gone
            raise _corrupt(name, "geen geluid te decoderen", "no decodable audio")
        raise EmptyAudioError(f"De opname '{name}' bevat geen geluid (duur 0 seconden).",
                              f"The recording '{name}' contains no audio (duration 0 seconds).")
    if announced and announced > 2.0 and duration < TRUNCATED_RATIO * announced:
        got, promised = clock(duration, hours=True), clock(announced, hours=True)
        raise _corrupt(name, f"afgebroken na {got} van de {promised}", f"cut off after {got} of {promised}")
    if loudest_dbfs(samples) < SILENCE_DBFS:
        raise SilentAudioError(f"De opname '{name}' is stil: er is niets te horen. Was de microfoon aan?",
                               f"The recording '{name}' is silent: there is nothing to hear. Was the microphone on?")
    return AudioClip(samples=samples, sample_rate=SAMPLE_RATE, duration=duration, file_name=name,
                     sha256=sha256_file(path))


def _decode(container, stream, name: str, limit_s: float) -> np.ndarray:
    """Resample to 16 kHz mono s16 (as faster-whisper's own decoder does) and stop once over the limit."""
    import av

    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    bad_frames = 0
    limit_samples = limit_s * SAMPLE_RATE
    frames = container.decode(stream)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            frame = None
        except av.error.InvalidDataError:
            bad_frames += 1  # a damaged frame in a long phone recording: skip it, as ffmpeg does
            if bad_frames > 50:
                raise _corrupt(name)
            continue
        except av.error.FFmpegError as exc:
            raise _corrupt(name) from exc
        if frame is not None:
            frame.pts = None  # some phones write non-monotonic timestamps; order is what counts
        for out in resampler.resample(frame):
            array = out.to_ndarray().reshape(-1)
            chunks.append(array)
            total += array.size
        if total > limit_samples:
            raise _too_long(name, total / SAMPLE_RATE, limit_s)
        if frame is None:
            break
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def loudest_dbfs(samples: np.ndarray, window: int = 30 * SAMPLE_RATE) -> float:
    """RMS level of the loudest window in dB full scale: a few words in a long quiet file still count."""
    loudest = 0.0
    for start in range(0, len(samples), window):
        part = samples[start:start + window]
        loudest = max(loudest, float(np.sqrt(np.mean(np.square(part, dtype=np.float64)))))
    return 20 * math.log10(loudest) if loudest > 0 else -math.inf
