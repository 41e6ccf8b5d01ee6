"""Where the shipped templates live: inside an installed wheel, or at the checkout's top level."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def templates_root() -> Path:
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if checkout.is_dir():
        return checkout
    try:
        from importlib.resources import files

        installed = Path(str(files("overdue_reminder.templates")))
        if installed.is_dir():
            return installed
    except ModuleNotFoundError:
        pass
    raise FileNotFoundError("the shipped templates are missing: reinstall overdue-reminder")


def example_config() -> str:
    return (templates_root() / "config" / "overdue-reminder.example.toml").read_text(encoding="utf-8")
