"""Small shared pieces of the widgets' look: escaping, messages, headings, times and the app's stylesheet.

Everything shown as HTML goes through :func:`esc`: transcripts and names are user text.
"""
from __future__ import annotations

import html

import ipywidgets as w

from transkript_kernel.formatting import clock as fmt_time  # noqa: F401  (upload.py; others use clock)

CSS = """
<style>
.tk-app { font-family: 'DejaVu Sans', 'Noto Sans', sans-serif; color: #1f2933; }
.tk-app .widget-label { color: #334e68; }
.tk-app textarea { font-family: 'DejaVu Sans', 'Noto Sans', sans-serif !important; font-size: 13px !important;
                   line-height: 1.4 !important; }
.tk-app button.tk-remove-item { background: #fff; color: #b42318; border: 1px solid #f1b5b0; }
.tk-app button.tk-remove-item:hover { background: #fff1f0; }
.tk-summary-line { font-size: 14px; padding: 8px 12px; background: #fff; border: 1px solid #d9e2ec;
                   border-radius: 4px; }
.tk-header { display: flex; align-items: baseline; gap: 14px; }
.tk-title { font-size: 22px; font-weight: 600; color: #102a43; margin: 4px 0; }
.tk-sub { color: #627d98; font-size: 13px; }
.tk-step { font-size: 16px; font-weight: 600; color: #243b53; margin: 18px 0 6px 0;
           border-bottom: 1px solid #d9e2ec; padding-bottom: 4px; }
.tk-msg { padding: 8px 12px; border-radius: 4px; margin: 6px 0; font-size: 13px; line-height: 1.45;
          white-space: pre-line; }
.tk-msg-info { background: #e6f0fa; border-left: 4px solid #2f80ed; }
.tk-msg-ok { background: #e3f9e5; border-left: 4px solid #31a24c; }
.tk-msg-warn { background: #fff7e0; border-left: 4px solid #f0b429; }
.tk-msg-error { background: #ffe3e3; border-left: 4px solid #d64545; font-weight: 600; }
.tk-quote { background: #ffffff; border: 1px solid #bcccdc; border-radius: 4px; padding: 10px 14px;
            font-size: 15px; font-style: italic; margin: 6px 0; }
.tk-muted { color: #627d98; font-size: 12px; }
.tk-seg-time { font-family: 'DejaVu Sans Mono', monospace; color: #486581; font-size: 12px; }
.tk-cite { background: #f0f4f8; border-left: 3px solid #9fb3c8; padding: 4px 8px; margin: 3px 0;
           font-size: 12.5px; }
.tk-table { border-collapse: collapse; font-size: 13px; }
.tk-table th, .tk-table td { border-bottom: 1px solid #d9e2ec; padding: 4px 10px; text-align: left; }
.tk-help h3 { color: #243b53; margin: 14px 0 4px 0; }
.tk-help p, .tk-help li { font-size: 13.5px; line-height: 1.5; max-width: 900px; }
.tk-diff { font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; white-space: pre-wrap; line-height: 1.35;
           background: #fff; border: 1px solid #d9e2ec; padding: 8px; max-height: 320px; overflow: auto; }
</style>
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def message_html(kind: str, text: str) -> str:
    """``kind``: info, ok, warn or error."""
    return f'<div class="tk-msg tk-msg-{esc(kind)}" data-kind="{esc(kind)}">{esc(text)}</div>' if text else ""


class Message(w.HTML):
    """A status line that shows one message at a time."""

    def show(self, kind: str, text: str) -> None:
        self.value = message_html(kind, text)

    def clear(self) -> None:
        self.value = ""


def step(title: str) -> w.HTML:
    return w.HTML(f'<div class="tk-step">{esc(title)}</div>')


def fmt_size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{max(1, round(n / 1000))} kB"
