"""``transkript eval --corpus DIR --split S``: the corpus table per split, scored by the shared scorer itself.

These tests copy a few *train* conversations into a temporary corpus: they never read the sealed test split.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import EVAL, ROOT

TRAIN = Path(__file__).parent / "data" / "corpus" / "train"
COLUMNS = ("action_recall", "action_precision", "owner_accuracy", "concern_recall", "concern_precision", "topic_recall",
           "topic_precision", "proposal_recall", "invented_words", "mean_action_words")


def _run(*args):
    return subprocess.run([sys.executable, "-m", "transkript_kernel", *args], capture_output=True, text=True,
                          cwd=ROOT)


def _corpus(tmp_path, n=3):
    files = sorted(TRAIN.glob("*.json"))[:n]
    for split, group in (("train", files[:-1]), ("dev", files[-1:])):
        (tmp_path / split).mkdir(parents=True)
        for f in group:
            shutil.copy(f, tmp_path / split)
    return tmp_path, files


def test_corpus_table_per_split_has_every_column_and_the_mean(tmp_path):
    corpus, files = _corpus(tmp_path)
    csv = tmp_path / "t.csv"
    out = _run("eval", "--corpus", str(corpus), "--split", "train", "--scorer", str(EVAL), "--csv", str(csv))
    assert out.returncode == 0, out.stderr
    header = out.stdout.splitlines()[0].split()
    for column in COLUMNS:
        assert column in header
    import pandas as pd

    table = pd.read_csv(csv, index_col=0)
    assert set(table.index) == {f.stem for f in files[:-1]} | {"mean"}
    rows = table.drop("mean")
    assert abs(table.loc["mean", "action_recall"] - rows["action_recall"].mean()) < 1e-6
    assert table.loc["mean", "invented_words"] == rows["invented_words"].sum()
    assert "controleer" in out.stdout


def test_corpus_figures_equal_the_scorer_run_by_hand(tmp_path):
    from transkript_kernel.evaluation import evaluate_corpus, load_scorer, turns_transcript
    from transkript_kernel.summarize import summarize

    corpus, files = _corpus(tmp_path)
    table, hits = evaluate_corpus(corpus, "dev", scorer_dir=EVAL)
    conv = json.loads(files[-1].read_text(encoding="utf-8"))
    by_hand = load_scorer(EVAL).score_summary(summarize(turns_transcript(conv)).to_dict(), conv)
    for key in ("action_recall", "action_precision", "owner_accuracy", "concern_recall", "topic_recall",
                "proposal_recall"):
        assert table.loc[files[-1].stem, key] == by_hand[key]
    assert len(hits) >= by_hand["actions"]


def test_unknown_or_empty_split_is_refused_in_both_languages(tmp_path):
    corpus, _ = _corpus(tmp_path)
    out = _run("eval", "--corpus", str(corpus), "--split", "test", "--scorer", str(EVAL))
    assert out.returncode == 2 and "Geen gesprekken" in out.stderr and "No conversations" in out.stderr
    out = _run("eval", "--corpus", str(corpus), "--split", "train", "--asr", str(tmp_path / "none"),
               "--scorer", str(EVAL))
    assert out.returncode == 2 and "Geen transcripten" in out.stderr and "No transcripts" in out.stderr


def test_topic_precision_counts_terms_not_labels():
    from transkript_kernel.evaluation import load_scorer, topic_precision
    from transkript_kernel.summary import Summary, Topic

    conv = {"expected": {"topics": [["lezen", "avi"], ["rekenen"]]}}
    s = Summary("nl", "x", topics=[Topic("Lezen: avi, dmt", [0]), Topic("Sociaal-emotioneel: alleen", [1])])
    assert topic_precision(s, conv, load_scorer(EVAL)) == 1 / 3


def test_concern_precision_counts_kept_concerns_that_name_an_expected_one():
    from transkript_kernel.evaluation import concern_precision, load_scorer
    from transkript_kernel.summary import Concern, Summary

    conv = {"expected": {"concerns": [["lezen", "avi"], ["gepest"]]}}
    s = Summary("nl", "x", concerns=[Concern("Ze leest langzaam op avi", "docent", [0]),
                                     Concern("Het verlof is goedgekeurd", "docent", [1])])
    assert concern_precision(s, conv, load_scorer(EVAL)) == 0.5
    s.concerns[1].include = False
    assert concern_precision(s, conv, load_scorer(EVAL)) == 1.0
