"""RecordingPanel: record the conversation in the app with the laptop's microphone, straight into the case file.

The browser's ``MediaRecorder`` records (a small ``anywidget``: the JavaScript below, served by Voila from this
kernel, no CDN); the whole time it shows a red "● opname loopt 3:12" — the product brief's visible recording
reminder. On Stop the recording (WebM/Opus, about 0.5 MB a minute) comes to the kernel in one binary message and
goes through ``pipeline.import_recording`` like an upload: consent first, then a full decode. Nothing is stored
in the browser or sent anywhere else. Recording is offered only for a conversation whose consent allows a
recording, and the kernel refuses a recording that arrives for any other (a page can be tampered with). A denied
or missing microphone gets a clear message.
"""
from __future__ import annotations

from typing import Callable

import anywidget
import ipywidgets as w
import traitlets

from .failures import failure_text, guarded
from .i18n import t
from .ui import Message, fmt_size, fmt_time

_ESM = r"""
function clock(s) { s = Math.floor(s); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "tk-recorder-box";
  const button = document.createElement("button");
  button.className = "jupyter-widgets jupyter-button widget-button mod-primary tk-record";
  const indicator = document.createElement("span");
  indicator.className = "tk-recording-indicator";
  indicator.style.cssText = "margin-left:12px;font-weight:600;color:#c81e1e;display:none";
  box.append(button, indicator);
  el.append(box);
  let recorder = null, chunks = [], started = 0, timer = null, stream = null;

  function show() {
    const labels = model.get("labels");
    const recording = model.get("state") === "recording";
    button.textContent = recording ? labels.stop : labels.start;
    button.disabled = !model.get("enabled") && !recording;
    button.style.opacity = button.disabled ? "0.45" : "1";  // visibly off, also outside Jupyter's own CSS
    button.style.cursor = button.disabled ? "not-allowed" : "pointer";
    indicator.style.display = recording ? "inline" : "none";
  }
  function tick() {
    const s = (Date.now() - started) / 1000;
    indicator.textContent = "\u25CF " + model.get("labels").running + " " + clock(s);
    model.set("elapsed", s); model.save_changes();
  }
  async function start() {
    if (!model.get("enabled")) { model.send({ type: "refused" }); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      model.send({ type: "error", name: String(err && err.name || "Error") });
      return;
    }
    chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
    recorder.onstop = async () => {
      stream.getTracks().forEach((tr) => tr.stop());
      clearInterval(timer);
      const blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
      const buffer = await blob.arrayBuffer();
      model.send({ type: "recording", mime: blob.type, seconds: (Date.now() - started) / 1000 }, undefined, [buffer]);
      model.set("state", "stopped"); model.save_changes(); show();
    };
    started = Date.now();
    recorder.start(1000);
    timer = setInterval(tick, 500);
    model.set("state", "recording"); model.save_changes();
    tick(); show();
  }
  button.addEventListener("click", () => {
    if (model.get("state") === "recording") { if (recorder) recorder.stop(); } else { start(); }
  });
  model.on("change:enabled", show);
  model.on("change:labels", show);
  show();
}
export default { render };
"""


class Recorder(anywidget.AnyWidget):
    """The browser half: button, indicator and MediaRecorder. State for the page: ``enabled``, ``state``
    (idle, recording, stopped) and ``elapsed`` seconds."""

    _esm = _ESM
    enabled = traitlets.Bool(False).tag(sync=True)
    state = traitlets.Unicode("idle").tag(sync=True)
    elapsed = traitlets.Float(0.0).tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)


def extension(mime: str) -> str:
    """The file extension for what MediaRecorder made (Chromium and Firefox: WebM or Ogg with Opus)."""
    mime = (mime or "").lower()
    return ".ogg" if "ogg" in mime else ".mp4" if "mp4" in mime else ".webm"


class RecordingPanel(w.VBox):
    """Step 2, besides the upload. ``set_conversation`` enables it; ``on_imported(conversation_id)`` after import."""

    def __init__(self, archive_factory: Callable, on_imported: Callable | None = None, **kw):
        self._archive = archive_factory
        self.on_imported = on_imported
        self.conversation_id: str | None = None
        self.recorder = Recorder(labels={"start": t("record.start"), "stop": t("record.stop"),
                                         "running": t("record.running")})
        self.recorder.add_class("tk-recorder")
        self.recorder.on_msg(self._message)
        self.message = Message()
        self.message.add_class("tk-record-message")
        super().__init__([self.recorder, self.message], **kw)

    def set_conversation(self, conversation) -> None:
        """Offer recording only for a conversation whose consent allows one and that has no recording yet."""
        from .consent import ConsentForm

        allowed = conversation is not None and ConsentForm.decision(conversation)[0] and not conversation.recording
        self.conversation_id = conversation.id if allowed else None
        self.recorder.enabled = allowed
        self.message.clear()

    def _message(self, _widget, content, buffers) -> None:
        kind = content.get("type")
        if kind == "refused":
            self.message.show("error", t("record.need_consent"))
        elif kind == "error":
            from transkript_kernel import log

            log.event("record-microphone", error=content.get("name"))
            key = "record.denied" if content.get("name") in ("NotAllowedError", "SecurityError") else "record.no_mic"
            self.message.show("error", t(key))
        elif kind == "recording" and buffers:
            self.import_recording(bytes(buffers[0]), content.get("mime", ""))

    @guarded("record")
    def import_recording(self, data: bytes, mime: str = "audio/webm") -> bool:
        """Store a recording from the browser through the pipeline (consent, full decode), like an upload."""
        from transkript_kernel import pipeline
        from transkript_kernel.casefile.inmemory import memory_file
        from transkript_kernel.errors import TranskriptError

        if self.conversation_id is None:
            self.message.show("error", t("record.need_consent"))
            return False
        name = f"opname-{self.conversation_id}{extension(mime)}"
        try:
            self.message.show("info", t("upload.checking", name=name, size=fmt_size(len(data))))
            with memory_file(name, data) as path:  # never a plaintext copy on disk (as the upload)
                duration = pipeline.import_recording(self._archive(), self.conversation_id, path).duration
        except TranskriptError as exc:
            self.message.show("error", t("upload.failed", name=name,
                                         reason=failure_text(exc, "record", conversation=self.conversation_id)))
            return False
        self.message.show("ok", t("record.done", duration=fmt_time(duration), size=fmt_size(len(data))))
        self.recorder.enabled = False  # one recording per conversation
        cid = self.conversation_id
        if self.on_imported:
            self.on_imported(cid)
        return True
