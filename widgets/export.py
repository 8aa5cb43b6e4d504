"""ExportPanel: the PDF for the parents — language, with or without transcript, preview and download.

``pipeline.export_report`` makes the PDF inside the conversation's folder and the case file records the export.
The preview is the PDF's first page(s) rendered to PNG by poppler's ``pdftoppm``; the download is a
``data:`` link, so the file never passes through anything but this page and the local kernel.
"""
from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import ipywidgets as w

from .doubt_confirm import DoubtConfirm
from .failures import failure_text, guarded
from .i18n import t
from .third_parties import ThirdParties
from .ui import Message, esc

PREVIEW_PAGES = 2
_warming: dict = {}  # the one PDF warm-up thread of this kernel


def warm_renderer():
    """Load the PDF renderer in the background, once per kernel (``worker.process.warm_pdf``): the first PDF of
    a process costs 4–5 s more than the next ones, and the teacher is reading the summary meanwhile."""
    import threading

    from transkript_kernel import log

    def run():
        from transkript_kernel.errors import TranskriptError
        from transkript_kernel.worker.process import warm_pdf

        try:
            log.event("pdf-warm", seconds=round(warm_pdf(), 1))
        except TranskriptError as exc:  # the real export will say what is wrong
            log.failure("pdf-warm", exc)

    if "thread" not in _warming:
        _warming["thread"] = threading.Thread(target=run, name="transkript-pdf-warm", daemon=True)
        _warming["thread"].start()
    return _warming["thread"]


def preview_pngs(pdf: Path, pages: int = PREVIEW_PAGES, dpi: int = 60) -> list[bytes]:
    """The first ``pages`` pages as PNG (empty when pdftoppm is missing: the download still works)."""
    if not shutil.which("pdftoppm"):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf),
                        str(Path(tmp) / "p")], check=True, capture_output=True, timeout=60)
        return [p.read_bytes() for p in sorted(Path(tmp).glob("p*.png"))]


def download_link_html(pdf: Path, label: str) -> str:
    data = base64.b64encode(pdf.read_bytes()).decode("ascii")
    return (f'<a class="tk-download" download="{esc(pdf.name)}" href="data:application/pdf;base64,{data}" '
            f'style="display:inline-block;padding:6px 14px;background:#2f80ed;color:#fff;border-radius:3px;'
            f'text-decoration:none;font-weight:600">{esc(label)}</a>')


def report_languages() -> list[tuple[str, str]]:
    """The report languages the engine has labels for, named in the interface language."""
    from transkript_kernel import labels

    from .i18n import language

    return [(f"{labels.language_name(language(), code)} ({code})", code) for code in labels.LANGUAGES]


def sensitive_text(archive, conversation_id: str) -> str:
    """The warning for a sensitive conversation in the interface language, "" for any other: why it counts as
    sensitive, the day everything of it is deleted (``retention.keep_until``), and to check before sharing."""
    from transkript_kernel import labels
    from transkript_kernel.casefile import retention

    from .i18n import language

    conv = archive.get(conversation_id)
    policy = retention.policy(archive)
    if conv.sensitive:
        why = t("export.sensitive_marked")
    elif conv.kind in policy.sensitive_kinds:
        why = t("export.sensitive_kind", kind=t("kind." + conv.kind))
    else:
        return ""
    until = labels.format_date(language(), retention.keep_until(conv, policy).isoformat())
    return t("export.sensitive", why=why, date=until)


class ExportPanel(w.VBox):
    """Step 6. ``load(conversation_id)``; the transcript and summary are read from the case file at export.

    Before a PDF is made, :class:`~.doubt_confirm.DoubtConfirm` asks the case file whether a ticked item still
    holds doubtful words (issue 14): if so the export stops and the box lists the items and words; the
    teacher's confirmation makes the PDF. Next to it, :class:`~.third_parties.ThirdParties` lists the names of
    other people (not participants) with their passages, each replaced by default ("een klasgenoot", or a phrase
    the teacher types, or kept): the PDF is made from the family's copies (``thirdparty.prepare_for_family``:
    the replaced summary a new version with the reason, the transcript a copy); names that changed since the
    list was shown (an edited summary) stop the click and are shown first. A sensitive conversation (marked so by the case file when a sensitive
    subject was found, or of a kind the retention policy keeps shorter) says so above the button, with what it
    means (issue 11): a conversation that became sensitive after the panel was shown stops the first click."""

    def __init__(self, archive_factory: Callable, guard: Callable[[str], bool] | None = None, **kw):
        self._archive = archive_factory
        self.guard = guard  # the app's consent check before every export (see TranscriptEditor)
        self.conversation_id = None
        self.last_pdf: Path | None = None
        self.language = w.Dropdown(description=t("export.language"), options=report_languages(), value="nl",
                                   style={"description_width": "150px"}, layout=w.Layout(width="330px"))
        self.language.add_class("tk-export-language")
        self.with_transcript = w.Checkbox(description=t("export.with_transcript"), value=False, indent=False)
        self.with_transcript.add_class("tk-export-with-transcript")
        self.make_button = w.Button(description=t("export.make"), button_style="primary",
                                    layout=w.Layout(width="220px"))
        self.make_button.add_class("tk-export-make")
        self.make_button.on_click(lambda _: self.export())
        self.message = Message()
        self.message.add_class("tk-export-message")
        self.download = w.HTML()
        self.preview = w.HBox()
        self.preview.add_class("tk-preview")
        self.confirm = DoubtConfirm(on_confirm=self.export)
        self.third_parties = ThirdParties()
        self.sensitive_note = w.HTML()
        self.sensitive_note.add_class("tk-export-sensitive")
        self.sensitive_shown = False
        super().__init__([self.sensitive_note, w.HBox([self.language, self.with_transcript]), self.make_button,
                          self.confirm, self.third_parties,
                          self.message, self.download, self.preview], **kw)

    def load(self, conversation_id: str, language: str = "nl") -> None:
        self.conversation_id = conversation_id
        codes = [code for _, code in self.language.options]
        self.language.value = language if language in codes else "nl"
        self.message.clear()
        self.download.value = ""
        self.preview.children = []
        self.confirm.reset()  # a confirmation holds for one conversation's words only
        self.show_sensitive()
        self.third_parties.load_for(self._archive(), conversation_id)
        warm_renderer()

    def show_sensitive(self) -> bool:
        """Show (or clear) the sensitive warning from the case file as it is now; True when shown."""
        text = sensitive_text(self._archive(), self.conversation_id)
        self.sensitive_note.value = f'<div class="tk-msg tk-msg-error">{esc(text)}</div>' if text else ""
        self.sensitive_shown = bool(text)
        return self.sensitive_shown

    @guarded("export")
    def export(self) -> Path | None:
        from transkript_kernel import pipeline
        from transkript_kernel.errors import TranskriptError

        archive = self._archive()
        cid = self.conversation_id
        if self.guard is not None and not self.guard(cid):
            return None
        if not self.sensitive_shown and self.show_sensitive():  # became sensitive after it was shown: read first
            self.message.show("warn", t("export.sensitive_first"))
            return None
        if self.confirm.needs_confirmation_for(archive, cid):  # shown in the box; its button exports again
            self.message.show("warn", t("export.confirm_first"))
            return None
        if self.third_parties.changed_for(archive, cid):  # other names since they were shown: choose first
            self.message.show("warn", t("export.names_first"))
            return None
        self.make_button.disabled = True
        self.message.show("info", t("export.working"))
        warming = _warming.get("thread")
        if warming is not None:
            warming.join()  # one report at a time in this kernel (matplotlib is not thread-safe)
        try:
            family = self.third_parties.apply(archive, cid) if self.third_parties.found else None
            pdf = pipeline.export_report(archive, cid, language=self.language.value,
                                         with_transcript=self.with_transcript.value, actor="docent",
                                         family=family).pdf
        except TranskriptError as exc:
            self.message.show("error", t("export.failed", reason=failure_text(exc, "export", conversation=cid)))
            return None
        finally:
            self.make_button.disabled = False
        self.last_pdf = pdf
        self.message.show("ok", t("export.done", name=pdf.name))
        with archive.decrypted(pdf) as plain:  # kept encrypted in the case file; a private view, deleted after
            self.download.value = download_link_html(plain, t("export.download"))
            try:
                pngs = preview_pngs(plain)
            except (subprocess.SubprocessError, OSError) as exc:  # the PDF is made; only its preview is missing
                failure_text(exc, "export-preview", conversation=cid)
                pngs = []
        self.preview.children = [w.Image(value=png, format="png",
                                         layout=w.Layout(border="1px solid #bcccdc", margin="6px"))
                                 for png in pngs]
        return pdf
