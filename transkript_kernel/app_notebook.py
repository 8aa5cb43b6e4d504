"""The thin app notebook, generated from one place so a wheel install can serve the same notebook.

It lives in the engine, not in the widgets: ``transkript app`` writes it, and the engine never imports the
widgets (the notebook names them only in the cell text it writes). Plain ``json`` only, no Jupyter import.
``notebooks/app.ipynb`` in the repository is exactly :func:`app_notebook` (a test keeps them equal).
"""
from __future__ import annotations

import json
from pathlib import Path

TITLE = "Transkript – gespreksverslagen"

CELLS = [
    "# Transkript: de app voor docenten (Voila). Alle logica zit in transkript_widgets en transkript_kernel.\n"
    "from transkript_widgets.app import App\n"
    "\n"
    "app = App()\n"
    "app.show()",
]


def app_notebook() -> dict:
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"app-{i}", "metadata": {},
                   "outputs": [], "source": source.splitlines(keepends=True)} for i, source in enumerate(CELLS)],
        "metadata": {
            "title": TITLE,
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def app_notebook_json() -> str:
    return json.dumps(app_notebook(), ensure_ascii=False, indent=1) + "\n"


def write_app_notebook(path: str | Path) -> Path:
    """Write the notebook atomically (only when it changed) and return its path."""
    from .atomic import write_text

    path = Path(path)
    text = app_notebook_json()
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_text(path, text)
    return path
