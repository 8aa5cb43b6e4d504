"""Invented conversations the rules were not tuned on first (tests/data/summary_heldout), scored by the shared
scorer: a check on generalisation beyond the four public ones."""
import json
from pathlib import Path

import pytest

from conftest import SHARED, score
from transkript_kernel.evaluation import turns_transcript
from transkript_kernel.summarize import summarize

HELDOUT = Path(__file__).parent / "data" / "summary_heldout" / "conversations"


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("heldout")
    out = {}
    for path in sorted(HELDOUT.glob("*.json")):
        conv = json.loads(path.read_text(encoding="utf-8"))
        summary = summarize(turns_transcript(conv))
        out[path.stem] = score("summary", summary.save(tmp / f"{path.stem}.json"), path)
        print(path.stem, json.dumps(out[path.stem], ensure_ascii=False))
    return out


def test_heldout_set_is_there(figures):
    assert len(figures) >= 4
    assert any("english" in k for k in figures)


@pytest.mark.parametrize("key,minimum", [("action_recall", 0.8), ("action_precision", 0.75),
                                         ("owner_accuracy", 0.8), ("concern_recall", 0.8), ("topic_recall", 0.8)])
def test_heldout_average_at_least(figures, key, minimum):
    mean = sum(f[key] for f in figures.values()) / len(figures)
    assert mean >= minimum, {k: f[key] for k, f in figures.items()}


def test_heldout_no_forbidden_phrases(figures):
    assert all(f["forbidden_phrases"] == [] for f in figures.values())
    assert SHARED.is_dir()
