"""Who did what to which conversation, and when — never what was said, and never a person's name.

An entry is (moment, event, actor, conversation id). The event comes from a fixed list and the actor is not
free text: it is a role from :data:`ROLES` and the OS account the program ran under, stored as
``role:account`` (e.g. ``docent:jsmit``). Whatever a caller passes as actor ("Mevrouw Jansen (moeder)", a
teacher's name) is reduced to a role; names stay out, because the log outlives the conversation it is about.
Rows of an erased conversation go one year after the erasure (``retention.expire_audit``).
"""
from __future__ import annotations

import getpass
import os
import re

from ..errors import InputError

EVENTS = ("create", "consent", "import", "process", "view", "export", "correction", "status", "finalise",
          "withdraw", "delete", "access-export", "refused", "sensitive", "retention")
ROLES = ("docent", "mentor", "intern-begeleider", "coordinator", "beheerder", "ouder", "leerling", "systeem",
         "gebruiker")
# words a caller may pass for a role (Dutch and English); anything else becomes "gebruiker"
_ROLE_WORDS = {"leerkracht": "docent", "teacher": "docent", "juf": "docent", "meester": "docent",
               "ib": "intern-begeleider", "ib-er": "intern-begeleider", "iber": "intern-begeleider",
               "coordinator": "coordinator", "coördinator": "coordinator", "admin": "beheerder",
               "parent": "ouder", "moeder": "ouder", "vader": "ouder", "verzorger": "ouder", "voogd": "ouder",
               "pupil": "leerling", "student": "leerling", "bewaartermijn": "systeem", "system": "systeem",
               "transkript": "systeem", "retention": "systeem"}
_STORED = re.compile(r"^[a-z-]+:[^\s:]{1,64}$")


def os_account() -> str:
    """The account the program runs under (not a display name): who was logged in on this machine."""
    try:
        name = getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        return "onbekend"
    name = re.sub(r"[^\w.@-]", "_", name or "")[:64]
    return name or "onbekend"


def default_actor() -> str:
    """Who made a version (the ``by`` of transcripts and summaries): the configured user, else the OS account.
    The audit log itself keeps only the role and the OS account (:func:`role_of`, :func:`os_account`)."""
    if os.environ.get("TRANSKRIPT_USER"):
        return os.environ["TRANSKRIPT_USER"]
    return os_account()


def role_of(actor: str | None) -> str:
    """The role an actor argument stands for: a known role or role word as is, else 'gebruiker' (a name or any
    other free text is never kept)."""
    word = " ".join(str(actor or "").casefold().split())
    if word in ROLES:
        return word
    if word in _ROLE_WORDS:
        return _ROLE_WORDS[word]
    return "gebruiker"


def stored_actor(actor: str | None) -> str:
    return f"{role_of(actor)}:{os_account()}"


def log(store, event: str, conversation_id: str | None = None, actor: str | None = None) -> None:
    from .consent import now

    if event not in EVENTS:
        raise InputError(f"Onbekende audit-gebeurtenis {event!r}.", f"Unknown audit event {event!r}.")
    store.execute("INSERT INTO audit (at, event, actor, conversation_id) VALUES (?, ?, ?, ?)",
                  (now(), event, stored_actor(actor), conversation_id))


def forget_names(store) -> int:
    """Rows written before roles (free-text actors such as 'Mevrouw Jansen (moeder)') lose the name: they
    become 'gebruiker:onbekend'. Returns how many rows changed."""
    changed = 0
    for row in store.rows("SELECT num, actor FROM audit"):
        if not _STORED.match(row["actor"] or ""):
            store.execute("UPDATE audit SET actor = ? WHERE num = ?", ("gebruiker:onbekend", row["num"]))
            changed += 1
    return changed


def entries(store, conversation_id: str | None = None):
    """The log as a pandas DataFrame (at, event, actor, role, account, conversation_id), oldest first."""
    import pandas as pd

    sql = "SELECT at, event, actor, conversation_id FROM audit"
    params: tuple = ()
    if conversation_id is not None:
        sql += " WHERE conversation_id = ?"
        params = (conversation_id,)
    rows = store.rows(sql + " ORDER BY num", params)
    frame = pd.DataFrame([dict(r) for r in rows], columns=["at", "event", "actor", "conversation_id"])
    actor = frame["actor"].fillna("").astype(str)
    frame.insert(3, "role", actor.map(lambda a: a.partition(":")[0]))
    frame.insert(4, "account", actor.map(lambda a: a.partition(":")[2]))
    return frame
