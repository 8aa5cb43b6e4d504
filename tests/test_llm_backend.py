"""The 'transformers' backend: prompt, local model (never a download), JSON validation and grounding.

A tiny GPT-2 with random weights and a tokenizer trained here with the ``tokenizers`` library is built in a
temporary folder, so the real loading and generation path runs end to end without any model download.
"""
import json

import jsonschema
import pytest

from conftest import SHARED, conversation_ids, reference_transcript
from transkript_kernel import llm
from transkript_kernel.errors import BackendUnavailableError
from transkript_kernel.summarize import backends, summarize
from transkript_kernel.transcript import Transcript

SCHEMA = json.loads((SHARED / "contracts" / "summary.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def transcript(tmp_path_factory):
    return Transcript.load(reference_transcript(conversation_ids()[0], tmp_path_factory.mktemp("t")))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, transcript):
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    out = tmp_path_factory.mktemp("tiny-gpt2")
    corpus = llm.render_prompt(transcript, "nl") + ' {"topics": [], "concerns": [], "actions": []}'
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator([corpus], trainers.BpeTrainer(vocab_size=300, special_tokens=["<unk>", "<eos>"],
                                                          initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", eos_token="<eos>", pad_token="<eos>")
    fast.save_pretrained(out)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(fast), n_positions=4096, n_embd=32, n_layer=1, n_head=2,
                        eos_token_id=fast.eos_token_id, bos_token_id=fast.eos_token_id)
    GPT2LMHeadModel(config).save_pretrained(out)
    return out


def test_backend_is_listed_and_fails_only_when_used(transcript, tmp_path):
    assert "transformers" in backends() and "extractive" in backends()
    with pytest.raises(BackendUnavailableError) as err:
        summarize(transcript, backend="transformers")  # no model configured
    assert "extractive" in err.value.nl and "extractive" in err.value.en
    with pytest.raises(BackendUnavailableError):
        summarize(transcript, backend="transformers", model_path=str(tmp_path / "missing"))


def test_a_hub_name_is_never_downloaded(transcript, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(BackendUnavailableError):
        summarize(transcript, backend="transformers", model_path="gpt2")  # a hub id, not a local path


def test_prompt_templates_exist_for_both_languages(transcript):
    nl = llm.render_prompt(transcript, "nl")
    en = llm.render_prompt(transcript, "en")
    assert "JSON" in nl and "JSON" in en and nl != en
    assert all(f"[{s.id}]" in nl for s in transcript.segments)
    assert "docent:" in nl and "ouder:" in nl


def test_tiny_local_model_end_to_end(transcript, tiny_model, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    s = summarize(transcript, backend="transformers", model_path=str(tiny_model), max_new_tokens=24)
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"  # loading switched the hub off
    assert s.backend == f"transformers:{tiny_model.name}"
    jsonschema.validate(s.to_dict(), SCHEMA)
    # random weights cannot write a grounded JSON summary: nothing is taken over, the reason is a warning
    assert not s.actions and not s.concerns
    assert any(w.kind == "unsupported" for w in s.warnings)


def test_valid_answer_is_checked_against_the_cited_segments(transcript):
    grounded = next(seg for seg in transcript.segments if "leesboekje" in seg.text)

    def fake(prompt):
        assert "leesboekje" in prompt
        return "Hier is het resultaat:\n" + json.dumps({
            "topics": [{"text": "Lezen", "evidence": [grounded.id]}],
            "concerns": [],
            "actions": [
                {"text": "Leerkracht geeft vrijdag een leesboekje mee", "owner": "docent", "due": "vrijdag",
                 "evidence": [grounded.id]},
                {"text": "Ouder koopt een nieuwe fiets voor de verjaardag", "owner": "ouder", "due": None,
                 "evidence": [grounded.id]},
                {"text": "Iets zonder bron", "owner": "docent", "due": None, "evidence": [999]},
                {"owner": "docent"}]}) + "\nKlaar."

    s = summarize(transcript, backend="transformers", generate=fake)
    jsonschema.validate(s.to_dict(), SCHEMA)
    assert [a.text for a in s.actions] == ["Leerkracht geeft vrijdag een leesboekje mee"]
    assert s.actions[0].owner == "docent" and s.actions[0].due == "vrijdag"
    unsupported = [w for w in s.warnings if w.kind == "unsupported"]
    assert len(unsupported) == 3
    assert any("fiets" in w.text and w.evidence == [grounded.id] for w in unsupported)
    assert any("999" in w.text or "bron" in w.text for w in unsupported)


def test_invalid_json_becomes_a_warning(transcript):
    s = summarize(transcript, backend="transformers", generate=lambda p: "Sorry, dat weet ik niet {kapot")
    assert not s.topics and not s.actions
    assert any(w.kind == "unsupported" and "JSON" in w.text for w in s.warnings)


def test_judgements_from_the_model_are_scrubbed(transcript):
    seg = transcript.segments[3]

    def fake(prompt):
        return json.dumps({"topics": [], "actions": [], "concerns": [
            {"text": f"{seg.text} Hij is lui", "raised_by": "ouder", "evidence": [seg.id]}]})

    s = summarize(transcript, backend="transformers", generate=fake)
    assert not any("lui" in c.text.split() for c in s.concerns)
