"""The letter queue: draft letters on disk, assigned to an attorney, approved or rejected, then released.

No letter leaves the firm unless the responsible attorney (or the supervising partner) approved that exact
file: approval records the sha256 of the final copy and `deliverable()` refuses anything else (LAW.md #10, #11).
Refer-to-suit waits until the fee-arbitration notice was served and its waiting period passed (LAW.md #9).
Files are owner-only (0600 in 0700 folders): they carry client data. Every decision writes an audit entry in the
same transaction; Odoo write-back (attachment + activity) runs after the commit and never undoes a decision.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from overdue_reminder.config import Settings
from overdue_reminder.core import rules
from overdue_reminder.core.clearance import AGE, AUTHORITY, FIGURES, HOLDS, Actor, Clearance, Exit, authority
from overdue_reminder.core.letter_docx import (
    DOCX_MIME,
    LetterBuilder,
    LetterRequest,
    SentReminder,
    document_text,
    inspect_docx,
    matter_refs,
    open_docx,
    strip_draft_marker,
)
from overdue_reminder.core.rules import SuitGate
from overdue_reminder.errors import ConfigError, OverdueReminderError, PolicyError, UsageError
from overdue_reminder.files import secure_dir, sha256_bytes, sha256_file, write_private
from overdue_reminder.model import Action, Attorney, Partner
from overdue_reminder.services.clearing import approval_detail, clear_letter, firm_today, letter_item, record_block
from overdue_reminder.services.identity import as_actor
from overdue_reminder.services.jurisdiction import letter_jurisdiction
from overdue_reminder.services.letter_enclosures import notice_parts
from overdue_reminder.services.letter_pdf import convert_pdf
from overdue_reminder.services.letter_writeback import (
    ACTIVITY_SUMMARY,
    LetterPost,
    LetterWriteBack,
    activity_note,
    link_note,
    write_back,
)
from overdue_reminder.services.notices import (
    Notice,
    arbitration_ever_requested,
    check_service,
    list_notices,
    record_notice,
    record_service,
    suit_gate,
)
from overdue_reminder.services.statements import audit_detail, beside_name, for_letter
from overdue_reminder.sources.odoo_writeback import OdooFile, OdooNote
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.ledger import load_attorneys, load_partners
from overdue_reminder.store.schema import audit, clients, letters, matters, reminders

log = logging.getLogger(__name__)

PDF_MIME = "application/pdf"
AWAITING, APPROVED, REJECTED, SENT = "awaiting_review", "approved", "rejected", "sent"
SUPERSEDED = "superseded"  # its figures or its age moved on before it left: a fresh draft replaces it


@dataclass(frozen=True)
class Letter:
    id: int
    client_id: int
    client_name: str
    kind: str
    tier: str
    run_date: date
    invoice_ids: tuple[int, ...]
    language: str
    jurisdiction: str
    path: str
    pdf_path: str | None
    sha256: str
    status: str
    attorney_id: int | None
    attorney_email: str
    matter_refs: tuple[str, ...]
    totals: dict[str, Decimal]
    flags: tuple[str, ...]
    created_at: datetime
    idempotency_key: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""
    reviewed_sha256: str | None = None
    approved_path: str | None = None
    approved_sha256: str | None = None
    approved_pdf_path: str | None = None
    approved_pdf_sha256: str | None = None
    odoo_activity_id: int | None = None
    odoo_attachment_ids: dict[str, int] = field(default_factory=dict)
    released_by: str | None = None
    released_at: datetime | None = None
    interest: dict[str, Decimal] = field(default_factory=dict)  # interest and fees it states, per currency
    notice_kind: str | None = None  # the fee-arbitration notice it carries
    served_on: date | None = None
    served_method: str | None = None
    enclosures: tuple[dict[str, Any], ...] = ()  # the forms attached: {"form", "path", "sha256"}
    deductions: dict[str, Decimal] = field(default_factory=dict)  # credit notes and payments netted from totals


@dataclass(frozen=True)
class CreateResult:
    letter: Letter
    created: bool
    note: str = ""


# ---------------------------------------------------------------- reading
def letter_key(client_id: int, tier: str, run_date: date, invoice_ids: Iterable[int]) -> str:
    ids = ",".join(str(i) for i in sorted(set(invoice_ids)))
    return "letter:" + hashlib.sha256(f"{client_id}|{tier}|{run_date.isoformat()}|{ids}".encode()).hexdigest()[:40]


def _letter(r: Any) -> Letter:
    return Letter(
        id=r.id, client_id=r.client_id, client_name=r.client_name or f"client {r.client_id}", kind=r.kind,
        tier=r.tier, run_date=r.run_date, invoice_ids=tuple(r.invoice_ids), language=r.language,
        jurisdiction=r.jurisdiction, path=r.path, pdf_path=r.pdf_path, sha256=r.sha256, status=r.status,
        attorney_id=r.attorney_id, attorney_email=r.attorney_email, matter_refs=tuple(r.matter_refs or ()),
        totals={c: Decimal(v) for c, v in (r.totals or {}).items()}, flags=tuple(r.flags or ()),
        interest={c: Decimal(v) for c, v in (r.interest or {}).items()}, created_at=r.created_at,
        idempotency_key=r.idempotency_key, decided_by=r.decided_by,
        decided_at=r.decided_at, reason=r.reason, reviewed_sha256=r.reviewed_sha256, approved_path=r.approved_path,
        approved_sha256=r.approved_sha256, approved_pdf_path=r.approved_pdf_path,
        approved_pdf_sha256=r.approved_pdf_sha256, odoo_activity_id=r.odoo_activity_id,
        odoo_attachment_ids={str(k): int(v) for k, v in (r.odoo_attachment_ids or {}).items()},
        released_by=r.released_by, released_at=r.released_at, notice_kind=r.notice_kind, served_on=r.served_on,
        served_method=r.served_method, enclosures=tuple(r.enclosures or ()),
        deductions={c: Decimal(v) for c, v in (r.deductions or {}).items()})


def _select() -> Any:
    return select(letters, clients.c.name.label("client_name")).select_from(
        letters.outerjoin(clients, clients.c.id == letters.c.client_id))


def _get(conn: Connection, letter_id: int) -> Letter:
    row = conn.execute(_select().where(letters.c.id == letter_id)).first()
    if row is None:
        raise UsageError(f"there is no letter {letter_id}; run 'overdue-reminder letters list'.")
    return _letter(row)


def get_letter(store: Store, letter_id: int) -> Letter:
    with store.begin() as conn:
        return _get(conn, letter_id)


def list_letters(store: Store, *, attorney: str | None = None, status: str | None = None,
                 client_id: int | None = None) -> list[Letter]:
    q = _select().order_by(letters.c.created_at, letters.c.id)
    if attorney:
        q = q.where(func.lower(letters.c.attorney_email) == attorney.strip().lower())
    if status:
        q = q.where(letters.c.status == status)
    if client_id is not None:
        q = q.where(letters.c.client_id == client_id)
    with store.begin() as conn:
        return [_letter(r) for r in conn.execute(q)]


def client_history(conn: Connection, client_id: int, tz: Any = UTC) -> tuple[SentReminder, ...]:
    """Reminders (status 'sent') and released letters for a client, oldest first, dated in the firm's zone."""
    out: list[SentReminder] = []
    q = select(reminders.c.tier, reminders.c.channel, reminders.c.run_date, reminders.c.sent_at).where(
        and_(reminders.c.client_id == client_id, reminders.c.status == "sent"))
    for r in conn.execute(q):
        day = r.sent_at.astimezone(tz).date() if r.sent_at else r.run_date
        out.append(SentReminder(day, r.tier, r.channel))
    q2 = select(letters.c.tier, letters.c.run_date, letters.c.released_at).where(
        and_(letters.c.client_id == client_id, letters.c.status == SENT))
    for lr in conn.execute(q2):
        day = lr.released_at.astimezone(tz).date() if lr.released_at else lr.run_date
        out.append(SentReminder(day, lr.tier, "letter"))
    return tuple(sorted(out, key=lambda s: (s.sent_on, s.tier)))


# ---------------------------------------------------------------- notices and the refer-to-suit gate
def _assignee(settings: Settings, attorneys: Mapping[int, Attorney], attorney_id: int | None) -> tuple[int | None, str]:
    att = attorneys.get(attorney_id) if attorney_id is not None else None
    if att is not None and att.email:
        return att.id, att.email
    partner = settings.letters.supervising_partner
    if not partner:
        who = f"attorney {attorney_id} has no email on file" if attorney_id is not None else "no responsible attorney"
        raise ConfigError(f"cannot assign the letter: {who} and no supervising partner is configured.",
                          path=settings.config_path, key="letters.supervising_partner",
                          fix="set letters.supervising_partner to the partner's email.")
    by_email = [a for a in attorneys.values() if a.email.lower() == partner.lower()]
    return (by_email[0].id if by_email else None), partner


def _court_matters(conn: Connection, action: Action, refs: Sequence[str]) -> tuple[str, ...]:
    found = set(action.before_court)
    if refs:
        q = select(matters.c.reference).where(and_(matters.c.client_id == action.client_id,
                                                   matters.c.reference.in_(list(refs)),
                                                   matters.c.before_court.is_(True)))
        found.update(r.reference for r in conn.execute(q))
    return tuple(sorted(found))


def create_letter(store: Store, settings: Settings, action: Action, *, today: date, actor: str = "overdue-reminder",
                  offer: Mapping[str, Any] | None = None, writeback: LetterWriteBack | None = None,
                  builder: LetterBuilder | None = None, now: datetime | None = None,
                  pay_links: Mapping[int, str] | None = None) -> CreateResult:
    """Queue the letter for an action: write the DRAFT .docx (and PDF), assign it, audit it. Re-running adds nothing.

    Raises PolicyError for a refer-to-suit letter whose notice or waiting period is missing (an audit entry
    records the refusal).
    """
    if action.channel != "letter":
        raise UsageError(f"the action for {action.client_name} is an {action.channel} reminder, not a letter.")
    if not action.lines:
        raise UsageError(f"the action for {action.client_name} lists no invoices.")
    now = now or datetime.now(UTC)
    key = letter_key(action.client_id, action.tier, today, action.invoice_ids)
    kind = settings.letters.kind_of(action.tier)
    builder = builder or LetterBuilder(settings)
    tz = builder.calendar().tz
    with store.begin() as conn:
        found = conn.execute(_select().where(letters.c.idempotency_key == key)).first()
        for n in range(1, 100):  # a superseded letter gives way to a fresh one with today's figures
            if found is None or found.status != SUPERSEDED:
                break
            key = f"{letter_key(action.client_id, action.tier, today, action.invoice_ids)}-r{n}"
            found = conn.execute(_select().where(letters.c.idempotency_key == key)).first()
        existing = _letter(found) if found is not None else _same_letter_pending(conn, action)
    if existing is not None:
        note = ("already queued for this run" if existing.idempotency_key == key
                else f"letter {existing.id} for these invoices is {existing.status}")
        return CreateResult(_retry_write_back(store, settings, existing, writeback, today, actor, builder=builder),
                            False, note)
    with store.begin() as conn:
        refs = matter_refs(action)
        code = letter_jurisdiction(conn, settings, action.client_id, refs)
        gate = suit_gate(conn, settings, action.client_id, today, code) if rules.needs_suit_gate(kind) else None
        unanswered = gate is not None and gate.allowed and not arbitration_ever_requested(conn, action.client_id)
        court = _court_matters(conn, action, refs)
        partners = load_partners(conn, {action.client_id, action.contact_id})
        attorneys = load_attorneys(conn)
        history = client_history(conn, action.client_id, tz)
    if gate is not None and not gate.allowed:
        with store.begin() as conn:
            record_audit(conn, actor, "letter.blocked", "client", action.client_id,
                         {"tier": action.tier, "kind": kind, "reason": gate.reason, "run_date": today.isoformat()},
                         at=now)
        raise PolicyError(f"{action.client_name}: {gate.reason}")
    parts = notice_parts(settings, code, kind)
    attorney_id, attorney_email = _assignee(settings, attorneys, action.attorney_id)
    client = partners.get(action.client_id) or Partner(action.client_id, action.client_name, action.client_id)
    contact = partners.get(action.contact_id)
    flags = list(rules.letter_flags(kind, court, bool(client.address.lines())))
    signer = attorneys.get(attorney_id) if attorney_id is not None else None  # the partner, when assigned
    req = LetterRequest(action=action, client=client, today=today, contact=contact, attorney=signer,
                        history=history, offer=offer, court_matters=rules.court_matters_to_name(kind, court),
                        pay_links=pay_links or {},
                        jurisdiction=code, kind=kind, notice_served_on=gate.served_on if gate else None,
                        enclosures=parts.forms, arbitration_unanswered=unanswered)
    data = builder.build(req, draft=True)
    # The configured folder is made 0700 only if we create it; each client's folder inside is always 0700.
    folder = secure_dir(secure_dir(settings.resolve(settings.letters.dir), tighten=False) / str(action.client_id))
    stem = f"{today.isoformat()}-{kind}-{key[7:17]}-{secrets.token_hex(3)}"
    path = folder / f"{stem}.docx"
    write_private(path, data)
    sheet = for_letter(store, settings, action.client_id, today, action.language, path)  # beside the .docx
    pdf = convert_pdf(settings, path)
    row = {"client_id": action.client_id, "tier": action.tier, "run_date": today,
           "invoice_ids": list(action.invoice_ids), "language": action.language, "path": str(path),
           "pdf_path": str(pdf) if pdf else None,
           "sha256": sha256_bytes(data), "status": AWAITING, "attorney_id": attorney_id,
           "attorney_email": attorney_email, "idempotency_key": key, "created_at": now, "kind": kind,
           "jurisdiction": code, "matter_refs": list(refs),
           "totals": {c: str(v) for c, v in action.totals.items()}, "flags": flags,
           "interest": {c: str(v) for c, v in action.interest.items()}, "odoo_attachment_ids": {},
           "deductions": _deductions(action),
           "reason": "", "notice_kind": parts.notice_kind or None, "enclosures": list(parts.enclosures)}
    try:
        with store.begin() as conn:
            lid = conn.execute(insert(letters).values(**row).returning(letters.c.id)).scalar_one()
            record_audit(conn, actor, "letter.created", "letter", lid,
                         {"client_id": action.client_id, "kind": kind, "tier": action.tier,
                          "invoice_ids": list(action.invoice_ids), "sha256": row["sha256"],
                          "assigned_to": attorney_email, "flags": flags, "with_offer": offer is not None,
                          "suit_gate": gate.reason if gate else None,
                          **({"statement": audit_detail(sheet)} if sheet else {})}, at=now)
            letter = _get(conn, lid)
    except IntegrityError:
        # Another run queued the same letter a moment ago: keep its files, drop ours.
        path.unlink(missing_ok=True)
        path.with_name(beside_name(path.name)).unlink(missing_ok=True)
        if pdf:
            pdf.unlink(missing_ok=True)
        with store.begin() as conn:
            winner = conn.execute(_select().where(letters.c.idempotency_key == key)).first()
        if winner is None:
            raise
        return CreateResult(_letter(winner), False, "already queued for this run")
    letter = _retry_write_back(store, settings, letter, writeback, today, actor, data=data, builder=builder)
    return CreateResult(letter, True)


def _deductions(action: Action) -> dict[str, str]:
    """Per currency, the credit notes and unapplied payments the action's totals are net of."""
    out = {}
    for cur in action.totals:
        netted = action.credits.get(cur, Decimal(0)) + action.unapplied_payments.get(cur, Decimal(0))
        if netted:
            out[cur] = str(netted)
    return out


def _same_letter_pending(conn: Connection, action: Action) -> Letter | None:
    """A letter for the same client, tier and invoices still awaiting review, or rejected: do not queue another."""
    q = _select().where(and_(letters.c.client_id == action.client_id, letters.c.tier == action.tier,
                             letters.c.status.in_([AWAITING, REJECTED]))).order_by(letters.c.id.desc())
    ids = sorted(action.invoice_ids)
    for r in conn.execute(q):
        if sorted(r.invoice_ids) == ids:
            return _letter(r)
    return None


def create_letters(store: Store, settings: Settings, actions: Iterable[Action], *, today: date,
                   actor: str = "overdue-reminder", offers: Mapping[int, Mapping[str, Any]] | None = None,
                   writeback: LetterWriteBack | None = None, pay_links: Mapping[int, str] | None = None,
                   now: datetime | None = None) -> tuple[list[CreateResult], list[tuple[Action, str]]]:
    """Queue letters for every letter action of a plan (one builder for all); refused ones come back with why.

    `now` stamps them (the demo's simulated nights pass their own); by default the clock's.
    """
    builder = LetterBuilder(settings)
    done: list[CreateResult] = []
    refused: list[tuple[Action, str]] = []
    for action in actions:
        if action.channel != "letter":
            continue
        try:
            done.append(create_letter(store, settings, action, today=today, actor=actor, builder=builder,
                                      offer=(offers or {}).get(action.client_id), writeback=None,
                                      pay_links=pay_links, now=now))
        except (PolicyError, ConfigError) as exc:
            refused.append((action, str(exc)))
    # Odoo write-back for the whole batch at once: a few calls, not a few per letter.
    updated = {lt.id: lt for lt in _write_back_all(store, settings, [r.letter for r in done], writeback, today,
                                                   actor, builder)}
    return [replace(r, letter=updated.get(r.letter.id, r.letter)) for r in done], refused


# ---------------------------------------------------------------- Odoo write-back
def _retry_write_back(store: Store, settings: Settings, letter: Letter, wb: LetterWriteBack | None, today: date,
                      actor: str, data: bytes | None = None, builder: LetterBuilder | None = None) -> Letter:
    """Attach the draft and open a review activity for one letter; idempotent (finishes what a failure left)."""
    found = _write_back_all(store, settings, [letter], wb, today, actor, builder, {letter.id: data} if data else None)
    return found[0] if found else letter


def _write_back_all(store: Store, settings: Settings, batch: Sequence[Letter], wb: LetterWriteBack | None,
                    today: date, actor: str, builder: LetterBuilder | None = None,
                    data: Mapping[int, bytes] | None = None) -> list[Letter]:
    """Write back every letter of `batch` that still misses its attachment or activity; returns them updated."""
    if wb is None or not settings.letters.write_back:
        return []
    pending = [lt for lt in batch if lt.status == AWAITING and (
        not lt.odoo_attachment_ids or (lt.odoo_activity_id is None and lt.attorney_id is not None))]
    if not pending:
        return []
    cal = builder.calendar() if builder is not None else settings.calendar()
    deadline = cal.add_business_days(today, settings.letters.review_days)
    blobs = dict(data or {})

    def reader(lt: Letter) -> Callable[[], bytes]:
        return lambda: blobs[lt.id] if lt.id in blobs else Path(lt.path).read_bytes()

    posts = [LetterPost(lt.id, lt.kind, lt.invoice_ids, next(iter(lt.odoo_attachment_ids.values()), None),
                        lt.odoo_activity_id, lt.attorney_id, reader(lt), activity_note(lt), deadline, DOCX_MIME)
             for lt in pending]
    out: list[Letter] = []
    with store.begin() as conn:
        for lt, posted in zip(pending, write_back(wb, posts), strict=True):
            attachments = dict(lt.odoo_attachment_ids)
            if posted.attachment_id is not None and not attachments:
                attachments[str(lt.invoice_ids[0])] = posted.attachment_id
            conn.execute(update(letters).where(letters.c.id == lt.id).values(
                odoo_attachment_ids=attachments, odoo_activity_id=posted.activity_id))
            if posted.error:
                log.warning("Odoo write-back for letter %s failed: %s", lt.id, posted.error)
                record_audit(conn, actor, "letter.write_back_failed", "letter", lt.id, {"error": posted.error[:500]})
            else:
                record_audit(conn, actor, "letter.written_back", "letter", lt.id,
                             {"attachments": attachments, "activity_id": posted.activity_id})
            out.append(_get(conn, lt.id))
    return out


def _close_activity(store: Store, letter: Letter, wb: LetterWriteBack | None, settings: Settings, feedback: str,
                    actor: str, attach: Path | None = None) -> None:
    if wb is None or not settings.letters.write_back:
        return
    try:
        if attach is not None:  # the approved copy: one file on the first invoice, a note on each invoice
            mime = PDF_MIME if attach.suffix == ".pdf" else DOCX_MIME
            name = f"letter-{letter.id}-{letter.kind}-final{attach.suffix}"
            anchor = letter.invoice_ids[0]
            (aid,) = wb.attach_files([OdooFile("account.move", anchor, name, attach.read_bytes(), mime)])
            wb.post_notes([OdooNote("account.move", inv, link_note(letter.id, letter.kind, name, aid, final=True),
                                    (aid,) if inv == anchor else ()) for inv in letter.invoice_ids])
        if letter.odoo_activity_id is not None:
            wb.close_activity(letter.odoo_activity_id, feedback)
    except (OverdueReminderError, OSError) as exc:
        log.warning("closing the Odoo activity of letter %s failed: %s", letter.id, exc)
        with store.begin() as conn:
            record_audit(conn, actor, "letter.write_back_failed", "letter", letter.id, {"error": str(exc)[:500]})


# ---------------------------------------------------------------- decisions
def _clear(store: Store, settings: Settings, letter: Letter, exit_: Exit, actor: Actor, now: datetime,
           data: bytes | None = None) -> Clearance:
    """Clear the letter at `exit_` on today's facts; a refusal is audited and, where the figures or the age
    moved on, the letter is superseded by a fresh draft for re-approval (nothing is lost)."""
    try:
        text = document_text(open_docx(data)) if data else ""
    except Exception as exc:  # python-docx raises several kinds for a broken package: refuse, never crash
        raise PolicyError(f"the final copy of letter {letter.id} cannot be opened as a Word document ({exc}); "
                          "approve the letter again from a clean .docx.") from exc
    with store.begin() as conn:
        verdict = clear_letter(conn, settings, letter, exit_, actor, now, text)
    if verdict.allowed:
        return verdict
    with store.begin() as conn:
        record_block(conn, verdict, actor, "letter", letter.id, now)
    raise PolicyError(verdict.explain() + _supersede(store, settings, letter, verdict, actor, now))


def _supersede(store: Store, settings: Settings, letter: Letter, verdict: Clearance, actor: Actor,
               now: datetime) -> str:
    if not any(r.rule in (FIGURES, AGE) for r in verdict.reasons) or any(
            r.rule in (HOLDS, AUTHORITY) for r in verdict.reasons):
        return ""  # held letters wait; and no one without authority sets anything in motion
    with store.begin() as conn:
        res = conn.execute(update(letters).where(and_(letters.c.id == letter.id,
                                                      letters.c.status.in_([AWAITING, APPROVED])))
                           .values(status=SUPERSEDED, reason="; ".join(r.text for r in verdict.reasons)))
        if res.rowcount != 1:
            return ""
        record_audit(conn, actor.name, "letter.superseded", "letter", letter.id,
                     {"reasons": [r.text for r in verdict.reasons]}, at=now)
    fresh = redraft(store, settings, letter, firm_today(settings, now), now)
    if fresh is None:
        return f". Letter {letter.id} is withdrawn; no letter is due for this client today."
    return f". Letter {letter.id} is withdrawn; letter {fresh.id} with today's figures awaits approval."


def redraft(store: Store, settings: Settings, letter: Letter, today: date, now: datetime) -> Letter | None:
    """A new draft for the client of a superseded letter, from tonight's plan (None when none is due)."""
    from overdue_reminder.services.planning import plan_from_store

    for action in plan_from_store(store, settings, today, [letter.client_id]).actions:
        if action.client_id == letter.client_id and action.channel == "letter":
            return create_letter(store, settings, action, today=today, now=now).letter
    return None


def draft_words(letter: Letter) -> str:
    """The words of the queued draft (checked when it was built); "" when the file is gone (all is checked)."""
    try:
        return document_text(open_docx(Path(letter.path).read_bytes()))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return ""


def _require_awaiting(letter: Letter) -> None:
    if letter.status != AWAITING:
        when = ""
        if letter.decided_by and letter.decided_at:
            when = f" by {letter.decided_by} on {letter.decided_at:%Y-%m-%d}"
        raise UsageError(f"letter {letter.id} is already {letter.status}{when}.")


def approve_letter(store: Store, settings: Settings, letter_id: int, by: Actor | str, *, edited: Path | None = None,
                   now: datetime | None = None, writeback: LetterWriteBack | None = None,
                   dry_run: bool = False) -> Letter:
    """Approve the draft (or the attorney's edited .docx): write the final copy without the DRAFT marker and
    record who, when and the sha256 of what was approved and of the final file."""
    now = now or datetime.now(UTC)
    actor = as_actor(by)
    letter = get_letter(store, letter_id)
    _require_awaiting(letter)
    _clear(store, settings, letter, Exit.LETTER_APPROVAL, actor, now)
    if edited is not None:
        try:
            source = edited.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {edited}: {exc.strerror}.") from exc
        inspect_docx(source, settings.letters.max_edited_mb * 1_048_576, f"the edited letter {edited.name}",
                     draft_text=draft_words(letter), client_data=(letter.client_name,))
    else:
        draft = Path(letter.path)
        try:
            source = draft.read_bytes()
        except OSError as exc:
            raise PolicyError(f"the draft of letter {letter.id} is missing ({draft}): {exc.strerror}.") from exc
        if sha256_bytes(source) != letter.sha256:
            raise PolicyError(f"the draft of letter {letter.id} changed on disk since it was queued; review the file "
                              "and approve it with --edited FILE.docx.")
    final = strip_draft_marker(source)
    _clear(store, settings, letter, Exit.LETTER_APPROVAL, actor, now, final)  # the exact words approved
    if dry_run:
        return letter
    draft_path = Path(letter.path)
    secure_dir(draft_path.parent)
    base = draft_path.with_suffix("")
    edited_copy: Path | None = None
    if edited is not None:
        edited_copy = base.with_name(base.name + "-edited.docx")
        write_private(edited_copy, source)
    final_path = base.with_name(base.name + "-final.docx")
    write_private(final_path, final)
    try:
        verify_final_copy(letter.id, final_path, sha256_bytes(final))
    except PolicyError:
        final_path.unlink(missing_ok=True)  # the letter stays awaiting review: no final copy on record or disk
        raise
    final_pdf = convert_pdf(settings, final_path)
    values = {"status": APPROVED, "decided_by": actor.name, "decided_at": now,
              "reviewed_sha256": sha256_bytes(source),
              "approved_path": str(final_path), "approved_sha256": sha256_bytes(final),
              "approved_pdf_path": str(final_pdf) if final_pdf else None,
              "approved_pdf_sha256": sha256_file(final_pdf) if final_pdf else None}
    with store.begin() as conn:  # cleared again in the transaction that records the approval
        words = document_text(open_docx(final))
        if not clear_letter(conn, settings, letter, Exit.LETTER_APPROVAL, actor, now, words).allowed:
            raise PolicyError(f"letter {letter.id}: the facts changed while it was being approved; look at it again.")
        res = conn.execute(update(letters).where(and_(letters.c.id == letter.id, letters.c.status == AWAITING))
                           .values(**values))
        if res.rowcount != 1:
            raise UsageError(f"letter {letter.id} was decided by someone else a moment ago.")
        record_audit(conn, actor.name, "letter.approved", "letter", letter.id,
                     {**approval_detail(actor), "edited": edited is not None,
                      "edited_copy": str(edited_copy) if edited_copy else None,
                      "reviewed_sha256": values["reviewed_sha256"], "approved_sha256": values["approved_sha256"],
                      "approved_path": str(final_path)}, at=now)
        approved = _get(conn, letter.id)
    _close_activity(store, approved, writeback, settings, f"Approved by {actor.name}", actor.name, attach=final_path)
    return approved


def reject_letter(store: Store, settings: Settings, letter_id: int, by: Actor | str, reason: str, *,
                  now: datetime | None = None, writeback: LetterWriteBack | None = None,
                  dry_run: bool = False) -> Letter:
    now = now or datetime.now(UTC)
    if not reason.strip():
        raise UsageError("say why the letter is rejected (--reason).")
    actor = as_actor(by)
    letter = get_letter(store, letter_id)
    _require_awaiting(letter)
    refused = authority(letter_item(letter, Exit.LETTER_APPROVAL), actor)  # rejecting needs authority, not facts
    if refused:
        with store.begin() as conn:
            record_audit(conn, actor.name, "letter.decision_refused", "letter", letter.id,
                         {"attempted": "reject", "reasons": [r.text for r in refused], "actor": actor.audit()}, at=now)
        raise PolicyError(f"letter {letter.id} may not be rejected: " + "; ".join(str(r) for r in refused))
    by = actor.name
    if dry_run:
        return letter
    with store.begin() as conn:
        res = conn.execute(update(letters).where(and_(letters.c.id == letter.id, letters.c.status == AWAITING))
                           .values(status=REJECTED, decided_by=by, decided_at=now, reason=reason.strip()))
        if res.rowcount != 1:
            raise UsageError(f"letter {letter.id} was decided by someone else a moment ago.")
        record_audit(conn, by, "letter.rejected", "letter", letter.id, {"reason": reason.strip()}, at=now)
        rejected = _get(conn, letter.id)
    _close_activity(store, rejected, writeback, settings, f"Rejected by {by}: {reason.strip()}", by)
    return rejected


# ---------------------------------------------------------------- delivery
def verify_final_copy(letter_id: int, path: Path, approved_sha256: str) -> None:
    """The final copy re-read from disk: its sha256 is the approved one and python-docx opens it again (an
    edited file can pass approval yet yield a copy nobody can open; that must stop here, not at the client)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"the approved file of letter {letter_id} is missing ({path}): {exc.strerror}.") from exc
    if sha256_bytes(data) != approved_sha256:
        raise PolicyError(f"letter {letter_id} was changed after approval ({path.name} no longer matches the "
                          "approved sha256); it must be approved again.")
    try:
        open_docx(data)
    except Exception as exc:  # python-docx raises several kinds for a broken package
        raise PolicyError(f"the final copy of letter {letter_id} ({path.name}) cannot be opened as a Word "
                          f"document ({exc}); approve the letter again from a clean .docx.") from exc


def deliverable(letter: Letter) -> Path:
    """The approved final copy, only if the letter is approved and the file still matches the approved hash."""
    if letter.status != APPROVED:
        raise PolicyError(f"letter {letter.id} is {letter.status}: only an approved letter may be sent.")
    if not letter.approved_path or not letter.approved_sha256:
        raise PolicyError(f"letter {letter.id} has no approved file on record.")
    path = Path(letter.approved_path)
    verify_final_copy(letter.id, path, letter.approved_sha256)
    if letter.approved_pdf_path and letter.approved_pdf_sha256:
        pdf = Path(letter.approved_pdf_path)
        if not pdf.is_file() or sha256_file(pdf) != letter.approved_pdf_sha256:
            raise PolicyError(f"the PDF of letter {letter.id} was changed or removed after approval.")
    return path


def release_letter(store: Store, settings: Settings, letter_id: int, by: Actor | str, *, today: date,
                   now: datetime | None = None, dry_run: bool = False,
                   served_method: str | None = None) -> tuple[Letter, Path]:
    """Hand an approved letter over for sending: checks it (clearance, the suit gate and enclosures included),
    marks it sent, audits it; returns the file to send. A letter carrying a fee-arbitration notice records how
    it is served (`served_method`, served today): only such a notice counts for refer-to-suit."""
    now = now or datetime.now(UTC)
    actor = as_actor(by)
    by = actor.name
    letter = get_letter(store, letter_id)
    check_service(settings, letter, served_method)
    try:
        path = deliverable(letter)
    except PolicyError as exc:
        with store.begin() as conn:
            record_audit(conn, by, "letter.release_refused", "letter", letter.id, {"reason": str(exc)}, at=now)
        raise
    data = path.read_bytes()
    if dry_run:
        _clear(store, settings, letter, Exit.LETTER_RELEASE, actor, now, data)
        return letter, path
    with store.begin() as conn:  # cleared in the transaction that marks it sent
        verdict = clear_letter(conn, settings, letter, Exit.LETTER_RELEASE, actor, now, document_text(open_docx(data)))
        if verdict.allowed:
            served = {"served_on": today, "served_method": served_method} if served_method else {}
            res = conn.execute(update(letters).where(and_(letters.c.id == letter.id, letters.c.status == APPROVED))
                               .values(status=SENT, released_by=by, released_at=now, **served))
            if res.rowcount != 1:
                raise UsageError(f"letter {letter.id} was released by someone else a moment ago.")
            if served_method and letter.notice_kind:
                record_service(conn, letter.id, letter.client_id, letter.notice_kind, today, served_method, by, now)
            record_audit(conn, by, "letter.released", "letter", letter.id,
                         {"path": str(path), "approved_sha256": letter.approved_sha256, "actor": actor.audit()},
                         at=now)
            return _get(conn, letter.id), path
    _clear(store, settings, letter, Exit.LETTER_RELEASE, actor, now, data)  # audits, supersedes, raises
    raise PolicyError(verdict.explain())


def audit_trail(store: Store, letter_id: int) -> list[dict[str, Any]]:
    with store.begin() as conn:
        rows = conn.execute(select(audit).where(and_(audit.c.object_type == "letter",
                                                     audit.c.object_id == str(letter_id))).order_by(audit.c.id))
        return [{"at": r.at, "actor": r.actor, "action": r.action, "detail": r.detail} for r in rows]


__all__ = [
    "ACTIVITY_SUMMARY", "CreateResult", "Letter", "LetterWriteBack", "Notice", "SuitGate", "approve_letter",
    "audit_trail", "client_history", "convert_pdf", "create_letter", "create_letters", "deliverable", "draft_words",
    "get_letter", "letter_key", "list_letters", "list_notices", "record_notice", "redraft", "reject_letter",
    "release_letter",
    "secure_dir", "sha256_file", "suit_gate", "verify_final_copy", "write_private",
]
