"""What the review pages read (the web's read-models): the queue, a client's file, the timeline and the aging
figures.

Read-only and narrow: each query selects the columns its page shows, in a handful of statements per page,
so a queue of a thousand items answers in milliseconds. Who may see what is decided here too
(`letter_visible`, `offer_visible`, `client_visible`); who may *decide* is left to the letter and offer
services, which the views call for every decision.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from sqlalchemy import Connection, and_, exists, false, literal, or_, select, union_all

from overdue_reminder.core.aging import BUCKETS, AgingRow, aging
from overdue_reminder.core.letter_docx import open_docx
from overdue_reminder.core.offers import from_json
from overdue_reminder.model import Invoice, InvoiceKind
from overdue_reminder.services.contacts import REASON_LABELS, display_name, find_client_name
from overdue_reminder.services.docx_runs import Span, alignment, heading_level, spans
from overdue_reminder.services.letters import AWAITING
from overdue_reminder.services.offers import OfferRecord, summary
from overdue_reminder.services.planning import payment_profile
from overdue_reminder.store.schema import (
    attorneys,
    clients,
    contacts,
    holds,
    invoices,
    letters,
    offers,
    reminders,
)

IN_CHUNK = 5000  # ids per IN (...) list: well under SQLite's and PostgreSQL's bind limits
_KINDS = {k.value: k for k in InvoiceKind}


# ---------------------------------------------------------------- who may see what
class Identity(Protocol):
    """The signed-in person as these queries see them (web.auth.Identity is one)."""

    @property
    def attorney_id(self) -> int | None: ...

    @property
    def idents(self) -> frozenset[str]: ...

    @property
    def sees_all(self) -> bool: ...


def _mine(ident: Identity, attorney_id: int | None, *_emails: str | None) -> bool:
    """By the Odoo user id only: an email is a field its owner may edit, so it identifies no one."""
    return ident.attorney_id is not None and attorney_id == ident.attorney_id


def letter_visible(ident: Identity, attorney_id: int | None, attorney_email: str) -> bool:
    """Partners and billing staff see every letter; an attorney only the letters assigned to them."""
    return ident.sees_all or _mine(ident, attorney_id, attorney_email)


def offer_visible(ident: Identity, rec: OfferRecord) -> bool:
    """An attorney sees offers assigned to them and offers for the clients they are responsible for."""
    return ident.sees_all or _mine(ident, rec.attorney_id, rec.assigned_to)


def client_visible(conn: Connection, ident: Identity, client_id: int) -> bool:
    """An attorney sees a client they bill (an invoice of theirs) or have a letter or offer for."""
    if ident.sees_all:
        return True
    conds: list[Any] = [false()]
    if ident.attorney_id is not None:
        conds += [exists().where(and_(invoices.c.client_id == client_id, invoices.c.attorney_id == ident.attorney_id)),
                  exists().where(and_(letters.c.client_id == client_id, letters.c.attorney_id == ident.attorney_id)),
                  exists().where(and_(offers.c.client_id == client_id, offers.c.attorney_id == ident.attorney_id))]
    return bool(conn.execute(select(or_(*conds))).scalar())


# ---------------------------------------------------------------- the queue
@dataclass(frozen=True, slots=True)
class QueueItem:
    kind: Literal["letter", "offer"]
    id: int
    client_id: int
    client_name: str
    what: str
    totals: dict[str, Decimal]
    waiting_since: datetime
    assigned_to: str
    invoice_ids: tuple[int, ...]
    note: str = ""
    days_overdue: int | None = None  # of the oldest invoice still open; None: all paid since


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    total: int
    letters: int
    offers: int
    totals: dict[str, Decimal]
    page: int
    pages: int


def _chunks(ids: Sequence[int], n: int = IN_CHUNK) -> Iterable[list[int]]:
    for i in range(0, len(ids), n):
        yield list(ids[i:i + n])


def open_due_dates(conn: Connection, ids: Iterable[int]) -> dict[int, date]:
    """Due dates of the invoices among `ids` that are still open."""
    wanted = sorted(set(ids))
    out: dict[int, date] = {}
    for part in _chunks(wanted):
        q = select(invoices.c.id, invoices.c.due_date).where(and_(invoices.c.id.in_(part),
                                                                  invoices.c.is_open.is_(True)))
        out.update({i: d for i, d in conn.execute(q).all()})
    return out


def days_overdue(due: dict[int, date], ids: Iterable[int], today: date) -> int | None:
    dates = [due[i] for i in ids if i in due]
    return (today - min(dates)).days if dates else None


@dataclass
class LetterTotals:
    """Each queued letter's amounts per currency, by (id, idempotency key).

    A letter's totals are written once, when it is queued, and never change: caching them is exact, and spares
    the queue page from decoding a thousand JSON documents on every request just to add up the amounts.
    """

    maxsize: int = 200_000
    _items: dict[tuple[int, str], dict[str, Decimal]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def lookup(self, conn: Connection, keys: Sequence[tuple[int, str]]) -> list[dict[str, Decimal]]:
        with self._lock:
            missing = [k for k in keys if k not in self._items]
        found: dict[tuple[int, str], dict[str, Decimal]] = {}
        for part in _chunks([k[0] for k in missing]):
            for lid, key, totals in conn.execute(select(letters.c.id, letters.c.idempotency_key, letters.c.totals)
                                                 .where(letters.c.id.in_(part))):
                found[(lid, key)] = {c: Decimal(v) for c, v in (totals or {}).items()}
        with self._lock:
            if len(self._items) + len(found) > self.maxsize:
                self._items.clear()
            self._items.update(found)
            return [self._items.get(k) or found.get(k) or {} for k in keys]


def _scopes(ident: Identity) -> tuple[list[Any], list[Any]]:
    """The WHERE clauses of 'awaiting this person': every item for partners and billing staff."""
    lwhere: list[Any] = [letters.c.status == AWAITING]
    owhere: list[Any] = [offers.c.status == "awaiting_attorney"]
    if not ident.sees_all:
        lwhere.append(letters.c.attorney_id == ident.attorney_id if ident.attorney_id is not None else false())
        owhere.append(and_(offers.c.attorney_id == ident.attorney_id, offers.c.needs != "partner")
                      if ident.attorney_id is not None else false())
    return lwhere, owhere


def load_queue(conn: Connection, ident: Identity, today: date, *, page: int = 1, page_size: int = 100,
               totals_cache: LetterTotals | None = None) -> Queue:
    """Letters awaiting review and offers awaiting an attorney, oldest first; an attorney's own only.

    One ordered query lists the whole queue (kind, id and key only: counting, paging, and the amounts per
    currency from the letter totals cache); only the page's rows are then read in full.
    """
    lwhere, owhere = _scopes(ident)
    rows = _queue_order(conn, lwhere, owhere)
    keys = [(i, key) for kind, i, key in rows if kind == "letter"]
    totals = _queue_totals(conn, keys, owhere, totals_cache or LetterTotals())
    total = len(rows)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    order = [(kind, i) for kind, i, _ in rows[(page - 1) * page_size:page * page_size]]
    found = {**_letter_items(conn, [i for k, i in order if k == "letter"]),
             **_offer_items(conn, [i for k, i in order if k == "offer"])}
    shown = [found[(k, i)] for k, i in order if (k, i) in found]
    due = open_due_dates(conn, (i for it in shown for i in it.invoice_ids))
    shown = [dataclasses.replace(it, days_overdue=days_overdue(due, it.invoice_ids, today)) for it in shown]
    return Queue(shown, total, len(keys), total - len(keys), dict(sorted(totals.items())), page, pages)


def _queue_order(conn: Connection, lwhere: list[Any], owhere: list[Any]) -> list[tuple[str, int, str]]:
    """(kind, id, idempotency key) of the whole queue, oldest first."""
    both = union_all(
        select(literal("letter").label("kind"), letters.c.id.label("id"), letters.c.idempotency_key.label("key"),
               letters.c.created_at.label("at")).where(*lwhere),
        select(literal("offer").label("kind"), offers.c.id.label("id"), literal("").label("key"),
               offers.c.created_at.label("at")).where(*owhere)).subquery()
    q = select(both.c.kind, both.c.id, both.c.key).order_by(both.c.at, both.c.kind, both.c.id)
    return [(kind, i, key) for kind, i, key in conn.execute(q).all()]


def _queue_totals(conn: Connection, keys: Sequence[tuple[int, str]], owhere: list[Any],
                  cache: LetterTotals) -> dict[str, Decimal]:
    """The whole queue's amounts per currency: the letters' from the cache, the offers' balances."""
    totals: dict[str, Decimal] = {}
    for amounts in cache.lookup(conn, keys):
        for c, v in amounts.items():
            totals[c] = totals.get(c, Decimal(0)) + v
    for cur, balance in conn.execute(select(offers.c.currency, offers.c.balance).where(*owhere)):
        totals[cur] = totals.get(cur, Decimal(0)) + balance
    return totals


def _letter_items(conn: Connection, ids: list[int]) -> dict[tuple[str, int], QueueItem]:
    if not ids:
        return {}
    q = (select(letters.c.id, letters.c.client_id, clients.c.name, letters.c.kind, letters.c.tier,
                letters.c.created_at, letters.c.totals, letters.c.invoice_ids, letters.c.attorney_email,
                letters.c.flags)
         .select_from(letters.outerjoin(clients, clients.c.id == letters.c.client_id))
         .where(letters.c.id.in_(ids)))
    found: dict[tuple[str, int], QueueItem] = {}
    for (lid, cid, name, kind, tier, created, ltotals, inv_ids, email, flags) in conn.execute(q):
        note = ", ".join(f.replace("_", " ").replace(":", ": ") for f in (flags or ()))
        found[("letter", lid)] = QueueItem(
            "letter", lid, cid, display_name(name, cid), f"{kind.replace('_', ' ')} letter ({tier})",
            {c: Decimal(v) for c, v in (ltotals or {}).items()}, created, email, tuple(inv_ids or ()), note)
    return found


def _offer_items(conn: Connection, ids: list[int]) -> dict[tuple[str, int], QueueItem]:
    if not ids:
        return {}
    q = (select(offers.c.id, offers.c.client_id, clients.c.name, offers.c.kind, offers.c.currency,
                offers.c.balance, offers.c.created_at, offers.c.invoice_ids, offers.c.assigned_to, offers.c.needs)
         .select_from(offers.outerjoin(clients, clients.c.id == offers.c.client_id))
         .where(offers.c.id.in_(ids)))
    found: dict[tuple[str, int], QueueItem] = {}
    for (oid, cid, name, kind, cur, balance, created, inv_ids, assigned, needs) in conn.execute(q):
        found[("offer", oid)] = QueueItem(
            "offer", oid, cid, display_name(name, cid), f"{kind} offer", {cur: balance}, created, assigned or "",
            tuple(inv_ids or ()), "needs the supervising partner" if needs == "partner" else "")
    return found


# ---------------------------------------------------------------- a letter's text, from the .docx
@dataclass(frozen=True, slots=True)
class DocBlock:
    kind: Literal["heading", "paragraph", "table"]
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    spans: tuple[Span, ...] = ()  # the text with its bold/italic/underline runs (services.docx_runs)
    level: int = 0  # heading level
    align: str = ""  # "", "center", "right", "justify"
    header_row: bool = False  # a table whose first row is bold is headed by it


@dataclass(frozen=True)
class DocView:
    sha256: str
    headers: tuple[str, ...]
    blocks: tuple[DocBlock, ...]


def docx_blocks(data: bytes) -> tuple[tuple[str, ...], tuple[DocBlock, ...]]:
    """Paragraphs and tables in document order, plus the header lines (where the DRAFT marker lives)."""
    doc = open_docx(data)
    blocks: list[DocBlock] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            level = heading_level((item.style.name if item.style is not None else "") or "")
            blocks.append(DocBlock("heading" if level else "paragraph", text, spans=spans(item), level=level,
                                   align=alignment(item)))
        elif isinstance(item, DocxTable):
            rows = tuple(tuple(cell.text.strip() for cell in row.cells) for row in item.rows)
            if rows:
                first = [sp for cell in item.rows[0].cells for p in cell.paragraphs for sp in spans(p)]
                blocks.append(DocBlock("table", rows=rows, header_row=bool(first) and all(sp.bold for sp in first)))
    headers: list[str] = []
    for section in doc.sections:
        for part in (section.header, section.first_page_header):
            if part is not None and not part.is_linked_to_previous:
                headers.extend(p.text.strip() for p in part.paragraphs if p.text.strip())
    return tuple(dict.fromkeys(headers)), tuple(blocks)


@dataclass
class DocCache:
    """Parsed letters by sha256: the file is read and hashed on every view (cheap), parsed once."""

    maxsize: int = 256
    _items: OrderedDict[str, DocView] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def view(self, path: Path) -> DocView:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        with self._lock:
            hit = self._items.get(sha)
            if hit is not None:
                self._items.move_to_end(sha)
                return hit
        headers, blocks = docx_blocks(data)
        view = DocView(sha, headers, blocks)
        with self._lock:
            self._items[sha] = view
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return view


# ---------------------------------------------------------------- a client's file
@dataclass(frozen=True, slots=True)
class InvoiceLine:
    id: int
    name: str
    kind: str
    matter_ref: str
    currency: str
    amount_total: Decimal
    amount_residual: Decimal
    due_date: date
    payment_state: str
    is_open: bool
    days_overdue: int


@dataclass(frozen=True, slots=True)
class ReminderLine:
    id: int
    run_date: date
    tier: str
    channel: str
    status: str
    totals: dict[str, Decimal]
    sent_at: datetime | None
    to_address: str


@dataclass(frozen=True, slots=True)
class ContactLine:
    id: int
    at: datetime
    by: str
    reason: str
    note: str
    promise: str


def client_name(conn: Connection, client_id: int) -> str | None:
    return find_client_name(conn, client_id)


def client_invoices(conn: Connection, client_id: int, today: date, *, closed_limit: int = 20) -> list[InvoiceLine]:
    """Open invoices (oldest due first), then the most recently due closed ones."""
    cols = (invoices.c.id, invoices.c.name, invoices.c.kind, invoices.c.matter_ref, invoices.c.currency,
            invoices.c.amount_total, invoices.c.amount_residual, invoices.c.due_date, invoices.c.payment_state,
            invoices.c.is_open)
    open_rows = conn.execute(select(*cols).where(and_(invoices.c.client_id == client_id,
                                                      invoices.c.is_open.is_(True)))
                             .order_by(invoices.c.due_date, invoices.c.id)).all()
    closed_rows = conn.execute(select(*cols).where(and_(invoices.c.client_id == client_id,
                                                        invoices.c.is_open.is_(False)))
                               .order_by(invoices.c.due_date.desc(), invoices.c.id.desc()).limit(closed_limit)).all()
    return [InvoiceLine(r.id, r.name, r.kind, r.matter_ref, r.currency, r.amount_total, r.amount_residual, r.due_date,
                        r.payment_state, bool(r.is_open), max(0, (today - r.due_date).days) if r.is_open else 0)
            for r in (*open_rows, *closed_rows)]


def reminder_history(conn: Connection, client_id: int, limit: int = 50) -> list[ReminderLine]:
    q = (select(reminders.c.id, reminders.c.run_date, reminders.c.tier, reminders.c.channel, reminders.c.status,
                reminders.c.totals, reminders.c.sent_at, reminders.c.to_address)
         .where(reminders.c.client_id == client_id).order_by(reminders.c.run_date.desc(), reminders.c.id.desc())
         .limit(limit))
    return [ReminderLine(r.id, r.run_date, r.tier, r.channel, r.status,
                         {c: Decimal(v) for c, v in (r.totals or {}).items()}, r.sent_at, r.to_address)
            for r in conn.execute(q)]


def contact_log(conn: Connection, client_id: int, limit: int = 30) -> list[ContactLine]:
    q = (select(contacts).where(contacts.c.client_id == client_id)
         .order_by(contacts.c.at.desc(), contacts.c.id.desc()).limit(limit))
    out = []
    for r in conn.execute(q):
        promise = ""
        if r.promise_date is not None and r.promise_amount is not None:
            promise = f"promised {r.promise_amount:,} {r.promise_currency or ''} by {r.promise_date}" \
                      + (f" ({r.promise_status})" if r.promise_status else "")
        out.append(ContactLine(r.id, r.at, r.by, REASON_LABELS.get(r.reason, r.reason), r.note or "", promise))
    return out


# ---------------------------------------------------------------- the timeline
@dataclass(frozen=True, slots=True)
class Event:
    at: datetime | date
    kind: str  # reminder | letter | offer | contact | hold
    title: str
    detail: str = ""
    link: str = ""

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.at.isoformat() if isinstance(self.at, datetime) else f"{self.at.isoformat()}T00:00:00",
                self.kind)


def _money_text(totals: dict[str, Any]) -> str:
    return ", ".join(f"{Decimal(v):,} {c}" for c, v in totals.items())


def timeline(conn: Connection, client_id: int, ident: Identity, limit: int = 200) -> list[Event]:
    """Every contact with the client, newest first: reminders, letters, offers, the contact log and holds.

    An attorney's timeline leaves out other attorneys' letters and offers (they are not theirs to see)."""
    ev = [*_reminder_events(conn, client_id, limit), *_letter_events(conn, client_id, ident, limit),
          *_offer_events(conn, client_id, ident, limit),
          *(Event(c.at, "contact", f"Contact logged by {c.by}: {c.reason}",
                  "; ".join(p for p in (c.note, c.promise) if p)) for c in contact_log(conn, client_id, limit)),
          *_hold_events(conn, client_id, limit)]
    ev.sort(key=lambda e: e.sort_key, reverse=True)
    return ev[:limit]


def _reminder_events(conn: Connection, client_id: int, limit: int) -> Iterator[Event]:
    for r in conn.execute(select(reminders.c.id, reminders.c.tier, reminders.c.channel, reminders.c.status,
                                 reminders.c.created_at, reminders.c.sent_at, reminders.c.totals,
                                 reminders.c.to_address, reminders.c.decided_by, reminders.c.decided_at)
                          .where(reminders.c.client_id == client_id).order_by(reminders.c.id.desc()).limit(limit)):
        yield Event(r.created_at, "reminder", f"Reminder drafted: {r.tier} ({r.channel})",
                    f"{_money_text(r.totals or {})}; now {r.status}")
        if r.decided_at is not None and r.decided_by:
            yield Event(r.decided_at, "reminder", f"Reminder {r.tier} decided by {r.decided_by}", r.status)
        if r.sent_at is not None:
            yield Event(r.sent_at, "reminder", f"Reminder sent: {r.tier}", f"to {r.to_address}")


def _letter_events(conn: Connection, client_id: int, ident: Identity, limit: int) -> Iterator[Event]:
    for r in conn.execute(select(letters.c.id, letters.c.kind, letters.c.tier, letters.c.status, letters.c.created_at,
                                 letters.c.attorney_id, letters.c.attorney_email, letters.c.decided_by,
                                 letters.c.decided_at, letters.c.reason, letters.c.released_by, letters.c.released_at,
                                 letters.c.totals)
                          .where(letters.c.client_id == client_id).order_by(letters.c.id.desc()).limit(limit)):
        if not letter_visible(ident, r.attorney_id, r.attorney_email):
            continue
        link = f"/letters/{r.id}"
        kind = r.kind.replace("_", " ")
        yield Event(r.created_at, "letter", f"Letter {r.id} queued: {kind} ({r.tier})",
                    f"{_money_text(r.totals or {})}; for {r.attorney_email}", link)
        if r.decided_at is not None:
            verb = "approved" if r.status in ("approved", "sent") else r.status
            yield Event(r.decided_at, "letter", f"Letter {r.id} {verb} by {r.decided_by}", r.reason or "", link)
        if r.released_at is not None:
            yield Event(r.released_at, "letter", f"Letter {r.id} released for sending by {r.released_by}", "", link)


def _offer_events(conn: Connection, client_id: int, ident: Identity, limit: int) -> Iterator[Event]:
    for r in conn.execute(select(offers).where(offers.c.client_id == client_id)
                          .order_by(offers.c.id.desc()).limit(limit)):
        if not ident.sees_all and not _mine(ident, r.attorney_id, r.assigned_to):
            continue
        link = f"/offers/{r.id}"
        try:
            text = summary(from_json(r.terms))
        except (KeyError, TypeError, ValueError):
            text = f"{r.kind} {r.balance:,} {r.currency}"
        yield Event(r.created_at, "offer", f"Offer {r.id} made by {r.created_by}: {r.kind}", text, link)
        if r.decided_at is not None and r.decided_by and r.needs != "staff":
            yield Event(r.decided_at, "offer", f"Offer {r.id} decided by {r.decided_by}", r.status, link)
        if r.accepted_at is not None:
            yield Event(r.accepted_at, "offer", f"Offer {r.id} accepted by the client",
                        f"recorded by {r.accepted_by}", link)
        if r.closed_at is not None:
            yield Event(r.closed_at, "offer", f"Offer {r.id} closed: {r.status}", "", link)


def _hold_events(conn: Connection, client_id: int, limit: int) -> Iterator[Event]:
    for r in conn.execute(select(holds).where(holds.c.client_id == client_id).order_by(holds.c.id.desc()).limit(limit)):
        kind = r.kind.replace("_", " ")
        until = f" until {r.until}" if r.until else ""
        yield Event(r.created_at, "hold", f"Hold placed by {r.created_by}: {kind}{until}", r.reason or "")
        if r.removed_at is not None:
            yield Event(r.removed_at, "hold", f"Hold ({kind}) removed by {r.removed_by}", "")


# ---------------------------------------------------------------- aging
def open_invoices(conn: Connection, *, client_id: int | None = None, attorney_id: int | None = None) -> list[Invoice]:
    """Open invoices narrowed to a client or an attorney, as Invoice records carrying only what aging reads
    (kind, client, attorney, currency, residual, due date); names and dates it does not read are left empty."""
    q = select(invoices.c.id, invoices.c.kind, invoices.c.client_id, invoices.c.attorney_id, invoices.c.currency,
               invoices.c.amount_residual, invoices.c.due_date).where(_open_scope(client_id, attorney_id))
    kinds = _KINDS
    return [Invoice(i, "", kinds[kind], cid, cid, att, "", cur, residual, residual, None, due, "", True)
            for (i, kind, cid, att, cur, residual, due) in conn.execute(q).all()]


def _open_scope(client_id: int | None, attorney_id: int | None) -> Any:
    conds: list[Any] = [invoices.c.is_open.is_(True)]
    if client_id is not None:
        conds.append(invoices.c.client_id == client_id)
    if attorney_id is not None:
        conds.append(invoices.c.attorney_id == attorney_id)
    return and_(*conds)


@dataclass(frozen=True)
class AgingView:
    group_by: str
    rows: list[AgingRow]
    count: int  # rows before the limit
    totals: list[AgingRow]  # one per currency
    buckets: tuple[str, ...] = BUCKETS


def aging_view(conn: Connection, ident: Identity, today: date, group_by: str, *, limit: int = 100) -> AgingView:
    """Aging per client or attorney (an attorney: their own invoices only), largest balances first."""
    if not ident.sees_all and ident.attorney_id is None:
        return AgingView(group_by, [], 0, [])
    mine = None if ident.sees_all else ident.attorney_id
    invs = open_invoices(conn, attorney_id=mine)
    if group_by == "attorney":
        names = select(attorneys.c.id, attorneys.c.name, attorneys.c.email)
        labels = {i: name or email or f"user {i}" for i, name, email in conn.execute(names)}
    else:
        billed = select(invoices.c.client_id).where(_open_scope(None, mine))
        labels = {i: name for i, name in conn.execute(select(clients.c.id, clients.c.name)
                                                      .where(clients.c.id.in_(billed)))}
    rows = aging(invs, today, group_by, labels)
    per_currency: dict[str, AgingRow] = {}
    for r in rows:  # the same sums as aging(invs, today, "total"), without a second pass over the invoices
        t = per_currency.get(r.currency)
        if t is None:
            t = per_currency[r.currency] = AgingRow("all", "all clients", r.currency)
        for b, v in r.buckets.items():
            t.buckets[b] += v
        t.count += r.count
    totals = [per_currency[c] for c in sorted(per_currency)]
    return AgingView(group_by, rows[:limit], len(rows), totals)


__all__ = [
    "AgingView",
    "ContactLine",
    "DocBlock",
    "DocCache",
    "DocView",
    "Event",
    "InvoiceLine",
    "LetterTotals",
    "Queue",
    "QueueItem",
    "ReminderLine",
    "aging_view",
    "client_invoices",
    "client_name",
    "client_visible",
    "contact_log",
    "days_overdue",
    "display_name",
    "docx_blocks",
    "letter_visible",
    "load_queue",
    "offer_visible",
    "open_due_dates",
    "open_invoices",
    "payment_profile",
    "reminder_history",
    "timeline",
]
