"""`overdue-reminder letters …`: the attorney's review queue for escalation letters, and served notices."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from overdue_reminder.cli.common import App, default_actor, parse_date, pass_app, today_for
from overdue_reminder.cli.names import client_name, client_names, invoice_numbers
from overdue_reminder.config import SERVICE_METHODS
from overdue_reminder.core.letter_docx import sample_letters
from overdue_reminder.errors import UsageError
from overdue_reminder.run.wiring import open_writeback
from overdue_reminder.services.letters import (
    Letter,
    approve_letter,
    audit_trail,
    get_letter,
    list_letters,
    reject_letter,
    release_letter,
)
from overdue_reminder.services.notices import list_notices, notice_kinds, record_notice, resolve_client
from overdue_reminder.sources import WriteBack


def _writeback(app: App, dry_run: bool) -> AbstractContextManager[WriteBack | None]:
    """The Odoo connector when letters.write_back is on; a decision never waits on Odoo being reachable."""
    return open_writeback(app.settings, not dry_run and app.settings.letters.write_back,
                          lambda msg: app.err.print(f"[yellow]warning[/yellow]: {msg}"))


def _amounts(letter: Letter) -> str:
    return ", ".join(f"{v:,} {c}" for c, v in letter.totals.items())


def _as_dict(letter: Letter) -> dict[str, Any]:
    return asdict(letter)


@click.group("letters")
def letters_group() -> None:
    """Escalation letters awaiting an attorney's review: list, show, approve, reject, release."""


@letters_group.command("list")
@click.option("--attorney", metavar="EMAIL", help="Only letters assigned to this attorney.")
@click.option("--status", type=click.Choice(["awaiting_review", "approved", "rejected", "sent"]),
              help="Only letters in this state.")
@click.option("--client", "client", metavar="NAME|ID", help="Only this client's letters.")
@pass_app
def letters_list(app: App, attorney: str | None, status: str | None, client: str | None) -> None:
    """List letters with their state, assigned attorney and amount due."""
    client_id = None
    if client:
        with app.store.begin() as conn:
            client_id = resolve_client(conn, client).id
    items = list_letters(app.store, attorney=attorney, status=status, client_id=client_id)
    if app.as_json:
        app.emit_json([_as_dict(lt) for lt in items])
        return
    app.table(f"Letters: {len(items)}", ["ID", "Client", "Kind", "Run date", "Status", "Attorney", "Amount due",
                                         "Flags"],
              [(lt.id, app.named(lt.client_name, lt.client_id), lt.kind, lt.run_date, lt.status, lt.attorney_email,
                _amounts(lt), ", ".join(lt.flags)) for lt in items],
              right=["ID", "Amount due"], prose=["Flags"], optional=["Flags", "Kind", "Attorney"])


@letters_group.command("show")
@click.argument("letter_id", type=int)
@pass_app
def letters_show(app: App, letter_id: int) -> None:
    """Show one letter: its files, summary, decision and audit trail."""
    lt = get_letter(app.store, letter_id)
    trail = audit_trail(app.store, letter_id)
    if app.as_json:
        app.emit_json({**_as_dict(lt), "audit": trail})
        return
    rows: list[tuple[str, Any]] = [
        ("Client", app.named(lt.client_name, lt.client_id)), ("Kind / tier", f"{lt.kind} / {lt.tier}"),
        ("Run date", lt.run_date), ("Status", lt.status), ("Assigned to", lt.attorney_email),
        ("Matters", ", ".join(lt.matter_refs)), ("Invoices", ", ".join(invoice_numbers(app, lt.invoice_ids))),
        ("Amount due", _amounts(lt)), ("Jurisdiction", lt.jurisdiction or "(none)"),
        ("Flags", ", ".join(lt.flags)), ("Draft", lt.path), ("Draft PDF", lt.pdf_path or ""),
        ("Draft sha256", lt.sha256),
    ]
    if lt.decided_by:
        rows += [("Decided by", f"{lt.decided_by} at {app.when(lt.decided_at)}" if lt.decided_at else lt.decided_by)]
    if lt.reason:
        rows.append(("Reason", lt.reason))
    if lt.approved_path:
        rows += [("Final copy", lt.approved_path), ("Approved sha256", lt.approved_sha256 or ""),
                 ("Final PDF", lt.approved_pdf_path or "")]
    if lt.released_by:
        rows.append(("Released by", f"{lt.released_by} at {app.when(lt.released_at)}"
                     if lt.released_at else lt.released_by))
    if lt.notice_kind:
        rows.append(("Notice", lt.notice_kind + (f", served {lt.served_on} by {lt.served_method}" if lt.served_method
                                                 else ", service not recorded")))
    rows += [("Enclosure", f"{e['form']}: {e['path']}") for e in lt.enclosures]
    if lt.odoo_activity_id:
        rows.append(("Odoo activity", lt.odoo_activity_id))
    app.table(f"Letter {lt.id}", ["Field", "Value"], rows, prose=["Value"])
    app.table("Audit", ["When", "Who", "What"], [(a["at"], a["actor"], a["action"]) for a in trail], prose=["What"])


@letters_group.command("approve")
@click.argument("letter_id", type=int)
@click.option("--edited", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE.docx",
              help="Approve your edited version of the draft instead of the draft itself.")
@click.option("--by", default=default_actor, show_default="$USER", metavar="NAME",
              help="A name for the record only: the deciding attorney proves who they are with --as (or a mapped "
                   "operating-system account).")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@pass_app
def letters_approve(app: App, letter_id: int, edited: Path | None, by: str, dry_run: bool) -> None:
    """Approve a letter: writes the final copy without the DRAFT marker and records its sha256."""
    with _writeback(app, dry_run) as wb:
        who = app.actor(by)
        lt = approve_letter(app.store, app.settings, letter_id, who, edited=edited, writeback=wb, dry_run=dry_run)
    by = who.name
    if app.as_json:
        app.emit_json({**_as_dict(lt), "dry_run": dry_run})
    elif dry_run:
        app.info(f"dry run: letter {lt.id} would be approved by {by}; nothing written.")
    else:
        app.info(f"letter {lt.id} approved by {by}: {lt.approved_path} (sha256 {lt.approved_sha256})")


@letters_group.command("reject")
@click.argument("letter_id", type=int)
@click.option("--reason", required=True, help="Why the letter must not go out (kept in the audit log).")
@click.option("--by", default=default_actor, show_default="$USER", metavar="NAME",
              help="A name for the record only: the deciding attorney proves who they are with --as (or a mapped "
                   "operating-system account).")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@pass_app
def letters_reject(app: App, letter_id: int, reason: str, by: str, dry_run: bool) -> None:
    """Reject a letter with a reason; it will not be sent."""
    with _writeback(app, dry_run) as wb:
        who = app.actor(by)
        lt = reject_letter(app.store, app.settings, letter_id, who, reason, writeback=wb, dry_run=dry_run)
    by = who.name
    if app.as_json:
        app.emit_json({**_as_dict(lt), "dry_run": dry_run})
    elif dry_run:
        app.info(f"dry run: letter {lt.id} would be rejected by {by}; nothing written.")
    else:
        app.info(f"letter {lt.id} rejected by {by}.")


@letters_group.command("release")
@click.argument("letter_id", type=int)
@click.option("--by", default=default_actor, show_default="$USER", help="Who sends the letter out.")
@click.option("--served-method", type=click.Choice(SERVICE_METHODS),
              help="How the letter is served today; a fee-arbitration notice it carries counts only with this.")
@click.option("--dry-run", is_flag=True, help="Check the letter can go out, mark nothing.")
@pass_app
def letters_release(app: App, letter_id: int, by: str, served_method: str | None, dry_run: bool) -> None:
    """Check an approved letter is unchanged and mark it sent; prints the file and the enclosures to mail."""
    who = app.actor(by)
    lt, path = release_letter(app.store, app.settings, letter_id, who, today=today_for(app), dry_run=dry_run,
                              served_method=served_method)
    by = who.name
    files = [str(e["path"]) for e in lt.enclosures]
    if app.as_json:
        app.emit_json({**_as_dict(lt), "file": str(path), "enclosure_files": files, "dry_run": dry_run})
        return
    if dry_run:
        app.info(f"dry run: letter {lt.id} may go out: {path}")
    else:
        app.info(f"letter {lt.id} released by {by}: send {path}")
    for f in files:
        app.info(f"  enclose {f}")
    if lt.notice_kind and not served_method and not dry_run:
        app.info(f"  the {lt.notice_kind} notice it carries counts for refer-to-suit only once its service is "
                 f"recorded: 'overdue-reminder letters notice --letter {lt.id} …'")


@letters_group.command("notice")
@click.option("--client", required=True, metavar="NAME|ID", help="The client served.")
@click.option("--kind", required=True, metavar="KIND",
              help="Notice kind, e.g. ny_part137, ca_mfaa, nj_pre_action or fee_arbitration.")
@click.option("--served-on", required=True, metavar="YYYY-MM-DD", help="The day the notice was served.")
@click.option("--method", required=True, type=click.Choice(SERVICE_METHODS), help="How it was served.")
@click.option("--letter", "letter_id", type=int, metavar="ID",
              help="The released letter that carried the notice (without it the entry does not count).")
@click.option("--by", default=default_actor, show_default="$USER", help="Who records it.")
@click.option("--dry-run", is_flag=True, help="Check the entry, record nothing.")
@pass_app
def letters_notice(app: App, client: str, kind: str, served_on: str, method: str, letter_id: int | None, by: str,
                   dry_run: bool) -> None:
    """Record that a fee-arbitration notice was served (refer-to-suit waits for it, LAW.md #9). Only a notice
    carried by a released letter, served on or after its release, counts."""
    day = parse_date(served_on, "--served-on")
    assert day is not None
    if kind not in notice_kinds(app.settings):
        raise UsageError(f"unknown notice kind {kind!r}; use one of: {', '.join(notice_kinds(app.settings))}.")
    n = record_notice(app.store, app.settings, client, kind, day, method, by, today=today_for(app), dry_run=dry_run,
                      letter_id=letter_id)
    if app.as_json:
        app.emit_json({**asdict(n), "dry_run": dry_run})
    else:
        verb = "would record" if dry_run else "recorded"
        app.info(f"{verb} {kind} notice for {client_name(app, n.client_id)}, served {n.served_on} by {method}")
        if letter_id is None:
            app.info("  it does not count for refer-to-suit: only a notice carried by a released letter counts "
                     "(--letter ID; rule: Fee arbitration before suit)")


@letters_group.command("notices")
@click.option("--client", metavar="NAME|ID", help="Only this client's notices.")
@pass_app
def letters_notices(app: App, client: str | None) -> None:
    """List the fee-arbitration notices recorded as served."""
    client_id = None
    if client:
        with app.store.begin() as conn:
            client_id = resolve_client(conn, client).id
    items = list_notices(app.store, client_id)
    if app.as_json:
        app.emit_json([asdict(n) for n in items])
        return
    names = client_names(app, [n.client_id for n in items])
    app.table("Notices served", ["ID", "Client", "Kind", "Served on", "Method", "Letter", "Recorded by"],
              [(n.id, names[n.client_id], n.kind, n.served_on, n.method, n.letter_id or "- (does not count)",
                n.recorded_by) for n in items],
              right=["ID"], optional=["Recorded by", "Method"])


@letters_group.command("sample")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@pass_app
def letters_sample(app: App, out_dir: Path) -> None:
    """Write one sample DRAFT letter per shipped language (a made-up client) to OUT_DIR."""
    paths = sample_letters(app.settings, out_dir)
    if app.as_json:
        app.emit_json([str(p) for p in paths])
    else:
        for p in paths:
            app.info(f"wrote {p}")


COMMANDS = [letters_group]
