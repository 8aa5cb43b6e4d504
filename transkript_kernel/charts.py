"""Speaking time per speaker: a number teachers ask for ("did I let the parent talk?") and a small chart.

matplotlib runs on the Agg backend (no display, no GUI toolkit), so charts work headless in papermill and
in the report. Charts are bytes (PNG or SVG) so the report can embed them without touching the disk.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from .transcript import Transcript


@dataclass
class SpeakerTime:
    speaker: str | None  # speaker id, None for unattributed speech
    label: str
    role: str | None
    seconds: float
    share: float  # of all speech, 0..1


def speaking_time(transcript: Transcript, *, unknown_label: str = "?") -> list[SpeakerTime]:
    """Seconds of speech per speaker (segment durations), most talkative first."""
    totals: dict[str | None, float] = {}
    for seg in transcript.segments:
        totals[seg.speaker] = totals.get(seg.speaker, 0.0) + seg.duration
    all_speech = sum(totals.values()) or 1.0
    rows = []
    for spk, secs in totals.items():
        label = transcript.label_of(spk) or (spk if spk is not None else unknown_label)
        rows.append(SpeakerTime(spk, label, transcript.role_of(spk), secs, secs / all_speech))
    rows.sort(key=lambda r: (-r.seconds, r.label))
    return rows


#: matplotlib falls back glyph by glyph along this list: Latin and Cyrillic, Ge'ez (Tigrinya), Chinese, Arabic
#: script (drawn without joining: matplotlib does no Arabic shaping; the report's own text does).
FONTS = ["DejaVu Sans", "Noto Sans Ethiopic", "Noto Sans CJK SC", "Noto Naskh Arabic"]


def has_speakers(transcript: Transcript) -> bool:
    """A chart only means something when at least one segment is attributed."""
    return any(seg.speaker is not None for seg in transcript.segments)


def speaking_time_chart(transcript: Transcript, *, fmt: str = "svg", title: str | None = None,
                        unit: str = "min", unknown_label: str = "?", role_names: dict | None = None) -> bytes:
    """A horizontal bar chart of minutes per speaker as PNG or SVG bytes."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"fmt must be 'svg' or 'png', not {fmt!r}")
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    rows = speaking_time(transcript, unknown_label=unknown_label)
    names = []
    for r in rows:
        role = (role_names or {}).get(r.role, r.role) if r.role else None
        names.append(f"{r.label} ({role})" if role and role != r.label else r.label)
    minutes = [r.seconds / 60 for r in rows]

    fig = Figure(figsize=(6.0, 0.45 * max(1, len(rows)) + 0.8), dpi=150)
    ax = fig.add_subplot(1, 1, 1)
    y = list(range(len(rows)))[::-1]
    ax.barh(y, minutes, color="#2f5d8a", height=0.6)
    ax.set_yticks(y, names, fontsize=9, fontfamily=FONTS)
    ax.set_xlabel(unit, fontsize=9, fontfamily=FONTS)
    ax.tick_params(axis="x", labelsize=8)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    for yi, r, m in zip(y, rows, minutes):
        ax.text(m, yi, f"  {int(round(r.share * 100))} %", va="center", fontsize=8, color="#333333")
    ax.set_xlim(0, max(minutes or [1]) * 1.25 or 1)
    if title:
        ax.set_title(title, fontsize=10, loc="left", fontfamily=FONTS)
    fig.tight_layout()
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()


def save_chart(transcript: Transcript, path, **options) -> "Path":
    """Write the chart atomically; the format follows the file extension (.svg or .png)."""
    from pathlib import Path

    from .atomic import write_bytes

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".") or "svg"
    return write_bytes(path, speaking_time_chart(transcript, fmt=fmt, **options))
