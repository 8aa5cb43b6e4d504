"""Uncertainty the teacher can see: every action has confidence, check ('controleer') and include (= not check);
the mark means something (on dev, marked items are far less often right than unmarked ones)."""
import json
from pathlib import Path

import pytest

from conftest import EVAL
from transkript_kernel.evaluation import check_precision, evaluate_corpus
from transkript_kernel.extractive import scoring
from transkript_kernel.summarize import summarize
from transkript_kernel.summary import Action, Concern, Summary, Topic
from transkript_kernel.transcript import Segment, Speaker, Transcript, Word

CORPUS = Path(__file__).parent / "data" / "corpus"


def _talk(turns, words=None):
    sp = {"S1": Speaker("Juf Ilse", "docent"), "S2": Speaker("moeder van Noor", "ouder")}
    segs = [Segment(i, 5.5 * i, 5.5 * i + 5, text, "S1" if who == "docent" else "S2",
                    words[i] if words and i in words else None) for i, (who, text) in enumerate(turns)]
    return Transcript("nl", 5.5 * len(turns), segs, sp)


TALK = [("docent", "Ik bel u vrijdag na schooltijd over de toets van Noor."), ("ouder", "Goed, dat is prima."),
        ("ouder", "Ik lees elke avond een kwartier met haar."), ("docent", "Fijn.")]


def test_every_action_has_confidence_check_and_include():
    s = summarize(_talk(TALK))
    assert s.actions
    for a in s.actions:
        assert 0.0 <= a.confidence <= 1.0 and isinstance(a.check, bool) and a.include is (not a.check)
        d = a.to_dict()
        assert {"confidence", "check", "include"} <= set(d)


def _recognised(unsure=(), p=0.2):
    """TALK as the recogniser wrote it: every word sure (0.95) but those in ``unsure`` (probability ``p``)."""
    words = {i: [Word(0.1 * k, 0.1 * k + 0.1, w, p if w.strip(".") in unsure else 0.95)
                 for k, w in enumerate(text.split())] for i, (_, text) in enumerate(TALK)}
    return _talk(TALK, words)


def test_doubtful_words_in_the_item_lower_its_confidence_and_a_garbled_item_is_marked():
    first = summarize(_talk(TALK)).actions[0]
    assert first.include and "vrijdag" in f"{first.text} {first.due}"

    def same(summary):
        return next(a for a in summary.actions if a.evidence == first.evidence)

    assert same(summarize(_recognised())).confidence == first.confidence  # sure words: no change
    one = same(summarize(_recognised({"vrijdag"})))
    assert one.confidence < first.confidence
    garbled = same(summarize(_recognised({"vrijdag", "bel", "toets", "Noor", "schooltijd"}, p=0.05)))
    assert garbled.check and not garbled.include and garbled.confidence < one.confidence
    barely = same(summarize(_recognised({"vrijdag"}, p=0.45)))  # just under the doubt threshold: counts less
    assert one.confidence < barely.confidence < first.confidence


def test_unsure_words_outside_the_item_do_not_mark_it():
    """Real recogniser output has unsure words in nearly every segment ('eh', a name, a filler): only the words
    the item itself holds count, or every item made from a recording would be unticked."""
    first = summarize(_talk(TALK)).actions[0]
    said = {w for w in TALK[0][1].strip(".").split()}
    item = {w.strip(".,").lower() for w in f"{first.text} {first.due}".split()}
    outside = {w for w in said if w.lower() not in item}
    assert outside, "the test needs words of the segment that the item leaves out"
    same = next(a for a in summarize(_recognised(outside)).actions if a.evidence == first.evidence)
    assert same.confidence == first.confidence and same.include


def test_weights_are_plain_data_fitted_on_train(monkeypatch):
    from transkript_kernel import extractive

    m = json.loads(scoring.WEIGHTS.read_text(encoding="utf-8"))
    assert m["trained_on"] == "train" and 0 < m["threshold"] < 1
    assert all(isinstance(v, (int, float)) for v in m["weights"].values())
    seen = []
    original = extractive.judge
    monkeypatch.setattr(extractive, "judge", lambda an, cd, a: (seen.append(scoring.features(an, cd, a)),
                                                                original(an, cd, a)))
    summarize(_talk(TALK))
    assert seen and all(set(f) == set(m["weights"]) for f in seen)  # every weight names a feature, and back
    assert scoring.probability({}, {"bias": 0.0, "weights": {}, "threshold": 0.5}) == 0.5
    assert scoring.probability({"due": 1.0}, {"bias": 0.0, "weights": {"due": 3.0}}) > 0.9


def test_included_keeps_only_ticked_items_and_absent_means_included():
    s = Summary("nl", "x", topics=[Topic("a", [0]), Topic("b", [0], include=False)],
                concerns=[Concern("c", "ouder", [0], check=True, include=False)],
                actions=[Action("d", "docent", None, [0], 0.9, False, True), Action("e", None, None, [0], 0.1, True, False)])
    kept = s.included()
    assert [t.text for t in kept.topics] == ["a"] and kept.concerns == [] and [a.text for a in kept.actions] == ["d"]
    assert len(s.actions) == 2  # the original keeps every proposal
    again = Summary.from_dict(s.to_dict())
    assert again.actions[1].include is False and again.actions[0].confidence == 0.9


def test_on_dev_the_mark_means_lower_precision():
    _, hits = evaluate_corpus(CORPUS, "dev", scorer_dir=EVAL)
    worth = check_precision(hits)
    (unmarked, n_unmarked), (marked, n_marked) = worth["unmarked"], worth["check"]
    assert n_unmarked >= 20 and n_marked >= 20, worth
    assert unmarked - marked >= 0.2, worth
