"""Fixtures for the letters area: settings, a seeded store, a fake LibreOffice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from letter_factory import ATTORNEY, CLIENT, CONTACT, NOW, OTHER_ATTORNEY, ZH_CLIENT, make_settings, no_soffice

from overdue_reminder.config import Settings
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_attorneys, store_partners


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


def _seed(store: Store) -> Store:
    with store.begin() as conn:
        store_partners(conn, [CLIENT, CONTACT, ZH_CLIENT], NOW)
        store_attorneys(conn, [ATTORNEY, OTHER_ATTORNEY])
    return store


@pytest.fixture
def seeded(store: Store) -> Store:
    """Clients, contact and attorneys as a sync would have left them, on SQLite and on PostgreSQL."""
    return _seed(store)


@pytest.fixture
def seeded_sqlite(sqlite_store: Store) -> Store:
    """The same on SQLite only, for tests about files and documents rather than SQL."""
    return _seed(sqlite_store)


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in `soffice` on PATH that honours --outdir and writes a small PDF, logging its arguments."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "soffice.log"
    script = bindir / "soffice"
    script.write_text(f"""#!/bin/sh
echo "$@" >> {log}
out=""; file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) out="$2"; shift 2;;
    --*|-env:*) shift;;
    pdf) shift;;
    *) file="$1"; shift;;
  esac
done
base=$(basename "$file" .docx)
printf '%%PDF-1.4 fake\\n' > "$out/$base.pdf"
""", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:/usr/bin:/bin")
    yield log


@pytest.fixture(autouse=True)
def _no_real_soffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Tests run without LibreOffice unless they ask for the fake one."""
    if "fake_soffice" not in request.fixturenames:
        no_soffice(monkeypatch, tmp_path)
