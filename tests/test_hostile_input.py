"""Hostile input (issue 11, proof): every reader and command gets a clear Dutch + English message, exit != 0,
and nothing lost or half-written — never a traceback or another exception.

A ``hypothesis`` fuzz (bounded, derandomised, so CI runs the same examples) feeds the transcript and summary
readers arbitrary text and arbitrary JSON built around their schema tags; CLI commands get names with ``../``,
absolute paths, CR/LF, 10 kB strings, emoji and RTL text, and truncated or corrupt audio, JSON and databases.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from casefile_helpers import new_conversation, open_archive, summary, transcript
from transkript_kernel import cli
from transkript_kernel.errors import TranskriptError
from transkript_kernel.summary import Summary
from transkript_kernel.transcript import Transcript

FUZZ = settings(max_examples=300, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
NASTY = ["../../etc/passwd", "/etc/passwd", "naam\r\nBcc: x@evil.example", "x" * 10_240, "Zoë 👩‍🏫🎙️",
         "\u202eגדי\u202c مرحبا", "a\x00b", "..", "NUL", "-rf"]

# JSON values, nested a little
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                  max_size=4),
                    max_leaves=12)


def _shaped(schema: str, keys: list[str]):
    """Dicts that carry the right schema tag and the contract's keys with wrong or odd values: the deep paths."""
    return st.fixed_dictionaries({"schema": st.just(schema)},
                                 optional={k: JSON for k in keys})


TRANSCRIPT_KEYS = ["language", "duration", "segments", "speakers", "model", "source", "words", "created_at"]
SUMMARY_KEYS = ["language", "topics", "agreements", "actions", "concerns", "warnings", "backend", "transcript",
                "items", "doubt", "created_at"]


def _only_ours(call) -> None:
    try:
        call()
    except TranskriptError as exc:
        assert exc.nl and exc.en and "Traceback" not in exc.nl


@FUZZ
@given(st.text(max_size=300))
def test_any_text_as_a_transcript_or_summary_file(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fz") / "x.json"
    path.write_text(text, encoding="utf-8")
    _only_ours(lambda: Transcript.load(path))
    _only_ours(lambda: Summary.load(path))


@FUZZ
@given(JSON)
def test_any_json_as_a_transcript_or_summary(value):
    text = json.dumps(value)
    _only_ours(lambda: Transcript.from_json(text))
    _only_ours(lambda: Summary.from_json(text))


@FUZZ
@given(_shaped("transkript.transcript/1", TRANSCRIPT_KEYS))
def test_transcript_shaped_json(value):
    _only_ours(lambda: Transcript.from_json(json.dumps(value)))


@FUZZ
@given(_shaped("transkript.summary/1", SUMMARY_KEYS))
def test_summary_shaped_json(value):
    _only_ours(lambda: Summary.from_json(json.dumps(value)))


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_as_a_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fz") / "x.json"
    path.write_bytes(data)
    _only_ours(lambda: Transcript.load(path))
    _only_ours(lambda: Summary.load(path))


def test_a_valid_transcript_round_trips_so_the_fuzz_is_not_refusing_everything(tmp_path):
    t = transcript("Daan leest langzaam. Extra oefenen.")
    path = t.save(tmp_path / "t.json")
    assert Transcript.load(path).to_dict() == t.to_dict()
    s = summary()
    assert Summary.load(s.save(tmp_path / "s.json")).to_dict() == s.to_dict()


# --- the CLI -------------------------------------------------------------------------------------------------
def run(capsys, *argv) -> tuple[int, str]:
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse refusing an argument: its own usage message, exit 2
        code = exc.code
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize("name", NASTY)
def test_new_conversation_with_hostile_names(capsys, name, isolated_data):
    code, text = run(capsys, "new", "--pupil", name, "--kind", "oudergesprek", "--date", "2026-03-12",
                     "--consent", "given", "--consent-by", "ouder", "--group", name, "--notes", name)
    assert "Traceback" not in text
    if code == 0:  # stored as text, not as a path: nothing appears outside the data folder
        archive = open_archive()
        [cid] = archive.ids()
        assert archive.get(cid).pupil == " ".join(name.split())
        assert all(isolated_data in p.parents or p == isolated_data for p in isolated_data.rglob("*"))
        assert not Path("/etc/passwd.json").exists()


@pytest.mark.parametrize("name", NASTY)
def test_unknown_ids_and_hostile_paths_are_refused_cleanly(capsys, name, tmp_path, isolated_data):
    archive = open_archive()
    conv = new_conversation(archive)
    archive.close()
    before = sorted(p.name for p in isolated_data.rglob("*"))
    for argv in (["import", name, tmp_path / "missing.m4a"], ["import", conv.id, name], ["process", name],
                 ["archive", "show", name], ["export", "--pupil", name, "-o", tmp_path / "x.zip"],
                 ["report", name], ["transcribe", name], ["consent", "withdraw", name]):
        code, text = run(capsys, *argv)
        assert code != 0, argv
        assert "Traceback" not in text and "fout / error" in text or "usage" in text, (argv, text[-300:])
    assert sorted(p.name for p in isolated_data.rglob("*")) == before  # nothing written, nothing lost
    assert open_archive().get(conv.id).pupil == conv.pupil


@pytest.mark.parametrize("content", [b"", b"\x00" * 100, b"ID3" + b"\x00" * 50, b"RIFF\x10\x00\x00\x00WAVEfmt ",
                                     b"\xff\xfb" * 500])
def test_truncated_or_corrupt_audio_is_refused_and_stores_nothing(capsys, content, tmp_path, isolated_data):
    archive = open_archive()
    conv = new_conversation(archive)
    archive.close()
    bad = tmp_path / "opname.m4a"
    bad.write_bytes(content)
    code, text = run(capsys, "import", conv.id, bad)
    assert code != 0 and "Traceback" not in text and "fout / error" in text
    assert open_archive().recording_path(conv.id) is None
    code, text = run(capsys, "transcribe", bad)
    assert code != 0 and "Traceback" not in text


@pytest.mark.parametrize("content", ["", "{", "[]", '{"schema": "transkript.transcript/1"}', "null", "\ufeff{}",
                                     '{"schema": "transkript.summary/1", "topics": 5}'])
def test_corrupt_json_for_report_and_summarize(capsys, content, tmp_path):
    bad = tmp_path / "kapot.json"
    bad.write_text(content, encoding="utf-8")
    for argv in (["summarize", bad], ["report", "--transcript", bad, "--summary", bad, "-o", tmp_path / "r.pdf"]):
        code, text = run(capsys, *argv)
        assert code != 0 and "Traceback" not in text, (argv, text[-300:])
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_database_gives_a_message_not_a_traceback(damage, isolated_data):
    archive = open_archive()
    new_conversation(archive)
    archive.close()
    db = isolated_data / "archive.sqlite3"
    data = db.read_bytes()
    for extra in isolated_data.glob("archive.sqlite3-*"):
        extra.unlink()
    db.write_bytes({"truncate": data[:len(data) // 3], "garbage": b"\x13" * len(data), "empty": b""}[damage])
    done = subprocess.run([sys.executable, "-m", "transkript_kernel", "archive", "list"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0 or damage == "empty", done.stdout
    assert "Traceback" not in done.stderr, done.stderr[-800:]
