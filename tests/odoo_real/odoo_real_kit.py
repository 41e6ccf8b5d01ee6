"""Helpers for the real-Odoo suite: settings for the running server, and snapshots of what a write-back touched."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from overdue_reminder.config import OdooSettings
from overdue_reminder.resources import example_config
from overdue_reminder.sandbox.odoo_seed import OdooRpc
from overdue_reminder.services.letter_enclosures import write_sample_forms
from overdue_reminder.sources.odoo import INVOICE_FIELDS, OdooSource

Protocol = Literal["jsonrpc", "xmlrpc"]


def odoo_settings(protocol: Protocol = "jsonrpc", **changes: Any) -> OdooSettings:
    base = OdooSettings(host=os.environ["ODOO_HOST"], port=int(os.environ["ODOO_PORT"]), protocol=protocol,
                        database=os.environ["ODOO_DB"], login=os.environ["ODOO_LOGIN"], timeout_seconds=120.0,
                        retries=0, trust_account_code="2150", lookback_seconds=600)
    return replace(base, **changes)


def source(protocol: Protocol = "jsonrpc", password: str = "", **changes: Any) -> OdooSource:
    s = odoo_settings(protocol, **changes)
    return OdooSource(s, password or os.environ["ODOO_PASSWORD"], trust_account_code=s.trust_account_code)


def firm_config(tmp_path: Path, *, login: str = "", trust: str = "2150") -> Path:
    """The files `init` writes (the configuration and the sample forms it names), pointed at the running Odoo
    (as a firm would edit it)."""
    text = example_config()
    text = text.replace('host = "127.0.0.1"', f'host = "{os.environ["ODOO_HOST"]}"', 1)
    text = text.replace("port = 8069", f"port = {os.environ['ODOO_PORT']}", 1)
    text = text.replace('database = "lawfirm"', f'database = "{os.environ["ODOO_DB"]}"', 1)
    text = text.replace('login = "billing@harperlowe.example"', f'login = "{login or os.environ["ODOO_LOGIN"]}"', 1)
    text = text.replace('trust_account_code = "2150"', f'trust_account_code = "{trust}"', 1)
    path = tmp_path / "overdue-reminder.toml"
    if not (tmp_path / "forms").exists():
        write_sample_forms(tmp_path / "forms")
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


BUSINESS = [f for f in INVOICE_FIELDS if f != "write_date"]


@dataclass
class Snapshot:
    """What a write-back must leave alone: queued emails, followers, invoice fields, write_dates."""

    mails: set[int]
    followers: dict[tuple[str, int], set[int]]
    invoices: dict[int, dict[str, Any]]
    partners: dict[int, str]
    messages: dict[tuple[str, int], set[int]]


def snapshot(admin: OdooRpc, invoice_ids: list[int], partner_ids: list[int]) -> Snapshot:
    mails = {int(r["id"]) for r in admin.execute("mail.mail", "search_read", [], fields=["id"])}
    followers: dict[tuple[str, int], set[int]] = {}
    messages: dict[tuple[str, int], set[int]] = {}
    for model, ids in (("account.move", invoice_ids), ("res.partner", partner_ids)):
        for rid in ids:
            followers[(model, rid)] = set()
            messages[(model, rid)] = set()
        for row in admin.execute("mail.followers", "search_read", [("res_model", "=", model), ("res_id", "in", ids)],
                                 fields=["res_id", "partner_id"]):
            followers[(model, int(row["res_id"]))].add(int(row["partner_id"][0]))
        for row in admin.execute("mail.message", "search_read", [("model", "=", model), ("res_id", "in", ids)],
                                 fields=["res_id"]):
            messages[(model, int(row["res_id"]))].add(int(row["id"]))
    invoices = {int(r["id"]): r for r in admin.execute("account.move", "read", invoice_ids, fields=INVOICE_FIELDS)}
    partners = {int(r["id"]): r["write_date"] for r in admin.execute("res.partner", "read", partner_ids,
                                                                        fields=["write_date"])}
    return Snapshot(mails, followers, invoices, partners, messages)


def new_messages(before: Snapshot, after: Snapshot) -> dict[tuple[str, int], set[int]]:
    return {k: after.messages[k] - before.messages.get(k, set()) for k in after.messages
            if after.messages[k] - before.messages.get(k, set())}
