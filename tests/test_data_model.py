"""Transcripts and summaries round-trip through JSON exactly as the shared contracts say."""
import json

import jsonschema
import pytest

from conftest import SHARED, conversation_ids, reference_transcript
from transkript_kernel.errors import InputError
from transkript_kernel.summary import Action, Concern, Summary, Topic, Warning
from transkript_kernel.transcript import Segment, Speaker, Transcript, Word


def _schema(name):
    return json.loads((SHARED / "contracts" / f"{name}.schema.json").read_text())


def test_transcript_round_trip_follows_contract(tmp_path):
    t = Transcript(language="nl", duration=12.5,
                   speakers={"S1": Speaker("Juf Sanne", "docent"), "S2": Speaker("Spreker 2", None)},
                   segments=[Segment(0, 0.0, 4.2, "Goedenavond.", "S1", [Word(0.0, 0.8, " Goedenavond.", 0.93)]),
                             Segment(1, 4.5, 9.0, "Dag juf, één vraag.", "S2"),
                             Segment(2, 9.5, 12.5, "Zonder spreker.", None)],
                   source={"file": "gesprek één.m4a", "sha256": "0" * 64}, model={"name": "base"})
    d = t.to_dict()
    jsonschema.validate(d, _schema("transcript"))
    path = t.save(tmp_path / "t.json")
    again = Transcript.load(path)
    assert again.to_dict() == d
    assert again.segment(1).text == "Dag juf, één vraag."
    assert again.role_of("S1") == "docent" and again.role_of(None) is None


@pytest.mark.parametrize("conv_id", conversation_ids())
def test_reference_transcripts_load(conv_id, tmp_path):
    path = reference_transcript(conv_id, tmp_path)
    raw = json.loads(path.read_text())
    t = Transcript.load(path)
    assert t.to_dict()["segments"] == [
        {**s, "start": round(s["start"], 3), "end": round(s["end"], 3)} for s in raw["segments"]]
    jsonschema.validate(t.to_dict(), _schema("transcript"))


def test_unknown_role_and_wrong_schema_are_refused():
    with pytest.raises(ValueError):
        Speaker("X", "directeur")
    with pytest.raises(InputError):
        Transcript.from_dict({"schema": "other/1", "language": "nl", "duration": 1, "speakers": {}, "segments": []})


def test_summary_round_trip_follows_contract():
    s = Summary(language="nl", backend="extractive",
                topics=[Topic("Lezen", [1, 2])], concerns=[Concern("Leest langzaam", "ouder", [3])],
                actions=[Action("Leesboekje meegeven", "docent", "vrijdag", [6])],
                warnings=[Warning("subjective", "'lastig kind' gezegd", [4]), Warning("incomplete", "x")])
    d = s.to_dict()
    jsonschema.validate(d, _schema("summary"))
    assert Summary.from_json(s.to_json()).to_dict() == d
