"""Load what the policy needs from the store in a handful of set-based queries, then plan.

Each query selects only the columns the policy reads and is exposed by `snapshot_queries` so the
benchmark can time the bare load of exactly the same rows beside the full plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, and_, func, or_, select

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import Settings
from overdue_reminder.core import policy
from overdue_reminder.core.interest import cap_table
from overdue_reminder.core.policy import CONTACT_STATUSES, LedgerSnapshot, MatterFlags, PastContact
from overdue_reminder.core.profile import WINDOW_DAYS, ClientProfile, PaymentRecord, client_profile
from overdue_reminder.model import Address, Attorney, Invoice, InvoiceKind, Partner, Payment, Plan, TrustBalance
from overdue_reminder.services.holds import hold_from_row
from overdue_reminder.services.jurisdiction import jurisdiction_rows, limits
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import lookup_client
from overdue_reminder.store.schema import (
    attorneys,
    clients,
    contacts,
    holds,
    invoices,
    letters,
    matters,
    payments,
    reminders,
    trust_balances,
)

_KINDS = {k.value: k for k in InvoiceKind}
LETTER_CONTACT_STATUSES = ("awaiting_review", "approved", "sent")
_LETTER_AS_CONTACT = {"awaiting_review": "draft", "approved": "approved", "sent": "sent"}
_NO_ADDRESS = Address()  # frozen: one shared instance; the policy never reads addresses


def snapshot_queries(today: date, client_ids: Iterable[int] | None = None) -> dict[str, Select[Any]]:
    """The SELECTs a snapshot is built from, by name; `client_ids` narrows every one of them."""
    ids = None if client_ids is None else list(client_ids)
    since = today - timedelta(days=WINDOW_DAYS)
    since_dt = datetime.combine(since, time(), tzinfo=UTC)

    def narrow(q: Select[Any], col: Any) -> Select[Any]:
        return q if ids is None else q.where(col.in_(ids))

    # The latest contact per client and matter: within a cycle it carries the highest tier.
    rank = func.row_number().over(partition_by=(reminders.c.client_id, reminders.c.matter_ref),
                                  order_by=(reminders.c.run_date.desc(), reminders.c.id.desc())).label("rank")
    ranked = narrow(select(reminders.c.id, rank).where(reminders.c.status.in_(CONTACT_STATUSES)),
                    reminders.c.client_id).subquery()
    latest = select(ranked.c.id).where(ranked.c.rank == 1)
    return {
        "invoices": narrow(select(
            invoices.c.id, invoices.c.name, invoices.c.kind, invoices.c.client_id, invoices.c.contact_id,
            invoices.c.attorney_id, invoices.c.matter_ref, invoices.c.currency, invoices.c.amount_total,
            invoices.c.amount_residual, invoices.c.invoice_date, invoices.c.due_date, invoices.c.payment_state,
        ).where(invoices.c.is_open.is_(True)).order_by(invoices.c.client_id, invoices.c.id), invoices.c.client_id),
        "partners": narrow(select(
            clients.c.id, clients.c.commercial_id, clients.c.name, clients.c.email, clients.c.lang,
            clients.c.is_company, clients.c.contact_type,
        ), clients.c.commercial_id),
        "attorneys": select(attorneys.c.id, attorneys.c.name, attorneys.c.login, attorneys.c.email),
        "payments": narrow(select(
            payments.c.id, payments.c.client_id, payments.c.amount, payments.c.currency, payments.c.date,
            payments.c.invoice_ids,
        ).where(and_(payments.c.reconciled.is_(False), payments.c.state == "posted")), payments.c.client_id),
        "trust": narrow(select(trust_balances.c.client_id, trust_balances.c.currency, trust_balances.c.amount),
                        trust_balances.c.client_id),
        "holds": narrow(select(holds).where(and_(
            holds.c.removed_at.is_(None), or_(holds.c.until.is_(None), holds.c.until >= today))), holds.c.client_id),
        "contacts": select(
            reminders.c.client_id, reminders.c.tier, reminders.c.tier_index, reminders.c.run_date,
            reminders.c.sent_at, reminders.c.matter_ref, reminders.c.invoice_ids, reminders.c.status,
        ).where(reminders.c.id.in_(latest)),
        # Letters are contacts too: an escalation letter queued, approved or sent moves the client on.
        "letters": narrow(select(letters.c.client_id, letters.c.tier, letters.c.run_date, letters.c.invoice_ids,
                                 letters.c.status).where(letters.c.status.in_(LETTER_CONTACT_STATUSES)),
                          letters.c.client_id),
        "matters": narrow(select(matters.c.client_id, matters.c.reference, matters.c.before_court,
                                 matters.c.interest_allowed, matters.c.interest_rate, matters.c.interest_cap)
                          .where(or_(matters.c.before_court.is_(True), matters.c.interest_allowed.is_(True))),
                          matters.c.client_id),
        # Paid within the window, and seen open before it closed (so closed_at dates the payment).
        "history": narrow(select(invoices.c.client_id, invoices.c.due_date, invoices.c.closed_at).where(and_(
            invoices.c.is_open.is_(False), invoices.c.kind == InvoiceKind.INVOICE.value,
            invoices.c.payment_state.in_(("paid", "in_payment")), invoices.c.closed_at >= since_dt,
            invoices.c.closed_at > invoices.c.first_seen)), invoices.c.client_id),
        "broken_promises": narrow(select(contacts.c.client_id, contacts.c.promise_date, contacts.c.at).where(and_(
            contacts.c.promise_status == "broken", contacts.c.at >= since_dt)), contacts.c.client_id),
    }


def load_snapshot(conn: Connection, settings: Settings, today: date,
                  client_ids: Iterable[int] | None = None) -> LedgerSnapshot:
    tz = ZoneInfo(settings.firm.timezone)
    client_ids = None if client_ids is None else list(client_ids)  # read twice below
    q = snapshot_queries(today, client_ids)
    kinds = _KINDS
    inv_list = [Invoice(i, name, kinds[kind], cid, contact, att, ref, cur, total, residual, idate, due, state, True)
                for (i, name, kind, cid, contact, att, ref, cur, total, residual, idate, due, state)
                in conn.execute(q["invoices"]).all()]
    partners = {i: Partner(i, name, com, email or "", lang or "", "", bool(company), ctype or "contact", _NO_ADDRESS)
                for (i, com, name, email, lang, company, ctype) in conn.execute(q["partners"]).all()}
    atts = {i: Attorney(i, name, login, email) for (i, name, login, email) in conn.execute(q["attorneys"]).all()}
    pays = [Payment(i, cid, amount, cur, day, False, tuple(ids or ()))
            for (i, cid, amount, cur, day, ids) in conn.execute(q["payments"]).all()]
    trust = [TrustBalance(cid, cur, amount) for (cid, cur, amount) in conn.execute(q["trust"]).all()]
    hold_list = [hold_from_row(r) for r in conn.execute(q["holds"]).all()]
    past = [PastContact(cid, tier, idx, sent.astimezone(tz).date() if sent is not None else run, ref or "",
                        tuple(ids or ()), status)
            for (cid, tier, idx, run, sent, ref, ids, status) in conn.execute(q["contacts"]).all()]
    tier_index = {t.name: i for i, t in enumerate(settings.policy.tiers)}
    # In the policy's words: a letter awaiting the attorney is queued like a draft reminder.
    past += [PastContact(cid, tier, tier_index[tier], run, "", tuple(ids or ()), _LETTER_AS_CONTACT[status])
             for (cid, tier, run, ids, status) in conn.execute(q["letters"]).all() if tier in tier_index]
    flags = {(cid, ref): MatterFlags(bool(court), bool(interest), rate, cap)
             for (cid, ref, court, interest, rate, cap) in conn.execute(q["matters"]).all()}
    history, broken = _grade_rows(conn, q, tz)
    desk, odoo = jurisdiction_rows(conn, client_ids)
    periods = limits(settings, {(i.client_id, i.matter_ref) for i in inv_list} if
                     settings.letters.jurisdiction_by_matter else (), desk, odoo)
    return LedgerSnapshot(partners=partners, invoices=inv_list, attorneys=atts, payments=pays, trust=trust,
                          holds=hold_list, contacts=past, matters=flags, history=history,
                          broken_promises=broken, limits=periods)


def _grade_rows(conn: Connection, q: dict[str, Select[Any]],
                tz: tzinfo) -> tuple[dict[int, list[PaymentRecord]], dict[int, list[date]]]:
    """What a client's grade is computed from: payments within the window and broken promises, per client."""
    history: dict[int, list[PaymentRecord]] = defaultdict(list)
    for cid, due, closed in conn.execute(q["history"]).all():
        history[cid].append(PaymentRecord(due, closed.astimezone(tz).date()))
    broken: dict[int, list[date]] = defaultdict(list)
    for cid, promised, at in conn.execute(q["broken_promises"]).all():
        broken[cid].append(promised or at.astimezone(tz).date())
    return dict(history), dict(broken)


def payment_profile(conn: Connection, tz: tzinfo, client_id: int, today: date) -> ClientProfile:
    """One client's grade from the very rows the policy grades with, without loading a whole snapshot
    (two small queries, so a review page stays fast)."""
    history, broken = _grade_rows(conn, snapshot_queries(today, [client_id]), tz)
    return client_profile(history.get(client_id, ()), broken.get(client_id, ()), today)


def firm_calendar(settings: Settings) -> FirmCalendar:
    """The firm's calendar with its holidays: business-day tiers count by it, and every notice's deadline (the
    next contact waits for it) is counted by it exactly as the text states it."""
    return settings.calendar()


def plan_from_store(store: Store, settings: Settings, today: date, client_ids: Iterable[int] | None = None,
                    explain_all: bool = False) -> Plan:
    """What tonight's run would do (changes nothing): load the snapshot, then the pure policy.

    `explain_all` also lists the clients that are simply on schedule (see policy.plan).
    """
    with store.begin() as conn:
        snap = load_snapshot(conn, settings, today, client_ids)
    return plan_snapshot(settings, snap, today, explain_all)


def plan_snapshot(settings: Settings, snap: LedgerSnapshot, today: date, explain_all: bool = False) -> Plan:
    """The pure policy with everything the firm's settings add to it: its calendar, the [interest]/[fees] caps,
    and the notice period each contact's deadline gives (the next contact waits for it)."""
    return policy.plan(settings.policy, snap, today, calendar=firm_calendar(settings), explain_all=explain_all,
                       caps=cap_table(settings.interest, settings.fees),
                       notice_days=settings.templates.respond_within_days)


@dataclass(frozen=True)
class ClientRef:
    id: int
    name: str


def resolve_client(store: Store, name_or_id: str) -> ClientRef:
    """One client by Odoo id, exact name, or a name fragment that matches only one client."""
    with store.begin() as conn:
        found = lookup_client(conn, name_or_id)
    return ClientRef(found.id, found.name)
