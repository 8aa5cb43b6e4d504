"""Fit the concern scorer (``extractive/concern_scoring.py``) on the corpus's TRAIN split only; write its weights
as JSON (``data/lexicon/concern_scorer.json``).

Every candidate sentence of a train conversation (``concerns.candidates``: not an action, not an
acknowledgement, not about the recording) is one example: its features, and whether it names an expected concern
(the shared scorer's key match on the sentence). A logistic regression (numpy, L2, the action trainer's ``fit``)
weighs the features. The threshold for ticking a concern is the one with the best F-beta (BETA) of mean concern
recall and concern precision over the train conversations, on out-of-fold probabilities (5 folds by conversation), with the
concerns made exactly as the summariser makes them (groups of neighbouring sentences, rendered text, merged, replies
joined), among those that tick at most MAX_PER_WORRY concerns per expected one. Sentences
down to FLOOR_MARGIN below it are proposed unticked. The dev split is only read by ``transkript eval --split dev``
to judge the result; the test split never.

    python benchmarks/train_concern_scorer.py [--out transkript_kernel/data/lexicon/concern_scorer.json]
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
TRAIN = ROOT / "tests" / "data" / "corpus" / "train"
L2 = 0.002  # weaker than the action scorer's: ~3,000 examples, and the probabilities must spread to rank well
FOLDS = 5
FLOOR_MARGIN = 0.1
#: The threshold maximises F-beta of recall and precision: beta 2 counts a missed worry as worse than a line the
#: teacher unticks with one click (a missed one must be found in the recording and written by hand).
BETA = 2.0
#: ... among the thresholds that tick at most this many concerns per expected worry (mean per conversation on
#: train): beyond that the teacher reads and unticks more than the summary saves her.
MAX_PER_WORRY = 2.5


def conversations():
    """(analyser, action sentence indices, expected concerns) per train conversation, as the summariser sees
    them: the summariser runs with its concern step replaced by a recorder."""
    from transkript_kernel import extractive
    from transkript_kernel.evaluation import turns_transcript
    from transkript_kernel.summarize import summarize

    seen = []
    original = extractive.concerns

    def record(an, action_sentences=()):
        seen.append((an, set(action_sentences)))
        return []

    extractive.concerns = record
    out = []
    try:
        for path in sorted(TRAIN.glob("*.json")):
            conv = json.loads(path.read_text(encoding="utf-8"))
            seen.clear()
            summarize(turns_transcript(conv))
            an, actions = seen[0]
            out.append((an, actions, conv["expected"]["concerns"]))
    finally:
        extractive.concerns = original
    return out


def examples(convs, scorer):
    """(features, names an expected concern, conversation index, sentence index) per candidate sentence."""
    from transkript_kernel.extractive.concern_scoring import ConcernReader
    from transkript_kernel.extractive.concerns import candidates

    rows = []
    for n, (an, actions, expected) in enumerate(convs):
        reader = ConcernReader(an)
        keys = [k for ks in expected for k in ks]
        for i in candidates(an, actions):
            text = an.sentences[i].text.lower()
            rows.append((reader.features(i), any(scorer.has_key(text, k) for k in keys), n, i))
    return rows


def figures(convs, rows, probs, threshold, scorer, cache):
    """Mean concern recall, concern precision and ticked concerns per conversation when concerns are made as the
    summariser makes them with these probabilities (groups of neighbouring sentences, rendered, same-thing
    concerns merged, a reply joined to its worry; ticked: the item's best sentence reaches ``threshold``)."""
    from transkript_kernel.extractive.concerns import Group, join_replies, merge, render, select

    recall, precision, ticked = [], [], []
    for n, (an, _actions, expected) in enumerate(convs):
        scored = [(r[3], p) for r, p in zip(rows, probs) if r[2] == n]
        items = []
        for g in select(an, scored, max(0.0, threshold - FLOOR_MARGIN)):
            if g.confidence < threshold:
                continue
            key = (n, tuple(g.indices))
            if key not in cache:
                cache[key] = render(an, Group(list(g.indices), list(g.probs)))
            if cache[key] is not None:
                item = copy.copy(cache[key])
                item.confidence, item.check, item.include = g.confidence, False, True
                items.append(item)
        texts = [scorer.item_text(c.to_dict()) for c in join_replies(an, merge(an, items))]
        hit = [any(any(scorer.has_key(t, k) for k in ks) for t in texts) for ks in expected]
        recall.append(sum(hit) / len(expected))
        keys = [k for ks in expected for k in ks]
        precision.append(sum(any(scorer.has_key(t, k) for k in keys) for t in texts) / len(texts) if texts else 1.0)
        ticked.append(len(texts))
    return sum(recall) / len(recall), sum(precision) / len(precision), sum(ticked) / len(ticked)


def out_of_fold(X, y, rows):
    import numpy as np
    from train_action_scorer import fit

    conv = np.array([r[2] for r in rows])
    probs = np.zeros(len(rows))
    for fold in range(FOLDS):
        held = conv % FOLDS == fold
        w, b = fit(X[~held], y[~held], l2=L2)
        probs[held] = 1 / (1 + np.exp(-(X[held] @ w + b)))
    return probs


def main(argv=None) -> int:
    import numpy as np
    from train_action_scorer import fit

    from transkript_kernel.evaluation import _shared_eval, load_scorer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "transkript_kernel" / "data" / "lexicon" / "concern_scorer.json"))
    ap.add_argument("--beta", type=float, default=BETA)
    args = ap.parse_args(argv)
    scorer = load_scorer(_shared_eval())
    convs = conversations()
    rows = examples(convs, scorer)
    names = sorted(rows[0][0])
    X = np.array([[r[0].get(k, 0.0) for k in names] for r in rows])
    y = np.array([float(r[1]) for r in rows])
    oof = out_of_fold(X, y, rows)
    cache: dict = {}
    most = MAX_PER_WORRY * sum(len(c[2]) for c in convs) / len(convs)
    best, best_f = None, -1.0
    for t in [x / 100 for x in range(40, 91, 2)]:
        recall, precision, ticked = figures(convs, rows, oof, t, scorer, cache)
        f = (1 + args.beta ** 2) * recall * precision / max(1e-9, args.beta ** 2 * precision + recall)
        print(f"  threshold {t:.2f}: recall {recall:.3f} precision {precision:.3f} F{args.beta:g} {f:.3f} "
              f"ticked/conversation {ticked:.2f}")
        if f > best_f and ticked <= most:
            best, best_f = (t, recall, precision), f
    t, recall, precision = best
    w, b = fit(X, y, l2=L2)
    out = {"_about": "Concern scorer weights (logistic regression) fitted by benchmarks/train_concern_scorer.py on "
                     "the corpus's train split only. Plain data: feature name -> weight, bias; a concern is ticked "
                     "at or above 'threshold' and proposed unticked down to 'floor'.",
           "trained_on": "train", "examples": len(rows), "positives": int(y.sum()), "l2": L2,
           "weights": {k: round(float(v), 4) for k, v in zip(names, w)}, "bias": round(float(b), 4),
           "threshold": t, "floor": round(max(0.0, t - FLOOR_MARGIN), 2), "train_recall": round(recall, 4),
           "train_precision": round(precision, 4), "folds": FOLDS,
           "threshold_rule": f"F{args.beta:g} (out-of-fold), at most {MAX_PER_WORRY:g} ticked per expected concern"}
    Path(args.out).write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(rows)} candidates, {int(y.sum())} name a concern; threshold {t}; out-of-fold train recall "
          f"{recall:.3f}, precision {precision:.3f}")
    for k, v in sorted(zip(names, w), key=lambda x: -abs(x[1]))[:15]:
        print(f"  {k:18s} {v:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
