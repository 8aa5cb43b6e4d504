"""Names from the consent form as the recogniser's vocabulary (issue 14, item 3).

Quick tests check the plumbing: which words reach Whisper, in which order, with which hash, from which
conversation. The slow test transcribes a synthetic recording (tests/data/names/, our own invented
conversations) with and without the names and checks a name the plain model gets wrong comes out right.
"""
from __future__ import annotations

import hashlib
from types import SimpleNamespace

import numpy as np
import pytest

from casefile_helpers import new_conversation, open_archive, transcript
from transkript_kernel import asr, audio, pipeline
from transkript_kernel.conversation import Participant


def _settings(**kw) -> asr.AsrSettings:
    return asr.AsrSettings(**kw)


# --- cleaning and order --------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ("Ilse", "Ilse"),
    ("  Samira   el  Idrissi ", "Samira el Idrissi"),
    ("D'Angelo", "D'Angelo"),
    ("Zoe\u0308", "Zoë"),  # decomposed diaeresis -> one NFC letter
    ("\u200fيوسف\u200f", "يوسف"),  # right-to-left marks copied along are dropped, the letters stay
    ("می\u200cخواهم", "می\u200cخواهم"),  # the zero-width non-joiner is part of a Persian spelling
    ("Bram, de Vries", "Bram de Vries"),  # a comma would split the entry in two
    ("Noor\nJansen\t", "Noor Jansen"),
    ("\x00\x07", ""),
])
def test_clean_word_keeps_letters_and_drops_separators_and_invisible_marks(raw, expected):
    assert asr.clean_word(raw) == expected


def test_clean_word_is_bounded():
    assert len(asr.clean_word("a" * 500)) == asr.NAME_MAX_CHARS


def test_conversation_names_come_from_pupil_participants_and_consent():
    consent = SimpleNamespace(name="Mevrouw Visser")
    conv = SimpleNamespace(pupil="Ilse Visser", consent=consent,
                           participants=[Participant("Samira", "docent"), Participant("ilse visser", "leerling"),
                                         Participant("", "ouder")])
    assert asr.conversation_names(conv) == ("Ilse Visser", "Samira", "Mevrouw Visser")
    assert asr.conversation_names(SimpleNamespace(pupil="", participants=None, consent=None)) == ()


def test_names_come_first_and_in_every_language_school_words_only_in_dutch():
    conf = _settings()
    school = asr.split_vocabulary(conf.vocabulary)
    dutch = asr.effective_vocabulary(names=["Ilse", "Samira"], language="nl", settings=conf)
    assert dutch[:2] == ("Ilse", "Samira") and dutch[2:] == school
    assert asr.effective_vocabulary(names=["Ilse"], language="en", settings=conf) == ("Ilse",)
    assert asr.effective_vocabulary(names=["Ilse"], language="nl", task="translate", settings=conf) == ()
    assert asr.effective_vocabulary(names=["Ilse"], vocabulary="", settings=conf) == ("Ilse",)
    assert asr.effective_vocabulary(vocabulary=["Cito", "cito", "plusklas"], settings=conf) == ("Cito", "plusklas")
    # a name that is also a school word is not given twice
    assert asr.effective_vocabulary(names=["Mentor"], settings=conf).count("mentor") == 0


def test_without_names_the_hotwords_are_the_configured_text_unchanged():
    """Transcripts made before names existed had exactly AsrSettings.vocabulary as hotwords: same hash now."""
    conf = _settings()
    assert asr.hotwords_text(asr.effective_vocabulary(settings=conf)) == conf.vocabulary
    assert asr.vocabulary_hash(asr.effective_vocabulary(settings=conf)) == \
        hashlib.sha256(conf.vocabulary.encode("utf-8")).hexdigest()


def test_vocabulary_hash_depends_on_the_words_and_their_order_not_on_spacing():
    h = asr.vocabulary_hash
    assert h([]) is None and h("") is None and h(None) is None
    assert h(["Ilse", "Samira"]) == h("Ilse,Samira") == h(" Ilse ,  Samira")
    assert h(["Ilse", "Samira"]) != h(["Samira", "Ilse"]) != h(["Ilse"])
    assert len(h(["Ilse"])) == 64


# --- what reaches Whisper ------------------------------------------------------------------------------------
class _FakeWhisper:
    """Stands in for faster-whisper: records the options and returns one fixed segment."""

    def __init__(self):
        self.calls = []

    def transcribe(self, samples, **options):
        self.calls.append(options)
        word = SimpleNamespace(start=0.0, end=0.5, word=" Ilse.", probability=0.9)
        seg = SimpleNamespace(start=0.0, end=0.5, text=" Ilse.", words=[word])
        return iter([seg]), SimpleNamespace()


@pytest.fixture
def fake_model(monkeypatch, tmp_path):
    from transkript_kernel import weights

    fake = _FakeWhisper()
    monkeypatch.setattr(weights, "resolve_model", lambda model=None: tmp_path)
    monkeypatch.setattr(weights, "model_name", lambda model_dir: "fake")
    monkeypatch.setattr(asr, "load_model", lambda *a, **k: (fake, fake, tmp_path))
    return fake


def _clip() -> audio.AudioClip:
    return audio.AudioClip(np.zeros(16000, np.float32), 16000, 1.0, "gesprek.wav", "0" * 64)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_transcribe_passes_names_first_as_hotwords_and_records_the_hash(fake_model, language):
    conf = _settings()
    names = ["Ilse", "Samira", "\u200fيوسف"]
    t = asr.transcribe(_clip(), language=language, names=names, settings=conf)
    sent = fake_model.calls[-1]["hotwords"]
    assert sent.startswith("Ilse, Samira, يوسف")
    assert (conf.vocabulary in sent) == (language == "nl")
    options = t.model["options"]
    assert options["vocabulary"] == "hotwords" and options["vocabulary_names"] == 3
    used = asr.effective_vocabulary(names=names, language=language, settings=conf)
    assert options["vocabulary_sha256"] == asr.vocabulary_hash(used) == asr.vocabulary_hash(sent)
    assert "Ilse" not in str(options)  # provenance without the names themselves


def test_transcribe_without_any_vocabulary_sends_no_hotwords(fake_model):
    t = asr.transcribe(_clip(), language="en", settings=_settings())
    assert "hotwords" not in fake_model.calls[-1]
    assert t.model["options"]["vocabulary"] is None and t.model["options"]["vocabulary_sha256"] is None


def test_process_conversation_passes_the_consent_form_names(tmp_path, monkeypatch):
    from test_pipeline import _tone

    seen = {}

    def fake_transcribe(clip, *, names=(), progress=None, **kw):
        seen["names"] = tuple(names)
        return transcript("Ilse leest goed. Samira helpt haar.")

    monkeypatch.setattr(asr, "transcribe", fake_transcribe)
    archive = open_archive()
    conv = new_conversation(archive, pupil="Ilse Visser",
                            participants=[Participant("Samira", "docent"), Participant("Mevrouw Visser", "ouder")])
    pipeline.import_recording(archive, conv.id, _tone(tmp_path / "toon.m4a"))
    pipeline.process_conversation(archive, conv.id, speakers=1)
    assert seen["names"] == ("Ilse Visser", "Samira", "Mevrouw Visser", "Moeder Testkind")


def test_cli_new_takes_repeatable_participants_with_odd_names(isolated_data):
    import json

    from casefile_helpers import cli

    done = cli("new", "--pupil", "Zoë O'Brien", "--kind", "oudergesprek", "--date", "2026-10-05",
               "--consent", "given", "--consent-by", "ouder", "--participant", "Samira Haddou:docent",
               "--participant", "يوسف العلوي:ouder", "--participant", "Mevrouw de Wit:school", data=isolated_data)
    assert done.returncode == 0, done.stderr
    cid = done.stdout.strip()
    shown = json.loads(cli("archive", "show", cid, "--json", data=isolated_data, check=True).stdout)
    assert [(p["name"], p["role"]) for p in shown["participants"]] == \
        [("Samira Haddou", "docent"), ("يوسف العلوي", "ouder"), ("Mevrouw de Wit", "school")]
    archive = open_archive(isolated_data)
    with archive:
        assert asr.conversation_names(archive.get(cid)) == ("Zoë O'Brien", "Samira Haddou", "يوسف العلوي",
                                                            "Mevrouw de Wit")
