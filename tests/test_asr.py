"""Real speech recognition: the public recordings through the real default model, scored by the shared scorer.

Each recording is transcribed once per session (the ``asr_transcript`` fixture in conftest.py).
"""
import json
import math
import shutil
import subprocess

import jsonschema
import pytest

from conftest import EVAL, SHARED, score
from transkript_kernel import asr, audio
from transkript_kernel.atomic import sha256_file
from transkript_kernel.errors import InputError, ModelNotAvailableError, SilentAudioError

DUTCH = ["pub01-lezen-groep5", "pub02-gedrag-groep7", "pub03-schooladvies-groep8"]
ENGLISH = "pub04-english-parent"
SCHEMA = json.loads((SHARED / "contracts" / "transcript.schema.json").read_text())


def wer(transcript, conv_id, tmp_path) -> float:
    hyp = tmp_path / f"{conv_id}.hyp.json"
    transcript.save(hyp)
    return score("transcript", hyp, EVAL / "audio" / f"{conv_id}.ref.json")["wer"]


@pytest.mark.slow
def test_dutch_word_error_rate(asr_transcript, tmp_path):
    rates = {c: wer(asr_transcript(c), c, tmp_path) for c in DUTCH}
    print("Dutch WER (wav):", rates)
    assert sum(rates.values()) / len(rates) <= 0.22, rates
    assert max(rates.values()) <= 0.30, rates


@pytest.mark.slow
def test_english_word_error_rate(asr_transcript, tmp_path):
    rate = wer(asr_transcript(ENGLISH, language="en"), ENGLISH, tmp_path)
    print("English WER (wav):", rate)
    assert rate <= 0.10


@pytest.mark.slow
@pytest.mark.parametrize("conv_id, expected, bound", [(DUTCH[0], "nl", 0.30), (ENGLISH, "en", 0.15)])
def test_auto_detects_language_from_phone_m4a(asr_transcript, tmp_path, conv_id, expected, bound):
    transcript = asr_transcript(conv_id, fmt="m4a", language="auto")
    assert transcript.language == expected
    assert transcript.model["language_probability"] > 0.5
    assert transcript.source["file"] == f"{conv_id}.m4a"
    # AAC at phone quality costs a little accuracy; the wav figures are the proof targets
    assert wer(transcript, conv_id, tmp_path) <= bound


@pytest.mark.slow
@pytest.mark.parametrize("conv_id", [DUTCH[1], ENGLISH])
def test_transcript_follows_the_contract(asr_transcript, conv_id):
    transcript = asr_transcript(conv_id)
    data = transcript.to_dict()
    jsonschema.validate(data, SCHEMA)
    path = EVAL / "audio" / f"{conv_id}.wav"
    assert data["source"] == {"file": path.name, "sha256": sha256_file(path)}
    assert data["model"]["name"] == "whisper-base" and data["model"]["compute_type"] == "int8"
    assert data["model"]["options"]["beam_size"] == 5 and data["model"]["options"]["batched"] is True
    assert [s["id"] for s in data["segments"]] == list(range(len(data["segments"])))
    assert all(s["speaker"] is None for s in data["segments"])  # ASR alone attributes nobody
    _assert_one_segment_per_sentence(transcript)
    previous_end = 0.0
    for seg in transcript.segments:
        assert seg.text and seg.start <= seg.end <= transcript.duration + 0.5
        assert seg.start >= previous_end - 0.5
        previous_end = seg.end
        assert seg.words, "word timestamps are on by default"
        assert "".join(w.word for w in seg.words).strip() == seg.text
        assert all(seg.start - 0.5 <= w.start <= w.end <= seg.end + 0.5 for w in seg.words)


def _assert_one_segment_per_sentence(transcript):
    """Segments end at sentence ends — a property, not one machine's count (issue 12: 16 segments here, 14 on
    another CPU for the same recording). Exact: no sentence end is left inside a segment (the splitter's own
    abbreviation rule aside). With a tolerance: Whisper sometimes leaves a stretch unpunctuated, so up to a
    quarter of the segments may end without a full stop (2 of 16 here). Splitting happened at all: at least two
    segments per 30 s chunk the recording can hold (a chunk per segment would give ~4 for 110 s; 14-16 seen)."""
    segments = transcript.segments
    for seg in segments:
        for word, following in zip(seg.words, seg.words[1:]):
            text, nxt = word.word.strip(), following.word.strip()
            abbreviation = text.endswith(".") and nxt[:1].islower()  # "bijv. een", as asr._sentences
            assert not (text.endswith(asr._SENTENCE_END) and not abbreviation), f"unsplit sentence end: {seg.text}"
    unended = [s.text for s in segments if not s.text.endswith(asr._SENTENCE_END)]
    assert len(unended) <= 0.25 * len(segments), unended
    chunks = math.ceil(transcript.duration / 30)
    assert len(segments) >= 2 * chunks, (len(segments), chunks)


def test_the_sentence_property_catches_unsplit_chunks():
    from transkript_kernel.transcript import Segment, Transcript, Word

    def seg(i, words):
        ws = [Word(i + k * 0.1, i + k * 0.1 + 0.1, " " + w, 0.9) for k, w in enumerate(words)]
        return Segment(id=i, start=ws[0].start, end=ws[-1].end, text="".join(w.word for w in ws).strip(), words=ws)

    good = Transcript(language="nl", duration=20.0, segments=[seg(i, ["Ja,", "bijv.", "zo."]) for i in range(4)])
    _assert_one_segment_per_sentence(good)
    for bad in ([seg(0, ["Ja.", "Nee."]), *good.segments[1:]],  # a sentence end inside a segment
                [seg(i, ["ja", "nee"]) for i in range(4)],  # no sentence ends at all
                good.segments[:1]):  # one segment for a 20 s chunk
        with pytest.raises(AssertionError):
            _assert_one_segment_per_sentence(Transcript(language="nl", duration=20.0, segments=bad))


@pytest.mark.slow
def test_vocabulary_is_used_for_dutch_only(asr_transcript):
    assert asr_transcript(DUTCH[0]).model["options"]["vocabulary"] == "hotwords"
    assert asr_transcript(ENGLISH).model["options"]["vocabulary"] is None


@pytest.fixture(scope="module")
def turkish_wav(tmp_path_factory):
    """A Turkish parent, spoken offline by espeak-ng (our own invented sentences, not eval material)."""
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (make setup installs it)")
    path = tmp_path_factory.mktemp("tr") / "veli görüşmesi.wav"
    text = ("Merhaba, ben Ayşe'nin annesiyim. Kızımın okuldaki durumu hakkında konuşmak istiyorum. "
            "Matematikte iyi ama okumada biraz zorlanıyor. Evde her akşam birlikte kitap okuyoruz. "
            "Öğretmenine çok teşekkür ederim.")
    subprocess.run(["espeak-ng", "-v", "tr", "-s", "140", "-w", str(path), text], check=True)
    return path


@pytest.mark.slow
def test_other_language_transcribes_with_progress(turkish_wav):
    seen = []
    transcript = asr.transcribe(turkish_wav, language="tr", progress=seen.append)
    assert transcript.language == "tr" and transcript.segments
    assert transcript.model["options"]["vocabulary"] is None  # the Dutch school words stay out
    words = transcript.text.lower()
    assert sum(w in words for w in ("okul", "matematik", "kitap", "akşam", "teşekkür")) >= 3
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert all(isinstance(f, float) for f in seen)
    assert seen == sorted(seen)


@pytest.mark.slow
def test_models_are_loaded_once_per_process():
    first = asr.load_model("base")
    assert asr.load_model(None) is first


def test_unknown_language_is_refused_before_any_work():
    with pytest.raises(InputError) as err:
        asr.transcribe(EVAL / "audio" / f"{ENGLISH}.wav", language="klingon")
    assert "klingon" in err.value.nl and "ISO 639-1" in err.value.en


def test_unavailable_model_is_refused():
    with pytest.raises(ModelNotAvailableError):
        asr.transcribe(EVAL / "audio" / f"{ENGLISH}.wav", model="large-v3")


def test_silence_never_reaches_the_model(tmp_path):
    path = tmp_path / "stil.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "5", str(path)],
                   check=True)
    with pytest.raises(SilentAudioError):
        asr.transcribe(path)


def test_chunks_are_split_into_sentences():
    from transkript_kernel.transcript import Word

    words = [Word(0.0, 0.5, " Goedemiddag."), Word(0.9, 1.2, " Lees"), Word(1.2, 1.5, " bijv."),
             Word(1.5, 1.8, " een"), Word(1.8, 2.4, " strip?"), Word(3.0, 3.3, " Ja,"), Word(3.3, 3.9, " goed")]
    pieces = asr._sentences(words)
    assert [p[2] for p in pieces] == ["Goedemiddag.", "Lees bijv. een strip?", "Ja, goed"]
    assert [(p[0], p[1]) for p in pieces] == [(0.0, 0.5), (0.9, 2.4), (3.0, 3.9)]
    assert sum(len(p[3]) for p in pieces) == len(words)


def test_damaged_local_model_gives_a_model_error(tmp_path):
    from transkript_kernel.errors import ModelError
    from transkript_kernel.weights import default_model_dir

    broken = tmp_path / "kapot model"
    broken.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(default_model_dir() / name, broken / name)
    (broken / "model.bin").write_bytes(b"\0" * 1024)
    with pytest.raises(ModelError) as err:
        asr.transcribe(EVAL / "audio" / f"{ENGLISH}.wav", model=str(broken))
    assert err.value.exit_code == 3 and "kapot model" in err.value.nl


@pytest.mark.slow
def test_without_vad_the_sequential_decoder_is_used(turkish_wav):
    transcript = asr.transcribe(turkish_wav, language="tr", settings=asr.AsrSettings(vad_filter=False))
    assert transcript.model["options"]["batched"] is False
    assert "kitap" in transcript.text.lower()
