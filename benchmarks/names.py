"""Names benchmark: are the consent form's names spelled right, and does giving them cost accuracy elsewhere?

Transcribes each recording twice with the default model and settings — without names (the school vocabulary
only, as before) and with the names the consent form would hold (``asr.transcribe(..., names=...)``) — and
prints per recording:

- name accuracy: of the reference's occurrences of a name from the form (titles such as "juf" or "meester" and
  lower-case particles such as "de" left out), the share the transcript spells exactly right (case-sensitive)
  within that turn's time window (±0.5 s);
- the word error rate by the shared scorer (``../shared/eval/score.py transcript``).

Name words without capitals (Arabic script: names06's father) are not counted: the synthetic voices cannot say
them, and Whisper writes Dutch speech in Latin letters. Prints the load average and the CPU seconds (this
process and its children) beside the wall clock: the machine is shared.

Recordings: our own name conversations (``tests/data/names/*.json``, synthesised into a temporary folder with
``../shared/eval/synthesize.py``) and the four public recordings, with the names their consent form would list.

    .venv/bin/python benchmarks/names.py [--only names|public]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transkript_kernel import asr  # noqa: E402
from transkript_kernel.cluster import cpu_seconds  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
NAMES_DIR = ROOT / "tests" / "data" / "names"
# What the consent form of each public conversation would hold (pupil, teacher, parent when named).
PUBLIC = {
    "pub01-lezen-groep5": ("nl", ["Daan", "Juf Sanne"]),
    "pub02-gedrag-groep7": ("nl", ["Lisa de Vries", "Meester Ahmed", "Meneer De Vries"]),
    "pub03-schooladvies-groep8": ("nl", ["Sem", "Juf Marieke"]),
    "pub04-english-parent": ("en", ["Maya", "Mr. Jansen"]),
}
TITLES = {"juf", "juffrouw", "meester", "meneer", "mevrouw", "mr", "mrs", "ms", "dhr", "mw", "de", "van", "der",
          "den", "het", "ten", "ter"}
_TOKEN = re.compile(r"[\w'’-]+")


def name_tokens(names) -> set[str]:
    """The words of the form's names a transcript must spell: no titles, no particles."""
    out = set()
    for name in names:
        for tok in _TOKEN.findall(name):
            if tok.lower().strip("'") not in TITLES and tok[:1].isupper():
                out.add(tok)
    return out


def name_accuracy(transcript, ref: dict, names) -> tuple[int, int, list[str]]:
    """(right, occurrences, misses): each reference turn's name occurrences against the transcript's words
    in that turn's time window; a miss shows what was written instead (the turn's hypothesis words)."""
    tokens = name_tokens(names)
    words = [(w.start, w.end, w.word) for s in transcript.segments for w in (s.words or [])]  # " D" + "'Angelo"
    right = total = 0
    misses = []
    for turn in ref["segments"]:
        ref_toks = [t for t in _TOKEN.findall(turn["text"]) if t in tokens]
        if not ref_toks:
            continue
        hyp_toks = _TOKEN.findall("".join(w for s, e, w in words
                                          if turn["start"] - 0.5 <= (s + e) / 2 <= turn["end"] + 0.5))
        for tok in set(ref_toks):
            want, got = ref_toks.count(tok), hyp_toks.count(tok)
            total += want
            right += min(want, got)
            if got < want:
                misses.append(f"{tok} x{want - got}")
    return right, total, misses


def wer(transcript, ref_path: Path, tmp: Path) -> float:
    hyp = tmp / "hyp.json"
    transcript.save(hyp)
    out = subprocess.run([sys.executable, str(EVAL / "score.py"), "transcript", str(hyp), str(ref_path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["wer"]


def recordings(only: str | None, tmp: Path):
    """(id, language, names, wav, ref.json) for the chosen sets."""
    out = []
    if only in (None, "names"):
        audio_dir = tmp / "names"
        audio_dir.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(EVAL / "synthesize.py"), str(NAMES_DIR), str(audio_dir)], check=True,
                       stdout=subprocess.DEVNULL)
        for path in sorted(NAMES_DIR.glob("*.json")):
            conv = json.loads(path.read_text(encoding="utf-8"))
            names = [conv["pupil"], *(n for n, _role in conv["participants"])]
            out.append((conv["id"], conv["language"], names, audio_dir / f"{conv['id']}.wav",
                        audio_dir / f"{conv['id']}.ref.json"))
    if only in (None, "public"):
        for conv_id, (language, names) in PUBLIC.items():
            out.append((conv_id, language, names, EVAL / "audio" / f"{conv_id}.wav",
                        EVAL / "audio" / f"{conv_id}.ref.json"))
    return out


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("names", "public"))
    args = parser.parse_args(argv)
    totals = {"without": [0, 0, []], "with": [0, 0, []]}
    print(f"cpu cores: {os.cpu_count()}, load average at start: {load()}")
    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"{'recording':28} {'names without':>14} {'names with':>11} {'WER without':>12} {'WER with':>9}")
        for conv_id, language, names, wav, ref_path in recordings(args.only, tmp):
            ref = json.loads(ref_path.read_text(encoding="utf-8"))
            row = {}
            for key, given in (("without", ()), ("with", names)):
                t0 = time.perf_counter()
                transcript = asr.transcribe(wav, language=language, names=given, settings=asr.AsrSettings())
                right, total, misses = name_accuracy(transcript, ref, names)
                row[key] = (right, total, wer(transcript, ref_path, tmp), misses, time.perf_counter() - t0)
                totals[key][0] += right
                totals[key][1] += total
                totals[key][2].append(row[key][2])
            a, b = row["without"], row["with"]
            print(f"{conv_id:28} {a[0]:>6}/{a[1]:<3} {a[0] / max(1, a[1]):4.2f} {b[0]:>4}/{b[1]:<3}{b[0] / max(1, b[1]):4.2f}"
                  f" {a[2]:12.3f} {b[2]:9.3f}   missed with: {', '.join(b[3]) or '-'}; without: "
                  f"{', '.join(a[3]) or '-'}")
    for key, (right, total, rates) in totals.items():
        print(f"{key} names: {right}/{total} = {right / max(1, total):.3f} of name occurrences right; "
              f"mean WER {sum(rates) / max(1, len(rates)):.3f}")
    print(f"{time.perf_counter() - wall0:.0f} s wall, {cpu_seconds() - cpu0:.0f} s CPU (process + children); "
          f"load average at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
