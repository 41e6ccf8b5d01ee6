"""The Chinese statement of account follows docs/zh_CN-style.md's mechanical rules (the checker of test_zh_style)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from test_zh_style import _firm_data, _settings, style_problems

from overdue_reminder.core import statement_pdf
from overdue_reminder.core.statement import build_statement
from overdue_reminder.core.statement_pdf import render_statement
from overdue_reminder.model import Invoice, InvoiceKind, Payment
from overdue_reminder.services.statements import fonts

AS_OF = date(2026, 3, 10)


@pytest.mark.parametrize("company", [True, False])
def test_the_chinese_statement_follows_the_style(company: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    s = _settings()
    name = "华东贸易有限公司" if company else "王小明"
    items = [Invoice(1, "INV/2026/00001", InvoiceKind.INVOICE, 9, 9, None, "(2025)京民初字第193号", "CNY",
                     Decimal("88000.00"), Decimal("60000.00"), AS_OF, AS_OF - timedelta(days=35), "partial", True),
             Invoice(2, "RINV/2026/00002", InvoiceKind.CREDIT_NOTE, 9, 9, None, "M-7", "USD", Decimal("500.00"),
                     Decimal("500.00"), AS_OF, AS_OF, "not_paid", True),
             Invoice(3, "INV/2026/00003", InvoiceKind.INVOICE, 9, 9, None, "M-7", "USD", Decimal("400.00"),
                     Decimal("400.00"), AS_OF, AS_OF - timedelta(days=3), "not_paid", True)]
    pays = [Payment(77, 9, Decimal("1000.00"), "CNY", AS_OF - timedelta(days=2), False)]
    st = build_statement(s, as_of=AS_OF, language="zh_CN", client_id=9, client_name=name, client_address=[],
                         is_company=company, open_items=items, payments=pays)
    drawn: list[str] = []  # each string the layout draws (table cells are apart on the page, not in one text)
    original = statement_pdf.Page.text

    def record(self: statement_pdf.Page, x: float, y: float, text: str, *args: object, **kw: object) -> None:
        drawn.append(text)
        original(self, x, y, text, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(statement_pdf.Page, "text", record)
    pdf = render_statement(st, fonts(s))
    text = "\n".join(drawn)
    assert "付款前" in "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    data = [*_firm_data(s), name, "INV/2026/00001", "RINV/2026/00002", "INV/2026/00003", "(2025)京民初字第193号", "M-7",
            "(2025)京民初字"]  # the reference wraps within its column: its first line is data too
    assert style_problems(text, data) == []
    assert ("贵司" in text) == company and ("您" in text) == (not company)
    assert "余额（USD，有利于" in text  # the USD credit note exceeds the invoice: a balance in the client's favour
