"""The ``transformers`` summary backend: a local language model, a Jinja prompt, and distrust of its answer.

The model is read from a local directory (or a GGUF file) named by ``LlmSettings.model_path`` or the
``model_path`` option — never fetched from a hub: loading runs with ``local_files_only=True`` and the hub
switched offline. The model must answer with JSON; whatever it says is validated against the summary
contract, and every item is checked against the segments it cites: an item whose content words are not in
those segments is not a summary of this conversation and goes to ``warnings`` (kind ``unsupported``).
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

from traitlets import Float, Int, Unicode
from traitlets.config import Configurable

from .errors import BackendUnavailableError, SummaryError
from .summary import ROLES, Action, Concern, Summary, Topic, Warning


class LlmSettings(Configurable):
    """The local language model behind the 'transformers' summary backend."""

    model_path = Unicode("", help="Local model directory (transformers format) or .gguf file for the "
                                  "'transformers' summary backend. Never downloaded.").tag(config=True)
    template = Unicode("", help="Prompt template: a file path, or empty for templates/prompts/summary_<language>.j2."
                       ).tag(config=True)
    max_new_tokens = Int(768, min=1, help="Most tokens the model may write for one summary.").tag(config=True)
    support_threshold = Float(0.6, min=0.0, max=1.0, help="Share of an item's content words that must occur in the "
                                                          "segments it cites (0-1).").tag(config=True)


# --- prompts --------------------------------------------------------------------------------------------------
def template_path(language: str = "nl", template: str | None = None) -> Path:
    if template:
        path = Path(template)
        if not path.is_file():
            from .errors import InputError

            raise InputError(f"Prompt-sjabloon {template} bestaat niet.", f"Prompt template {template} does not exist.")
        return path
    from transkript_templates import path as tpath

    name = f"summary_{language if language in ('nl', 'en') else 'nl'}.j2"
    return tpath("prompts", name)


def render_prompt(transcript, language: str = "nl", template: str | None = None) -> str:
    """The prompt for ``transcript``: segments with id, speaker role and text."""
    import jinja2

    source = template_path(language, template).read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    segments = [{"id": s.id, "role": transcript.role_of(s.speaker), "speaker": transcript.label_of(s.speaker),
                 "text": s.text.strip()} for s in transcript.segments if s.text.strip()]
    return env.from_string(source).render(segments=segments, language=language)


# --- the model ------------------------------------------------------------------------------------------------
def _offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def _unavailable(path: str, why: str) -> BackendUnavailableError:
    return BackendUnavailableError(
        f"Het taalmodel voor de samenvatting is niet beschikbaar ({why}). Geef een lokale modelmap of "
        f".gguf-bestand op (instelling LlmSettings.model_path) of gebruik de methode 'extractive'.",
        f"The summary language model is not available ({why}). Give a local model directory or .gguf file "
        f"(setting LlmSettings.model_path) or use the 'extractive' backend.")


@lru_cache(maxsize=2)
def load_model(path: str):
    """(model, tokenizer) from a local directory or GGUF file; never from the network."""
    if not path:
        raise _unavailable(path, "geen model ingesteld / no model configured")
    p = Path(path).expanduser()
    if not p.exists():
        raise _unavailable(path, f"{p} bestaat niet / does not exist")
    _offline()
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:  # pragma: no cover - transformers is a dependency
        raise _unavailable(path, str(exc)) from exc
    try:
        if p.is_file() and p.suffix == ".gguf":
            try:
                import gguf  # noqa: F401
            except ImportError as exc:
                raise _unavailable(path, "het pakket 'gguf' ontbreekt / the 'gguf' package is missing") from exc
            tok = AutoTokenizer.from_pretrained(str(p.parent), gguf_file=p.name, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(str(p.parent), gguf_file=p.name, local_files_only=True)
        elif p.is_dir() and (p / "config.json").is_file():
            tok = AutoTokenizer.from_pretrained(str(p), local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(str(p), local_files_only=True)
        else:
            raise _unavailable(path, f"{p.name} is geen modelmap of .gguf / is not a model directory or .gguf")
    except BackendUnavailableError:
        raise
    except (OSError, ValueError) as exc:
        raise _unavailable(path, str(exc).splitlines()[0][:200]) from exc
    model.eval()
    return model, tok


def generate_with(model, tokenizer, prompt: str, max_new_tokens: int) -> str:
    """Greedy continuation of ``prompt``: deterministic, so the same transcript gives the same summary."""
    import torch

    inputs = tokenizer(prompt, return_tensors="pt")
    limit = getattr(model.config, "max_position_embeddings", None) or getattr(model.config, "n_positions", None)
    if limit and inputs["input_ids"].shape[1] + max_new_tokens > limit:
        raise SummaryError("Het gesprek is te lang voor dit taalmodel.",
                           "The conversation is too long for this language model.")
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=pad)
    return tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)


# --- reading the answer --------------------------------------------------------------------------------------
def extract_json(text: str) -> dict | None:
    """The first complete JSON object in ``text`` (models like to add words around it)."""
    start = text.find("{")
    while start != -1:
        depth, in_str, esc = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
            if in_str:
                esc = (ch == "\\") and not esc
                if ch == '"' and not esc:
                    in_str = False
                continue
            if ch == '"':
                in_str = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    try:
                        data = json.loads(text[start:i + 1])
                    except ValueError:
                        break
                    return data if isinstance(data, dict) else None
        start = text.find("{", start + 1)
    return None


_STOP = {"de", "het", "een", "en", "van", "dat", "die", "met", "voor", "naar", "over", "zijn", "haar", "hem", "niet",
         "ook", "wordt", "worden", "heeft", "hebben", "the", "and", "with", "for", "that", "this", "will", "have",
         "from", "about", "they", "their", "leerkracht", "ouder", "ouders", "school", "teacher", "parent", "pupil",
         "leerling", "samen", "together", "zal", "gaat", "kan"}


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[\wà-ÿ]+", (text or "").lower()) if len(w) >= 4 and w not in _STOP]


def supported(text: str, cited_text: str, threshold: float = 0.6) -> bool:
    """Do the item's content words occur (as a word or a 5-letter stem) in the cited segments?"""
    words = content_words(text)
    if not words:
        return False
    have = set(re.findall(r"[\wà-ÿ]+", cited_text.lower()))
    stems = {w[:5] for w in have}
    hits = sum(1 for w in words if w in have or w[:5] in stems)
    return hits / len(words) >= threshold


def topic_supported(text: str, cited_text: str) -> bool:
    """A topic is a label ('Lezen'): grounded when a lexicon topic it names has a term in the cited segments,
    or when one of its own content words is there."""
    from .lexicon import topics

    low, cited = text.lower(), cited_text.lower()
    for t in topics():
        labels = {v.lower() for v in t["label"].values()}
        if any(label.split()[0] in low for label in labels) and t["re"].search(cited):
            return True
    return supported(text, cited_text, threshold=0.01)


def build_summary(data: dict | None, transcript, language: str, backend: str, raw: str = "",
                  threshold: float = 0.6) -> Summary:
    """A Summary from the model's JSON; invalid or ungrounded items become 'unsupported' warnings."""
    nl = language == "nl"
    summary = Summary(language=language, backend=backend)
    if data is None:
        snippet = re.sub(r"\s+", " ", raw).strip()[:200]
        summary.warnings.append(Warning("unsupported", (
            f"Het taalmodel gaf geen geldige JSON; er is niets overgenomen. Antwoord begon met: '{snippet}'" if nl
            else f"The language model did not answer with valid JSON; nothing was taken over. Answer began: '{snippet}'")))
        return summary
    texts = {s.id: s.text for s in transcript.segments}

    def reject(item, why):
        text = item.get("text") if isinstance(item, dict) else None
        ev = [e for e in (item.get("evidence") or []) if isinstance(e, int)] if isinstance(item, dict) else []
        label = str(text)[:200] if text else json.dumps(item, ensure_ascii=False)[:200]
        summary.warnings.append(Warning("unsupported", (f"Niet overgenomen ({why}): '{label}'" if nl
                                                        else f"Not taken over ({why}): '{label}'"), ev))

    for part in ("topics", "concerns", "actions"):
        items = data.get(part) or []
        if not isinstance(items, list):
            reject({"text": str(items)}, "geen lijst" if nl else "not a list")
            continue
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
                reject(item if isinstance(item, dict) else {"text": str(item)}, "geen tekst" if nl else "no text")
                continue
            ev = item.get("evidence")
            if not isinstance(ev, list) or not ev or not all(isinstance(e, int) and e in texts for e in ev):
                reject(item, "verwijst niet naar bestaande segmenten" if nl else "cites no existing segments")
                continue
            cited = " ".join(texts[e] for e in ev)
            ok = topic_supported(item["text"], cited) if part == "topics" else supported(item["text"], cited, threshold)
            if not ok:
                reject(item, "staat niet in de aangehaalde segmenten" if nl else "not in the cited segments")
                continue
            text = item["text"].strip()
            if part == "topics":
                summary.topics.append(Topic(text, list(ev)))
            elif part == "concerns":
                who = item.get("raised_by")
                summary.concerns.append(Concern(text, who if who in ROLES else None, list(ev)))
            else:
                owner = item.get("owner")
                due = item.get("due")
                summary.actions.append(Action(text, owner if owner in ROLES else None,
                                              due if isinstance(due, str) and due.strip() else None, list(ev)))
    return summary


def summarise(transcript, language: str | None = None, *, model_path: str | None = None, generate=None,
              template: str | None = None, max_new_tokens: int | None = None, **_options) -> Summary:
    """Summarise with a local model. ``generate(prompt) -> str`` may replace the model (tests, other runtimes)."""
    from .settings import get

    settings = get(LlmSettings)
    language = language or transcript.language or "nl"
    prompt = render_prompt(transcript, language, template or settings.template or None)
    if generate is None:
        path = model_path or settings.model_path
        model, tok = load_model(str(path) if path else "")
        name = Path(path).name
        budget = max_new_tokens or settings.max_new_tokens

        def generate(p):
            return generate_with(model, tok, p, budget)
    else:
        name = getattr(generate, "__name__", "custom")
    raw = generate(prompt)
    return build_summary(extract_json(raw), transcript, language, f"transformers:{name}", raw,
                         settings.support_threshold)
