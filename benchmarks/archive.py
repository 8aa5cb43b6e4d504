"""Archive benchmark: fill a fresh archive with N synthetic conversations (default 10,000), each with notes and
a stored summary version, then time full-text searches and filtered listings.

Prints the insert rate (conversations per second, end to end through ``Archive``: rows, summary file with
fsync, index), search latency p50/p95 in milliseconds (target p95 < 50 ms), listing latency and the time of a
verified deletion. Invented names only.

Encryption at rest (issue 11): the cost of importing a recording (copy, hash, encrypt) and of the file side of
processing (decrypt the recording for decoding, store transcript and summary), encrypted against the test-only
plaintext mode, with the overhead in percent (target ≤ 10%), as wall and as CPU time (process + children) with
the load average, so a busy machine can be read honestly; ``--whole`` adds the import as the app does it (a full
decode of a real recording first); the search figures are for the encrypted archive
(SQLCipher), optionally also plaintext (``--search-plaintext``). Reports, never asserts.

    .venv/bin/python benchmarks/archive.py [--n 10000] [--queries 300] [--keep DIR] [--recording-mb 50]
                                           [--recordings 12] [--whole] [--no-search] [--search-plaintext]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transkript_kernel.casefile import consent  # noqa: E402
from transkript_kernel.casefile.archive import Archive  # noqa: E402
from transkript_kernel.cluster import cpu_seconds  # noqa: E402
from transkript_kernel.summary import Action, Concern, Summary, Topic  # noqa: E402

FIRST = ["Daan", "Sanne", "Noah", "Emma", "Liam", "Julia", "Sem", "Tess", "Finn", "Zoë", "Noé", "Aya", "Bram",
         "Fenna", "Ravi", "Yara", "Mees", "Lotte", "Ömer", "Saar"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos", "Peters",
        "Hendriks", "van Dijk", "Ağaoğlu", "O'Brien", "El Amrani", "Kramer", "Dekker", "Brouwer", "de Groot"]
TOPICS = ["technisch lezen", "begrijpend lezen", "spelling", "rekenen", "tafels", "werkhouding", "concentratie",
          "huiswerk", "vriendschappen", "gedrag op het plein", "schooladvies", "motivatie", "taalontwikkeling",
          "zelfstandigheid", "plannen", "faalangst", "sociale vaardigheden", "sport", "muziek", "topografie"]
ACTIONS = ["extra leesoefening met de remedial teacher", "weektaak samen plannen", "tafelkaart mee naar huis",
           "gesprek met de intern begeleider", "dagboekje tussen school en thuis", "evaluatie over zes weken",
           "oefenen met de computer", "beloningskaart invoeren", "toetsresultaten bespreken"]
KINDS = ["tienminutengesprek", "oudergesprek", "mentorgesprek", "adviesgesprek", "voortgangsgesprek"]


def synthetic(rng: random.Random, i: int) -> dict:
    pupil = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
    topics = rng.sample(TOPICS, 3)
    summ = Summary(language="nl", backend="benchmark",
                   topics=[Topic(f"Het gesprek ging over {t}.", [k]) for k, t in enumerate(topics)],
                   concerns=[Concern(f"Moeder maakt zich zorgen over {topics[0]}.", "ouder", [1])],
                   actions=[Action(f"Afspraak: {rng.choice(ACTIONS)}.", "docent", "volgende week", [2])])
    return {"pupil": pupil, "group": f"groep {rng.randint(1, 8)}", "kind": rng.choice(KINDS),
            "date": f"20{rng.randint(22, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "notes": f"Aantekening over {topics[1]} en {topics[2]}.", "summary": summ}


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def _mode(encrypted: bool) -> None:
    """Encrypted (a benchmark passphrase, never the real keyring) or the test-only plaintext mode."""
    os.environ.setdefault("TRANSKRIPT_PASSPHRASE", "benchmark-wachtwoord")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    if encrypted:
        os.environ.pop("TRANSKRIPT_PLAINTEXT_FOR_TESTS", None)
    else:
        os.environ["TRANSKRIPT_PLAINTEXT_FOR_TESTS"] = "1"


def _measure(timings: dict, key: tuple, step) -> None:
    wall, cpu = time.perf_counter(), cpu_seconds()
    step()
    timings.setdefault(key, []).append((time.perf_counter() - wall, cpu_seconds() - cpu))


def _speech_wav(path: Path, mb: int) -> Path:
    """A real recording of about ``mb`` MB: a public eval conversation repeated (decodable, not silent)."""
    import wave

    shared = Path(os.environ.get("TRANSKRIPT_SHARED", Path(__file__).resolve().parent.parent.parent / "shared"))
    source = shared / "eval" / "audio" / "pub01-lezen-groep5.wav"
    with wave.open(str(source), "rb") as fin:
        params, frames = fin.getparams(), fin.readframes(fin.getnframes())
    with wave.open(str(path), "wb") as fout:
        fout.setparams(params)
        for _ in range(max(1, round(mb * 1e6 / len(frames)))):
            fout.writeframes(frames)
    return path


def recording_cost(mb: int, count: int, whole: bool) -> None:
    """Import and the file side of processing, encrypted vs plaintext, in alternating order round by round (so
    a busy machine disturbs both alike); wall and CPU time (process + children), medians and minima. ``whole``
    also times the import as the app and ``transkript import`` do it (pipeline.import_recording: a full decode
    of a real recording, then the case file's copy)."""
    from transkript_kernel import pipeline
    from transkript_kernel.transcript import Segment, Transcript

    rng = random.Random(7)
    timings: dict[tuple[bool, str], list[tuple[float, float]]] = {}
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="transkript-bench-rec-") as tmp:
        tmp = Path(tmp)
        record = consent.record(True, "ouder")
        segments = [Segment(i, i * 3.0, i * 3.0 + 2.5, f"Zin {i} over {rng.choice(TOPICS)} en {rng.choice(ACTIONS)}.",
                            "S1") for i in range(400)]
        speech = _speech_wav(tmp / "spraak.wav", mb) if whole else None
        archives = {}
        for encrypted in (True, False):
            _mode(encrypted)
            archives[encrypted] = Archive(tmp / f"data-{encrypted}")
        for round_ in range(count):
            src = tmp / f"opname{round_}.wav"
            with open(src, "wb") as fh:
                fh.write(b"RIFF" + round_.to_bytes(4, "little"))
                for _ in range(mb):
                    fh.write(os.urandom(1 << 20))
            for encrypted in ((True, False) if round_ % 2 else (False, True)):
                _mode(encrypted)
                archive = archives[encrypted]
                conv = archive.create(pupil=f"Bench Kind {round_}", date="2026-10-05", kind="oudergesprek",
                                      consent=record)
                _measure(timings, (encrypted, "import"), lambda: archive.import_recording(conv.id, src))

                def process():
                    with archive.recording_file(conv.id) as plain:  # what processing does before decoding
                        with open(plain, "rb") as fh:
                            while fh.read(1 << 20):
                                pass
                    archive.save_transcript(conv.id, Transcript(language="nl", duration=1200.0, segments=segments),
                                            by="transkript")
                    archive.save_summary(conv.id, synthetic(rng, round_)["summary"], by="Juf Bench", role="docent",
                                         reason="eerste")
                _measure(timings, (encrypted, "process"), process)
                archive.delete_recording(conv.id)  # 50 MB files piling up would slow later rounds (page cache)
                if whole:
                    other = archive.create(pupil=f"Bench Kind {round_}b", date="2026-10-05", kind="oudergesprek",
                                           consent=record)
                    _measure(timings, (encrypted, "whole import"),
                             lambda: pipeline.import_recording(archive, other.id, speech))
                    archive.delete_recording(other.id)
            src.unlink()
        for archive in archives.values():
            archive.close()
    print(f"load average before {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, after "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" (2 cores: above 2 the figures are upper bounds)")
    what = {"import": "copy, hash, store", "process": "decrypt for decoding, read it, store transcript and summary",
            "whole import": "pipeline.import_recording: decode a real recording, then copy, hash, store"}
    for stage in what:
        if (True, stage) not in timings:
            continue
        enc, plain = timings[(True, stage)], timings[(False, stage)]
        parts = []
        for i, unit in ((0, "wall"), (1, "CPU")):
            e, p = statistics.median(t[i] for t in enc), statistics.median(t[i] for t in plain)
            paired = statistics.median(a[i] / b[i] for a, b in zip(enc, plain) if b[i] > 0)  # same round, same load
            parts.append(f"{unit}: encrypted {e * 1000:.0f} ms, plaintext {p * 1000:.0f} ms (medians), overhead "
                         f"{100 * (paired - 1):+.0f}% (median of the {len(enc)} rounds' ratios; minima "
                         f"{min(t[i] for t in enc) * 1000:.0f} / {min(t[i] for t in plain) * 1000:.0f} ms)")
        print(f"{stage} of a {mb} MB recording ({what[stage]}):\n  " + "\n  ".join(parts))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--keep", type=Path, help="keep the filled archive in this (new) directory")
    ap.add_argument("--recording-mb", type=int, default=50)
    ap.add_argument("--recordings", type=int, default=12, help="rounds of the encrypted/plaintext comparison")
    ap.add_argument("--whole", action="store_true", help="also time pipeline.import_recording on a real recording")
    ap.add_argument("--no-search", action="store_true", help="only the encryption cost of recordings")
    ap.add_argument("--search-plaintext", action="store_true", help="also fill and search a plaintext archive")
    args = ap.parse_args()
    if args.recordings:
        recording_cost(args.recording_mb, args.recordings, args.whole)
    for encrypted in () if args.no_search else ((True, False) if args.search_plaintext else (True,)):
        _mode(encrypted)
        print(f"--- {'encrypted (SQLCipher + AES-GCM)' if encrypted else 'plaintext test mode'}")
        fill_and_search(args, encrypted)
    return 0


def fill_and_search(args, encrypted: bool) -> None:
    rng = random.Random(20261128)
    with tempfile.TemporaryDirectory(prefix="transkript-bench-") as tmp:
        data = (args.keep / ("enc" if encrypted else "plain")) if args.keep else Path(tmp) / "data"
        archive = Archive(data)
        record = consent.record(True, "ouder")
        items = [synthetic(rng, i) for i in range(args.n)]
        start = time.perf_counter()
        for item in items:
            conv = archive.create(pupil=item["pupil"], date=item["date"], kind=item["kind"], group=item["group"],
                                  notes=item["notes"], consent=record)
            archive.save_summary(conv.id, item["summary"], by="Juf Bench", role="docent", reason="eerste versie")
        elapsed = time.perf_counter() - start
        print(f"inserted {args.n} conversations (row + consent + summary file + index) in {elapsed:.1f} s: "
              f"{args.n / elapsed:.0f} conversations/s")

        words = [w for t in TOPICS + ACTIONS for w in t.split() if len(w) > 3]
        queries = []
        for _ in range(args.queries):
            kind = rng.random()
            if kind < 0.3:
                queries.append((rng.choice(words), {}))  # one common word
            elif kind < 0.5:
                queries.append((" ".join(rng.sample(words, 2)), {}))  # two words
            elif kind < 0.7:
                queries.append((f"{rng.choice(FIRST)} {rng.choice(TOPICS).split()[0]}", {}))  # name + topic
            elif kind < 0.85:
                queries.append((rng.choice(words)[:4] + "*", {}))  # prefix
            else:
                queries.append((rng.choice(words), {"status": "concept", "date_from": "2025-01-01"}))
        archive.search("warm up")
        latencies, hits = [], []
        for q, filters in queries:
            t0 = time.perf_counter()
            frame = archive.search(q, **filters)
            latencies.append((time.perf_counter() - t0) * 1000)
            hits.append(len(frame))
        print(f"search over {args.n} conversations, {len(queries)} queries (top 50, as a DataFrame): "
              f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
              f"max {max(latencies):.1f} ms; mean hits {statistics.mean(hits):.1f}")
        list_lat = []
        for _ in range(20):
            t0 = time.perf_counter()
            archive.list(pupil=rng.choice(FIRST), date_from="2024-01-01")
            list_lat.append((time.perf_counter() - t0) * 1000)
        print(f"list (pupil + date filter): p50 {percentile(list_lat, 50):.1f} ms, "
              f"p95 {percentile(list_lat, 95):.1f} ms")
        del_lat = []
        for cid in rng.sample(archive.ids(), 10):
            t0 = time.perf_counter()
            archive.delete_conversation(cid)  # files, rows, index entry, index merge, WAL checkpoint, verified
            del_lat.append((time.perf_counter() - t0) * 1000)
        print(f"verified deletion of one conversation (incl. index merge): p50 {percentile(del_lat, 50):.0f} ms, "
              f"max {max(del_lat):.0f} ms")
        size = sum(p.stat().st_size for p in Path(data).rglob("*") if p.is_file())
        print(f"archive size on disk: {size / 1e6:.1f} MB")
        archive.close()


if __name__ == "__main__":
    sys.exit(main())
