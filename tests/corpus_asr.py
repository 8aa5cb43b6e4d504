"""Make the ASR fixtures of the summary corpus: speech synthesis, then the default engine, as the app runs it.

    .venv/bin/python tests/corpus_asr.py dev test [train] [--force]

For each conversation in ``tests/data/corpus/<split>/`` this speaks the turns with ``../shared/eval/synthesize.py``
(its per-conversation voices), transcribes the m4a — what a phone records — with the default engine and
speaker attribution on ``auto``, with the conversation's names as vocabulary the way the consent form would
hold them, and writes the transcript to ``tests/data/corpus_asr/<split>/<id>.json``. The audio is thrown away;
only the transcript is committed. ``model["fixture"]`` records how it was made plus its word error rate and
speaker-turn accuracy against the synthesis reference, so the figures of the recogniser are there too.

CI never runs this (it takes about an hour on two cores); ``tests/test_corpus_asr.py`` fails when the engine's
configuration (model, decoding options, vocabulary) no longer matches the fixtures, so they are made again.
Not a test module: pytest does not collect it (no ``test_`` prefix).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"
FIXTURES = ROOT / "tests" / "data" / "corpus_asr"
SHARED = ROOT.parent / "shared" / "eval"

#: Words in a speaker label that are titles or roles, not names ("Juf Sanne, leerkracht groep 5").
TITLES = {"juf", "meester", "mevrouw", "meneer", "mr", "mrs", "ms", "miss", "dhr", "mw", "de", "het", "van", "der",
          "den", "ten", "ter", "heer", "vrouw"}


def label_names(conv: dict) -> SimpleNamespace:
    """What a teacher would have typed into the consent form, read from the conversation's speaker labels:
    the pupil ("moeder van Daan" -> Daan) and each participant's name without title or role ("Juf Sanne,
    leerkracht groep 5" -> Sanne). Never the turns' text: the form does not know what will be said."""
    pupil, participants = "", []
    for role, label in conv.get("speakers", {}).items():
        head = label.split(",")[0]
        m = re.search(r"\b(?:van|of)\s+([^\W\d_][\w'’\-]*(?:\s+[^\W\d_][\w'’\-]*)*)", head)
        if m and m.group(1)[:1].isupper():
            pupil = pupil or m.group(1)
            head = head[:m.start()]
        words = [w for w in re.findall(r"[\w'’\-]+", head) if w[:1].isupper() and w.lower() not in TITLES]
        if words:
            participants.append(SimpleNamespace(name=" ".join(words), role=role))
    return SimpleNamespace(pupil=pupil, participants=participants, consent=None)


def expected_options(conv: dict) -> dict:
    """The decoding options a fixture of ``conv`` must have been made with under today's engine settings."""
    from transkript_kernel import asr

    conf = asr.AsrSettings()
    names = asr.conversation_names(label_names(conv))
    return {"beam_size": conf.beam_size, "batch_size": conf.batch_size, "vad_filter": conf.vad_filter,
            "vocabulary_sha256": asr.vocabulary_hash(asr.effective_vocabulary(names=names, language=conv["language"]))}


def stale(fixture: dict, conv: dict) -> list[str]:
    """What differs between a fixture's recorded configuration and today's engine: model, options, vocabulary.
    An empty list means the fixture still stands for what the engine would do."""
    from transkript_kernel import weights

    model = fixture.get("model", {})
    problems = [] if model.get("name") == weights.DEFAULT_NAME else [f"model {model.get('name')!r}"]
    options = model.get("options", {})
    problems += [f"{k}: {options.get(k)!r} != {v!r}" for k, v in expected_options(conv).items() if options.get(k) != v]
    return problems


def make(conv_path: Path, out: Path) -> dict:
    sys.path.insert(0, str(SHARED))
    import score  # the shared scorer, for WER and speaker turns against the synthesis reference

    from transkript_kernel import asr, pipeline

    conv = json.loads(conv_path.read_text(encoding="utf-8"))
    names = asr.conversation_names(label_names(conv))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "conv").mkdir()
        (tmp / "conv" / conv_path.name).write_text(json.dumps(conv, ensure_ascii=False), encoding="utf-8")
        subprocess.run([sys.executable, str(SHARED / "synthesize.py"), str(tmp / "conv"), str(tmp / "audio")],
                       check=True, capture_output=True)
        started = time.perf_counter()
        transcript = pipeline.transcribe_file(tmp / "audio" / f"{conv['id']}.m4a", language=conv["language"],
                                              speakers="auto", names=names)
        seconds = time.perf_counter() - started
        ref = json.loads((tmp / "audio" / f"{conv['id']}.ref.json").read_text(encoding="utf-8"))
    figures = score.score_transcript(transcript.to_dict(), ref)
    transcript.model["fixture"] = {
        "made_by": "tests/corpus_asr.py", "audio": "../shared/eval/synthesize.py, m4a", "speakers": "auto",
        "names": len(names), "wer": figures["wer"], "speaker_turn_accuracy": figures["speaker_turn_accuracy"],
        "speakers_found": figures["hyp_speakers"], "speakers_said": figures["ref_speakers"],
        "audio_seconds": round(ref["duration_s"], 1), "seconds": round(seconds, 1)}
    out.parent.mkdir(parents=True, exist_ok=True)
    transcript.save(out)
    return transcript.model["fixture"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("splits", nargs="+", choices=("train", "dev", "test"))
    parser.add_argument("--force", action="store_true", help="make fixtures again even when they exist")
    args = parser.parse_args(argv)
    for split in args.splits:
        for conv_path in sorted((CORPUS / split).glob("*.json")):
            out = FIXTURES / split / conv_path.name
            if out.exists() and not args.force:
                continue
            fig = make(conv_path, out)
            # ids and figures only: the corpus text is not printed (the test split stays unread)
            print(f"{split}/{conv_path.stem}: wer {fig['wer']:.3f}, turns {fig['speaker_turn_accuracy']:.2f}, "
                  f"speakers {fig['speakers_found']}/{fig['speakers_said']}, {fig['seconds']:.0f} s "
                  f"for {fig['audio_seconds']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
