"""The demo's closing guide: lines a person can paste, at 80 columns, and only commands that can work."""

from __future__ import annotations

import io
import shlex
import socket
from pathlib import Path

from rich.console import Console

from overdue_reminder.cli.common import App
from overdue_reminder.cli.demo_serve import bind_web_socket, print_guide
from overdue_reminder.config import CONFIG_ENV
from overdue_reminder.run.demo_guide import SignIn, config_export, next_commands

PEOPLE = [SignIn("attorney", "Eleanor Harbor", "eleanor.harbor@harborreed.example", "attorney-key",
                 "their own queue: 2 letters awaiting review"),
          SignIn("billing clerk", "Jordan Lee", "clerk-noacct", "clerk-key", "every letter and offer")]


def _printed(web_url: str | None, config_path: Path) -> list[str]:
    out = io.StringIO()
    app = App(console=Console(file=out, width=80, highlight=False))
    print_guide(app, web_url=web_url, odoo_url="http://127.0.0.1:40000", database="lawfirm", people=PEOPLE,
                export=config_export(config_path), commands=next_commands(odoo_up=web_url is not None, letter_id=7))
    return out.getvalue().splitlines()


def test_every_line_pastes_and_fits_80_columns(tmp_path: Path) -> None:
    cfg = tmp_path / "my demo" / "overdue-reminder.toml"  # a space in the path: the export line quotes it
    lines = _printed("http://127.0.0.1:8470/", cfg)
    export = next(line for line in lines if line.strip().startswith("export"))
    assert shlex.split(export.strip()) == ["export", f"{CONFIG_ENV}={cfg}"]
    commands = [shlex.split(line, comments=True) for line in lines if line.startswith("  overdue-reminder ")]
    assert ["overdue-reminder", "letters", "show", "7"] in commands
    assert ["overdue-reminder", "send", "--dry-run"] in commands
    assert all(len(line) <= 80 for line in lines if line is not export), [ln for ln in lines if len(ln) > 80]
    assert any("login clerk-noacct  password clerk-key" in line for line in lines)
    assert "Ctrl-C" in lines[-1]


def test_without_the_sandbox_only_store_commands_are_suggested(tmp_path: Path) -> None:
    lines = "\n".join(_printed(None, tmp_path / "overdue-reminder.toml"))
    assert "send --dry-run" not in lines and "config check" not in lines and "password" not in lines
    assert "overdue-reminder letters list" in lines and "--no-serve" in lines


def test_a_taken_web_port_gives_way_to_a_free_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = taken.getsockname()[1]
        with bind_web_socket(busy) as sock:
            assert sock.getsockname()[1] not in (busy, 0)
    with bind_web_socket(0) as sock:
        assert sock.getsockname()[1] > 0
