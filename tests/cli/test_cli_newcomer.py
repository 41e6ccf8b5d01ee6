"""A newcomer's first commands (issue 16): the web page installed with the package, global options where
people type them, sample values that `config check` points out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import metadata, requires
from pathlib import Path

import click
import pytest

from overdue_reminder.cli import cli
from overdue_reminder.cli.global_options import hoist_global_options
from overdue_reminder.config.placeholders import placeholder_warnings

EXE = [sys.executable, "-m", "overdue_reminder"]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("OVERDUE_REMINDER_CONFIG", None)
    return subprocess.run([*EXE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """`init` output in its own folder; commands run from elsewhere so only --config can find it."""
    home = tmp_path / "desk"
    home.mkdir()
    assert run(["init"], home).returncode == 0
    return home / "overdue-reminder.toml"


def test_the_review_page_installs_with_the_package() -> None:
    """`pip install .` brings Flask and waitress; the old `[web]` extra still resolves (to nothing more)."""
    plain = {r.split(";")[0].split(">")[0].split("=")[0].strip().lower()
             for r in requires("overdue-reminder") or [] if "extra ==" not in r}
    assert {"flask", "waitress"} <= plain
    assert "web" in (metadata("overdue-reminder").get_all("Provides-Extra") or [])


@pytest.mark.parametrize("args", [
    ["db", "upgrade", "--json", "--config", "{cfg}"],
    ["aging", "--config", "{cfg}", "--json"],
    ["hold", "list", "--json", "--config={cfg}"],
    ["--json", "offer", "list", "--config", "{cfg}", "-v"],
    ["config", "check", "--offline", "-vv", "--config", "{cfg}", "--json"],
])
def test_global_options_after_the_command_work_like_before(desk: Path, tmp_path: Path, args: list[str]) -> None:
    after = [a.replace("{cfg}", str(desk)) for a in args]
    r = run(after, tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)  # --json honoured, and --config found the desk from another folder
    assert isinstance(data, (dict, list))


def test_verbose_after_the_command_raises_the_log_level(desk: Path, tmp_path: Path) -> None:
    quiet = run(["--config", str(desk), "aging"], tmp_path)
    loud = run(["aging", "--config", str(desk), "-v"], tmp_path)
    assert quiet.returncode == loud.returncode == 0, loud.stderr
    assert "INFO" not in quiet.stderr and "INFO" in loud.stderr


def test_what_moves_and_what_stays() -> None:
    ctx = click.Context(cli)
    hoist = lambda *a: hoist_global_options(cli, ctx, list(a))  # noqa: E731
    assert hoist("aging", "--json") == ["--json", "aging"]
    assert hoist("--as", "aging", "letters", "list", "--config", "x.toml", "-vv") == \
        ["--as", "aging", "--config", "x.toml", "-vv", "letters", "list"]
    # the value of a subcommand's option stays with it; plan has its own --json; nothing after --
    assert hoist("hold", "add", "--reason", "-v", "--json") == ["--json", "hold", "add", "--reason", "-v"]
    assert hoist("plan", "--json") == ["plan", "--json"]
    assert hoist("aging", "--", "--json") == ["aging", "--", "--json"]
    assert hoist("aging", "--config") == ["aging", "--config"]  # missing value: click reports it


def test_config_check_names_each_sample_value_left_from_init(desk: Path, tmp_path: Path) -> None:
    r = run(["--config", str(desk), "config", "check", "--offline"], tmp_path)
    assert r.returncode == 0 and "is valid" in r.stdout, r.stderr
    warnings = [ln for ln in r.stderr.splitlines() if ln.startswith("warning:")]
    keys = {ln.split(": [", 1)[1].split("] still holds", 1)[0] for ln in warnings}
    assert {"firm.name", "firm.email", "odoo.login", "payment.channels[1].details",
            "payment.channels[3].url", "payment.portal_url", "delivery.smtp_host"} <= keys
    assert len(warnings) == len(keys)  # one line per key
    assert any("1234567890" in ln and "sample bank account" in ln for ln in warnings)
    report = json.loads(run(["--config", str(desk), "--json", "config", "check", "--offline"], tmp_path).stdout)
    assert {w["key"] for w in report["warnings"]} == keys

    own = desk.read_text(encoding="utf-8")
    for sample, real in [("1234567890", "7700112233"), ("Harper & Lowe", "Okafor Wang"), ("harperlowe.example",
                         "okaforwang.com"), ("First Example Bank", "Hudson Trust"), ("555 0100", "555 7300")]:
        own = own.replace(sample, real)
    desk.write_text(own, encoding="utf-8")
    assert {"letters.jurisdictions.NY.form_files.UCS 137-1", "letters.jurisdictions.NY.form_files.UCS 137-2"} <= keys
    for sample in (desk.parent / "forms").glob("SAMPLE-*"):  # the firm saves the official forms over the samples
        sample.write_text("the official form\n", encoding="utf-8")
    r = run(["--config", str(desk), "config", "check", "--offline"], tmp_path)
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr


def test_sample_markers_are_specific() -> None:
    found = placeholder_warnings({"firm": {"website": "https://harperlowe.example", "phone": "+1 212 555 0100"},
                                  "letters": {"supervising_partner": "p@example.com"},
                                  "payment": {"channels": [{"details": ["Account 1234567890"]}]}})
    assert [k for k, _, _ in found] == ["firm.website", "firm.phone", "letters.supervising_partner",
                                       "payment.channels[1].details"]
    assert placeholder_warnings({"firm": {"website": "https://example.company.com", "phone": "+1 212 555 7300",
                                          "email": "a@example.org.uk"}, "odoo": {"port": 1234567890}}) == []
