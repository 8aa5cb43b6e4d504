"""``transkript key change``: a new passphrase for the archive; ``transkript key status``: where it comes from.

The new passphrase comes from ``TRANSKRIPT_NEW_PASSPHRASE`` (scripts) or is asked twice at the terminal; the old
one the usual way (``TRANSKRIPT_PASSPHRASE`` > keyring > prompt). The archive gets a new data key and is
re-encrypted under it, crash-safe (:mod:`transkript_kernel.casefile.rekey`), so the old passphrase with an old
copy of ``encryption.json`` opens nothing; the keyring entry, when there is one, gets the new passphrase.
Refused while another program (the app, a batch) has the archive open.
"""
from __future__ import annotations

import os
import sys

ENV_NEW = "TRANSKRIPT_NEW_PASSPHRASE"


def register(sub) -> None:
    p = sub.add_parser("key", help="wachtwoord van het archief / archive passphrase")
    ksub = p.add_subparsers(dest="key_command", required=True)
    c = ksub.add_parser("change", help="nieuw wachtwoord / new passphrase (TRANSKRIPT_NEW_PASSPHRASE or prompt)")
    c.set_defaults(func=cmd_change)
    s = ksub.add_parser("status", help="versleuteling en herkomst van het wachtwoord / encryption and key source")
    s.set_defaults(func=cmd_status)


def cmd_change(args) -> int:
    from ..casefile import keys, rekey
    from ..casefile.archive import Archive
    from ..errors import InputError
    from ..settings import data_dir

    folder = data_dir()
    if keys.plaintext_mode():
        raise InputError("In de onversleutelde testmodus is er geen sleutel.", "The plaintext test mode has no key.")
    Archive().close()  # opens (and, for an old archive, encrypts) with the current passphrase: fails if wrong
    old = keys.passphrase(folder)
    new = os.environ.get(ENV_NEW)
    if not new:
        if not (sys.stdin is not None and sys.stdin.isatty()):
            raise InputError(f"Zet {ENV_NEW} of start dit in een terminal.", f"Set {ENV_NEW} or run this in a terminal.")
        new = keys._prompt(folder, new=True)
    print("Het archief wordt opnieuw versleuteld met een nieuwe sleutel... / Re-encrypting the archive under a new "
          "key...", file=sys.stderr)
    count = rekey.change(folder, old, new)
    if os.environ.get(keys.ENV_PASSPHRASE) == old:
        os.environ[keys.ENV_PASSPHRASE] = new
    print(f"Het wachtwoord en de sleutel van het archief zijn veranderd ({count} bestanden opnieuw versleuteld); "
          "het oude wachtwoord opent niets meer. / The archive passphrase and key were changed "
          f"({count} files re-encrypted); the old passphrase opens nothing any more.")
    return 0


def cmd_status(args) -> int:
    from ..casefile import keys
    from ..settings import data_dir

    folder = data_dir()
    if keys.plaintext_mode():
        print("onversleuteld (testmodus) / unencrypted (test mode)")
        return 0
    source = ("TRANSKRIPT_PASSPHRASE" if os.environ.get(keys.ENV_PASSPHRASE)
              else "keyring" if keys._keyring_get(folder) else "prompt")
    exists = keys.key_file(folder).exists()
    print(f"versleuteld / encrypted: {'ja / yes' if exists else 'nog geen archief / no archive yet'}; "
          f"wachtwoord uit / passphrase from: {source}")
    return 0
