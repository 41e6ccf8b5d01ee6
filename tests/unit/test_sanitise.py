"""The sources' sanitising boundary: safe one-line text, emails that cannot inject headers, money bounds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from overdue_reminder.model import Skipped
from overdue_reminder.money import MoneyError
from overdue_reminder.sources.odoo import parse_attorney, parse_currencies, parse_invoice, parse_partner
from overdue_reminder.sources.sanitise import Cleaner, is_email, line, shown


@given(st.text(max_size=600))
def test_any_text_becomes_one_safe_xml_compatible_line(raw: str) -> None:
    out = line(raw, 300)
    assert len(out) <= 300
    assert "\n" not in out and "\r" not in out and "\x00" not in out and "\x0b" not in out
    assert not any(ch in out for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff")
    assert out == out.strip()
    if all(not (0xD800 <= ord(c) <= 0xDFFF) and c not in "\ufffe\uffff" for c in out):
        el = etree.Element("p")
        el.text = out  # lxml refuses control characters: a letter built from them would fail
        assert el.text == out


def test_text_keeps_what_scripts_need_and_drops_spoofing() -> None:
    assert line("Acme\x0bHoldings\x00 LLC") == "Acme Holdings LLC"
    assert line("Line\r\nBreak Trading") == "Line Break Trading"
    assert line("\u202eSNOITULOS\u202c Ltd") == "SNOITULOS Ltd"
    assert line("شركة الأفق") == "شركة الأفق"  # right-to-left text itself is kept
    assert line("می\u200cخواهم") == "می\u200cخواهم"  # the zero-width non-joiner Persian needs is kept
    assert line("👩\u200d💻 Labs") == "👩\u200d💻 Labs"
    assert line("zero\u200bwidth") == "zerowidth"
    assert line(None) == "" and line(42) == ""


def test_cut_fields_and_dropped_emails_are_noted_with_the_raw_value() -> None:
    c = Cleaner("res.partner", 7)
    assert len(c.text("name", "x" * 20_000, 256)) == 256
    assert c.email("email", "ap@x.example\r\nBcc: all@evil.example") == ""
    assert c.email("email", "accounts at bluepeak dot example") == "accounts at bluepeak dot example"
    assert c.email("email", "accounts at bluepeak dot example", strict=True) == ""
    assert c.email("email", "a@x.example, b@y.example") == "a@x.example, b@y.example"
    assert c.email("email", "  ok@x.example ") == "ok@x.example"
    reasons = [n.reason for n in c.notes]
    assert len(reasons) == 3 and all(n.model == "res.partner" and n.record_id == 7 for n in c.notes)
    assert "cut" in reasons[0] and "20000 characters" in reasons[0]
    assert "\\r\\n" in reasons[1]  # escaped: the log line stays one line
    assert "not a valid address" in reasons[2]
    assert shown("a\x00b") == "'a\\x00b'"


def test_email_validation() -> None:
    assert is_email("eleanor.harbor@harborreed.example")
    for bad in ("", "a@b", "a b@c.example", "a@@c.example", "a..b@c.example", "@c.example", "a@c.example\n"):
        assert not is_email(bad), bad


def test_amounts_outside_the_bound_are_refused_not_fatal() -> None:
    c = Cleaner("account.move", 1)
    assert c.amount("amount", 1234.56, "USD", Decimal("1e12")) == Decimal("1234.56")
    assert c.amount("amount", "-5", "USD", Decimal("1e12")) == Decimal("-5.00")
    for huge in (1e30, "1e30", Decimal("-1e13"), 10**40):
        with pytest.raises(MoneyError, match="outside the allowed range"):
            c.amount("amount", huge, "USD", Decimal("1e12"))
    for bad in (float("nan"), float("inf"), "abc"):
        with pytest.raises(MoneyError):
            c.amount("amount", bad, "USD", Decimal("1e12"))
    with pytest.raises(MoneyError, match="outside"):
        c.amount("amount", 2_000_000, "USD", Decimal("1e6"))


def _move(**changes: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "id": 5, "name": "INV/2026/\x0000001", "move_type": "out_invoice", "state": "posted",
        "payment_state": "not_paid", "partner_id": [3, "Acme\x0bLLC"], "commercial_partner_id": [3, "Acme\x0bLLC"],
        "invoice_user_id": [6, "E"], "invoice_origin": "M-1\r\n", "ref": False, "currency_id": [1, "USD"],
        "amount_total": 100.0, "amount_residual": 100.0, "invoice_date": "2026-01-01",
        "invoice_date_due": "2026-02-01", "write_date": "2026-02-01 10:00:00"}
    rec.update(changes)
    return rec


def test_odoo_records_pass_through_the_boundary() -> None:
    inv = parse_invoice(_move(), ["invoice_origin", "ref"])
    assert not isinstance(inv, type(None)) and hasattr(inv, "name")
    assert inv.name == "INV/2026/ 00001" and inv.matter_ref == "M-1"  # type: ignore[union-attr]
    skipped = parse_invoice(_move(amount_total=1e30, amount_residual=1e30), ["invoice_origin"])
    assert "outside the allowed range" in skipped.reason  # type: ignore[union-attr]
    notes: list[Skipped] = []
    p = parse_partner({"id": 3, "name": "A\x0bB", "email": "x@y.example\nBcc: z@evil.example", "street": "1\x00 Main",
                       "commercial_partner_id": [3, "A"]}, notes)
    assert (p.name, p.email, p.address.street) == ("A B", "", "1 Main")
    a = parse_attorney({"id": 40, "name": "M\r\n", "login": "m", "email": "m@x.example\r\nBcc: e@evil.example"}, notes)
    assert (a.name, a.email) == ("M", "")
    assert [(n.model, n.record_id) for n in notes] == [("res.partner", 3), ("res.users", 40)]


def test_odoo_currency_rows() -> None:
    rows = [{"name": "HUF", "decimal_places": 2, "rounding": 0.01}, {"name": "JPY", "decimal_places": 0},
            {"name": "KWD", "rounding": 0.001}, {"name": "bad code", "decimal_places": 2},
            {"name": "XOF", "decimal_places": 0, "active": False}]
    assert parse_currencies(rows) == {"HUF": 2, "JPY": 0, "KWD": 3, "XOF": 0}
