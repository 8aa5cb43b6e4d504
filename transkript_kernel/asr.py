"""Offline speech recognition with faster-whisper: a recording in, a :class:`~.transcript.Transcript` out.

Measured on the public Dutch recordings (Whisper base, CPU, int8): the batched pipeline (batch 8, beam 5,
temperature 0, no conditioning on previous text) is both faster and more accurate than the sequential one,
and a school vocabulary passed as ``hotwords`` lowers the Dutch word error rate (0.223 -> 0.190 on average),
while the same words as ``initial_prompt`` make it worse. So: batched, hotwords, vocabulary on for Dutch.
Loaded models are kept per process, so a batch or the app pays the load time once.

Per conversation, the names on the consent form (pupil, participants, who answered) go first in the same
hotwords: Whisper cannot know that this pupil is "Ilse" and not "ilze", the form does (see
:func:`conversation_names`, :func:`effective_vocabulary` and :func:`vocabulary_hash`).
"""
from __future__ import annotations

import hashlib
import threading
import unicodedata
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, Union

from traitlets import Bool, CaselessStrEnum, Int, Unicode
from traitlets.config import Configurable

from .errors import InputError, ModelError
from .formatting import Text
from .transcript import Segment, Transcript, Word

Progress = Optional[Callable[[float], None]]
Vocabulary = Union[str, Sequence[str], None]

# Words Whisper base mishears in Dutch school conversations. General Dutch school vocabulary, not taken from
# any recording; the sequence matters little, the hotword prompt is limited to ~220 tokens.
SCHOOL_VOCABULARY = (
    "leerkracht, intern begeleider, IB'er, remedial teacher, zorgcoördinator, mentor, groep 1 tot en met groep 8, "
    "oudergesprek, rapport, Cito, leerlingvolgsysteem, doorstroomtoets, schooladvies, vmbo, havo, vwo, brugklas, "
    "technisch lezen, begrijpend lezen, rekenen, spelling, dyslexie, dyscalculie, huiswerk, weekplanning, "
    "plusklas, logopedie, jeugdarts, handelingsplan, ontwikkelingsperspectief, passend onderwijs, verzuim")


# Whisper's language codes (faster_whisper.tokenizer._LANGUAGE_CODES, a test keeps them equal): the spoken language
# is a closed choice, and the settings can offer it without importing faster-whisper.
WHISPER_LANGUAGES = (
    "af", "am", "ar", "as", "az", "ba", "be", "bg", "bn", "bo", "br", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
    "es", "et", "eu", "fa", "fi", "fo", "fr", "gl", "gu", "ha", "haw", "he", "hi", "hr", "ht", "hu", "hy", "id", "is",
    "it", "ja", "jw", "ka", "kk", "km", "kn", "ko", "la", "lb", "ln", "lo", "lt", "lv", "mg", "mi", "mk", "ml", "mn",
    "mr", "ms", "mt", "my", "ne", "nl", "nn", "no", "oc", "pa", "pl", "ps", "pt", "ro", "ru", "sa", "sd", "si", "sk",
    "sl", "sn", "so", "sq", "sr", "su", "sv", "sw", "ta", "te", "tg", "th", "tk", "tl", "tr", "tt", "uk", "ur", "uz",
    "vi", "yi", "yo", "zh", "yue")
COMPUTE_TYPES = ("int8", "int8_float32", "int16", "float32")  # what CTranslate2 runs on a CPU


class AsrSettings(Configurable):
    """Speech recognition (faster-whisper). The limits on what is accepted as a recording are
    :class:`~.audio.AudioSettings`."""

    model = Unicode("base", help="Whisper model: 'base' (embedded default) or the directory of a local "
                                 "CTranslate2 Whisper model, e.g. a larger one placed by the school.").tag(config=True)
    language = CaselessStrEnum(("auto",) + WHISPER_LANGUAGES, "nl", help="Spoken language: an ISO 639-1 code "
                               "('nl', 'en', 'tr', ...) or 'auto' to detect it.").tag(config=True)
    compute_type = CaselessStrEnum(COMPUTE_TYPES, "int8", help="CTranslate2 compute type on CPU: 'int8' (fast, "
                                   "default), 'int8_float32', 'int16', 'float32'.").tag(config=True)
    beam_size = Int(5, min=1, help="Beam search width; 5 was clearly better than greedy for Dutch.").tag(config=True)
    batch_size = Int(8, min=1, help="Speech chunks (up to 30 s each) decoded together by the batched "
                             "pipeline.").tag(config=True)
    cpu_threads = Int(0, min=0, help="CPU threads for the model; 0 lets CTranslate2 choose.").tag(config=True)
    vad_filter = Bool(True, help="Cut the recording into speech chunks with Silero VAD and decode them in batches "
                                 "(fast); False uses the slower sequential decoder on the whole "
                                 "recording.").tag(config=True)
    vocabulary = Unicode(SCHOOL_VOCABULARY, help="School words to recognise better (passed as Whisper "
                                                 "'hotwords'); empty switches it off.").tag(config=True)
    vocabulary_mode = CaselessStrEnum(["hotwords", "initial_prompt"], "hotwords",
                                      help="How the vocabulary reaches Whisper: 'hotwords' (measured to help) or "
                                           "'initial_prompt' (measured to hurt on the public set).").tag(config=True)
    vocabulary_language = CaselessStrEnum(("",) + WHISPER_LANGUAGES, "nl", help="Use the vocabulary only when "
                                          "the spoken language is this one (the default vocabulary is Dutch); "
                                          "empty = always.").tag(config=True)
    split_sentences = Bool(True, help="Split Whisper's speech chunks (up to 30 s) into one segment per sentence, "
                                     "using the word timestamps.").tag(config=True)


# --- vocabulary: school words and the names on the consent form -----------------------------------------------
NAME_MAX_CHARS = 80  # the speakers editor's limit for a label too
_KEEP_FORMAT = {"\u200c", "\u200d"}  # zero-width (non-)joiner: part of Persian and Indic spellings
_SEPARATORS = {",", ";", "\n", "\r", "\t"}


def clean_word(word: str) -> str:
    """One vocabulary entry as Whisper should see it: NFC, single spaces, no commas (they separate entries),
    no invisible control or direction marks (a copied right-to-left name often carries U+200F).

    Apostrophes, diacritics and right-to-left letters stay as they are: "Ilse", "D'Angelo", "Zoë", "يوسف".
    """
    text = unicodedata.normalize("NFC", str(word or ""))
    out = []
    for ch in text:
        if ch in _SEPARATORS:
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch not in _KEEP_FORMAT:
            continue
        else:
            out.append(ch)
    return " ".join("".join(out).split())[:NAME_MAX_CHARS].strip()


def conversation_names(conversation) -> tuple[str, ...]:
    """The names the consent form holds for a conversation: pupil, participants, who answered the consent.

    Takes a :class:`~.conversation.Conversation` (or anything with those attributes); cleaned, in that order,
    without duplicates (case-insensitive). Part A's doubtful-word check can treat these as known words.
    """
    names = [getattr(conversation, "pupil", "")]
    names += [getattr(p, "name", p if isinstance(p, str) else "")
              for p in getattr(conversation, "participants", None) or []]
    consent = getattr(conversation, "consent", None)
    if consent is not None:
        names.append(getattr(consent, "name", ""))
    return _unique(names)


def _unique(words: Iterable[str]) -> tuple[str, ...]:
    seen, out = set(), []
    for word in words:
        w = clean_word(word)
        if w and w.casefold() not in seen:
            seen.add(w.casefold())
            out.append(w)
    return tuple(out)


def split_vocabulary(vocabulary: Vocabulary) -> tuple[str, ...]:
    """A vocabulary as entries: a comma-separated string (as in ``AsrSettings.vocabulary``) or a list."""
    if vocabulary is None:
        return ()
    if isinstance(vocabulary, str):
        return _unique(vocabulary.split(","))
    return _unique(vocabulary)


def effective_vocabulary(*, names: Iterable[str] = (), vocabulary: Vocabulary = None, language: str | None = "nl",
                         task: str = "transcribe", settings: "AsrSettings | None" = None) -> tuple[str, ...]:
    """The entries :func:`transcribe` passes to Whisper, in order: names first, then the school words.

    Names are used in every language (a name is a name); the school words only when the spoken language is
    ``AsrSettings.vocabulary_language`` (they are Dutch). ``vocabulary`` None takes the configured school words,
    '' or [] switches them off. Translation uses none. Names come first because Whisper keeps only the first
    ~220 tokens of the hotwords: a long school list must not push a pupil's name out.
    """
    from . import settings as settings_mod

    conf = settings or settings_mod.get(AsrSettings)
    if task != "transcribe":
        return ()
    school = split_vocabulary(conf.vocabulary if vocabulary is None else vocabulary)
    if conf.vocabulary_language and language != conf.vocabulary_language:
        school = ()
    return _unique([*split_vocabulary(list(names)), *school])


def hotwords_text(words: Vocabulary) -> str:
    """The exact text given to Whisper for these entries (``", "``-joined; '' for none)."""
    return ", ".join(split_vocabulary(words))


def vocabulary_hash(words: Vocabulary) -> str | None:
    """SHA-256 (hex) of :func:`hotwords_text`, or None without vocabulary.

    Recorded as ``transcript.model["options"]["vocabulary_sha256"]`` so a stored transcript (or a test fixture)
    says which vocabulary made it, without storing the names themselves. For the words a call would use:
    ``vocabulary_hash(effective_vocabulary(names=conversation_names(conv), language="nl"))``.
    """
    text = hotwords_text(words)
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else None


_MODELS: dict[tuple, tuple] = {}
_LOCK = threading.Lock()


def load_model(model: str | None = None, *, compute_type: str = "int8", cpu_threads: int = 0):
    """``(WhisperModel, BatchedInferencePipeline, model_dir)``, loaded once per process and settings."""
    from .weights import resolve_model

    model_dir = resolve_model(model)
    key = (str(model_dir.resolve()), compute_type, cpu_threads)
    with _LOCK:
        if key not in _MODELS:
            from faster_whisper import BatchedInferencePipeline, WhisperModel

            try:
                whisper = WhisperModel(str(model_dir), device="cpu", compute_type=compute_type,
                                       cpu_threads=cpu_threads, local_files_only=True)
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError(f"Het model in {model_dir} kan niet worden geladen: {exc}",
                                 f"The model in {model_dir} cannot be loaded: {exc}") from exc
            _MODELS[key] = (whisper, BatchedInferencePipeline(whisper), model_dir)
        return _MODELS[key]


def check_language(language: str | None) -> str | None:
    """A Whisper language code, or None for detection ('auto')."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    if language is None or language.strip().lower() in ("", "auto"):
        return None
    code = language.strip().lower()
    if code not in _LANGUAGE_CODES:
        raise InputError(f"Onbekende taal '{language}'. Gebruik een ISO 639-1-code zoals nl, en, tr, ar, pl "
                         "of 'auto'.",
                         f"Unknown language '{language}'. Use an ISO 639-1 code such as nl, en, tr, ar, pl "
                         "or 'auto'.")
    return code


def transcribe(clip_or_path, *, language: str | None = "nl", task: str = "transcribe", model: str | None = None,
               word_timestamps: bool = True, vocabulary: Vocabulary = None, names: Iterable[str] = (),
               progress: Progress = None, settings: AsrSettings | None = None,
               clip_timestamps: Sequence[dict] | None = None) -> Transcript:
    """Transcribe a decoded :class:`~.audio.AudioClip` or a path (decoded and checked first).

    ``language`` 'auto' (or None) detects it; ``task='translate'`` gives Whisper's English translation;
    ``vocabulary`` None uses the configured school vocabulary, '' switches it off, a string or a list of words
    replaces it; ``names`` (the consent form's, :func:`conversation_names`) go first in the hotwords, in any
    language, and afterwards a misheard name is written as on the form (:func:`.names.correct`). See
    :func:`effective_vocabulary`; the hash of what was used is in ``model["options"]``.
    ``clip_timestamps`` (added for :func:`transcribe_by_language`; None by default, which changes nothing):
    decode only these spans, ``[{"start": s, "end": e}]`` in seconds (each at most 30 s), with the batched
    pipeline; times stay those of the whole recording.
    """
    from . import audio
    from . import settings as settings_mod

    conf = settings or settings_mod.get(AsrSettings)
    names = tuple(names or ())  # used three times below: a generator must not run dry
    if task not in ("transcribe", "translate"):
        raise InputError(f"Onbekende taak '{task}': kies transcribe of translate.",
                         f"Unknown task '{task}': choose transcribe or translate.")
    code = check_language(language)
    from .weights import resolve_model

    resolve_model(model or conf.model)  # a missing model fails before any decoding
    clip = clip_or_path if isinstance(clip_or_path, audio.AudioClip) else audio.load(clip_or_path)
    if progress:
        progress(0.0)
    whisper, pipeline, model_dir = load_model(model or conf.model, compute_type=conf.compute_type,
                                              cpu_threads=conf.cpu_threads)
    notices: list[Text] = []
    language_probability = None
    if code is None:
        code, language_probability, _ = whisper.detect_language(clip.samples, vad_filter=conf.vad_filter)
        if language_probability < 0.5:
            notices.append(Text(f"De taal is onzeker herkend als '{code}' ({language_probability:.0%}); geef de "
                                "taal op als dat niet klopt.",
                                f"The language was detected as '{code}' with low confidence "
                                f"({language_probability:.0%}); give the language if that is wrong."))
    entries = effective_vocabulary(names=names, vocabulary=vocabulary, language=code, task=task, settings=conf)
    words_used = hotwords_text(entries)
    options = dict(language=code, task=task, beam_size=conf.beam_size, temperature=0.0,
                   condition_on_previous_text=False, word_timestamps=word_timestamps, vad_filter=conf.vad_filter,
                   batch_size=conf.batch_size)
    if words_used:
        options[conf.vocabulary_mode] = words_used
    if clip_timestamps is not None:  # only these spans (one language's turns); the batched pipeline does that
        options["clip_timestamps"] = [{"start": float(c["start"]), "end": float(c["end"])} for c in clip_timestamps]
    try:
        if conf.vad_filter or clip_timestamps is not None:
            segments_iter, info = pipeline.transcribe(clip.samples, **options)
        else:  # the batched pipeline needs VAD chunks; without VAD, fall back to the sequential decoder
            options.pop("batch_size")
            segments_iter, info = whisper.transcribe(clip.samples, **options)
        transcript = _collect(segments_iter, clip.duration, progress, split=conf.split_sentences)
    except RuntimeError as exc:  # CTranslate2 failures (out of memory, broken model) surface as RuntimeError
        raise ModelError(f"Transcriberen is mislukt: {exc}", f"Transcription failed: {exc}") from exc
    corrected = 0
    if task == "transcribe" and names:
        from . import names as names_mod

        corrected = names_mod.correct(transcript, names, code)  # "Jusef" -> "Youssef", as on the form
    transcript.language = code
    transcript.duration = clip.duration
    transcript.source = {"file": clip.file_name, "sha256": clip.sha256}
    transcript.model = {
        "name": _model_name(model_dir), "engine": "faster-whisper", "compute_type": conf.compute_type,
        "task": task, "text_language": "en" if task == "translate" else code,
        "options": {"batched": bool(conf.vad_filter), "batch_size": conf.batch_size, "beam_size": conf.beam_size,
                    "temperature": 0.0, "condition_on_previous_text": False, "vad_filter": conf.vad_filter,
                    "word_timestamps": word_timestamps, "split_sentences": bool(conf.split_sentences and word_timestamps),
                    "vocabulary": conf.vocabulary_mode if words_used else None,
                    "vocabulary_sha256": vocabulary_hash(entries),
                    "vocabulary_names": len(split_vocabulary(list(names))) if entries else 0,
                    "names_corrected": corrected},
    }
    if language_probability is not None:
        transcript.model["language_probability"] = round(float(language_probability), 3)
    if not transcript.segments:
        notices.append(Text("Er is geen spraak herkend in deze opname.", "No speech was recognised in this recording."))
    transcript.notices.extend(notices)
    if progress:
        progress(1.0)
    return transcript


# --- interpreter and mixed-language conversations: each speech chunk in its own language ----------------------
TURN_PAUSE_MS = 300  # a pause this long ends a speech chunk (a turn, or a sentence within one)
MAX_CHUNK_S = 30.0  # Whisper's window
SURE = 0.7  # a chunk's language this likely counts as one of the conversation's languages


def speech_chunks(clip, *, min_silence_ms: int = TURN_PAUSE_MS) -> list[tuple[float, float]]:
    """(start, end) in seconds of the speech in ``clip`` (Silero VAD, cut at pauses of ``min_silence_ms``)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from .audio import SAMPLE_RATE

    spans = get_speech_timestamps(clip.samples, VadOptions(min_silence_duration_ms=min_silence_ms,
                                                           max_speech_duration_s=MAX_CHUNK_S, speech_pad_ms=100))
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in spans]


def chunk_languages(clip, chunks: Sequence[tuple[float, float]], *, languages: Sequence[str] | None = None,
                    model: str | None = None, settings: AsrSettings | None = None) -> list[tuple[str, float]]:
    """Whisper's language (and its probability) for each chunk, chosen among the conversation's languages.

    Detection on a chunk of a second or two is unsure ("Goedemiddag" alone may come out German). The
    conversation's languages are ``languages`` when the teacher names them, else those Whisper is sure of
    (:data:`SURE`) on some chunk; an unsure chunk takes the likeliest of those."""
    from . import settings as settings_mod
    from .audio import SAMPLE_RATE

    conf = settings or settings_mod.get(AsrSettings)
    whisper, _, _ = load_model(model or conf.model, compute_type=conf.compute_type, cpu_threads=conf.cpu_threads)
    probs = []
    for start, end in chunks:
        _, _, all_probs = whisper.detect_language(clip.samples[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)])
        probs.append(dict(all_probs))
    allowed = {check_language(code) for code in languages or ()} - {None}
    if not allowed:
        allowed = {max(p, key=p.get) for p in probs if max(p.values()) >= SURE}
    out = []
    for p in probs:
        candidates = {code: v for code, v in p.items() if code in allowed} or p
        code = max(candidates, key=candidates.get)
        out.append((code, float(candidates[code])))
    return out


def transcribe_by_language(clip_or_path, *, languages: Sequence[str] | None = None, model: str | None = None,
                           names: Iterable[str] = (), vocabulary: Vocabulary = None, progress: Progress = None,
                           settings: AsrSettings | None = None) -> Transcript:
    """An interpreter or mixed-language conversation: every speech chunk transcribed in its own language.

    The recording is cut into speech chunks at short pauses (:func:`speech_chunks`), Whisper names each chunk's
    language (:func:`chunk_languages`), neighbouring chunks of one language are joined (up to 30 s, for
    context), and each language's chunks are decoded with :func:`transcribe` (``clip_timestamps``) and its
    usual options. ``transcript.language`` is the main language (most speech); ``model["segment_languages"]``
    holds each segment's language, by segment id. A separate path: :func:`transcribe` is unchanged."""
    from . import audio

    names = tuple(names or ())
    clip = clip_or_path if isinstance(clip_or_path, audio.AudioClip) else audio.load(clip_or_path)
    if progress:
        progress(0.0)
    chunks = speech_chunks(clip)
    langs = chunk_languages(clip, chunks, languages=languages, model=model, settings=settings)
    spans: list[list] = []  # [start, end, language]
    for (start, end), (code, _) in zip(chunks, langs):
        if spans and spans[-1][2] == code and end - spans[-1][0] <= MAX_CHUNK_S:
            spans[-1][1] = end
        else:
            spans.append([start, end, code])
    if not spans:  # no speech found: the usual path says so
        return transcribe(clip, language=(list(languages or ()) or ["nl"])[0], model=model, names=names,
                          vocabulary=vocabulary, settings=settings, progress=progress)
    order = sorted({code for *_, code in spans}, key=lambda c: -sum(e - s for s, e, x in spans if x == c))
    pieces: list[tuple[Segment, str]] = []
    parts = []
    for i, code in enumerate(order):
        part = transcribe(clip, language=code, model=model, vocabulary=vocabulary, names=names, settings=settings,
                          clip_timestamps=[{"start": s, "end": e} for s, e, x in spans if x == code],
                          progress=(lambda f, i=i: progress((i + f) / len(order))) if progress else None)
        parts.append(part)
        pieces += [(seg, code) for seg in part.segments]
    pieces.sort(key=lambda sc: (sc[0].start, sc[0].end))
    main = parts[0]
    transcript = Transcript(language=main.language, duration=clip.duration, segments=[], source=main.source,
                            model=dict(main.model))
    for seg, _ in pieces:
        seg.id = len(transcript.segments)
        transcript.segments.append(seg)
    transcript.model["task"] = "transcribe-per-language"
    transcript.model["text_language"] = transcript.language
    transcript.model["segment_languages"] = [code for _, code in pieces]
    transcript.model["languages"] = {code: round(sum(e - s for s, e, x in spans if x == code), 1) for code in order}
    for part in parts:
        transcript.notices.extend(n for n in part.notices if n not in transcript.notices)
    if progress:
        progress(1.0)
    return transcript


def translate_to_english(clip_or_path, *, language: str, model: str | None = None, progress: Progress = None,
                         settings: AsrSettings | None = None) -> Transcript:
    """Whisper's own translation of the speech into English (``task="translate"``), one segment per turn.

    Not :func:`transcribe` with ``task="translate"``: on our Turkish recordings the batched pipeline's 30-second
    windows ran into loops ("Thank you. Thank you. …") and cut turns apart. This decodes the speech chunks
    (cut at :data:`TURN_PAUSE_MS`) with the sequential decoder and the usual beam, temperature 0 and no
    conditioning on earlier text, so each English segment has the times of the turn it translates
    (:mod:`.multilingual` maps them back to the original)."""
    from . import audio
    from . import settings as settings_mod

    conf = settings or settings_mod.get(AsrSettings)
    code = check_language(language)
    clip = clip_or_path if isinstance(clip_or_path, audio.AudioClip) else audio.load(clip_or_path)
    if progress:
        progress(0.0)
    whisper, _, model_dir = load_model(model or conf.model, compute_type=conf.compute_type,
                                       cpu_threads=conf.cpu_threads)
    try:
        segments_iter, _ = whisper.transcribe(
            clip.samples, language=code, task="translate", beam_size=conf.beam_size, temperature=0.0,
            condition_on_previous_text=False, word_timestamps=False, vad_filter=True,
            vad_parameters={"min_silence_duration_ms": TURN_PAUSE_MS})
        transcript = _collect(segments_iter, clip.duration, progress, split=False)
    except RuntimeError as exc:
        raise ModelError(f"Vertalen is mislukt: {exc}", f"Translation failed: {exc}") from exc
    transcript.language, transcript.duration = "en", clip.duration
    transcript.source = {"file": clip.file_name, "sha256": clip.sha256}
    transcript.model = {"name": _model_name(model_dir), "engine": "faster-whisper", "compute_type": conf.compute_type,
                        "task": "translate", "text_language": "en", "spoken_language": code,
                        "options": {"batched": False, "beam_size": conf.beam_size, "temperature": 0.0,
                                    "condition_on_previous_text": False, "vad_filter": True,
                                    "min_silence_ms": TURN_PAUSE_MS}}
    if progress:
        progress(1.0)
    return transcript


def segment_languages(transcript: Transcript) -> list[str]:
    """Each segment's language: per segment after :func:`transcribe_by_language`, else the transcript's."""
    codes = (transcript.model or {}).get("segment_languages")
    if codes and len(codes) == len(transcript.segments):
        return list(codes)
    return [transcript.language] * len(transcript.segments)


def _collect(segments_iter, duration: float, progress: Progress, split: bool = True) -> Transcript:
    """Turn faster-whisper segments into contract segments with ids 0..n-1, reporting progress as we go."""
    segments: list[Segment] = []
    for seg in segments_iter:
        text = seg.text.strip()
        if progress and duration > 0:
            progress(min(0.99, float(seg.end) / duration))
        if not text:
            continue
        words = None
        if seg.words is not None:
            # words keep Whisper's leading space, so "".join(w.word for w in words) rebuilds the text
            words = [Word(float(w.start), float(w.end), w.word, float(w.probability))
                     for w in seg.words if w.word.strip()]
        start = max(0.0, float(seg.start))
        pieces = _sentences(words) if split and words else [(start, float(seg.end), text, words)]
        for p_start, p_end, p_text, p_words in pieces:
            p_start = max(0.0, p_start)
            segments.append(Segment(id=len(segments), start=p_start, end=max(p_start, p_end), text=p_text,
                                    speaker=None, words=p_words))
    return Transcript(language="", duration=duration, segments=segments)


_SENTENCE_END = (".", "?", "!", "…")


def _sentences(words: list[Word]) -> list[tuple]:
    """Split one batched chunk (up to 30 s, often several turns) at sentence ends.

    Sentence-sized segments are what people read, what subtitles show and what a summary can cite; the
    batched pipeline itself returns one segment per speech chunk.
    """
    pieces, current = [], []
    for i, word in enumerate(words):
        current.append(word)
        text = word.word.strip()
        following = words[i + 1].word.strip() if i + 1 < len(words) else ""
        abbreviation = text.endswith(".") and following[:1].islower()  # "bijv. een", "o.a. lezen"
        if not following or (text.endswith(_SENTENCE_END) and not abbreviation):
            pieces.append((current[0].start, current[-1].end, "".join(w.word for w in current).strip(), current))
            current = []
    return pieces


def _model_name(model_dir: Path) -> str:
    from .weights import model_name

    return model_name(model_dir)
