"""ArchiveBrowser: find a conversation, open it, and see its corrections and summary versions.

Searching and filtering are the case file's (``archive.search`` / ``archive.list``; the search is Dutch-aware,
see ``casefile/search.py``); this widget shows the rows it returns, the version history and the diff between
two versions. It opens on the latest conversations (pupil, date, kind, status and when the recording goes);
a search hit shows its best passage, with ▶ to hear it when it is a moment of the recording.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as w

from .failures import failure_text, guarded
from .i18n import t
from .ui import Message, esc

SHOWN_COLUMNS = ("date", "pupil", "kind", "group", "status", "summary_version")
MAX_ROWS = 50
PASSAGE_SECONDS = 15.0  # ▶ at a search hit plays this much from the passage's start


def _records(table) -> list[dict]:
    """Rows of a DataFrame (or a list of dicts / objects) as plain dicts."""
    if table is None:
        return []
    if hasattr(table, "to_dict"):
        try:
            return table.to_dict("records")
        except TypeError:
            return [table.to_dict()]
    return [r if isinstance(r, dict) else getattr(r, "__dict__", {"value": r}) for r in table]


def table_html(rows: list[dict], columns=None, css_class="tk-table") -> str:
    if not rows:
        return ""
    columns = [c for c in (columns or rows[0].keys()) if any(c in r for r in rows)]
    head = "".join(f"<th>{esc(t('col.' + c) if t('col.' + c) != 'col.' + c else c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(_cell(r.get(c)))}</td>" for c in columns) + "</tr>" for r in rows)
    return f'<table class="{esc(css_class)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN (pandas' empty cell)
        return ""
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


def _passage_html(snippet: str) -> str:
    """The best passage with its matching words in bold (the engine marks them with [ ])."""
    text = str(snippet)
    text = esc(text if len(text) <= 400 else text[:399] + "…")
    return text.replace("[", "<b>").replace("]", "</b>")


def recording_goes(archive, row: dict, policy, imported: dict) -> str:
    """When the recording goes: ``retention.recording_due``, the rule the transcript editor and ``retention
    purge`` use (``imported``: ``retention.imports(archive)``, read once per listing)."""
    from transkript_kernel.casefile import retention

    from .i18n import language

    if not row.get("recording"):
        return t("archive.no_recording")
    cid = str(row.get("id"))
    due = retention.recording_due(archive.get(cid), policy, imported_at=imported.get(cid))
    if due is None:
        return t("archive.recording_on_final")
    from transkript_kernel import labels

    return t("archive.recording_until", date=labels.format_date(language(), due.isoformat()))


class ArchiveBrowser(w.VBox):
    """``on_open(conversation_id)`` loads a conversation into the main flow; ``on_withdrawn(conversation_id)``
    after consent was withdrawn here (the app clears that conversation from its page)."""

    def __init__(self, archive_factory: Callable, on_open: Callable | None = None,
                 on_withdrawn: Callable | None = None, **kw):
        from transkript_kernel.conversation import KINDS, STATUSES

        self._archive = archive_factory
        self.on_open = on_open
        self.on_withdrawn = on_withdrawn
        self.query = w.Text(placeholder=t("archive.search_placeholder"), layout=w.Layout(width="360px"),
                            continuous_update=False)
        self.query.add_class("tk-archive-query")
        self.status = w.Dropdown(options=[(t("archive.all"), "")] + [(t("status." + s), s) for s in STATUSES],
                                 value="", description=t("archive.status"), layout=w.Layout(width="240px"))
        self.kind = w.Dropdown(options=[(t("archive.all"), "")] + [(t("kind." + k), k) for k in KINDS],
                               value="", description=t("archive.kind"), layout=w.Layout(width="300px"))
        self.group = w.Text(placeholder=t("archive.group"), layout=w.Layout(width="130px"), continuous_update=False)
        self.group.observe(lambda _: self.refresh(), "value")
        self.search_button = w.Button(description=t("archive.search"), button_style="primary",
                                      layout=w.Layout(width="120px"))
        self.search_button.add_class("tk-archive-search")
        self.search_button.on_click(lambda _: self.refresh())
        self.query.observe(lambda _: self.refresh(), "value")
        self.results = w.VBox()
        self.results.add_class("tk-archive-results")
        self.message = Message()
        self.message.add_class("tk-archive-message")
        self.detail = w.VBox()
        self.detail.add_class("tk-archive-detail")
        self.player = w.Audio(value=b"", format="wav", autoplay=True, controls=True, loop=False,
                              layout=w.Layout(width="420px", display="none"))
        self.player.add_class("tk-archive-player")
        super().__init__([w.HBox([self.query, self.status, self.kind, self.group, self.search_button]), self.message,
                          self.player, self.results, self.detail], **kw)
        self.requests_message = Message()  # the request box's line (see _requests_box)
        self.diff_out = Message()
        self.refresh()  # open on the latest conversations, not on an empty page (or say why not)

    def filters(self) -> dict:
        return {k: v for k, v in (("status", self.status.value), ("kind", self.kind.value),
                                  ("group", self.group.value.strip())) if v}

    @guarded("archive-list")
    def refresh(self) -> list[dict]:
        from transkript_kernel.errors import TranskriptError

        q = self.query.value.strip()
        try:
            archive = self._archive()
            table = archive.search(q, **self.filters()) if q else archive.list(**self.filters())
        except TranskriptError as exc:  # e.g. a case file that cannot be opened: the engine says why
            self.message.show("error", failure_text(exc, "archive-list"))
            return []
        rows = _records(table)[:MAX_ROWS]
        if not rows:
            self.message.show("info", t("archive.none"))
            self.results.children = []
            return rows
        self.message.show("info", t("archive.found", n=len(rows)) if q else t("archive.latest", n=len(rows)))
        goes = None
        if not q:  # the listing says when each recording goes (one policy and one audit query per listing)
            from transkript_kernel.casefile import retention

            policy, imported = retention.policy(archive), retention.imports(archive)
            goes = lambda row: recording_goes(archive, row, policy, imported)  # noqa: E731
        lines = []
        for r in rows:
            cid = str(r.get("id") or r.get("conversation_id") or "")
            text = " · ".join(_cell(r.get(c)) for c in SHOWN_COLUMNS if c in r and _cell(r.get(c)))
            if goes is not None:
                text += " · " + goes(r)
            open_b = w.Button(description=t("archive.open"), layout=w.Layout(width="100px"))
            open_b.add_class("tk-archive-open")
            open_b.on_click(lambda _, cid=cid: self.open_conversation(cid))
            hist_b = w.Button(description=t("archive.history"), layout=w.Layout(width="130px"))
            hist_b.add_class("tk-archive-history")
            hist_b.on_click(lambda _, cid=cid: self.show_history(cid))
            children = [open_b, hist_b]
            start = r.get("start")
            if isinstance(start, (int, float)) and start == start:  # not None, not NaN: a moment of the recording
                play_b = w.Button(description="▶", tooltip=t("archive.play_passage"), layout=w.Layout(width="44px"))
                play_b.add_class("tk-archive-play")
                play_b.on_click(lambda _, cid=cid, start=float(start): self.play(cid, start))
                children.append(play_b)
            body = f'<div style="padding:4px 8px">{esc(text)}'
            if r.get("snippet"):
                body += f'<div class="tk-archive-passage tk-muted">{_passage_html(r["snippet"])}</div>'
            children.append(w.HTML(body + "</div>"))
            row = w.HBox(children)
            row.add_class("tk-archive-row")
            lines.append(row)
        self.results.children = lines
        return rows

    @guarded("archive-play")
    def play(self, cid: str, start: float) -> bool:
        """▶ at a search hit: the recording from the passage's start (if the recording is still there)."""
        from transkript_kernel import audio
        from transkript_kernel.errors import TranskriptError

        from .transcript_editor import wav_bytes

        try:
            archive = self._archive()
            path = archive.recording_path(cid)
            if path is None or not path.exists():
                self.message.show("warn", t("transcript.no_recording"))
                return False
            with archive.recording_file(cid) as plain:  # decrypted for decoding, deleted after
                clip = audio.load(plain)
        except TranskriptError as exc:  # gone meanwhile, or a recording that no longer decodes
            self.message.show("error", failure_text(exc, "archive-play", conversation=cid))
            return False
        sr = clip.sample_rate
        part = clip.samples[int(max(0.0, start - 0.2) * sr):int((start + PASSAGE_SECONDS) * sr)]
        self.player.value = wav_bytes(part, sr)
        self.player.layout.display = None
        return True

    def open_conversation(self, cid: str) -> None:
        if self.on_open:
            self.on_open(cid)

    @guarded("archive-history")
    def show_history(self, cid: str) -> None:
        """Versions, the difference between two, and what parents and pupils may ask for."""
        from transkript_kernel.errors import TranskriptError

        try:
            versions = _records(self._archive().versions(cid))
        except TranskriptError as exc:  # deleted meanwhile
            self.message.show("error", failure_text(exc, "archive-history", conversation=cid))
            return
        numbers = [int(v.get("version")) for v in versions if v.get("version") is not None]
        parts = [w.HTML(f"<b>{esc(t('archive.versions_of', id=cid))}</b>"), w.HTML(table_html(versions))]
        if len(numbers) >= 2:
            a = w.Dropdown(options=numbers, value=numbers[-2], description=t("archive.from"),
                           layout=w.Layout(width="180px"))
            b = w.Dropdown(options=numbers, value=numbers[-1], description=t("archive.to"),
                           layout=w.Layout(width="180px"))
            self.diff_out = out = Message()
            out.add_class("tk-archive-diff-text")
            show = w.Button(description=t("archive.diff"), layout=w.Layout(width="160px"))
            show.add_class("tk-archive-diff")
            show.on_click(lambda _: self.show_diff(cid, a.value, b.value))
            parts += [w.HBox([a, b, show]), out]
        parts.append(self._requests_box(cid))
        self.detail.children = parts

    @guarded("archive-diff", message="diff_out")
    def show_diff(self, cid: str, a: int, b: int) -> None:
        from transkript_kernel.errors import TranskriptError

        try:
            self.diff_out.value = f'<div class="tk-diff">{esc(self._archive().diff(cid, a, b))}</div>'
        except TranskriptError as exc:
            self.diff_out.show("error", failure_text(exc, "archive-diff", conversation=cid))

    def _requests_box(self, cid: str) -> w.VBox:
        """What parents and pupils may ask: an access export, withdrawing consent; and finalising."""
        self.requests_message = out = Message()
        out.add_class("tk-archive-request-message")
        self.access_link = w.HTML()
        export_b = w.Button(description=t("archive.access_export"), layout=w.Layout(width="220px"))
        export_b.add_class("tk-archive-access")
        final_b = w.Button(description=t("archive.finalize"), layout=w.Layout(width="200px"))
        final_b.add_class("tk-archive-finalize")
        self.withdraw_confirm = confirm = w.Checkbox(description=t("archive.withdraw_confirm"), value=False,
                                                     indent=False, layout=w.Layout(width="auto"))
        withdraw_b = w.Button(description=t("archive.withdraw"), disabled=True, layout=w.Layout(width="220px"))
        withdraw_b.add_class("tk-archive-withdraw")
        confirm.observe(lambda ch: setattr(withdraw_b, "disabled", not ch["new"]), "value")
        export_b.on_click(lambda _: self.access_export(cid))
        final_b.on_click(lambda _: self.finalize(cid))
        withdraw_b.on_click(lambda _: self.withdraw(cid))
        return w.VBox([w.HTML(f"<b>{esc(t('archive.requests'))}</b>"), w.HBox([export_b, final_b]),
                       w.HBox([confirm, withdraw_b]), self.access_link, out])

    @guarded("archive-access", message="requests_message")
    def access_export(self, cid: str) -> None:
        """A parent's or pupil's access request: a zip of this child's data (by pupil id, not by name)."""
        import base64
        import tempfile
        from pathlib import Path

        from transkript_kernel.casefile import access
        from transkript_kernel.errors import TranskriptError

        try:
            archive = self._archive()
            pupil = archive.get(cid).pupil
            with tempfile.TemporaryDirectory() as tmp:
                path = access.export_pupil(archive, pupil, Path(tmp) / "inzage.zip", actor="docent",
                                           pupil_id=archive.pupil_id(cid))  # this child only, not the name
                data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        except TranskriptError as exc:
            self.requests_message.show("error", failure_text(exc, "archive-access", conversation=cid))
            return
        name = f"inzage-{cid}.zip"
        self.access_link.value = (f'<a class="tk-download" download="{esc(name)}" '
                                  f'href="data:application/zip;base64,{data}">'
                                  f'{esc(t("archive.access_download", name=name))}</a>')
        self.requests_message.show("ok", t("archive.access_done", pupil=pupil))

    @guarded("archive-finalize", message="requests_message")
    def finalize(self, cid: str) -> None:
        from transkript_kernel.errors import TranskriptError

        try:
            self._archive().finalize(cid, actor="docent")
        except TranskriptError as exc:  # e.g. nothing left to finalise after a withdrawal
            self.requests_message.show("error", failure_text(exc, "archive-finalize", conversation=cid))
            return
        self.requests_message.show("ok", t("archive.finalized"))

    @guarded("archive-withdraw", message="requests_message")
    def withdraw(self, cid: str) -> None:
        """Withdraw consent (after the confirmation tick): the case file deletes; the app clears its page."""
        from transkript_kernel.errors import TranskriptError

        if not self.withdraw_confirm.value:
            return
        try:
            deleted = self._archive().withdraw_consent(cid, actor="docent")
        except TranskriptError as exc:
            self.requests_message.show("error", failure_text(exc, "archive-withdraw", conversation=cid))
            return
        finally:
            self.withdraw_confirm.value = False
        self.requests_message.show("ok", t("archive.withdrawn", what=", ".join(deleted) or "–"))
        if self.on_withdrawn:
            self.on_withdrawn(cid)
