"""ipywidgets for the teacher's app, built on :mod:`transkript_kernel` (imported as ``transkript_widgets``).

A widget holds UI state only: it calls the engine and renders what comes back.
"""
