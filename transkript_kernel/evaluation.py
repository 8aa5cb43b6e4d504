"""Score summary backends on a folder of scripted conversations (the layout of ``../shared/eval``).

The figures must be the scorer's own, so the folder's ``score.py`` is imported and used as is: its
``ref_transcript`` builds the perfect transcripts, its ``score_summary`` scores. A folder without audio
references gets transcripts built from the conversation's turns (timings estimated from word counts).
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from .errors import InputError

METRICS = ("action_recall", "action_precision", "owner_accuracy", "concern_recall", "topic_recall",
           "mean_action_words", "actions", "warnings")


def load_scorer(directory: str | Path):
    """The ``score.py`` of an eval folder, imported as a module."""
    path = Path(directory) / "score.py"
    if not path.is_file():
        raise InputError(f"Geen score.py gevonden in {directory}.", f"No score.py found in {directory}.")
    name = f"_transkript_scorer_{abs(hash(str(path.resolve())))}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module


def conversations(directory: str | Path) -> list[Path]:
    folder = Path(directory) / "conversations"
    if not folder.is_dir():
        raise InputError(f"{directory} heeft geen map 'conversations'.", f"{directory} has no 'conversations' folder.")
    return sorted(folder.glob("*.json"))


def turns_transcript(conv: dict):
    """A transcript straight from a conversation's turns, for folders without audio references."""
    from .transcript import ROLES, Segment, Speaker, Transcript

    roles = sorted({r for r, _ in conv["turns"]})
    speakers = {f"S{i + 1}": Speaker(conv.get("speakers", {}).get(r, r), r if r in ROLES else None)
                for i, r in enumerate(roles)}
    by_role = {sp.role or lab: k for (k, sp), lab in zip(speakers.items(), roles)}
    segments, t = [], 0.0
    for i, (role, text) in enumerate(conv["turns"]):
        dur = max(1.0, 0.4 * len(text.split()))
        segments.append(Segment(i, round(t, 3), round(t + dur, 3), text, by_role.get(role)))
        t += dur + 0.5
    return Transcript(conv.get("language", "nl"), round(t, 3), segments, speakers)


def reference_transcript(directory: str | Path, conv_path: Path, scorer=None):
    """The perfect transcript of one conversation, made by the folder's own scorer when audio refs exist."""
    from .transcript import Transcript

    conv = json.loads(Path(conv_path).read_text(encoding="utf-8"))
    ref = Path(directory) / "audio" / f"{conv_path.stem}.ref.json"
    if ref.is_file():
        scorer = scorer or load_scorer(directory)
        data = json.loads(ref.read_text(encoding="utf-8"))
        return Transcript.from_dict(scorer.ref_transcript(data, conv)), conv
    return turns_transcript(conv), conv


def score(summary, conv: dict, scorer) -> dict:
    return scorer.score_summary(summary.to_dict(), conv)


def evaluate(directory: str | Path, *, backend: str = "extractive", scorer_dir: str | Path | None = None,
             transcripts: dict | None = None, **options):
    """One row of scorer figures per conversation (pandas DataFrame), in file order."""
    import pandas as pd

    from .summarize import summarize

    directory = Path(directory)
    scorer = load_scorer(scorer_dir or (directory if (directory / "score.py").is_file() else _shared_eval()))
    rows = []
    for path in conversations(directory):
        transcript, conv = reference_transcript(directory, path, scorer)
        if transcripts and path.stem in transcripts:
            transcript = transcripts[path.stem]
        summary = summarize(transcript, backend=backend, **options)
        figures = score(summary, conv, scorer)
        rows.append({"conversation": path.stem, **{k: figures[k] for k in METRICS},
                     "forbidden": len(figures["forbidden_phrases"]), "evidence_ok": figures["all_items_have_evidence"]})
    if not rows:
        raise InputError(f"Geen gesprekken gevonden in {directory}.", f"No conversations found in {directory}.")
    return pd.DataFrame(rows).set_index("conversation")


def with_mean(table):
    """``table`` plus a 'mean' row over the numeric columns."""
    mean = table.mean(numeric_only=True)
    out = table.copy()
    out.loc["mean"] = mean
    return out


def _shared_eval() -> Path:
    """Where ../shared/eval lives relative to the project, for folders that bring no scorer of their own."""
    import os

    env = os.environ.get("TRANSKRIPT_SHARED")
    if env:
        return Path(env) / "eval"
    return Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
