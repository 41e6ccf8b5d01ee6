"""A full sync cut off at every page boundary, a payment in between, then resumed: the store equals Odoo.

The cut is a real fault on the wire (the sandbox answers the next page with garbage); the payments are
real sandbox payments (one in full, one in part) on invoices the cut-off pass had already stored.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from overdue_reminder.errors import TransientSourceError
from overdue_reminder.sandbox.generator import SANDBOX_PASSWORD
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.sandbox.simulate import advance_clock, pay_invoice
from overdue_reminder.services.sync import sync
from overdue_reminder.sources.odoo import OdooSource
from overdue_reminder.store import Store, ledger

BATCH = 40


def _source(sb: RunningSandbox, **changes: Any) -> OdooSource:
    return OdooSource(sb.odoo_settings(batch_size=BATCH, **changes), SANDBOX_PASSWORD, trust_account_code="2150")


OPEN_SET = [("move_type", "in", ["out_invoice", "out_refund"]), ("state", "=", "posted"),
            ("payment_state", "in", ["not_paid", "partial"])]


def _odoo_open(sb: RunningSandbox) -> dict[int, Decimal]:
    ids = sb.db.search("account.move", OPEN_SET)
    return {r["id"]: r["amount_residual"] for r in sb.db.read("account.move", ids, ["amount_residual"])
            if r["amount_residual"] > 0}


def _store_open(store: Store) -> dict[int, Decimal]:
    with store.begin() as conn:
        return {i.id: i.amount_residual for i in ledger.load_open_invoices(conn)}


def test_cut_at_every_page_boundary_across_a_payment_ends_equal_to_odoo(tmp_path: Path,
                                                                        sandbox: RunningSandbox) -> None:
    requests = len(sandbox.db.search("account.move", OPEN_SET)) // BATCH + 1  # the last one is short
    assert requests >= 4
    for cut in range(1, requests):  # the cut falls between page `cut` and the next
        store = Store(f"sqlite:///{tmp_path / f'cut{cut}.db'}")
        store.upgrade()
        sandbox.server.faults.garbage("html", nth=cut + 1, count=None, model="account.move", method="search_read")
        with pytest.raises(TransientSourceError):
            sync(store, _source(sandbox, retries=1))
        sandbox.server.faults.clear()
        stored = _store_open(store)
        assert len(stored) >= (cut * BATCH) * 0.8  # the pages before the cut were committed
        # meanwhile in Odoo: a stored invoice is paid in full, another in part
        advance_clock(sandbox.db, hours=1)
        full, part = sorted(stored)[cut % 5], sorted(stored)[-1 - cut % 7]
        pay_invoice(sandbox.db, full, stored[full])
        pay_invoice(sandbox.db, part, Decimal("1.00"))
        resumed = sync(store, _source(sandbox))
        assert resumed.kind == "full"
        skipped = {int(s.record_id) for s in resumed.skipped if s.model == "account.move"}
        odoo = {i: r for i, r in _odoo_open(sandbox).items() if i not in skipped}
        assert _store_open(store) == odoo, f"cut after page {cut}"
        assert full not in _store_open(store)
        again = sync(store, _source(sandbox))  # and the incremental pass after it agrees too
        assert again.kind == "incremental" and _store_open(store) == odoo
        store.dispose()
