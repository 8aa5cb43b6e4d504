"""Fit the action scorer (``extractive/scoring.py``) on the corpus's TRAIN split only; write its weights as JSON.

Every candidate action the rules propose on a train conversation becomes one example: its features, and
whether the shared scorer would count it (its text matches an expected action's keys). A logistic regression
(numpy, L2, plain gradient descent: no pickles, no extra dependency) weighs the features; its L2 strength and the
threshold for 'controleer' are the ones with the best F1 of recall and precision on out-of-fold train probabilities
(5 folds by conversation).
The dev split is only read by ``transkript eval --split dev`` to judge the result; the test split never.

    python benchmarks/train_action_scorer.py [--out transkript_kernel/data/lexicon/action_scorer.json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TRAIN = ROOT / "tests" / "data" / "corpus" / "train"


ASR = ROOT / "tests" / "data" / "corpus_asr" / "train"


def examples(asr: bool = False):
    """(features, useful, conversation index, expected-action index it matches or None) per candidate. With
    ``asr`` the train split's ASR fixtures add their candidates too, as conversations of their own that share the
    fold of their perfect transcript (index + ASR_OFFSET), so no fold sees one conversation in two forms."""
    from transkript_kernel import extractive
    from transkript_kernel.evaluation import _shared_eval, load_scorer, turns_transcript
    from transkript_kernel.extractive import scoring
    from transkript_kernel.summarize import summarize

    scorer = load_scorer(_shared_eval())
    seen = []
    original = extractive.judge

    def record(an, cd, action):
        seen.append((scoring.features(an, cd, action), action))
        original(an, cd, action)

    extractive.judge = record
    from transkript_kernel.transcript import Transcript

    rows, convs = [], {}
    try:
        for n, path in enumerate(sorted(TRAIN.glob("*.json"))):
            conv = json.loads(path.read_text(encoding="utf-8"))
            wanted = conv["expected"]["actions"]
            forms = [(n, turns_transcript(conv))]
            if asr and (ASR / path.name).exists():
                forms.append((n + ASR_OFFSET, Transcript.load(ASR / path.name)))
            for k, transcript in forms:
                seen.clear()
                summarize(transcript)
                convs[k] = wanted
                for feats, action in seen:
                    text = scorer.item_text(action.to_dict())
                    hit = next((j for j, w in enumerate(wanted) if scorer.matches(text, w["keys"])), None)
                    rows.append((feats, hit is not None, k, hit))
    finally:
        extractive.judge = original
    return rows, convs


def fit(X, y, l2=0.05, steps=4000, rate=0.5):
    import numpy as np

    w, b = np.zeros(X.shape[1]), 0.0
    pos = y.mean()
    sample = np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos))  # balanced classes
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        g = (p - y) * sample
        w -= rate * (X.T @ g / len(y) + l2 * w)
        b -= rate * g.mean()
    return w, b


RECALL_COST = 0.03  # the 'controleer' mark may cost at most this much of the proposals' recall on train
ASR_OFFSET = 1000  # a multiple of FOLDS: an ASR fixture's index keeps its perfect transcript's fold
FOLDS = 5  # the threshold is chosen on out-of-fold probabilities: in-sample ones are too sure of themselves


def figures(probs, rows, convs, t):
    """Mean action recall and precision over the train conversations when items below ``t`` are not ticked."""
    recall, precision = [], []
    for n, wanted in convs.items():
        kept = [r for r, p in zip(rows, probs) if r[2] == n and p >= t]
        recall.append(len({r[3] for r in kept if r[1]}) / len(wanted))
        precision.append(sum(r[1] for r in kept) / max(1, len(kept)))
    return sum(recall) / len(recall), sum(precision) / len(precision)


def best_threshold(probs, rows, convs, rule="recall"):
    """rule 'recall': the highest threshold whose recall stays within RECALL_COST of all proposals' recall on
    train (the mark removes what is probably noise, not agreements). rule 'f1': the threshold with the best F1
    of mean recall and precision (a missed agreement and a wrong line weigh the same), F1 smoothed over
    neighbouring thresholds (+-SMOOTH) so one train item more or less does not move the threshold."""
    full, _ = figures(probs, rows, convs, 0.0)
    grid = [x / 100 for x in range(5, 96)]
    seen = [(t, *figures(probs, rows, convs, t)) for t in grid]
    best = (0.0, full, 0.0)
    for t, recall, precision in seen:
        if rule == "recall" and recall >= full - RECALL_COST:
            best = (t, recall, precision)
    if rule == "f1":
        f1 = [2 * r * p / max(1e-9, r + p) for _t, r, p in seen]
        smooth = [sum(f1[max(0, i - SMOOTH):i + SMOOTH + 1]) / len(f1[max(0, i - SMOOTH):i + SMOOTH + 1])
                  for i in range(len(f1))]
        i = max(range(len(seen)), key=lambda k: smooth[k])
        best = seen[i]
    return best


SMOOTH = 3  # thresholds (of 0.01) on each side averaged into a threshold's F1


def out_of_fold(X, y, rows, l2=0.05):
    """Each train conversation's probabilities from weights fitted on the other folds (conversations)."""
    import numpy as np

    conv = np.array([r[2] for r in rows])
    probs = np.zeros(len(rows))
    for fold in range(FOLDS):
        held = conv % FOLDS == fold
        w, b = fit(X[~held], y[~held], l2=l2)
        probs[held] = 1 / (1 + np.exp(-(X[held] @ w + b)))
    return probs


#: Regularisation strengths tried; the one with the best out-of-fold F1 on train is kept (dev is never used).
L2_GRID = (0.002, 0.005, 0.01, 0.02, 0.05)


THRESHOLD_RULE = "f1"


def main(argv=None) -> int:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "transkript_kernel" / "data" / "lexicon" / "action_scorer.json"))
    ap.add_argument("--rule", choices=("recall", "f1"), default=THRESHOLD_RULE)
    ap.add_argument("--asr", action="store_true",
                    help="also learn from the train split's ASR fixtures (tests/data/corpus_asr/train)")
    args = ap.parse_args(argv)
    rows, convs = examples(args.asr)
    names = sorted(rows[0][0])
    X = np.array([[r[0].get(k, 0.0) for k in names] for r in rows])
    y = np.array([float(r[1]) for r in rows])
    tried = []
    for l2 in L2_GRID:
        t, recall, precision = best_threshold(out_of_fold(X, y, rows, l2), rows, convs, args.rule)
        tried.append((2 * recall * precision / max(1e-9, recall + precision), l2, t, recall, precision))
        print(f"  l2 {l2}: out-of-fold threshold {t}, recall {recall:.3f}, precision {precision:.3f}")
    _f1, l2, t, recall, precision = max(tried)
    w, b = fit(X, y, l2=l2)
    out = {"_about": "Action scorer weights (logistic regression) fitted by benchmarks/train_action_scorer.py on "
                     "the corpus's train split only. Plain data: feature name -> weight, bias, and the "
                     "probability below which an item is marked 'controleer'.",
           "trained_on": "train" + (" + train ASR fixtures" if args.asr else ""), "examples": len(rows), "positives": int(y.sum()),
           "weights": {k: round(float(v), 4) for k, v in zip(names, w)}, "bias": round(float(b), 4),
           "threshold": t, "train_recall": round(recall, 4), "train_precision": round(precision, 4),
           "threshold_rule": args.rule, "recall_cost": RECALL_COST, "folds": FOLDS, "l2": l2}
    Path(args.out).write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(rows)} candidates, {int(y.sum())} useful; l2 {l2}, threshold {t}; train recall {recall:.3f}, "
          f"precision {precision:.3f}")
    for k, v in sorted(zip(names, w), key=lambda x: -abs(x[1]))[:12]:
        print(f"  {k:16s} {v:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
