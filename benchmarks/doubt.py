"""Doubtful-word benchmark: how well do the marks point at the words the recogniser got wrong?

Transcribes the public Dutch recordings (../shared/eval/audio/*.wav, speakers off) or reads transcripts made
before (``--transcripts DIR`` with ``<id>.json``), aligns every recognised word to the reference text
(``<id>.ref.json``) and calls a word *wrong* when the alignment substitutes or inserts it. For each word
probability threshold it prints the precision (marked words that are wrong) and recall (wrong words that are
marked) of the probability mark, of the dictionary mark, and of the two together — the rule ``doubt.marks``
applies. Numbers written as digits or words count the same (as in score.py).

    .venv/bin/python benchmarks/doubt.py [--transcripts DIR] [--eval ../shared/eval]
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transkript_kernel import doubt  # noqa: E402
from transkript_kernel.transcript import Transcript  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NUMBERS = {"een": "1", "één": "1", "twee": "2", "drie": "3", "vier": "4", "vijf": "5", "zes": "6", "zeven": "7",
           "acht": "8", "negen": "9", "tien": "10", "twaalf": "12", "twintig": "20", "dertig": "30"}
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def norm(word: str) -> str:
    w = unicodedata.normalize("NFC", word.lower())
    w = re.sub(r"[^\w]", "", w)
    return NUMBERS.get(w, w)


def labelled_words(transcript: Transcript, ref: dict):
    """(segment id, word index, Word, wrong?) for every recognised word."""
    ref_words = [norm(w) for s in ref["segments"] for w in s["text"].split()]
    ref_words = [w for w in ref_words if w]
    hyp = []
    for seg in transcript.segments:
        toks = doubt.tokens(seg.text)
        for i, tok in enumerate(toks):
            if norm(tok):
                hyp.append((seg.id, i, norm(tok)))
    sm = difflib.SequenceMatcher(a=[h[2] for h in hyp], b=ref_words, autojunk=False)
    right = set()
    for block in sm.get_matching_blocks():
        right.update(range(block.a, block.a + block.size))
    return [(sid, i, n not in right) for n, (sid, i, _) in enumerate(hyp)]


def transcribe_all(eval_dir: Path, out: Path) -> None:
    from transkript_kernel import asr

    for wav in sorted((eval_dir / "audio").glob("pub*.wav")):
        ref = json.loads(wav.with_suffix(".ref.json").read_text())
        if ref.get("language") != "nl":
            continue
        t = asr.transcribe(wav, language="nl")
        (out / f"{wav.stem}.json").write_text(json.dumps(t.to_dict(), ensure_ascii=False))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--transcripts", type=Path, help="folder with <id>.json transcripts (else: transcribe)")
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    args = ap.parse_args()
    folder = args.transcripts
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="transkript-doubt-"))
        transcribe_all(args.eval, folder)
    rows = []  # (wrong, probability, unknown)
    for path in sorted(folder.glob("*.json")):
        ref_path = args.eval / "audio" / f"{path.stem}.ref.json"
        if not ref_path.exists():
            continue
        ref = json.loads(ref_path.read_text())
        t = Transcript.from_dict(json.loads(path.read_text()))
        dict_marks = {(m.segment_id, m.word_index) for m in doubt.marks(t, threshold=-1.0)}
        probs = {}
        for seg in t.segments:
            for i, w in enumerate(doubt._aligned(doubt.tokens(seg.text), seg.words or [])):
                probs[(seg.id, i)] = None if w is None else w.probability
        for sid, i, wrong in labelled_words(t, ref):
            rows.append((wrong, probs.get((sid, i)), (sid, i) in dict_marks))
    wrong_total = sum(r[0] for r in rows)
    print(f"words {len(rows)}, wrongly recognised {wrong_total} ({wrong_total / max(1, len(rows)):.1%})")

    def pr(marked):
        tp = sum(1 for r, m in zip(rows, marked) if m and r[0])
        n = sum(marked)
        return tp / n if n else float("nan"), tp / max(1, wrong_total), n

    p, r, n = pr([u for _, _, u in rows])
    print(f"dictionary only: marked {n}, precision {p:.2f}, recall {r:.2f}")
    print("threshold | probability: marked precision recall | with dictionary: marked precision recall")
    for th in THRESHOLDS:
        prob = [pp is not None and pp < th for _, pp, _ in rows]
        both = [a or u for a, (_, _, u) in zip(prob, rows)]
        p1, r1, n1 = pr(prob)
        p2, r2, n2 = pr(both)
        flag = " <- doubt.THRESHOLD" if abs(th - doubt.THRESHOLD) < 1e-9 else ""
        print(f"  {th:.2f}    | {n1:4d} {p1:.2f} {r1:.2f}            | {n2:4d} {p2:.2f} {r2:.2f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
