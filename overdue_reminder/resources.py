"""Where the shipped templates live: inside an installed wheel, or at the checkout's top level."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def templates_root() -> Path:
    """An installed wheel carries them as overdue_reminder/templates; a checkout has them at its top level."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "email").is_dir():
            return candidate
    raise FileNotFoundError("the shipped templates are missing: reinstall overdue-reminder")


def example_config() -> str:
    return (templates_root() / "config" / "overdue-reminder.example.toml").read_text(encoding="utf-8")
