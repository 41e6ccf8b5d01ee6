"""Delivery of approved reminders: outbox (.eml files), SMTP or Odoo's mail, exactly once.

Exactly once rests on three records per reminder. `sending` is committed before the message is
handed over and `sent` after the channel accepted it; a reminder found in `sending` when a later
run starts was interrupted at an unknown point, so it becomes `unconfirmed`: never re-sent
silently, never dropped silently, shown by `overdue-reminder outbox reconcile` until staff settle
it. The Message-ID is fixed at drafting (`<idempotency key@firm domain>`), so a resend after a
crash is recognisable in any mailbox, and an outbox file name derives from the key, so a second
attempt finds the first file instead of writing another.

Right before handing over, each invoice's residual is read again from the source; a reminder whose
invoices were paid (or changed) meanwhile is cancelled with the reason, not sent.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import and_, func, select, update

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Exit
from overdue_reminder.core.texts import clean_line, clean_subject
from overdue_reminder.errors import AuthError, ConfigError, DeliveryError, UsageError
from overdue_reminder.files import remove_stale, secure_dir, write_private
from overdue_reminder.model import InvoiceKind
from overdue_reminder.money import MoneyError, format_plain, same_amount
from overdue_reminder.services.chatter_notes import ChatterNotes
from overdue_reminder.services.clearing import clear_reminder
from overdue_reminder.services.reminders import (
    APPROVED,
    CANCELLED,
    FAILED,
    SENDING,
    SENT,
    SYSTEM_ACTOR,
    UNCONFIRMED,
    Reminder,
    file_stem,
    from_address,
    from_name,
    get_reminder,
    parse_addresses,
    refuse_reminder,
    row_to_reminder,
    transition,
)
from overdue_reminder.services.sent_marks import SentMarks, Step
from overdue_reminder.services.statements import Statements, attach, attached_pdf, audit_detail, write_beside
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.locks import run_lock
from overdue_reminder.store.schema import invoices, reminders

log = logging.getLogger(__name__)

CLOSED_STATES = frozenset({"paid", "in_payment", "reversed", "cancel", "draft", "invoicing_legacy"})


# ---------------------------------------------------------------- protocols
class ResidualReader(Protocol):
    def read_residuals(self, invoice_ids: Sequence[int]) -> dict[int, tuple[str, Decimal, str]]: ...


class NoteWriter(Protocol):
    def post_note(self, invoice_ids: Sequence[int], html: str) -> None: ...


class OdooMail(Protocol):
    def send_mail(self, invoice_id: int, subject: str, html: str, partner_ids: Sequence[int]) -> int: ...


class NotDelivered(DeliveryError):
    """The channel refused or was never reached: nothing went out, so the reminder may be tried again."""

    def __init__(self, message: str, *, retry: bool = True, stop: bool = False) -> None:
        super().__init__(message)
        self.retry, self.stop = retry, stop


class DeliveryUnknown(DeliveryError):
    """The hand-over started and did not finish: the message may or may not have gone out."""


class Transport(Protocol):
    mode: str

    def open(self) -> None: ...

    def deliver(self, r: Reminder, message: EmailMessage) -> str: ...

    def close(self) -> None: ...


# ---------------------------------------------------------------- the message
def _ascii_address(addr: str) -> Address:
    local, _, domain = addr.rpartition("@")
    return Address(addr_spec=f"{local}@{domain.encode('idna').decode('ascii')}")


_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]+')


def display_name(name: str) -> str:
    """A display name that stays one harmless phrase in any header.

    RFC 5322 specials are dropped and the length capped: Python's header folding can lose the
    quotes around a long name, and `"x, y@evil.example"` unquoted would read as a second address.
    """
    return " ".join(_SPECIALS.sub(" ", clean_line(name)).split())[:60].strip()


def build_message(r: Reminder, settings: Settings, now: datetime) -> EmailMessage:
    """RFC 5322 message with a text and an HTML part; every header value is one clean line."""
    sender = _ascii_address(from_address(settings)).addr_spec
    msg = EmailMessage(policy=email_policy.SMTP)
    msg["From"] = Address(display_name=display_name(from_name(settings)), addr_spec=sender)
    to = [_ascii_address(a).addr_spec for a in parse_addresses(r.to_address)]
    name = display_name(r.client_name) if len(to) == 1 else ""
    msg["To"] = [Address(display_name=name, addr_spec=a) for a in to]
    if settings.delivery.reply_to:
        msg["Reply-To"] = [_ascii_address(a) for a in parse_addresses(settings.delivery.reply_to)]
    msg["Subject"] = clean_subject(r.subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = r.message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Overdue-Reminder-Reference"] = r.reference
    msg.set_content(r.body_text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(r.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg["Content-Language"] = r.language.replace("_", "-") or "en-US"  # after the parts: set_content clears it
    # the headers read back as the generator writes them (fold_binary per header): only headers can smuggle
    # a recipient, and serialising the parts here too cost as much as sending them
    head = b"".join(msg.policy.fold_binary(k, v) for k, v in msg.raw_items())
    parsed = BytesHeaderParser(policy=email_policy.default).parsebytes(head + b"\r\n")
    got = [a.addr_spec for a in parsed["To"].addresses]
    if got != to or [a.addr_spec for a in parsed["From"].addresses] != [sender]:
        raise ValueError(f"the message headers do not read back as written (To {got}); not sent")
    return msg


# ---------------------------------------------------------------- transports
def outbox_name(r: Reminder) -> str:
    """Derived from the reminder alone, so a second attempt (or reconcile) finds the first file."""
    return f"{file_stem(r.run_date, r.client_id, r.tier, r.idempotency_key)}.eml"


class OutboxTransport:
    """Writes each message as an .eml file (owner-only), atomically: it appears whole or not at all."""

    mode = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self) -> None:
        try:
            secure_dir(self.folder)
            remove_stale(self.folder)  # half-written by a crashed run: never visible, never delivered
        except OSError as exc:
            raise NotDelivered(f"cannot use the outbox folder {self.folder}: {exc.strerror}", stop=True) from exc

    def path(self, r: Reminder) -> Path:
        return self.folder / outbox_name(r)

    def deliver(self, r: Reminder, message: EmailMessage) -> str:
        final = self.path(r)
        if final.exists():
            return f"{final} (already in the outbox)"
        try:
            sheet = attached_pdf(message)
            if sheet is not None:  # first, so the .eml (the mark of delivery) never lacks its statement
                write_beside(self.folder, final.name, sheet)
            write_private(final, message.as_bytes(), replace=False)  # a concurrent copy already there is kept
        except OSError as exc:
            raise NotDelivered(f"cannot write to the outbox: {exc.strerror}", stop=True) from exc
        return str(final)

    def close(self) -> None:
        return None


class SmtpTransport:
    """smtplib with STARTTLS or SSL; one connection per run; password from the environment."""

    mode = "smtp"

    def __init__(self, settings: Settings, password: str = "", *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.d = settings.delivery
        self.sender = _ascii_address(from_address(settings)).addr_spec
        self.password = password
        self.ssl_context = ssl_context
        self.conn: smtplib.SMTP | None = None

    def open(self) -> None:
        d = self.d
        ctx = self.ssl_context or ssl.create_default_context()
        try:
            if d.smtp_security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(d.smtp_host, d.smtp_port, timeout=d.smtp_timeout, context=ctx)
            else:
                conn = smtplib.SMTP(d.smtp_host, d.smtp_port, timeout=d.smtp_timeout)
                if d.smtp_security == "starttls":
                    conn.starttls(context=ctx)
            conn.ehlo_or_helo_if_needed()
            if d.smtp_username:
                conn.login(d.smtp_username, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise NotDelivered(f"the SMTP server refused the login for {d.smtp_username}: {exc.smtp_code}",
                               stop=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise NotDelivered(f"cannot reach the SMTP server {d.smtp_host}:{d.smtp_port}: {exc}", stop=True) from exc
        self.conn = conn

    def deliver(self, r: Reminder, message: EmailMessage) -> str:
        conn = self.conn
        if conn is None:
            raise NotDelivered("the SMTP connection is not open", stop=True)
        rcpts = [a.addr_spec for a in message["To"].addresses]
        data = message.as_bytes()
        try:
            code, resp = conn.mail(self.sender)
            if code != 250:
                conn.rset()
                raise NotDelivered(f"sender refused: {code} {resp!r}", retry=code < 500, stop=code < 500)
            for rcpt in rcpts:
                code, resp = conn.rcpt(rcpt)
                if code not in (250, 251):
                    conn.rset()
                    raise NotDelivered(f"recipient {rcpt} refused: {code} {resp!r}", retry=code < 500)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise NotDelivered(f"the SMTP connection dropped before the message was sent: {exc}", stop=True) from exc
        try:
            code, resp = conn.data(data)
        except smtplib.SMTPDataError as exc:  # DATA itself refused: the body never went over
            raise NotDelivered(f"the server refused the message: {exc.smtp_code}", retry=exc.smtp_code < 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryUnknown(f"the connection broke while the message was being sent: {exc}") from exc
        if code != 250:
            raise NotDelivered(f"the server refused the message: {code} {resp!r}", retry=code < 500)
        return f"smtp {code} {resp.decode('utf-8', 'replace')[:200]}"

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)


class OdooTransport:
    """Posts the reminder on the invoice through Odoo's own mail, so it lands in the chatter."""

    mode = "odoo"

    def __init__(self, mail: OdooMail) -> None:
        self.mail = mail

    def open(self) -> None:
        return None

    def deliver(self, r: Reminder, message: EmailMessage) -> str:
        if r.contact_id is None:
            raise NotDelivered(f"reminder #{r.id} names no billing contact to post to", retry=False)
        anchor = next((int(ln["id"]) for ln in r.lines if ln.get("kind") != InvoiceKind.CREDIT_NOTE.value),
                      r.invoice_ids[0])
        m = _BODY.search(r.body_html)
        html = m.group(1).strip() if m else r.body_html
        try:
            mail_id = self.mail.send_mail(anchor, clean_subject(r.subject), html, [r.contact_id])
        except AuthError as exc:
            raise NotDelivered(f"Odoo refused: {exc}", stop=True) from exc
        except Exception as exc:
            raise DeliveryUnknown(f"Odoo did not confirm the post: {exc}") from exc
        return f"odoo mail.message {mail_id} on account.move {anchor}"

    def close(self) -> None:
        return None


def make_transport(settings: Settings, *, odoo: OdooMail | None = None) -> Transport:
    mode = settings.delivery.mode
    if mode == "outbox":
        return OutboxTransport(settings.resolve(settings.delivery.outbox_dir))
    if mode == "smtp":
        env = settings.delivery.smtp_password_env
        password = os.environ.get(env, "") if env else ""
        if settings.delivery.smtp_username and not password:
            raise ConfigError(f"no SMTP password: environment variable {env or '(none)'} is not set.",
                              path=settings.config_path, key="delivery.smtp_password_env",
                              fix=f"export {env or 'OVERDUE_REMINDER_SMTP_PASSWORD'}=<password>.")
        return SmtpTransport(settings, password)
    if odoo is None:
        raise ConfigError("delivery.mode = \"odoo\" needs the Odoo source.", path=settings.config_path,
                          key="delivery.mode", fix="set source = \"odoo\" or choose \"outbox\" or \"smtp\".")
    return OdooTransport(odoo)


def check_sender(settings: Settings) -> None:
    """LAW.md #12: the From name is the firm's own, never a collector-sounding alias."""
    name = from_name(settings)
    firm = clean_line(settings.firm.name)
    if not name or firm.lower() not in name.lower():
        raise ConfigError(f"the sender name {name!r} does not contain the firm's name {firm!r}.",
                          path=settings.config_path, key="delivery.from_name",
                          fix="leave it empty (the firm's name is used) or include the firm's name, "
                              "e.g. \"Billing, Harper & Lowe LLP\".")
    if re.search(r"\b(collection|collections|recovery|debt)\b", name, re.IGNORECASE) and \
            not re.search(r"\b(collection|collections|recovery|debt)\b", firm, re.IGNORECASE):
        raise ConfigError(f"the sender name {name!r} sounds like a third-party collector.",
                          path=settings.config_path, key="delivery.from_name",
                          fix="send under the firm's own name (rule: The firm's own name).")
    try:
        parse_addresses(from_address(settings))
    except ValueError as exc:
        raise ConfigError(f"the sender address is not valid: {exc}.", path=settings.config_path,
                          key="delivery.from_address", fix="set it to the firm's billing address.") from exc


# ---------------------------------------------------------------- residuals
class StoreResiduals:
    """What the store knew at the last sync: the fallback for sources that cannot be asked live."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def read_residuals(self, invoice_ids: Sequence[int]) -> dict[int, tuple[str, Decimal, str]]:
        out: dict[int, tuple[str, Decimal, str]] = {}
        ids = list(invoice_ids)
        with self.store.begin() as conn:
            for i in range(0, len(ids), 5000):
                q = select(invoices.c.id, invoices.c.currency, invoices.c.amount_residual, invoices.c.payment_state,
                           invoices.c.is_open).where(invoices.c.id.in_(ids[i:i + 5000]))
                for row in conn.execute(q):
                    state = row.payment_state if row.is_open else "paid"
                    out[row.id] = (row.currency, row.amount_residual if row.is_open else Decimal(0), state)
        return out


def _plain(amount: Decimal, currency: str) -> str:
    try:
        return format_plain(amount, currency)
    except MoneyError:
        return f"{amount} {currency}"


def stale_reason(r: Reminder, current: Mapping[int, tuple[str, Decimal, str]]) -> str:
    """Why the reminder no longer matches the accounting system ('' when it still does)."""
    why: list[str] = []
    for ln in r.lines:
        name = clean_line(ln.get("name", ln["id"]))
        now = current.get(int(ln["id"]))
        if now is None:
            why.append(f"{name} is no longer in the accounting system")
            continue
        currency, residual, state = now
        drafted = Decimal(str(ln["residual"]))
        if ln.get("kind") != InvoiceKind.CREDIT_NOTE.value and (state in CLOSED_STATES or residual <= 0):
            why.append(f"{name} was paid meanwhile ({state or 'no balance'})")
        elif not same_amount(residual, drafted, currency) or currency != ln.get("currency", currency):
            why.append(f"{name} now shows {_plain(residual, currency)} outstanding, not "
                       f"{_plain(drafted, str(ln.get('currency', currency)))}")
    return "; ".join(why)


# ---------------------------------------------------------------- the run
@dataclass(frozen=True)
class SendItem:
    id: int
    client_name: str
    tier: str
    to: str
    # sent | cancelled | blocked | failed | unconfirmed | requeued | would send | would cancel | would block
    outcome: str
    detail: str = ""


@dataclass
class SendResult:
    mode: str
    dry_run: bool = False
    window_open: bool = True
    window_note: str = ""
    items: list[SendItem] = field(default_factory=list)
    unconfirmed_found: list[int] = field(default_factory=list)
    left_for_next_run: int = 0
    stopped: str = ""

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)

    @property
    def needs_attention(self) -> bool:
        return bool(self.unconfirmed_found or self.stopped or self.count("failed") or self.count("unconfirmed"))

    def summary(self) -> dict[str, Any]:
        return {"mode": self.mode, "dry_run": self.dry_run, "window_open": self.window_open,
                "window_note": self.window_note, "sent": self.count("sent"), "cancelled": self.count("cancelled"),
                "failed": self.count("failed"), "unconfirmed": self.count("unconfirmed"),
                "requeued": self.count("requeued"), "blocked": self.count("blocked"),
                "would_block": self.count("would block"), "would_send": self.count("would send"),
                "would_cancel": self.count("would cancel"), "unconfirmed_from_earlier_runs": self.unconfirmed_found,
                "left_for_next_run": self.left_for_next_run, "stopped": self.stopped}


def window_status(settings: Settings, now: datetime) -> tuple[bool, str]:
    """Is `now` inside the firm's send window (firm timezone, business days if so configured)?"""
    local = settings.calendar().local_now(now)
    cal = settings.calendar()  # holidays load one year at a time
    start, end = settings.delivery.window()
    if settings.delivery.business_days_only and not cal.is_business_day(local.date()):
        return False, f"{local:%A %Y-%m-%d} is not a business day for the firm; nothing is sent."
    if not start <= local.time().replace(tzinfo=None) < end:
        return False, (f"it is {local:%H:%M} firm time, outside the send window {settings.delivery.send_window}; "
                       "nothing is sent.")
    return True, ""


def send_lock(store: Store) -> AbstractContextManager[None]:
    """One sender per store at a time (store/locks: the OS or PostgreSQL frees the lock if the sender dies)."""
    return run_lock(store, "send", busy="another 'overdue-reminder send' is running on this store; try again later.")


def mark_unconfirmed(store: Store, now: datetime, actor: str = SYSTEM_ACTOR) -> list[int]:
    """Reminders left in `sending` by an interrupted run: their fate is unknown, so staff decide."""
    with store.begin() as conn:
        stuck = [row_to_reminder(r) for r in conn.execute(
            select(reminders).where(reminders.c.status == SENDING).order_by(reminders.c.id))]
        for r in stuck:
            transition(conn, r, UNCONFIRMED, actor, now, "reminder.unconfirmed",
                       {"reason": "the run sending it stopped before recording the outcome"},
                       note="interrupted while being handed over: it may or may not have been delivered; "
                             "settle it with 'overdue-reminder outbox reconcile'.")
    return [r.id for r in stuck]




def send_approved(store: Store, settings: Settings, now: datetime, *, transport: Transport | None = None,
                  residuals: ResidualReader | None = None, notes: NoteWriter | None = None,
                  max_messages: int | None = None, dry_run: bool = False, actor: str = SYSTEM_ACTOR,
                  on_step: Step | None = None) -> SendResult:
    """Deliver approved email reminders, oldest first, within the window and the per-run cap.

    `on_step(stage, reminder)` is called at 'claimed' (sending committed), 'handed' (the channel
    accepted it) and 'recorded' (sent committed): progress display, and the crash test's kill points.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    check_sender(settings)
    tr = transport or make_transport(settings)
    result = SendResult(mode=tr.mode, dry_run=dry_run)
    cap = settings.delivery.max_per_run if max_messages is None else min(max_messages, settings.delivery.max_per_run)
    if cap < 1:
        raise UsageError("--max must be 1 or more.")
    with send_lock(store):
        if not dry_run:
            result.unconfirmed_found = mark_unconfirmed(store, now, actor)
        result.window_open, result.window_note = window_status(settings, now)
        if not result.window_open:
            return result
        due_q = and_(reminders.c.status == APPROVED, reminders.c.channel == "email")
        with store.begin() as conn:
            batch = [row_to_reminder(r) for r in conn.execute(
                select(reminders).where(due_q).order_by(reminders.c.id).limit(cap))]
            total = conn.execute(select(func.count()).select_from(reminders).where(due_q)).scalar_one()
        result.left_for_next_run = int(total) - len(batch)
        if not batch:
            return result
        reader = residuals or StoreResiduals(store)
        current = reader.read_residuals(sorted({i for r in batch for i in r.invoice_ids}))
        ready: list[Reminder] = []
        for r in batch:
            why = stale_reason(r, current)
            if not why:
                ready.append(r)
            elif dry_run:
                result.items.append(SendItem(r.id, r.client_name, r.tier, r.to_address, "would cancel", why))
            else:
                with store.begin() as conn:
                    transition(conn, r, CANCELLED, actor, now, "reminder.cancelled", {"reason": why},
                               note=f"not sent: {why}")
                result.items.append(SendItem(r.id, r.client_name, r.tier, r.to_address, "cancelled", why))
        if dry_run:
            for r in ready:
                with store.begin() as conn:
                    verdict = clear_reminder(conn, settings, r, now, Exit.REMINDER, live=current)
                if not verdict.allowed:
                    result.items.append(SendItem(r.id, r.client_name, r.tier, r.to_address, "would block",
                                                 "; ".join(str(x) for x in verdict.reasons)))
                    continue
                try:
                    build_message(r, settings, now)
                except (ValueError, TypeError) as exc:
                    result.items.append(SendItem(r.id, r.client_name, r.tier, r.to_address, "would fail", str(exc)))
                    continue
                result.items.append(SendItem(r.id, r.client_name, r.tier, r.to_address, "would send"))
            return result
        if not ready:
            return result
        # Odoo's mail carries no attachment (docs/statements.md); a missing font stops here, before any hand-over
        sheets = Statements(settings) if settings.statements.attach and tr.mode != "odoo" else None
        try:
            tr.open()
        except NotDelivered as exc:
            result.stopped = str(exc)
            return result
        chatter = ChatterNotes(store, notes, now, actor) if notes is not None and settings.delivery.write_back_notes \
            else None
        handed = SentMarks(tr.mode, actor, now, chatter, on_step)
        try:
            for i, r in enumerate(ready):
                item, stop = _send_one(store, settings, tr, r, now, actor, handed, on_step, current, sheets)
                result.items.append(item)
                if stop:
                    result.stopped = f"#{r.id}: {item.detail}"
                    result.left_for_next_run += len(ready) - i - 1
                    break
        finally:
            try:
                handed.flush(store)
            finally:
                tr.close()
                if chatter is not None:
                    chatter.flush()
    return result


def _send_one(store: Store, settings: Settings, tr: Transport, r: Reminder, now: datetime, actor: str,
              handed: SentMarks, on_step: Step | None,
              current: Mapping[int, tuple[str, Decimal, str]] | None = None,
              sheets: Statements | None = None) -> tuple[SendItem, bool]:
    """One reminder through the channel; the flag says the channel is in trouble and the run stops.

    The previous reminder's `sent` mark (in `handed`) is committed with this one's claim. The statement of
    account is made afresh from the ledger as of the reminder's date (the same bytes as at drafting unless
    the ledger moved) and its sha256 recorded with the hand-over.
    """
    def item(outcome: str, detail: str = "", stop: bool = False) -> tuple[SendItem, bool]:
        return SendItem(r.id, r.client_name, r.tier, r.to_address, outcome, detail), stop

    try:
        message = build_message(r, settings, now)
    except (ValueError, TypeError) as exc:
        with store.begin() as conn:
            handed.record(conn)
            transition(conn, r, FAILED, actor, now, "reminder.failed", {"reason": str(exc)},
                       note=f"cannot build the message: {exc}")
        handed.committed()
        return item("failed", str(exc))
    refused = ""
    with store.begin() as conn:  # committed before the hand-over: a crash from here on is 'unconfirmed'
        handed.record(conn)
        sheet = sheets.for_client(conn, r.client_id, r.run_date, r.language) if sheets is not None else None
        extra = {"statement": audit_detail(sheet)} if sheet is not None else {}
        if sheet is not None:
            attach(message, sheet)
        verdict = clear_reminder(conn, settings, r, now, Exit.REMINDER, live=current)
        if not verdict.allowed:
            refused = refuse_reminder(conn, r, verdict, now)
        else:
            res = conn.execute(update(reminders).where(and_(reminders.c.id == r.id, reminders.c.status == APPROVED,
                                                            reminders.c.body_text == r.body_text,
                                                            reminders.c.body_html == r.body_html,
                                                            reminders.c.subject == r.subject))
                               .values(status=SENDING, sending_at=now))
            if res.rowcount == 1:
                record_audit(conn, actor, "reminder.sending", "reminder", r.id, {"mode": tr.mode, **extra}, at=now)
    handed.committed()
    if not verdict.allowed:
        return item("blocked", refused)
    if res.rowcount != 1:
        return item("skipped", "changed by someone else meanwhile")
    claimed = replace(r, status=SENDING, sending_at=now)
    if on_step:
        on_step("claimed", claimed)
    try:
        ref = tr.deliver(claimed, message)
    except NotDelivered as exc:
        status = APPROVED if exc.retry else FAILED
        with store.begin() as conn:
            transition(conn, claimed, status, actor, now, "reminder.not_delivered",
                       {"reason": str(exc), "retry": exc.retry}, note=f"not delivered: {exc}")
        outcome = "requeued" if exc.retry else "failed"
        return item(outcome, str(exc), exc.stop)
    except BaseException as exc:
        detail = str(exc) or type(exc).__name__
        with store.begin() as conn:
            transition(conn, claimed, UNCONFIRMED, actor, now, "reminder.unconfirmed", {"reason": detail},
                       note=f"delivery unconfirmed ({detail}); settle it with 'overdue-reminder outbox reconcile'.")
        if not isinstance(exc, DeliveryUnknown):
            raise
        return item("unconfirmed", detail, True)
    if on_step:
        on_step("handed", claimed)
    handed.add(claimed, ref, extra)  # recorded `sent` with the next claim, or when the run ends
    return item("sent", ref)


# ---------------------------------------------------------------- reconcile
@dataclass(frozen=True)
class ReconcileItem:
    reminder: Reminder
    in_outbox: bool | None  # outbox mode: does the .eml exist? None for other modes


def unconfirmed(store: Store, settings: Settings, now: datetime, actor: str = SYSTEM_ACTOR) -> list[ReconcileItem]:
    """Everything whose delivery is unknown (a `sending` left by a dead run becomes unconfirmed first)."""
    with send_lock(store):
        mark_unconfirmed(store, now, actor)
    with store.begin() as conn:
        rows = [row_to_reminder(r) for r in conn.execute(
            select(reminders).where(reminders.c.status == UNCONFIRMED).order_by(reminders.c.id))]
    box = None
    if settings.delivery.mode == "outbox":
        box = OutboxTransport(settings.resolve(settings.delivery.outbox_dir))
    return [ReconcileItem(r, box.path(r).exists() if box else None) for r in rows]


@dataclass
class Settled:
    sent: list[int] = field(default_factory=list)
    resend: list[int] = field(default_factory=list)


def settle(store: Store, settings: Settings, now: datetime, actor: str, *, sent: Sequence[int] = (),
           resend: Sequence[int] = (), check_outbox: bool = False) -> Settled:
    """Staff's verdict on unconfirmed reminders: it did go out (`sent`), or it did not (`resend`).

    A resend goes back to approved and leaves with the next `send`, under the same Message-ID.
    `check_outbox` settles every unconfirmed one in outbox mode by whether its .eml file exists.
    """
    both = set(sent) & set(resend)
    if both:
        raise UsageError(f"reminder #{min(both)} cannot be both sent and resent.")
    out = Settled()
    decisions: list[tuple[int, bool, str]] = [(i, True, "confirmed by staff") for i in sent]
    decisions += [(i, False, "staff found it was not delivered") for i in resend]
    if check_outbox:
        if settings.delivery.mode != "outbox":
            raise UsageError("--check-outbox works in outbox mode only; for SMTP search the mailbox for the "
                             "Message-ID shown, then use --sent or --resend.")
        listed = {i for i, _, _ in decisions}
        for it in unconfirmed(store, settings, now, actor):
            if it.reminder.id not in listed:
                decisions.append((it.reminder.id, bool(it.in_outbox),
                                  "the .eml file is in the outbox" if it.in_outbox else "no .eml file in the outbox"))
    with send_lock(store), store.begin() as conn:
        for rid, delivered, why in decisions:
            r = get_reminder(conn, rid)
            if delivered:
                if r.status != UNCONFIRMED:
                    raise UsageError(f"reminder #{rid} is {r.status}; only unconfirmed reminders can be marked sent.")
                transition(conn, r, SENT, actor, now, "reminder.reconciled_sent", {"why": why},
                           sent_at=r.sending_at or now, note=f"delivery confirmed: {why}")
                out.sent.append(rid)
            else:
                if r.status not in (UNCONFIRMED, FAILED):
                    raise UsageError(f"reminder #{rid} is {r.status}; only unconfirmed or failed reminders "
                                     "can be resent.")
                transition(conn, r, APPROVED, actor, now, "reminder.reconciled_resend", {"why": why},
                           sending_at=None, note=f"to be sent again: {why}")
                out.resend.append(rid)
    return out
