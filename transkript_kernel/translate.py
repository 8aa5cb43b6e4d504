"""Translating a report's *content* (summary, transcript) — one seam, two sources, never silently.

The fixed texts of a report come from :mod:`.labels`. What was said is content, and there are two ways to
have it in another language:

* English: Whisper itself can translate speech to English (``asr.transcribe(task="translate")``);
  :func:`whisper_english` makes such a transcript and keeps the speakers of the original one.
* Any language: a local machine-translation model directory (a transformers translation model, e.g. a
  Marian or NLLB checkout) configured in ``settings.json`` under ``TranslateSettings.models``. It is loaded
  with ``local_files_only``: nothing is ever downloaded.

Without either, :func:`translate_content` returns the content untouched with ``mode="none"`` and the report
says plainly that the content is not translated.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from traitlets import Dict, Int
from traitlets.config import Configurable

from .errors import BackendUnavailableError
from .summary import Summary
from .transcript import Transcript


class TranslateSettings(Configurable):
    """Content translation for reports."""

    models = Dict({}, help="Local translation models per language pair: {'nl-en': '/path/to/opus-mt-nl-en'} "
                           "or {'nl-fr': {'path': '/path/to/nllb', 'src_lang': 'nld_Latn', 'tgt_lang': "
                           "'fra_Latn'}}. A key with only the target ('en') serves any source language. "
                           "Empty (default): report content is not translated and the report says so. "
                           "Models are never downloaded.").tag(config=True)
    max_length = Int(512, min=1, help="Longest translation in tokens, per text.").tag(config=True)


class Translator(Protocol):
    """Anything that turns a list of texts into the same number of translated texts."""

    name: str

    def translate(self, texts: list[str]) -> list[str]: ...


class FunctionTranslator:
    """Wrap a plain function as a translator (for other engines, e.g. a local server the school runs)."""

    def __init__(self, func: Callable[[list[str]], list[str]], name: str = "custom"):
        self.func = func
        self.name = name

    def translate(self, texts: list[str]) -> list[str]:
        return list(self.func(list(texts)))


class TransformersTranslator:
    """A transformers translation model from a local directory; loaded on first use, never downloaded."""

    def __init__(self, model_dir: str | Path, *, src_lang: str | None = None, tgt_lang: str | None = None,
                 max_length: int = 512):
        self.model_dir = Path(model_dir).expanduser()
        self.src_lang, self.tgt_lang, self.max_length = src_lang, tgt_lang, max_length
        self.name = f"transformers:{self.model_dir.name}"
        self._pipe = None

    def _load(self):
        if self._pipe is not None:
            return self._pipe
        if not (self.model_dir / "config.json").is_file():
            raise BackendUnavailableError(
                f"Het vertaalmodel in {self.model_dir} ontbreekt of is onvolledig (geen config.json). "
                "Kies een lokale modelmap in de instellingen (TranslateSettings.models).",
                f"The translation model in {self.model_dir} is missing or incomplete (no config.json). "
                "Choose a local model directory in the settings (TranslateSettings.models).")
        try:
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

            tok = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
            model = AutoModelForSeq2SeqLM.from_pretrained(self.model_dir, local_files_only=True)
            model.eval()
            if self.src_lang and hasattr(tok, "src_lang"):
                tok.src_lang = self.src_lang  # multilingual models (NLLB, M2M100, mBART)
            gen = {"max_length": self.max_length}
            if self.tgt_lang:
                gen["forced_bos_token_id"] = tok.convert_tokens_to_ids(self.tgt_lang)
            self._pipe = (tok, model, gen)
        except Exception as exc:  # transformers raises many kinds; the user needs one clear message
            raise BackendUnavailableError(
                f"Het vertaalmodel in {self.model_dir} kan niet worden geladen: {exc}",
                f"The translation model in {self.model_dir} cannot be loaded: {exc}") from exc
        return self._pipe

    def translate(self, texts: list[str], batch_size: int = 8) -> list[str]:
        import torch

        tok, model, gen = self._load()
        todo = [t for t in texts if t.strip()]
        done: list[str] = []
        for i in range(0, len(todo), batch_size):
            batch = tok(todo[i:i + batch_size], return_tensors="pt", padding=True, truncation=True,
                        max_length=self.max_length)
            with torch.inference_mode():
                ids = model.generate(**batch, **gen)
            done += [t.strip() for t in tok.batch_decode(ids, skip_special_tokens=True)]
        out = iter(done)
        return [next(out) if t.strip() else t for t in texts]


def get_translator(source: str, target: str, settings: TranslateSettings | None = None) -> Translator | None:
    """The configured translator for ``source`` → ``target``, or None when none is configured."""
    if settings is None:
        from .settings import get

        settings = get(TranslateSettings)
    models = settings.models or {}
    entry = models.get(f"{source}-{target}") or models.get(target)
    if not entry:
        return None
    if isinstance(entry, str):
        entry = {"path": entry}
    return TransformersTranslator(entry["path"], src_lang=entry.get("src_lang"), tgt_lang=entry.get("tgt_lang"),
                                  max_length=settings.max_length)


@dataclass
class ContentTranslation:
    """The content as the report prints it and how it got into the report language."""

    summary: Summary
    transcript: Transcript
    mode: str  # "same" | "mt" | "whisper" | "none"
    source_language: str
    target_language: str
    translator: str | None = None


def translate_content(summary: Summary, transcript: Transcript, *, target: str,
                      translator: Translator | None | str = "auto",
                      whisper_transcript: Transcript | None = None) -> ContentTranslation:
    """Bring summary and transcript into ``target`` if a translator is available; say how in ``mode``.

    ``translator="auto"`` looks one up in the settings; ``None`` means do not translate. A Whisper English
    transcript (``whisper_transcript``) is used for the transcript when the target is English and no
    machine translator is configured.
    """
    source = (summary.language or transcript.language or "nl").split("-")[0]
    if source == target:
        return ContentTranslation(summary, transcript, "same", source, target)
    if translator == "auto":
        translator = get_translator(source, target)
    if translator is not None:
        return ContentTranslation(translate_summary(summary, translator, target),
                                  translate_transcript(transcript, translator, target),
                                  "mt", source, target, translator.name)
    if target == "en" and whisper_transcript is not None:
        return ContentTranslation(summary, whisper_transcript, "whisper", source, target, "whisper")
    return ContentTranslation(summary, transcript, "none", source, target)


def translate_summary(summary: Summary, translator: Translator, target: str) -> Summary:
    out = copy.deepcopy(summary)
    items = [*out.topics, *out.concerns, *out.actions, *out.warnings]
    texts = [it.text for it in items]
    dues = [a.due for a in out.actions if a.due]
    translated = translator.translate(texts + dues)
    for it, t in zip(items, translated):
        it.text = t
    due_iter = iter(translated[len(texts):])
    for a in out.actions:
        if a.due:
            a.due = next(due_iter)
    out.language = target
    return out


def translate_transcript(transcript: Transcript, translator: Translator, target: str) -> Transcript:
    out = transcript.copy()
    translated = translator.translate([s.text for s in out.segments])
    for seg, t in zip(out.segments, translated):
        seg.text, seg.words = t, None
    out.language = target
    return out


def whisper_english(audio, original: Transcript | None = None, *, source_language: str = "nl", model=None,
                    progress=None) -> Transcript:
    """Whisper's own speech-to-English translation; speakers copied from ``original`` by time overlap."""
    from . import asr

    english = asr.transcribe(audio, language=source_language, task="translate", model=model,
                             word_timestamps=False, progress=progress)
    english.language = "en"
    if original is not None:
        align_speakers(english, original)
    return english


def align_speakers(target: Transcript, original: Transcript) -> Transcript:
    """Give each segment of ``target`` the speaker of the ``original`` segment it overlaps most."""
    target.speakers = copy.deepcopy(original.speakers)
    for seg in target.segments:
        best, best_overlap = None, 0.0
        for o in original.segments:
            overlap = min(seg.end, o.end) - max(seg.start, o.start)
            if overlap > best_overlap:
                best, best_overlap = o.speaker, overlap
        seg.speaker = best
    return target


def content_notice(source: str, target: str, *, language: str | None = None, mode: str | None = None) -> str:
    """What a report in ``target`` will say about its content, in ``language`` (default: ``target``) — for the
    app to show before export. Empty when source and target are the same language."""
    from . import labels

    language = language or target
    if mode is None:
        mode = "same" if source == target else ("mt" if get_translator(source, target) is not None else "none")
    name = labels.language_name(language, source)
    if mode == "mt":
        return labels.text(language, "content_machine_translated", language=name)
    if mode == "none":
        return labels.text(language, "content_not_translated", language=name)
    if mode == "whisper":
        return (labels.labels(language)["transcript_machine_translated"] + " "
                + labels.text(language, "summary_not_translated", language=name))
    return ""
