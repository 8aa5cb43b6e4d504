"""Transcription benchmark: speed, memory and engine overhead on a ~7-minute recording.

Builds a ~7-minute recording by joining the four public recordings (3 Dutch, 1 English; speech in Dutch for
~5.5 minutes) in a temporary directory, then prints:

- model-load time (cold, first load in this process);
- the real-time factor of a direct faster-whisper ``BatchedInferencePipeline`` call (decode + transcribe),
  and of ``transkript transcribe`` in-process (the engine path: checks, decode, hash, transcribe, JSON file),
  with identical settings, the same loaded model, alternated ``--rounds`` times; their ratio (target <= 1.05);
- the cold command-line run (``transkript transcribe`` in a new process: start-up, model load, everything)
  and its peak memory; the peak memory of this process;
- the word error rate of the joined recording against the joined reference.

    .venv/bin/python benchmarks/transcribe.py [--rounds 2] [--vocabulary-effect]

``--vocabulary-effect`` also transcribes each public recording with and without the school vocabulary and
prints both word error rates (how the default was chosen). Speaker attribution is off in the timed runs: the
direct call has none, so the ratio compares the same work.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transkript_kernel import asr, cli  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
IDS = ["pub01-lezen-groep5", "pub02-gedrag-groep7", "pub03-schooladvies-groep8", "pub04-english-parent"]


def join_recordings(out: Path) -> tuple[Path, Path]:
    """One wav of all public recordings plus a reference with shifted times; Dutch first, as language nl."""
    frames, ref_segments, offset = [], [], 0.0
    params = None
    for conv_id in IDS:
        with wave.open(str(EVAL / "audio" / f"{conv_id}.wav")) as w:
            params = params or w.getparams()
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != params[:3]:
                raise SystemExit(f"{conv_id}.wav has another sample format; cannot join")
            frames.append(w.readframes(w.getnframes()))
            duration = w.getnframes() / w.getframerate()
        ref = json.loads((EVAL / "audio" / f"{conv_id}.ref.json").read_text(encoding="utf-8"))
        ref_segments += [dict(s, start=s["start"] + offset, end=s["end"] + offset) for s in ref["segments"]]
        offset += duration
    wav = out / "zeven minuten.wav"
    with wave.open(str(wav), "wb") as w:
        w.setparams(params)
        for f in frames:
            w.writeframes(f)
    ref_path = out / "joined.ref.json"
    ref_path.write_text(json.dumps({"id": "joined", "language": "nl", "duration_s": offset,
                                    "segments": ref_segments}), encoding="utf-8")
    return wav, ref_path


def direct(pipeline, path: Path, conf: asr.AsrSettings) -> tuple[float, float]:
    """faster-whisper alone, with exactly the options the engine uses for Dutch: (wall, CPU) seconds."""
    from faster_whisper import decode_audio

    t, c = time.perf_counter(), time.process_time()
    samples = decode_audio(str(path))
    segments, _ = pipeline.transcribe(samples, language="nl", task="transcribe", beam_size=conf.beam_size,
                                      temperature=0.0, condition_on_previous_text=False, word_timestamps=True,
                                      vad_filter=conf.vad_filter, batch_size=conf.batch_size,
                                      hotwords=conf.vocabulary)
    list(segments)
    return time.perf_counter() - t, time.process_time() - c


def engine(path: Path, out: Path) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    code = cli.main(["transcribe", str(path), "-l", "nl", "--speakers", "off", "-q", "-o", str(out)])
    assert code == 0, code
    return time.perf_counter() - t, time.process_time() - c


def score(hyp: Path, ref: Path) -> dict:
    out = subprocess.run([sys.executable, str(EVAL / "score.py"), "transcript", str(hyp), str(ref)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def vocabulary_effect(tmp: Path) -> None:
    print("\nschool vocabulary (hotwords) effect, word error rate per public recording (wav):")
    for conv_id in IDS:
        language = json.loads((EVAL / "audio" / f"{conv_id}.ref.json").read_text())["language"]
        row = []
        for vocabulary in ("", None):  # off, then the configured default
            t = asr.transcribe(EVAL / "audio" / f"{conv_id}.wav", language=language, vocabulary=vocabulary)
            t.save(tmp / "v.json")
            row.append(score(tmp / "v.json", EVAL / "audio" / f"{conv_id}.ref.json")["wer"])
        note = "" if language == "nl" else "  (vocabulary applies to Dutch only)"
        print(f"  {conv_id:28s} without {row[0]:.4f}  with {row[1]:.4f}{note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternating direct/engine rounds (default 2)")
    parser.add_argument("--vocabulary-effect", action="store_true")
    args = parser.parse_args()
    conf = asr.AsrSettings()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["TRANSKRIPT_DATA"] = str(tmp / "data")  # defaults only, whatever the user configured
        wav, ref = join_recordings(tmp)
        with wave.open(str(wav)) as w:
            duration = w.getnframes() / w.getframerate()
        print(f"recording: {duration / 60:.2f} min ({duration:.1f} s), 4 public recordings joined")

        t = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "transkript"), "transcribe", str(wav), "-l", "nl",
                        "--speakers", "off", "-q", "-o", str(tmp / "cold.json")], check=True)
        cold = time.perf_counter() - t
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # run first: no big fork image
        print(f"cold command line (new process, model load included): {cold:.2f} s, RTF {cold / duration:.4f}, "
              f"peak memory {child:.0f} MB")
        t = time.perf_counter()
        whisper, pipeline, model_dir = asr.load_model(conf.model, compute_type=conf.compute_type,
                                                      cpu_threads=conf.cpu_threads)
        load = time.perf_counter() - t
        print(f"model: {model_dir.name}, {conf.compute_type}, load time {load:.2f} s")

        direct_times, engine_times = [], []
        out = tmp / "transcript.json"
        for _ in range(args.rounds):
            direct_times.append(direct(pipeline, wav, conf))
            engine_times.append(engine(wav, out))
        d, e = min(t for t, _ in direct_times), min(t for t, _ in engine_times)
        dc, ec = sum(c for _, c in direct_times), sum(c for _, c in engine_times)
        print(f"direct faster-whisper batched pipeline: {d:.2f} s, RTF {d / duration:.4f}  "
              f"(wall runs: {', '.join(f'{x:.2f}' for x, _ in direct_times)}; CPU {dc:.1f} s in all)")
        print(f"transkript transcribe (in-process):     {e:.2f} s, RTF {e / duration:.4f}  "
              f"(wall runs: {', '.join(f'{x:.2f}' for x, _ in engine_times)}; CPU {ec:.1f} s in all)")
        print(f"ratio engine / direct: wall (best of {args.rounds}) {e / d:.3f}, CPU time {ec / dc:.3f}  "
              "(target <= 1.05; on a shared machine the CPU-time ratio is the steadier one)")
        figures = score(out, ref)
        print(f"word error rate of the joined recording (as nl): {figures['wer']:.4f} "
              f"({figures['ref_words']} reference words)")
        print(f"peak memory of this process (model + runs): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

        if args.vocabulary_effect:
            vocabulary_effect(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
