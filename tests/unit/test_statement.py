"""The statement of account: totals equal the ledger per currency, every open item is in the PDF's text, the same
ledger gives the same bytes, and a Chinese statement embeds a CJK font subset and reads in Chinese."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pypdf import PdfReader

from overdue_reminder import config
from overdue_reminder.core.statement import Statement, build_statement
from overdue_reminder.core.statement_pdf import render_statement
from overdue_reminder.errors import ConfigError
from overdue_reminder.model import Invoice, InvoiceKind, Payment
from overdue_reminder.money import quantize
from overdue_reminder.services.statements import Statements, fonts

AS_OF = date(2026, 3, 10)
CLIENT = 7
CONFIG = """
source = "files"
[firm]
name = "Harper & Lowe LLP"
address = ["350 Fifth Avenue, Suite 4100", "New York, NY 10118"]
phone = "+1 212 555 0100"
email = "billing@harperlowe.example"
[payment]
[[payment.channels]]
label = "Bank transfer (USD)"
details = ["First Example Bank, New York", "ABA routing 021000021", "Account 1234567890"]
labels = { zh_CN = "银行转账（美元）" }
"""
SETTINGS = config.parse(CONFIG)
CURRENCIES = ("USD", "EUR", "CNY", "JPY")


def _money(cur: str) -> st.SearchStrategy[Decimal]:
    places = 0 if cur == "JPY" else 2
    return st.integers(1, 10**9).map(lambda n: Decimal(n).scaleb(-places))


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[Invoice], list[Payment]]:
    """Random open items and unapplied payments of one client, with a few rows of another client mixed in."""
    items: list[Invoice] = []
    for i in range(draw(st.integers(1, 14))):
        cur = draw(st.sampled_from(CURRENCIES))
        total = draw(_money(cur))
        share = draw(st.sampled_from((Decimal(1), Decimal("0.5"), Decimal("0.13"))))
        residual = max(quantize(total * share, cur), Decimal(1).scaleb(-(0 if cur == "JPY" else 2)))  # still open
        kind = draw(st.sampled_from((InvoiceKind.INVOICE,) * 4 + (InvoiceKind.CREDIT_NOTE,)))
        client = draw(st.sampled_from((CLIENT,) * 5 + (CLIENT + 1,)))
        due = AS_OF - timedelta(days=draw(st.integers(-20, 900)))
        items.append(Invoice(100 + i, f"INV/2026/{100 + i:05d}", kind, client, client, None,
                             f"2025-{draw(st.integers(1, 9999)):04d}", cur, total, residual, due - timedelta(days=30),
                             due, "partial", True))
    pays = [Payment(900 + j, draw(st.sampled_from((CLIENT, CLIENT + 1))), draw(_money(cur)), cur,
                    AS_OF - timedelta(days=j), False)
            for j, cur in enumerate(draw(st.lists(st.sampled_from(CURRENCIES), max_size=3)))]
    return items, pays


def _statement(items: list[Invoice], pays: list[Payment], language: str = "en_US",
               name: str = "Client 7 Holdings LLC") -> Statement:
    return build_statement(SETTINGS, as_of=AS_OF, language=language, client_id=CLIENT, client_name=name,
                           client_address=["1 Main Street", "Springfield"], is_company=True, open_items=items,
                           payments=pays)


def _yardstick(items: list[Invoice], pays: list[Payment]) -> dict[str, Decimal]:
    """What the client owes per currency, straight from the rows: invoices less credit notes less payments."""
    out: dict[str, Decimal] = {}
    for inv in items:
        if inv.client_id == CLIENT:
            sign = -1 if inv.kind is InvoiceKind.CREDIT_NOTE else 1
            out[inv.currency] = out.get(inv.currency, Decimal(0)) + sign * inv.amount_residual
    for p in pays:
        if p.client_id == CLIENT:
            out[p.currency] = out.get(p.currency, Decimal(0)) - p.amount
    return out


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@given(ledgers())
@hsettings(max_examples=300, deadline=None)
def test_totals_equal_the_ledger_per_currency(ledger: tuple[list[Invoice], list[Payment]]) -> None:
    items, pays = ledger
    statement = _statement(items, pays)
    assert statement.totals() == _yardstick(items, pays)
    mine = sorted(i.name for i in items if i.client_id == CLIENT)
    assert sorted(statement.numbers()) == mine  # every open item, and no other client's


@given(ledgers())
@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_pdf_lists_every_open_item_and_its_amount(ledger: tuple[list[Invoice], list[Payment]]) -> None:
    items, pays = ledger
    statement = _statement(items, pays)
    pdf = render_statement(statement, fonts(SETTINGS))
    text = _text(pdf)
    for inv in items:
        if inv.client_id == CLIENT:
            assert inv.name in text and f"{inv.amount_residual:,}" in text and f"{inv.amount_total:,}" in text
            assert inv.matter_ref in text
        else:
            assert inv.name not in text
    for cur, due in statement.totals().items():
        assert f"{abs(due):,}" in text and cur in text
    assert "+1 212 555 0100" in text and "How to verify this statement" in text and "Harper & Lowe LLP" in text
    assert render_statement(statement, fonts(SETTINGS)) == pdf  # the same ledger, the same bytes


def test_same_ledger_same_bytes_and_one_page_per_currency() -> None:
    items = [Invoice(i, f"INV/2026/{i:05d}", InvoiceKind.INVOICE, CLIENT, CLIENT, None, "2025-0042",
                     ("USD", "EUR")[i % 2], Decimal("1500.00"), Decimal("1500.00"), AS_OF, AS_OF - timedelta(days=i),
                     "not_paid", True) for i in range(1, 7)]
    a = render_statement(_statement(items, []), fonts(SETTINGS))
    b = render_statement(_statement(list(reversed(items)), []), fonts(SETTINGS))  # the rows' order does not matter
    assert a == b and hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    reader = PdfReader(io.BytesIO(a))
    assert len(reader.pages) == 2
    assert "Open items in EUR" in reader.pages[0].extract_text() and "Open items in USD" in reader.pages[1].extract_text()
    assert reader.metadata is not None and reader.metadata["/CreationDate"].startswith("D:20260310")
    later = build_statement(SETTINGS, as_of=AS_OF + timedelta(days=1), language="en_US", client_id=CLIENT,
                            client_name="Client 7 Holdings LLC", client_address=[], is_company=True,
                            open_items=items, payments=[])
    assert render_statement(later, fonts(SETTINGS)) != a  # a new date is a new statement (days past due moved)


def test_many_items_run_onto_more_pages_with_the_header_repeated() -> None:
    items = [Invoice(i, f"INV/2026/{i:05d}", InvoiceKind.INVOICE, CLIENT, CLIENT, None, "2025-0042", "USD",
                     Decimal("10.00"), Decimal("10.00"), AS_OF, AS_OF - timedelta(days=1), "not_paid", True)
             for i in range(1, 121)]
    pdf = render_statement(_statement(items, []), fonts(SETTINGS))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    assert all("Harper & Lowe LLP" in p.extract_text() for p in reader.pages)
    text = _text(pdf)
    assert all(f"INV/2026/{i:05d}" in text for i in range(1, 121)) and "1,200.00" in text


def _fonts_of(pdf: bytes) -> dict[str, bool]:
    """Each font's BaseFont and whether its program is embedded (FontFile2 in the descendant's descriptor)."""
    out: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():  # type: ignore[index]
            font = ref.get_object()
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font \
                else font.get("/FontDescriptor")
            embedded = desc is not None and "/FontFile2" in desc.get_object()
            out[str(font["/BaseFont"])] = embedded
    return out


def test_a_chinese_statement_embeds_a_cjk_font_and_reads_in_chinese() -> None:
    items = [Invoice(1, "INV/2026/00001", InvoiceKind.INVOICE, CLIENT, CLIENT, None, "(2025)京民初字第193号", "CNY",
                     Decimal("88000.00"), Decimal("88000.00"), AS_OF, AS_OF - timedelta(days=35), "not_paid", True)]
    pdf = render_statement(_statement(items, [], "zh_CN", "北京示例科技有限公司"), fonts(SETTINGS))
    embedded = _fonts_of(pdf)
    assert any("DroidSansFallback" in name and ok for name, ok in embedded.items()), embedded
    assert all(embedded.values())  # every font is embedded (subset), none left to the reader's machine
    text = _text(pdf)
    squashed = "".join(text.split())  # a long reference wraps within its column; mixed scripts extract in runs
    for words in ("对账单", "未付款项", "账单编号", "案件编号", "应付金额（CNY）：", "付款方式", "银行转账（美元）",
                  "如何核实本对账单", "贵司", "北京示例科技有限公司", "(2025)京民初字第193号", "88,000.00",
                  "INV/2026/00001", "对账日期：2026年3月10日"):
        assert words in squashed, words
    assert "您" not in text  # one form of address: a company is 贵司


def test_a_person_is_addressed_as_nin() -> None:
    statement = build_statement(SETTINGS, as_of=AS_OF, language="zh_CN", client_id=CLIENT, client_name="王先生",
                                client_address=[], is_company=False, open_items=[], payments=[])
    text = _text(render_statement(statement, fonts(SETTINGS)))
    assert "您" in text and "贵司" not in text and "目前没有未付款项" in text


def test_a_missing_font_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "NoSuchFont.ttf"
    no_latin = config.parse(CONFIG + f'[statements]\nfont = "{missing}"\n')
    with pytest.raises(ConfigError, match="not installed") as err:
        Statements(no_latin)
    assert "statements.font" in str(err.value) and "install-fonts" in str(err.value)
    no_cjk = config.parse(CONFIG + f'[statements]\ncjk_font = "{missing}"\n')
    sheets = Statements(no_cjk)  # an English statement needs no CJK font
    assert sheets.render(_statement([], [])).data.startswith(b"%PDF")
    with pytest.raises(ConfigError, match="Chinese text") as err:
        sheets.render(_statement([], [], "zh_CN", "北京示例科技有限公司"))
    assert "statements.cjk_font" in str(err.value)


def test_attach_can_be_switched_off_and_fonts_must_be_truetype() -> None:
    assert SETTINGS.statements.attach is True
    assert config.parse(CONFIG + "[statements]\nattach = false\n").statements.attach is False
    with pytest.raises(ConfigError, match="statements.font"):
        config.parse(CONFIG + '[statements]\nfont = "/usr/share/fonts/x.otf"\n')


def test_each_currency_page_shows_only_the_channels_that_take_it() -> None:
    s = config.parse(CONFIG.replace('labels = { zh_CN = "银行转账（美元）" }', 'currencies = ["USD"]') + """
[[payment.channels]]
label = "Bank transfer (CNY)"
details = ["Example Bank (China), Shanghai", "Account 6222 0000 1111"]
currencies = ["CNY"]
""")
    items = [Invoice(i, f"INV/2026/{i:05d}", InvoiceKind.INVOICE, CLIENT, CLIENT, None, "M-1", cur, Decimal("100.00"),
                     Decimal("100.00"), AS_OF, AS_OF, "not_paid", True) for i, cur in ((1, "CNY"), (2, "USD"))]
    st = build_statement(s, as_of=AS_OF, language="en_US", client_id=CLIENT, client_name="Client 7",
                         client_address=[], is_company=True, open_items=items, payments=[])
    cny, usd = (p.extract_text() for p in PdfReader(io.BytesIO(render_statement(st, fonts(s)))).pages)
    assert "Bank transfer (CNY)" in cny and "Bank transfer (USD)" not in cny and "ABA routing" not in cny
    assert "Bank transfer (USD)" in usd and "Bank transfer (CNY)" not in usd


@pytest.mark.parametrize(("language", "swift", "reference"), [("en_US", "SWIFT/BIC: ", "Reference: "),
                                                              ("zh_CN", "银行识别代码（SWIFT/BIC）：", "付款附言：")])
def test_how_to_pay_carries_swift_iban_intermediary_and_reference(language: str, swift: str, reference: str) -> None:
    s = config.parse(CONFIG + """
[[payment.channels]]
label = "International wire"
details = ["Example Bank, New York"]
swift = "EXMPUS33"
iban = "GB82WEST12345698765432"
intermediary_bank = "Correspondent Bank, New York"
reference = "{invoice_number}"
currencies = ["EUR"]
""")
    items = [Invoice(1, "INV/2026/00001", InvoiceKind.INVOICE, CLIENT, CLIENT, None, "M-1", "EUR", Decimal("100.00"),
                     Decimal("100.00"), AS_OF, AS_OF, "not_paid", True)]
    st = build_statement(s, as_of=AS_OF, language=language, client_id=CLIENT, client_name="Client 7",
                         client_address=[], is_company=True, open_items=items, payments=[])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_statement(st, fonts(s)))).pages)
    flat = text.replace("\n", "")
    assert f"{swift}EXMPUS33" in flat and "GB82WEST12345698765432" in flat
    assert "Correspondent Bank, New York" in flat and reference in flat
