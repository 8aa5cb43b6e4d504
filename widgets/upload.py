"""RecordingUpload: bring a phone recording into the case file.

ipywidgets 8 ``FileUpload`` sends the whole file over the kernel websocket; ``transkript app`` raises Voila's
message limit so 30–60 MB recordings arrive. The size limit is the engine's setting (``AudioSettings.max_upload_mb``);
every check is the one workflow's (``pipeline.import_recording``: consent, then a full decode, so a corrupt or silent
recording is refused at upload, not minutes later, with the same message ``transkript import`` gives), and its typed
errors are shown as they are.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as w

from transkript_kernel.formatting import safe_name

from .failures import failure_text, guarded
from .i18n import t
from .ui import Message, esc, fmt_size, fmt_time


def max_upload_bytes() -> int | None:
    """The engine's configured limit (``AudioSettings.max_upload_mb``, 0 = none), so app and command line agree."""
    from transkript_kernel import settings
    from transkript_kernel.audio import AudioSettings

    mb = settings.get(AudioSettings).max_upload_mb
    return int(mb * 1_000_000) if mb and mb > 0 else None


def supported_extensions() -> list[str]:
    from transkript_kernel import audio

    return sorted(audio.SUPPORTED_EXTENSIONS)


class RecordingUpload(w.VBox):
    """Step 2. Disabled until a conversation with consent exists; ``on_imported(conversation_id)`` after import."""

    def __init__(self, archive_factory: Callable, on_imported: Callable | None = None, **kw):
        self._archive = archive_factory
        self.on_imported = on_imported
        self.conversation_id: str | None = None
        self.max_bytes = max_upload_bytes()
        accept = ",".join(supported_extensions())
        self.upload = w.FileUpload(accept=accept, multiple=False, description=t("upload.choose"),
                                   icon="", button_style="primary", layout=w.Layout(width="260px"))
        self.upload.add_class("tk-upload")
        limit = t("upload.limit", mb=self.max_bytes // 1_000_000) if self.max_bytes else ""
        self.hint = w.HTML(f'<div class="tk-muted">{esc(t("upload.hint", limit=limit))}</div>')
        self.message = Message()
        self.message.add_class("tk-upload-message")
        self.upload.observe(self._received, "value")
        self.set_conversation(None)
        super().__init__([self.hint, self.upload, self.message], **kw)

    def set_conversation(self, conversation) -> None:
        """Enable uploading only for a conversation whose consent allows a recording."""
        from .consent import ConsentForm

        self.conversation_id = None
        if conversation is None:
            self.upload.disabled = True
            self.message.show("info", t("upload.need_consent"))
        elif not ConsentForm.decision(conversation)[0]:
            self.upload.disabled = True
            self.message.show("error", t("upload.blocked") + "\n" + ConsentForm.decision(conversation)[1])
        elif conversation.recording:
            self.conversation_id = conversation.id
            self.upload.disabled = True
            self.message.show("ok", t("upload.has_recording"))
        else:
            self.conversation_id = conversation.id
            self.upload.disabled = False
            self.message.show("info", t("upload.ready"))

    def _received(self, change) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        try:
            self.import_bytes(f["name"], f["content"])
        finally:
            self.upload.value = ()  # free the bytes in the kernel; the same file may be chosen again

    @guarded("upload")
    def import_bytes(self, name: str, content) -> bool:
        """Import the upload through the pipeline straight from memory: the bytes are never written to disk as
        plaintext (:func:`~transkript_kernel.casefile.inmemory.memory_file`); the case file stores them encrypted."""
        from transkript_kernel import pipeline
        from transkript_kernel.casefile.inmemory import fitting_name, memory_file
        from transkript_kernel.errors import FileTooLargeError, TranskriptError

        if self.conversation_id is None:
            self.message.show("error", t("upload.blocked"))
            return False
        size = len(content)
        name = fitting_name(safe_name(name, fallback="opname", max_length=len(str(name)) + 1))  # extension kept
        try:
            if self.max_bytes and size > self.max_bytes:
                raise FileTooLargeError(
                    f"{name} is {fmt_size(size)}; de grens is {self.max_bytes // 1_000_000} MB "
                    "(Instellingen → Geavanceerd → Opnames → Grootste opnamebestand).",
                    f"{name} is {fmt_size(size)}; the limit is {self.max_bytes // 1_000_000} MB "
                    "(Settings → Advanced → Recordings → Largest recording file).")
            self.message.show("info", t("upload.checking", name=name, size=fmt_size(size)))
            with memory_file(name, content) as path:
                duration = pipeline.import_recording(self._archive(), self.conversation_id, path,
                                                     max_bytes=self.max_bytes).duration
        except TranskriptError as exc:
            reason = failure_text(exc, "upload", conversation=self.conversation_id)
            self.message.show("error", t("upload.failed", name=name, reason=reason))
            return False
        extra = f", {fmt_time(duration)}" if duration else ""
        self.message.show("ok", t("upload.done", name=name, size=fmt_size(size), extra=extra))
        self.upload.disabled = True  # one recording per conversation (the case file refuses a second)
        if self.on_imported:
            self.on_imported(self.conversation_id)
        return True
