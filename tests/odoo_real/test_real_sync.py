"""Full and incremental sync from a real Odoo 17, compared field by field with what the seeder wrote."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from odoo_real_kit import Protocol, source

from overdue_reminder.model import Invoice
from overdue_reminder.sandbox.odoo_seed import OdooSeeder, Seeded, SeededInvoice
from overdue_reminder.services.sync import sync
from overdue_reminder.store import Store, ledger

PROTOCOLS = ["jsonrpc", "xmlrpc"]


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    s.upgrade()
    yield s
    s.dispose()


def _expected(t: SeededInvoice) -> dict[str, Any]:
    return {"name": t.name, "kind": "credit_note" if t.move_type == "out_refund" else "invoice",
            "client_id": t.client_id, "contact_id": t.contact_id, "attorney_id": t.attorney_id,
            "matter_ref": t.matter_ref, "currency": t.currency, "amount_total": Decimal(t.amount_total),
            "amount_residual": Decimal(t.amount_residual), "invoice_date": t.invoice_date, "due_date": t.due_date,
            "payment_state": t.payment_state, "is_open": t.is_open}


def _actual(i: Invoice) -> dict[str, Any]:
    return {"name": i.name, "kind": i.kind.value, "client_id": i.client_id, "contact_id": i.contact_id,
            "attorney_id": i.attorney_id, "matter_ref": i.matter_ref, "currency": i.currency,
            "amount_total": i.amount_total, "amount_residual": i.amount_residual,
            "invoice_date": i.invoice_date.isoformat() if i.invoice_date else None,
            "due_date": i.due_date.isoformat(), "payment_state": i.payment_state, "is_open": i.is_open}


def compare(store: Store, truth: list[SeededInvoice]) -> tuple[int, list[str]]:
    """(fields compared, discrepancies) between the ledger and the seeder's ground truth."""
    with store.begin() as conn:
        local = {i.id: i for i in ledger.load_invoices(conn, [t.id for t in truth])}
    compared, bad = 0, []
    for t in truth:
        got = local.get(t.id)
        if got is None:
            if t.is_open:
                bad.append(f"{t.name}: open in Odoo, missing from the ledger")
            continue
        want, have = _expected(t), _actual(got)
        for key, value in want.items():
            compared += 1
            if have[key] != value:
                bad.append(f"{t.name}.{key}: ledger {have[key]!r}, seeded {value!r}")
    return compared, bad


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_full_sync_matches_what_the_seeder_wrote(store: Store, seeded: Seeded, protocol: Protocol) -> None:
    report = sync(store, source(protocol))
    assert report.kind == "full" and not report.skipped
    compared, bad = compare(store, list(seeded.invoices.values()))
    assert bad == [] and compared >= 13 * len(seeded.open_invoices())
    with store.begin() as conn:
        open_ids = {i.id for i in ledger.load_open_invoices(conn)}
        partners = ledger.load_partners(conn, list(seeded.clients))
        trust = {(t.client_id, t.currency): t.amount for t in ledger.load_trust_balances(conn)}
    assert {t.id for t in seeded.open_invoices()} <= open_ids
    for c in seeded.clients.values():  # names, languages (en_US and zh_CN) and emails as written
        p = partners[c.id]
        assert (p.name, p.lang, p.email, p.is_company) == (c.name, c.lang, c.email, c.is_company)
    assert any(c.lang == "zh_CN" for c in seeded.clients.values())
    for client_id, held in seeded.trust.items():
        assert trust[(client_id, "USD")] == Decimal(held)
    assert {cur for (_c, cur) in trust} == {"USD"} and {i.currency for i in seeded.open_invoices()} == {
        "USD", "EUR", "CNY"}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_incremental_sync_follows_payments_credit_notes_and_cancellations(
        store: Store, seeded: Seeded, seeder: OdooSeeder, protocol: Protocol) -> None:
    client = seeder.company(seeded)
    paid, partial, credited, cancelled = (seeder.invoice(seeded, client, Decimal(a), days_late=d, currency=c)
                                          for a, d, c in (("1200.00", 40, "USD"), ("900.00", 70, "EUR"),
                                                          ("4000.00", 100, "CNY"), ("300.00", 15, "USD")))
    sync(store, source(protocol))
    compared, bad = compare(store, [paid, partial, credited, cancelled])
    assert bad == [] and compared == 4 * 13
    seeder.pay_full(seeded, [paid])
    seeder.pay_partial(seeded, partial, Decimal("250.00"))
    refund = seeder.apply_credit_note(seeded, credited, Decimal("1000.00"))
    seeder.cancel(cancelled)
    fresh = seeder.invoice(seeded, client, Decimal("75.50"), days_late=5)
    report = sync(store, source(protocol))
    assert report.kind == "incremental"
    assert (report.new, report.changed, report.closed) == (1, 2, 2)
    compared, bad = compare(store, [paid, partial, credited, cancelled, fresh, refund])
    assert bad == [], bad
    with store.begin() as conn:
        local = {i.id: i for i in ledger.load_invoices(conn, [paid.id, partial.id, credited.id, cancelled.id])}
    assert not local[paid.id].is_open and not local[cancelled.id].is_open
    assert local[partial.id].amount_residual == Decimal("650.00")
    assert local[credited.id].amount_residual == Decimal("3000.00")
    src = source(protocol)
    quiet = sync(store, src)  # nothing new: the look-back window costs a light read, nothing is read whole
    assert (quiet.new, quiet.changed, quiet.closed) == (0, 0, 0)
    assert src.client.calls["account.move.read"] == 0
    assert quiet.rpc_calls <= 8
