"""The report's parts: label files, the speaking-time chart, and the content-translation seam."""
from __future__ import annotations

import json
import re

import pytest
from conftest import reference_transcript

from transkript_kernel import charts, labels, report, settings, translate
from transkript_kernel.errors import BackendUnavailableError
from transkript_kernel.summary import Action, Summary, Topic
from transkript_kernel.transcript import Segment, Speaker, Transcript


@pytest.fixture(scope="module")
def transcript(tmp_path_factory) -> Transcript:
    return Transcript.load(reference_transcript("pub03-schooladvies-groep8", tmp_path_factory.mktemp("ref")))


# --- labels -------------------------------------------------------------------------------------------------
def test_every_language_has_every_label():
    reference = json.loads(labels._labels_dir().joinpath("nl.json").read_text(encoding="utf-8"))
    for lang in labels.LANGUAGES:
        data = json.loads(labels._labels_dir().joinpath(f"{lang}.json").read_text(encoding="utf-8"))
        assert set(data) == set(reference), (lang, set(reference) ^ set(data))
        assert len(data["months"]) == 12
        for key, value in data.items():
            if isinstance(value, str):
                assert value.strip(), (lang, key)
                # placeholders must be the same as in Dutch, or the sentence loses a fact
                assert set(re.findall(r"\{\w+\}", value)) == set(re.findall(r"\{\w+\}", reference[key])), (lang, key)
        if lang != "nl":
            assert data["title"] != reference["title"], f"{lang} is still Dutch"
    assert labels.direction("ar") == "rtl" and labels.direction("de") == "ltr"


def test_label_helpers():
    assert labels.format_date("nl", "2026-03-12") == "12 maart 2026"
    assert labels.format_date("de", "2026-03-12") == "12 März 2026"
    assert labels.format_date("nl", "volgende week") == "volgende week"
    assert labels.role("en", "ouder") == "parent" and labels.kind("fr", "oudergesprek") == "entretien avec les parents"
    assert labels.language_name("en", "nl") == "Dutch"
    assert labels.text("nl", "page_x_of_y", page=2, pages=5) == "Pagina 2 van 5"
    assert labels.check_language("PL") == "pl" and labels.check_language("en-GB") == "en"


def test_page_footer_is_css_counters_and_cannot_break_out():
    assert report._page_counter_css("Pagina {page} van {pages}") == \
        '"Pagina " counter(page) " van " counter(pages)'
    evil = report._css_string('x"; } </style><script>')
    assert '"' not in evil[1:-1] and "<" not in evil and "}" in evil  # braces are harmless inside a string


# --- charts -------------------------------------------------------------------------------------------------
def test_speaking_time_sums_segment_durations(transcript):
    rows = charts.speaking_time(transcript)
    total = sum(s.duration for s in transcript.segments)
    assert sum(r.seconds for r in rows) == pytest.approx(total)
    assert sum(r.share for r in rows) == pytest.approx(1.0)
    by_id = {r.speaker: r.seconds for r in rows}
    for spk in transcript.speakers:
        assert by_id[spk] == pytest.approx(sum(s.duration for s in transcript.segments if s.speaker == spk))
    assert rows == sorted(rows, key=lambda r: -r.seconds)


def test_chart_formats(tmp_path, transcript, artifacts):
    png = charts.speaking_time_chart(transcript, fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = charts.speaking_time_chart(transcript, fmt="svg", title="Spreektijd")
    assert b"<svg" in svg[:500]
    saved = charts.save_chart(transcript, artifacts / "speaking-time.png")
    assert saved.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError):
        charts.speaking_time_chart(transcript, fmt="gif")


def test_no_chart_without_speakers(transcript):
    anonymous = transcript.copy()
    for s in anonymous.segments:
        s.speaker = None
    assert not charts.has_speakers(anonymous)
    html = report.render_html(transcript=anonymous, summary=Summary("nl", "x"))
    assert "Spreektijd per spreker" not in html
    assert "Spreektijd per spreker" in report.render_html(transcript=transcript, summary=Summary("nl", "x"))


# --- translation seam -----------------------------------------------------------------------------------------
WORDS = {"Schooladvies besproken": "School advice discussed", "Toets maken": "Take the test",
         "volgende week": "next week"}


def test_configured_translator_translates_content_and_says_so(transcript):
    summary = Summary("nl", "handmatig", topics=[Topic("Schooladvies besproken", [0])],
                      actions=[Action("Toets maken", "leerling", "volgende week", [1])])
    dictionary = translate.FunctionTranslator(lambda texts: [WORDS.get(t, f"[en] {t}") for t in texts], "woordenlijst")
    html = report.render_html(transcript=transcript, summary=summary, language="en", with_transcript=True,
                              translator=dictionary)
    assert "School advice discussed" in html and "next week" in html and "Schooladvies besproken" not in html
    assert "was machine-translated from Dutch" in html
    assert "[en] " + transcript.segments[0].text.strip().split()[0] in html
    assert "has not been translated" not in html


def test_without_translator_the_report_says_not_translated(transcript):
    html = report.render_html(transcript=transcript, summary=Summary("nl", "x"), language="en", translator=None)
    assert "has not been translated: only the fixed texts are. The content is in Dutch." in html
    same = report.render_html(transcript=transcript, summary=Summary("nl", "x"), language="nl")
    assert "niet vertaald" not in same


def test_whisper_english_transcript_is_used_for_english(transcript):
    english = transcript.copy()
    english.language = "en"
    for s in english.segments:
        s.text, s.speaker = f"(translated) segment {s.id}", None
    translate.align_speakers(english, transcript)
    assert [s.speaker for s in english.segments] == [s.speaker for s in transcript.segments]
    html = report.render_html(transcript=transcript, summary=Summary("nl", "x"), language="en", with_transcript=True,
                              translator=None, whisper_transcript=english)
    assert "(translated) segment 0" in html
    assert "translated automatically by the speech recogniser" in html
    assert "The summary has not been translated and is in Dutch." in html


def test_configured_model_dir_missing_fails_clearly(tmp_path, transcript):
    settings.save_config({"TranslateSettings": {"models": {"nl-de": str(tmp_path / "geen-model")}}})
    translator = translate.get_translator("nl", "de")
    assert isinstance(translator, translate.TransformersTranslator)
    assert translate.get_translator("nl", "fr") is None  # not configured: no translation, no error
    with pytest.raises(BackendUnavailableError) as err:
        report.render_html(transcript=transcript, summary=Summary("nl", "x"), language="de")
    assert "vertaalmodel" in err.value.nl and "TranslateSettings.models" in err.value.en


def test_translator_loads_a_real_local_model_without_network(tmp_path, transcript):
    """A tiny randomly initialised Marian model saved locally: proves the transformers path runs offline
    (the output is gibberish by design; a school configures a real model directory)."""
    tokenizers = pytest.importorskip("tokenizers")
    from transformers import MarianConfig, MarianMTModel, PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2, **{w: i + 3 for i, w in enumerate("de het een school lezen".split())}}
    tok = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    cfg = MarianConfig(vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
                       encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                       max_position_embeddings=64, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    model_dir = tmp_path / "tiny-nl-en"
    MarianMTModel(cfg).save_pretrained(model_dir)
    fast.save_pretrained(model_dir)
    translator = translate.TransformersTranslator(model_dir, max_length=8)
    out = translator.translate(["de school", "", "het lezen"])
    assert len(out) == 3 and out[1] == "" and all(isinstance(t, str) for t in out)
    assert translator.name == "transformers:tiny-nl-en"


@pytest.mark.slow
def test_whisper_translates_real_dutch_speech_to_english(eval_dir, tmp_path):
    """Whisper's own translation (asr task='translate') on the first 25 s of a public recording."""
    import dataclasses

    from transkript_kernel import audio

    clip = audio.load(eval_dir / "audio" / "pub01-lezen-groep5.wav")
    n = 25 * clip.sample_rate
    short = dataclasses.replace(clip, samples=clip.samples[:n], duration=n / clip.sample_rate)
    original = Transcript.load(reference_transcript("pub01-lezen-groep5", tmp_path))
    english = translate.whisper_english(short, original, source_language="nl")
    assert english.language == "en" and english.segments
    words = " ".join(s.text for s in english.segments).lower().split()
    assert sum(w.strip(".,?!") in {"the", "you", "i", "is", "to", "a", "and", "that", "of", "it"} for w in words) >= 3
    assert {s.speaker for s in english.segments} <= set(original.speakers) and english.segments[0].speaker == "S1"


def test_content_notice_for_the_app():
    assert translate.content_notice("nl", "nl") == ""
    assert "niet vertaald" in translate.content_notice("nl", "tr", language="nl")
    assert "çevrilmemiştir" in translate.content_notice("nl", "tr")
