"""`plan` (what tonight's run would do, and why) and `hold add|remove|list`."""

from __future__ import annotations

import dataclasses
from typing import Any

import click

from overdue_reminder.cli.common import App, default_actor, parse_date, pass_app, today_for
from overdue_reminder.core.policy import HOLD_KINDS, Hold
from overdue_reminder.model import Plan
from overdue_reminder.money import format_plain
from overdue_reminder.services import holds as holds_service
from overdue_reminder.services.planning import plan_from_store, resolve_client


def _amounts(totals: dict[str, Any]) -> str:
    return ", ".join(format_plain(a, c) for c, a in totals.items())


def plan_json(p: Plan) -> dict[str, Any]:
    actions = []
    for a in p.actions:
        d = dataclasses.asdict(a)
        d["why"] = a.why
        d["invoice_ids"] = list(a.invoice_ids)
        actions.append(d)
    return {"today": p.today, "actions": actions, "skipped": [dataclasses.asdict(s) for s in p.skipped]}


@click.command("plan")
@click.option("--client", "client", metavar="NAME", help="Only this client (Odoo id, exact name or a unique part).")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="Plan as of this date (default: today at the firm).")
@click.option("--all", "explain_all", is_flag=True,
              help="Also list clients on schedule (waiting for the next tier, or past the last one).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@pass_app
def plan_cmd(app: App, client: str | None, date_: str | None, explain_all: bool, as_json: bool) -> None:
    """Show what tonight's run would do for each client and why, and who is skipped. Changes nothing."""
    if as_json:
        app.as_json = True
    today = today_for(app, date_)
    ids = None
    if client:
        ids = [resolve_client(app.store, client).id]
    p = plan_from_store(app.store, app.settings, today, ids, explain_all=explain_all or bool(client))
    if app.as_json:
        app.emit_json(plan_json(p))
        return
    n = len(p.actions)
    app.table(f"Plan for {today.isoformat()}: {n} reminder{'' if n == 1 else 's'}",
              ["Client", "Matter", "Tier", "Channel", "Amount", "Days", "Grade"],
              [[app.named(a.client_name, a.client_id), a.matter_ref or "all", a.tier,
                a.channel + (" (attorney review)" if a.attorney_review else ""), _amounts(a.totals),
                a.max_days_past_due, a.grade] for a in p.actions],
              right=["Amount", "Days"], optional=["Grade", "Matter", "Channel"])
    for a in p.actions:
        head = f"{a.client_name}" + (f" / {a.matter_ref}" if a.matter_ref else "") + f" - {a.tier}:"
        app.console.out("")
        app.paragraph(f"{head} {a.why}")
        for note in a.staff_notes:
            app.paragraph(f"! {note}", indent=2)
    if p.skipped:
        app.console.print()
        app.table(f"Skipped: {len(p.skipped)}", ["Client", "Matter", "Because", "Reason"],
                  [[s.client_name, s.matter_ref or "all", s.kind, s.reason] for s in p.skipped], prose=["Reason"],
                  optional=["Matter"])
    app.info("Nothing was changed: this is what a run on that date would do.")


# ---------------------------------------------------------------- holds
def _hold_rows(app: App, items: list[Hold], names: dict[int, str], inv_names: dict[int, str]) -> list[list[Any]]:
    return [[h.id, app.named(names.get(h.client_id, f"#{h.client_id}"), h.client_id), h.kind,
             app.named(inv_names.get(h.invoice_id, f"#{h.invoice_id}"), h.invoice_id) if h.invoice_id else "all",
             h.reason, h.created_by, h.created_at, h.until.isoformat() if h.until else "",
             f"{h.removed_by} {app.when(h.removed_at)}" if h.removed_at else "", h.source_ref or ""] for h in items]


def _hold_json(h: Hold) -> dict[str, Any]:
    return dataclasses.asdict(h)


def _names(app: App, items: list[Hold]) -> tuple[dict[int, str], dict[int, str]]:
    return holds_service.labels(app.store, items)


def _show(app: App, title: str, items: list[Hold]) -> None:
    if app.as_json:
        app.emit_json([_hold_json(h) for h in items])
        return
    names, inv = _names(app, items)
    app.table(title, ["#", "Client", "Kind", "Invoice", "Reason", "By", "Since", "Until", "Removed", "Source"],
              _hold_rows(app, items, names, inv), right=["#"], prose=["Reason", "Removed"],
              optional=["Source", "Removed", "By", "Since", "Until"])


def _invoice_id(app: App, client_id: int, value: str) -> int:
    return holds_service.invoice_id(app.store, client_id, value)


@click.group("hold")
def hold_group() -> None:
    """Stop contact with a client or on one invoice: dispute, bankruptcy, payment plan, pause…"""


@hold_group.command("add")
@click.option("--client", "client", required=True, metavar="NAME", help="Odoo id, exact name or a unique part.")
@click.option("--kind", type=click.Choice(HOLD_KINDS), required=True, help="Why contact stops.")
@click.option("--reason", required=True, help="A sentence for the next person: what happened, who asked.")
@click.option("--until", "until", metavar="YYYY-MM-DD", help="Last day of the hold (default: until removed).")
@click.option("--invoice", "invoice", metavar="NUMBER", help="Only this invoice (number or Odoo id).")
@click.option("--by", "by", default=default_actor, show_default="$USER", help="Who places the hold (audit).")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@pass_app
def hold_add(app: App, client: str, kind: str, reason: str, until: str | None, invoice: str | None, by: str,
             dry_run: bool) -> None:
    """Place a hold: no reminder goes to the client (or for the invoice) while it is active."""
    ref = resolve_client(app.store, client)
    invoice_id = _invoice_id(app, ref.id, invoice) if invoice else None
    h = holds_service.add_hold(app.store, client_id=ref.id, kind=kind, reason=reason, by=app.actor(by),
                               until=parse_date(until, "--until"), invoice_id=invoice_id, dry_run=dry_run)
    if app.as_json:
        app.emit_json({"dry_run": dry_run, "hold": _hold_json(h)})
        return
    what = f"on invoice {invoice}" if invoice else "on all contact"
    prefix = "would place" if dry_run else f"placed hold #{h.id}"
    app.info(f"{prefix}: {kind} {what} with {ref.name}" + (f" until {h.until}" if h.until else "") + ".")


@hold_group.command("remove")
@click.argument("hold_id", type=int)
@click.option("--reason", default="", help="Why the hold ends (kept in the audit log).")
@click.option("--by", "by", default=default_actor, show_default="$USER", help="Who removes the hold (audit).")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@pass_app
def hold_remove(app: App, hold_id: int, reason: str, by: str, dry_run: bool) -> None:
    """End a hold now; the record stays."""
    h = holds_service.remove_hold(app.store, hold_id, by=app.actor(by), reason=reason, dry_run=dry_run)
    if app.as_json:
        app.emit_json({"dry_run": dry_run, "hold": _hold_json(h)})
        return
    app.info(f"{'would remove' if dry_run else 'removed'} hold #{h.id} ({h.kind}).")


@hold_group.command("list")
@click.option("--client", "client", metavar="NAME", help="Only this client.")
@click.option("--all", "include_all", is_flag=True, help="Also removed and expired holds.")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="Active on this date (default: today at the firm).")
@pass_app
def hold_list(app: App, client: str | None, include_all: bool, date_: str | None) -> None:
    """List holds in force (or all of them with --all)."""
    cid = resolve_client(app.store, client).id if client else None
    items = holds_service.list_holds(app.store, today_for(app, date_), client_id=cid, include_inactive=include_all)
    _show(app, f"Holds: {len(items)}", items)


COMMANDS = [plan_cmd, hold_group]
