"""Fixtures for the review page: a seeded firm (built once, copied per test), the app with a fake Odoo sign-in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update
from web_factory import FakeOdoo, Firm, make_app, make_settings, seed

from overdue_reminder.config import Settings
from overdue_reminder.services.letters import get_letter
from overdue_reminder.services.offers import get_offer
from overdue_reminder.store import Store
from overdue_reminder.store.schema import letters


@pytest.fixture(autouse=True)
def _no_soffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Letters are built without LibreOffice (pdf = "never" too): tests never depend on it."""
    empty = tmp_path / "emptybin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", f"{empty}:/usr/bin:/bin")
    monkeypatch.delenv("OVERDUE_REMINDER_WEB_SECRET", raising=False)


@dataclass
class Desk:
    settings: Settings
    store: Store
    firm: Firm


@pytest.fixture(scope="session")
def firm_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Firm]:
    """The seeded firm on SQLite, built once: letters are real .docx files, offers went through propose()."""
    root = tmp_path_factory.mktemp("firm-template")
    settings = make_settings(root)
    store = Store(settings.store_url)
    store.upgrade()
    firm = seed(store, settings)
    store.dispose()
    return root, firm


@pytest.fixture
def desk(tmp_path: Path, firm_template: tuple[Path, Firm]) -> Iterator[Desk]:
    """A private copy of the seeded firm (store and letter files), paths rewritten to the copy."""
    template, firm = firm_template
    root = tmp_path / "firm"
    shutil.copytree(template, root)
    settings = make_settings(root)
    store = Store(settings.store_url)
    with store.begin() as conn:
        for lt in (firm.letter_a, firm.letter_b):
            conn.execute(update(letters).where(letters.c.id == lt.id).values(
                path=lt.path.replace(str(template), str(root))))
    fresh = Firm(get_letter(store, firm.letter_a.id), get_letter(store, firm.letter_b.id),
                 get_offer(store, firm.offer_a.id), get_offer(store, firm.offer_b.id), get_offer(store, firm.offer_c.id))
    yield Desk(settings, store, fresh)
    store.dispose()


@pytest.fixture
def settings(desk: Desk) -> Settings:
    return desk.settings


@pytest.fixture
def web_store(desk: Desk) -> Store:
    return desk.store


@pytest.fixture
def firm(desk: Desk) -> Firm:
    return desk.firm


@pytest.fixture
def fresh_settings(tmp_path: Path) -> Settings:
    """Settings over an empty folder, for tests that seed a store of their own (SQLite and PostgreSQL)."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    return make_settings(folder)


@pytest.fixture
def odoo() -> FakeOdoo:
    return FakeOdoo()


@pytest.fixture
def app(desk: Desk, odoo: FakeOdoo) -> Flask:
    return make_app(desk.settings, desk.store, odoo)
