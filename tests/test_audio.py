"""Decoding recordings as people have them, and refusing bad ones with a clear two-language message."""
import hashlib
import json
import shutil

import numpy as np
import pytest

from conftest import EVAL, ffmpeg
from transkript_kernel import audio, settings
from transkript_kernel.errors import (AudioError, AudioTooLongError, CorruptAudioError, EmptyAudioError,
                                      FileTooLargeError, InputError, SilentAudioError, UnsupportedFormatError)

WAV = EVAL / "audio" / "pub01-lezen-groep5.wav"
M4A = EVAL / "audio" / "pub01-lezen-groep5.m4a"


@pytest.fixture(scope="module")
def tone_wav(tmp_path_factory):
    """Three seconds of a 440 Hz tone: sound, but cheap to encode into every format."""
    path = tmp_path_factory.mktemp("tone") / "tone.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=3", "-ac", "2", path)
    return path


def assert_two_languages(exc: AudioError):
    assert exc.nl and exc.en and exc.nl != exc.en
    assert exc.exit_code != 0


def test_public_recordings_decode_to_16k_mono_float32():
    ref = json.loads((EVAL / "audio" / "pub01-lezen-groep5.ref.json").read_text())
    for path in (WAV, M4A):
        clip = audio.load(path)
        assert clip.sample_rate == 16000
        assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
        assert abs(clip.duration - ref["duration_s"]) < 0.5
        assert clip.file_name == path.name
        assert clip.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert 0.01 < float(np.abs(clip.samples).max()) <= 1.0


ENCODINGS = {  # extension -> ffmpeg output options, as phones and browsers save them
    ".m4a": ["-c:a", "aac"], ".aac": ["-c:a", "aac", "-f", "adts"], ".mp3": ["-c:a", "libmp3lame"],
    ".wav": [], ".ogg": ["-c:a", "libvorbis"], ".opus": ["-c:a", "libopus"],
    ".webm": ["-c:a", "libopus"], ".flac": ["-c:a", "flac"], ".mp4": ["-c:a", "aac"],
}


def test_every_supported_extension_decodes(tone_wav, tmp_path):
    assert set(ENCODINGS) == set(audio.SUPPORTED_EXTENSIONS)
    for ext, opts in ENCODINGS.items():
        path = tmp_path / f"tone{ext}"
        ffmpeg("-i", tone_wav, *opts, path)
        clip = audio.load(path)
        assert abs(clip.duration - 3.0) < 0.15, ext
        assert clip.sample_rate == 16000 and clip.samples.dtype == np.float32


def test_upper_case_extension_and_odd_names(tmp_path):
    odd = tmp_path / "map met spaties" / "gesprek juf Zoë 'ouder' (1) ç.M4A"
    odd.parent.mkdir()
    shutil.copy(M4A, odd)
    clip = audio.load(odd)
    assert clip.file_name == odd.name
    dotted = tmp_path / "map met spaties" / ".." / "map met spaties" / odd.name  # ../ in the path
    assert audio.load(str(dotted)).file_name == odd.name  # name only: no directory ever leaks


def test_empty_file(tmp_path):
    path = tmp_path / "leeg.m4a"
    path.write_bytes(b"")
    with pytest.raises(EmptyAudioError) as err:
        audio.load(path)
    assert "leeg" in err.value.nl and "empty" in err.value.en
    assert_two_languages(err.value)


def test_zero_length_audio(tmp_path):
    path = tmp_path / "nul.wav"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "0", path)
    with pytest.raises(EmptyAudioError) as err:
        audio.load(path)
    assert_two_languages(err.value)


def test_text_file_renamed_m4a(tmp_path):
    path = tmp_path / "notities.m4a"
    path.write_text("Dit is geen opname maar een tekstbestand.\n" * 20)
    with pytest.raises(CorruptAudioError) as err:
        audio.load(path)
    assert "notities.m4a" in err.value.nl and "not a readable recording" in err.value.en
    assert_two_languages(err.value)


def test_truncated_m4a_without_index(tmp_path):
    path = tmp_path / "afgebroken.m4a"  # index (moov) at the end, as most recorders write it: cut off
    path.write_bytes(M4A.read_bytes()[:300_000])
    with pytest.raises(CorruptAudioError):
        audio.load(path)


def test_truncated_m4a_with_index_first(tmp_path):
    whole = tmp_path / "faststart.m4a"  # index first: the container still promises the full duration
    ffmpeg("-i", WAV, "-c:a", "aac", "-movflags", "+faststart", whole)
    path = tmp_path / "afgebroken.m4a"
    path.write_bytes(whole.read_bytes()[:200_000])
    with pytest.raises(CorruptAudioError) as err:
        audio.load(path)
    assert "afgebroken" in err.value.nl and "cut off" in err.value.en


def test_pure_silence(tmp_path):
    path = tmp_path / "stil.m4a"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "20", "-c:a", "aac", path)
    with pytest.raises(SilentAudioError) as err:
        audio.load(path)
    assert "stil" in err.value.nl and "silent" in err.value.en


def test_quiet_speech_is_not_silence(tmp_path):
    path = tmp_path / "zacht.wav"  # -30 dB: quiet phone on the table, still speech
    ffmpeg("-i", WAV, "-af", "volume=-30dB", path)
    assert audio.load(path).duration > 100


def test_four_hour_file_is_refused_from_metadata_before_decoding(tmp_path, monkeypatch):
    minute = tmp_path / "minuut.ogg"  # encode one minute, then repeat it by stream copy: a real 4-hour file, cheaply
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "60", "-c:a", "libopus", "-b:a", "6k", minute)
    path = tmp_path / "vier uur.ogg"
    ffmpeg("-stream_loop", "239", "-i", minute, "-c", "copy", path)

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded a file that the metadata already ruled out")

    monkeypatch.setattr(audio, "_decode", no_decoding)
    with pytest.raises(AudioTooLongError) as err:
        audio.load(path)  # the configured default limit (3 hours)
    assert "4:00:00" in err.value.nl and "3:00:00" in err.value.en
    assert_two_languages(err.value)


def test_duration_limit_is_configurable(tmp_path):
    with pytest.raises(AudioTooLongError):
        audio.load(WAV, max_seconds=60)
    settings.save_config({"AudioSettings": {"max_duration_hours": 0.01}})  # 36 s, in the test's data dir
    with pytest.raises(AudioTooLongError):
        audio.load(WAV)


def test_duration_limit_holds_without_metadata(monkeypatch):
    monkeypatch.setattr(audio, "probe_duration", lambda container, stream: None)
    with pytest.raises(AudioTooLongError):
        audio.load(M4A, max_seconds=30)


def test_size_limit(tmp_path):
    with pytest.raises(FileTooLargeError) as err:
        audio.load(M4A, max_bytes=100_000)
    assert_two_languages(err.value)
    settings.save_config({"AudioSettings": {"max_upload_mb": 0.5}})
    with pytest.raises(FileTooLargeError):
        audio.load(M4A)


def test_unreadable_paths(tmp_path):
    with pytest.raises(InputError) as err:
        audio.load(tmp_path / "bestaat niet.m4a")
    assert "bestaat niet" in err.value.nl and "does not exist" in err.value.en
    folder = tmp_path / "map.m4a"
    folder.mkdir()
    with pytest.raises(InputError):
        audio.load(folder)
    with pytest.raises(InputError):
        audio.load("")
    with pytest.raises(InputError):
        audio.load(None)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "verslag.docx"
    shutil.copy(M4A, path)
    with pytest.raises(UnsupportedFormatError) as err:
        audio.load(path)
    assert "m4a" in err.value.nl and "m4a" in err.value.en
