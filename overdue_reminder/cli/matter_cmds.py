"""`matter set|show|list`: per-matter terms (interest, before a court, letters' description) and where each came from.

The options of `matter set` are generated from core/matter_flags.py's FLAGS: a new flag there is a new option
here with no change to this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from overdue_reminder.cli.common import App, pass_app, utc_now
from overdue_reminder.core import matter_flags as mf
from overdue_reminder.services import matters as service
from overdue_reminder.services.planning import resolve_client

F = Callable[..., Any]


def _flag_options(fn: F) -> F:
    """One option per flag: `--name/--no-name` for yes/no flags, `--name VALUE` for the others ("none" clears)."""
    for spec in reversed(mf.FLAGS):
        if spec.kind == "bool":
            fn = click.option(f"{spec.option}/{spec.off_option}", spec.name, default=None,
                              help=spec.help.capitalize() + ".")(fn)
        else:
            fn = click.option(spec.option, spec.name, metavar="PERCENT" if spec.kind == "percent" else "TEXT",
                              default=None, help=spec.help.capitalize() + " ('none' clears it).")(fn)
    return fn


def _print(app: App, m: service.Matter) -> None:
    app.console.print(f"Matter {m.reference} (id {m.id}) of {m.client_name} (client {m.client_id})",
                      markup=False, highlight=False)
    app.table("", ["Flag", "Value", "Source"],
              [[n, mf.show(r.value), r.source_text()] for n, r in m.flags.items()])


@click.group("matter")
def matter_group() -> None:
    """A matter's terms: interest allowed (rate, cap), before a court, description in letters."""


@matter_group.command("set")
@click.argument("matter")
@_flag_options
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@pass_app
def matter_set(app: App, /, matter: str, dry_run: bool, **flags: Any) -> None:
    """Set a matter's terms (MATTER: its reference or id). Needs a proven identity (--as LOGIN or a mapped
    account); a value set here wins over Odoo's, and every change is audited with who, when, old and new."""
    raw = {n: (None if isinstance(v, str) and v.strip().casefold() == "none" else v)
           for n, v in flags.items() if v is not None}
    changes = service.parse_changes(raw)
    m, done = service.set_flags(app.store, matter, changes, app.actor(), now=utc_now(), dry_run=dry_run,
                                rate_cap=app.settings.interest.annual_rate_cap)
    if app.as_json:
        app.emit_json({"dry_run": dry_run, "matter": m.as_json(),
                       "changes": {c.name: {"old": mf.to_json(c.old), "new": mf.to_json(c.new)} for c in done}})
        return
    verb = "would set" if dry_run else "set"
    said = ", ".join(f"{c.name} {mf.show(c.old)} -> {mf.show(c.new)}" for c in done) or "nothing changed"
    app.info(f"{verb} on matter {m.reference} of {m.client_name}: {said}.")
    _print(app, m)


@matter_group.command("show")
@click.argument("matter")
@pass_app
def matter_show(app: App, matter: str) -> None:
    """One matter's terms, each with where it came from (set here, from Odoo, or the default)."""
    m = service.show(app.store, matter)
    if app.as_json:
        app.emit_json(m.as_json())
        return
    _print(app, m)


@matter_group.command("list")
@click.option("--client", "client", metavar="NAME", help="Only this client's matters.")
@click.option("--flagged", is_flag=True, help="Only matters with a term set here or read from Odoo.")
@pass_app
def matter_list(app: App, client: str | None, flagged: bool) -> None:
    """The matters the desk knows, with their terms."""
    cid = resolve_client(app.store, client).id if client else None
    found = service.list_matters(app.store, cid, flagged)
    if app.as_json:
        app.emit_json([m.as_json() for m in found])
        return
    names = [f.name for f in mf.FLAGS]
    app.table(f"Matters: {len(found)}", ["Id", "Client", "Reference", *names],
              [[m.id, m.client_name, m.reference,
                *(mf.show(m.flags[n].value) + ("*" if m.flags[n].source == "local" else "") for n in names)]
               for m in found])
    app.info("* set here (wins over Odoo).")


COMMANDS = [matter_group]
