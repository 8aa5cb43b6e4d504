"""The one workflow of a conversation: import → transcribe → speakers → summarise → export.

Every face calls these functions and nothing else for these steps: the CLI (``transkript import``, ``process``,
``report ID``), the app's widgets, the papermill notebook (``batch.NotebookRun``) and ``transkript batch``; so
they cannot disagree about which file is refused, how speakers are counted or what is stored. The case file
(:mod:`.casefile`) only stores; the workflow lives here and uses it.

Progress is one signature everywhere: ``progress(stage, fraction)`` with ``stage`` one of :data:`STAGES` (in that
order) and ``fraction`` in [0, 1] *within* the stage, so a UI can show "transcriberen 40 %" and then
"sprekers 10 %". Consent is checked before the work starts and again before every write: a withdrawal while a
long transcription runs means nothing is stored.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .errors import NotFoundError
from .summary import Summary
from .transcript import Transcript

STAGES = ("transcribe", "speakers", "summarize", "export")
PROCESS_STAGES = STAGES[:3]  # what process_conversation reports; export_report reports "export"
COPY_KINDS = ("pdf", "transcript", "summary")  # files written next to a batch, registered with the conversation

Progress = Optional[Callable[[str, float], None]]


@dataclass
class ImportResult:
    conversation_id: str
    path: Path  # the stored copy inside the case file
    sha256: str
    duration: float  # seconds of decoded audio


@dataclass
class ProcessResult:
    conversation_id: str
    transcript: Transcript
    summary: Summary
    version: int | None  # summary version the result is
    reused: tuple[str, ...] = ()  # stages taken from the case file instead of made again (resumed)


@dataclass
class ExportResult:
    conversation_id: str
    pdf: Path  # the report as kept in the case file
    language: str
    version: int | None
    copy: Path | None = None  # the copy at ``out``, registered with the conversation


@dataclass
class CopyResult:
    conversation_id: str
    files: dict[str, Path] = field(default_factory=dict)  # kind → path (transcript, summary)


# --- import -----------------------------------------------------------------------------------------------------
def import_recording(archive, conversation_id: str, path, *, actor: str | None = None,
                     max_bytes: int | None = None) -> ImportResult:
    """Check a recording the way the app's upload does (consent first, then a full decode: a corrupt, truncated,
    silent or too long file is refused with the engine's message) and store it in the case file."""
    from . import audio
    from .casefile import consent as consent_mod

    consent_mod.require_recording_allowed(archive.get(conversation_id), "import")
    clip = audio.load(path, max_bytes=max_bytes)
    duration, sha = clip.duration, clip.sha256
    del clip
    stored = archive.import_recording(conversation_id, path, actor=actor)
    return ImportResult(conversation_id, stored, sha, duration)


# --- transcribe, speakers, summarise --------------------------------------------------------------------------
def transcribe_file(path: str | Path, *, language: str = "nl", task: str = "transcribe", model: str | None = None,
                    speakers: str | int = "auto", progress: Progress = None, participants=(),
                    per_language: bool = False, **asr_options) -> Transcript:
    """Decode, check, transcribe and attribute speakers, for a recording outside the case file (``transkript
    transcribe``). ``per_language``: an interpreter or mixed conversation, each speech chunk in its own language
    (:func:`.asr.transcribe_by_language`). Raises :class:`~.errors.TranskriptError` subclasses."""
    from . import asr, audio
    from . import speakers as speakers_mod

    mode = speakers_mod.parse_mode(speakers)
    clip = audio.load(path)
    if per_language and task == "transcribe":
        transcript = asr.transcribe_by_language(clip, model=model, progress=_stage(progress, "transcribe"),
                                                **asr_options)
    else:
        transcript = asr.transcribe(clip, language=language, task=task, model=model,
                                    progress=_stage(progress, "transcribe"), **asr_options)
    _report(progress, "transcribe", 1.0)
    transcript = speakers_mod.attribute(transcript, clip, mode=mode, progress=_stage(progress, "speakers"),
                                        participants=participants)  # the form's names label the speakers
    _report(progress, "speakers", 1.0)
    return transcript


def process_conversation(archive, conversation_id: str, *, speakers: str | int = "auto", backend: str | None = None,
                         progress: Progress = None, actor: str | None = None, **asr_options) -> ProcessResult:
    """Transcribe the stored recording (in the conversation's language, with the names on its consent form as
    vocabulary: ``asr.conversation_names``), attribute speakers and summarise, storing transcript revision 0 and
    summary version 1. Resumable: what the case file already holds is reused,
    not made again (so ``speakers`` only applies to a conversation not transcribed yet)."""
    from . import speakers as speakers_mod
    from .casefile import audit

    mode = speakers_mod.parse_mode(speakers)  # a bad value fails before minutes of work
    by = actor or audit.default_actor()
    _require_consent(archive, conversation_id)
    reused: list[str] = []
    transcript = archive.original_transcript(conversation_id)
    if transcript is None:
        if archive.recording_path(conversation_id) is None:
            raise NotFoundError(f"Gesprek {conversation_id} heeft geen opname om te verwerken.",
                                f"Conversation {conversation_id} has no recording to process.")
        from . import asr

        conv = archive.get(conversation_id)
        asr_options.setdefault("names", asr.conversation_names(conv))  # the consent form's names as vocabulary
        asr_options.setdefault("per_language", interpreted(conv.participants))
        with archive.recording_file(conversation_id) as recording:  # decrypted for decoding, deleted after
            transcript = transcribe_file(recording, language=conv.language, speakers=mode, progress=progress,
                                         participants=conv.participants, **asr_options)
        _require_consent(archive, conversation_id)  # withdrawn meanwhile?
        archive.save_transcript(conversation_id, transcript, by=by)
    else:
        transcript = archive.transcript(conversation_id)  # the latest revision: a teacher's corrections count
        reused += ["transcribe", "speakers"]
        _report(progress, "transcribe", 1.0)
        _report(progress, "speakers", 1.0)
    summary = archive.summary(conversation_id)
    if summary is None:
        from . import multilingual

        _report(progress, "summarize", 0.0)  # a language without summary rules: through Whisper's English
        summary = multilingual.summarize_any(transcript, lambda: archive.recording_file(conversation_id),
                                             backend=backend)
        _require_consent(archive, conversation_id)
        archive.save_summary(conversation_id, summary, by=by, role="docent",
                             reason=f"eerste versie, automatisch gemaakt ({summary.backend})")
    else:
        reused.append("summarize")
    _report(progress, "summarize", 1.0)
    archive.log("process", conversation_id, actor=by)
    return ProcessResult(conversation_id, transcript, summary, _latest_version(archive, conversation_id),
                         tuple(reused))


def transcribe_and_summarize(path: str | Path, *, language: str = "nl", speakers: str | int = "auto",
                             participants=(), names=(), backend: str | None = None,
                             **asr_options) -> tuple[Transcript, Summary]:
    """What :func:`process_conversation` makes for a recording, without the case file: transcript (speakers
    attributed) and summary. Pure: reads ``path``, writes nothing. A batch's cluster worker runs this (it never
    opens the case file); the caller stores the two with :func:`store_processed`. With the conversation's
    language, participants and ``asr.conversation_names`` the result equals what process_conversation stores."""
    from contextlib import nullcontext

    from . import multilingual

    asr_options.setdefault("per_language", interpreted(participants))
    transcript = transcribe_file(path, language=language, speakers=speakers, participants=participants,
                                 names=tuple(names), **asr_options)
    return transcript, multilingual.summarize_any(transcript, lambda: nullcontext(path), backend=backend)


def store_processed(archive, conversation_id: str, transcript: Transcript, summary: Summary, *,
                    actor: str | None = None) -> None:
    """Store a transcript and summary made outside this process (:func:`transcribe_and_summarize` on a cluster
    worker) exactly as :func:`process_conversation` would: transcript revision 0 and summary version 1, consent
    checked before each write. Nothing is stored for a stage the case file already holds."""
    from .casefile import audit

    by = actor or audit.default_actor()
    _require_consent(archive, conversation_id)
    if archive.original_transcript(conversation_id) is None:
        archive.save_transcript(conversation_id, transcript, by=by)
    if archive.summary(conversation_id) is None:
        _require_consent(archive, conversation_id)
        archive.save_summary(conversation_id, summary, by=by, role="docent",
                             reason=f"eerste versie, automatisch gemaakt ({summary.backend})")


# --- export ---------------------------------------------------------------------------------------------------
def export_report(archive, conversation_id: str, *, language: str | None = None, with_transcript: bool = False,
                  out: str | Path | None = None, template: str = "report", school_name: str | None = None,
                  whisper_english: bool = False, summary: Summary | None = None, version=None,
                  progress: Progress = None, actor: str | None = None,
                  transcript: Transcript | None = None, family=None) -> ExportResult:
    """The PDF report of an archived conversation, kept with it in the case file (its export registry). With
    ``out`` a copy is also written there and registered, so the case file knows every copy it handed out.
    ``summary``/``version`` override the latest stored summary version (``transkript report --summary``);
    ``transcript`` the stored transcript (the family's copy with other people's names replaced, see
    :mod:`.thirdparty`). ``family`` (``thirdparty.FamilyCopy``) gives all three at once and also replaces the
    names in Whisper's English translation (``whisper_english``)."""
    from . import labels, report

    _report(progress, "export", 0.0)
    if family is not None:
        summary = summary if summary is not None else family.summary
        transcript = transcript if transcript is not None else family.transcript
        version = version or family.version
    conv = archive.get(conversation_id)
    transcript = transcript if transcript is not None else archive.transcript(conversation_id)
    if transcript is None:
        raise NotFoundError(f"Gesprek {conversation_id} heeft nog geen transcript; verwerk eerst de opname.",
                            f"Conversation {conversation_id} has no transcript yet; process the recording first.")
    if summary is None:
        summary = archive.summary(conversation_id)
        if summary is None:
            raise NotFoundError(f"Gesprek {conversation_id} heeft nog geen samenvatting.",
                                f"Conversation {conversation_id} has no summary yet.")
        version = version or _latest_version(archive, conversation_id)
    language = labels.check_language(language or conv.language or "nl")
    options = {"template": template, "school_name": school_name}
    if whisper_english:
        english = _whisper_english(archive, conversation_id, transcript, language)
        options["whisper_transcript"] = family.redact_translation(english) if family is not None else english
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "-met-transcript" if with_transcript else ""
    archive.conversation_dir(conversation_id)  # an unknown id fails before rendering
    from .casefile.archive import _remove, scratch_dir

    scratch = scratch_dir()  # rendered in private scratch, kept encrypted in the case file, copied out plain
    try:
        plain = scratch / f"verslag-{conversation_id}-{language}{suffix}-{stamp}.pdf"
        report.render_pdf(plain, transcript=transcript, summary=summary, conversation=conv, language=language,
                          with_transcript=with_transcript, version=version, **options)
        pdf = archive.add_export(conversation_id, plain, kind="pdf", actor=actor, keep_name=True)
        copy = None
        if out is not None:
            copy = _copy_out(archive, conversation_id, plain, Path(out), "pdf", actor)
    finally:
        _remove(scratch, prune=False)
    _report(progress, "export", 1.0)
    return ExportResult(conversation_id, pdf, language, version, copy)


def copy_results(archive, conversation_id: str, out_dir: str | Path, name: str, *,
                 actor: str | None = None) -> CopyResult:
    """Write the latest transcript and summary as ``NAME.transcript.json`` and ``NAME.summary.json`` into
    ``out_dir`` (a batch's output folder), registered with the conversation as copies."""
    from .atomic import write_text

    out_dir = Path(out_dir)
    result = CopyResult(conversation_id)
    for kind, doc in (("transcript", archive.transcript(conversation_id)),
                      ("summary", archive.summary(conversation_id))):
        if doc is None:
            continue
        path = write_text(out_dir / f"{name}.{kind}.json", doc.to_json() + "\n")
        result.files[kind] = archive.register_copy(conversation_id, path, kind=kind, actor=actor)
    return result


# --- helpers --------------------------------------------------------------------------------------------------
def _copy_out(archive, conversation_id: str, src: Path, out: Path, kind: str, actor) -> Path:
    from .atomic import copy_file

    copy_file(src, out)
    return archive.register_copy(conversation_id, out, kind=kind, actor=actor)


def _whisper_english(archive, conversation_id: str, transcript: Transcript, language: str):
    from . import translate
    from .errors import InputError

    if language != "en":
        raise InputError("--whisper-english kan alleen met --language en.", "--whisper-english needs --language en.")
    with archive.recording_file(conversation_id) as recording:
        if recording is None:
            raise InputError("Voor een Whisper-vertaling is de opname nodig.",
                             "A Whisper translation needs the recording.")
        return translate.whisper_english(recording, transcript, source_language=transcript.language)


def interpreted(participants) -> bool:
    """An interpreter takes part (role ``tolk`` on the form): then every turn is transcribed in its own language."""
    return any(getattr(p, "role", None) == "tolk" for p in participants or ())


def _require_consent(archive, conversation_id: str) -> None:
    from .casefile import consent as consent_mod

    consent_mod.require_recording_allowed(archive.get(conversation_id), "process")


def _latest_version(archive, conversation_id: str) -> int | None:
    versions = archive.versions(conversation_id)
    return versions[-1].version if versions else None


def _report(progress: Progress, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(stage, fraction)


def _stage(progress: Progress, stage: str) -> Callable[[float], None] | None:
    if progress is None:
        return None
    return lambda fraction: progress(stage, min(1.0, max(0.0, fraction)))
