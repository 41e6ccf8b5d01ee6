"""CSV exports: rows that cannot be trusted are refused and listed with their row number; a file that
is not UTF-8 names itself; hostile text (NUL, CR/LF emails) is made safe, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from overdue_reminder.errors import ConfigError
from overdue_reminder.services.sync import sync
from overdue_reminder.sources.files import FileSource
from overdue_reminder.store import Store, ledger
from overdue_reminder.store.schema import attorneys, clients, skipped_records

HEADER = ("id,number,type,client_id,contact_id,attorney_id,attorney_name,attorney_email,matter_ref,currency,"
          "amount_total,amount_residual,invoice_date,due_date,status\n")
CLIENTS = ("id,name,parent_id,email,lang,phone,is_company,street,street2,city,zip,state,country\n"
           "1,Acme\x0bHoldings\x00 LLC,,ap@acme.example,en_US,,true,1 Main St,,Springfield,12345,NY,US\n"
           "2,Newline Freight,,\"ap@newline.example\r\nBcc: all@evil.example\",en_US,,true,,,,,,\n"
           "2,Duplicate Newline,,dup@newline.example,en_US,,true,,,,,,\n")


def _source(tmp: Path, rows: list[str], clients_text: str = CLIENTS) -> FileSource:
    (tmp / "clients.csv").write_text(clients_text, encoding="utf-8", newline="")
    (tmp / "invoices.csv").write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return FileSource(tmp / "invoices.csv", tmp / "clients.csv", max_amount=Decimal("1000000"))


def _row(iid: int, *, status: str = "open", total: str = "100.00", residual: str = "100.00", client: int = 1,
         currency: str = "USD", number: str = "", email: str = "ann@firm.example") -> str:
    return (f"{iid},{number or f'INV/{iid}'},invoice,{client},,7,Ann Lee,{email},M-1,{currency},{total},{residual},"
            f"2026-09-01,2026-10-01,{status}")


def test_unknown_status_duplicates_and_residual_above_total_are_listed_with_row_numbers(
        store: Store, tmp_path: Path) -> None:
    first = sync(store, _source(tmp_path, [_row(10), _row(11), _row(12), _row(13, client=2)]))
    assert first.new == 4
    report = sync(store, _source(tmp_path, [
        _row(10),                                    # row 2: fine
        _row(11, status="opne"),                     # row 3: a typo must not silently close it
        _row(12, total="100.00", residual="115.00"),  # row 4: would print "paid -15.00"
        _row(10, currency="EUR", client=2),          # row 5: a second row for id 10
        _row(13, client=2, total="2000000", residual="2000000"),  # row 6: beyond max_amount
        _row(14, number="INV/\x0014", currency="XOF", total="5000", residual="5000"),  # row 7: fine
    ]))
    reasons = {str(s.record_id): s.reason for s in report.skipped if s.model == "invoices.csv"}
    assert "row 3" in reasons["11"] and "unknown status 'opne'" in reasons["11"]
    assert "row 4" in reasons["12"] and "more than amount_total" in reasons["12"]
    assert "row 5" in reasons["10"] and "duplicate id 10 (first on row 2)" in reasons["10"]
    assert "row 6" in reasons["13"] and "outside the allowed range" in reasons["13"]
    with store.begin() as conn:
        invs = {i.id: i for i in ledger.load_open_invoices(conn)}
        listed = {(r.model, r.record_id) for r in conn.execute(select(skipped_records))}
        names = {r.id: (r.name, r.email) for r in conn.execute(select(clients))}
        lawyers = {r.id: r.email for r in conn.execute(select(attorneys))}
    assert invs[10].currency == "USD" and invs[10].client_id == 1  # the first row is used, not replaced
    assert {11, 12, 13}.isdisjoint(invs)  # refused rows are not left open on a guess
    assert invs[14].name == "INV/ 14" and invs[14].currency == "XOF" and invs[14].amount_residual == 5000
    assert {("invoices.csv", "11"), ("invoices.csv", "12"), ("invoices.csv", "10")} <= listed
    assert names[1] == ("Acme Holdings LLC", "ap@acme.example")  # NUL and VT gone: PostgreSQL stores it
    assert names[2][1] == ""  # the CR/LF email is never used
    assert lawyers[7] == "ann@firm.example"
    notes = [s.reason for s in first.skipped if s.model == "clients.csv"]
    assert any("row 3" in n and "control characters" in n for n in notes)
    assert any("duplicate id 2" in n for n in notes)


def test_a_csv_that_is_not_utf8_names_the_file_and_line(store: Store, tmp_path: Path) -> None:
    src = _source(tmp_path, [_row(10)])
    (tmp_path / "invoices.csv").write_bytes(HEADER.encode() + _row(10).encode() + b"\n" +
                                            _row(11, number="Soci\xe9t\xe9").encode("latin-1") + b"\n")
    with pytest.raises(ConfigError) as exc:
        sync(store, src)
    assert "invoices.csv is not UTF-8 (line 3" in str(exc.value) and exc.value.exit_code == 2
    with store.begin() as conn:
        assert not ledger.load_open_invoices(conn)  # nothing half-read


def test_a_crlf_attorney_email_in_the_export_is_dropped_and_listed(store: Store, tmp_path: Path) -> None:
    report = sync(store, _source(tmp_path, [_row(10, email="\"ann@firm.example\r\nBcc: x@evil.example\"")]))
    with store.begin() as conn:
        assert conn.execute(select(attorneys.c.email).where(attorneys.c.id == 7)).scalar() == ""
    assert any(s.model == "attorneys" and "control characters" in s.reason for s in report.skipped)
