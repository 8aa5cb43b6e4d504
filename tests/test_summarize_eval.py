"""The default summariser on the public scripted conversations, scored by the shared scorer itself."""
import json

import jsonschema
import pytest

from conftest import SHARED, conversation_ids, reference_transcript, score
from transkript_kernel.summarize import summarize
from transkript_kernel.transcript import Transcript

SCHEMA = json.loads((SHARED / "contracts" / "summary.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    out = {}
    tmp = tmp_path_factory.mktemp("summaries")
    for conv_id in conversation_ids():
        transcript = Transcript.load(reference_transcript(conv_id, tmp))
        summary = summarize(transcript)
        data = summary.to_dict()
        jsonschema.validate(data, SCHEMA)
        path = summary.save(tmp / f"{conv_id}.summary.json")
        out[conv_id] = score("summary", path, SHARED / "eval" / "conversations" / f"{conv_id}.json")
    for conv_id, f in out.items():  # exact figures in the test log (-s or on failure)
        print(conv_id, json.dumps(f, ensure_ascii=False))
    return out


def _mean(figures, key):
    return sum(f[key] for f in figures.values()) / len(figures)


def test_there_are_public_conversations(figures):
    assert len(figures) >= 4


@pytest.mark.parametrize("key,minimum", [("action_recall", 0.85), ("action_precision", 0.80),
                                         ("owner_accuracy", 0.85), ("concern_recall", 0.80),
                                         ("topic_recall", 0.80)])
def test_average_at_least(figures, key, minimum):
    assert _mean(figures, key) >= minimum, {k: f[key] for k, f in figures.items()}


def test_actions_are_short(figures):
    assert _mean(figures, "mean_action_words") <= 15


def test_no_forbidden_phrase_and_every_item_has_evidence(figures):
    for conv_id, f in figures.items():
        assert f["forbidden_phrases"] == [], conv_id
        assert f["all_items_have_evidence"], conv_id


def test_deterministic(tmp_path):
    conv_id = conversation_ids()[0]
    transcript = Transcript.load(reference_transcript(conv_id, tmp_path))
    assert summarize(transcript).to_json() == summarize(transcript.copy()).to_json()
