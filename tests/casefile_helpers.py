"""Shared helpers for the tests/test_casefile_*.py files: invented pupils only, never real data."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from transkript_kernel.casefile import consent
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.summary import Action, Concern, Summary, Topic
from transkript_kernel.transcript import Segment, Speaker, Transcript

ODD_NAMES = ["Zoë O'Brien-Ağaoğlu", 'Noé "de Kleine" Janssen', "../../etc/passwd",
             "Daan; DROP TABLE conversations;--"]


def open_archive(data: Path | None = None) -> Archive:
    return Archive(data)


def new_conversation(archive: Archive, *, pupil: str = "Daan Testkind", given: bool = True, **kw):
    kw.setdefault("date", "2026-10-05")
    kw.setdefault("kind", "tienminutengesprek")
    kw.setdefault("group", "groep 5")
    record = consent.record(given, "ouder", how="schriftelijk", name="Moeder Testkind")
    return archive.create(pupil=pupil, consent=record, **kw)


def fake_audio(path: Path, seed: int = 0, size: int = 4096) -> Path:
    """Import does not decode audio, so bytes with a distinct hash are enough (process tests use real audio)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF" + seed.to_bytes(4, "little") + os.urandom(size))
    return path


def transcript(words: str = "Daan leest langzaam. Extra leesoefening met de remedial teacher.") -> Transcript:
    sentences = [s.strip() + "." for s in words.split(".") if s.strip()]
    return Transcript(language="nl", duration=2.0 * len(sentences),
                      speakers={"S1": Speaker("Juf Sanne", "docent"), "S2": Speaker("Moeder", "ouder")},
                      segments=[Segment(i, 2.0 * i, 2.0 * i + 1.8, s, "S1" if i % 2 == 0 else "S2")
                                for i, s in enumerate(sentences)],
                      source={"file": "gesprek.wav", "sha256": "0" * 64})


def summary(topic: str = "Lezen gaat langzaam", action: str = "Drie keer per week extra lezen") -> Summary:
    return Summary(language="nl", backend="extractive", topics=[Topic(topic, [0])],
                   concerns=[Concern("Moeder maakt zich zorgen over het lezen", "ouder", [1])],
                   actions=[Action(action, "docent", "volgende week", [1])])


def cli(*args: str, data: Path | None = None, check: bool = False, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if data is not None:
        env["TRANSKRIPT_DATA"] = str(data)
    return subprocess.run([sys.executable, "-m", "transkript_kernel", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, check=check, **kw)


def all_files(data: Path) -> list[Path]:
    root = data / "conversations"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
