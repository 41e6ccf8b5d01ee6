"""Offers in the store: proposed within authority, approved by the attorney, answered by the client,
then watched against the payments that sync brings in.

Lifecycle: proposed (or awaiting_attorney → proposed | rejected; or refused outright) → accepted
→ good_standing (a 'payment_plan' hold stops the reminders) → completed | breached (the hold is
lifted and the client re-enters the tiers); a proposed offer may be declined. Every decision is an
audit entry with who and when, in the same transaction as the change it records.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Connection, select, update

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import Settings
from overdue_reminder.core.addresses import verify_phone
from overdue_reminder.core.clearance import AUTHORITY, Actor, Exit, Item, Reason, Role, authority
from overdue_reminder.core.offers import (
    Decision,
    Extension,
    Installment,
    InstallmentPlan,
    NoOffer,
    Offer,
    Settlement,
    Suggestion,
    authorize,
    from_json,
    measures,
    offer_context,
    suggest,
    to_json,
)
from overdue_reminder.core.reminder_text import channel_context
from overdue_reminder.core.texts import environment_for, pick_language
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.money import ZERO, format_plain, quantize
from overdue_reminder.services.clearing import approval_detail, clear_offer, offer_item, recorded_approval
from overdue_reminder.services.contacts import (
    SYSTEM,
    client_name,
    insert_hold,
    latest_reason,
    lift_hold,
    open_currencies,
    open_invoice_ids,
    open_residual,
    payments_received,
    responsible_attorney,
    transaction,
)
from overdue_reminder.services.holds import active_holds
from overdue_reminder.services.identity import as_actor
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.ledger import load_attorneys, load_partners
from overdue_reminder.store.schema import offers

log = logging.getLogger(__name__)

PENDING = ("proposed", "awaiting_attorney")
ACTIVE = ("accepted", "good_standing")
STATUSES = ("proposed", "awaiting_attorney", "rejected", "refused", "accepted", "declined", "good_standing",
            "breached", "completed")
SETTLEMENT_WRITE_OFF_DAYS = 30  # reminders stay paused while accounting credits a settled discount


class NoteSink(Protocol):
    """The one Odoo write-back offers use: a chatter note on the invoices (OdooSource has it)."""

    def post_note(self, invoice_ids: Sequence[int], html: str) -> None: ...


@dataclass(frozen=True, slots=True)
class ScheduledPayment:
    seq: int
    due: date
    amount: Decimal
    label: str
    paid: Decimal = ZERO
    status: str = "due"  # due | partial | paid | missed


@dataclass(frozen=True, slots=True)
class OfferRecord:
    id: int
    client_id: int
    offer: Offer
    schedule: tuple[ScheduledPayment, ...]
    status: str
    needs: str
    reason: str
    created_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    attorney_id: int | None
    assigned_to: str | None
    reason_code: str
    contact_id: int | None
    invoice_ids: tuple[int, ...]
    offered_on: date
    written_terms: bool
    written_terms_ref: str
    accepted_by: str | None
    accepted_at: datetime | None
    closed_at: datetime | None
    hold_id: int | None
    residual_at_offer: Decimal | None
    paid: Decimal | None
    origin: str = ""  # "reminder:<id>": first carried by that reminder (services/carried_offers.py)

    @property
    def kind(self) -> str:
        return self.offer.kind

    @property
    def currency(self) -> str:
        return self.offer.currency

    @property
    def balance(self) -> Decimal:
        return self.offer.balance


@dataclass
class MatchReport:
    checked: int = 0
    installments_paid: list[tuple[int, int]] = field(default_factory=list)  # (offer id, seq)
    breached: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)


# ---------------------------------------------------------------- reading
def _schedule_json(items: Sequence[ScheduledPayment]) -> list[dict[str, Any]]:
    return [{"seq": s.seq, "due": s.due.isoformat(), "amount": str(s.amount), "label": s.label,
             "paid": str(s.paid), "status": s.status} for s in items]


def _fresh_schedule(offer: Offer) -> tuple[ScheduledPayment, ...]:
    return tuple(ScheduledPayment(i.seq, i.due, i.amount, i.label) for i in offer.schedule)


def _record(r: Any) -> OfferRecord:
    offer = from_json(r.terms)
    sched = tuple(ScheduledPayment(int(s["seq"]), date.fromisoformat(s["due"]), Decimal(s["amount"]), s["label"],
                                   Decimal(s.get("paid", "0")), s.get("status", "due"))
                  for s in (r.installments or ())) or _fresh_schedule(offer)
    return OfferRecord(
        id=r.id, client_id=r.client_id, offer=offer, schedule=sched, status=r.status, needs=r.needs,
        reason=r.reason or "", created_by=r.created_by, created_at=r.created_at, decided_by=r.decided_by,
        decided_at=r.decided_at, attorney_id=r.attorney_id, assigned_to=r.assigned_to, reason_code=r.reason_code or "",
        contact_id=r.contact_id, invoice_ids=tuple(r.invoice_ids or ()), offered_on=r.offered_on,
        written_terms=bool(r.written_terms), written_terms_ref=r.written_terms_ref or "", accepted_by=r.accepted_by,
        accepted_at=r.accepted_at, closed_at=r.closed_at, hold_id=r.hold_id,
        residual_at_offer=quantize(r.residual_at_offer, offer.currency) if r.residual_at_offer is not None else None,
        paid=quantize(r.paid, offer.currency) if r.paid is not None else None, origin=r.origin or "")


def load_offer(conn: Connection, offer_id: int) -> OfferRecord:
    r = conn.execute(select(offers).where(offers.c.id == offer_id)).first()
    if r is None:
        raise UsageError(f"no offer #{offer_id}; 'overdue-reminder offer list' shows them.")
    return _record(r)


def get_offer(store: Store, offer_id: int) -> OfferRecord:
    with store.begin() as conn:
        return load_offer(conn, offer_id)


def list_offers(store: Store, *, client_id: int | None = None, status: str | None = None,
                assigned_to: str | None = None, limit: int = 200) -> list[OfferRecord]:
    q = select(offers).order_by(offers.c.id.desc()).limit(limit)
    if client_id is not None:
        q = q.where(offers.c.client_id == client_id)
    if status:
        if status not in STATUSES:
            raise UsageError(f"unknown status {status!r}; use one of: {', '.join(STATUSES)}.")
        q = q.where(offers.c.status == status)
    if assigned_to:
        q = q.where(offers.c.assigned_to.ilike(assigned_to))
    with store.begin() as conn:
        return [_record(r) for r in conn.execute(q)]


def summary(offer: Offer) -> str:
    """One plain line a clerk can read back to the client."""
    cur = offer.currency

    def m(a: Decimal) -> str:
        return format_plain(a, cur)

    def plan_text(p: InstallmentPlan) -> str:
        text = f"{p.number} {p.frequency.value} installment{'s' if p.number != 1 else ''} " \
               f"of {m(p.installments[0].amount)} from {p.first_date} to {p.last_due}"
        if p.down_payment > 0:
            text = f"down payment {m(p.down_payment)} on {p.down_payment_due}, then " + text
        if p.interest_amount > 0:
            text += f", interest {m(p.interest_amount)}"
        if p.security:
            text += f", secured by {p.security}"
        return text

    if isinstance(offer, InstallmentPlan):
        return f"{plan_text(offer)} (balance {m(offer.balance)})"
    if isinstance(offer, Settlement):
        return (f"settle {m(offer.balance)} for {m(offer.amount)} ({offer.discount_percent.normalize():f}% off) "
                f"if paid by {offer.pay_by}")
    if isinstance(offer, Extension):
        return f"pay {m(offer.balance)} by {offer.new_due} ({offer.days} days' extension)"
    parts = []
    if offer.settlement:
        parts.append(f"{offer.settlement.discount_percent.normalize():f}% off ({m(offer.settlement.amount)}) "
                     f"if paid by {offer.settlement.pay_by}")
    if offer.extension:
        parts.append(f"{offer.extension.days} days' extension to {offer.extension.new_due}")
    if offer.plan:
        parts.append(plan_text(offer.plan))
    return "; ".join(parts) + f" (balance {m(offer.balance)})"


# ---------------------------------------------------------------- proposing
def _terms_detail(offer: Offer, decision: Decision) -> dict[str, Any]:
    return {"kind": offer.kind, "currency": offer.currency, "balance": str(offer.balance),
            "summary": summary(offer), "authority": decision.level, "reasons": list(decision.reasons),
            "written_terms": decision.written_terms}


def _active_dispute(conn: Connection, client_id: int, today: date) -> bool:
    return any(h.kind == "dispute" for h in active_holds(conn, today, [client_id]))


def propose(store: Store, settings: Settings, *, client_id: int, offer: Offer, by: Actor | str, now: datetime,
            reason_code: str = "", contact_id: int | None = None, dry_run: bool = False,
            origin: str = "") -> OfferRecord:
    """Check the offer against authority and store it: proposed (staff may grant it), awaiting the
    attorney or the supervising partner, or refused with the reason (beyond the firm's floors).
    `origin` names where the client first saw it ("reminder:<id>"); one offer per origin."""
    actor = as_actor(by)
    by = actor.name
    if not by.strip():
        raise UsageError("say who proposes the offer (--by).")
    cal = settings.calendar()
    today = cal.local_today(now)
    if offer.offered_on > today:
        raise UsageError(f"the offer is dated {offer.offered_on}, after today ({today}).")
    if offer.schedule[0].due < today:
        raise PolicyError(f"the first payment ({offer.schedule[0].due}) is already past: build the terms afresh.")
    with transaction(store, dry_run) as conn:
        name = client_name(conn, client_id)
        _cleared(conn, settings, offer_item(client_id, Exit.OFFER_PROPOSAL, f"the offer to {name}"), actor, now)
        clash = conn.execute(select(offers.c.id, offers.c.status).where(
            offers.c.client_id == client_id, offers.c.currency == offer.currency,
            offers.c.status.in_((*PENDING, *ACTIVE)))).first()
        if clash is not None:
            raise PolicyError(f"{name} already has offer #{clash.id} ({clash.status}) in {offer.currency}; "
                              "decline it or let it run its course first.")
        owed = open_residual(conn, client_id, offer.currency)
        if owed <= 0:
            raise UsageError(f"{name} owes nothing in {offer.currency}.")
        if offer.balance > owed:
            raise PolicyError(f"the offer covers {format_plain(offer.balance, offer.currency)} but {name} owes "
                              f"{format_plain(owed, offer.currency)}: build it on the balance owed.")
        decision = authorize(offer, settings.offers, cal)
        attorney = responsible_attorney(conn, client_id)
        partner = settings.offers.supervising_partner
        reasons = list(decision.reasons)
        level: str = decision.level
        assigned: str | None = None
        if level == "attorney":
            assigned = (attorney.email or attorney.login) if attorney else None
            if not assigned and partner:
                assigned = partner
                reasons.append("no responsible attorney on the client's invoices: the supervising partner decides")
            elif not assigned:
                level = "refused"
                reasons.append("it needs an attorney, but no responsible attorney is on the client's invoices and "
                               "no supervising partner is configured ([offers] supervising_partner)")
        elif level == "partner":
            assigned = partner
        status = {"staff": "proposed", "attorney": "awaiting_attorney", "partner": "awaiting_attorney",
                  "refused": "refused"}[level]
        values = {
            "client_id": client_id, "kind": offer.kind, "currency": offer.currency, "balance": offer.balance,
            "terms": to_json(offer), "installments": _schedule_json(_fresh_schedule(offer)), "status": status,
            "needs": level, "reason": "; ".join(reasons), "created_by": by, "created_at": now,
            "decided_by": by if level == "staff" else None, "decided_at": now if level == "staff" else None,
            "attorney_id": attorney.id if attorney else None, "reason_code": reason_code, "contact_id": contact_id,
            "invoice_ids": open_invoice_ids(conn, client_id, offer.currency), "offered_on": offer.offered_on,
            "assigned_to": assigned, "written_terms": decision.written_terms, "written_terms_ref": "",
            "residual_at_offer": owed, "paid": ZERO, "origin": origin or None,
        }
        oid = int(conn.execute(offers.insert().values(**values).returning(offers.c.id)).scalar_one())
        action = {"proposed": "offer.propose", "awaiting_attorney": "offer.queue_for_attorney",
                  "refused": "offer.refuse"}[status]
        detail = {**_terms_detail(offer, decision), "client_id": client_id, "status": status,
                  "authority": level, "reasons": reasons, "assigned_to": assigned, "reason_code": reason_code,
                  "origin": origin or None}
        record_audit(conn, by, action, "offer", oid, detail, at=now)
        return load_offer(conn, oid)


# ---------------------------------------------------------------- attorney decisions
def _deny(store: Store, rec: OfferRecord, actor: Actor, reasons: Sequence[Reason], now: datetime, action: str,
          dry_run: bool) -> PolicyError:
    """The refusal is a decision too: audited in its own transaction before the error is raised."""
    with transaction(store, dry_run) as conn:
        record_audit(conn, actor.name, f"offer.{action}_denied", "offer", rec.id,
                     {"assigned_to": rec.assigned_to, "needs": rec.needs, "actor": actor.audit(),
                      "reasons": [r.text for r in reasons]}, at=now)
    return PolicyError(f"offer #{rec.id} may not be {action}d: " + "; ".join(str(r) for r in reasons))


def _queued(store: Store, settings: Settings, offer_id: int, actor: Actor, now: datetime, action: str,
            dry_run: bool) -> OfferRecord:
    """The queued offer, if `actor` may decide it (proven, and the assigned attorney or the partner)."""
    with store.begin() as conn:
        rec = load_offer(conn, offer_id)
    if rec.status != "awaiting_attorney":
        raise UsageError(f"offer #{offer_id} is {rec.status}, not awaiting an attorney.")
    refused = authority(offer_item(rec.client_id, Exit.OFFER_ACCEPTANCE, f"offer #{offer_id}", needs=rec.needs,
                                   attorney_uid=rec.attorney_id), actor)
    if refused:
        raise _deny(store, rec, actor, refused, now, action, dry_run)
    return rec


def _cleared(conn: Connection, settings: Settings, item: Item, actor: Actor, now: datetime) -> None:
    verdict = clear_offer(conn, settings, item, actor, now)
    if not verdict.allowed:
        raise PolicyError(verdict.explain())


def approve(store: Store, settings: Settings, offer_id: int, *, by: Actor | str, now: datetime,
            written_terms_ref: str = "", dry_run: bool = False) -> OfferRecord:
    """The assigned attorney (or the partner) approves a queued offer; it becomes proposed to the client."""
    actor = as_actor(by)
    by = actor.name
    rec = _queued(store, settings, offer_id, actor, now, "approve", dry_run)
    decision = authorize(rec.offer, settings.offers, settings.calendar())
    if decision.refused:
        raise PolicyError(f"offer #{offer_id} is now beyond the firm's floors: {decision.why}.")
    if decision.level == "partner" and actor.role is not Role.PARTNER:
        raise _deny(store, rec, actor, [Reason(AUTHORITY, "it is beyond the attorney's limits: only the supervising "
                                                          "partner may approve it")], now, "approve", dry_run)
    ref = written_terms_ref.strip()
    if rec.written_terms and not ref:
        raise PolicyError(f"offer #{offer_id} adds interest or takes security: it needs your written terms. Pass "
                          "--written-terms REF naming the signed terms, which advise the client in writing to seek "
                          "independent counsel (rule: Offers within authority).")
    with transaction(store, dry_run) as conn:
        res = conn.execute(update(offers).where(offers.c.id == offer_id, offers.c.status == "awaiting_attorney")
                           .values(status="proposed", decided_by=by, decided_at=now, written_terms_ref=ref))
        if res.rowcount != 1:
            raise UsageError(f"offer #{offer_id} changed meanwhile; look at it again.")
        record_audit(conn, by, "offer.approve", "offer", offer_id,
                     {**approval_detail(actor), "client_id": rec.client_id, "summary": summary(rec.offer),
                      "needs": rec.needs, "written_terms_ref": ref or None}, at=now)
        return load_offer(conn, offer_id)


def reject(store: Store, settings: Settings, offer_id: int, *, by: Actor | str, now: datetime, reason: str,
           dry_run: bool = False) -> OfferRecord:
    """The assigned attorney (or the partner) turns a queued offer down; the client never sees it."""
    if not reason.strip():
        raise UsageError("say why the offer is rejected (--reason).")
    actor = as_actor(by)
    by = actor.name
    rec = _queued(store, settings, offer_id, actor, now, "reject", dry_run)
    with transaction(store, dry_run) as conn:
        res = conn.execute(update(offers).where(offers.c.id == offer_id, offers.c.status == "awaiting_attorney")
                           .values(status="rejected", decided_by=by, decided_at=now, closed_at=now))
        if res.rowcount != 1:
            raise UsageError(f"offer #{offer_id} changed meanwhile; look at it again.")
        record_audit(conn, by, "offer.reject", "offer", offer_id,
                     {"client_id": rec.client_id, "reason": reason.strip()}, at=now)
        return load_offer(conn, offer_id)


# ---------------------------------------------------------------- the client's answer
def _note(sink: NoteSink | None, rec: OfferRecord, text: str) -> None:
    """Best effort: the store already holds the truth; a failed note is logged, never fatal."""
    if sink is None or not rec.invoice_ids:
        return
    body = f"<p>{html.escape(text)}</p>"
    try:
        sink.post_note(list(rec.invoice_ids), body)
    except Exception as exc:  # write-back is optional; the next run does not depend on it
        log.warning("offer #%s: chatter note not posted: %s", rec.id, exc)


def accept(store: Store, settings: Settings, offer_id: int, *, by: Actor | str, now: datetime,
           notes: NoteSink | None = None, dry_run: bool = False) -> OfferRecord:
    """The client accepted (recorded by staff): the offer is in good standing and a hold stops reminders."""
    actor = as_actor(by)
    by = actor.name
    if not by.strip():
        raise UsageError("say who records the client's answer (--by).")
    cal = settings.calendar()
    today = cal.local_today(now)
    with transaction(store, dry_run) as conn:
        rec = load_offer(conn, offer_id)
        if rec.status != "proposed":
            raise UsageError(f"offer #{offer_id} is {rec.status}; only a proposed offer can be accepted"
                             + (" (the attorney must approve it first)." if rec.status == "awaiting_attorney" else "."))
        if rec.offer.schedule[0].due < today:
            raise PolicyError(f"offer #{offer_id}'s first payment was due {rec.offer.schedule[0].due}: "
                              "propose fresh terms.")
        if rec.written_terms and not rec.written_terms_ref:
            raise PolicyError(f"offer #{offer_id} needs the attorney's written terms before the client may accept.")
        approved = recorded_approval(conn, "offer", offer_id, "offer.approve", rec.decided_by) \
            if rec.needs != "staff" else None
        _cleared(conn, settings, offer_item(rec.client_id, Exit.OFFER_ACCEPTANCE, f"offer #{offer_id}", needs=rec.needs,
                                            attorney_uid=rec.attorney_id, approved=approved), actor, now)
        res = conn.execute(update(offers).where(offers.c.id == offer_id, offers.c.status == "proposed")
                           .values(status="accepted", accepted_by=by, accepted_at=now))
        if res.rowcount != 1:
            raise UsageError(f"offer #{offer_id} changed meanwhile; look at it again.")
        record_audit(conn, by, "offer.accept", "offer", offer_id,
                     {"client_id": rec.client_id, "summary": summary(rec.offer)}, at=now)
        until = cal.add_business_days(rec.offer.last_due, settings.offers.installment_grace_days)
        hold_id = insert_hold(conn, client_id=rec.client_id, kind="payment_plan", by=by, now=now, until=until,
                              source_ref=f"offer:{offer_id}",
                              reason=f"offer #{offer_id} accepted: {summary(rec.offer)}")
        conn.execute(update(offers).where(offers.c.id == offer_id).values(status="good_standing", hold_id=hold_id))
        record_audit(conn, by, "offer.good_standing", "offer", offer_id,
                     {"client_id": rec.client_id, "hold_id": hold_id, "hold_until": until.isoformat()}, at=now)
        rec = load_offer(conn, offer_id)
    if not dry_run:
        _note(notes, rec, f"Offer #{offer_id} accepted by the client (recorded by {by} on {today}): "
                          f"{summary(rec.offer)}.")
    return rec


def decline(store: Store, settings: Settings, offer_id: int, *, by: str, now: datetime, reason: str = "",
            dry_run: bool = False) -> OfferRecord:
    """The client said no (or staff withdraw a queued offer); the tiers go on as before."""
    actor = as_actor(by)
    by = actor.name
    if not by.strip():
        raise UsageError("say who records the client's answer (--by).")
    with transaction(store, dry_run) as conn:
        rec = load_offer(conn, offer_id)
        if rec.status not in PENDING:
            raise UsageError(f"offer #{offer_id} is {rec.status}; only a proposed or queued offer can be declined.")
        conn.execute(update(offers).where(offers.c.id == offer_id).values(status="declined", closed_at=now))
        record_audit(conn, by, "offer.decline", "offer", offer_id,
                     {"client_id": rec.client_id, "reason": reason.strip(), "was": rec.status}, at=now)
        return load_offer(conn, offer_id)


# ---------------------------------------------------------------- matching payments
def allocate_paid(schedule: Sequence[Installment | ScheduledPayment], paid: Decimal, today: date, grace_days: int,
                  calendar: FirmCalendar) -> tuple[ScheduledPayment, ...]:
    """Money received fills the payments in date order; one not fully paid once due + grace passed is missed."""
    left = max(paid, ZERO)
    out = []
    for item in sorted(schedule, key=lambda s: (s.due, s.seq)):
        take = min(left, item.amount)
        left -= take
        status = "paid" if take == item.amount else "partial" if take > 0 else "due"
        if status != "paid" and today > calendar.add_business_days(item.due, grace_days):
            status = "missed"
        out.append(ScheduledPayment(item.seq, item.due, item.amount, item.label, take, status))
    return tuple(out)


def received_toward(conn: Connection, rec: OfferRecord) -> tuple[Decimal, Decimal, Decimal]:
    """(received, payments, balance drop): the larger of posted payments since the offer on its invoices
    (or unapplied) and the drop in what is owed on those invoices; an unreconciled payment shows in the
    first before the second, a file source without payments only in the second."""
    paid = payments_received(conn, rec.client_id, rec.currency, rec.offered_on, None, rec.invoice_ids)
    base = rec.residual_at_offer if rec.residual_at_offer is not None else rec.balance
    drop = base - open_residual(conn, rec.client_id, rec.currency, rec.invoice_ids)
    return max(paid, drop, ZERO), paid, drop


def match_payments(store: Store, settings: Settings, today: date, *, now: datetime | None = None,
                   by: str = SYSTEM, notes: NoteSink | None = None, dry_run: bool = False) -> MatchReport:
    """Match synced payments to every offer in good standing: mark installments paid, complete a fully
    paid offer (its hold closes), breach one with a payment missed past grace (its hold is lifted, so
    the client re-enters the tiers; a settlement's discount lapses)."""
    now = now or datetime.now(UTC)
    cal = settings.calendar()
    grace = settings.offers.installment_grace_days
    report = MatchReport()
    to_note: list[tuple[OfferRecord, str]] = []
    with transaction(store, dry_run) as conn:
        ids = [int(i) for i in conn.execute(select(offers.c.id).where(offers.c.status == "good_standing")
                                            .order_by(offers.c.id)).scalars()]
        for oid in ids:
            rec = load_offer(conn, oid)
            report.checked += 1
            received, paid, drop = received_toward(conn, rec)
            sched = allocate_paid(rec.offer.schedule, received, today, grace, cal)
            before = {s.seq: s.status for s in rec.schedule}
            for s in sched:
                if s.status == "paid" and before.get(s.seq) != "paid":
                    report.installments_paid.append((oid, s.seq))
                    record_audit(conn, by, "offer.installment_paid", "offer", oid,
                                 {"seq": s.seq, "label": s.label, "due": s.due.isoformat(), "amount": str(s.amount),
                                  "received_total": str(received)}, at=now)
            values: dict[str, Any] = {"installments": _schedule_json(sched), "paid": received}
            missed = [s for s in sched if s.status == "missed"]
            if all(s.status == "paid" for s in sched):
                values.update(status="completed", closed_at=now)
                lift_hold(conn, rec.hold_id, by=by, now=now, reason=f"offer #{oid} completed")
                detail: dict[str, Any] = {"client_id": rec.client_id, "received": str(received),
                                          "total": str(rec.offer.total_payable)}
                left = open_residual(conn, rec.client_id, rec.currency, rec.invoice_ids)
                if left > 0 and measures(rec.offer).discount_percent > 0:
                    pause = insert_hold(
                        conn, client_id=rec.client_id, kind="pause", by=by, now=now,
                        until=today + timedelta(days=SETTLEMENT_WRITE_OFF_DAYS), source_ref=f"offer:{oid}",
                        reason=f"offer #{oid} settled: credit the discount of {format_plain(left, rec.currency)} "
                               "in Odoo")
                    detail.update(write_off=str(left), pause_hold_id=pause)
                record_audit(conn, by, "offer.complete", "offer", oid, detail, at=now)
                report.completed.append(oid)
                to_note.append((rec, f"Offer #{oid} completed: {format_plain(received, rec.currency)} received."))
            elif missed:
                first = missed[0]
                values.update(status="breached", closed_at=now)
                lift_hold(conn, rec.hold_id, by=by, now=now,
                          reason=f"offer #{oid} breached: payment {first.seq} due {first.due} missed")
                record_audit(conn, by, "offer.breach", "offer", oid,
                             {"client_id": rec.client_id, "seq": first.seq, "due": first.due.isoformat(),
                              "amount": str(first.amount), "paid_toward": str(first.paid),
                              "grace_until": cal.add_business_days(first.due, grace).isoformat(),
                              "received": str(received), "payments": str(paid), "balance_drop": str(drop),
                              "effect": "hold lifted; the client re-enters the reminder tiers"}, at=now)
                report.breached.append(oid)
                to_note.append((rec, f"Offer #{oid} breached: payment {first.seq} of "
                                     f"{format_plain(first.amount, rec.currency)} due {first.due} was not received; "
                                     "reminders resume."))
            conn.execute(update(offers).where(offers.c.id == oid).values(**values))
    for rec, text in to_note if not dry_run else ():
        _note(notes, rec, text)
    return report


# ---------------------------------------------------------------- the offer email
@dataclass(frozen=True, slots=True)
class RenderedOffer:
    language: str
    subject: str
    text: str
    html: str


def email_context(store: Store, settings: Settings, rec: OfferRecord, language: str) -> dict[str, Any]:
    """The context the offer email templates use (documented in templates/offers/README.md)."""
    from overdue_reminder.store.schema import invoices

    with store.begin() as conn:
        rows = conn.execute(select(invoices.c.name, invoices.c.matter_ref, invoices.c.contact_id, invoices.c.currency)
                            .where(invoices.c.id.in_(list(rec.invoice_ids))).order_by(invoices.c.id)).all()
        contact_ids = [int(r.contact_id) for r in rows if r.contact_id]
        partners = load_partners(conn, [rec.client_id, *contact_ids])
        attorney = load_attorneys(conn).get(rec.attorney_id) if rec.attorney_id is not None else None
        told_us = latest_reason(conn, rec.client_id) is not None  # thanks for "telling us" only if they did
    client = partners.get(rec.client_id)
    client_name_ = client.name if client else ""
    contact = next((partners[c] for c in contact_ids if c in partners and partners[c].name.strip()), None)
    f, pay = settings.firm, settings.payment
    channels = [channel_context(ch, language) for ch in pay.channels_for(sorted({str(r.currency) for r in rows}))]
    return {
        "firm": {"name": f.name, "address": list(f.address), "phone": f.phone, "email": f.email,
                 "website": f.website},
        "client": {"name": client_name_, "is_company": bool(client.is_company) if client else False},
        "client_told_us": told_us,
        "salutation_name": contact.name if contact else client_name_,
        "attorney": {"name": attorney.name, "email": attorney.email} if attorney else None,
        "offer_id": rec.id,
        "matters": sorted({str(r.matter_ref) for r in rows if r.matter_ref}),
        "invoices": [str(r.name) for r in rows],
        "payment": {"channels": channels, "verify_phone": verify_phone(settings),
                    "verification": pay.verification.get(language, "")},
        "offer": offer_context(rec.offer, language),
    }


def render_offer_email(store: Store, settings: Settings, rec: OfferRecord, language: str) -> RenderedOffer:
    """Subject, text and HTML of the offer email, in the client's language when the firm has it."""
    texts = environment_for(settings)
    available = texts.languages("offers")
    if not available:
        raise UsageError("no offer templates found (templates/offers/<lang>/): reinstall or fix [templates] dir.")
    lang = pick_language(language, settings.firm.default_language, available)
    env = texts.env
    ctx = email_context(store, settings, rec, lang)
    parts = [env.get_template(f"offers/{lang}/offer.{p}.j2").render(ctx) for p in ("subject", "txt", "html")]
    subject = " ".join(parts[0].split())  # one line: no header injection through names
    return RenderedOffer(lang, subject, parts[1], parts[2])


# ---------------------------------------------------------------- suggesting for a client in the store
@dataclass(frozen=True, slots=True)
class ClientSuggestion:
    client_id: int
    client_name: str
    currency: str
    balance: Decimal
    reason: str
    reason_from: str  # "given" | "contact #N" | "no contact logged"
    grade: str
    grade_why: tuple[str, ...]
    result: Suggestion | NoOffer


def client_grade(store: Store, settings: Settings, client_id: int, today: date) -> tuple[str, tuple[str, ...]]:
    """The client's grade A-D from the same history the policy grades with (planning.load_snapshot)."""
    from overdue_reminder.core.profile import client_profile
    from overdue_reminder.services.planning import load_snapshot

    with store.begin() as conn:
        snap = load_snapshot(conn, settings, today, [client_id])
    prof = client_profile(snap.history.get(client_id, ()), snap.broken_promises.get(client_id, ()), today)
    return prof.grade, prof.reasons


def suggest_for_client(store: Store, settings: Settings, client_id: int, today: date, *, reason: str | None = None,
                       grade: str | None = None, currency: str | None = None) -> list[ClientSuggestion]:
    """Suggested terms per currency the client owes: from the given reason or the last contact's, and the
    client's grade (computed unless given)."""
    with store.begin() as conn:
        name = client_name(conn, client_id)
        currencies = [currency] if currency else open_currencies(conn, client_id)
        balances = {c: open_residual(conn, client_id, c) for c in currencies}
        last = latest_reason(conn, client_id)
    if reason:
        why, source = reason, "given"
    elif last is not None:
        why, source = last.reason, f"contact #{last.id} on {last.at:%Y-%m-%d}"
    else:
        why, source = "other", "no contact logged: ask the client why the payment is late"
    g_why: tuple[str, ...]
    if grade:
        g, g_why = grade.upper(), ("given",)
    else:
        g, g_why = client_grade(store, settings, client_id, today)
    cal = settings.calendar()
    return [ClientSuggestion(client_id, name, c, b, why, source, g, g_why,
                             suggest(why, b, c, g, settings.offers, today, cal))
            for c, b in balances.items()]



__all__ = [
    "ClientSuggestion", "MatchReport", "NoteSink", "OfferRecord", "RenderedOffer", "ScheduledPayment", "accept",
    "allocate_paid", "approve", "client_grade", "decline", "email_context", "get_offer", "list_offers", "load_offer",
    "match_payments", "propose", "reject", "render_offer_email",
    "suggest_for_client", "summary",
]
