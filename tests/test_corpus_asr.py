"""The corpus's ASR fixtures (tests/data/corpus_asr, made by tests/corpus_asr.py) must still stand for what the
engine does: the same model, decoding options and vocabulary (names from the consent form + school words).
CI never synthesises or transcribes the corpus; when the engine's configuration changes, this fails and the
fixtures are made again."""
import json
from pathlib import Path

import pytest

import corpus_asr
from transkript_kernel import weights

FIXTURES = sorted(corpus_asr.FIXTURES.glob("*/*.json"))


def _conv(fixture: Path) -> dict:
    return json.loads((corpus_asr.CORPUS / fixture.parent.name / fixture.name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_matches_the_engine_configuration(fixture):
    data = json.loads(fixture.read_text(encoding="utf-8"))
    assert data["model"].get("fixture", {}).get("made_by") == "tests/corpus_asr.py"
    assert corpus_asr.stale(data, _conv(fixture)) == []


def test_every_fixture_has_its_conversation():
    for fixture in FIXTURES:
        assert (corpus_asr.CORPUS / fixture.parent.name / fixture.name).is_file(), fixture.name


def test_names_come_from_the_speaker_labels_as_a_consent_form_would_hold_them():
    conv = {"speakers": {"docent": "Juf Sanne, leerkracht groep 5", "ouder": "moeder van Çağan",
                         "school": "Hanneke Dijkstra, intern begeleider", "leerling": "Ms. Van Leeuwen, mentor"}}
    form = corpus_asr.label_names(conv)
    assert form.pupil == "Çağan"
    assert [p.name for p in form.participants] == ["Sanne", "Hanneke Dijkstra", "Leeuwen"]


def test_a_changed_configuration_makes_a_fixture_stale():
    conv = {"language": "nl", "speakers": {"docent": "Juf Sanne", "ouder": "vader van Ilse"}}
    fresh = {"model": {"name": weights.DEFAULT_NAME, "options": corpus_asr.expected_options(conv)}}
    assert corpus_asr.stale(fresh, conv) == []
    other_names = {**conv, "speakers": {"docent": "Juf Anouk", "ouder": "vader van Ilse"}}
    assert any("vocabulary_sha256" in p for p in corpus_asr.stale(fresh, other_names))
    assert corpus_asr.stale({**fresh, "model": {**fresh["model"], "name": "whisper-small"}}, conv)
    changed = {"model": {**fresh["model"], "options": {**fresh["model"]["options"], "beam_size": 1}}}
    assert any("beam_size" in p for p in corpus_asr.stale(changed, conv))
