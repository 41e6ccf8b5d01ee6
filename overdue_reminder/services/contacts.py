"""The contact log: what the client said, why the payment is late, and promises to pay.

A promise puts a 'promise_to_pay' hold until its date plus grace (business days); once that
passes and the client's balance did not go down by the promised amount, the promise is recorded
as broken (it counts in the client's profile) and the hold is lifted. A dispute stops contact
with a 'dispute' hold and goes to the responsible attorney (rule: Disputes go to the attorney).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, select, update

from overdue_reminder.config import OFFER_REASONS, Settings
from overdue_reminder.errors import UsageError
from overdue_reminder.model import Attorney, InvoiceKind
from overdue_reminder.money import ZERO, format_plain, is_currency, quantize
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.ledger import load_attorneys
from overdue_reminder.store.schema import clients, contacts, holds, invoices, payments

REASON_LABELS = {
    "financial_hardship": "financial hardship",
    "temporary_emergency": "temporary emergency (e.g. illness)",
    "planning_error": "planning error",
    "forgot_admin": "forgot / administrative",
    "dispute": "dispute",
    "other": "other",
}
SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Promise:
    on: date
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class ContactRecord:
    id: int
    client_id: int
    at: datetime
    by: str
    reason: str
    note: str
    promise: Promise | None
    promise_status: str | None
    residual_at_promise: Decimal | None
    hold_id: int | None


@dataclass(frozen=True, slots=True)
class Logged:
    """What logging a contact did: the record, the holds it placed, and who the matter goes to."""

    contact: ContactRecord
    hold_ids: tuple[int, ...]
    attorney: Attorney | None
    to_attorney: bool


@dataclass(frozen=True, slots=True)
class PromiseCheck:
    contact_id: int
    client_id: int
    status: str  # open | kept | broken
    promised: Decimal
    currency: str
    received: Decimal
    deadline: date


def _row(r: Any) -> ContactRecord:
    promise = None
    residual = r.residual_at_promise
    if r.promise_date is not None and r.promise_amount is not None and r.promise_currency:
        promise = Promise(r.promise_date, quantize(r.promise_amount, r.promise_currency), r.promise_currency)
        residual = quantize(residual, r.promise_currency) if residual is not None else None
    return ContactRecord(id=r.id, client_id=r.client_id, at=r.at, by=r.by, reason=r.reason, note=r.note or "",
                         promise=promise, promise_status=r.promise_status, residual_at_promise=residual,
                         hold_id=r.hold_id)


# ---------------------------------------------------------------- shared reads
@contextmanager
def transaction(store: Store, dry_run: bool = False) -> Iterator[Connection]:
    """One transaction; with `dry_run` every check and write runs, then all of it is rolled back."""
    if not dry_run:
        with store.begin() as conn:
            yield conn
        return
    with store.engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


def display_name(name: str | None, client_id: int) -> str:
    """How a client shows when the store has no name for them (a partner gone from Odoo): 'client 12'."""
    return name or f"client {client_id}"


def find_client_name(conn: Connection, client_id: int) -> str | None:
    """The client's name; None when `client_id` is not a client (commercial partner) in the store."""
    row = conn.execute(select(clients.c.name, clients.c.commercial_id).where(clients.c.id == client_id)).first()
    if row is None or row.commercial_id != client_id:
        return None
    return str(row.name)


def client_name(conn: Connection, client_id: int) -> str:
    name = find_client_name(conn, client_id)
    if name is None:
        raise UsageError(f"no client with id {client_id} in the store; run a sync or check the id.")
    return name


def open_residual(conn: Connection, client_id: int, currency: str, invoice_ids: Iterable[int] | None = None) -> Decimal:
    """What the client owes in `currency` on open documents (credit notes count against it).

    With `invoice_ids`, only those documents, open or not: a closed one owes nothing.
    """
    q = select(invoices.c.kind, invoices.c.amount_residual, invoices.c.is_open).where(
        and_(invoices.c.client_id == client_id, invoices.c.currency == currency))
    if invoice_ids is not None:
        q = q.where(invoices.c.id.in_(list(invoice_ids)))
    else:
        q = q.where(invoices.c.is_open.is_(True))
    total = ZERO
    for r in conn.execute(q):
        if not r.is_open:
            continue
        total += -r.amount_residual if r.kind == InvoiceKind.CREDIT_NOTE.value else r.amount_residual
    return quantize(total, currency)  # PostgreSQL hands NUMERIC back with six places


def open_invoice_ids(conn: Connection, client_id: int, currency: str) -> list[int]:
    q = select(invoices.c.id).where(and_(invoices.c.client_id == client_id, invoices.c.currency == currency,
                                         invoices.c.is_open.is_(True))).order_by(invoices.c.id)
    return [int(i) for i in conn.execute(q).scalars()]


def open_currencies(conn: Connection, client_id: int) -> list[str]:
    q = select(invoices.c.currency).where(and_(invoices.c.client_id == client_id, invoices.c.is_open.is_(True)))
    return sorted({str(c) for c in conn.execute(q).scalars()})


def payments_received(conn: Connection, client_id: int, currency: str, since: date, until: date | None = None,
                      invoice_ids: Iterable[int] | None = None) -> Decimal:
    """Posted payments dated in [since, until]; with `invoice_ids`, only those not applied elsewhere."""
    q = select(payments.c.amount, payments.c.invoice_ids).where(and_(
        payments.c.client_id == client_id, payments.c.currency == currency, payments.c.state == "posted",
        payments.c.date >= since))
    if until is not None:
        q = q.where(payments.c.date <= until)
    wanted = set(invoice_ids) if invoice_ids is not None else None
    total = ZERO
    for r in conn.execute(q):
        applied = set(r.invoice_ids or ())
        if wanted is None or not applied or applied & wanted:
            total += r.amount
    return quantize(total, currency)


def responsible_attorney(conn: Connection, client_id: int) -> Attorney | None:
    """The responsible user on most of the client's open invoices (ties: the lowest id)."""
    q = select(invoices.c.attorney_id).where(and_(invoices.c.client_id == client_id, invoices.c.is_open.is_(True),
                                                  invoices.c.attorney_id.is_not(None)))
    counts = Counter(int(a) for a in conn.execute(q).scalars())
    if not counts:
        return None
    best = min(counts, key=lambda a: (-counts[a], a))
    return load_attorneys(conn).get(best)


def insert_hold(conn: Connection, *, client_id: int, kind: str, reason: str, by: str, now: datetime,
                until: date | None, source_ref: str) -> int:
    """A hold row in the caller's transaction (the policy reads holds generically), audited like holds.py."""
    values = {"client_id": client_id, "invoice_id": None, "kind": kind, "reason": reason, "created_by": by,
              "created_at": now, "until": until, "source_ref": source_ref}
    hold_id = int(conn.execute(holds.insert().values(**values).returning(holds.c.id)).scalar_one())
    record_audit(conn, by, "hold.add", "hold", hold_id,
                 {**values, "created_at": now.isoformat(), "until": until.isoformat() if until else None}, at=now)
    return hold_id


def lift_hold(conn: Connection, hold_id: int | None, *, by: str, now: datetime, reason: str) -> bool:
    """End a hold now if it is still in force; the row stays for the record."""
    if hold_id is None:
        return False
    r = conn.execute(select(holds.c.client_id, holds.c.kind, holds.c.removed_at).where(holds.c.id == hold_id)).first()
    if r is None or r.removed_at is not None:
        return False
    conn.execute(update(holds).where(holds.c.id == hold_id).values(removed_by=by, removed_at=now))
    record_audit(conn, by, "hold.remove", "hold", hold_id, {"client_id": r.client_id, "kind": r.kind,
                                                             "reason": reason}, at=now)
    return True


# ---------------------------------------------------------------- the log
def log_contact(store: Store, settings: Settings, *, client_id: int, reason: str, note: str, by: str,
                now: datetime, promise: Promise | None = None, dry_run: bool = False,
                arbitration_requested: bool = False) -> Logged:
    """Record what the client said (audited); a promise or a dispute also places a hold, and so does a request
    for fee arbitration (an 'arbitration_requested' hold: contact stops and refer-to-suit is closed while it
    stands; docs/rules.md, "Fee arbitration before suit")."""
    if reason not in OFFER_REASONS:
        raise UsageError(f"unknown reason {reason!r}; use one of: {', '.join(OFFER_REASONS)}.")
    if not by.strip():
        raise UsageError("say who spoke to the client (--by).")
    cal = settings.calendar()
    today = cal.local_today(now)
    if promise is not None:
        if not is_currency(promise.currency):
            raise UsageError(f"unknown currency {promise.currency!r}; use an ISO code such as USD.")
        amount = quantize(promise.amount, promise.currency)
        if amount <= 0:
            raise UsageError("a promised amount must be positive.")
        if promise.on < today:
            raise UsageError(f"the promised date {promise.on} is in the past.")
        promise = Promise(promise.on, amount, promise.currency)
    with transaction(store, dry_run) as conn:
        name = client_name(conn, client_id)
        attorney = responsible_attorney(conn, client_id)
        residual = open_residual(conn, client_id, promise.currency) if promise else None
        if promise is not None and residual is not None and residual <= 0:
            raise UsageError(f"{name} owes nothing in {promise.currency}; check the currency of the promise.")
        values = {"client_id": client_id, "at": now, "by": by, "reason": reason, "note": note.strip(),
                  "promise_date": promise.on if promise else None,
                  "promise_amount": promise.amount if promise else None,
                  "promise_currency": promise.currency if promise else None,
                  "promise_status": "open" if promise else None, "residual_at_promise": residual}
        cid = int(conn.execute(contacts.insert().values(**values).returning(contacts.c.id)).scalar_one())
        record_audit(conn, by, "contact.log", "contact", cid,
                     {"client_id": client_id, "reason": reason, "note": note.strip(),
                      "promise": None if promise is None else {"date": promise.on.isoformat(),
                                                               "amount": str(promise.amount),
                                                               "currency": promise.currency}}, at=now)
        hold_ids: list[int] = []
        promise_hold = None
        if promise is not None:
            until = cal.add_business_days(promise.on, settings.offers.promise_grace_days)
            promise_hold = insert_hold(
                conn, client_id=client_id, kind="promise_to_pay", by=by, now=now, until=until,
                source_ref=f"contact:{cid}",
                reason=f"promised {format_plain(promise.amount, promise.currency)} by {promise.on} "
                       f"(contact #{cid}); grace until {until}")
            hold_ids.append(promise_hold)
            conn.execute(update(contacts).where(contacts.c.id == cid).values(hold_id=promise_hold))
        if reason == "dispute":
            hold_ids.append(insert_hold(conn, client_id=client_id, kind="dispute", by=by, now=now, until=None,
                                        source_ref=f"contact:{cid}",
                                        reason=f"client disputes the bill (contact #{cid}): {note.strip()}".strip()))
            record_audit(conn, by, "contact.route_to_attorney", "contact", cid,
                         {"client_id": client_id, "attorney_id": attorney.id if attorney else None,
                          "attorney": (attorney.email or attorney.login) if attorney else None,
                          "supervising_partner": settings.offers.supervising_partner or None,
                          "why": "dispute: automation stops; the attorney decides, and the next letter offers "
                                 "fee arbitration (rule: Disputes go to the attorney)"}, at=now)
        if arbitration_requested:
            hold_ids.append(insert_hold(conn, client_id=client_id, kind="arbitration_requested", by=by, now=now,
                                        until=None, source_ref=f"contact:{cid}",
                                        reason=f"client requested fee arbitration (contact #{cid}): "
                                               f"{note.strip()}".strip()))
            record_audit(conn, by, "contact.route_to_attorney", "contact", cid,
                         {"client_id": client_id, "attorney_id": attorney.id if attorney else None,
                          "why": "fee arbitration requested: collection stops and no suit while it is pending "
                                 "(rule: Fee arbitration before suit)"}, at=now)
        row = conn.execute(select(contacts).where(contacts.c.id == cid)).one()
        return Logged(_row(row), tuple(hold_ids), attorney, reason == "dispute" or arbitration_requested)


def list_contacts(store: Store, client_id: int | None = None, limit: int = 50) -> list[ContactRecord]:
    q = select(contacts).order_by(contacts.c.at.desc(), contacts.c.id.desc()).limit(limit)
    if client_id is not None:
        q = q.where(contacts.c.client_id == client_id)
    with store.begin() as conn:
        return [_row(r) for r in conn.execute(q)]


def latest_reason(conn: Connection, client_id: int) -> ContactRecord | None:
    """The most recent contact: its reason chooses the suggested terms."""
    r = conn.execute(select(contacts).where(contacts.c.client_id == client_id)
                     .order_by(contacts.c.at.desc(), contacts.c.id.desc()).limit(1)).first()
    return _row(r) if r is not None else None


def broken_promise_dates(conn: Connection, client_ids: Iterable[int] | None = None) -> dict[int, list[date]]:
    """Promised dates of broken promises per client: the client profile counts them."""
    q = select(contacts.c.client_id, contacts.c.promise_date).where(contacts.c.promise_status == "broken")
    if client_ids is not None:
        q = q.where(contacts.c.client_id.in_(list(client_ids)))
    out: dict[int, list[date]] = defaultdict(list)
    for r in conn.execute(q.order_by(contacts.c.promise_date)):
        out[int(r.client_id)].append(r.promise_date)
    return dict(out)


def check_promises(store: Store, settings: Settings, today: date, *, now: datetime | None = None,
                   by: str = SYSTEM, dry_run: bool = False) -> list[PromiseCheck]:
    """Settle open promises: kept once the client paid the promised amount, broken once date + grace passed.

    Money received is the larger of the posted payments dated from the contact to the deadline and
    the drop in what the client owes in that currency since the promise (either may lag the other).
    """
    now = now or datetime.now(UTC)
    cal = settings.calendar()
    grace = settings.offers.promise_grace_days
    out: list[PromiseCheck] = []
    with transaction(store, dry_run) as conn:
        rows = conn.execute(select(contacts).where(contacts.c.promise_status == "open").order_by(contacts.c.id)).all()
        for r in rows:
            c = _row(r)
            assert c.promise is not None
            p = c.promise
            deadline = cal.add_business_days(p.on, grace)
            since = cal.local_today(c.at)
            paid = payments_received(conn, c.client_id, p.currency, since, deadline)
            dropped = (c.residual_at_promise or ZERO) - open_residual(conn, c.client_id, p.currency)
            received = max(paid, dropped, ZERO)
            status = "open"
            if received >= p.amount:
                status = "kept"
            elif today > deadline:
                status = "broken"
            values: dict[str, Any] = {"promise_checked_at": now}
            if status != "open":
                values["promise_status"] = status
                detail = {"client_id": c.client_id, "promised": str(p.amount), "currency": p.currency,
                          "promise_date": p.on.isoformat(), "deadline": deadline.isoformat(),
                          "received": str(received), "payments": str(paid), "balance_drop": str(dropped)}
                record_audit(conn, by, f"promise.{status}", "contact", c.id, detail, at=now)
                if status == "broken":
                    lift_hold(conn, c.hold_id, by=by, now=now,
                              reason=f"promise to pay broken: {format_plain(received, p.currency)} of "
                                     f"{format_plain(p.amount, p.currency)} received by {deadline}")
            conn.execute(update(contacts).where(contacts.c.id == c.id).values(**values))
            out.append(PromiseCheck(c.id, c.client_id, status, p.amount, p.currency, received, deadline))
    return out
