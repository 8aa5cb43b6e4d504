"""Report, prompt and label templates, shipped as package data (imported as ``transkript_templates``)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    return ROOT.joinpath(*parts)
