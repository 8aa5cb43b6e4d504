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


# --- names written as on the form ----------------------------------------------------------------------------
def _words_transcript(*pieces: str):
    from transkript_kernel.transcript import Segment, Transcript, Word

    words = [Word(float(i), float(i) + 0.5, p, 0.9) for i, p in enumerate(pieces)]
    return Transcript(language="nl", duration=float(len(words)),
                      segments=[Segment(0, 0.0, float(len(words)), "".join(pieces).strip(), None, words)])


@pytest.mark.parametrize("heard, form, written", [
    ([" Vandaag", " over", " ilse."], ["Ilse Visser"], "Vandaag over Ilse."),
    ([" Hoe", " gaat", " het", " met", " Jusef?"], ["Youssef El Amrani"], "Hoe gaat het met Youssef?"),
    ([" Ik", " ben", " juf", " Zamira."], ["Samira"], "Ik ben juf Samira."),
    ([" Dat", " vindt", " joelle", " leuk."], ["Joëlle Bakker"], "Dat vindt Joëlle leuk."),
    ([" Hoe", " vindt", " d", "'angelo", " het?"], ["D'Angelo Martis"], "Hoe vindt D'Angelo het?"),
    ([" Mevrouw", " de", " wit", " belt."], ["Mevrouw de Wit"], "Mevrouw de Wit belt."),
    # names from other languages: Turkish letters, a Moroccan and an Eritrean name in Latin script, and an
    # Arabic one written with vowel marks the form does not have (the marks belong to the word)
    ([" Dag", " juf", " Ozturk."], ["Juf Meryem Öztürk"], "Dag juf Öztürk."),
    ([" Meneer", " el", " alaoui", " belt."], ["Amina El Alaoui"], "Meneer el Alaoui belt."),
    ([" Tesfai", " leest", " goed."], ["Tesfay Haile"], "Tesfay leest goed."),
    ([" قال", " يُوسُف", " شكرا"], ["يوسف العلوي"], "قال يوسف شكرا"),
])
def test_misheard_names_are_written_as_on_the_form(heard, form, written):
    from transkript_kernel import names

    t = _words_transcript(*heard)
    assert names.correct(t, form) >= 1
    assert t.segments[0].text == written
    assert "".join(w.word for w in t.segments[0].words).strip() == written  # words and text agree
    assert t.segments[0].words[-1].end == len(heard) - 0.5  # times stay


@pytest.mark.parametrize("heard, form", [
    ([" Het", " huis", " is", " wit."], ["Mevrouw de Wit"]),  # an ordinary word stays ordinary
    ([" Een", " mees", " in", " de", " tuin."], ["Mees"]),
    ([" Hij", " leest", " goed."], ["Lieke"]),  # "leest" sounds nothing like it
    ([" We", " zien", " samen", " de", " zon."], ["Samira", "Sem"]),  # "samen" is a word, not Samira or Sem
    ([" Zij", " zegt", " nee."], ["Zeynep"]),
    ([" Hij", " heet", " Yusuf."], ["يوسف العلوي"]),  # another script is another spelling, never rewritten
    ([" Ik", " ben", " Meryem."], ["Juf Meryem Öztürk", "يوسف العلوي"]),
])
def test_ordinary_words_are_not_turned_into_names(heard, form):
    from transkript_kernel import names

    t = _words_transcript(*heard)
    before = t.segments[0].text
    assert names.correct(t, form) == 0 and t.segments[0].text == before


def test_transcribe_writes_the_names_as_on_the_form_and_counts_it(fake_model):
    t = asr.transcribe(_clip(), language="nl", names=["ilse"], settings=_settings())  # the fake hears " Ilse."
    assert t.model["options"]["names_corrected"] == 1 and t.segments[0].text == "ilse."


# --- the real recogniser on a recording of our own -----------------------------------------------------------
def _synthesised(tmp_path_factory, file_name: str):
    """One of tests/data/names/ (invented) spoken by the MBROLA voices through the shared synthesiser:
    (wav, ref.json, the conversation)."""
    import json
    import shutil
    import subprocess
    import sys

    from conftest import EVAL, ROOT

    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng/sox are not installed (make setup installs them)")
    src = tmp_path_factory.mktemp("names-src")
    conv_path = ROOT / "tests" / "data" / "names" / file_name
    shutil.copy(conv_path, src)
    out = tmp_path_factory.mktemp("names-audio")
    subprocess.run([sys.executable, str(EVAL / "synthesize.py"), str(src), str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    conv = json.loads(conv_path.read_text(encoding="utf-8"))
    return out / f"{conv['id']}.wav", out / f"{conv['id']}.ref.json", conv


@pytest.fixture(scope="module")
def youssef_recording(tmp_path_factory):
    return _synthesised(tmp_path_factory, "names03-youssef-advies.json")


@pytest.fixture(scope="module")
def amina_recording(tmp_path_factory):
    """Juf Meryem Öztürk, Amina El Alaoui, and her father, whose name the form holds in Arabic script."""
    return _synthesised(tmp_path_factory, "names06-amina-rtl.json")


@pytest.mark.slow
def test_a_form_name_the_plain_model_gets_wrong_comes_out_right(youssef_recording, tmp_path):
    from conftest import score

    wav, ref, conv = youssef_recording
    names = [conv["pupil"], *(n for n, _ in conv["participants"])]
    spoken = sum(text.count("Youssef") for _, text in conv["turns"])
    plain = asr.transcribe(wav, language="nl", settings=_settings())
    with_names = asr.transcribe(wav, language="nl", names=names, settings=_settings())
    assert plain.text.count("Youssef") < spoken / 2  # the plain model writes it its own way ("Jusef")
    assert with_names.text.count("Youssef") >= 0.9 * spoken
    rates = []
    for t in (plain, with_names):
        t.save(tmp_path / "hyp.json")
        rates.append(score("transcript", tmp_path / "hyp.json", ref)["wer"])
    assert rates[1] <= rates[0] + 0.01, rates  # no common word turned into a name


@pytest.mark.slow
def test_turkish_moroccan_and_arabic_script_names_survive_into_the_pdf(amina_recording, tmp_path, artifacts):
    """From speech to the parents' PDF. The plain model wrote "jeufmirium-osturk" and "El-Alau" for this recording
    (when the test was written); with the form's names they are spelled as on the form, the father is labelled
    with the Arabic-script name from the form, and the PDF draws that name right to left."""
    import json
    import re
    import subprocess
    import unicodedata

    from casefile_helpers import summary
    from transkript_kernel import names as names_mod
    from transkript_kernel import report, speakers
    from transkript_kernel.conversation import ConsentRecord, Conversation
    from transkript_kernel.diarize import Turn

    wav, ref_path, conv = amina_recording
    participants = [Participant(name, role) for name, role in conv["participants"]]
    form = Conversation(id="20261202-rtl", pupil=conv["pupil"], date="2026-12-02", kind=conv["kind"], group="6",
                        language="nl", participants=participants,
                        consent=ConsentRecord(True, "ouder", "2026-12-02T15:00:00+00:00", "mondeling"))
    names = asr.conversation_names(form)
    assert "يوسف العلوي" in names
    t = asr.transcribe(wav, language="nl", names=names, settings=_settings())
    spoken = {w: sum(text.count(w) for _, text in conv["turns"]) for w in ("Öztürk", "Alaoui", "Amina")}
    right = {w: min(n, t.text.count(w)) for w, n in spoken.items()}
    assert sum(right.values()) >= 0.9 * sum(spoken.values()), (right, t.text)
    as_on_form = {nw.fold: nw.text for nw in names_mod.name_words(names)}
    for word in re.findall(r"[\w'’-]+", t.text):  # no form name left half right ("ozturk", "Alaoui" in lower case)
        assert as_on_form.get(names_mod.fold(word), word) == word, (word, t.text)

    # speakers from the reference's turns (diarisation has its own tests), roles guessed, named from the form
    ref = json.loads(ref_path.read_text(encoding="utf-8"))["segments"]
    order = list(dict.fromkeys(turn["speaker"] for turn in ref))
    speakers.apply_turns(t, [Turn(turn["start"], turn["end"], order.index(turn["speaker"])) for turn in ref])
    speakers.guess_roles(t, participants=participants)
    speakers.name_speakers(t, participants)
    assert {sp.role: sp.label for sp in t.speakers.values()} == {"docent": "Juf Meryem Öztürk", "ouder": "يوسف العلوي"}

    pdf = report.render_pdf(tmp_path / "verslag.pdf", transcript=t, summary=summary(), conversation=form,
                            language="nl", with_transcript=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")  # pdftotext wraps RTL runs in U+202B/C
    assert text.count("يوسف العلوي") >= 2  # participants and the transcript's speaker column, in reading order
    assert "Amina El Alaoui" in text and text.count("Öztürk") >= 2
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    boxes = [(float(x), float(y), w) for x, y, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)<', bbox)]

    def side_by_side(first, second):  # neighbours on one line; -bbox gives words as drawn (RTL letters reversed)
        plain = [(x, y, w[::-1] if w[::-1] in (first, second) else w) for x, y, w in boxes]
        return [(a, b) for a, b in zip(plain, plain[1:]) if {a[2], b[2]} == {first, second} and a[1] == b[1]]

    for first, second, rtl in (("يوسف", "العلوي", True), ("Meryem", "Öztürk", False)):  # the Latin pair: control
        pairs = side_by_side(first, second)
        assert len(pairs) >= 2, (first, second, pairs)
        for a, b in pairs:  # right to left: the name's first word is drawn to the right of its second
            left = min(a, b)[2]
            assert left == (second if rtl else first), (first, second, pairs)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(artifacts / "names-rtl-page1")], check=True)  # for a human look at the shaping
