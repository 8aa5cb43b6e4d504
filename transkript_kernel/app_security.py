"""The app's lock, on Voila's side: loaded only inside the Voila process (``transkript app`` names this class
in Voila's arguments), never by the engine, so importing ``transkript_kernel`` still imports no Jupyter.

jupyter_server skips the websocket Origin check for requests that carry the token, reasoning that whoever has
the token is trusted. Transkript's only client is the teacher's own browser on the same page, so a websocket
from any other origin is refused, token or not: a page elsewhere (or one reached through DNS rebinding) that
somehow learned the token still cannot drive a kernel. The Host check (``allow_remote_access=False``) and the
token itself are set in ``commands/app.py``.
"""
from __future__ import annotations

from jupyter_server.auth.identity import PasswordIdentityProvider


class LocalOnlyIdentityProvider(PasswordIdentityProvider):
    """Token login as Jupyter does it, but every websocket's Origin must match the Host it was sent to."""

    def should_check_origin(self, handler) -> bool:
        return True
