"""An upload on its way into the case file, held in memory instead of in a plaintext file on disk.

The app receives a recording as bytes (the browser's upload, the microphone recorder). The one workflow checks
it by decoding a *path* (``pipeline.import_recording`` → ``audio.load``) and the case file then copies that path
in, encrypted. Writing the bytes to a cache file first left a plaintext copy of a child's conversation on disk
for as long as the import took, and for good when the program was killed meanwhile (swept only at the next start).

:func:`memory_file` hands out a path whose bytes never reach a disk: an anonymous in-memory file (Linux
``memfd_create``: no name in any file system, gone when closed or when the process dies, readable only by this
account through ``/proc``) behind a symbolic link named like the upload, in a private scratch folder (0700;
``$XDG_RUNTIME_DIR`` when the system has one, swept at the next start). Where ``memfd_create`` does not exist the
bytes go to a 0600 file in that scratch folder, deleted when the block ends — as the decrypted views already do.
Swap is the device's job (README, threat model).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..atomic import write_bytes
from .archive import _remove, scratch_dir

NAME_BYTES = 200  # file names are at most 255 bytes on every common file system; keep a margin


def in_memory_supported() -> bool:
    return hasattr(os, "memfd_create") and os.path.isdir(f"/proc/{os.getpid()}/fd")


@contextmanager
def memory_file(name: str, data) -> Iterator[Path]:
    """``data`` (bytes or a memoryview) as a file called ``name`` (a plain file name, e.g. ``safe_name``'s) for
    the duration of the block; nothing of it is left afterwards."""
    if Path(name).name != name or name in ("", ".", ".."):
        raise ValueError("memory_file takes a plain file name")
    name = fitting_name(name)
    folder = scratch_dir()
    try:
        if not in_memory_supported():
            yield write_bytes(folder / name, bytes(data))
            return
        fd = os.memfd_create("transkript-upload", os.MFD_CLOEXEC)
        try:
            view = memoryview(data).cast("B")
            while view:
                view = view[os.write(fd, view):]
            link = folder / name
            os.symlink(f"/proc/{os.getpid()}/fd/{fd}", link)
            yield link
        finally:
            os.close(fd)
    finally:
        _remove(folder, prune=False)


def fitting_name(name: str, limit: int = NAME_BYTES) -> str:
    """The name shortened to what a file system takes (255 bytes: 120 emoji are 480), keeping its extension
    (a name cut into its extension is refused as an unknown file type)."""
    suffix = Path(name).suffix if len(Path(name).suffix.encode()) < 16 else ""
    stem = name[:len(name) - len(suffix)]
    while stem and len((stem + suffix).encode()) > limit:
        stem = stem[:-1]
    return (stem or "opname") + suffix
