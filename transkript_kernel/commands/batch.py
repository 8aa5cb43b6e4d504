"""``transkript batch INPUT_DIR --out OUT_DIR``: every recording of an evening through the case file, one
papermill run each."""
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
    p.add_argument("--workers", type=int, default=1, help="aantal processen / number of processes (default 1)")
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
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import batch

    report = batch.run(args.input_dir, args.out, workers=args.workers, manifest=args.manifest, consent=args.consent,
                       report_language=args.report_language, with_transcript=args.with_transcript,
                       template=args.template, timeout=args.timeout, speakers=args.speakers,
                       progress=not args.no_progress)
    for r in report.results:
        if r.status in ("failed", "skipped"):
            print(f"{r.status:>8}  {r.file}: {r.message}")
    print(report.summary_line())
    print(f"resultaten / results: {report.results_csv}")
    return 1 if report.failed else 0
