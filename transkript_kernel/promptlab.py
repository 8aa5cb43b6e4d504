"""The prompt lab's logic (the notebook only wires it): run summary variants on an eval folder, compare
them as a table and a plot, and keep the winning prompt template.

A variant is a name and the options for :func:`transkript_kernel.summarize.summarize`, e.g.
``{"backend": "transformers", "template": "mijn_prompt.j2", "model_path": "/modellen/qwen"}``.
"""
from __future__ import annotations

from pathlib import Path

METRICS = ("action_recall", "action_precision", "owner_accuracy", "concern_recall", "topic_recall")


def templates() -> list[Path]:
    """Built-in prompt templates and the ones saved in the data directory."""
    from transkript_templates import path

    from .settings import data_dir

    saved = data_dir() / "prompts"
    return sorted(path("prompts").glob("*.j2")) + (sorted(saved.glob("*.j2")) if saved.is_dir() else [])


def run(eval_dir: str | Path, variants: dict[str, dict], *, scorer_dir: str | Path | None = None):
    """Scorer figures per variant and conversation, as one long DataFrame (columns: variant, conversation, ...)."""
    import pandas as pd

    from .errors import BackendUnavailableError
    from .evaluation import evaluate

    frames = []
    for name, options in variants.items():
        options = dict(options)
        backend = options.pop("backend", "extractive")
        try:
            table = evaluate(eval_dir, backend=backend, scorer_dir=scorer_dir, **options)
        except BackendUnavailableError as exc:
            print(f"{name}: {exc.both()}")
            continue
        frames.append(table.reset_index().assign(variant=name))
    if not frames:
        return pd.DataFrame(columns=["variant", "conversation", *METRICS])
    return pd.concat(frames, ignore_index=True)


def compare(table):
    """Mean of each metric per variant, best action recall first."""
    if table.empty:
        return table
    means = table.groupby("variant")[list(METRICS) + ["mean_action_words"]].mean()
    return means.sort_values(["action_recall", "action_precision"], ascending=False)


def plot(table, metrics=METRICS):
    """Grouped bars: one group per metric, one bar per variant (mean over the conversations)."""
    import matplotlib.pyplot as plt

    means = compare(table)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / max(1, len(means))
    for i, (variant, row) in enumerate(means.iterrows()):
        ax.bar([m + i * width for m in range(len(metrics))], [row[k] for k in metrics], width, label=variant)
    ax.set_xticks([m + width * (len(means) - 1) / 2 for m in range(len(metrics))])
    ax.set_xticklabels([k.replace("_", "\n") for k in metrics])
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title("Samenvattingsvarianten / summary variants")
    fig.tight_layout()
    return fig


def winner(table) -> str | None:
    means = compare(table)
    return None if means.empty else str(means.index[0])


def save_template(source: str | Path, name: str | None = None, *, make_default: bool = True) -> Path:
    """Copy a prompt template into ``<data>/prompts/`` (atomically) and, if asked, make it the one used."""
    from .atomic import copy_file
    from .errors import InputError
    from .settings import data_dir, save_config

    source = Path(source)
    if not source.is_file() or source.suffix != ".j2":
        raise InputError(f"{source.name} is geen promptsjabloon (.j2).", f"{source.name} is not a prompt template (.j2).")
    stem = "".join(ch for ch in (name or source.stem) if ch.isalnum() or ch in "-_") or "prompt"
    target = data_dir() / "prompts" / f"{stem}.j2"
    copy_file(source, target)
    if make_default:
        save_config({"LlmSettings": {"template": str(target)}})
    return target
