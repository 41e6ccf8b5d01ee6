"""Setting up a desk: init, config check, db upgrade."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import click
from rich.markup import escape

from overdue_reminder import config
from overdue_reminder.cli.common import App, pass_app
from overdue_reminder.config.placeholders import placeholder_warnings
from overdue_reminder.errors import ConfigError, UsageError
from overdue_reminder.resources import example_config
from overdue_reminder.services.letter_enclosures import config_problems, sample_forms, write_sample_forms
from overdue_reminder.services.payment_check import check_channels
from overdue_reminder.store.db import Store, current_revision, head_revision


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_app
def init(app: App, path: str | None, force: bool) -> None:
    """Write a fully commented example configuration (default ./overdue-reminder.toml)."""
    target = Path(path or app.config_path or config.DEFAULT_CONFIG_NAME)
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it.")
    target.write_text(example_config(), encoding="utf-8")
    os.chmod(target, 0o600)
    forms = target.resolve().parent / "forms"
    if not forms.exists():
        write_sample_forms(forms)  # the example config names them; `config check` warns until replaced
    app.info(f"wrote {target}: edit it, export OVERDUE_REMINDER_ODOO_PASSWORD, then run "
             f"'overdue-reminder --config {target} config check'")


@click.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("check")
@click.option("--offline", is_flag=True, help="Only validate the file; do not contact Odoo.")
@pass_app
def config_check(app: App, offline: bool) -> None:
    """Validate every key, then test the Odoo connection (version, login, read access)."""
    s = app.settings
    samples = placeholder_warnings(tomllib.loads(Path(s.config_path).read_text(encoding="utf-8")))
    law_and_forms(s)  # the law's floor and every enclosure file: errors naming file, key and fix
    samples += [(key, "a sample form, not the official one", path) for key, path in sample_forms(s)]
    report: dict[str, object] = {"config": s.config_path, "valid": True, "store": Store(s.store_url).describe(),
                                 "warnings": [{"key": k, "sample": what, "text": text} for k, what, text in samples]}
    for key, what, text in samples:  # on stderr, before the Odoo check that may fail
        line = (f"{s.config_path}: [{key}] still holds {what} ({text!r}) from the example configuration; "
                "replace it with the firm's own value.")
        app.err.print(f"[yellow]warning[/yellow]: {escape(line)}", soft_wrap=True)
    if not offline:  # offline, only the configured currencies ([payment] currencies) were checked at load
        store = Store(s.store_url)
        try:
            report["currencies"] = check_channels(s, store)
        finally:
            store.dispose()
    if not offline and s.source == "odoo":
        from overdue_reminder.run.wiring import odoo_source

        report["odoo"] = odoo_source(s).check()
    if app.as_json:
        app.emit_json(report)
        return
    app.console.print(f"[green]ok[/green] {s.config_path} is valid")
    app.console.print(f"store: {report['store']}")
    if "odoo" in report:
        info = report["odoo"]
        assert isinstance(info, dict)
        app.console.print(f"odoo: server {info['server_version']} at {info['url']}, database {info['database']}")
        app.console.print(f"login: {info['login']} (uid {info['uid']})")
        for model, n in info["access"].items():
            app.console.print(f"  read {model}: ok ({n} records)")
        trust = info.get("trust_account") or {}
        if trust:
            app.console.print(f"trust account {trust['code']}: ok (account.account {trust['account_id']})")


def law_and_forms(s: config.Settings) -> None:
    """Refuse a configuration laxer than the law, or a notice listing an enclosure whose file is missing."""
    problems = config_problems(s)
    if problems:
        first, *rest = problems
        more = "".join(f"\n  also [{p.key}]: {p.problem}" for p in rest)
        raise ConfigError(first.problem + more, path=s.config_path, key=first.key, fix=first.fix)


@click.group("db")
def db_group() -> None:
    """The local store."""


@db_group.command("upgrade")
@pass_app
def db_upgrade(app: App) -> None:
    """Create the store or apply pending schema migrations."""
    store = Store(app.settings.store_url)
    before = current_revision(store.engine)
    store.upgrade()
    after = head_revision(store.engine)
    store.dispose()
    if app.as_json:
        app.emit_json({"store": store.describe(), "from": before, "to": after})
    else:
        app.info(f"store {store.describe()}: {before or 'empty'} -> {after}")


@db_group.command("copy")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The new store, e.g. postgresql+psycopg://overdue@db.internal/overdue (must be empty).")
@pass_app
def db_copy(app: App, target_url: str) -> None:
    """Copy this desk's store into a new database (e.g. SQLite to PostgreSQL), then point store.url at it."""
    from overdue_reminder.store.copy import copy_store

    source = Store(app.settings.store_url)
    target = Store(target_url)
    try:
        with app.progress("copying") as tick:
            counts = copy_store(source, target, lambda _t, n: tick(n))
    finally:
        source.dispose()
        target.dispose()
    if app.as_json:
        app.emit_json({"from": source.describe(), "to": target.describe(), "rows": counts})
        return
    app.table(f"copied {source.describe()} -> {target.describe()}", ["table", "rows"], sorted(counts.items()),
              right=["rows"])
    app.info(f"now set [store] url = \"{target.describe()}\" in {app.settings.config_path} on every machine")


COMMANDS = [init, config_group, db_group]
