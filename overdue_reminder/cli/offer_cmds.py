"""`contact log|list|check` (what the client said) and `offer suggest|propose|approve|reject|accept|decline|
show|list|match` (negotiation terms within the firm's authority)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import click
from rich.markup import escape

from overdue_reminder.cli.common import App, default_actor, parse_date, pass_app, today_for, utc_now
from overdue_reminder.cli.names import client_name, client_names
from overdue_reminder.config import OFFER_REASONS
from overdue_reminder.core.offers import (
    Frequency,
    NoOffer,
    Offer,
    Suggestion,
    combined,
    extension,
    installment_plan,
    offer_context,
    settlement,
    to_json,
)
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.money import format_plain, is_currency, percent_of, quantize
from overdue_reminder.run.wiring import note_sink
from overdue_reminder.services import contacts as contact_service
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services.planning import resolve_client
from overdue_reminder.store import read_audit


def _amount(value: str | None, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        d = Decimal(value.replace(",", "").strip())
    except InvalidOperation as exc:
        raise UsageError(f"{what} must be an amount such as 250.00, got {value!r}.") from exc
    if not d.is_finite():
        raise UsageError(f"{what} must be a finite amount, got {value!r}.")
    return d


def _currency(app: App, client_id: int, given: str | None) -> str:
    if given:
        code = given.upper()
        if not is_currency(code):
            raise UsageError(f"unknown currency {given!r}; use an ISO code such as USD.")
        return code
    with app.store.begin() as conn:
        owed = contact_service.open_currencies(conn, client_id)
    if len(owed) == 1:
        return owed[0]
    if not owed:
        raise UsageError("the client has no open invoices; pass --currency for the promise or offer.")
    raise UsageError(f"the client owes in {', '.join(owed)}: pick one with --currency (never mixed).")


def _note_sink(app: App) -> offer_service.NoteSink | None:
    """Odoo's chatter, when the firm writes back to Odoo."""
    return note_sink(app.settings)


def _dry(app: App, dry_run: bool) -> None:
    if dry_run:
        app.info("[yellow]dry run: nothing was written[/yellow]")


# ---------------------------------------------------------------- contact
@click.group("contact")
def contact_group() -> None:
    """The contact log: why the client is late, and promises to pay."""


@contact_group.command("log")
@click.option("--client", "client", required=True, metavar="NAME", help="Odoo id, exact name or a unique part.")
@click.option("--reason", type=click.Choice(OFFER_REASONS), required=True,
              help="What the client gave as the reason; it chooses the suggested terms.")
@click.option("--note", default="", help="What was said, briefly (no privileged detail).")
@click.option("--promise-date", metavar="YYYY-MM-DD", help="The client promised to pay by this date.")
@click.option("--promise-amount", metavar="AMOUNT", help="…this amount (with --promise-date).")
@click.option("--currency", metavar="CODE", help="Currency of the promise (default: the one the client owes).")
@click.option("--arbitration-requested", is_flag=True,
              help="The client asked for fee arbitration: contact stops and refer-to-suit waits until it is over.")
@click.option("--by", default=default_actor, show_default="$USER", help="Who spoke to the client (audit).")
@click.option("--dry-run", is_flag=True, help="Check and show; write nothing.")
@pass_app
def contact_log(app: App, client: str, reason: str, note: str, promise_date: str | None, promise_amount: str | None,
                currency: str | None, arbitration_requested: bool, by: str, dry_run: bool) -> None:
    """Record a conversation with the client. A promise to pay holds reminders until its date plus grace;
    a dispute stops contact and goes to the responsible attorney."""
    ref = resolve_client(app.store, client)
    promise = None
    if (promise_date is None) != (promise_amount is None):
        raise UsageError("a promise needs both --promise-date and --promise-amount.")
    if promise_date is not None:
        on = parse_date(promise_date, "--promise-date")
        amount = _amount(promise_amount, "--promise-amount")
        assert on is not None and amount is not None
        promise = contact_service.Promise(on, amount, _currency(app, ref.id, currency))
    logged = contact_service.log_contact(app.store, app.settings, client_id=ref.id, reason=reason, note=note, by=by,
                                         now=utc_now(), promise=promise, dry_run=dry_run,
                                         arbitration_requested=arbitration_requested)
    c = logged.contact
    if app.as_json:
        app.emit_json({"contact_id": c.id, "client_id": c.client_id, "reason": c.reason, "hold_ids": logged.hold_ids,
                       "to_attorney": logged.to_attorney,
                       "attorney": (logged.attorney.email or logged.attorney.name) if logged.attorney else None,
                       "promise": None if c.promise is None else {"date": c.promise.on, "amount": c.promise.amount,
                                                                  "currency": c.promise.currency},
                       "dry_run": dry_run})
        return
    app.info(f"contact #{c.id} logged for {ref.name}: {contact_service.REASON_LABELS[c.reason]}")
    if c.promise is not None:
        app.info(f"promise: {format_plain(c.promise.amount, c.promise.currency)} by {c.promise.on}; "
                 "reminders hold until then plus grace")
    if logged.to_attorney:
        who = logged.attorney.name if logged.attorney else (app.settings.offers.supervising_partner or "an attorney")
        what = "fee arbitration requested" if arbitration_requested else "dispute"
        app.info(f"[bold]{what}:[/bold] contact stops; the matter goes to {who} (no offer; fee arbitration next)")
    _dry(app, dry_run)


@contact_group.command("list")
@click.option("--client", "client", metavar="NAME", help="Only this client.")
@click.option("--limit", type=int, default=50, show_default=True, help="Most recent first.")
@pass_app
def contact_list(app: App, client: str | None, limit: int) -> None:
    """The contact log, most recent first, with promises and their status."""
    client_id = resolve_client(app.store, client).id if client else None
    rows = contact_service.list_contacts(app.store, client_id, limit)
    if app.as_json:
        app.emit_json([{"id": c.id, "client_id": c.client_id, "at": c.at, "by": c.by, "reason": c.reason,
                        "note": c.note, "promise_date": c.promise.on if c.promise else None,
                        "promise_amount": c.promise.amount if c.promise else None,
                        "promise_currency": c.promise.currency if c.promise else None,
                        "promise_status": c.promise_status} for c in rows])
        return
    names = client_names(app, [c.client_id for c in rows])
    app.table(f"{len(rows)} contacts", ["#", "When", "Client", "By", "Reason", "Note", "Promise"],
              [[c.id, c.at, names[c.client_id], c.by, contact_service.REASON_LABELS.get(c.reason, c.reason), c.note,
                f"{format_plain(c.promise.amount, c.promise.currency)} by {c.promise.on} ({c.promise_status or 'open'})"
                if c.promise else ""] for c in rows], right=["#"], prose=["Note", "Reason"],
              optional=["By", "When", "Reason"])


@contact_group.command("check")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="As of this day (default: today at the firm).")
@click.option("--dry-run", is_flag=True, help="Show what would be settled; write nothing.")
@pass_app
def contact_check(app: App, date_: str | None, dry_run: bool) -> None:
    """Settle open promises to pay: kept once paid, broken once the date plus grace passed (hold lifted)."""
    today = today_for(app, date_)
    results = contact_service.check_promises(app.store, app.settings, today, now=utc_now(), dry_run=dry_run)
    if app.as_json:
        app.emit_json([{"contact_id": r.contact_id, "client_id": r.client_id, "status": r.status,
                        "promised": r.promised, "currency": r.currency, "received": r.received,
                        "deadline": r.deadline} for r in results] if not dry_run else
                      {"dry_run": True, "results": [{"contact_id": r.contact_id, "status": r.status}
                                                    for r in results]})
        return
    names = client_names(app, [r.client_id for r in results])
    app.table(f"{len(results)} open promises checked on {today}",
              ["Contact", "Client", "Promised", "Received", "Deadline", "Status"],
              [[r.contact_id, names[r.client_id], format_plain(r.promised, r.currency),
                format_plain(r.received, r.currency), r.deadline, r.status] for r in results],
              right=["Contact", "Promised", "Received"])
    _dry(app, dry_run)


# ---------------------------------------------------------------- offer
@click.group("offer")
def offer_group() -> None:
    """Negotiation offers: installments, settlements, extensions, within the firm's authority."""


def _suggestion_json(s: offer_service.ClientSuggestion) -> dict[str, Any]:
    out: dict[str, Any] = {"client_id": s.client_id, "client": s.client_name, "currency": s.currency,
                           "balance": s.balance, "reason": s.reason, "reason_from": s.reason_from, "grade": s.grade,
                           "grade_why": list(s.grade_why)}
    if isinstance(s.result, NoOffer):
        out.update(offer=None, no_offer=s.result.reason, to_attorney=s.result.to_attorney)
    else:
        out.update(offer=to_json(s.result.offer), authority=s.result.decision.level,
                   authority_reasons=list(s.result.decision.reasons), written_terms=s.result.decision.written_terms,
                   explanation=s.result.explanation, alternatives=[to_json(a) for a in s.result.alternatives])
    return out


def _show_schedule(app: App, title: str, offer: Offer, paid: Any = None) -> None:
    rows = []
    for i, item in enumerate(offer.schedule):
        row: list[Any] = [item.seq, item.label.replace("_", " "), item.due, format_plain(item.amount, offer.currency)]
        if paid is not None:
            row += [format_plain(paid[i].paid, offer.currency), paid[i].status]
        rows.append(row)
    cols = ["#", "Payment", "Due", "Amount"] + (["Paid", "Status"] if paid is not None else [])
    app.table(title, cols, rows, right=["Amount", "Paid"])


@offer_group.command("suggest")
@click.option("--client", "client", required=True, metavar="NAME", help="Odoo id, exact name or a unique part.")
@click.option("--reason", type=click.Choice(OFFER_REASONS), help="Default: the reason in the last contact logged.")
@click.option("--grade", type=click.Choice(["A", "B", "C", "D"]), help="Default: the client's grade from history.")
@click.option("--currency", metavar="CODE", help="Only this currency (default: each currency owed).")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="As of this day (default: today at the firm).")
@pass_app
def offer_suggest(app: App, client: str, reason: str | None, grade: str | None, currency: str | None,
                  date_: str | None) -> None:
    """Suggest terms from the client's reason, balance and grade and the firm's settings. Writes nothing;
    `offer propose --suggested` stores the suggestion."""
    ref = resolve_client(app.store, client)
    today = today_for(app, date_)
    found = offer_service.suggest_for_client(app.store, app.settings, ref.id, today, reason=reason, grade=grade,
                                             currency=currency.upper() if currency else None)
    if app.as_json:
        app.emit_json([_suggestion_json(s) for s in found])
        return
    if not found:
        app.info(f"{ref.name} owes nothing: no offer.")
    for s in found:
        app.info(f"[bold]{s.client_name}[/bold] owes {format_plain(s.balance, s.currency)}; reason "
                 f"'{s.reason}' ({s.reason_from}); grade {s.grade}")
        if isinstance(s.result, NoOffer):
            app.info(f"no offer: {s.result.reason}")
            continue
        res: Suggestion = s.result
        app.info(offer_service.summary(res.offer))
        _show_schedule(app, f"Suggested {res.offer.kind}", res.offer)
        who = {"staff": "within staff authority", "attorney": "needs the responsible attorney",
               "partner": "needs the supervising partner", "refused": "beyond the firm's floors"}[res.decision.level]
        app.info(f"authority: {who}" + (f" ({res.decision.why})" if res.decision.reasons else ""))
        for alt in res.alternatives:
            app.info(f"alternative: {offer_service.summary(alt)}")


def _build(app: App, client_id: int, currency: str, today: date, kind: str, installments: int | None,
           frequency: str | None, down_payment: str | None, down_percent: str | None, start: str | None,
           discount: str | None, pay_by: str | None, days: int | None, interest: str | None,
           security: str) -> Offer:
    """Terms from the command line, on what the client owes in that currency today."""
    with app.store.begin() as conn:
        balance = contact_service.open_residual(conn, client_id, currency)
    if balance <= 0:
        raise UsageError(f"the client owes nothing in {currency}.")
    cal = app.settings.calendar()
    freq = Frequency(frequency or app.settings.offers.default_frequency)
    disc = _amount(discount, "--discount") or Decimal(0)
    rate = _amount(interest, "--interest") or Decimal(0)

    def down(base: Decimal) -> Decimal:
        if down_payment is not None and down_percent is not None:
            raise UsageError("give --down-payment or --down-percent, not both.")
        if down_percent is not None:
            return percent_of(base, _amount(down_percent, "--down-percent") or Decimal(0), currency)
        return quantize(_amount(down_payment, "--down-payment") or Decimal(0), currency)

    if kind == "installments":
        if not installments:
            raise UsageError("an installment plan needs --installments N.")
        first = parse_date(start, "--start") or today
        return installment_plan(balance, currency, installments, freq, down(balance), first, cal, offered_on=today,
                                interest_percent=rate, security=security)
    if kind == "settlement":
        if not disc:
            raise UsageError("a settlement needs --discount PERCENT.")
        by_day = parse_date(pay_by, "--pay-by") or today + timedelta(days=app.settings.offers.settlement_days)
        return settlement(balance, currency, disc, by_day, cal, offered_on=today)
    if kind == "extension":
        if not days:
            raise UsageError("an extension needs --days N.")
        return extension(balance, currency, days, cal, today=today)
    payable = balance - percent_of(balance, disc, currency)
    return combined(balance, currency, cal, today=today, discount_percent=disc, extension_days=days or 0,
                    n=installments or 0, frequency=freq, down_payment=down(payable), interest_percent=rate,
                    security=security)


def _record_json(r: offer_service.OfferRecord) -> dict[str, Any]:
    return {"id": r.id, "client_id": r.client_id, "kind": r.kind, "currency": r.currency, "balance": r.balance,
            "status": r.status, "needs": r.needs, "reason": r.reason, "assigned_to": r.assigned_to,
            "written_terms": r.written_terms, "written_terms_ref": r.written_terms_ref or None,
            "summary": offer_service.summary(r.offer), "terms": to_json(r.offer),
            "schedule": [{"seq": s.seq, "label": s.label, "due": s.due, "amount": s.amount, "paid": s.paid,
                          "status": s.status} for s in r.schedule],
            "created_by": r.created_by, "created_at": r.created_at, "decided_by": r.decided_by,
            "decided_at": r.decided_at, "accepted_by": r.accepted_by, "accepted_at": r.accepted_at,
            "closed_at": r.closed_at, "hold_id": r.hold_id, "paid": r.paid, "invoice_ids": list(r.invoice_ids),
            "origin": r.origin or None}


def _report(app: App, r: offer_service.OfferRecord, verb: str, dry_run: bool = False) -> None:
    if app.as_json:
        app.emit_json({**_record_json(r), "dry_run": dry_run})
        return
    app.info(f"offer #{r.id} {verb}" + ("" if r.status == "refused" else f": now {r.status.replace('_', ' ')}")
             + (f", assigned to {r.assigned_to}" if r.assigned_to and r.status == "awaiting_attorney" else ""))
    app.info(offer_service.summary(r.offer))
    if r.reason:
        app.info(f"why: {r.reason}")
    _dry(app, dry_run)


@offer_group.command("propose")
@click.option("--client", "client", required=True, metavar="NAME", help="Odoo id, exact name or a unique part.")
@click.option("--suggested", is_flag=True, help="Propose what `offer suggest` suggests (reason, grade as there).")
@click.option("--kind", type=click.Choice(["installments", "settlement", "extension", "combined"]),
              help="The kind of terms (unless --suggested).")
@click.option("--currency", metavar="CODE", help="Default: the one currency the client owes.")
@click.option("--installments", type=int, help="Number of installments (installments, combined).")
@click.option("--frequency", type=click.Choice([f.value for f in Frequency]), help="Default: [offers] setting.")
@click.option("--down-payment", metavar="AMOUNT", help="Down payment, due on --start.")
@click.option("--down-percent", metavar="PERCENT", help="Down payment as a percentage of the balance.")
@click.option("--start", metavar="YYYY-MM-DD", help="First payment date (default: today; moved to a business day).")
@click.option("--discount", metavar="PERCENT", help="Settlement discount (settlement, combined).")
@click.option("--pay-by", metavar="YYYY-MM-DD", help="Settlement pay-by date (default: [offers] settlement_days).")
@click.option("--days", type=int, help="Extension in days (extension, combined).")
@click.option("--interest", metavar="PERCENT", help="Interest added to a plan: needs the attorney's written terms.")
@click.option("--security", default="", help="Security taken for a plan: needs the attorney's written terms.")
@click.option("--reason", type=click.Choice(OFFER_REASONS), help="The client's reason (default: last contact).")
@click.option("--grade", type=click.Choice(["A", "B", "C", "D"]), help="With --suggested: override the grade.")
@click.option("--by", default=default_actor, show_default="$USER", help="Who proposes (audit).")
@click.option("--dry-run", is_flag=True, help="Check authority and show the outcome; write nothing.")
@pass_app
def offer_propose(app: App, client: str, suggested: bool, kind: str | None, currency: str | None,
                  installments: int | None, frequency: str | None, down_payment: str | None, down_percent: str | None,
                  start: str | None, discount: str | None, pay_by: str | None, days: int | None, interest: str | None,
                  security: str, reason: str | None, grade: str | None, by: str, dry_run: bool) -> None:
    """Propose terms. Within staff authority they are ready for the client; beyond it they wait for the
    responsible attorney (or the supervising partner); beyond the firm's floors they are refused (exit 2)."""
    ref = resolve_client(app.store, client)
    today = app.settings.calendar().local_today(utc_now())
    cur = _currency(app, ref.id, currency)
    contact_id = None
    with app.store.begin() as conn:
        last = contact_service.latest_reason(conn, ref.id)
    if last is not None:
        contact_id = last.id
    reason_code = reason or (last.reason if last else "")
    if suggested:
        if kind:
            raise UsageError("give either --suggested or --kind, not both.")
        found = offer_service.suggest_for_client(app.store, app.settings, ref.id, today, reason=reason, grade=grade,
                                                 currency=cur)
        res = found[0].result
        if isinstance(res, NoOffer):
            raise PolicyError(f"no offer to propose: {res.reason}.")
        offer = res.offer
        reason_code = found[0].reason
    else:
        if not kind:
            raise UsageError("say what to propose: --kind installments|settlement|extension|combined, or --suggested.")
        offer = _build(app, ref.id, cur, today, kind, installments, frequency, down_payment, down_percent, start,
                       discount, pay_by, days, interest, security)
    rec = offer_service.propose(app.store, app.settings, client_id=ref.id, offer=offer, by=app.actor(by), now=utc_now(),
                                reason_code=reason_code, contact_id=contact_id, dry_run=dry_run)
    if rec.status == "refused":  # kept for the record only: never say it was proposed
        _report(app, rec, ("would be refused" if dry_run else "refused") + ", not proposed to the client", dry_run)
    else:
        _report(app, rec, "would be proposed" if dry_run else "proposed", dry_run)
        if not app.as_json:
            _show_schedule(app, "Payments", rec.offer)
    if rec.status == "refused":
        raise PolicyError(f"offer refused: {rec.reason}.")


@offer_group.command("approve")
@click.argument("offer_id", type=int)
@click.option("--written-terms", default="", metavar="REF",
              help="For a plan with interest or security: the signed written terms (which advise independent "
                   "counsel, rule: Offers within authority).")
@click.option("--by", default=default_actor, show_default="$USER", metavar="EMAIL",
              help="The assigned attorney or the supervising partner.")
@click.option("--dry-run", is_flag=True, help="Check who may approve; write nothing.")
@pass_app
def offer_approve(app: App, offer_id: int, written_terms: str, by: str, dry_run: bool) -> None:
    """Approve an offer waiting for the attorney: it becomes proposed to the client."""
    rec = offer_service.approve(app.store, app.settings, offer_id, by=app.actor(by), now=utc_now(),
                                written_terms_ref=written_terms,
                                dry_run=dry_run)
    _report(app, rec, "approved", dry_run)


@offer_group.command("reject")
@click.argument("offer_id", type=int)
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@click.option("--by", default=default_actor, show_default="$USER", metavar="EMAIL",
              help="The assigned attorney or the supervising partner.")
@click.option("--dry-run", is_flag=True, help="Check who may reject; write nothing.")
@pass_app
def offer_reject(app: App, offer_id: int, reason: str, by: str, dry_run: bool) -> None:
    """Reject an offer waiting for the attorney; the client never sees it."""
    rec = offer_service.reject(app.store, app.settings, offer_id, by=app.actor(by), now=utc_now(), reason=reason,
                                dry_run=dry_run)
    _report(app, rec, "rejected", dry_run)


@offer_group.command("accept")
@click.argument("offer_id", type=int)
@click.option("--by", default=default_actor, show_default="$USER", help="Who records the client's acceptance.")
@click.option("--dry-run", is_flag=True, help="Check; write nothing and post no note to Odoo.")
@pass_app
def offer_accept(app: App, offer_id: int, by: str, dry_run: bool) -> None:
    """The client accepted: the offer is in good standing and reminders hold while it is kept."""
    rec = offer_service.accept(app.store, app.settings, offer_id, by=app.actor(by), now=utc_now(),
                               notes=None if dry_run else _note_sink(app), dry_run=dry_run)
    _report(app, rec, "accepted", dry_run)


@offer_group.command("decline")
@click.argument("offer_id", type=int)
@click.option("--reason", default="", help="What the client said (audit).")
@click.option("--by", default=default_actor, show_default="$USER", help="Who records the client's answer.")
@click.option("--dry-run", is_flag=True, help="Check; write nothing.")
@pass_app
def offer_decline(app: App, offer_id: int, reason: str, by: str, dry_run: bool) -> None:
    """The client declined (or staff withdraw a queued offer); reminders continue as before."""
    rec = offer_service.decline(app.store, app.settings, offer_id, by=by, now=utc_now(), reason=reason, dry_run=dry_run)
    _report(app, rec, "declined", dry_run)


@offer_group.command("show")
@click.argument("offer_id", type=int)
@click.option("--email", "email_lang", metavar="LANG", help="Also render the offer email in this language.")
@pass_app
def offer_show(app: App, offer_id: int, email_lang: str | None) -> None:
    """One offer: terms, payments matched so far, and every decision in the audit log."""
    rec = offer_service.get_offer(app.store, offer_id)
    with app.store.begin() as conn:
        trail = read_audit(conn, "offer", offer_id)
    rendered = offer_service.render_offer_email(app.store, app.settings, rec, email_lang) if email_lang else None
    if app.as_json:
        out = _record_json(rec)
        out["audit"] = [{"at": a.at, "actor": a.actor, "action": a.action, "detail": a.detail} for a in trail]
        out["context"] = offer_context(rec.offer, email_lang or app.settings.firm.default_language)
        if rendered:
            out["email"] = {"language": rendered.language, "subject": rendered.subject, "text": rendered.text,
                            "html": rendered.html}
        app.emit_json(out)
        return
    app.info(f"[bold]offer #{rec.id}[/bold] {escape(client_name(app, rec.client_id))}: {rec.kind}, {rec.status}"
             + (f", assigned to {rec.assigned_to}" if rec.assigned_to else ""))
    app.info(offer_service.summary(rec.offer))
    if rec.reason:
        app.info(f"authority: {rec.reason}")
    if rec.written_terms:
        app.info("written terms: " + (rec.written_terms_ref or "[red]required from the attorney[/red]"))
    _show_schedule(app, "Payments", rec.offer, rec.schedule)
    app.table("Audit", ["When", "Who", "What"], [[a.at, a.actor, a.action] for a in trail], prose=["What"])
    if rendered:
        app.console.print(f"Subject: {rendered.subject}\n", markup=False)
        app.console.print(rendered.text, markup=False)


@offer_group.command("list")
@click.option("--client", "client", metavar="NAME", help="Only this client.")
@click.option("--status", type=click.Choice(offer_service.STATUSES), help="Only offers in this state.")
@click.option("--attorney", metavar="EMAIL", help="Only offers assigned to this attorney or partner.")
@pass_app
def offer_list(app: App, client: str | None, status: str | None, attorney: str | None) -> None:
    """Offers, newest first; `--status awaiting_attorney --attorney EMAIL` is an attorney's queue."""
    client_id = resolve_client(app.store, client).id if client else None
    rows = offer_service.list_offers(app.store, client_id=client_id, status=status, assigned_to=attorney)
    if app.as_json:
        app.emit_json([_record_json(r) for r in rows])
        return
    names = client_names(app, [r.client_id for r in rows])
    app.table(f"{len(rows)} offers", ["#", "Client", "Kind", "Balance", "Status", "Assigned", "Terms"],
              [[r.id, names[r.client_id], r.kind, format_plain(r.balance, r.currency),
                r.status.replace("_", " "), r.assigned_to or "", offer_service.summary(r.offer)] for r in rows],
              right=["#", "Balance"], prose=["Terms"], optional=["Assigned", "Kind", "Status", "Terms"])


@offer_group.command("match")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="As of this day (default: today at the firm).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing and post no notes.")
@pass_app
def offer_match(app: App, date_: str | None, dry_run: bool) -> None:
    """Match synced payments to offers in good standing: completed ones close, a payment missed past grace
    breaches the offer and its client re-enters the reminder tiers."""
    today = today_for(app, date_)
    report = offer_service.match_payments(app.store, app.settings, today, now=utc_now(),
                                          notes=None if dry_run else _note_sink(app), dry_run=dry_run)
    if app.as_json:
        app.emit_json({"date": today, "checked": report.checked, "installments_paid": report.installments_paid,
                       "completed": report.completed, "breached": report.breached, "dry_run": dry_run})
    else:
        app.info(f"{report.checked} offers checked on {today}: {len(report.installments_paid)} payments matched, "
                 f"{len(report.completed)} completed, {len(report.breached)} breached"
                 + (f" (#{', #'.join(map(str, report.breached))})" if report.breached else ""))
        _dry(app, dry_run)


COMMANDS = [contact_group, offer_group]
