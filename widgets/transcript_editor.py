"""TranscriptEditor: read and correct the transcript, listen to a segment, name the speakers and their roles.

Segment text and speaker edits change the :class:`Transcript` data only; renaming and roles go through
``speakers.rename``; saving goes through ``archive.save_transcript`` (the case file keeps the original).
Audio for a segment is cut from the decoded recording and played by an ``ipywidgets.Audio`` (a blob URL in
the page): nothing is served from outside 127.0.0.1 and the page never receives the whole recording.

Doubtful words come from ``transkript_kernel.doubt`` (the one rule): a segment that holds them shows its text
with those words underlined and a ▶ per word that plays from the word itself; "volgend twijfelwoord" walks the
teacher through them in reading order, turning pages as needed. The marks are recomputed after every save, so
a corrected word stops being marked.

The app passes the recording's state (:func:`recording_state`): the line above the transcript says when the
retention policy deletes the recording (``retention.recording_due``), and once it is gone the ▶ buttons are
not drawn; a recording deleted while the page is open is noticed at the next ▶ (the case file is asked
before every play, so no decoded audio outlives its recording).
"""
from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from datetime import date as Date
from typing import Callable

import ipywidgets as w

from transkript_kernel.formatting import Text, clock

from .failures import failure_text, guarded
from .i18n import language, t
from .ui import Message, esc

PAGE_SIZE = 20
MAX_PLAY_SECONDS = 90.0
WORD_CONTEXT_SECONDS = (1.0, 1.2)  # a doubtful word is played with this much before and after it


def wav_bytes(samples, sample_rate: int) -> bytes:
    """16-bit mono WAV of float samples in [-1, 1]."""
    import numpy as np

    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(int(sample_rate))
        wf.writeframes(pcm.tobytes())
    return buf.getvalue()


@dataclass(frozen=True)
class RecordingState:
    """Whether the conversation's recording is still in the case file, and the day retention deletes it
    (None: no date applies yet, e.g. a school policy that waits for the final report)."""
    present: bool
    due: Date | None = None


def recording_state(archive, conversation_id: str) -> RecordingState:
    """The case file's answer for one conversation (the same rule as the retention tab and ``retention purge``)."""
    from transkript_kernel.casefile import retention

    conv = archive.get(conversation_id)
    if not conv.recording:
        return RecordingState(False)
    due = retention.recording_due(conv, retention.policy(archive),
                                  imported_at=retention.imports(archive).get(conversation_id))
    return RecordingState(True, due)


def recording_line(state: RecordingState | None) -> str:
    """The sentence above the transcript: when the recording goes, or that it is gone."""
    from transkript_kernel import labels

    if state is None:
        return ""
    if not state.present:
        return t("transcript.recording_gone")
    if state.due is None:
        return t("transcript.recording_until_final")
    return t("transcript.recording_due", date=labels.format_date(language(), state.due.isoformat()))


def role_options() -> list[tuple[str, str | None]]:
    from transkript_kernel.transcript import ROLES

    return [(t(f"role.{r}") if r else t("role.none"), r) for r in ROLES]


class TranscriptEditor(w.VBox):
    """Step 4. ``load(conversation_id, transcript)``; ``on_saved(transcript)`` after every save.

    ``guard(conversation_id) -> bool`` (the app's consent check) is asked before every save, rename and ▶:
    False means the conversation may no longer be used here (consent withdrawn in another tab) and the app
    has already cleared the page."""

    def __init__(self, archive_factory: Callable, on_saved: Callable | None = None,
                 guard: Callable[[str], bool] | None = None, **kw):
        self._archive = archive_factory
        self.on_saved = on_saved
        self.guard = guard
        self.conversation_id: str | None = None
        self.transcript = None
        self.page = 0
        self._clip = None
        self.dirty = False
        self.recording: RecordingState | None = None  # None: not known (a transcript shown on its own)
        self.message = Message()
        self.message.add_class("tk-transcript-message")
        self.recording_note = w.HTML()
        self.recording_note.add_class("tk-recording-due")
        self.notices = w.HTML()
        self.speakers_box = w.VBox()
        self.speakers_box.add_class("tk-speakers")
        self.rows = w.VBox()
        self.rows.add_class("tk-segments")
        self.prev_button = w.Button(description=t("transcript.prev"), layout=w.Layout(width="120px"))
        self.next_button = w.Button(description=t("transcript.next"), layout=w.Layout(width="120px"))
        self.page_label = w.HTML()
        self.save_button = w.Button(description=t("transcript.save"), button_style="primary",
                                    layout=w.Layout(width="220px"))
        self.save_button.add_class("tk-transcript-save")
        self.player = w.Audio(value=b"", format="wav", autoplay=True, controls=True, loop=False,
                              layout=w.Layout(width="420px"))
        self.player.add_class("tk-player")
        self.player_label = w.HTML()
        self.player_box = w.HBox([self.player_label, self.player], layout=w.Layout(display="none"))
        self.names: list[str] = []
        self.marks: list = []
        self.current_mark = None
        self.doubt_button = w.Button(description=t("transcript.next_doubt"), tooltip=t("transcript.next_doubt_help"),
                                     layout=w.Layout(width="200px"))
        self.doubt_button.add_class("tk-next-doubt")
        self.doubt_button.on_click(lambda _: self.next_doubt())
        self.doubt_label = w.HTML()
        self.doubt_label.add_class("tk-doubt-status")
        self.doubt_bar = w.HBox([self.doubt_button, self.doubt_label], layout=w.Layout(align_items="center"))
        self.prev_button.on_click(lambda _: self._goto(self.page - 1))
        self.next_button.on_click(lambda _: self._goto(self.page + 1))
        self.save_button.on_click(lambda _: self.save())
        super().__init__([self.recording_note, self.notices, w.HTML(f"<b>{esc(t('transcript.speakers'))}</b>"),
                          self.speakers_box,
                          self.doubt_bar, self.player_box,
                          self.rows, w.HBox([self.prev_button, self.page_label, self.next_button]),
                          w.HBox([self.save_button]), self.message], **kw)

    # --- loading -----------------------------------------------------------------------------------------
    def load(self, conversation_id: str, transcript, recording: RecordingState | None = None) -> None:
        """``recording``: :func:`recording_state` (the app passes it); None shows ▶ and no retention line."""
        self.conversation_id = conversation_id
        self.transcript = transcript
        self.recording = recording
        self._show_recording()
        self._clip = None
        self.page = 0
        self.dirty = False
        self.player.value = b""
        self.player_label.value = ""
        self.player_box.layout.display = "none"
        self.message.clear()
        self.names = self._names(conversation_id)
        self.current_mark = None
        self.refresh_marks()
        notices = list(getattr(transcript, "notices", []) or [])
        self.notices.value = "".join(f'<div class="tk-msg tk-msg-warn">{esc(Text.of(n).get(language()))}</div>'
                                     for n in notices)
        self._render_speakers()
        self._render_page()

    def clear(self) -> None:
        """Forget the conversation: transcript, decoded audio, player and rows (consent withdrawn)."""
        self.conversation_id = None
        self.transcript = None
        self._clip = None
        self.marks, self.current_mark, self.recording = [], None, None
        self.player.value = b""
        self.player_box.layout.display = "none"
        self.rows.children = []
        self.speakers_box.children = []
        self.notices.value = self.recording_note.value = self.doubt_label.value = ""

    def _allowed(self) -> bool:
        return self.guard is None or self.guard(self.conversation_id)

    @property
    def can_play(self) -> bool:
        return self.recording is None or self.recording.present

    def _show_recording(self) -> None:
        text = recording_line(self.recording)
        kind = "warn" if self.recording is not None and not self.recording.present else "info"
        self.recording_note.value = f'<div class="tk-msg tk-msg-{kind}">{esc(text)}</div>' if text else ""

    def _recording_gone(self) -> None:
        """The recording left the case file (retention, withdrawal): forget its audio, take the ▶ away."""
        self._clip = None
        self.recording = RecordingState(False)
        self.player.value = b""
        self.player_box.layout.display = "none"
        self._show_recording()
        self._render_page()

    def _names(self, conversation_id: str) -> list[str]:
        """The consent form's names (pupil, participants, who consented): never marked as unknown words."""
        from transkript_kernel import doubt
        from transkript_kernel.errors import NotFoundError

        try:
            return doubt.names_for(self._archive().get(conversation_id))
        except NotFoundError:  # not in the case file (deleted meanwhile, or a transcript on its own): no names
            return []

    # --- doubtful words ----------------------------------------------------------------------------------
    def refresh_marks(self) -> None:
        """Recompute the doubtful words (after loading and after every save) and the status line."""
        from transkript_kernel import doubt

        self.marks = doubt.marks(self.transcript, self.names) if self.transcript is not None else []
        if self.current_mark is not None and self.current_mark not in self.marks:
            self.current_mark = None
        self._doubt_status()

    def _doubt_status(self) -> None:
        n = len(self.marks)
        self.doubt_button.disabled = n == 0
        if n == 0:
            text = t("transcript.no_doubts")
        elif self.current_mark is None:
            text = t("transcript.doubts", n=n)
        else:
            m = self.current_mark
            text = t("transcript.doubt_at", k=self.marks.index(m) + 1, n=n, word=m.word,
                     start=clock(m.start if m.start is not None else 0.0))
        self.doubt_label.value = f'<span class="tk-muted" style="padding-left:10px">{esc(text)}</span>'

    def next_doubt(self, play: bool = True):
        """Go to the next doubtful word (wrapping round): turn to its page, highlight it and play it."""
        from transkript_kernel import doubt

        if not self.marks:
            self._doubt_status()
            return None
        after = None if self.current_mark is None else (self.current_mark.segment_id, self.current_mark.word_index)
        mark = doubt.next_mark(self.marks, after, [s.id for s in self.transcript.segments])
        self.current_mark = mark
        index = next(i for i, s in enumerate(self.transcript.segments) if s.id == mark.segment_id)
        self.page = index // PAGE_SIZE
        self._render_page()
        self._doubt_status()
        if play and self.can_play:
            self.play_word(mark)
        return mark

    def _doubt_html(self, seg, marks) -> str:
        """The segment's text with its doubtful words underlined (the current one highlighted)."""
        from transkript_kernel import doubt

        at = {m.word_index: m for m in marks}
        parts = []
        for i, tok in enumerate(doubt.tokens(seg.text)):
            m = at.get(i)
            if m is None:
                parts.append(esc(tok))
                continue
            cls = "tk-doubt tk-doubt-current" if m == self.current_mark else "tk-doubt"
            why = t(f"transcript.doubt_{m.reason}")
            parts.append(f'<u class="{cls}" title="{esc(why)}" style="text-decoration: underline wavy #d64545;'
                         f'{" background:#fff3c4;" if m == self.current_mark else ""}">{esc(tok)}</u>')
        return f'<div class="tk-doubt-text" style="font-size:13px;line-height:1.5">{" ".join(parts)}</div>'

    def _doubt_column(self, seg, marks) -> w.VBox:
        buttons = []
        for m in marks:  # without a recording the word is still a button: it selects, it cannot play
            b = w.Button(description=f"▶ {m.word}" if self.can_play else m.word,
                         tooltip=t("transcript.play_word", word=m.word) if self.can_play else "",
                         layout=w.Layout(width="auto"))
            b.add_class("tk-doubt-play")
            b.on_click(lambda _, m=m: self._select(m))
            buttons.append(b)
        box = w.VBox([w.HTML(self._doubt_html(seg, marks)), w.HBox(buttons, layout=w.Layout(flex_flow="row wrap"))],
                     layout=w.Layout(width="45%", min_width="260px", padding="0 0 0 8px"))
        box.add_class("tk-doubts")
        return box

    def _select(self, mark) -> None:
        self.current_mark = mark
        self._render_page()
        self._doubt_status()
        if self.can_play:
            self.play_word(mark)

    def _render_speakers(self) -> None:
        rows = []
        for sid, sp in sorted(self.transcript.speakers.items()):
            label = w.Text(value=sp.label, description=sid, layout=w.Layout(width="300px"),
                           style={"description_width": "90px"})
            label.add_class("tk-speaker-label")
            role = w.Dropdown(options=role_options(), value=sp.role, layout=w.Layout(width="170px"))
            role.add_class("tk-speaker-role")
            apply = w.Button(description=t("transcript.rename"), layout=w.Layout(width="130px"))
            apply.add_class("tk-speaker-apply")
            apply.on_click(lambda _, sid=sid, label=label, role=role: self.rename(sid, label.value, role.value))
            rows.append(w.HBox([label, role, apply]))
        if not rows:
            rows.append(w.HTML(f'<div class="tk-muted">{esc(t("transcript.no_speakers"))}</div>'))
        self.speakers_box.children = rows

    def _speaker_options(self):
        return [(t("transcript.unknown_speaker"), None)] + [
            (f"{sp.label} ({t('role.' + sp.role) if sp.role else sid})", sid)
            for sid, sp in sorted(self.transcript.speakers.items())]

    def _render_page(self) -> None:
        segs = self.transcript.segments
        pages = max(1, (len(segs) + PAGE_SIZE - 1) // PAGE_SIZE)
        self.page = min(max(0, self.page), pages - 1)
        options = self._speaker_options()
        from transkript_kernel import doubt

        marks = doubt.by_segment(self.marks)
        rows = []
        for seg in segs[self.page * PAGE_SIZE:(self.page + 1) * PAGE_SIZE]:
            time = w.HTML(f'<span class="tk-seg-time">{clock(seg.start)}–{clock(seg.end)}</span>',
                          layout=w.Layout(width="90px"))
            speaker = w.Dropdown(options=options, value=seg.speaker if seg.speaker in self.transcript.speakers
                                 else None, layout=w.Layout(width="190px"))
            text = w.Textarea(value=seg.text.strip(), layout=w.Layout(width="100%", height="auto"), rows=2)
            text.add_class("tk-seg-text")
            if self.can_play:
                play = w.Button(description="▶", tooltip=t("transcript.play"), layout=w.Layout(width="44px"))
                play.add_class("tk-seg-play")
                play.on_click(lambda _, seg=seg: self.play(seg.id))
            else:  # the recording is gone: no ▶, the same place in the row
                play = w.HTML(layout=w.Layout(width="44px"))
            text.observe(lambda ch, seg=seg: self._edit_text(seg, ch["new"]), "value")
            speaker.observe(lambda ch, seg=seg: self._edit_speaker(seg, ch["new"]), "value")
            children = [time, speaker, play, text]
            if marks.get(seg.id):
                text.add_class("tk-seg-text-doubt")
                text.layout.width = "55%"
                children.append(self._doubt_column(seg, marks[seg.id]))
            row = w.HBox(children, layout=w.Layout(width="100%", align_items="flex-start"))
            row.add_class("tk-seg")
            if marks.get(seg.id):
                row.add_class("tk-seg-doubt")
            rows.append(row)
        self.rows.children = rows
        self.page_label.value = (f'<span class="tk-muted" style="padding:0 12px">'
                                 f'{esc(t("transcript.page", page=self.page + 1, pages=pages, n=len(segs)))}</span>')
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = self.page >= pages - 1

    def _goto(self, page: int) -> None:
        self.page = page
        self._render_page()

    # --- editing -----------------------------------------------------------------------------------------
    def _edit_text(self, seg, text: str) -> None:
        if text != seg.text:
            seg.text = text
            self.dirty = True

    def _edit_speaker(self, seg, speaker: str | None) -> None:
        if speaker != seg.speaker:
            seg.speaker = speaker
            self.dirty = True

    @guarded("transcript-rename")
    def rename(self, speaker_id: str, label: str, role: str | None) -> None:
        from transkript_kernel import speakers
        from transkript_kernel.errors import TranskriptError

        if not self._allowed():
            return
        try:
            speakers.rename(self.transcript, speaker_id, label=label.strip() or None, role=role)
        except TranskriptError as exc:  # an empty or too long name, an unknown role
            self.message.show("error", failure_text(exc, "transcript-rename", conversation=self.conversation_id))
            return
        self.dirty = True
        if self.save():
            self._render_speakers()
            self._render_page()

    @guarded("transcript-save")
    def save(self) -> bool:
        from transkript_kernel.errors import TranskriptError

        if not self._allowed():
            return False
        try:
            self._archive().save_transcript(self.conversation_id, self.transcript, by="docent")
        except TranskriptError as exc:  # consent withdrawn meanwhile, a full disk: the engine's message
            reason = failure_text(exc, "transcript-save", conversation=self.conversation_id)
            self.message.show("error", t("transcript.save_failed", reason=reason))
            return False
        self.dirty = False
        self.message.show("ok", t("transcript.saved"))
        before = len(self.marks)
        self.refresh_marks()
        if len(self.marks) != before:
            self._render_page()
        if self.on_saved:
            self.on_saved(self.transcript)
        return True

    # --- listening ---------------------------------------------------------------------------------------
    def _load_clip(self):
        if self.recording is not None and self._archive().recording_path(self.conversation_id) is None:
            self._recording_gone()  # deleted since the page was loaded: the cached audio goes with it
            raise FileNotFoundError(t("transcript.no_recording"))
        if self._clip is None:
            from transkript_kernel import audio

            archive = self._archive()
            path = archive.recording_path(self.conversation_id)
            if path is None or not path.exists():
                raise FileNotFoundError(t("transcript.no_recording"))
            with archive.recording_file(self.conversation_id) as plain:  # decrypted for decoding, deleted after
                self._clip = audio.load(plain)
        return self._clip

    def play(self, segment_id: int) -> None:
        seg = self.transcript.segment(segment_id)
        end = min(seg.end + 0.25, seg.start + MAX_PLAY_SECONDS)
        self._play_span(max(0.0, seg.start - 0.1), end, seg.start)

    def play_word(self, mark) -> None:
        """Play a doubtful word with a little context around it (▶ at that word)."""
        start = mark.start if mark.start is not None else self.transcript.segment(mark.segment_id).start
        end = mark.end if mark.end is not None else start
        before, after = WORD_CONTEXT_SECONDS
        self._play_span(max(0.0, start - before), min(end + after, start + MAX_PLAY_SECONDS), start)

    @guarded("play")
    def _play_span(self, start: float, end: float, shown: float) -> None:
        from transkript_kernel.errors import TranskriptError

        if not self._allowed():
            return
        try:
            clip = self._load_clip()
        except FileNotFoundError as exc:  # no recording (any more): our own message
            self.message.show("warn", str(exc))
            return
        except TranskriptError as exc:  # a recording that no longer decodes, a missing key
            self.message.show("error", failure_text(exc, "play", conversation=self.conversation_id))
            return
        sr = clip.sample_rate
        part = clip.samples[int(start * sr):int(end * sr)]
        self.player.value = wav_bytes(part, sr)
        self.player_box.layout.display = None
        self.player_label.value = (f'<span class="tk-muted" style="padding-right:10px">'
                                   f'{esc(t("transcript.playing", start=clock(shown)))}</span>')
