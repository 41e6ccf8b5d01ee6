"""The in-memory store: keyset pages cost O(limit), orders, offsets, write_date upkeep, threads."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sandbox_firm import Firm

from overdue_reminder.sandbox import Clock, MissingError, OdooValueError, SandboxDB, advance_clock

OPEN_PAST_DUE = [("move_type", "=", "out_invoice"), ("state", "=", "posted"),
                 ("payment_state", "in", ["not_paid", "partial"]), ("invoice_date_due", "<", "2026-11-28")]


def test_keyset_page_on_id_costs_o_limit(shared_firm: Firm) -> None:
    db = shared_firm.db
    all_ids = db.search("account.move", [], order="id")
    start = all_ids[len(all_ids) // 2]
    db.stats.reset()
    page = db.search("account.move", [("id", ">", start)], order="id", limit=100)
    assert page == [i for i in all_ids if i > start][:100]
    assert db.stats.scanned == 100  # bisected to the start, stopped at the limit
    db.stats.reset()
    page = db.search("account.move", [*OPEN_PAST_DUE, ("id", ">", start)], order="id asc", limit=50)
    assert len(page) == 50 and page == sorted(page) and page[0] > start
    assert db.stats.scanned < 400  # about one in three rows matches: O(limit), not O(table)


def test_keyset_pages_cover_everything_once(shared_firm: Firm) -> None:
    db = shared_firm.db
    expected = db.search("account.move", OPEN_PAST_DUE, order="id")
    seen: list[int] = []
    last = 0
    while page := db.search("account.move", [*OPEN_PAST_DUE, ("id", ">", last)], order="id", limit=97):
        seen += page
        last = page[-1]
    assert seen == expected
    assert db.search_count("account.move", OPEN_PAST_DUE) == len(expected)


def test_write_date_order_uses_the_index(shared_firm: Firm) -> None:
    db = shared_firm.db
    rows = db.table("account.move").rows
    everything = sorted(rows.values(), key=lambda r: (r["write_date"], r["id"]))
    since = everything[len(everything) // 2]["write_date"]
    db.stats.reset()
    for order in ("write_date asc, id asc", "write_date, id", "write_date"):
        page = db.search("account.move", [("write_date", ">=", since)], order=order, limit=20)
        assert page == [r["id"] for r in everything if r["write_date"] >= since][:20]
    assert db.stats.scanned == 60
    newest = db.search("account.move", [], order="write_date desc, id desc", limit=3)
    assert newest == [r["id"] for r in reversed(everything)][:3]


def test_batch_write_date_shares_one_second(shared_firm: Firm) -> None:
    """A cron rewrote 3% of posted invoices in the same second: `write_date >` alone would skip them."""
    db, summary = shared_firm.db, shared_firm.summary
    same = db.search("account.move", [("write_date", "=", summary.batch_write_date)])
    assert len(same) >= 50


def test_orders_offset_and_limit(shared_firm: Firm) -> None:
    db = shared_firm.db
    rows = db.table("account.move").rows
    by_due = db.search("account.move", [("move_type", "=", "out_invoice")], order="invoice_date_due desc, id")
    dues = [rows[i]["invoice_date_due"] for i in by_due]
    assert dues[0] is None  # Postgres: NULLS FIRST when descending
    rest = [d for d in dues if d is not None]
    assert rest == sorted(rest, reverse=True)
    full = db.search("account.move", [], order="amount_total desc, id")
    assert db.search("account.move", [], order="amount_total desc, id", offset=10, limit=5) == full[10:15]
    assert db.search("account.move", [], order="id desc", limit=3) == sorted(rows, reverse=True)[:3]
    default = db.search("account.move", [], limit=5)  # Odoo's _order: date desc, name desc, id desc
    assert [rows[i]["date"] for i in default] == sorted((rows[i]["date"] for i in default), reverse=True)
    partners = db.search("res.partner", [("parent_id", "!=", False)], order="parent_id, id", limit=10)
    assert len(partners) == 10


def test_write_moves_write_date_and_index() -> None:
    clock = Clock(datetime(2026, 11, 28, 9), frozen=True)
    db = SandboxDB(clock=clock)
    pid = db.create("res.partner", {"name": "A"})
    other = db.create("res.partner", {"name": "B"})
    advance_clock(db, days=1, hours=2)
    db.write("res.partner", [pid], {"email": "a@example.com"})
    assert db.row("res.partner", pid)["write_date"] == datetime(2026, 11, 29, 11)  # type: ignore[index]
    assert db.search("res.partner", [], order="write_date desc, id desc") == [pid, other]
    db.write("res.partner", [other], {"phone": "1"}, touch=False)
    assert db.search("res.partner", [("write_date", ">", "2026-11-28 09:00:00")]) == [pid]
    db.unlink("res.partner", [pid])
    assert db.search("res.partner", [], order="write_date") == [other]
    with pytest.raises(MissingError, match=r"Record does not exist or has been deleted"):
        db.write("res.partner", [pid], {"name": "gone"})


def test_values_are_python_types_and_validated() -> None:
    db = SandboxDB(clock=Clock(datetime(2026, 1, 2, 3, 4, 5), frozen=True))
    mid = db.create("account.move", {"name": "X", "amount_total": 12.345, "invoice_date": "2026-01-02",
                                     "currency_id": 1})
    row = db.get("account.move", mid)
    assert row is not None
    assert row["amount_total"] == Decimal("12.35") and isinstance(row["amount_residual"], Decimal)
    assert row["invoice_date"] == date(2026, 1, 2) and row["write_date"] == datetime(2026, 1, 2, 3, 4, 5)
    assert row["partner_id"] is None and row["display_name"] == "Draft Entry X"
    with pytest.raises(OdooValueError, match=r"Invalid field 'nope' on model 'account\.move'"):
        db.create("account.move", {"nope": 1})
    with pytest.raises(OdooValueError, match=r"Wrong value for account\.move\.state: 'weird'"):
        db.write("account.move", [mid], {"state": "weird"})
    assert db.read("account.move", [mid, 999], ["name"]) == [{"id": mid, "name": "X"}]


def test_concurrent_writers_and_readers_keep_indexes_consistent() -> None:
    db = SandboxDB()
    ids = [db.create("res.partner", {"name": f"P{i}"}) for i in range(200)]
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for n, pid in enumerate(ids[offset::4]):
                db.clock.advance(timedelta(seconds=1))
                db.write("res.partner", [pid], {"ref": f"w{offset}-{n}"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(50):
                assert len(db.search("res.partner", [], order="write_date, id")) == 200
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)] + [threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    table = db.table("res.partner")
    assert table.wd_index == sorted((r["write_date"], r["id"]) for r in table.rows.values())
