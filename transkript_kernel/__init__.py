"""Transkript engine: offline transcription, summaries and case files for parent–teacher conversations.

Importing this package is cheap: heavy libraries (faster-whisper, torch, transformers) are imported only by
the modules that use them, when they are used.
"""
__version__ = "0.1.0"

from .errors import TranskriptError  # noqa: F401
from .offline import lock_down_environment

# Before anything can load onnxruntime or huggingface: any process that uses the engine (the CLI, Voila's
# kernels, papermill's kernels, batch workers, a researcher's notebook) reports nothing anywhere.
lock_down_environment()
