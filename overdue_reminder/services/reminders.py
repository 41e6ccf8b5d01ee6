"""Drafts and their review: each planned email becomes one stored reminder, exactly once per day.

A reminder's identity is its idempotency key, a sha256 of (client, tier, run date, sorted invoice
ids): drafting the same plan twice on one day adds nothing, and the Message-ID `<key@firm-domain>`
is fixed the moment the draft exists, so a resend after a crash carries the same Message-ID.

Statuses: draft → approved | rejected; approved → sending → sent | unconfirmed | failed;
draft | approved → cancelled (paid meanwhile); any unsent one → cancelled when superseded by a newer draft;
postal (no email address: staff print and post it, then mark it posted); invalid_address (flagged,
never tried). Tiers with `auto_send` are stored approved; the rest wait for billing staff.
Every change writes an audit line in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from jinja2 import TemplateError
from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import SYSTEM, Actor, Clearance, Exit
from overdue_reminder.core.reminder_edit import edited_parts
from overdue_reminder.core.reminder_text import (
    Shared,
    Templates,
    reference_for,
    render_action,
    shared_for,
    templates_for,
)
from overdue_reminder.core.texts import clean_line, template_problem
from overdue_reminder.core.wording import official_links, reminder_wording
from overdue_reminder.errors import ConfigError, PolicyError, UsageError
from overdue_reminder.model import Action, Attorney, Plan
from overdue_reminder.services.clearing import CANCEL_RULES, approval_detail, clear_reminder
from overdue_reminder.services.identity import as_actor
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.ledger import insert_many, load_attorneys
from overdue_reminder.store.schema import audit, clients, offers, reminders

DRAFT, APPROVED, REJECTED, CANCELLED = "draft", "approved", "rejected", "cancelled"
SENDING, SENT, UNCONFIRMED, FAILED = "sending", "sent", "unconfirmed", "failed"
POSTAL, INVALID_ADDRESS = "postal", "invalid_address"
STATUSES = (DRAFT, APPROVED, REJECTED, CANCELLED, SENDING, SENT, UNCONFIRMED, FAILED, POSTAL, INVALID_ADDRESS)
SUPERSEDABLE = (DRAFT, APPROVED, INVALID_ADDRESS, POSTAL)
SYSTEM_ACTOR = "overdue-reminder"
CHUNK = 2000

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


# ---------------------------------------------------------------- identity and addresses
def idempotency_key(client_id: int, tier: str, run_date: date, invoice_ids: Iterable[int]) -> str:
    ids = ",".join(str(i) for i in sorted(set(invoice_ids)))
    return hashlib.sha256(f"reminder|{client_id}|{tier}|{run_date.isoformat()}|{ids}".encode()).hexdigest()


def from_address(settings: Settings) -> str:
    return (settings.delivery.from_address or settings.firm.email).strip()


def from_name(settings: Settings) -> str:
    """LAW.md #12: the firm's own name, never a collector-sounding alias."""
    return clean_line(settings.delivery.from_name or settings.firm.name)


def message_domain(settings: Settings) -> str:
    addr = from_address(settings)
    try:
        return parse_addresses(addr)[0].rsplit("@", 1)[1].lower()
    except ValueError as exc:
        raise ConfigError(f"no valid sender address ({addr or 'empty'}): {exc}.", path=settings.config_path,
                          key="delivery.from_address",
                          fix="set delivery.from_address (or firm.email) to the firm's billing address.") from exc


def message_id(key: str, domain: str) -> str:
    return f"<{key}@{domain}>"


def parse_addresses(raw: str) -> list[str]:
    """The address(es) of record, split on ',' or ';'; ValueError names what is wrong.

    Deliberately strict: an address that is not plainly valid is flagged for staff, never guessed at.
    """
    if not raw.strip():
        raise ValueError("no address")
    out: list[str] = []
    for part in re.split(r"[;,]", raw):
        addr = part.strip()
        if not addr:
            continue
        if len(addr) > 254 or _SPACE_OR_CONTROL.search(addr):
            raise ValueError(f"{clean_line(addr)!r} contains spaces or control characters")
        local, at, domain = addr.rpartition("@")
        if not at or not local or not domain:
            raise ValueError(f"{addr!r} has no @domain")
        if not _LOCAL.match(local) or len(local) > 64:
            raise ValueError(f"{addr!r} has an invalid name before the @")
        try:
            ascii_domain = domain if domain.isascii() else domain.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"{addr!r} has an invalid domain") from exc
        labels = ascii_domain.split(".")
        if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
            raise ValueError(f"{addr!r} has an invalid domain")
        out.append(f"{local}@{domain}")
    if not out:
        raise ValueError("no address")
    if len(out) > 5:
        raise ValueError("more than five addresses")
    return out


# ---------------------------------------------------------------- the stored reminder
@dataclass(frozen=True)
class Reminder:
    id: int
    client_id: int
    client_name: str
    contact_id: int | None
    attorney_id: int | None
    tier: str
    tier_index: int
    matter_ref: str
    channel: str
    run_date: date
    invoice_ids: tuple[int, ...]
    lines: tuple[Mapping[str, Any], ...]
    totals: dict[str, Decimal]
    to_address: str
    language: str
    subject: str
    body_text: str
    body_html: str
    status: str
    idempotency_key: str
    message_id: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    sending_at: datetime | None
    sent_at: datetime | None
    note: str
    attorney_review: bool
    auto_send: bool
    max_days_past_due: int
    staff_notes: tuple[str, ...]
    why: str
    delivery_ref: str

    @property
    def reference(self) -> str:
        return reference_for(self.idempotency_key)


def row_to_reminder(r: Any) -> Reminder:
    return Reminder(
        id=r.id, client_id=r.client_id, client_name=r.client_name, contact_id=r.contact_id,
        attorney_id=r.attorney_id, tier=r.tier, tier_index=r.tier_index, matter_ref=r.matter_ref, channel=r.channel,
        run_date=r.run_date, invoice_ids=tuple(r.invoice_ids), lines=tuple(r.lines or ()),
        totals={c: Decimal(a) for c, a in (r.totals or {}).items()}, to_address=r.to_address, language=r.language,
        subject=r.subject, body_text=r.body_text, body_html=r.body_html, status=r.status,
        idempotency_key=r.idempotency_key, message_id=r.message_id, created_at=r.created_at,
        decided_by=r.decided_by, decided_at=r.decided_at, sending_at=r.sending_at, sent_at=r.sent_at, note=r.note,
        attorney_review=r.attorney_review, auto_send=r.auto_send, max_days_past_due=r.max_days_past_due,
        staff_notes=tuple(r.staff_notes or ()), why=r.why, delivery_ref=r.delivery_ref,
    )


def get_reminder(conn_or_store: Store | Connection, reminder_id: int) -> Reminder:
    q = select(reminders).where(reminders.c.id == reminder_id)
    if isinstance(conn_or_store, Store):
        with conn_or_store.begin() as conn:
            row = conn.execute(q).first()
    else:
        row = conn_or_store.execute(q).first()
    if row is None:
        raise UsageError(f"there is no reminder #{reminder_id}; 'overdue-reminder drafts list' shows them.")
    return row_to_reminder(row)


def list_reminders(store: Store, *, statuses: Sequence[str] = (), client_id: int | None = None,
                   run_date: date | None = None, limit: int = 200) -> list[Reminder]:
    q = select(reminders).order_by(reminders.c.id.desc()).limit(limit)
    if statuses:
        unknown = set(statuses) - set(STATUSES)
        if unknown:
            raise UsageError(f"unknown status {', '.join(sorted(unknown))}; use one of {', '.join(STATUSES)}.")
        q = q.where(reminders.c.status.in_(list(statuses)))
    if client_id is not None:
        q = q.where(reminders.c.client_id == client_id)
    if run_date is not None:
        q = q.where(reminders.c.run_date == run_date)
    with store.begin() as conn:
        return [row_to_reminder(r) for r in conn.execute(q)]


# ---------------------------------------------------------------- drafting a plan
class DraftItem(NamedTuple):
    id: int | None  # None in a dry run
    client_id: int
    client_name: str
    tier: str
    status: str
    to_address: str
    subject: str
    note: str = ""


@dataclass
class DraftResult:
    run_date: date
    dry_run: bool = False
    created: list[DraftItem] = field(default_factory=list)
    existing: int = 0  # already drafted today: same idempotency key
    letters: int = 0  # letter-channel actions: the letters service drafts those
    superseded: list[int] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.created if i.status == status)

    @property
    def postal(self) -> list[DraftItem]:
        return [i for i in self.created if i.status == POSTAL]

    @property
    def invalid(self) -> list[DraftItem]:
        return [i for i in self.created if i.status == INVALID_ADDRESS]

    def summary(self) -> dict[str, Any]:
        return {"run_date": self.run_date, "dry_run": self.dry_run, "created": len(self.created),
                "awaiting_review": self.count(DRAFT), "auto_approved": self.count(APPROVED),
                "postal": len(self.postal), "invalid_address": len(self.invalid), "already_drafted": self.existing,
                "letters_left_to_letters_service": self.letters, "superseded": len(self.superseded)}


class _Person(NamedTuple):
    name: str
    is_company: bool


def _ledger_people(store: Store, actions: Sequence[Action]) -> tuple[dict[int, _Person], dict[int, Attorney]]:
    """Names for the salutation and signature: only the columns the context uses."""
    wanted = {a.contact_id for a in actions} | {a.client_id for a in actions}
    q = select(clients.c.id, clients.c.name, clients.c.is_company)
    people: dict[int, _Person] = {}
    with store.begin() as conn:
        if len(wanted) > 2000:  # a large run names most of the ledger: one scan beats thousands of bound ids
            people = {r[0]: _Person(r[1], r[2]) for r in conn.execute(q) if r[0] in wanted}
        elif wanted:
            people = {r[0]: _Person(r[1], r[2]) for r in conn.execute(q.where(clients.c.id.in_(sorted(wanted))))}
        attorneys = dict(load_attorneys(conn))
    return people, attorneys


def _row(action: Action, key: str, msg_id: str, shared: Shared, templates: Templates, now: datetime,
         actor: str) -> dict[str, Any]:
    try:
        rendered = render_action(templates, action, shared, reference_for(key))
    except TemplateError as exc:
        raise ConfigError(f"the {action.tier} template fails for client {action.client_id} "
                          f"({template_problem(exc, action.tier)}); nothing more was drafted.", key="templates.dir",
                          fix="run 'overdue-reminder templates check' and correct the template it names.") from exc
    note = ""
    decided_by: str | None = None
    channel = "email"
    if not action.to_email.strip():
        status, channel = POSTAL, "letter"
        note = "no email address on file: print and post this reminder, or add the address in Odoo and redraft."
    else:
        try:
            parse_addresses(action.to_email)
        except ValueError as exc:
            status = INVALID_ADDRESS
            note = f"the email address is not valid ({exc}); not tried. Correct it in Odoo; tomorrow's run redrafts."
        else:
            if action.auto_send and not action.attorney_review:
                status, decided_by = APPROVED, f"{actor} (auto_send tier {action.tier})"
            else:
                status = DRAFT
    lines = [{"id": ln.invoice_id, "name": ln.name, "kind": ln.kind.value, "currency": ln.currency,
              "residual": str(ln.amount_residual)} for ln in action.lines]
    return {
        "client_id": action.client_id, "tier": action.tier, "tier_index": action.tier_index,
        "matter_ref": action.matter_ref, "channel": channel, "run_date": shared.run_date,
        "invoice_ids": sorted(action.invoice_ids), "totals": {c: str(a) for c, a in action.totals.items()},
        "to_address": clean_line(action.to_email, 500), "language": rendered.language, "subject": rendered.subject,
        "body_text": rendered.text, "body_html": rendered.html, "status": status, "idempotency_key": key,
        "message_id": msg_id, "created_at": now, "decided_by": decided_by,
        "decided_at": now if decided_by else None, "sending_at": None, "sent_at": None, "note": note,
        "client_name": clean_line(action.client_name, 500), "contact_id": action.contact_id,
        "attorney_id": action.attorney_id, "attorney_review": action.attorney_review, "auto_send": action.auto_send,
        "max_days_past_due": action.max_days_past_due, "lines": lines, "staff_notes": list(action.staff_notes),
        "why": action.why, "delivery_ref": "",
    }


def draft_plan(store: Store, settings: Settings, plan: Plan, now: datetime, *,
               offers: Mapping[int, Mapping[str, Any]] | None = None, dry_run: bool = False,
               actor: str = SYSTEM_ACTOR, templates: Templates | None = None) -> DraftResult:
    """Turn the plan's email actions into stored reminders; re-running the same day adds nothing.

    Letter-channel actions are left to the letters service. An action without an email address
    becomes a postal item for staff; an invalid address is flagged and never tried. A new draft
    cancels the client's older unsent ones for the same matter scope, so a client is never sent two.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    result = DraftResult(run_date=plan.today, dry_run=dry_run)
    actions = [a for a in plan.actions if a.channel == "email"]
    result.letters = len(plan.actions) - len(actions)
    if not actions:
        return result
    _draft_actions(store, settings, plan, actions, now, offers, dry_run, actor, templates, result)
    return result


def _draft_actions(store: Store, settings: Settings, plan: Plan, actions: list[Action], now: datetime,
                   offers: Mapping[int, Mapping[str, Any]] | None, dry_run: bool, actor: str,
                   templates: Templates | None, result: DraftResult) -> None:
    domain = message_domain(settings)
    tpl = templates or templates_for(settings)
    partners, attorneys = _ledger_people(store, actions)
    shared = shared_for(settings, plan.today, partners=partners, attorneys=attorneys, offers=offers)
    seen: set[str] = set()
    for start in range(0, len(actions), CHUNK):
        chunk = actions[start:start + CHUNK]
        keyed = []
        for a in chunk:
            key = idempotency_key(a.client_id, a.tier, plan.today, a.invoice_ids)
            if key not in seen:
                seen.add(key)
                keyed.append((a, key))
        with store.begin() as conn:
            existing = {r[0] for r in conn.execute(select(reminders.c.idempotency_key).where(and_(
                reminders.c.client_id.in_(sorted({a.client_id for a, _ in keyed})),
                reminders.c.run_date == plan.today)))} & {k for _, k in keyed}
        result.existing += len(existing)
        rows = [_row(a, k, message_id(k, domain), shared, tpl, now, actor) for a, k in keyed if k not in existing]
        if not rows:
            continue
        if dry_run:
            result.created.extend(DraftItem(None, r["client_id"], r["client_name"], r["tier"], r["status"],
                                            r["to_address"], r["subject"], r["note"]) for r in rows)
            continue
        _store_rows(store, rows, now, actor, result)


def _store_rows(store: Store, rows: list[dict[str, Any]], now: datetime, actor: str, result: DraftResult) -> None:
    """Insert the new reminders with their audit lines in one transaction.

    A plain batch insert (no per-row RETURNING) is the fast path; the unique idempotency key is the
    guard, so if another drafter stored some of the same reminders meanwhile the batch is retried
    without them.
    """
    while rows:
        try:
            with store.begin() as conn:
                insert_many(conn, reminders, rows)
                _after_insert(conn, rows, now, actor, result)
            return
        except IntegrityError:
            with store.begin() as conn:
                taken = {r[0] for r in conn.execute(select(reminders.c.idempotency_key).where(
                    reminders.c.idempotency_key.in_([r["idempotency_key"] for r in rows])))}
            if not taken:
                raise
            result.existing += len(taken)
            rows = [r for r in rows if r["idempotency_key"] not in taken]


def _after_insert(conn: Connection, rows: list[dict[str, Any]], now: datetime, actor: str,
                  result: DraftResult) -> None:
    ids = {k: i for k, i in conn.execute(select(reminders.c.idempotency_key, reminders.c.id).where(
        reminders.c.idempotency_key.in_([r["idempotency_key"] for r in rows])))}
    by_key = {r["idempotency_key"]: r for r in rows}
    audits = []
    for r in rows:  # in the plan's order
        key = r["idempotency_key"]
        rid = ids[key]
        result.created.append(DraftItem(rid, r["client_id"], r["client_name"], r["tier"], r["status"],
                                        r["to_address"], r["subject"], r["note"]))
        audits.append({"at": now, "actor": actor, "action": "reminder.drafted", "object_type": "reminder",
                       "object_id": str(rid), "detail": {
                           "tier": r["tier"], "status": r["status"], "to": r["to_address"], "note": r["note"]}})
    insert_many(conn, audit, audits)
    # Older unsent reminders for the same client and matter scope give way to the new one.
    new = {(by_key[k]["client_id"], by_key[k]["matter_ref"]): rid for k, rid in ids.items()}
    if not new:
        return
    old = conn.execute(select(reminders.c.id, reminders.c.client_id, reminders.c.matter_ref).where(and_(
        reminders.c.client_id.in_(sorted({c for c, _ in new})), reminders.c.status.in_(SUPERSEDABLE),
        reminders.c.id.not_in(list(ids.values()))))).all()
    stale = [(r.id, new[(r.client_id, r.matter_ref)]) for r in old if (r.client_id, r.matter_ref) in new]
    if not stale:
        return
    conn.execute(update(reminders).where(reminders.c.id.in_([s for s, _ in stale])).values(status=CANCELLED))
    conn.execute(insert(audit), [{"at": now, "actor": actor, "action": "reminder.superseded",
                                  "object_type": "reminder", "object_id": str(s),
                                  "detail": {"by": by}} for s, by in stale])
    for s, by in stale:
        conn.execute(update(reminders).where(reminders.c.id == s).values(note=f"superseded by #{by}"))
    result.superseded.extend(s for s, _ in stale)


# ---------------------------------------------------------------- review
def transition(conn: Connection, r: Reminder, new_status: str, actor: str, now: datetime, action: str,
               detail: dict[str, Any] | None = None, **values: Any) -> None:
    """Compare-and-set on the status, so two clerks cannot both act on one reminder."""
    res = conn.execute(update(reminders).where(and_(reminders.c.id == r.id, reminders.c.status == r.status))
                       .values(status=new_status, **values))
    if res.rowcount != 1:
        raise UsageError(f"reminder #{r.id} changed while you were working on it; look at it again.")
    record_audit(conn, actor, action, "reminder", r.id, {"from": r.status, "to": new_status, **(detail or {})}, at=now)
    if new_status in (REJECTED, CANCELLED) and r.status in SUPERSEDABLE:
        _withdraw_offer(conn, r.id, actor, now, f"reminder #{r.id} was {new_status} before it left")


def offer_origin(reminder_id: int) -> str:
    """The origin of an offer a reminder carried (offers.origin; services/carried_offers.py)."""
    return f"reminder:{reminder_id}"


def _withdraw_offer(conn: Connection, reminder_id: int, actor: str, now: datetime, why: str) -> None:
    """The client never saw the offer this reminder carried: it cannot be accepted (declined, with why)."""
    origin = offer_origin(reminder_id)
    ids = list(conn.execute(select(offers.c.id).where(offers.c.origin == origin, offers.c.status == "proposed"))
               .scalars())
    if ids:
        conn.execute(update(offers).where(offers.c.id.in_(ids)).values(status="declined", closed_at=now))
        for oid in ids:
            record_audit(conn, actor, "offer.decline", "offer", oid, {"reason": why, "was": "proposed",
                                                                       "origin": origin}, at=now)


def refuse_reminder(conn: Connection, r: Any, verdict: Clearance, now: datetime, actor: Actor = SYSTEM) -> str:
    """A blocked reminder is never lost: cancelled with the reason named when the facts moved on (a hold,
    a payment, age: the next night plans afresh), else back to review as a draft."""
    why = "; ".join(str(x) for x in verdict.reasons)
    cancel = any(x.rule in CANCEL_RULES for x in verdict.reasons)
    target = CANCELLED if cancel else DRAFT
    note = f"not sent: {why}" if cancel else f"returned to review: {why}"
    transition(conn, r, target, actor.name, now, "reminder.blocked",
               {"exit": verdict.item.exit.value, "reasons": [{"rule": x.rule, "text": x.text} for x in verdict.reasons],
                "holds": [h.id for h in verdict.holds]}, note=note)
    return why


def approve(store: Store, ids: Sequence[int], actor: Actor | str, now: datetime, *, settings: Settings,
            note: str = "") -> list[Reminder]:
    """Draft → approved, cleared on today's facts. A tier that needs an attorney's review is approved only by
    the responsible attorney or the supervising partner, whose identity was proven."""
    who = as_actor(actor)
    out = []
    with store.begin() as conn:
        for rid in ids:
            r = get_reminder(conn, rid)
            if r.status != DRAFT:
                raise UsageError(f"reminder #{rid} is {r.status}; only drafts can be approved.")
            problems = clear_reminder(conn, settings, r, now, Exit.REMINDER_APPROVAL, actor=who).reasons
            if problems:
                raise PolicyError(f"reminder #{rid} may not be approved: " + "; ".join(str(p) for p in problems))
            transition(conn, r, APPROVED, who.name, now, "reminder.approved",
                       {**approval_detail(who), "attorney_approved": r.attorney_review, "note": note},
                       decided_by=who.name, decided_at=now)
            out.append(get_reminder(conn, rid))
    return out


def reject(store: Store, reminder_id: int, actor: str, now: datetime, reason: str) -> Reminder:
    if not reason.strip():
        raise UsageError("say why the reminder is rejected (--reason); the audit log keeps it.")
    with store.begin() as conn:
        r = get_reminder(conn, reminder_id)
        if r.status not in (DRAFT, APPROVED, POSTAL, INVALID_ADDRESS):
            raise UsageError(f"reminder #{r.id} is {r.status}; only unsent reminders can be rejected.")
        transition(conn, r, REJECTED, actor, now, "reminder.rejected", {"reason": reason},
                   decided_by=actor, decided_at=now, note=reason)
        return get_reminder(conn, reminder_id)


def mark_posted(store: Store, reminder_id: int, actor: Actor | str, now: datetime, *,
                settings: Settings) -> Reminder:
    """A postal item went out by post: it counts as sent, once cleared on today's facts (the person who
    posts it is the one who let it leave)."""
    who = as_actor(actor)
    with store.begin() as conn:
        r = get_reminder(conn, reminder_id)
        if r.status != POSTAL:
            raise UsageError(f"reminder #{r.id} is {r.status}, not a postal item.")
        verdict = clear_reminder(conn, settings, r, now, Exit.POSTAL, actor=who)
        if not verdict.allowed:
            raise PolicyError(verdict.explain())
        transition(conn, r, SENT, who.name, now, "reminder.posted", {"actor": who.audit()}, sent_at=now,
                   delivery_ref="post")
        return get_reminder(conn, reminder_id)


def edit(store: Store, settings: Settings, reminder_id: int, actor: str, now: datetime, *,
         subject: str | None = None, text: str | None = None, html: str | None = None) -> Reminder:
    """Replace the subject and/or both bodies of an unsent reminder; an approved one goes back to draft.

    New text brings a new HTML part made from it (or the HTML given with it), so the two parts never
    disagree; both pass the templates' content rules (core.reminder_edit), and a refusal changes nothing.
    The subject is flattened to one line (no header injection).
    """
    with store.begin() as conn:
        r = get_reminder(conn, reminder_id)
        if r.status not in (DRAFT, APPROVED):
            raise UsageError(f"reminder #{r.id} is {r.status}; only drafts and approved reminders can be edited.")
        parts = edited_parts(subject=subject, text=text, html=html, language=r.language,
                             wording=reminder_wording(settings, r.language), links=official_links(settings),
                             client_data=(r.client_name, r.matter_ref, *(str(ln.get("name", "")) for ln in r.lines)))
        values = parts.values()
        detail: dict[str, Any] = {"parts": sorted(values), "old": {k: _digest(getattr(r, k)) for k in values},
                                  "new": {k: _digest(v) for k, v in values.items()},
                                  "html": "made from the text" if parts.html_generated else
                                  ("given" if parts.html is not None else "unchanged")}
        if "subject" in values:
            detail["old_subject"], detail["new_subject"] = r.subject, values["subject"]
        transition(conn, r, DRAFT, actor, now, "reminder.edited", detail, decided_by=None, decided_at=None,
                   **values)
        return get_reminder(conn, reminder_id)


def _digest(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()[:16]
