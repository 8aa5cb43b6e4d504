"""Warn when the data directory lies in a folder that a cloud client synchronises.

Pupil data must not end up in a teacher's private cloud backup. We recognise the usual folder names and the
marker files the clients leave behind; we cannot see every client, so this is a warning, never a guarantee.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..formatting import Text

# (provider, folder names matched case-insensitively; a name ending in '*' is a prefix)
_FOLDERS = (
    ("OneDrive", ("onedrive", "onedrive - *", "onedrive-*")),
    ("Dropbox", ("dropbox", "dropbox (*")),
    ("Google Drive", ("google drive", "googledrive", "my drive", "mijn drive", "google drive (*")),
    ("iCloud Drive", ("icloud drive", "iclouddrive", "com~apple~clouddocs")),
    ("Nextcloud", ("nextcloud", "owncloud")),
)
# marker files a sync client keeps in the root of the folder it syncs
_MARKERS = (
    ("Dropbox", (".dropbox", ".dropbox.cache")),
    ("Google Drive", (".tmp.drivedownload", ".tmp.driveupload", "desktop.ini.gdrive")),
    ("Nextcloud", (".nextcloudsync.log", ".owncloudsync.log", ".sync_journal.db")),
    ("OneDrive", (".onedrive",)),
)


@dataclass
class CloudFolder:
    provider: str
    folder: Path

    def warning(self) -> Text:
        return Text(f"Let op: de datamap ligt in een map die {self.provider} synchroniseert ({self.folder}). "
                "Leerlinggegevens horen niet in een (privé) cloudback-up: kies een map buiten "
                f"{self.provider} (instelling TRANSKRIPT_DATA).",
                f"Warning: the data directory lies in a folder synced by {self.provider} ({self.folder}). Pupil "
                f"data must not end up in a (private) cloud backup: choose a folder outside {self.provider} "
                "(setting TRANSKRIPT_DATA).")


def detect(path: str | os.PathLike) -> CloudFolder | None:
    """The cloud-synced folder that contains ``path``, or None."""
    path = Path(path).expanduser()
    try:
        path = path.resolve()
    except OSError:
        path = path.absolute()
    for folder in (path, *path.parents):
        name = folder.name.casefold()
        for provider, patterns in _FOLDERS:
            if any(name.startswith(p[:-1]) if p.endswith("*") else name == p for p in patterns):
                return CloudFolder(provider, folder)
        for provider, markers in _MARKERS:
            if any(_exists(folder / m) for m in markers) or _nextcloud_db(folder) and provider == "Nextcloud":
                return CloudFolder(provider, folder)
    return None


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _nextcloud_db(folder: Path) -> bool:
    """Nextcloud and ownCloud keep a '._sync_<hash>.db' (or '.sync_<hash>.db') journal in the synced root."""
    try:
        with os.scandir(folder) as entries:
            return any(e.name.startswith(("._sync_", ".sync_")) and e.name.endswith(".db") for e in entries)
    except OSError:
        return False
