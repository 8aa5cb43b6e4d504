"""What must match between a cluster batch's client and its workers, and the names both sides use: a worker whose
Transkript version, speech model or speech engine differs would make other transcripts than the coordinator's
machine, so it is refused. Imported by :mod:`.cluster` (client) and :mod:`.cluster_worker` (worker); imports
neither, and no ``distributed``.
"""
from __future__ import annotations

from pathlib import Path

PLUGIN_NAME = "transkript"  # the WorkerPlugin's name on every worker
EVENT_TOPIC = "transkript"  # workers say 'ready' or 'refused' on this Dask event topic


def fingerprint() -> dict[str, str]:
    """Transkript's version, the speech model's SHA-256 and the speech engine's versions: a worker that differs
    in any of these would make other transcripts than this machine, so it is refused."""
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__, asr
    from . import settings as settings_mod
    from . import weights

    model_dir = weights.resolve_model(settings_mod.get(asr.AsrSettings).model)
    engine = []
    for dist in ("faster-whisper", "ctranslate2"):
        try:
            engine.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            engine.append(f"{dist} ?")
    return {"transkript": __version__, "model": _model_sha(model_dir), "engine": ", ".join(engine)}


_MODEL_SHA: dict[str, str] = {}


def _model_sha(model_dir: Path) -> str:
    from .weights import DEFAULT_NAME, MODEL_SHA256, model_name

    if model_name(model_dir) == DEFAULT_NAME:  # assembled and checked against this hash when it was made
        return MODEL_SHA256
    key = str(model_dir.resolve())
    if key not in _MODEL_SHA:
        from .atomic import sha256_file

        _MODEL_SHA[key] = sha256_file(model_dir / "model.bin")
    return _MODEL_SHA[key]


def mismatch(mine: dict, expected: dict) -> tuple[str, str] | None:
    """(nl, en) naming what differs, or None."""
    names = {"transkript": ("Transkript-versie", "Transkript version"), "model": ("modelhash", "model hash"),
             "engine": ("spraakherkenning", "speech engine")}
    diff = [k for k in names if mine.get(k) != expected.get(k)]
    if not diff:
        return None
    nl = "; ".join(f"{names[k][0]} {mine.get(k)!s} ≠ {expected.get(k)!s}" for k in diff)
    en = "; ".join(f"{names[k][1]} {mine.get(k)!s} ≠ {expected.get(k)!s}" for k in diff)
    return nl, en
