"""What Odoo's ORM does around a record, beyond storing it: display names, computed fields,
side effects of create and write, and the base data every database has.

Kept apart from the store so the store stays about tables, indexes and searches. Everything here
mirrors a named Odoo behaviour (partner display names, draft move names, commercial partners,
activity states, the write_date an activity moves, attachment checksums).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from email.utils import formataddr
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .errors import OdooValueError
from .models import IR_MODEL_IDS

if TYPE_CHECKING:
    from .store import Row, SandboxDB

_PARTNER_TYPES = {"invoice": "Invoice Address", "delivery": "Delivery Address", "other": "Other Address"}


def make_getter(db: SandboxDB, model: str, name: str) -> Callable[[Mapping[str, Any]], Any]:
    if name == "display_name":
        return display_getter(db, model)
    if model == "mail.activity" and name == "state":
        return lambda row: activity_state(db, row)
    if model == "mail.activity" and name == "res_name":
        return lambda row: db.display_name(row["res_model"], row["res_id"]) if row["res_model"] in db.tables \
            else None
    if model == "res.users" and name == "email_formatted":  # Odoo: formataddr((name, email)), False without one
        return lambda row: formataddr((row["name"] or "", row["email"])) if row["email"] else False
    if model == "ir.model.data" and name == "complete_name":
        return lambda row: f"{row['module']}.{row['name']}"
    if name == "id" or name in db.tables[model].template:
        return itemgetter(name)
    return lambda row: row.get(name)


def activity_state(db: SandboxDB, row: Mapping[str, Any]) -> str:
    if not row["active"] or row.get("date_done"):
        return "done"
    deadline = row["date_deadline"]
    today = db.today()
    if deadline is None or deadline > today:
        return "planned"
    return "today" if deadline == today else "overdue"


def display_getter(db: SandboxDB, model: str) -> Callable[[Mapping[str, Any]], Any]:
    if model == "res.partner":
        return lambda row: partner_display(db, row)
    if model == "account.move":
        return move_display
    if model == "account.account":
        return lambda row: f"{row['code']} {row['name']}"
    if model == "account.move.line":
        moves = db.tables["account.move"].rows
        return lambda row: " ".join(p for p in (
            move_display(moves[row["move_id"]]) if row["move_id"] in moves else "", row["name"] or "") if p)
    if model == "mail.activity":
        types = db.tables["mail.activity.type"].rows
        return lambda row: row["summary"] or (types[row["activity_type_id"]]["name"]
                                              if row["activity_type_id"] in types else "")
    if model == "mail.message":
        return lambda row: row["subject"] or f"{row['model'] or 'mail.message'}/{row['res_id'] or row['id']}"
    if model == "ir.model.data":
        return lambda row: f"{row['module']}.{row['name']}"
    rec_name = db.models[model].rec_name
    if rec_name and rec_name in db.models[model].fields:
        return itemgetter(rec_name)
    return lambda row: f"{model},{row['id']}"


def partner_display(db: SandboxDB, row: Mapping[str, Any]) -> str:
    """Odoo's `_get_complete_name`: a person under a company shows as "Company, Person"."""
    name = row["name"] or ""
    parent_id = row["parent_id"]
    if parent_id:
        if not name and row["type"] in _PARTNER_TYPES:
            name = _PARTNER_TYPES[row["type"]]
        if not row["is_company"]:
            partners = db.tables["res.partner"].rows
            commercial = partners.get(row["commercial_partner_id"])
            parent = partners.get(parent_id)
            company = commercial["name"] if commercial and commercial["is_company"] else None
            company = company or (parent["name"] if parent else "")
            name = f"{company}, {name}"
    return str(name).strip()


def on_create(db: SandboxDB, model: str, row: Row, vals: Mapping[str, Any], uid: int) -> None:
    now = db.now()
    if model == "res.partner":
        row["commercial_partner_id"] = commercial_of(db, row)
    elif model == "account.move":
        if row["partner_id"] and "commercial_partner_id" not in vals:
            partner = db.tables["res.partner"].rows.get(row["partner_id"])
            row["commercial_partner_id"] = partner["commercial_partner_id"] if partner else row["partner_id"]
        if row["amount_total"] is None:
            row["amount_total"] = Decimal("0.00")
        if row["amount_untaxed"] is None:
            row["amount_untaxed"] = row["amount_total"]
        if row["amount_tax"] is None:
            row["amount_tax"] = row["amount_total"] - row["amount_untaxed"]
        if row["amount_residual"] is None:
            row["amount_residual"] = row["amount_total"]
        if row["date"] is None:
            row["date"] = row["invoice_date"] or now.date()
        if row["company_id"] is None:
            row["company_id"] = 1
    elif model == "account.move.line":
        move = db.tables["account.move"].rows.get(row["move_id"])
        row["debit"] = row["debit"] or Decimal("0.00")
        row["credit"] = row["credit"] or Decimal("0.00")
        row["balance"] = row["debit"] - row["credit"]
        if move is not None:
            row["parent_state"] = move["state"]
            row["date"] = row["date"] or move["date"]
    elif model == "mail.message":
        row["date"] = row["date"] or now
        if row["author_id"] is None and "author_id" not in vals:
            user = db.tables["res.users"].rows.get(uid)
            row["author_id"] = user["partner_id"] if user else None
    elif model == "ir.attachment":
        raw = b64decode(row.get("datas") or "")
        row["file_size"] = len(raw)
        row["checksum"] = hashlib.sha1(raw).hexdigest()
        if row["mimetype"] is None:
            row["mimetype"] = mimetypes.guess_type(row["name"] or "")[0] or "application/octet-stream"
    elif model == "mail.activity":
        ir_model = db.tables["ir.model"]
        if row["res_model_id"] and row["res_model"] is None:
            target = ir_model.rows.get(row["res_model_id"])
            row["res_model"] = target["model"] if target else None
        elif row["res_model"] and row["res_model_id"] is None:
            row["res_model_id"] = IR_MODEL_IDS.get(row["res_model"])
        if row["res_model"] is None:
            raise OdooValueError("mail.activity needs res_model_id or res_model")
        row["user_id"] = row["user_id"] or uid
        row["activity_type_id"] = row["activity_type_id"] or 4
        row["date_deadline"] = row["date_deadline"] or now.date()


def after_create(db: SandboxDB, model: str, row: Row, uid: int, context: Mapping[str, Any]) -> None:
    if model == "mail.activity":
        target = db.tables.get(row["res_model"])
        if target is None or row["res_id"] not in target.rows:
            return
        # Odoo 17 always subscribes the assignee to the document ...
        user = db.tables["res.users"].rows.get(row["user_id"])
        if user is not None and user["partner_id"]:
            subscribe(db, row["res_model"], [row["res_id"]], [user["partner_id"]])
        # ... and, unless the context asks for a quick update, notifies the assignee, which moves the
        # document's write_date (sample 17; seen on a real Odoo 17).
        if not context.get("mail_activity_quick_update"):
            db.touch(row["res_model"], [row["res_id"]], uid=uid)


def subscribe(db: SandboxDB, model: str, res_ids: Iterable[int], partner_ids: Iterable[int]) -> None:
    """mail.thread's _message_subscribe: a mail.followers row per (record, partner) not following yet."""
    rows = db.tables["mail.followers"].rows.values()
    have = {(r["res_id"], r["partner_id"]) for r in rows if r["res_model"] == model}
    new = [{"res_model": model, "res_id": rid, "partner_id": pid}
           for rid in res_ids for pid in partner_ids if (rid, pid) not in have]
    if new:
        db.insert("mail.followers", new)


def on_write(db: SandboxDB, model: str, row: Row, changed: Row) -> None:
    if model == "res.partner" and ("parent_id" in changed or "is_company" in changed):
        row["commercial_partner_id"] = commercial_of(db, row)
        for child in db.tables["res.partner"].rows.values():
            if child["parent_id"] == row["id"]:
                child["commercial_partner_id"] = commercial_of(db, child)
    elif model == "account.move":
        if "partner_id" in changed and "commercial_partner_id" not in changed:
            partner = db.tables["res.partner"].rows.get(row["partner_id"])
            row["commercial_partner_id"] = partner["commercial_partner_id"] if partner else None
        if "state" in changed:
            for line in db.tables["account.move.line"].rows.values():
                if line["move_id"] == row["id"]:
                    line["parent_state"] = row["state"]
    elif model == "account.move.line" and ("debit" in changed or "credit" in changed):
        row["balance"] = (row["debit"] or Decimal(0)) - (row["credit"] or Decimal(0))


def commercial_of(db: SandboxDB, row: Mapping[str, Any]) -> int:
    partners = db.tables["res.partner"].rows
    current = row
    seen = {row.get("id")}
    while not current["is_company"] and current["parent_id"] and current["parent_id"] not in seen:
        parent = partners.get(current["parent_id"])
        if parent is None:
            break
        seen.add(parent["id"])
        current = parent
    return int(current["id"]) if current.get("id") is not None else int(db.tables["res.partner"].next_id)


def seed(db: SandboxDB) -> None:
    """ir.model rows, activity types, subtypes and the xml ids clients look up (sample 17)."""
    db.insert("ir.model", [
        {"id": mid, "model": name, "name": db.models[name].description}
        for name, mid in sorted(IR_MODEL_IDS.items(), key=lambda kv: kv[1]) if name in db.models
    ])
    db.insert("mail.activity.type", [
        {"id": 1, "name": "Email"}, {"id": 2, "name": "Call"}, {"id": 3, "name": "Meeting"},
        {"id": 4, "name": "To-Do"}, {"id": 5, "name": "Upload Document"},
    ])
    db.insert("mail.message.subtype", [
        {"id": 1, "name": "Discussions"}, {"id": 2, "name": "Note", "internal": True},
        {"id": 3, "name": "Activities"},
    ])
    db.insert("ir.model.data", [
        {"id": 8301, "module": "mail", "name": "mt_comment", "model": "mail.message.subtype", "res_id": 1},
        {"id": 8302, "module": "mail", "name": "mt_note", "model": "mail.message.subtype", "res_id": 2},
        {"id": 8303, "module": "mail", "name": "mt_activities", "model": "mail.message.subtype", "res_id": 3},
        {"id": 8304, "module": "mail", "name": "mail_activity_data_email", "model": "mail.activity.type",
         "res_id": 1},
        {"id": 8305, "module": "mail", "name": "mail_activity_data_call", "model": "mail.activity.type",
         "res_id": 2},
        {"id": 8306, "module": "mail", "name": "mail_activity_data_meeting", "model": "mail.activity.type",
         "res_id": 3},
        {"id": 8307, "module": "mail", "name": "mail_activity_data_todo", "model": "mail.activity.type",
         "res_id": 4},
        {"id": 8308, "module": "mail", "name": "mail_activity_data_upload_document",
         "model": "mail.activity.type", "res_id": 5},
    ])
    db.sequences["mail.message"] = 40000
    db.tables["mail.message"].next_id = 40001
    db.tables["ir.attachment"].next_id = 701


def move_display(row: Mapping[str, Any]) -> str:
    """Odoo's `_get_move_display_name`: drafts show as "Draft Invoice (* 42)"."""
    prefix = ""
    if row["state"] == "draft":
        prefix = {
            "out_invoice": "Draft Invoice", "out_refund": "Draft Credit Note", "in_invoice": "Draft Bill",
            "in_refund": "Draft Vendor Credit Note", "out_receipt": "Draft Sales Receipt",
            "in_receipt": "Draft Purchase Receipt", "entry": "Draft Entry",
        }.get(row["move_type"], "Draft") + " "
    name = row["name"]
    return prefix + (f"(* {row['id']})" if not name or name == "/" else name)


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        raise OdooValueError("Incorrect padding") from None
