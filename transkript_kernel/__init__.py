"""Transkript engine: offline transcription, summaries and case files for parent–teacher conversations.

Importing this package is cheap: heavy libraries (faster-whisper, torch, transformers) are imported only by
the modules that use them, when they are used.
"""
__version__ = "0.1.0"

from .errors import TranskriptError  # noqa: F401
