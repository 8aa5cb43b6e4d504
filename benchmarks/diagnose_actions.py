"""Why expected actions are missed, on the corpus's TRAIN split only: for every expected action that no
proposal matches, the sentences its keys come from, and what the candidate generator made of them.

    python benchmarks/diagnose_actions.py [--split train] [--only tra01]

Classes it prints per miss: ``none`` (no candidate from any source sentence), ``dropped`` (a candidate was made
and dropped: refused, merged or deduplicated), ``text`` (a candidate stands but its text lost the keys),
``spread`` (no single sentence holds two thirds of the keys). Refuses the test split: that split is sealed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    from transkript_kernel import extractive
    from transkript_kernel.evaluation import _shared_eval, asr_transcript, load_scorer, turns_transcript
    from transkript_kernel.extractive.actions import action_candidates
    from transkript_kernel.extractive.agreements import resolve
    from transkript_kernel.extractive.analyser import Analyser
    from transkript_kernel.summarize import summarize

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="train", choices=("train", "dev"))
    ap.add_argument("--only", default="")
    ap.add_argument("--false", action="store_true", help="also print proposals that match nothing")
    ap.add_argument("--asr", default="", metavar="DIR", help="ASR fixtures (DIR/<split>/<id>.json) instead of "
                                                             "the perfect transcripts")
    args = ap.parse_args(argv)
    scorer = load_scorer(_shared_eval())
    counts: dict[str, int] = {}
    for path in sorted((ROOT / "tests" / "data" / "corpus" / args.split).glob("*.json")):
        if args.only and args.only not in path.stem:
            continue
        conv = json.loads(path.read_text(encoding="utf-8"))
        tr = asr_transcript(Path(args.asr), path) if args.asr else turns_transcript(conv)
        if tr is None:
            continue
        summary = summarize(tr)
        an = Analyser(tr)
        cands = action_candidates(an)
        resolve(an, cands)
        by_sentence: dict[int, list] = {}
        for cd in cands:
            by_sentence.setdefault(cd.sentence.index, []).append(cd)
        acts = [{**a.to_dict(), "_p": a.confidence} for a in summary.actions]
        print(f"=== {path.stem} ({len(conv['expected']['actions'])} expected, {len(acts)} proposed)")
        for want in conv["expected"]["actions"]:
            hit = next((a for a in acts if scorer.matches(scorer.item_text(a), want["keys"])), None)
            if hit:
                ok = "ok " if hit.get("include", True) else "chk"
                own = "" if scorer.ROLE_SIDE.get(hit["owner"]) == scorer.ROLE_SIDE.get(want["owner"]) else \
                    f"  OWNER {hit['owner']} != {want['owner']}"
                print(f"  {ok} [{want['owner']}] {want['what']}{own}   <- {hit['text']} ({hit['_p']})")
                if ok == "chk":
                    counts["check"] = counts.get("check", 0) + 1
                if own:
                    counts["owner"] = counts.get("owner", 0) + 1
                continue
            keys = want["keys"]
            scored = sorted(((sum(scorer.has_key(s.lower, k) for k in keys), s) for s in an.sentences),
                            key=lambda x: -x[0])
            need = max(1, -(-2 * len(keys) // 3))
            src = [s for n, s in scored if n >= need] or [s for n, s in scored[:2] if n > 0]
            made = [cd for s in src for cd in by_sentence.get(s.index, [])]
            kind = "spread" if not any(n >= need for n, _ in scored) else \
                "none" if not made else "dropped" if all(cd.dropped for cd in made) else "text"
            counts[kind] = counts.get(kind, 0) + 1
            print(f"  MISS/{kind} [{want['owner']}] {want['what']}  keys={keys}")
            for s in src[:3]:
                print(f"      <{s.role}> {s.text}")
                for cd in by_sentence.get(s.index, []):
                    print(f"        cand {cd.kind} owner={cd.owner} dropped={cd.dropped}: {cd.text}")
        if args.false:
            for a in acts:
                if not any(scorer.matches(scorer.item_text(a), w["keys"]) for w in conv["expected"]["actions"]):
                    print(f"  FALSE {'ok ' if a.get('include', True) else 'chk'} [{a['owner']}] {a['text']} ({a['_p']})")
    print(counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
