"""Per-matter flags read from the firm's own fields on Odoo's invoices ([odoo] matter_flag_fields) in the same
batched sync, over real HTTP to the sandbox; a value set on the desk wins over Odoo's and says so."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.sandbox.generator import SANDBOX_PASSWORD
from overdue_reminder.sandbox.harness import RunningSandbox as Sandbox
from overdue_reminder.sandbox.simulate import advance_clock
from overdue_reminder.services import matters as service
from overdue_reminder.services.sync import sync
from overdue_reminder.sources.odoo import OdooSource
from overdue_reminder.store import Store
from overdue_reminder.store.schema import invoices

CLERK = Actor("clerk", Role.STAFF, "os-user:clerk")


def test_matter_flags_come_from_odoo_fields_and_a_desk_value_wins(store: Store, sandbox: Sandbox) -> None:
    # The sandbox has no custom x_ fields: its free-text payment_reference stands in for a firm's x_interest_rate.
    settings = sandbox.odoo_settings(matter_flag_fields={"interest_rate": "payment_reference"})
    sync(store, OdooSource(settings, SANDBOX_PASSWORD, trust_account_code="2150"))
    with store.begin() as conn:
        inv_id, client_id, ref = conn.execute(select(invoices.c.id, invoices.c.client_id, invoices.c.matter_ref).where(
            invoices.c.is_open.is_(True), invoices.c.matter_ref != "").order_by(invoices.c.id)).first()
    others = [i for i in sandbox.db.search("account.move", [("invoice_origin", "=", ref)]) if i != inv_id]
    advance_clock(sandbox.db, 0, minutes=5)
    sandbox.db.write("account.move", [inv_id, *others], {"payment_reference": "7.5"})
    sync(store, OdooSource(settings, SANDBOX_PASSWORD, trust_account_code="2150"))
    found = [m for m in service.list_matters(store, client_id) if m.reference == ref]
    assert len(found) == 1
    r = found[0].flags["interest_rate"]
    assert (r.value, r.source) == (Decimal("7.5"), "odoo")
    service.set_flags(store, str(found[0].id), {"interest_allowed": True, "interest_rate": Decimal(6)}, CLERK,
                      now=datetime.now(UTC))
    advance_clock(sandbox.db, 0, minutes=5)
    sandbox.db.write("account.move", [inv_id, *others], {"payment_reference": "8"})
    sync(store, OdooSource(settings, SANDBOX_PASSWORD, trust_account_code="2150"))
    r = service.show(store, str(found[0].id)).flags["interest_rate"]
    assert r.value == Decimal(6) and r.source == "local" and r.odoo_value == Decimal(8)
    assert "wins over Odoo's 8" in r.source_text()

