"""Golden summaries: the extractive summariser's exact output on the public set and the held-out conversations.

A refactor must leave these byte-identical; a change to the analyser that alters them is deliberate and
regenerates them with ``TRANSKRIPT_UPDATE_GOLDEN=1 pytest tests/test_golden_summaries.py`` in its own commit,
so the diff shows what changed for which conversation.
"""
import json
import os
from pathlib import Path

import pytest

from conftest import EVAL
from transkript_kernel.evaluation import turns_transcript
from transkript_kernel.summarize import summarize

GOLDEN = Path(__file__).parent / "data" / "golden"
SOURCES = sorted((EVAL / "conversations").glob("*.json")) + sorted(
    (Path(__file__).parent / "data" / "summary_heldout" / "conversations").glob("*.json"))


def _render(conv_path: Path) -> str:
    conv = json.loads(conv_path.read_text(encoding="utf-8"))
    return json.dumps(summarize(turns_transcript(conv)).to_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@pytest.mark.parametrize("conv_path", SOURCES, ids=lambda p: p.stem)
def test_summary_is_byte_identical_to_golden(conv_path):
    golden = GOLDEN / f"{conv_path.stem}.summary.json"
    text = _render(conv_path)
    if os.environ.get("TRANSKRIPT_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden summary for {conv_path.stem}: run with TRANSKRIPT_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_every_source_has_a_golden_file_and_no_stale_ones():
    assert len(SOURCES) >= 17
    assert {p.stem for p in SOURCES} == {p.name.removesuffix(".summary.json") for p in GOLDEN.glob("*.summary.json")}
