"""The digest's words and charts: CLDR plural forms for 1 and 2 in both languages, Babel money on the axes,
one deterministic panel per currency."""

from __future__ import annotations

import re
import struct
from datetime import date
from decimal import Decimal

import pytest

from overdue_reminder.core.aging import BUCKETS, AgingRow
from overdue_reminder.services import aging_chart
from overdue_reminder.services.digest_text import (
    AttorneyFacts,
    Item,
    StaffFacts,
    Waiting,
    Words,
    render_attorney,
    render_staff,
)

DAY = date(2026, 11, 28)
URL = "https://desk.example"


def _items(n: int) -> list[Item]:
    return [Item("letter", 10 + i, f"Client {i}", "escalation letter", 4 - i, f"{URL}/letters/{10 + i}")
            for i in range(n)]


def _row(currency: str, *amounts: str) -> AgingRow:
    return AgingRow("all", "all", currency, {b: Decimal(a) for b, a in zip(BUCKETS, amounts, strict=True)})


@pytest.mark.parametrize(("language", "n", "subject", "line"), [
    ("en_US", 1, "1 letter waits for your decision", "1 letter waits for M. Chen (oldest 4 days)"),
    ("en_US", 2, "2 letters wait for your decision", "2 letters wait for M. Chen (oldest 4 days)"),
    ("zh_CN", 1, "1 封律师函等待您的决定", "1 封律师函等待 M. Chen 审阅（最早的已等待 4 天）"),
    ("zh_CN", 2, "2 封律师函等待您的决定", "2 封律师函等待 M. Chen 审阅（最早的已等待 4 天）"),
])
def test_plural_forms_for_one_and_two(language: str, n: int, subject: str, line: str) -> None:
    mine = render_attorney(AttorneyFacts("Firm", DAY, "m.chen@firm.example", _items(n), URL), language)
    assert subject in mine.subject and subject in mine.text and f'href="{URL}/letters/10"' in mine.html
    staff = render_staff(StaffFacts("Firm", DAY, {"sent": n}, [Waiting("letters", n, "M. Chen", 4)], [], [], URL),
                         language, {})
    assert line in staff.text
    assert "<table" in staff.html and f'href="{URL}/queue"' in staff.html
    sent = {("en_US", 1): "1 reminder sent", ("en_US", 2): "2 reminders sent",
            ("zh_CN", 1): "已发送 1 封催款提醒", ("zh_CN", 2): "已发送 2 封催款提醒"}[(language, n)]
    assert sent in staff.text and sent in staff.subject
    assert "(s)" not in staff.text + mine.text


def test_plural_categories_come_from_babel() -> None:
    en, zh = Words("en_US"), Words("zh_CN")
    assert [en.plural(k, one="{n} item", other="{n} items") for k in (0, 1, 2, 1500)] == [
        "0 items", "1 item", "2 items", "1,500 items"]
    assert zh.plural(1, one="wrong", other="{n} 项") == "1 项"  # Chinese has only the "other" category


def test_names_and_html_are_escaped() -> None:
    staff = render_staff(StaffFacts("A & B <LLP>", DAY, {}, [Waiting("letters", 1, "<script>x</script>", 0)], [],
                                    [], URL), "en_US", {})
    assert "<script>" not in staff.html and "&lt;script&gt;" in staff.html and "A &amp; B &lt;LLP&gt;" in staff.html
    assert "<script>x</script>" in staff.text  # the text part is plain text, not HTML
    assert "Tonight: nothing was sent or queued." in staff.text and "queued today" in staff.text


def test_axis_labels_carry_symbol_and_separators() -> None:
    assert aging_chart.axis_text(300000, "USD") == "$300,000"
    assert aging_chart.axis_text(300000, "CNY", "zh_CN") == "¥300,000"
    assert aging_chart.axis_text(-5000, "EUR") == "-€5,000"
    assert aging_chart.money_text(Decimal("295286.5"), "CNY") == "CN¥295,286.50"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    return int(w), int(h)


def test_one_panel_per_currency_deterministic() -> None:
    rows = [_row("USD", "1200.50", "45210", "0", "8000", "120400.10"),
            _row("CNY", "-200", "295286", "0", "0", "1")]
    first = aging_chart.panels(rows, "png")
    assert [c for c, _ in first] == ["CNY", "USD"]
    assert _png_size(first[0][1]) == _png_size(first[1][1]) == (660, 375)  # 4.4 x 2.5 in at 150 dpi
    aging_chart._panel.cache_clear()
    assert aging_chart.panels(rows, "png") == first  # the same figures give the same bytes
    svg = aging_chart.panel(rows[0], "svg").decode()
    aging_chart._panel.cache_clear()
    assert aging_chart.panel(rows[0], "svg").decode() == svg
    assert "<dc:date>" not in svg and "$120,400.10" in svg  # text stays text, formatted
    assert re.search(r">\$\d{2,3},000<", svg)  # a round tick with symbol and separator
    assert "CN¥" not in svg
