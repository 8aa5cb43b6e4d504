"""Summary quality on our own translated conversations (tests/data/multilingual/tr*.json): each is spoken by
espeak-ng (MBROLA Turkish voices; ``--espeak`` uses the plain 'tr' voice instead), transcribed in Turkish,
translated by Whisper (``asr.translate_to_english``), summarised from the English (``multilingual``) and scored
with the shared scorer against the conversation's expected items (English keys). Every item counts, as if the
teacher ticked all proposals. Prints one line per conversation, the mean, and CPU seconds, wall time and load.

    .venv/bin/python benchmarks/translated_summaries.py [--espeak]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("TRANSKRIPT_SHARED", ROOT.parent / "shared")) / "eval"
sys.path.insert(0, str(EVAL))

import score  # noqa: E402  (the shared scorer)

from transkript_kernel.cluster import cpu_seconds  # noqa: E402

FIGURES = ("action_recall", "action_precision", "concern_recall", "topic_recall")


def run(conv: dict, tmp: Path, espeak: bool) -> dict:
    from transkript_kernel import asr, multilingual, pipeline

    if espeak:
        conv = {k: v for k, v in conv.items() if k != "voices"}
    (tmp / "c").mkdir(exist_ok=True)
    (tmp / "c" / f"{conv['id']}.json").write_text(json.dumps(conv, ensure_ascii=False), encoding="utf-8")
    subprocess.run([sys.executable, str(EVAL / "synthesize.py"), str(tmp / "c"), str(tmp)], check=True,
                   capture_output=True)
    wav = tmp / f"{conv['id']}.wav"
    ref = json.loads((tmp / f"{conv['id']}.ref.json").read_text(encoding="utf-8"))
    transcript = pipeline.transcribe_file(wav, language=conv["language"], speakers="auto")
    english = asr.translate_to_english(wav, language=conv["language"])
    summary = multilingual.summarize_via_english(transcript, english)
    for part in ("topics", "concerns", "actions"):
        for item in getattr(summary, part):
            item.include = True  # every proposal, as if ticked
    figures = score.score_summary(summary.to_dict(), conv)
    return {"id": conv["id"], "wer_tr": score.score_transcript(transcript.to_dict(), ref)["wer"],
            **{k: figures[k] for k in FIGURES}, "actions": figures["actions"],
            "evidence": figures["all_items_have_evidence"], "english": [s.text for s in english.segments],
            "items": [i.text for i in summary.topics + summary.concerns + summary.actions]}


def main(argv=None) -> int:
    espeak = "--espeak" in (argv or sys.argv[1:])
    start, cpu0 = time.perf_counter(), cpu_seconds()
    rows = []
    for path in sorted((ROOT / "tests" / "data" / "multilingual").glob("tr*.json")):
        with tempfile.TemporaryDirectory() as tmp:
            row = run(json.loads(path.read_text(encoding="utf-8")), Path(tmp), espeak)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    mean = {k: round(sum(r[k] for r in rows) / len(rows), 3) for k in ("wer_tr", *FIGURES)}
    print(f"voice {'espeak tr' if espeak else 'mb-tr1/mb-tr2'}, {len(rows)} conversations: {mean}")
    print(f"wall {time.perf_counter() - start:.0f} s, CPU {cpu_seconds() - cpu0:.0f} s, "
          f"load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
