"""Write-back against the sandbox Odoo over real HTTP: attachments on the invoices, the review activity, its close."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from pathlib import Path

from actors import attorney
from letter_factory import NOW, make_settings, seed_invoices

from overdue_reminder.core.letter_docx import DOCX_MIME
from overdue_reminder.model import Action, ActionLine, Attorney, InvoiceKind
from overdue_reminder.sandbox import SANDBOX_PASSWORD
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.services.letters import ACTIVITY_SUMMARY, approve_letter, create_letter
from overdue_reminder.sources.odoo import OdooSource
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_attorneys

TODAY = date(2026, 11, 28)


def _open_invoices(sb: RunningSandbox) -> list[dict[str, object]]:
    moves = sb.db.table("account.move").rows.values()
    return [m for m in moves if m["move_type"] == "out_invoice" and m["state"] == "posted"
            and m["payment_state"] in ("not_paid", "partial") and m["invoice_user_id"]]


def test_letter_attached_and_activity_closed_in_odoo(sandbox: RunningSandbox, sqlite_store: Store,
                                                     tmp_path: Path) -> None:
    inv = _open_invoices(sandbox)[0]
    user_id = int(str(inv["invoice_user_id"]))
    client_id = int(str(inv["commercial_partner_id"]))
    same = [m for m in _open_invoices(sandbox) if m["commercial_partner_id"] == client_id][:3]
    email = "reviewer@firm.example"
    with sqlite_store.begin() as conn:
        store_attorneys(conn, [Attorney(user_id, "Reviewer", "reviewer", email)])
    lines = tuple(ActionLine(int(str(m["id"])), str(m["name"]), InvoiceKind.INVOICE, "M-1", "USD", None,
                             TODAY, Decimal("100.00"), Decimal("0.00"), Decimal("100.00"), 90) for m in same)
    action = Action(client_id=client_id, client_name="Sandbox client", tier="escalation", tier_index=4,
                    channel="letter", attorney_review=True, auto_send=False, with_offer=False, matter_ref="",
                    lines=lines, totals={"USD": Decimal(100 * len(lines))}, credits={}, unapplied_payments={},
                    max_days_past_due=90, attorney_id=user_id, contact_id=client_id, to_email="",
                    language="en_US", grade="C", reasons=("test",))
    settings = make_settings(tmp_path, extra="write_back = true")
    src = OdooSource(sandbox.odoo_settings(), SANDBOX_PASSWORD)
    src.open()
    try:
        seed_invoices(sqlite_store, action)
        lt = create_letter(sqlite_store, settings, action, today=TODAY, now=NOW, writeback=src).letter
        attachments = [a for a in sandbox.db.table("ir.attachment").rows.values()
                       if a["res_model"] == "account.move" and a["res_id"] in action.invoice_ids]
        assert [a["res_id"] for a in attachments] == [action.invoice_ids[0]]  # one file per letter
        assert all(a["mimetype"] == DOCX_MIME for a in attachments)
        assert base64.b64decode(str(attachments[0]["datas"])) == Path(lt.path).read_bytes()
        notes = {m["res_id"]: m for m in sandbox.db.table("mail.message").rows.values()
                 if m["model"] == "account.move" and m["res_id"] in action.invoice_ids and m["subtype_id"] == 2}
        assert sorted(notes) == sorted(action.invoice_ids)  # every invoice's note links to the one file
        assert all(f"/web/content/{attachments[0]['id']}" in n["body"] for n in notes.values())
        assert notes[action.invoice_ids[0]]["attachment_ids"] == [attachments[0]["id"]]
        followers = {(f["res_id"], f["partner_id"]) for f in sandbox.db.table("mail.followers").rows.values()}
        assert not followers  # the activity's assignee was unsubscribed again
        assert lt.odoo_activity_id is not None
        activity = sandbox.db.table("mail.activity").rows[lt.odoo_activity_id]
        assert activity["summary"] == ACTIVITY_SUMMARY and activity["user_id"] == user_id
        assert activity["res_model"] == "account.move" and activity["res_id"] == action.invoice_ids[0]
        assert activity["active"]
        approve_letter(sqlite_store, settings, lt.id, attorney(sqlite_store, email), now=NOW, writeback=src)
        activity = sandbox.db.table("mail.activity").rows[lt.odoo_activity_id]
        assert not activity["active"] and activity["date_done"] is not None
    finally:
        src.close()
