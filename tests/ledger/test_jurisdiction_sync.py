"""The matter's jurisdiction from Odoo: `odoo.jurisdiction_field` is read in the same batched invoice reads (no
extra call per invoice), stored on each invoice, and checked by `config check` against Odoo's fields."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from overdue_reminder.errors import ConfigError
from overdue_reminder.model import Invoice
from overdue_reminder.sandbox.generator import SANDBOX_PASSWORD
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.services.sync import sync
from overdue_reminder.sources.odoo import OdooSource, jurisdiction_code, parse_invoice
from overdue_reminder.store import Store
from overdue_reminder.store.schema import invoices


def test_a_code_as_odoo_holds_it() -> None:
    assert jurisdiction_code("ny") == "NY" and jurisdiction_code([3, "CA"]) == "CA"
    assert jurisdiction_code(False) == "" and jurisdiction_code("New York!") == ""
    rec = {"id": 1, "name": "INV/1", "partner_id": [5, "A"], "currency_id": [1, "USD"], "amount_total": 10.0,
           "amount_residual": 10.0, "invoice_date_due": "2026-01-01", "move_type": "out_invoice",
           "state": "posted", "payment_state": "not_paid", "x_jurisdiction": "nj"}
    parsed = parse_invoice(rec, ["ref"], jurisdiction_field="x_jurisdiction")
    plain = parse_invoice(rec, ["ref"])
    assert isinstance(parsed, Invoice) and isinstance(plain, Invoice)
    assert parsed.jurisdiction == "NJ" and plain.jurisdiction == ""


def test_the_field_is_synced_in_the_batched_reads(sandbox: RunningSandbox, sqlite_store: Store) -> None:
    ids = sandbox.db.search("account.move", [("move_type", "=", "out_invoice"), ("state", "=", "posted"),
                                             ("payment_state", "in", ["not_paid", "partial"])])
    sandbox.db.write("account.move", ids[:2], {"ref": "CA"})
    src = OdooSource(sandbox.odoo_settings(jurisdiction_field="ref", matter_fields=["invoice_origin"]),
                     SANDBOX_PASSWORD)
    assert "ref" in src.invoice_fields
    sync(sqlite_store, src)
    with sqlite_store.begin() as conn:
        rows = conn.execute(select(invoices.c.id, invoices.c.jurisdiction).where(invoices.c.id.in_(ids[:3])))
        got = {r.id: r.jurisdiction for r in rows}
    assert got[ids[0]] == got[ids[1]] == "CA" and got.get(ids[2], "") != "CA"
    OdooSource(sandbox.odoo_settings(jurisdiction_field="ref"), SANDBOX_PASSWORD).check()  # a field Odoo has
    OdooSource(sandbox.odoo_settings(jurisdiction_field="ref"), SANDBOX_PASSWORD).check()  # a field Odoo has


def test_config_check_refuses_a_field_odoo_does_not_have(sandbox: RunningSandbox) -> None:
    src = OdooSource(sandbox.odoo_settings(jurisdiction_field="x_jurisdiction"), SANDBOX_PASSWORD)
    with pytest.raises(ConfigError, match=r"no field 'x_jurisdiction'"):
        src.check()
