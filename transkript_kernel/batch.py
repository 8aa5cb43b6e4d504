"""A whole evening of recordings at once, through the case file: one papermill run of
``notebooks/conversation.ipynb`` per recording.

Consent first: with a manifest (CSV ``file,pupil,group,kind,date,language,consent,age_band``, optionally
``consent_by``, ``consent_how`` and ``pupil_view``) only rows with consent ``given``, a known kind with no
forbidden word in it, a readable age band and — from 12 — the pupil's own 'given' are processed, the rest is
skipped and reported; without a manifest the batch refuses to start unless the coordinator states
``--consent given`` for every file, which is stored as a consent record of its own kind ("verklaring
coördinator"), and links that lead out of the input folder are skipped. The PDF prints consent only from the
conversation's consent record in the case file. A recording whose consent was withdrawn stays refused: the case
file keeps its SHA-256 (a hash of audio, not content), and a rerun with a manifest that still says 'given' skips it.

Each recording becomes a conversation in the case file at ``$TRANSKRIPT_DATA`` (imported with
:func:`.pipeline.import_recording`, so a file the app would refuse is refused here too); the notebook then runs
:func:`.pipeline.process_conversation` and :func:`.pipeline.export_report` for it. PDF, ``NAME.transcript.json``
and ``NAME.summary.json`` land in OUT_DIR as copies registered with the conversation, beside the executed
notebook. A finished recording is marked (``.done/<name>.json``, with the recording's hash and conversation id)
and skipped on a rerun; an interrupted one resumes in the case file (same recording = same conversation, and
what is stored is not made again). One failure never stops the rest; ``results.csv`` lists every file by its row
in the manifest and its number in the input folder, never by name (see :func:`_write_results`).

Workers are processes; each one drives papermill, which runs the notebook in its own kernel process (the
kernelspec ``python3`` resolves to the interpreter running the batch, i.e. the project's venv). With ``cluster``
the transcription, speakers and summary run on Dask workers instead (:mod:`.cluster`); filing, storing and the
notebooks stay here, the process pool renders.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .atomic import sha256_file
from .errors import ConsentError, ConsentRefusedError, InputError, TranskriptError

MANIFEST_COLUMNS = ("file", "pupil", "group", "kind", "date", "language", "consent", "age_band")
# the manifest is the written record; pupil_view (given/refused) is required from 12 (the age_band says so)
MANIFEST_OPTIONAL = {"consent_by": "ouder", "consent_how": "schriftelijk", "pupil_view": ""}
# results.csv outlives its conversations: no pupil, no file name (a manifest row is the coordinator's own reference)
RESULT_COLUMNS = ("manifest_row", "folder_nr", "conversation", "status", "message", "seconds")
DONE_DIR = ".done"
WITHDRAWN = ("De ouders hebben hun toestemming voor deze opname ingetrokken: ze wordt niet opnieuw verwerkt, ook "
             "niet als het manifest nog 'given' zegt.",
             "The parents withdrew their consent for this recording: it is not processed again, even when the "
             "manifest still says 'given'.")


def default_notebook() -> Path:
    """``notebooks/conversation.ipynb`` beside the package (a source checkout or an editable install)."""
    return Path(__file__).resolve().parent.parent / "notebooks" / "conversation.ipynb"


@dataclass
class BatchItem:
    file: Path
    name: str  # output stem, unique within the batch
    pupil: str = ""
    group: str = ""
    kind: str = "oudergesprek"
    date: str = ""
    language: str = "nl"
    consent: str = ""
    consent_by: str = "ouder"
    consent_how: str = "schriftelijk"
    pupil_view: str = ""  # given | refused | "" (not asked: younger than 12)
    age_band: str = ""
    coordinator: bool = False  # consent stated by the coordinator (--consent given), not per row
    skip_reason: tuple[str, str] | None = None  # (nl, en) when it must not be processed
    manifest_row: int | None = None  # the row in the manifest as a spreadsheet numbers it (the header is row 1)
    folder_nr: int | None = None  # the file's number among INPUT_DIR's recordings sorted by name (1 = first)


@dataclass
class BatchResult:
    file: str  # for the terminal only; results.csv has the rows below instead
    status: str  # done | already-done | skipped | failed
    message: str = ""
    pdf: str = ""
    notebook: str = ""
    seconds: float = 0.0
    conversation: str = ""  # the id in the case file
    manifest_row: int | None = None
    folder_nr: int | None = None


@dataclass
class BatchReport:
    results: list[BatchResult] = field(default_factory=list)
    results_csv: Path | None = None
    cluster: object = None  # a cluster.ClusterRun (dashboard, workers, per-task timings) with --cluster

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> int:
        return self.count("failed")

    def summary_line(self) -> str:
        return (f"klaar / done: {self.count('done')}, al klaar / already done: {self.count('already-done')}, "
                f"overgeslagen / skipped: {self.count('skipped')}, mislukt / failed: {self.failed}")


# --- what to process ------------------------------------------------------------------------------------------
def _audio_extensions() -> tuple[str, ...]:
    from .audio import SUPPORTED_EXTENSIONS

    return SUPPORTED_EXTENSIONS


def _safe_stem(name: str) -> str:
    stem = Path(name).stem
    cleaned = "".join(c if (c.isalnum() or c in "-_.") else "_" for c in stem).strip("._")
    return cleaned or "opname"


def _unique_names(items: list[BatchItem]) -> None:
    seen: dict[str, int] = {}
    for it in items:
        base = _safe_stem(it.file.name)
        n = seen.get(base, 0)
        seen[base] = n + 1
        it.name = base if n == 0 else f"{base}-{n + 1}"


def discover(input_dir: Path) -> list[Path]:
    exts = _audio_extensions()
    return sorted(p for p in input_dir.iterdir() if p.is_file() and p.suffix.lower() in exts
                  and not p.name.startswith("."))


def read_manifest(path: Path, input_dir: Path) -> list[BatchItem]:
    """Rows of the manifest as items; rows that must not run carry a ``skip_reason``."""
    from .casefile import consent as consent_mod

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"Kan het manifest {Path(path).name} niet lezen: {exc.strerror}.",
                         f"Cannot read the manifest {Path(path).name}: {exc.strerror}.") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in MANIFEST_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"Het manifest mist de kolom(men) {', '.join(missing)}; verwacht: "
                         f"{','.join(MANIFEST_COLUMNS)}.",
                         f"The manifest lacks the column(s) {', '.join(missing)}; expected: {','.join(MANIFEST_COLUMNS)}.")
    root = input_dir.resolve()
    items = []
    for row in reader:
        row = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(row.values()):
            continue
        file = (input_dir / row["file"]).resolve()
        it = BatchItem(file=file, name="", pupil=row["pupil"], group=row["group"],
                       kind=row["kind"] or "oudergesprek", date=row["date"], language=row["language"] or "nl",
                       consent=row["consent"].lower(), age_band=row["age_band"], manifest_row=reader.line_num,
                       **{k: row.get(k) or default for k, default in MANIFEST_OPTIONAL.items()})
        it.pupil_view = it.pupil_view.lower()
        if root not in file.parents:
            it.skip_reason = ("Het bestand ligt buiten de invoermap: niet verwerkt.",
                              "The file is outside the input folder: not processed.")
        elif it.consent != "given":
            it.skip_reason = ("Geen toestemming (consent is niet 'given'): niet verwerkt.",
                              "No consent (consent is not 'given'): not processed.")
        else:
            it.skip_reason = _row_consent_problem(it)
        items.append(it)
    return items


def _row_consent_problem(it: BatchItem) -> tuple[str, str] | None:
    """Why a manifest row with consent 'given' still must not run, as the app's consent form would say it:
    a forbidden word anywhere in the kind, an unknown kind, no usable age band, or from 12 no pupil's view
    (or a 'refused' one). The same rules as :func:`.casefile.consent.check`."""
    from .casefile import consent as consent_mod
    from .conversation import Conversation

    if Conversation(id="", pupil="", date="", age_band=it.age_band).pupil_age is None:
        return ("Leeftijdsgroep (age_band) ontbreekt of is onleesbaar, bv. 8-12 of 12-16: vanaf 12 jaar is ook de "
                "mening van de leerling nodig. Niet verwerkt.",
                "Age band (age_band) is missing or unreadable, e.g. 8-12 or 12-16: from 12 the pupil's own view "
                "is needed too. Not processed.")
    try:
        record = consent_mod.record(True, it.consent_by, how=it.consent_how, pupil_view=it.pupil_view or None,
                                    language=it.language)
        decision = consent_mod.check(it.kind, record, age_band=it.age_band)
    except TranskriptError as exc:
        return (exc.nl, exc.en)
    if not decision.recording_allowed:
        return (decision.nl, decision.en)
    it.kind = consent_mod.check_kind(it.kind)
    return None


def plan(input_dir: Path, *, manifest: Path | None = None, consent: str | None = None) -> list[BatchItem]:
    """What the batch will do. Refuses to start without a manifest unless consent is stated for every file."""
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise InputError(f"De invoermap {input_dir} bestaat niet.", f"The input folder {input_dir} does not exist.")
    if manifest is not None:
        items = read_manifest(manifest, input_dir)
        listed = {it.file for it in items}
        for extra in discover(input_dir):
            if extra.resolve() not in listed:
                items.append(BatchItem(file=extra.resolve(), name="", skip_reason=(
                    "Staat niet in het manifest: geen toestemming vastgelegd, niet verwerkt.",
                    "Not in the manifest: no consent recorded, not processed.")))
    else:
        if (consent or "").strip().lower() != "given":
            raise ConsentError(
                "De batch start niet: geef een manifest (--manifest) met per opname de toestemming, of verklaar "
                "met --consent given dat voor elke opname in de map toestemming is vastgelegd.",
                "The batch does not start: give a manifest (--manifest) with consent per recording, or state "
                "with --consent given that consent was recorded for every recording in the folder.")
        root = input_dir.resolve()
        items = []
        for p in discover(input_dir):
            it = BatchItem(file=p.resolve(), name="", consent="given", coordinator=True)
            if root not in it.file.parents:  # a link that leads out of the folder: not the coordinator's to state
                it.skip_reason = ("Een koppeling naar een bestand buiten de invoermap: niet verwerkt.",
                                  "A link to a file outside the input folder: not processed.")
            items.append(it)
    _unique_names(items)
    _number_in_folder(items, input_dir)
    return items


def _number_in_folder(items: list[BatchItem], input_dir: Path) -> None:
    """Each item's number among the input folder's recordings sorted by name: how results.csv points at a file
    without naming it when there is no manifest row (a file's name may be the pupil's)."""
    numbers: dict[Path, int] = {}
    for nr, path in enumerate(discover(input_dir), 1):
        numbers.setdefault(path.resolve(), nr)
    for it in items:
        it.folder_nr = numbers.get(it.file)


# --- one recording ------------------------------------------------------------------------------------------
def _done_marker(out_dir: Path, name: str) -> Path:
    return out_dir / DONE_DIR / f"{name}.json"


def _already_done(item: BatchItem, out_dir: Path) -> dict | None:
    marker = _done_marker(out_dir, item.name)
    try:
        done = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pdf = out_dir / done.get("pdf", "")
    if done.get("sha256") == sha256_file(item.file) and pdf.is_file():
        return done
    return None


def file_conversation(archive, item: BatchItem, *, actor: str | None = None) -> str:
    """The conversation in the case file that holds this recording: found by the recording's hash when a
    previous run stored it, else created with the consent of its manifest row (or the coordinator's statement)
    and imported through the one workflow. A recording that cannot be imported leaves no conversation behind;
    one whose consent was withdrawn is refused (:class:`ConsentRefusedError`): the parents' last word."""
    from datetime import date as Date

    from . import pipeline
    from .casefile import consent as consent_mod

    sha = sha256_file(item.file)
    if archive.recording_withdrawn(sha):
        raise ConsentRefusedError(*WITHDRAWN)
    found = archive.find_recording(sha)
    if found is not None:
        return found
    if item.coordinator:
        record = consent_mod.coordinator_statement(language=item.language)
    else:
        record = consent_mod.record(True, item.consent_by, how=item.consent_how, language=item.language,
                                    pupil_view=item.pupil_view or None)
    day = item.date or Date.fromtimestamp(item.file.stat().st_mtime).isoformat()  # the recording's own date
    conv = archive.create(pupil=item.pupil or item.file.stem, date=day, kind=item.kind, language=item.language,
                          group=item.group, age_band=item.age_band, consent=record, actor=actor)
    try:
        pipeline.import_recording(archive, conv.id, item.file, actor=actor)
    except BaseException:
        archive.delete_conversation(conv.id, actor=actor)
        raise
    return conv.id


def _run_one(job: dict) -> dict:
    """In a worker process: file the recording in the case file, then execute the notebook; never raises."""
    out_dir = Path(job["out_dir"])
    item: BatchItem = job["item"]
    name = item.name
    out_nb = out_dir / f"{name}.ipynb"
    error_file = out_dir / f"{name}.error.json"
    error_file.unlink(missing_ok=True)
    start = time.monotonic()
    result = {"status": "failed", "message": "", "pdf": "", "notebook": "", "conversation": ""}
    log_dir = out_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    saved_stderr = os.dup(2)  # the kernel's own chatter goes to logs/NAME.log, not over the progress bar
    try:
        from .casefile.archive import Archive

        with Archive() as archive:
            result["conversation"] = cid = file_conversation(archive, item, actor=job["actor"])
        params = NotebookParams(conversation_id=cid, report_language=job["report_language"] or "",
                                with_transcript=job["with_transcript"], template=job["template"],
                                output_dir=str(out_dir), output_name=name, speakers=str(job["speakers"]),
                                keep_names=bool(job.get("keep_names", False)),
                                error_file=str(error_file))
        import papermill as pm

        result["notebook"] = out_nb.name
        with open(log_dir / f"{name}.log", "w", encoding="utf-8") as log:
            os.dup2(log.fileno(), 2)
            pm.execute_notebook(job["notebook"], str(out_nb), parameters=asdict(params),
                                kernel_name=job["kernel_name"], progress_bar=False, log_output=False,
                                cwd=str(out_dir), execution_timeout=job["timeout"])
        pdf = out_dir / f"{name}.pdf"
        if not pdf.is_file():
            raise RuntimeError("the notebook finished without writing the PDF")
        from .atomic import write_json

        write_json(_done_marker(out_dir, name), {"file": item.file.name, "sha256": sha256_file(item.file),
                                                 "pdf": pdf.name, "notebook": out_nb.name, "conversation": cid})
        result.update(status="done", pdf=pdf.name)
    except Exception as exc:  # one failure must not stop the batch: record it and go on
        result["message"] = _failure_message(exc, error_file)
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
    _register_outputs(result.get("conversation"), {out_nb: "notebook", log_dir / f"{name}.log": "log",
                                                   _done_marker(out_dir, name): "marker", error_file: "error"})
    result["seconds"] = round(time.monotonic() - start, 1)
    return result


def _register_outputs(conversation_id: str, paths: dict[Path, str]) -> None:
    """Everything else this recording left in OUT_DIR names the pupil: the executed notebook (parameters,
    outputs), its log, the done marker (the recording's file name) and an error record. Each is a copy of the
    conversation, registered so withdrawal and retention delete it too (after stderr is back: the log is
    complete). The PDF and the JSON copies were registered when they were written."""
    if not conversation_id:
        return
    from .casefile.archive import Archive

    try:
        with Archive() as archive:
            for path, kind in paths.items():
                if path.is_file():
                    archive.register_copy(conversation_id, path, kind=kind)
    except TranskriptError:
        pass  # e.g. consent withdrawn meanwhile: the conversation's own deletion ran without these


def _init_worker(threads: int) -> None:
    """Runs in each worker: its kernels inherit this environment (and only they: the caller's stays as it is)."""
    from .offline import lock_down_environment

    lock_down_environment()  # spawned workers inherit it already; this makes it true for any caller of run()
    from .settings import secure_umask

    secure_umask()
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))


def _failure_message(exc: Exception, error_file: Path) -> str:
    """Dutch first, then English: from the engine's error or the notebook's error record, else the exception."""
    if isinstance(exc, TranskriptError):
        return f"{exc.nl} / {exc.en}" if exc.nl != exc.en else exc.nl
    try:
        err = json.loads(error_file.read_text(encoding="utf-8"))
        return f"{err['nl']} / {err['en']}" if err["nl"] != err["en"] else err["nl"]
    except (OSError, ValueError, KeyError):
        pass
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}"


# --- the batch --------------------------------------------------------------------------------------------
def run(input_dir, out_dir, *, workers: int = 1, manifest=None, consent: str | None = None,
        report_language: str | None = None, with_transcript: bool = False, template: str = "report",
        notebook=None, kernel_name: str = "python3", timeout: int | None = None, speakers="auto",
        actor: str | None = None, progress: bool = True, cluster=None, keep_names: bool = False) -> BatchReport:
    """Process every recording in ``input_dir`` through the case file at ``$TRANSKRIPT_DATA``; copies in
    ``out_dir`` (``results.csv`` at the end). ``speakers`` is 'auto', 'off' or a count, as everywhere.
    ``cluster`` (a :class:`.cluster.ClusterOptions` or an address such as ``local:2``) runs transcription,
    speakers and summary on Dask workers; ``workers`` then counts the local processes that render reports.
    Other people's names are replaced in each PDF (:mod:`.thirdparty`) unless ``keep_names``."""
    from tqdm import tqdm

    from .atomic import write_text
    from .labels import check_language
    from .speakers import parse_mode

    if workers < 1:
        raise InputError("--workers moet minstens 1 zijn.", "--workers must be at least 1.")
    if isinstance(cluster, str):
        from . import cluster as cluster_mod

        cluster = cluster_mod.options(cluster)  # a refused address fails here, before anything is read
    if cluster is not None:
        from . import cluster as cluster_mod

        cluster_mod.require_distributed()
    if report_language:
        report_language = check_language(report_language)
    speakers = parse_mode(speakers)
    items = plan(Path(input_dir), manifest=Path(manifest) if manifest else None, consent=consent)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    notebook = Path(notebook) if notebook else default_notebook()
    if not notebook.is_file():
        raise InputError(f"Het notebook {notebook} ontbreekt.", f"The notebook {notebook} is missing.")

    report = BatchReport()
    by_file: dict[str, BatchResult] = {}
    todo = []
    for it in items:
        res = BatchResult(file=it.file.name, status="skipped", manifest_row=it.manifest_row, folder_nr=it.folder_nr)
        by_file[it.name] = res
        report.results.append(res)
        if it.skip_reason:
            res.message = " / ".join(dict.fromkeys(it.skip_reason))
            continue
        if not it.file.is_file():
            res.status, res.message = "failed", "Bestand niet gevonden. / File not found."
            continue
        if (done := _already_done(it, out_dir)) is not None:
            res.status, res.pdf, res.notebook = "already-done", done["pdf"], done.get("notebook", "")
            res.conversation = done.get("conversation", "")
            continue
        todo.append(it)
    jobs = []
    if todo:
        from .casefile.archive import Archive

        with Archive() as archive:  # made (or migrated) once, before the workers open it side by side
            for it in todo:
                if archive.recording_withdrawn(sha256_file(it.file)):  # before anything is filed or sent
                    by_file[it.name].message = " / ".join(WITHDRAWN)
                    continue
                jobs.append({"item": it, "name": it.name, "out_dir": str(out_dir), "notebook": str(notebook),
                             "report_language": report_language, "with_transcript": with_transcript,
                             "template": template, "speakers": speakers, "actor": actor, "kernel_name": kernel_name,
                             "timeout": timeout, "keep_names": bool(keep_names)})

    if jobs:
        # share the cores: each kernel's ASR gets its part instead of all kernels fighting over all cores
        threads = max(1, (os.cpu_count() or 1) // min(workers, len(jobs)))
        bar = tqdm(total=len(jobs), desc="gesprekken / conversations", unit="opname", disable=not progress,
                   file=sys.stderr)

        def record(job: dict, outcome: dict) -> None:
            res = by_file[job["name"]]
            for key, value in outcome.items():
                setattr(res, key, value)
            bar.update(1)
            bar.set_postfix_str(f"{res.file}: {res.status}", refresh=True)

        try:
            if cluster is not None:
                from .cluster import run_jobs

                report.cluster = run_jobs(jobs, record, cluster, file_conversation=file_conversation, render=_run_one,
                                          init_render=_init_worker, render_workers=min(workers, len(jobs)))
            else:
                _run_pool(jobs, min(workers, len(jobs)), threads, record)
        except KeyboardInterrupt:
            for job in jobs:
                if by_file[job["name"]].status == "skipped" and not by_file[job["name"]].message:
                    by_file[job["name"]].status, by_file[job["name"]].message = "failed", "Afgebroken. / Interrupted."
            _write_results(report, items, out_dir, write_text)
            raise
        finally:
            bar.close()
    _write_results(report, items, out_dir, write_text)
    return report


def _run_pool(jobs: list[dict], workers: int, threads: int, record) -> None:
    """The process pool on this machine: each worker files its recording and runs the notebook."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(threads,)) as pool:
        futures = {pool.submit(_run_one, job): job for job in jobs}
        try:
            for fut in as_completed(futures):
                try:
                    outcome = fut.result()
                except Exception as exc:  # the worker process itself died
                    outcome = {"status": "failed", "message": f"{type(exc).__name__}: {exc}", "seconds": 0}
                record(futures[fut], outcome)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _write_results(report: BatchReport, items: list[BatchItem], out_dir: Path, write_text) -> None:
    """``results.csv``: the batch's one file that belongs to no conversation, so withdrawal and retention never
    delete it — hence no pupil and no file name in it (a file's name may be the pupil's): each row points at its
    recording by the manifest's row and the folder's number, and its message has the names taken out. The
    terminal shows the file names; the conversation id leads to the rest in the case file, while it exists."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=RESULT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r, it in zip(report.results, items):
        row = {k: v for k, v in asdict(r).items() if k in RESULT_COLUMNS}
        writer.writerow(dict(row, message=_without_names(r.message, it)))
    report.results_csv = write_text(out_dir / "results.csv", buf.getvalue())


def _without_names(message: str, item: BatchItem) -> str:
    """The message with the recording's file name (whole, stem, output name) and the pupil's name replaced by
    '[…]', wherever they stand as whole words (an engine error may quote the file or a path in OUT_DIR)."""
    names = {item.file.name, item.file.stem, item.name, item.pupil}
    for name in sorted((n for n in names if len(n) >= 2), key=len, reverse=True):
        message = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "[…]", message)
    return message




# --- used inside the notebook ----------------------------------------------------------------------------
@dataclass
class NotebookParams:
    """The papermill parameters of ``notebooks/conversation.ipynb``, names and defaults exactly as in its
    ``parameters`` cell (a test checks them with ``papermill.inspect_notebook``). The batch fills these."""

    conversation_id: str = ""  # the conversation in the case file ($TRANSKRIPT_DATA)
    report_language: str = ""  # "" = the conversation's language
    with_transcript: bool = False
    template: str = "report"
    output_dir: str = "."  # where the PDF, transcript and summary copies go
    output_name: str = ""  # file name stem; "" = the conversation id
    speakers: str = "auto"  # "auto", "off" or a number of speakers
    summary_backend: str = ""  # "" = the configured backend
    error_file: str = ""  # the batch reads engine errors (Dutch and English) from here
    keep_names: bool = False  # True: other people's names stay in the PDF (default: replaced, see thirdparty)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


class NotebookRun:
    """The steps of ``conversation.ipynb``, one method per cell, so the notebook stays a few readable lines;
    every step is the one workflow's (:mod:`.pipeline`) on the archived conversation.

    Engine errors (:class:`TranskriptError`) are also written to ``error_file`` (Dutch and English) before
    they propagate, so the batch can report them in Dutch first.
    """

    def __init__(self, params: NotebookParams):
        self.params = params
        self.conversation_id = (params.conversation_id or "").strip()
        self.output_dir = Path(params.output_dir or ".")
        self.error_file = Path(params.error_file) if params.error_file else None
        if not self.conversation_id:
            self._fail(InputError("Geef het ID van een gesprek uit het archief (transkript new / import).",
                                  "Give the id of a conversation in the archive (transkript new / import)."))
        self.name = params.output_name or _safe_stem(self.conversation_id)
        self.archive = None
        self._conversation = self._result = None

    def _fail(self, exc: Exception):
        if self.error_file is not None and isinstance(exc, TranskriptError):
            from .atomic import write_json

            write_json(self.error_file, {"type": type(exc).__name__, "nl": exc.nl, "en": exc.en})
        raise exc

    def _guard(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except TranskriptError as exc:
            self._fail(exc)

    # -- cells --
    def conversation(self):
        return self._guard(self._load_conversation)

    def _load_conversation(self):
        from .casefile.archive import Archive

        if self.archive is None:
            self.archive = Archive()
        self._conversation = self.archive.get(self.conversation_id)
        return self._conversation

    def transcript(self):
        """Transcribe, attribute speakers and summarise (resumable: the case file's own results are reused)."""
        return self._guard(self._process).transcript

    def _process(self):
        from . import pipeline

        if self._conversation is None:
            self._load_conversation()
        if self._result is None:
            self._result = pipeline.process_conversation(
                self.archive, self.conversation_id, speakers=self.params.speakers,
                backend=self.params.summary_backend or None)
        return self._result

    def summary(self):
        """The summary, and the transcript and summary copies (``NAME.*.json``) registered with the conversation."""
        return self._guard(self._summary)

    def _summary(self):
        from . import pipeline

        result = self._process()
        pipeline.copy_results(self.archive, self.conversation_id, self.output_dir, self.name)
        return result.summary

    def chart(self):
        """The speaking-time chart as SVG bytes, or None when no speaker is known."""
        from . import charts

        transcript = self._guard(self._process).transcript
        if not charts.has_speakers(transcript):
            return None
        return self._guard(charts.speaking_time_chart, transcript, fmt="svg")

    def pdf(self) -> Path:
        """The report, kept in the case file, with its copy ``NAME.pdf`` in the output folder."""
        return self._guard(self._pdf)

    def _pdf(self) -> Path:
        from . import pipeline

        self._process()
        family = {}
        if not self.params.keep_names:  # other people's names replaced; the log gets the count, never names
            from . import thirdparty

            copy = thirdparty.prepare_for_family(self.archive, self.conversation_id, by="coördinator", role="school")
            family = {"family": copy}
            os.write(2, f"namen van anderen vervangen / other people's names replaced: {len(copy.replaced)}\n"
                     .encode("utf-8"))
        result = pipeline.export_report(self.archive, self.conversation_id,
                                        language=self.params.report_language or None,
                                        with_transcript=bool(self.params.with_transcript),
                                        template=self.params.template or "report",
                                        out=self.output_dir / f"{self.name}.pdf", **family)
        self._log_doubts()
        return result.copy

    def _log_doubts(self) -> None:
        """Doubtful words in the ticked items go to this file's log with ``[?]``: a batch never blocks on them
        (the log is registered with the conversation, so withdrawal and retention delete it)."""
        from . import doubt

        try:
            lines = doubt.cli_lines(doubt.blocking_in_case_file(self.archive, self.conversation_id))
        except Exception:  # a missing dictionary must not fail a finished report
            return
        for line in lines:  # the file descriptor, not sys.stderr: in a kernel that would go into the notebook
            os.write(2, (line + "\n").encode("utf-8"))
