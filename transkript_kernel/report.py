"""The report a teacher sends to the parents and files in the pupil record: HTML via nbconvert, PDF via weasyprint.

The report is a notebook rendered with our own nbconvert template (``templates/report/``): the facts and
texts travel in the notebook's metadata, the speaking-time chart as a cell output, and the template hides all
code. Jinja autoescaping is on, so a name like ``<script>`` prints as text. weasyprint turns the HTML into an
A4 PDF with embedded fonts; its URL fetcher only accepts ``data:`` URLs, so nothing is ever fetched.
"""
from __future__ import annotations

import base64
from datetime import date as _date
from pathlib import Path

from traitlets import Bool, Unicode
from traitlets.config import Configurable

from . import labels as L
from .conversation import Conversation
from .errors import ReportError
from .formatting import Text, clock
from .summary import Summary
from .transcript import ROLES, Transcript

TEMPLATE = "report"


class ReportSettings(Configurable):
    """How reports look. The school name itself is ``GeneralSettings.school_name``."""

    template = Unicode(TEMPLATE, help="nbconvert template directory under templates/ used for reports.").tag(config=True)
    speaking_time_chart = Bool(True, help="Show the speaking time per speaker when speakers are known.").tag(
        config=True)
    evidence_references = Bool(True, help="With the full transcript, show which transcript segments each "
                                          "summary item rests on.").tag(config=True)


def _speaker_name(transcript: Transcript, speaker_id: str | None, lang: str) -> str:
    if speaker_id is None:
        return L.labels(lang)["unknown_speaker"]
    label = transcript.label_of(speaker_id) or speaker_id
    role = transcript.role_of(speaker_id)
    role_text = L.role(lang, role)
    return f"{label} ({role_text})" if role_text and role_text.lower() != label.lower() else label


def _status(conversation: Conversation | None, lab: dict) -> tuple[str, bool]:
    final = conversation is not None and conversation.status == "definitief"
    return (lab["status_final"] if final else lab["status_draft"]), final


def _consent(conversation: Conversation | None, lang: str, lab: dict) -> dict:
    c = conversation.consent if conversation is not None else None
    if c is None:
        return {"statement": lab["consent_missing"], "details": [], "ok": False}
    if c.withdrawn_at:
        return {"statement": L.text(lang, "consent_withdrawn", date=L.format_date(lang, c.withdrawn_at)),
                "details": [], "ok": False}
    if not c.given:
        return {"statement": lab["consent_refused"], "details": [], "ok": False}
    by = L.role(lang, c.by) if c.by else ""
    if getattr(c, "name", ""):
        by = f"{c.name} ({by})" if by else c.name
    details = [(lab["consent_by"], by),
               (lab["consent_how"], lab.get(f"how_{c.how}", c.how or "")),
               (lab["consent_at"], L.format_date(lang, c.at)),
               (lab["consent_purpose"], c.purpose or "")]
    return {"statement": lab["consent_given"], "details": [(k, v) for k, v in details if v], "ok": True}


def _facts(conversation: Conversation | None, transcript: Transcript, lang: str, lab: dict) -> list:
    rows = []
    if conversation is not None:
        parts = ", ".join(f"{p.name} ({L.role(lang, p.role)})" if p.role else p.name
                          for p in conversation.participants)
        rows += [(lab["pupil"], conversation.pupil), (lab["group"], conversation.group),
                 (lab["date"], L.format_date(lang, conversation.date)),
                 (lab["kind"], L.kind(lang, conversation.kind)), (lab["participants"], parts)]
        content_lang = conversation.language or transcript.language
    else:
        content_lang = transcript.language
    rows += [(lab["conversation_language"], L.language_name(lang, content_lang)),
             (lab["duration"], clock(transcript.duration, pad=True) if transcript.duration else "")]
    return [(k, v) for k, v in rows if v]


def build_context(*, transcript: Transcript, summary: Summary, conversation: Conversation | None = None,
                  language: str = "nl", with_transcript: bool = False, version: int | str | None = None,
                  school_name: str | None = None, translator="auto", whisper_transcript: Transcript | None = None,
                  settings: ReportSettings | None = None, today: str | None = None) -> dict:
    """Everything the template prints, as plain JSON-able data in the report language."""
    summary = summary.included()  # only the items the teacher ticked go into the PDF and the mail
    from . import multilingual, translate
    from .settings import GeneralSettings, get

    lang = L.check_language(language)
    lab = L.labels(lang)
    settings = settings or get(ReportSettings)
    if school_name is None:
        school_name = get(GeneralSettings).school_name

    content = translate.translate_content(summary, transcript, target=lang, translator=translator,
                                          whisper_transcript=whisper_transcript)
    summary, shown_transcript = content.summary, content.transcript
    source_name = L.language_name(lang, content.source_language)

    notices = []
    if content.mode == "none":
        notices.append(L.text(lang, "content_not_translated", language=source_name))
    elif content.mode == "mt":
        notices.append(L.text(lang, "content_machine_translated", language=source_name))
    elif content.mode == "whisper":
        notices.append(lab["transcript_machine_translated"])
        notices.append(L.text(lang, "summary_not_translated", language=source_name))
    spoken = multilingual.translated_from(summary)  # made from Whisper's English: say so, and what is not
    if spoken:
        if content.mode in ("none", "same"):  # "the content is in English" would be wrong for the transcript
            notices = []
        notices.insert(0, L.text(lang, "summary_from_translation", language=L.language_name(lang, spoken)))

    show_refs = bool(with_transcript and settings.evidence_references and content.mode != "whisper")

    def refs(evidence):
        return ", ".join(str(e) for e in evidence) if show_refs and evidence else ""

    warnings = [{"kind": lab.get(f"warning_{w.kind}", w.kind), "text": w.text, "refs": refs(w.evidence)}
                for w in summary.warnings]
    warnings += [{"kind": lab["warning_other"], "text": Text.of(n).get(lang), "refs": ""}
                 for n in transcript.notices]

    status, final = _status(conversation, lab)
    ctx = {
        "lang": lang,
        "dir": L.direction(lang),
        "L": {k: v for k, v in lab.items() if isinstance(v, str)},
        "school": school_name or "",
        "title": lab["title"],
        "status": status,
        "final": final,
        "version": "" if version is None else str(version),
        "facts": _facts(conversation, transcript, lang, lab),
        "consent": _consent(conversation, lang, lab),
        "notices": notices,
        "warnings": warnings,
        "topics": [{"text": t.text, "refs": refs(t.evidence)} for t in summary.topics],
        "concerns": [{"text": c.text, "by": L.role(lang, c.raised_by), "refs": refs(c.evidence)}
                     for c in summary.concerns],
        "actions": [{"who": L.role(lang, a.owner) or lab["not_stated"], "what": a.text,
                     "when": a.due or lab["not_stated"], "refs": refs(a.evidence)} for a in summary.actions],
        "transcript": None,
        "generated": L.text(lang, "generated", date=L.format_date(lang, today or _date.today().isoformat())),
        "footer_css": _page_counter_css(lab["page_x_of_y"]),
        "confidential_css": _css_string(lab["confidential"]),
    }
    if with_transcript:
        ctx["transcript"] = [{"id": s.id, "time": clock(s.start, pad=True),
                              "speaker": _speaker_name(shown_transcript, s.speaker, lang), "text": s.text.strip()}
                             for s in shown_transcript.segments if s.text.strip()]
    return ctx


def build_notebook(ctx: dict, chart_svg: bytes | None = None):
    """The report as a notebook: context in the metadata, the chart as a (hidden-code) cell output."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["transkript_report"] = ctx
    nb.metadata["language_info"] = {"name": "python"}
    if chart_svg:
        cell = nbformat.v4.new_code_cell("charts.speaking_time_chart(transcript)")
        cell.metadata["tags"] = ["speaking-time"]
        cell.outputs = [nbformat.v4.new_output(
            "display_data", data={"image/svg+xml": chart_svg.decode("utf-8")}, metadata={})]
        nb.cells.append(cell)
    return nb


def _exporter(template: str = TEMPLATE):
    """An HTMLExporter on our template with autoescaping on and our own filters."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    import transkript_templates

    class _Exporter(HTMLExporter):
        def _create_environment(self):
            env = super()._create_environment()
            env.autoescape = True
            return env

    cfg = Config()
    cfg.HTMLExporter.exclude_input = True
    cfg.HTMLExporter.exclude_input_prompt = True
    cfg.HTMLExporter.exclude_output_prompt = True
    exporter = _Exporter(config=cfg, template_name=template,
                         extra_template_basedirs=[str(transkript_templates.ROOT)])
    exporter.register_filter("b64", lambda s: base64.b64encode(s.encode("utf-8") if isinstance(s, str) else s)
                             .decode("ascii"))
    exporter.register_filter("css_string", _css_string)
    return exporter


def _page_counter_css(template: str) -> str:
    """ "Pagina {page} van {pages}" as a CSS content value with page counters."""
    import re

    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def _css_string(value: str) -> str:
    """A CSS string literal that cannot break out of its declaration or the <style> element."""
    out = []
    for ch in str(value):
        if ch.isalnum() or ch in " .,:;-_()/{}—–":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x} ")  # the space ends the escape (CSS eats one after it, so a real space stays)
    return '"' + "".join(out) + '"'


def render_html(*, transcript: Transcript, summary: Summary, conversation: Conversation | None = None,
                language: str = "nl", with_transcript: bool = False, version: int | str | None = None,
                school_name: str | None = None, translator="auto", whisper_transcript: Transcript | None = None,
                chart: bool | None = None, template: str | None = None) -> str:
    """The report as one self-contained HTML page (no scripts, no external links)."""
    from . import charts
    from .settings import get

    settings = get(ReportSettings)
    ctx = build_context(transcript=transcript, summary=summary, conversation=conversation, language=language,
                        with_transcript=with_transcript, version=version, school_name=school_name,
                        translator=translator, whisper_transcript=whisper_transcript, settings=settings)
    svg = None
    if (settings.speaking_time_chart if chart is None else chart) and charts.has_speakers(transcript):
        lab = L.labels(ctx["lang"])
        role_names = {r: L.role(ctx["lang"], r) for r in ROLES if r}
        svg = charts.speaking_time_chart(transcript, fmt="svg", unit=lab["minutes"],
                                         unknown_label=lab["unknown_speaker"], role_names=role_names)
        ctx["chart_title"] = lab["speaking_time"]
    nb = build_notebook(ctx, svg)
    try:
        html, _ = _exporter(template or settings.template).from_notebook_node(nb)
    except Exception as exc:  # a broken template is a report error, not a crash
        raise ReportError(f"Het verslag kon niet worden opgemaakt: {exc}",
                          f"The report could not be laid out: {exc}") from exc
    return html


def _data_only_fetcher():
    """weasyprint may read data: URLs only: reports never touch the network or the file system."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def html_to_pdf(html: str) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=html, url_fetcher=_data_only_fetcher(), base_url=None).write_pdf()


def render_pdf(out_pdf: str | Path, *, transcript: Transcript, summary: Summary,
               conversation: Conversation | None = None, language: str = "nl", with_transcript: bool = False,
               version: int | str | None = None, **options) -> Path:
    """Write the report as an A4 PDF, atomically (a crash never leaves half a PDF)."""
    from .atomic import write_bytes

    html = render_html(transcript=transcript, summary=summary, conversation=conversation, language=language,
                       with_transcript=with_transcript, version=version, **options)
    try:
        pdf = html_to_pdf(html)
    except Exception as exc:
        raise ReportError(f"De PDF kon niet worden gemaakt: {exc}", f"The PDF could not be made: {exc}") from exc
    return write_bytes(out_pdf, pdf)
