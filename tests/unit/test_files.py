"""The one private-file writer: owner-only, atomic, never replacing a delivered file when told not to."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from overdue_reminder.files import TMP_PREFIX, remove_stale, secure_dir, sha256_bytes, sha256_file, write_private


def test_written_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "letter.docx"
        assert write_private(path, b"first")
    finally:
        os.umask(old)
    assert path.read_bytes() == b"first" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["letter.docx"]  # no temporary file left behind


def test_replace_or_keep(tmp_path: Path) -> None:
    path = tmp_path / "msg.eml"
    write_private(path, b"one")
    assert write_private(path, b"two") and path.read_bytes() == b"two"
    assert not write_private(path, b"three", replace=False) and path.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["msg.eml"]


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_private(tmp_path / "missing-folder" / "x.eml", b"data")
    assert list(tmp_path.iterdir()) == []


def test_secure_dir_and_stale_files(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    secure_dir(loose, tighten=False)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o755  # an existing folder the firm chose is left alone
    secure_dir(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700
    made = secure_dir(tmp_path / "a" / "b", tighten=False)
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    (loose / f"{TMP_PREFIX}half").write_bytes(b"half")
    (loose / "kept.eml").write_bytes(b"whole")
    remove_stale(loose)
    assert [p.name for p in loose.iterdir()] == ["kept.eml"]


def test_sha256_of_bytes_and_file(tmp_path: Path) -> None:
    data = os.urandom(200_000)  # several read chunks
    path = tmp_path / "blob"
    write_private(path, data)
    assert sha256_bytes(data) == sha256_file(path) == hashlib.sha256(data).hexdigest()
