"""The facts of this moment for core.clearance, read inside the caller's transaction, and the items to clear.

Every exit calls `facts_for` on the same connection that then marks the item as leaving, so nothing can
change between the check and the mark. A refusal is audited (`clearance.blocked`) with each reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import (
    AGE,
    ATTORNEY_ONLY_HOLDS,
    FIGURES,
    HOLDS,
    SYSTEM,
    Actor,
    Clearance,
    Exit,
    Facts,
    HoldFact,
    InvoiceNow,
    Item,
    Line,
    Role,
    Wording,
    clear,
)
from overdue_reminder.core.interest import Charge, cap_table, ceiling
from overdue_reminder.core.rules import court_flags, needs_suit_gate
from overdue_reminder.core.wording import reminder_wording
from overdue_reminder.files import sha256_file
from overdue_reminder.money import quantum
from overdue_reminder.services.notices import suit_facts
from overdue_reminder.store import read_audit, record_audit
from overdue_reminder.store.schema import clients, holds, invoices, matters


def wording(settings: Settings, language: str = "", *, reminder: bool = False,
            currencies: Sequence[str] = ()) -> Wording:
    """The firm's content rules (core.wording): a reminder must also carry the verification phone and every
    channel label of its language and currencies; letters and offers only must not threaten or name foreign
    accounts."""
    full = reminder_wording(settings, language or settings.firm.default_language, currencies)
    return full if reminder else replace(full, required=())


def facts_for(conn: Connection, client_id: int, today: date, currencies: Sequence[str] = ()) -> Facts:
    """Active holds, open invoices and addresses of record for one client, as the store has them now."""
    active = and_(holds.c.client_id == client_id, holds.c.removed_at.is_(None),
                  or_(holds.c.until.is_(None), holds.c.until >= today, holds.c.kind.in_(ATTORNEY_ONLY_HOLDS)))
    held = tuple(HoldFact(r.id, r.kind, r.reason or "", r.created_by, r.invoice_id)
                 for r in conn.execute(select(holds).where(active).order_by(holds.c.id)))
    rows = conn.execute(select(invoices.c.id, invoices.c.name, invoices.c.currency, invoices.c.amount_residual,
                               invoices.c.is_open).where(invoices.c.client_id == client_id))
    inv = {r.id: InvoiceNow(r.id, r.name, r.currency, Decimal(r.amount_residual), bool(r.is_open)) for r in rows}
    emails = conn.execute(select(clients.c.email).where(clients.c.commercial_id == client_id))
    contacts = frozenset(e.strip().casefold() for (e,) in emails if e and e.strip())
    quanta: dict[str, Decimal] = {}
    for cur in {*currencies, *(i.currency for i in inv.values())}:
        try:
            quanta[cur] = quantum(cur)
        except Exception:  # an unknown code is compared exactly
            continue
    return Facts(held, inv, contacts, quanta)


def approver(name: str | None, role: str | None, proof: str | None, uid: int | None) -> Actor | None:
    """The approval as recorded: the system's own auto-approval, or a person with how they proved it."""
    if not name:
        return None
    if name == SYSTEM.name and (role in (None, "", Role.SYSTEM.value)):
        return SYSTEM
    try:
        r = Role(role) if role else Role.STAFF
    except ValueError:
        r = Role.STAFF
    return Actor(name, r, proof or "", uid)


def lines_of(raw: Sequence[Mapping[str, Any]]) -> tuple[Line, ...]:
    return tuple(Line(int(ln["id"]), str(ln.get("name", ln["id"])), str(ln.get("currency", "")),
                      Decimal(str(ln.get("residual", "0"))), ln.get("kind") == "credit_note") for ln in raw)


def item(exit_: Exit, ref: str, client_id: int, **kw: Any) -> Item:
    return Item(exit=exit_, ref=ref, client_id=client_id, **kw)


CLOSED_STATES = frozenset({"paid", "in_payment", "reversed", "cancel", "draft", "invoicing_legacy"})
Live = Mapping[int, tuple[str, Decimal, str]]  # invoice id -> (currency, residual, payment state), read just now


def firm_today(settings: Settings, now: datetime) -> date:
    return settings.calendar().local_now(now).date()


def with_live(facts: Facts, live: Live | None) -> Facts:
    """Residuals read from the accounting system a moment ago win over the last sync's."""
    if not live:
        return facts
    inv = dict(facts.invoices)
    for inv_id, (currency, residual, state) in live.items():
        old = inv.get(inv_id)
        if old is not None:
            inv[inv_id] = InvoiceNow(inv_id, old.name, currency or old.currency, residual,
                                     state not in CLOSED_STATES and residual != 0)
    return replace(facts, invoices=inv)


def approval_detail(actor: Actor) -> dict[str, Any]:
    """What an approval's audit entry records about who approved and how they proved it."""
    return {"approved_by": actor.audit()}


def recorded_approval(conn: Connection, object_type: str, object_id: int, action: str,
                      decided_by: str | None) -> Actor | None:
    """Who approved, as the append-only audit log recorded it at the moment of approval (role, proof, uid);
    an approval recorded without proof (before identities were proven) counts as unproven."""
    if not decided_by:
        return None
    entries = [e for e in read_audit(conn, object_type, object_id) if e.action == action]
    if entries:
        who = entries[-1].detail.get("approved_by")
        if isinstance(who, dict):
            return approver(str(who.get("name") or decided_by), str(who.get("role") or ""),
                            "" if who.get("proof") in (None, "none") else str(who.get("proof")),
                            int(who["odoo_uid"]) if who.get("odoo_uid") is not None else None)
    return Actor(decided_by, Role.STAFF, "")


def reminder_approval(conn: Connection, r: Any) -> Actor | None:
    if r.auto_send and not r.attorney_review and (r.decided_by or "").startswith(SYSTEM.name):
        return SYSTEM  # an auto_send tier, approved by the policy itself
    return recorded_approval(conn, "reminder", r.id, "reminder.approved", r.decided_by)


def reminder_item(r: Any, exit_: Exit, approved: Actor | None = None) -> Item:
    return Item(exit=exit_, ref=f"reminder #{r.id}", client_id=r.client_id, lines=lines_of(r.lines),
                recipient=r.to_address if r.channel == "email" else "", created_on=r.run_date,
                text=f"{r.subject}\n{r.body_text}", html=r.body_html, approved_by=approved,
                client_data=(r.client_name, r.matter_ref, *(str(ln.get("name", "")) for ln in r.lines)),
                needs_attorney=bool(r.attorney_review), attorney_uid=r.attorney_id,
                interest={c: Decimal(str(a)) for c, a in (getattr(r, "interest", None) or {}).items()})


def interest_ceiling(conn: Connection, settings: Settings, client_id: int, lines: Sequence[Line],
                     on: date) -> dict[str, Decimal]:
    """The most interest and fees these invoices may carry per currency on `on` (docs/rules.md, "Interest within
    its cap"): the caps for this kind of client, only where the client's or the matter's terms allow interest,
    never above a matter's own cap."""
    ids = [ln.invoice_id for ln in lines if not ln.credit_note]
    if not ids:
        return {}
    due = {r.id: (r.due_date, r.matter_ref or "") for r in conn.execute(
        select(invoices.c.id, invoices.c.due_date, invoices.c.matter_ref).where(invoices.c.id.in_(ids)))}
    client = conn.execute(select(clients.c.name, clients.c.is_company).where(clients.c.id == client_id)).first()
    name = client.name if client is not None else ""
    ov = next((c for c in settings.policy.clients if c.id == client_id), None) or next(
        (c for c in settings.policy.clients if c.name and c.name == name), None)
    individual = ov.kind == "consumer" if ov is not None and ov.kind else not (client is not None and client.is_company)
    refs = sorted({ref for _, ref in due.values() if ref})
    terms = {r.reference: (bool(r.interest_allowed), r.interest_cap) for r in conn.execute(
        select(matters.c.reference, matters.c.interest_allowed, matters.c.interest_cap).where(
            and_(matters.c.client_id == client_id, matters.c.reference.in_(refs))))} if refs else {}
    client_allows = ov is not None and ov.interest_allowed
    charges = []
    for ln in lines:
        if ln.invoice_id not in due:
            continue
        day, ref = due[ln.invoice_id]
        allowed, cap = terms.get(ref, (False, None))
        charges.append(Charge(ln.currency, ln.residual, (on - day).days, client_allows or allowed, cap))
    return ceiling(charges, cap_table(settings.interest, settings.fees).for_client(individual))


def court_matters_now(conn: Connection, client_id: int, refs: Sequence[str], flagged: Sequence[str]) -> frozenset[str]:
    """The matters a letter names that are before a court: flagged when it was drafted, or marked so since."""
    now = {r for (r,) in conn.execute(select(matters.c.reference).where(and_(
        matters.c.client_id == client_id, matters.c.reference.in_(list(refs)), matters.c.before_court.is_(True))))} \
        if refs else set()
    return frozenset(now | set(flagged))


def clear_reminder(conn: Connection, settings: Settings, r: Any, now: datetime, exit_: Exit, *,
                   live: Live | None = None, actor: Actor = SYSTEM) -> Clearance:
    """Clear a stored reminder at `exit_` on this connection's view of the ledger (plus `live` residuals)."""
    today = firm_today(settings, now)
    facts = with_live(facts_for(conn, r.client_id, today, [str(ln.get("currency", "")) for ln in r.lines]), live)
    approved = None if exit_ is Exit.REMINDER_APPROVAL else actor if exit_ is Exit.POSTAL \
        else reminder_approval(conn, r)
    currencies = sorted({str(ln.get("currency", "")) for ln in r.lines})
    it = reminder_item(r, exit_, approved)
    if it.interest:
        facts = replace(facts, interest_ceiling=interest_ceiling(conn, settings, r.client_id, it.lines, r.run_date))
    return clear(it, facts, actor, today, wording(settings, r.language, reminder=True, currencies=currencies))


def letter_item(letter: Any, exit_: Exit, text: str = "", approved: Actor | None = None) -> Item:
    return Item(exit=exit_, ref=f"letter {letter.id}", client_id=letter.client_id,
                created_on=letter.created_at.date(), text=text,
                client_data=(letter.client_name, *letter.matter_refs), totals=dict(letter.totals),
                invoice_ids=tuple(letter.invoice_ids), approved_by=approved, needs_attorney=True,
                attorney_uid=letter.attorney_id, kind=letter.kind,
                interest=dict(getattr(letter, "interest", None) or {}), suit=needs_suit_gate(letter.kind),
                deductions=dict(getattr(letter, "deductions", None) or {}),
                enclosures=tuple((str(e["form"]), str(e["sha256"])) for e in getattr(letter, "enclosures", ())))


def letter_facts(conn: Connection, settings: Settings, letter: Any, today: date) -> Facts:
    """The ledger's facts plus a letter's own: the suit gate's (refer-to-suit) and its enclosures' files now."""
    facts = facts_for(conn, letter.client_id, today, list(letter.totals))
    suit = suit_facts(conn, settings, letter.client_id, today, letter.jurisdiction) \
        if needs_suit_gate(letter.kind) else None
    files = {str(e["form"]): file_sha256(str(e["path"])) for e in getattr(letter, "enclosures", ())}
    return replace(facts, suit=suit, enclosures=files)


def file_sha256(path: str) -> str | None:
    """The sha256 of a file now, None when it is gone or unreadable."""
    try:
        return sha256_file(Path(path))
    except OSError:
        return None


def clear_letter(conn: Connection, settings: Settings, letter: Any, exit_: Exit, actor: Actor, now: datetime,
                 text: str = "") -> Clearance:
    today = firm_today(settings, now)
    approved = None
    if exit_ is Exit.LETTER_RELEASE:
        approved = recorded_approval(conn, "letter", letter.id, "letter.approved", letter.decided_by)
    facts = replace(letter_facts(conn, settings, letter, today),
                    before_court=court_matters_now(conn, letter.client_id, list(letter.matter_refs),
                                                   court_flags(letter.flags)))
    it = letter_item(letter, exit_, text, approved)
    if it.interest:  # the ceiling on the letter's invoices as the ledger has them now
        owed = [Line(i, v.name, v.currency, v.residual) for i in it.invoice_ids if (v := facts.invoices.get(i))]
        facts = replace(facts, interest_ceiling=interest_ceiling(conn, settings, letter.client_id, owed,
                                                                 letter.run_date))
    return clear(it, facts, actor, today, wording(settings))


def offer_item(client_id: int, exit_: Exit, ref: str, *, needs: str = "staff", attorney_uid: int | None = None,
               approved: Actor | None = None, text: str = "") -> Item:
    """An offer at proposal or acceptance; beyond staff authority it needs the attorney (or, over the
    attorney's limits, only the partner: no attorney uid then)."""
    return Item(exit=exit_, ref=ref, client_id=client_id, text=text, approved_by=approved,
                needs_attorney=needs in ("attorney", "partner"),
                attorney_uid=None if needs == "partner" else attorney_uid)


def clear_offer(conn: Connection, settings: Settings, item_: Item, actor: Actor, now: datetime) -> Clearance:
    today = firm_today(settings, now)
    return clear(item_, facts_for(conn, item_.client_id, today), actor, today, wording(settings))


CANCEL_RULES = frozenset({HOLDS, FIGURES, AGE})  # the facts moved on: cancel; else back to review


def record_block(conn: Connection, c: Clearance, actor: Actor, entity: str, entity_id: int, now: datetime) -> None:
    record_audit(conn, actor.name, "clearance.blocked", entity, entity_id,
                 {"exit": c.item.exit.value, "reasons": [{"rule": r.rule, "text": r.text} for r in c.reasons],
                  "holds": [h.id for h in c.holds], "actor": actor.audit()}, at=now)


__all__ = [
    "approval_detail",
    "approver",
    "clear_reminder",
    "court_matters_now",
    "facts_for",
    "firm_today",
    "interest_ceiling",
    "item",
    "lines_of",
    "record_block",
    "recorded_approval",
    "reminder_approval",
    "reminder_item",
    "with_live",
    "wording",
]
