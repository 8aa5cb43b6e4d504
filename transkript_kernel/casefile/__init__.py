"""The case file: everything Transkript keeps about a conversation, and the only code that writes it.

``archive`` (the :class:`Archive` facade: conversations, recordings, transcript revisions, summary versions,
status, exports, deletion), ``store`` (SQLite: schema, migrations, transactions, FTS5), ``consent`` (the
consent gate), ``versions`` (summary versions and their differences), ``retention`` (what is due for
deletion), ``audit`` (who did what, no content), ``access`` (a parent's access export) and ``cloudsync``
(a warning when the data folder is synchronised to a cloud). It stores and reads; it runs no model — the
workflow that feeds it lives in :mod:`transkript_kernel.pipeline`.
"""
