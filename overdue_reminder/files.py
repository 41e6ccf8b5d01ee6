"""The one private-file writer: letters, digests and the outbox carry client data, so every file the desk
writes is owner-only (0600 in 0700 folders) from its first byte, appears whole or not at all (a temporary
file, fsync, then an atomic rename or link), and is identified by its sha256.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

TMP_PREFIX = ".tmp-"  # half-written files start with this; `remove_stale` clears what a crash left


def secure_dir(path: Path, *, tighten: bool = True) -> Path:
    """A folder only its owner can enter (0700): created so, and (with `tighten`) made so if it already exists."""
    existed = path.is_dir()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if tighten or not existed:
        os.chmod(path, 0o700)
    return path


def write_private(path: Path, data: bytes, *, replace: bool = True) -> bool:
    """Write `data` to `path` atomically with owner-only permissions; True if written.

    With `replace=False` an existing file is kept (the link refuses to overwrite) and False is returned:
    a second attempt never changes what a first one delivered. The folder is fsynced so the name survives
    a crash too.
    """
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o600)  # exactly 0600 whatever the umask
        if replace:
            os.replace(tmp, path)
            written = True
        else:
            try:
                os.link(tmp, path)
                written = True
            except FileExistsError:
                written = False
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return written


def _write_all(fd: int, data: bytes) -> None:
    """os.write may write less than asked; loop until every byte is down."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale(folder: Path) -> None:
    """Delete temporary files a crashed writer left behind: they were never visible under their real name."""
    for stale in folder.glob(f"{TMP_PREFIX}*"):
        stale.unlink(missing_ok=True)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


__all__ = ["TMP_PREFIX", "remove_stale", "secure_dir", "sha256_bytes", "sha256_file", "write_private"]
