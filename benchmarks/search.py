"""Search benchmark: the Dutch-aware search (casefile/search.py) at N conversations (default 10,000).

Fills a fresh case file's database directly (rows, the conversation-level FTS5 row and the passages, as
``Archive.save_transcript`` writes them, in large transactions: this measures searching, not importing) with
synthetic transcripts of 40 segments made from the Dutch sentences of the summary corpus (tests/data/corpus),
2% of the words misspelled by one edit as a recogniser would (so the vocabulary grows like a real one), and
times queries of five kinds: a plain word, a compound typed together that was written apart, two words that
form a compound, a misspelling, and a word with a filter. Prints p50/p95 in milliseconds with a warm vocabulary
(the usual case) and the first query after a change (the vocabulary is read again), the vocabulary's size, and
the size on disk: the whole database and the part the passages table takes. Invented names only; reports
times, never asserts them.

    .venv/bin/python benchmarks/search.py [--n 10000] [--queries 300] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transkript_kernel.casefile import search  # noqa: E402
from transkript_kernel.casefile.archive import Archive, pupil_key  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIRST = ["Daan", "Sanne", "Noah", "Emma", "Liam", "Julia", "Sem", "Tess", "Finn", "Zoë", "Aya", "Bram", "Fenna",
         "Ravi", "Yara", "Mees", "Lotte", "Ömer", "Saar", "Ilse"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Ağaoğlu"]
KINDS = ["tienminutengesprek", "oudergesprek", "voortgangsgesprek", "adviesgesprek"]
COMPOUNDS = [("lees", "begeleiding"), ("huiswerk", "begeleiding"), ("reken", "les"), ("school", "advies"),
             ("taal", "ontwikkeling"), ("spelling", "toets"), ("voor", "lezen"), ("werk", "houding")]


def sentences() -> list[str]:
    out = []
    for path in sorted((ROOT / "tests" / "data" / "corpus").rglob("*.json")):
        try:
            conv = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        if conv.get("language") != "nl":
            continue
        for turn in conv.get("turns", []):
            text = turn.get("text", "") if isinstance(turn, dict) else turn[-1]
            out += [s.strip() for s in re.split(r"(?<=[.?!])\s+", text) if len(s.split()) >= 4]
    return out or ["Daan leest nog erg langzaam en raadt vaak naar lange woorden."]


def misspell(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.random()
    if op < 0.4:
        return word[:i] + word[i + 1:]
    if op < 0.7:
        return word[:i] + rng.choice("aeiounrstl") + word[i + 1:]
    return word[:i] + rng.choice("aeiounrstl") + word[i:]


def segment_text(rng: random.Random, pool: list[str]) -> str:
    words = rng.choice(pool).split()
    if rng.random() < 0.15:  # a compound, written together or apart as the recogniser happened to
        a, b = rng.choice(COMPOUNDS)
        words.insert(rng.randrange(len(words) + 1), a + b if rng.random() < 0.5 else f"{a} {b}")
    return " ".join(misspell(rng, w) if rng.random() < 0.02 else w for w in words)


def fill(archive: Archive, n: int, rng: random.Random) -> None:
    pool = sentences()
    conn = archive.store.conn
    batch = 250
    for first in range(0, n, batch):
        conn.execute("BEGIN IMMEDIATE")
        for i in range(first, min(n, first + batch)):
            pupil = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            date = f"20{rng.randint(22, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            kind, group = rng.choice(KINDS), f"groep {rng.randint(1, 8)}"
            num = conn.execute(
                "INSERT INTO conversations (id, pupil, pupil_key, grp, date, kind, language, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 'nl', ?)",
                (f"{date.replace('-', '')}-{i:08x}", pupil, pupil_key(pupil), group, date, kind, date)).lastrowid
            segs = [(k, round(k * 6.5, 3), segment_text(rng, pool)) for k in range(40)]
            transcript = " ".join(text for _, _, text in segs)
            conn.execute("INSERT INTO search (rowid, meta, notes, transcript, summary) VALUES (?, ?, '', ?, '')",
                         (num, f"{pupil} {group} {kind} {date}", transcript))
            search.set_passages(conn, num, "transcript", segs)
        conn.execute("COMMIT")


def queries(rng: random.Random, vocab: search.Vocabulary, count: int) -> list[tuple[str, str, dict]]:
    common = [t for t in vocab.terms if len(t) >= 6 and t.isalpha()]
    rng.shuffle(common)
    out = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            out.append(("woord", rng.choice(common), {}))
        elif kind == 1:
            a, b = rng.choice(COMPOUNDS)
            out.append(("samenstelling", a + b, {}))
        elif kind == 2:
            a, b = rng.choice(COMPOUNDS)
            out.append(("twee woorden", f"{a} {b}", {}))
        elif kind == 3:
            out.append(("spelfout", misspell(rng, rng.choice(common)), {}))
        else:
            out.append(("met filter", rng.choice(common), {"group": f"groep {rng.randint(1, 8)}"}))
    return out


def _load() -> str:
    """The 1/5/15-minute load average: on a shared machine the wall-clock figures mean little without it."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def passages_bytes(db: Path, key: bytes | None) -> int:
    """The passages table's share of the file: the size after dropping it and vacuuming a copy (keyed like the
    case file: SQLCipher copies pages only between databases with the same key)."""
    from transkript_kernel.casefile.store import connect

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        src = connect(db, key)
        dst = connect(copy, key)
        src.backup(dst)
        src.close()
        before = copy.stat().st_size
        dst.execute("DROP TABLE search_passages")
        dst.execute("VACUUM")
        dst.close()
        return before - copy.stat().st_size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--keep", type=Path, help="keep the filled case file in this (new) directory")
    args = ap.parse_args()
    rng = random.Random(14)
    # The encrypted case file (SQLCipher) as a school has it; a benchmark passphrase, never the real keyring.
    os.environ.setdefault("TRANSKRIPT_PASSPHRASE", "benchmark-wachtwoord")
    print(f"cpu cores: {os.cpu_count()}, load average at start: {_load()}")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="transkript-search-"))
    try:
        archive = Archive(folder)
        t0 = time.perf_counter()
        fill(archive, args.n, rng)
        print(f"filled {args.n} conversations (40 segments each) in {time.perf_counter() - t0:.1f} s")
        conn = archive.store.conn
        t0 = time.perf_counter()
        vocab = search.vocabulary(conn)
        print(f"vocabulary: {len(vocab.terms)} terms, read in {(time.perf_counter() - t0) * 1000:.0f} ms "
              "(once per change of the database)")
        times: dict[str, list[float]] = {}
        cpu: list[float] = []
        found = 0
        archive.search("warm")  # pandas and the dictionary load once per process
        for kind, q, filters in queries(rng, vocab, args.queries):
            t0, c0 = time.perf_counter(), time.process_time()
            result = archive.search(q, **filters)
            times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            found += bool(len(result))
        every = [x for v in times.values() for x in v]
        print(f"search, warm vocabulary: p50 {statistics.median(every):.1f} ms, p95 {percentile(every, 95):.1f} ms "
              f"wall clock (target p95 < 50 ms); CPU time p50 {statistics.median(cpu):.1f} ms, p95 "
              f"{percentile(cpu, 95):.1f} ms (the wall clock minus waiting for a busy machine's CPU); "
              f"{found}/{len(every)} queries found something; load average now {_load()}")
        for kind, values in times.items():
            print(f"  {kind:14s} p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 95):6.1f} ms")
        cold = []
        for kind, q, filters in queries(rng, vocab, 5):
            conn.execute("UPDATE conversations SET notes = notes WHERE num = 1")  # a change: vocabulary re-read
            t0 = time.perf_counter()
            archive.search(q, **filters)
            cold.append((time.perf_counter() - t0) * 1000)
        print(f"first search after a change (vocabulary re-read): median {statistics.median(cold):.0f} ms")
        key = archive.keys.database if archive.keys else None
        archive.close()
        db = folder / "archive.sqlite3"
        size = db.stat().st_size
        part = passages_bytes(db, key)
        print(f"database {size / 1e6:.1f} MB, of which the passages table {part / 1e6:.1f} MB "
              f"({part / max(1, size):.0%}); the vocabulary view stores nothing")
        print(f"load average at the end: {_load()}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
