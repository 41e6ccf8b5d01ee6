"""Reminder emails: templates check, draft, the review queue, send, and outbox reconcile."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from overdue_reminder.cli.common import App, default_actor, parse_date, pass_app, today_for, utc_now
from overdue_reminder.core.reminder_text import check_templates
from overdue_reminder.errors import EXIT_SKIPPED, UsageError
from overdue_reminder.run.wiring import make_source, writeback_of
from overdue_reminder.services import delivery
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.carried_offers import carried_offers, record_carried
from overdue_reminder.services.planning import resolve_client
from overdue_reminder.sources import WriteBack


def _by_option(f: Any) -> Any:
    return click.option("--by", default=default_actor, show_default="$USER", metavar="NAME",
                        help="Who is acting (written to the audit log).")(f)




def _exit(code: int) -> None:
    if code:
        raise click.exceptions.Exit(code)


# ---------------------------------------------------------------- templates
@click.group("templates")
def templates_group() -> None:
    """The email templates (shipped, and the firm's own in [templates] dir)."""


@templates_group.command("check")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Date the sample reminders are drafted on (default today).")
@pass_app
def templates_check(app: App, on: str | None) -> None:
    """Render every tier in every language with sample data; report each error with template and line.

    Exit 1 if any template fails to compile or render, or leaves out the official payment channels
    or the verification phone number.
    """
    from overdue_reminder.core.letter_docx import check_letter_templates

    s = app.settings
    tiers = [t.name for t in s.policy.tiers]
    problems = check_templates(s, today_for(app, on), tiers=tiers)
    # Letters too: their text blocks must render, and never threaten criminal action (LAW.md #10).
    letter_problems = check_letter_templates(s)
    if app.as_json:
        app.emit_json({"ok": not problems and not letter_problems, "problems": [
            {"template": p.template, "line": p.line, "message": p.message} for p in problems],
            "letter_problems": letter_problems})
    elif problems or letter_problems:
        app.table(f"{len(problems) + len(letter_problems)} template problem(s)", ["template", "line", "problem"],
                  [(p.template, p.line, p.message) for p in problems] + [("letters", "", m) for m in letter_problems],
                  right=["line"], prose=["problem"])
    else:
        app.info("[green]ok[/green] every template renders for every language and tier (emails and letters)")
    _exit(EXIT_SKIPPED if problems or letter_problems else 0)


# ---------------------------------------------------------------- draft
def _plan(app: App, today: date) -> Any:
    from overdue_reminder.services import planning

    return planning.plan_from_store(app.store, app.settings, today)


@click.command("draft")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Run date (default: today in the firm's timezone).")
@click.option("--dry-run", is_flag=True, help="Render and count, but store nothing.")
@_by_option
@pass_app
def draft_cmd(app: App, on: str | None, dry_run: bool, by: str) -> None:
    """Turn tonight's plan into reminder drafts (one per client and tier; re-running adds nothing).

    Tiers marked auto_send are approved at once; the others wait in 'drafts list'. A client with no
    email address becomes a postal item; an invalid address is flagged and never tried.
    """
    today = today_for(app, on)
    plan = _plan(app, today)
    carried = carried_offers(app.store, app.settings, plan.actions, today)
    offers = {client: c.context for client, c in carried.items()}
    result = drafts.draft_plan(app.store, app.settings, plan, utc_now(), offers=offers, dry_run=dry_run, actor=by)
    if not dry_run:
        recorded = record_carried(app.store, app.settings, carried, plan.actions, today, utc_now(), actor=by)
        for rid, why in recorded.not_recorded:
            app.info(f"[yellow]offer not recorded[/yellow] reminder #{rid}: {why}")
    if app.as_json:
        app.emit_json({**result.summary(), "items": [i._asdict() for i in result.created]})
    else:
        prefix = "dry run: would create" if dry_run else "created"
        sm = result.summary()
        app.info(f"{prefix} {sm['created']} reminder(s) for {today}: {sm['awaiting_review']} awaiting review, "
                 f"{sm['auto_approved']} approved automatically; {sm['already_drafted']} already drafted today; "
                 f"{sm['letters_left_to_letters_service']} letter(s) left to 'letters'; "
                 f"{sm['superseded']} older unsent draft(s) superseded.")
        for i in result.postal:
            app.info(f"[yellow]postal[/yellow] #{i.id or '-'} {i.client_name}: {i.note}")
        for i in result.invalid:
            app.info(f"[red]invalid address[/red] #{i.id or '-'} {i.client_name} <{i.to_address}>: {i.note}")
    _exit(EXIT_SKIPPED if result.postal or result.invalid else 0)


# ---------------------------------------------------------------- the review queue
@click.group("drafts")
def drafts_group() -> None:
    """The review queue: list, show, approve, reject, edit reminders before they are sent."""


@drafts_group.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(drafts.STATUSES),
              help="Only these statuses (repeatable; default: everything awaiting someone).")
@click.option("--all", "show_all", is_flag=True, help="Every status.")
@click.option("--client", "client", metavar="NAME|ID", help="Only this client: Odoo id, exact name or a unique part.")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Only reminders drafted for this run date.")
@click.option("--limit", type=int, default=200, show_default=True, help="At most this many, newest first.")
@pass_app
def drafts_list(app: App, statuses: tuple[str, ...], show_all: bool, client: str | None, on: str | None,
                limit: int) -> None:
    """List reminders, newest first."""
    client_id = resolve_client(app.store, client).id if client else None
    wanted: tuple[str, ...] = () if show_all else statuses or (
        drafts.DRAFT, drafts.APPROVED, drafts.POSTAL, drafts.INVALID_ADDRESS, drafts.UNCONFIRMED, drafts.FAILED)
    rows = drafts.list_reminders(app.store, statuses=wanted, client_id=client_id, run_date=parse_date(on),
                                 limit=limit)
    if app.as_json:
        app.emit_json([_brief(r) for r in rows])
        return
    app.table(f"{len(rows)} reminder(s)", ["id", "date", "client", "tier", "status", "to", "total", "subject"],
              [(r.id, r.run_date, app.named(r.client_name, r.client_id),
                r.tier + (" (attorney)" if r.attorney_review else ""), r.status, r.to_address, _totals(r), r.subject)
               for r in rows], right=["id", "total"], prose=["subject"], optional=["subject", "to", "date"])


def _totals(r: drafts.Reminder) -> str:
    return ", ".join(f"{a:,} {c}" for c, a in r.totals.items())


def _brief(r: drafts.Reminder) -> dict[str, Any]:
    return {"id": r.id, "run_date": r.run_date, "client_id": r.client_id, "client_name": r.client_name,
            "tier": r.tier, "status": r.status, "to": r.to_address, "language": r.language, "subject": r.subject,
            "totals": {c: str(a) for c, a in r.totals.items()}, "invoice_ids": list(r.invoice_ids),
            "attorney_review": r.attorney_review, "message_id": r.message_id, "note": r.note}


@drafts_group.command("show")
@click.argument("reminder_id", type=int)
@click.option("--part", type=click.Choice(["summary", "text", "html", "subject"]), default="summary",
              show_default=True, help="What to print; 'text' or 'html' prints that part raw (for editing).")
@pass_app
def drafts_show(app: App, reminder_id: int, part: str) -> None:
    """Show one reminder: who, why, the numbers, and its text."""
    r = drafts.get_reminder(app.store, reminder_id)
    if part != "summary":
        click.echo({"text": r.body_text, "html": r.body_html, "subject": r.subject}[part], nl=part == "subject")
        return
    if app.as_json:
        app.emit_json({**_brief(r), "lines": list(r.lines), "why": r.why, "staff_notes": list(r.staff_notes),
                       "body_text": r.body_text, "decided_by": r.decided_by, "sent_at": r.sent_at,
                       "delivery_ref": r.delivery_ref, "reference": r.reference})
        return
    rows: list[tuple[str, Any]] = [
        ("Reminder", f"#{r.id} ({r.reference}), {r.status}"), ("Client", app.named(r.client_name, r.client_id)),
        ("Tier", r.tier + (" - needs the attorney's review" if r.attorney_review else "")),
        ("To", r.to_address or "(no email address: postal)"), ("Language", r.language),
        ("Invoices", ", ".join(str(ln.get("name")) for ln in r.lines)), ("Asks for", _totals(r)),
        ("Message-ID", r.message_id), ("Why", r.why)]
    rows += [("Staff note", n) for n in r.staff_notes]
    if r.note:
        rows.append(("Note", r.note))
    if r.decided_by:
        rows.append(("Decided by", f"{r.decided_by} at {app.when(r.decided_at)}" if r.decided_at else r.decided_by))
    if r.sent_at:
        rows.append(("Sent", f"{app.when(r.sent_at)} via {r.delivery_ref}"))
    app.table(f"Reminder #{r.id}", ["Field", "Value"], rows, prose=["Value"])
    app.paragraph(f"Subject: {r.subject}")
    app.text_block(r.body_text)


@drafts_group.command("approve")
@click.argument("reminder_ids", type=int, nargs=-1, required=True)
@click.option("--note", default="", help="A note for the audit log.")
@_by_option
@pass_app
def drafts_approve(app: App, reminder_ids: tuple[int, ...], note: str, by: str) -> None:
    """Approve drafts for sending (the next 'send' delivers them); cleared against today's holds and figures.

    A tier that needs the attorney's review is approved only by the responsible attorney or the supervising
    partner, signed in with --as (or a mapped operating-system account)."""
    done = drafts.approve(app.store, list(reminder_ids), app.actor(by), utc_now(), note=note, settings=app.settings)
    if app.as_json:
        app.emit_json([_brief(r) for r in done])
    else:
        app.info(f"approved {', '.join(f'#{r.id}' for r in done)}")


@drafts_group.command("reject")
@click.argument("reminder_id", type=int)
@click.option("--reason", required=True, help="Why it must not be sent (kept in the audit log).")
@_by_option
@pass_app
def drafts_reject(app: App, reminder_id: int, reason: str, by: str) -> None:
    """Reject a reminder: it will not be sent."""
    r = drafts.reject(app.store, reminder_id, by, utc_now(), reason)
    if app.as_json:
        app.emit_json(_brief(r))
    else:
        app.info(f"rejected #{r.id}")


@drafts_group.command("posted")
@click.argument("reminder_id", type=int)
@_by_option
@pass_app
def drafts_posted(app: App, reminder_id: int, by: str) -> None:
    """Record that a postal item (no email address) went out by post."""
    r = drafts.mark_posted(app.store, reminder_id, app.actor(by), utc_now(), settings=app.settings)
    if app.as_json:
        app.emit_json(_brief(r))
    else:
        app.info(f"#{r.id} recorded as posted")


def _read(path: Path | None) -> str | None:
    return None if path is None else path.read_text(encoding="utf-8")


@drafts_group.command("edit")
@click.argument("reminder_id", type=int)
@click.option("--subject", help="The new subject (one line).")
@click.option("--subject-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the new subject from this file.")
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Replace the plain-text part with this file (start from 'drafts show ID --part text'); "
                   "the HTML part is made from it.")
@click.option("--html-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Use this HTML part for the new text (needs --text-file; start from "
                   "'drafts show ID --part html').")
@_by_option
@pass_app
def drafts_edit(app: App, reminder_id: int, subject: str | None, subject_file: Path | None,
                text_file: Path | None, html_file: Path | None, by: str) -> None:
    """Replace the subject or the text (with its HTML part) of an unsent reminder; an approved one needs
    approving again. The new words pass the templates' checks (official channels, verification line,
    no threats, no other account numbers) or nothing changes."""
    if subject is not None and subject_file is not None:
        raise UsageError("give --subject or --subject-file, not both.")
    r = drafts.edit(app.store, app.settings, reminder_id, by, utc_now(),
                    subject=subject if subject is not None else _read(subject_file),
                    text=_read(text_file), html=_read(html_file))
    if app.as_json:
        app.emit_json(_brief(r))
    else:
        app.info(f"#{r.id} edited; it is a draft again: {r.subject}")


# ---------------------------------------------------------------- send
def _source_for_send(app: App) -> tuple[delivery.ResidualReader, WriteBack | None]:
    """The live source for the residual re-check (and Odoo mail/notes), else the store's last sync."""
    s = app.settings
    if s.source == "odoo":
        src = writeback_of(make_source(s))
        src.open()
        return src, src
    if s.delivery.mode == "odoo" or s.delivery.write_back_notes:
        raise UsageError("Odoo mail and chatter notes need source = \"odoo\".")
    app.info("[yellow]note[/yellow] the files source cannot be asked live: payments are checked against the "
             "last sync.")
    return delivery.StoreResiduals(app.store), None


def _print_send(app: App, result: delivery.SendResult) -> None:
    if app.as_json:
        app.emit_json({**result.summary(), "items": [vars(i) for i in result.items]})
        return
    if result.unconfirmed_found:
        app.info(f"[red]unconfirmed[/red] {len(result.unconfirmed_found)} reminder(s) were being sent when an "
                 f"earlier run stopped: {', '.join(f'#{i}' for i in result.unconfirmed_found)}. "
                 "They are not sent again; run 'overdue-reminder outbox reconcile'.")
    if not result.window_open:
        app.info(result.window_note)
        return
    if result.items:
        app.table(f"{'Dry run: ' if result.dry_run else ''}{len(result.items)} reminder(s) via {result.mode}",
                  ["id", "client", "tier", "to", "outcome", "detail"],
                  [(i.id, i.client_name, i.tier, i.to, i.outcome, i.detail) for i in result.items],
                  right=["id"], prose=["detail"], optional=["to", "tier"])
    else:
        app.info("nothing approved to send")
    if result.left_for_next_run:
        app.info(f"{result.left_for_next_run} approved reminder(s) left for the next run (per-run cap).")
    if result.stopped:
        app.info(f"[red]stopped[/red] {result.stopped}")


@click.command("send")
@click.option("--dry-run", is_flag=True, help="Show what would be sent or cancelled; send and change nothing.")
@click.option("--max", "max_messages", type=click.IntRange(min=1), help="Send at most N (and at most "
              "delivery.max_per_run).")
@_by_option
@pass_app
def send_cmd(app: App, dry_run: bool, max_messages: int | None, by: str) -> None:
    """Deliver approved reminders (outbox, SMTP or Odoo) inside the firm's send window, exactly once.

    Each invoice's balance is read again first: a reminder whose invoices were paid meanwhile is
    cancelled. Exit 1 when something needs attention (failed, unconfirmed, stopped).
    """
    s = app.settings
    residuals, source = _source_for_send(app)
    try:
        transport = delivery.make_transport(s, odoo=source)
        result = delivery.send_approved(app.store, s, utc_now(), transport=transport, residuals=residuals,
                                        notes=source if s.delivery.write_back_notes else None,
                                        max_messages=max_messages, dry_run=dry_run, actor=by)
    finally:
        if source is not None:
            source.close()
    _print_send(app, result)
    _exit(EXIT_SKIPPED if result.needs_attention else 0)


# ---------------------------------------------------------------- outbox reconcile
@click.group("outbox")
def outbox_group() -> None:
    """Reminders whose delivery is unconfirmed after a crash or a broken connection."""


@outbox_group.command("reconcile")
@click.option("--sent", "sent_ids", type=int, multiple=True, help="This one did go out (repeatable).")
@click.option("--resend", "resend_ids", type=int, multiple=True,
              help="This one did not go out: send it with the next 'send' (same Message-ID; repeatable).")
@click.option("--check-outbox", is_flag=True, help="Outbox mode: settle each by whether its .eml file exists.")
@_by_option
@pass_app
def outbox_reconcile(app: App, sent_ids: tuple[int, ...], resend_ids: tuple[int, ...], check_outbox: bool,
                     by: str) -> None:
    """Show unconfirmed reminders and settle them; nothing is re-sent without a decision.

    For SMTP, search the sent mail or the server log for the Message-ID shown; in outbox mode the
    .eml file's presence decides (--check-outbox).
    """
    s = app.settings
    now = utc_now()
    if sent_ids or resend_ids or check_outbox:
        done = delivery.settle(app.store, s, now, by, sent=sent_ids, resend=resend_ids, check_outbox=check_outbox)
        app.info(f"marked sent: {', '.join(f'#{i}' for i in done.sent) or 'none'}; "
                 f"queued to send again: {', '.join(f'#{i}' for i in done.resend) or 'none'}")
    items = delivery.unconfirmed(app.store, s, now, by)
    if app.as_json:
        app.emit_json([{**_brief(i.reminder), "in_outbox": i.in_outbox, "sending_at": i.reminder.sending_at}
                       for i in items])
    elif items:
        app.table(f"{len(items)} unconfirmed reminder(s)",
                  ["id", "client", "to", "sending since", "Message-ID", "outbox file"],
                  [(i.reminder.id, i.reminder.client_name, i.reminder.to_address, i.reminder.sending_at,
                    i.reminder.message_id, "-" if i.in_outbox is None else "present" if i.in_outbox else "missing")
                   for i in items], right=["id"], optional=["to", "sending since"])
        app.info("settle each with --sent ID or --resend ID" +
                 (", or all by the outbox with --check-outbox" if s.delivery.mode == "outbox" else ""))
    else:
        app.info("no unconfirmed reminders")
    _exit(EXIT_SKIPPED if items else 0)


COMMANDS = [templates_group, draft_cmd, drafts_group, send_cmd, outbox_group]

__all__ = ["COMMANDS", "default_actor"]
