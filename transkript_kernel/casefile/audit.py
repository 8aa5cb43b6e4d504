"""Who did what to which conversation, and when — never what was said.

An entry is (moment, event, actor, conversation id). The event comes from a fixed list and there is no free-text
field, so the log cannot leak conversation content; it outlives deleted conversations (an id is not content).
"""
from __future__ import annotations

import getpass
import os

from ..errors import InputError

EVENTS = ("create", "consent", "import", "process", "view", "export", "correction", "status", "finalise",
          "withdraw", "delete", "access-export", "refused", "sensitive", "retention")


def default_actor() -> str:
    """The logged-in user: good enough on a teacher's own machine; the app may pass a name."""
    for name in ("TRANSKRIPT_USER",):
        if os.environ.get(name):
            return os.environ[name]
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        return "onbekend"


def log(store, event: str, conversation_id: str | None = None, actor: str | None = None) -> None:
    from .consent import now

    if event not in EVENTS:
        raise InputError(f"Onbekende audit-gebeurtenis {event!r}.", f"Unknown audit event {event!r}.")
    actor = " ".join(str(actor or default_actor()).split())[:80] or "onbekend"
    store.execute("INSERT INTO audit (at, event, actor, conversation_id) VALUES (?, ?, ?, ?)",
                  (now(), event, actor, conversation_id))


def entries(store, conversation_id: str | None = None):
    """The log as a pandas DataFrame (at, event, actor, conversation_id), oldest first."""
    import pandas as pd

    sql = "SELECT at, event, actor, conversation_id FROM audit"
    params: tuple = ()
    if conversation_id is not None:
        sql += " WHERE conversation_id = ?"
        params = (conversation_id,)
    rows = store.rows(sql + " ORDER BY num", params)
    return pd.DataFrame([dict(r) for r in rows], columns=["at", "event", "actor", "conversation_id"])
