"""Third-party detection on our own conversations (tests/data/thirdparty): names found and missed (precision,
recall) and mentions of other people still in the family's copy with the default choices. The README's figures."""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from thirdparty_helpers import HELD_OUT, conversations, evaluate  # noqa: E402


def main() -> None:
    start = time.perf_counter()
    all_ids = [c["id"] for c in conversations()]
    dev = [i for i in all_ids if i not in HELD_OUT]
    for label, ids in (("tuned on (6)", dev), ("held out (3)", list(HELD_OUT)), ("all (9)", all_ids)):
        s = evaluate(ids)
        print(f"{label:14} names found {s.found}, wrong {s.wrong}, missed {s.missed}: precision {s.precision:.2f}, "
              f"recall {s.recall:.2f}; mentions left {s.left}/{s.mentions}")
        if s.wrong_names or s.missed_names:
            print(f"{'':14} wrong: {', '.join(s.wrong_names) or '-'}; missed: {', '.join(s.missed_names) or '-'}")
    print(f"{time.perf_counter() - start:.1f} s (first call reads the first-name list)")


if __name__ == "__main__":
    main()
