"""Compatibility: ``from transkript_kernel.archive import Archive`` keeps working; the case file lives in
:mod:`transkript_kernel.casefile`."""
from .casefile.archive import *  # noqa: F401,F403
from .casefile.archive import Archive, pupil_key  # noqa: F401
