"""Things that happen to a firm between two syncs: payments, disputes, cancellations, new bills, time.

Each helper changes the SandboxDB the way Odoo would (names from the journal sequences, payment
states, write_date moved by the clock), so a test can run "night 1, pay two invoices, advance a
day, night 2" and check what the client noticed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .constants import ADMIN_UID, CURRENCY_IDS
from .errors import OdooValueError, UserError
from .methods import post_message
from .models import IR_MODEL_IDS
from .store import CENT, SandboxDB

DEFAULT_ATTORNEY_UID = 8  # Samuel Whitfield


def advance_clock(db: SandboxDB, days: float = 1, *, hours: float = 0, minutes: float = 0,
                  seconds: float = 0) -> datetime:
    """Move the server's clock forward; later writes get later write_dates. Returns the new now."""
    with db.lock:
        return db.clock.advance(timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds))


def _move(db: SandboxDB, move_id: int) -> dict[str, Any]:
    row = db.row("account.move", move_id)
    if row is None:
        raise OdooValueError(f"account.move {move_id} does not exist")
    return row


def _money(amount: Decimal | int | float | str) -> Decimal:
    return Decimal(str(amount)).quantize(CENT)


def _memo_field(db: SandboxDB) -> str:
    return "memo" if "memo" in db.model("account.payment").fields else "ref"


def pay_invoice(db: SandboxDB, move_id: int, amount: Decimal | int | float | str, when: date | None = None, *,
                in_payment: bool = False, memo: str | None = None) -> int:
    """Register a customer payment reconciled with the invoice; returns the account.payment id.

    The residual drops by `amount` (not below zero), payment_state becomes partial, paid or (with
    `in_payment`) in_payment, and the invoice's write_date moves to now.
    """
    with db.lock:
        move = _move(db, move_id)
        if move["state"] != "posted":
            raise UserError(f"{move['name']} is not posted: only posted invoices can be paid.")
        paid = _money(amount)
        when = when or db.today()
        payment_id = db.create("account.payment", {
            "name": f"PBNK1/{when.year}/{db.next_sequence(f'PBNK1/{when.year}'):05d}",
            "partner_id": move["commercial_partner_id"], "amount": paid, "currency_id": move["currency_id"],
            "date": when, "state": "posted", "payment_type": "inbound", "partner_type": "customer",
            "is_reconciled": True, "is_matched": not in_payment, "reconciled_invoice_ids": [move_id],
            _memo_field(db): memo or move["name"],
        }, uid=ADMIN_UID)
        residual = max(Decimal("0.00"), move["amount_residual"] - paid)
        state = "partial" if residual > 0 else ("in_payment" if in_payment else "paid")
        db.write("account.move", [move_id], {"amount_residual": residual, "payment_state": state}, uid=ADMIN_UID)
        return payment_id


def cancel_invoice(db: SandboxDB, move_id: int) -> None:
    """Cancel a posted or draft invoice that has no payment (Odoo refuses otherwise)."""
    with db.lock:
        move = _move(db, move_id)
        if move["payment_state"] in ("paid", "partial", "in_payment"):
            raise UserError(f"You cannot cancel {move['name']}: it has payments reconciled with it.")
        db.write("account.move", [move_id], {"state": "cancel", "payment_state": "not_paid"}, uid=ADMIN_UID)


def dispute(db: SandboxDB, move_id: int, reason: str = "Client disputes the hours billed", *,
            uid: int | None = None) -> int:
    """The client disputes an invoice: a chatter note and a To-Do for its attorney (which moves
    the invoice's write_date, as scheduling an activity does in Odoo). Returns the activity id."""
    with db.lock:
        move = _move(db, move_id)
        user = uid or move["invoice_user_id"] or ADMIN_UID
        post_message(db, "account.move", move_id, f"<p>Disputed by the client: {reason}</p>", uid=ADMIN_UID,
                     message_type="comment", subtype_xmlid="mail.mt_note")
        return db.create("mail.activity", {
            "res_model_id": IR_MODEL_IDS["account.move"], "res_id": move_id,
            "activity_type_id": db.xmlid_to_res_id("mail.mail_activity_data_todo")[1],
            "summary": f"Dispute: {reason}", "user_id": user,
            "date_deadline": db.today() + timedelta(days=3),
        }, uid=ADMIN_UID)


def reverse_invoice(db: SandboxDB, move_id: int, amount: Decimal | int | float | str | None = None,
                    when: date | None = None) -> int:
    """Issue a credit note against an invoice (all of its residual by default); returns its id."""
    with db.lock:
        move = _move(db, move_id)
        credit = _money(amount) if amount is not None else move["amount_residual"]
        when = when or db.today()
        refund_id = db.create("account.move", {
            "name": f"RINV/{when.year}/{db.next_sequence(f'RINV/{when.year}'):05d}", "move_type": "out_refund",
            "state": "posted", "payment_state": "paid", "partner_id": move["partner_id"],
            "commercial_partner_id": move["commercial_partner_id"], "invoice_user_id": move["invoice_user_id"],
            "invoice_origin": move["invoice_origin"], "ref": f"Reversal of: {move['name']}",
            "currency_id": move["currency_id"], "amount_total": credit, "amount_untaxed": credit,
            "amount_residual": Decimal("0.00"), "invoice_date": when, "invoice_date_due": when, "date": when,
            "narration": move["narration"], "reversed_entry_id": move_id,
        }, uid=ADMIN_UID)
        residual = max(Decimal("0.00"), move["amount_residual"] - credit)
        state = "reversed" if residual == 0 else "partial"
        db.write("account.move", [move_id], {"amount_residual": residual, "payment_state": state}, uid=ADMIN_UID)
        return refund_id


def post_invoice(db: SandboxDB, *, partner_id: int, amount: Decimal | int | float | str, currency: str = "USD",
                 invoice_date: date | None = None, due_date: date | None = None, matter: str | None = None,
                 attorney_uid: int = DEFAULT_ATTORNEY_UID, ref: str | None = None,
                 narration: str | None = None) -> int:
    """A new posted customer invoice, numbered after the generated ones; returns its id."""
    with db.lock:
        invoice_date = invoice_date or db.today()
        total = _money(amount)
        currency_id = CURRENCY_IDS.get(currency)
        if currency_id is None:
            raise OdooValueError(f"Unknown currency {currency!r}")
        narrations = db.meta.get("narrations") or ["<p>PRIVILEGED &amp; CONFIDENTIAL</p><p>Legal services.</p>"]
        year = invoice_date.year
        return db.create("account.move", {
            "name": f"INV/{year}/{db.next_sequence(f'INV/{year}'):05d}", "move_type": "out_invoice",
            "state": "posted", "payment_state": "not_paid", "partner_id": partner_id,
            "invoice_user_id": attorney_uid, "invoice_origin": matter or False, "ref": ref or False,
            "currency_id": currency_id, "amount_total": total, "amount_untaxed": total, "amount_residual": total,
            "invoice_date": invoice_date, "invoice_date_due": due_date or invoice_date + timedelta(days=30),
            "date": invoice_date, "narration": narration or narrations[0],
        }, uid=ADMIN_UID)
