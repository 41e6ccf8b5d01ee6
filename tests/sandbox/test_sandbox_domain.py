"""Odoo domain semantics and errors, on a tiny hand-made database (no HTTP)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from overdue_reminder.sandbox import Clock, OdooValueError, SandboxDB
from overdue_reminder.sandbox.domain import and_domains, normalize


@pytest.fixture
def db() -> SandboxDB:
    db = SandboxDB(clock=Clock(datetime(2026, 11, 28, 9), frozen=True))
    db.insert("res.currency", [{"id": 1, "name": "USD", "symbol": "$", "decimal_places": 2}])
    acme = db.create("res.partner", {"name": "Acme Corp", "is_company": True, "email": "ap@acme.example"})
    bob = db.create("res.partner", {"name": "Bob Jones", "parent_id": acme, "type": "invoice", "email": False})
    solo = db.create("res.partner", {"name": "Solo Práctica", "email": "solo@x.example", "lang": "zh_CN"})
    db.create("res.partner", {"name": "Old Client", "active": False})
    base = {"move_type": "out_invoice", "state": "posted", "currency_id": 1}
    db.create("account.move", {**base, "name": "INV/2026/00001", "partner_id": bob, "amount_total": 100,
                               "amount_residual": 100, "invoice_date_due": "2026-10-01",
                               "invoice_origin": "M-2026-0001"})
    db.create("account.move", {**base, "name": "INV/2026/00002", "partner_id": acme, "amount_total": 250.5,
                               "amount_residual": 0, "payment_state": "paid", "invoice_date_due": "2026-11-01",
                               "ref": "PO-1"})
    db.create("account.move", {**base, "name": "/", "state": "draft", "partner_id": solo, "amount_total": 50})
    db.create("account.move", {**base, "name": "RINV/2026/00001", "move_type": "out_refund", "partner_id": acme,
                               "amount_total": 20, "invoice_date_due": "2026-11-20", "ref": "po-2"})
    db.create("account.move", {**base, "name": "INV/2026/00003", "state": "cancel", "amount_total": 10,
                               "invoice_date_due": "2026-12-01"})
    return db


def ids(db: SandboxDB, domain: Any, model: str = "account.move", **kw: Any) -> list[int]:
    return db.search(model, domain, order="id", **kw)


@pytest.mark.parametrize(("domain", "expected"), [
    ([("state", "=", "posted")], [1, 2, 4]),
    ([("state", "!=", "posted")], [3, 5]),
    ([("ref", "=", False)], [1, 3, 5]),
    ([("ref", "!=", False)], [2, 4]),
    ([("ref", "!=", "PO-1")], [1, 3, 4, 5]),  # != includes empty values, as Odoo's SQL does
    ([("ref", "like", "PO")], [2]),
    ([("ref", "ilike", "po")], [2, 4]),
    ([("ref", "not ilike", "po-1")], [1, 3, 4, 5]),
    ([("ref", "not like", "PO")], [1, 3, 4, 5]),
    ([("name", "=like", "INV/2026/0000_")], [1, 2, 5]),
    ([("name", "=like", "inv%")], []),
    ([("name", "=ilike", "inv%")], [1, 2, 5]),
    ([("name", "ilike", "")], [1, 2, 3, 4, 5]),
    ([("state", "in", ["draft", "cancel"])], [3, 5]),
    ([("state", "not in", ["draft", "cancel"])], [1, 2, 4]),
    ([("ref", "in", ["PO-1", False])], [1, 2, 3, 5]),
    ([("ref", "not in", ["PO-1"])], [1, 3, 4, 5]),
    ([("ref", "not in", ["PO-1", False])], [4]),
    ([("invoice_date_due", "<", "2026-11-01")], [1]),
    ([("invoice_date_due", "<=", "2026-11-01")], [1, 2]),
    ([("invoice_date_due", ">", "2026-11-01")], [4, 5]),
    ([("invoice_date_due", ">=", "2026-11-20")], [4, 5]),
    ([("invoice_date_due", "=", False)], [3]),
    ([("invoice_date_due", "<", False)], []),
    ([("amount_residual", ">", 0)], [1, 3, 4, 5]),
    ([("amount_total", "=", 250.5)], [2]),
    ([("amount_total", ">=", 100.0), ("amount_total", "<", 250.5)], [1]),
    ([("ref", "=?", False)], [1, 2, 3, 4, 5]),
    ([("ref", "=?", "PO-1")], [2]),
    ([("id", ">", 2)], [3, 4, 5]),
    ([("id", "in", [5, 1, 99])], [1, 5]),
    ([(1, "=", 1)], [1, 2, 3, 4, 5]),
    ([(0, "=", 1)], []),
    ([("state", "<>", "posted")], [3, 5]),
])
def test_operators(db: SandboxDB, domain: list[Any], expected: list[int]) -> None:
    assert ids(db, domain) == expected


@pytest.mark.parametrize(("domain", "expected"), [
    (["|", ("state", "=", "draft"), ("state", "=", "cancel")], [3, 5]),
    (["!", ("state", "=", "posted")], [3, 5]),
    (["&", ("state", "=", "posted"), ("move_type", "=", "out_refund")], [4]),
    ([("state", "=", "posted"), ("move_type", "=", "out_invoice")], [1, 2]),  # implicit '&'
    (["|", "&", ("state", "=", "posted"), ("ref", "=", "PO-1"), ("state", "=", "cancel")], [2, 5]),
    (["!", "|", ("state", "=", "posted"), ("state", "=", "draft")], [5]),
    ([("move_type", "=", "out_invoice"), "|", ("ref", "!=", False), ("invoice_origin", "!=", False)], [1, 2]),
    (["!", ("ref", "ilike", "po")], [1, 3, 5]),  # negation keeps empty values, like distribute_not
])
def test_prefix_operators(db: SandboxDB, domain: list[Any], expected: list[int]) -> None:
    assert ids(db, domain) == expected


def test_many2one_by_id_name_and_empty(db: SandboxDB) -> None:
    assert ids(db, [("partner_id", "=", 1)]) == [2, 4]
    assert ids(db, [("partner_id", "in", [1, 2])]) == [1, 2, 4]
    assert ids(db, [("partner_id", "=", False)]) == [5]
    assert ids(db, [("partner_id", "!=", False)]) == [1, 2, 3, 4]
    # a string is matched against the related display name: "Acme Corp, Bob Jones" contains "acme"
    assert ids(db, [("partner_id", "ilike", "acme")]) == [1, 2, 4]
    assert ids(db, [("partner_id", "=", "Acme Corp")]) == [2, 4]
    assert ids(db, [("partner_id", "not ilike", "acme")]) == [3, 5]
    assert ids(db, [("partner_id", "child_of", 1)]) == [1, 2, 4]
    assert ids(db, [("commercial_partner_id", "=", 1)]) == [1, 2, 4]


def test_dotted_paths_and_any(db: SandboxDB) -> None:
    assert ids(db, [("partner_id.lang", "=", "zh_CN")]) == [3]
    assert ids(db, [("partner_id.email", "=", False)]) == [1]
    assert ids(db, [("commercial_partner_id.name", "=", "Acme Corp")]) == [1, 2, 4]
    assert ids(db, [("partner_id", "any", [("email", "ilike", "example")])]) == [2, 3, 4]
    with pytest.raises(OdooValueError, match=r"Invalid field res.partner.nope in leaf"):
        ids(db, [("partner_id.nope", "=", 1)])


def test_active_test_and_booleans(db: SandboxDB) -> None:
    assert ids(db, [], "res.partner") == [1, 2, 3]
    assert ids(db, [], "res.partner", active_test=False) == [1, 2, 3, 4]
    assert ids(db, [("active", "=", False)], "res.partner") == [4]
    assert ids(db, [("is_company", "=", False)], "res.partner") == [2, 3]
    assert ids(db, [("is_company", "!=", False)], "res.partner") == [1]
    assert ids(db, [("id", "child_of", 1)], "res.partner") == [1, 2]
    assert ids(db, [("id", "parent_of", 2)], "res.partner") == [1, 2]


def test_datetime_widening_of_bare_dates(db: SandboxDB) -> None:
    assert len(ids(db, [("write_date", ">=", "2026-11-28")])) == 5
    assert len(ids(db, [("write_date", "<=", "2026-11-28")])) == 5  # widened to 23:59:59
    assert ids(db, [("write_date", ">", "2026-11-28")]) == []
    assert len(ids(db, [("write_date", "=", "2026-11-28 09:00:00")])) == 5


def test_many2many(db: SandboxDB) -> None:
    db.create("account.payment", {"name": "P1", "date": "2026-11-02", "reconciled_invoice_ids": [1, 2]})
    db.create("account.payment", {"name": "P2", "date": "2026-11-02"})
    assert ids(db, [("reconciled_invoice_ids", "in", [2])], "account.payment") == [1]
    assert ids(db, [("reconciled_invoice_ids", "=", False)], "account.payment") == [2]
    assert ids(db, [("reconciled_invoice_ids", "not in", [2])], "account.payment") == [2]


@pytest.mark.parametrize(("domain", "message"), [
    ([("state", "posted")], "not enough values to unpack (expected 3, got 2)"),
    ([("state", "=", "posted", 1)], "too many values to unpack (expected 3)"),
    ([("state", "~=", "posted")], "Invalid leaf ('state', '~=', 'posted')"),
    (["|", ("state", "=", "posted")], "Domain ['|', ('state', '=', 'posted')] is syntactically not correct."),
    (["|", ["state", "=", "posted"]], "Domain ['|', ['state', '=', 'posted']] is syntactically not correct."),
    ([("no_such_field", "=", 1)], "Invalid field account.move.no_such_field in leaf ('no_such_field', '=', 1)"),
    ([("no_such_field", "~=", 1)], "Invalid field account.move.no_such_field in leaf ('no_such_field', '~=', 1)"),
])
def test_malformed_domains_fail_like_odoo(db: SandboxDB, domain: list[Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        ids(db, domain)
    assert str(info.value) == message


def test_order_errors_and_normalize() -> None:
    db = SandboxDB()
    with pytest.raises(ValueError, match="Invalid \"order\" specified"):
        db.search("account.move", [], order="id; drop table")
    with pytest.raises(ValueError, match=r"Invalid field 'nope' on model 'account\.move'"):
        db.search("account.move", [], order="nope desc")
    assert normalize([("a", "=", 1), ("b", "=", 2)]) == ["&", ("a", "=", 1), ("b", "=", 2)]
    assert normalize([]) == [(1, "=", 1)]
    assert and_domains([("partner_id", "=", 7)], [("x", "=", 1), ("y", "=", 2)]) == [
        "&", ("partner_id", "=", 7), "&", ("x", "=", 1), ("y", "=", 2)]
    with pytest.raises(AssertionError):
        db.search("account.move", "not a domain")
