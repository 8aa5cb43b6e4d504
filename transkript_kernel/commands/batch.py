"""``transkript batch INPUT_DIR --out OUT_DIR``: every recording of an evening through the case file, one
papermill run each; with ``--cluster`` the heavy step runs on Dask workers (:mod:`..cluster`)."""
from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("batch", help="alle opnamen in een map verwerken / process a folder of recordings",
                       description="Zet elke opname in INPUT_DIR als gesprek in het archief (TRANSKRIPT_DATA) en "
                                   "verwerk het met notebooks/conversation.ipynb (papermill): PDF, transcript en "
                                   "samenvatting per opname als geregistreerde kopie in OUT_DIR, results.csv aan het "
                                   "eind. Hervatbaar: wat klaar is, wordt overgeslagen. Files every recording in the "
                                   "case file and processes it; copies in OUT_DIR; resumable; results.csv at the "
                                   "end; exit code 1 if anything failed.")
    p.add_argument("input_dir", type=Path, metavar="INPUT_DIR")
    p.add_argument("--out", required=True, type=Path, metavar="OUT_DIR")
    p.add_argument("--workers", type=int, default=1, help="aantal processen (met --cluster: voor de verslagen) / "
                                                          "number of processes (with --cluster: for the reports)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--manifest", type=Path, metavar="FILE.csv",
                       help="CSV met kolommen file,pupil,group,kind,date,language,consent (given|refused), "
                            "optioneel consent_by, consent_how / CSV with these columns")
    group.add_argument("--consent", choices=["given"],
                       help="verklaar dat voor elke opname toestemming is vastgelegd (bewaard als 'verklaring "
                            "coördinator') / state consent for every file (stored as a coordinator's statement)")
    p.add_argument("--speakers", default="auto", metavar="auto|N|off",
                   help="sprekerherkenning / speaker attribution (standaard/default auto)")
    p.add_argument("--report-language", default=None, help="taal van de verslagen / report language")
    p.add_argument("--with-transcript", action="store_true", help="transcript in de PDF / add transcript")
    p.add_argument("--template", default="report", help="nbconvert-sjabloon / report template")
    p.add_argument("--timeout", type=int, default=None, help="seconden per notebookcel / seconds per cell")
    p.add_argument("--no-progress", action="store_true", help="geen voortgangsbalk / no progress bar")
    p.add_argument("--keep-names", action="store_true",
                   help="namen van anderen (niet-deelnemers) in de verslagen laten staan; standaard vervangen door "
                        "'een klasgenoot' / keep other people's names in the reports (by default replaced)")
    c = p.add_argument_group("Dask-cluster", "transcriberen, sprekers en samenvatten op Dask-werkers; het archief en "
                             "de verslagen blijven op deze computer / transcription, speakers and summary on Dask "
                             "workers; the case file and the reports stay on this computer")
    c.add_argument("--cluster", metavar="local:N|tls://HOST:8786|off",
                   help="Dask-scheduler (standaard BatchSettings.cluster; off = procespool) / Dask scheduler "
                        "(default BatchSettings.cluster; off = process pool)")
    c.add_argument("--tls-ca", metavar="CA.pem", help="CA-certificaat van het cluster / the cluster's CA")
    c.add_argument("--tls-cert", metavar="CERT.pem", help="certificaat van deze computer / this machine's certificate")
    c.add_argument("--tls-key", metavar="KEY.pem", help="sleutel van deze computer / this machine's private key")
    c.add_argument("--insecure-local", action="store_true",
                   help="tcp:// zonder TLS toestaan, alleen op 127.0.0.1 (tests) / allow tcp:// without TLS, "
                        "loopback only (tests)")
    c.add_argument("--shared-folder", metavar="DIR",
                   help="map die elke werker op hetzelfde pad ziet: opnamen daarin gaan als pad, niet als bytes / "
                        "folder every worker sees at the same path: recordings in it travel as paths")
    c.add_argument("--cpu-threads", type=int, default=None, metavar="N",
                   help="CPU-threads per opname op een werker / CPU threads per recording on a worker")
    p.set_defaults(func=run)


def cluster_options(args):
    """The ``--cluster`` flags over ``BatchSettings``; None for the process pool (no address, or 'off')."""
    from .. import settings
    from ..cluster import BatchSettings, options

    conf = settings.get(BatchSettings)
    address = args.cluster if args.cluster is not None else conf.cluster
    if not address or address.strip().lower() in ("off", "uit", "none"):
        return None
    return options(address, tls_ca=args.tls_ca or conf.tls_ca, tls_cert=args.tls_cert or conf.tls_cert,
                   tls_key=args.tls_key or conf.tls_key, insecure_local=args.insecure_local,
                   shared_folder=args.shared_folder or conf.shared_folder,
                   cpu_threads=args.cpu_threads if args.cpu_threads is not None else conf.cpu_threads,
                   connect_timeout=conf.connect_timeout)


def _print_replaced(report) -> None:
    """Per finished report, the names replaced in it: on the terminal only (the per-file logs get counts)."""
    from .. import thirdparty
    from ..casefile.archive import Archive

    done = [r for r in report.results if r.status == "done" and r.conversation]
    if not done:
        return
    with Archive() as archive:
        for r in done:
            # the case file keeps the transcript as said, so finding again lists what the report replaced
            names = [tp.name for tp in thirdparty.find_for(archive, r.conversation)]
            if names:
                print(f"{r.file}: namen van anderen vervangen / other people's names replaced: {', '.join(names)}")


def _where(result) -> str:
    """The columns of results.csv that point at this recording, so the terminal's lines and the list match."""
    parts = [f"manifest_row {result.manifest_row}"] * (result.manifest_row is not None)
    parts += [f"folder_nr {result.folder_nr}"] * (result.folder_nr is not None)
    return f"[{', '.join(parts)}] " if parts else ""


def run(args) -> int:
    from .. import batch

    cluster = cluster_options(args)  # a refused address or missing certificate exits 2 before anything runs
    report = batch.run(args.input_dir, args.out, workers=args.workers, manifest=args.manifest, consent=args.consent,
                       report_language=args.report_language, with_transcript=args.with_transcript,
                       template=args.template, timeout=args.timeout, speakers=args.speakers,
                       progress=not args.no_progress, cluster=cluster, keep_names=args.keep_names)
    for r in report.results:  # file names on the terminal only: results.csv points by row and number
        if r.status in ("failed", "skipped"):
            print(f"{r.status:>8}  {_where(r)}{r.file}: {r.message}")
    if not args.keep_names:
        _print_replaced(report)
    print(report.summary_line())
    print(f"resultaten / results: {report.results_csv}")
    return 1 if report.failed else 0
