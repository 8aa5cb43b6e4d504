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


# --- the corpus: tests/data/corpus/{train,dev,test} ---------------------------------------------------------
SPLITS = ("train", "dev", "test")
CORPUS_METRICS = ("action_recall", "action_precision", "owner_accuracy", "concern_recall", "concern_precision",
                  "topic_recall", "topic_precision", "proposal_recall", "invented_words", "mean_action_words", "actions")


def corpus_files(corpus: str | Path, split: str) -> list[Path]:
    """The conversations of one split (``train``, ``dev``, ``test``) or of ``all`` of them, in name order."""
    corpus = Path(corpus)
    if split not in SPLITS + ("all",):
        raise InputError(f"Onbekende split {split!r}; kies uit {', '.join(SPLITS)} of all.",
                         f"Unknown split {split!r}; choose from {', '.join(SPLITS)} or all.")
    splits = SPLITS if split == "all" else (split,)
    files = [p for s in splits for p in sorted((corpus / s).glob("*.json"))]
    if not files:
        raise InputError(f"Geen gesprekken in {corpus} (split {split}).", f"No conversations in {corpus} (split {split}).")
    return files


def asr_transcript(asr_dir: Path, conv_path: Path):
    """The committed ASR fixture of one corpus conversation (``<asr_dir>/<split>/<id>.json``), or None."""
    from .transcript import Transcript

    path = Path(asr_dir) / conv_path.parent.name / conv_path.name
    return Transcript.load(path) if path.is_file() else None


def topic_precision(summary, conv: dict, scorer) -> float:
    """Share of the named topic terms (the words after a topic's label, 'Lezen: avi, dmt' -> avi, dmt; or the
    whole text of a topic without label) that name an expected topic (any alternative of any topic). The label
    itself does not count: it is the lexicon's, and it would match whatever the terms were. A term that matches
    no expected topic is noise ('Sociaal-emotioneel: alleen')."""
    expected = [k for keys in conv["expected"]["topics"] for k in keys]
    terms = []
    for t in summary.topics:
        if getattr(t, "include", None) is False:
            continue
        text = t.text.split(":", 1)[1] if ":" in t.text else t.text
        terms += [x.strip().lower() for x in text.split(",") if x.strip()]
    if not terms:
        return 1.0
    return sum(1 for term in terms if any(scorer.has_key(term, k) or k.lower() in term or term in k.lower()
                                          for k in expected)) / len(terms)


def concern_precision(summary, conv: dict, scorer) -> float:
    """Share of the kept concerns whose text holds a key of some expected concern (the scorer's ``has_key``).
    The scorer itself only counts concern recall, which more concerns can only raise; this keeps the other side
    of that trade in view. Lenient like the recall (one key suffices); 1.0 when no concern is kept."""
    kept = [c for c in summary.concerns if getattr(c, "include", None) is not False]
    if not kept:
        return 1.0
    keys = [k for ks in conv["expected"]["concerns"] for k in ks]
    return sum(1 for c in kept if any(scorer.has_key(scorer.item_text(c.to_dict()), k) for k in keys)) / len(kept)


def action_hits(summary, conv: dict, scorer) -> list[tuple[bool, bool]]:
    """(check, useful) per proposed action: does the item match an expected action? For the check mark's worth."""
    wanted = conv["expected"]["actions"]
    return [(bool(getattr(a, "check", False)), any(scorer.matches(scorer.item_text(a.to_dict()), w["keys"])
                                                   for w in wanted)) for a in summary.actions]


def evaluate_corpus(corpus: str | Path, split: str = "dev", *, asr: str | Path | None = None,
                    backend: str = "extractive", scorer_dir: str | Path | None = None, **options):
    """One row per conversation of ``split`` with the scorer's figures plus topic precision and invented words;
    ``asr``: a folder of ASR fixtures to summarise instead of the perfect transcripts (missing ones are skipped).
    Returns (table, hits): ``hits`` the (check, useful) pairs of every proposed action."""
    import pandas as pd

    from .extractive.grounding import invented_words
    from .summarize import summarize

    scorer = load_scorer(scorer_dir or _shared_eval())
    rows, hits = [], []
    for path in corpus_files(corpus, split):
        conv = json.loads(path.read_text(encoding="utf-8"))
        transcript = asr_transcript(Path(asr), path) if asr else turns_transcript(conv)
        if transcript is None:
            continue
        summary = summarize(transcript, backend=backend, **options)
        figures = score(summary, conv, scorer)
        row = {"conversation": path.stem, "split": path.parent.name,
               **{k: figures[k] for k in CORPUS_METRICS if k in figures}}
        row["topic_precision"] = round(topic_precision(summary, conv, scorer), 4)
        row["concern_precision"] = round(concern_precision(summary, conv, scorer), 4)
        row["invented_words"] = len(invented_words(summary, transcript))
        rows.append(row)
        hits += action_hits(summary, conv, scorer)
    if not rows:
        raise InputError(f"Geen transcripten gevonden voor split {split}.", f"No transcripts found for split {split}.")
    return pd.DataFrame(rows).set_index("conversation")[["split", *CORPUS_METRICS]], hits


def check_precision(hits: list[tuple[bool, bool]]) -> dict:
    """Precision of actions marked 'controleer' and of unmarked ones (all proposals, ticked or not)."""
    out = {}
    for name, flag in (("unmarked", False), ("check", True)):
        part = [useful for check, useful in hits if check is flag]
        out[name] = (round(sum(part) / len(part), 3) if part else None, len(part))
    return out


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
