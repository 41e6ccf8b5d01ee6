"""Fixtures for the offers area: settings with a supervising partner, a seeded store."""

from __future__ import annotations

import pytest
from offer_factory import make_settings, seed

from overdue_reminder.config import Settings
from overdue_reminder.store import Store


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def seeded(store: Store) -> Store:
    seed(store)
    return store


@pytest.fixture
def desk(sqlite_store: Store) -> Store:
    """For tests of rendering and suggestions, where the backend makes no difference."""
    seed(sqlite_store)
    return sqlite_store
