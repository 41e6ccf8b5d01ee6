"""The one write-back wiring: a source says whether it takes writes; the faces ask run/wiring, never the class."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from overdue_reminder import config
from overdue_reminder.run.wiring import make_source, note_sink, open_writeback, writeback_of
from overdue_reminder.sources.files import FileSource
from overdue_reminder.sources.odoo import OdooSource


def files_settings(tmp_path: Path, **odoo: object) -> config.Settings:
    s = config.parse('source = "files"\n')
    return dataclasses.replace(s, files=dataclasses.replace(s.files, invoices_csv=str(tmp_path / "i.csv"),
                                                            clients_csv=str(tmp_path / "c.csv")),
                               odoo=dataclasses.replace(s.odoo, **odoo))


def test_the_files_source_takes_no_writes(tmp_path: Path) -> None:
    s = files_settings(tmp_path, write_back=True)
    src = make_source(s)
    assert isinstance(src, FileSource) and src.writeback() is None
    with pytest.raises(TypeError, match="need the Odoo source, not 'files'"):
        writeback_of(src)
    assert note_sink(s) is None  # odoo.write_back alone does not reach a CSV export


def test_open_writeback_is_none_unless_enabled_and_odoo(tmp_path: Path) -> None:
    warned: list[str] = []
    with open_writeback(files_settings(tmp_path), True, warned.append) as wb:
        assert wb is None
    odoo = dataclasses.replace(files_settings(tmp_path), source="odoo")
    with open_writeback(odoo, False, warned.append) as wb:
        assert wb is None  # disabled: Odoo is not even contacted
    assert warned == []


def test_the_odoo_source_is_its_own_writeback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = dataclasses.replace(files_settings(tmp_path), source="odoo")
    monkeypatch.setenv(s.odoo.password_env, "x")
    src = make_source(s)
    assert isinstance(src, OdooSource) and writeback_of(src) is src


def test_an_unreachable_odoo_is_a_warning_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = files_settings(tmp_path)
    s = dataclasses.replace(s, source="odoo", odoo=dataclasses.replace(s.odoo, host="127.0.0.1", port=9,
                                                                       retries=0, timeout_seconds=1))
    monkeypatch.setenv(s.odoo.password_env, "x")
    warned: list[str] = []
    with open_writeback(s, True, warned.append) as wb:
        assert wb is None
    assert len(warned) == 1 and warned[0].startswith("Odoo write-back skipped:")
