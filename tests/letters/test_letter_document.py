"""The letter as a .docx, opened back with python-docx: letterhead, table, totals, notices, marker, pages."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from letter_factory import ATTORNEY, CLIENT, CONTACT, TODAY, ZH_CLIENT, line, make_action, make_settings

from overdue_reminder.config import Settings
from overdue_reminder.core.letter_docx import (
    DRAFT_MARKER,
    FORBIDDEN_PHRASES,
    LetterBuilder,
    LetterRequest,
    SentReminder,
    check_letter_templates,
    check_letter_text,
    document_text,
    header_texts,
    inspect_docx,
    open_docx,
    sample_letters,
    strip_draft_marker,
)
from overdue_reminder.errors import ConfigError, PolicyError
from overdue_reminder.model import Action, InvoiceKind
from overdue_reminder.services.letters import convert_pdf


def _doc(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _paras(doc: docx.document.Document) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _table(doc: docx.document.Document) -> list[list[str]]:
    assert len(doc.tables) == 1
    return [[c.text for c in row.cells] for row in doc.tables[0].rows]


def _req(action: Action, **kw: Any) -> LetterRequest:
    return LetterRequest(action=action, client=kw.pop("client", CLIENT), today=TODAY, attorney=ATTORNEY, **kw)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


LINES = (
    line(5001, "INV/2025/0101", "3600.00", total="4800.00", matter="M-2025-001"),
    line(5002, "INV/2025/0140", "2150.50", matter="M-2025-002", due=date(2025, 12, 1), issued=date(2025, 11, 1)),
)


def test_letterhead_address_reference_and_signature(settings: Settings) -> None:
    action = make_action(LINES, contact_id=CONTACT.id)
    data = LetterBuilder(settings).build(_req(action, contact=CONTACT))
    paras = _paras(_doc(data))
    assert paras[0] == "Harper & Lowe LLP"
    assert paras[1].splitlines() == ["350 Fifth Avenue, Suite 4100", "New York, NY 10118",
                                     "+1 212 555 0100 · billing@harperlowe.example · https://harperlowe.example"]
    assert "March 2, 2026" in paras
    block = next(p for p in paras if p.startswith("Acme Widgets Inc."))
    assert block.splitlines() == ["Acme Widgets Inc.", "Attn. Pat Billing", "500 Market Street", "Suite 12",
                                  "Albany, NY 12207", "United States"]
    assert "Re: Outstanding fees - matters M-2025-001, M-2025-002" in paras
    assert "Dear Pat Billing:" in paras
    sig = next(p for p in paras if p.startswith("Dana Whitfield"))
    assert sig.splitlines() == ["Dana Whitfield", "Responsible attorney", "Harper & Lowe LLP",
                                "dana@harperlowe.example"]


def test_invoice_table_numbers_and_totals(settings: Settings) -> None:
    action = make_action(LINES)
    doc = _doc(LetterBuilder(settings).build(_req(action)))
    rows = _table(doc)
    assert rows[0] == ["Invoice", "Date", "Due date", "Days late", "Amount", "Paid", "Outstanding", "Currency"]
    days = [str((TODAY - d).days) for d in (date(2025, 11, 1), date(2025, 12, 1))]  # each invoice its own age
    assert rows[1] == ["INV/2025/0101", "Oct 2, 2025", "Nov 1, 2025", days[0], "4,800.00", "1,200.00", "3,600.00",
                       "USD"]
    assert rows[2] == ["INV/2025/0140", "Nov 1, 2025", "Dec 1, 2025", days[1], "2,150.50", "0.00", "2,150.50", "USD"]
    assert "Amount due (USD): $5,750.50" in _paras(doc)


def test_totals_per_currency_with_credit_note_and_unapplied_payment(settings: Settings) -> None:
    lines = (
        line(1, "INV/1", "1000.00"),
        line(2, "RINV/1", "200.00", kind=InvoiceKind.CREDIT_NOTE),
        line(3, "INV/2", "50000", currency="JPY"),
        line(4, "INV/3", "700.00", currency="EUR"),
    )
    action = make_action(lines, unapplied={"EUR": Decimal("100.00")})
    assert action.totals == {"USD": Decimal("800.00"), "JPY": Decimal("50000"), "EUR": Decimal("600.00")}
    doc = _doc(LetterBuilder(settings).build(_req(action)))
    rows = _table(doc)
    assert rows[2] == ["RINV/1", "Oct 2, 2025", "Nov 1, 2025", "", "-200.00", "0.00", "-200.00", "USD"]
    assert rows[3][4:] == ["50,000", "0", "50,000", "JPY"]
    paras = _paras(doc)
    assert "Amount due (USD): $800.00" in paras
    assert "Amount due (JPY): ¥50,000" in paras
    assert "Outstanding on the invoices above (EUR): €700.00" in paras
    assert "Payments received, not yet applied (EUR): -€100.00" in paras
    assert "Amount due (EUR): €600.00" in paras
    assert not any("6," in p and "Amount due" in p for p in paras)  # never a cross-currency sum


def test_table_rows_add_up_to_the_totals(settings: Settings) -> None:
    """Property: whatever the invoices, the table's outstanding column sums to each currency's amount due."""
    builder = LetterBuilder(settings)

    @given(st.lists(st.tuples(st.sampled_from(["USD", "EUR", "JPY"]),
                              st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)),
                    min_size=1, max_size=8))
    @hsettings(max_examples=40, deadline=None)
    def check(items: list[tuple[str, Decimal]]) -> None:
        lines = [line(i + 1, f"INV/{i + 1}", str(amount if cur != "JPY" else amount.to_integral_value()),
                      currency=cur) for i, (cur, amount) in enumerate(items)]
        action = make_action(lines)
        doc = _doc(builder.build(_req(action)))
        sums: dict[str, Decimal] = {}
        for row in _table(doc)[1:]:
            sums[row[7]] = sums.get(row[7], Decimal(0)) + Decimal(row[6].replace(",", ""))
        assert sums == action.totals
        paras = _paras(doc)
        for cur in action.totals:
            assert sum(p.startswith(f"Amount due ({cur}): ") for p in paras) == 1

    check()


@pytest.mark.parametrize(("code", "expected"), [
    ("NY", ["Notice of Client's Right to Arbitrate (22 NYCRR Part 137)", "form UCS 137-1", "Part 137",
            "Enclosures: UCS 137-1 (Notice of Client's Right to Arbitrate); UCS 137-2"]),
    ("CA", ["Mandatory Fee Arbitration Act", "Cal. Bus. & Prof. Code §6201(a)",
            "Enclosures: State Bar of California: Notice of Client's Right to Fee Arbitration"]),
    ("NJ", ["Pre-Action Notice of Client's Right to Fee Arbitration (R. 1:20A-6)", "Rule 1:20A-6",
            "District Fee Arbitration Committee"]),
])
def test_notices_for_the_configured_jurisdiction(tmp_path: Path, code: str, expected: list[str]) -> None:
    s = make_settings(tmp_path, jurisdiction=code)
    text = document_text(_doc(LetterBuilder(s).build(_req(make_action(LINES)))))
    for phrase in expected:
        assert phrase in text
    others = {"NY": "Part 137", "CA": "Mandatory Fee Arbitration Act", "NJ": "1:20A-6"}
    for other, marker in others.items():
        if other != code:
            assert marker not in text


def test_jurisdiction_override_and_not_required(tmp_path: Path) -> None:
    extra = """
[letters.jurisdictions.TX]
name = "Texas"
notice_required = true
notice_title = "Notice of fee dispute resolution"
rule = "Texas local bar program"
forms = ["Form TX-1"]
[letters.jurisdictions.NY]
notice_required = false
"""
    s = make_settings(tmp_path, extra=extra, jurisdiction="TX")
    text = document_text(_doc(LetterBuilder(s).build(_req(make_action(LINES)))))
    assert "Notice of fee dispute resolution" in text and "Form TX-1" in text
    s_ny = make_settings(tmp_path, extra=extra, jurisdiction="NY")
    text = document_text(_doc(LetterBuilder(s_ny).build(_req(make_action(LINES)))))
    assert "Part 137" in text and "Enclosures" in text  # the law requires it: switching it off changes nothing
    assert s_ny.letters.jurisdiction("CA") is not None  # configuring NY keeps the other defaults


def test_unknown_jurisdiction_is_a_config_error(tmp_path: Path) -> None:
    s = make_settings(tmp_path, jurisdiction="ZZ")
    with pytest.raises(ConfigError, match=r"letters\.jurisdictions\.ZZ"):
        LetterBuilder(s).build(_req(make_action(LINES)))


def test_draft_marker_on_every_page_header_and_page_numbers(settings: Settings) -> None:
    many = [line(i, f"INV/{i}", "10.00") for i in range(1, 121)]  # a table long enough for several pages
    data = LetterBuilder(settings).build(_req(make_action(many)))
    doc = _doc(data)
    for section in doc.sections:
        assert not section.header.is_linked_to_previous
        assert DRAFT_MARKER in section.header.paragraphs[0].text
        assert not section.different_first_page_header_footer  # the same header on the first page too
    assert not doc.settings.odd_and_even_pages_header_footer
    assert all(DRAFT_MARKER in h for h in header_texts(doc))
    footer_xml = doc.sections[0].footer._element.xml
    assert 'w:instr=" PAGE "' in footer_xml and 'w:instr=" NUMPAGES "' in footer_xml
    assert doc.sections[0].footer.paragraphs[0].text.startswith("Page ")
    assert doc.tables[0].rows[0]._tr.trPr is not None  # the header row repeats on each page


def test_final_copy_has_no_marker_and_the_same_body(settings: Settings) -> None:
    builder = LetterBuilder(settings)
    draft = builder.build(_req(make_action(LINES)))
    final = strip_draft_marker(draft)
    d, f = _doc(draft), _doc(final)
    assert all(DRAFT_MARKER not in h for h in header_texts(f))
    assert DRAFT_MARKER not in document_text(f)
    assert document_text(d, headers=False) == document_text(f, headers=False)
    rendered_final = _doc(builder.build(_req(make_action(LINES)), draft=False))
    assert all(DRAFT_MARKER not in h for h in header_texts(rendered_final))


def test_marker_in_body_blocks_the_final_copy(settings: Settings) -> None:
    doc = _doc(LetterBuilder(settings).build(_req(make_action(LINES))))
    doc.add_paragraph(f"{DRAFT_MARKER} - check figures")
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(PolicyError, match="outside its header"):
        strip_draft_marker(out.getvalue())


def test_history_offer_and_optional_sections(settings: Settings) -> None:
    history = (SentReminder(date(2025, 11, 8), "friendly"), SentReminder(date(2025, 12, 1), "firm"),
               SentReminder(date(2026, 1, 30), "escalation", "letter"))
    offer = {"kind": "installments", "currency": "USD", "balance": Decimal("5750.50"),
             "installments": [{"due_date": date(2026, 4, 1), "amount": Decimal("2875.25")},
                              {"due_date": "2026-05-01", "amount": "2875.25"}],
             "respond_by": date(2026, 3, 16)}
    builder = LetterBuilder(settings)
    text = document_text(_doc(builder.build(_req(make_action(LINES), history=history, offer=offer))))
    assert "Nov 8, 2025 - Payment reminder (email)" in text
    assert "Jan 30, 2026 - Escalation letter (letter)" in text
    assert "Our offer" in text and "in 2 installments" in text and "May 1, 2026: $2,875.25" in text
    bare = document_text(_doc(builder.build(_req(make_action(LINES)))))
    assert "Our offer" not in bare and "No earlier reminders were sent." in bare
    settle = {"kind": "settlement", "currency": "USD", "balance": Decimal("5750.50"),
              "settlement_amount": Decimal("5000"), "respond_by": date(2026, 3, 20)}
    text = document_text(_doc(builder.build(_req(make_action(LINES), offer=settle))))
    assert "We are prepared to accept $5,000.00 in full settlement of the balance of $5,750.50" in text


def test_withdrawal_warning_names_court_matters(settings: Settings) -> None:
    action = make_action(LINES, tier="withdrawal_warning")
    text = document_text(_doc(LetterBuilder(settings).build(_req(action, court_matters=("M-2025-002",)))))
    assert "may withdraw from representing you" in text
    assert "M-2025-002, which is pending before a court, any withdrawal requires the court's permission" in text


def test_chinese_letter(settings: Settings) -> None:
    lines = (line(7001, "INV/2025/0900", "12000.00", currency="CNY", matter="M-ZH-1"),)
    action = make_action(lines, client=ZH_CLIENT, language="zh_CN")
    doc = _doc(LetterBuilder(settings).build(_req(action, client=ZH_CLIENT)))
    text = document_text(doc)
    assert "尊敬的华东贸易有限公司：" in text
    assert "事由：未付律师费（案件编号：M-ZH-1）" in text
    assert "应付金额（CNY）：¥12,000.00" in text
    assert "2026年3月2日" in text
    assert _table(doc)[0][0] == "账单编号"
    assert DRAFT_MARKER in header_texts(doc)[0]
    assert doc.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "SimSun"


def test_unknown_language_falls_back_and_keeps_client_locale(settings: Settings) -> None:
    action = make_action((line(1, "INV/1", "1234.50", currency="EUR"),), language="de_DE")
    text = document_text(_doc(LetterBuilder(settings).build(_req(action))))
    assert "Dear Acme Widgets Inc.:" in text  # English text blocks
    assert "1.234,50\xa0€" in text  # amounts in the client's own locale


def test_logo_from_config(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(_png())
    s = make_settings(tmp_path, logo="logo.png")
    data = LetterBuilder(s).build(_req(make_action(LINES)))
    doc = _doc(data)
    assert len(doc.inline_shapes) == 1
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    missing = make_settings(tmp_path, logo="nope.png")
    with pytest.raises(ConfigError, match=r"firm\.logo"):
        LetterBuilder(missing)


def test_consecutive_letters_share_nothing(settings: Settings) -> None:
    """One builder, many clients: each file carries only its own client's data (LAW.md #3)."""
    builder = LetterBuilder(settings)
    first = builder.build(_req(make_action((line(1, "INV/AAA-1", "10.00", matter="M-AAA"),))))
    other = replace(CLIENT, id=999, name="Zenith Holdings", commercial_id=999)
    second = builder.build(_req(make_action((line(2, "INV/ZZZ-9", "20.00", matter="M-ZZZ"),), client=other),
                                client=other))
    blob = b"".join(zipfile.ZipFile(io.BytesIO(second)).read(n) for n in zipfile.ZipFile(io.BytesIO(second)).namelist())
    for leaked in (b"INV/AAA-1", b"M-AAA", b"Acme"):
        assert leaked not in blob
    assert b"INV/ZZZ-9" in blob
    assert b"INV/ZZZ-9" not in b"".join(zipfile.ZipFile(io.BytesIO(first)).read(n)
                                        for n in zipfile.ZipFile(io.BytesIO(first)).namelist())


def test_trimmed_package_is_small_and_opens(settings: Settings) -> None:
    data = LetterBuilder(settings).build(_req(make_action(LINES)))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "word/stylesWithEffects.xml" not in names and "docProps/thumbnail.jpeg" not in names
    assert len(data) < 40_000
    doc = open_docx(data)
    assert doc.core_properties.author == "Harper & Lowe LLP"


# ---------------------------------------------------------------- forbidden phrases
@pytest.mark.parametrize("text", [
    "Failure to pay may lead to criminal charges.", "We will call the POLICE.", "you could go to jail",
    "we may refer this for prosecution", "we will press charges", "fraud charges may follow",
    "我们将追究您的刑事责任", "我们会报警", "您可能被逮捕", "您会坐牢",
])
def test_forbidden_phrases_are_found(text: str) -> None:
    assert check_letter_text(text)


@pytest.mark.parametrize("text", [
    "The firm intends to refer the matter for collection by a civil action.",
    "Our policies on arrears are in the engagement letter.", "本所拟通过民事诉讼追收上述律师费。",
])
def test_ordinary_collection_wording_passes(text: str) -> None:
    assert check_letter_text(text) == []


def test_shipped_templates_are_clean(settings: Settings) -> None:
    assert check_letter_templates(settings) == []


def test_template_check_names_file_and_line(tmp_path: Path) -> None:
    own = tmp_path / "own_letters" / "en_US"
    own.mkdir(parents=True)
    (own / "escalation.body.txt.j2").write_text(
        "Please pay {{ total_text }}.\n\nOtherwise we will contact the police.\n", encoding="utf-8")
    (own / "closing.txt.j2").write_text("Sincerely,{% if %}\n", encoding="utf-8")
    s = make_settings(tmp_path, extra='templates_dir = "own_letters"')
    errors = check_letter_templates(s)
    assert any(e.startswith("letters/en_US/escalation.body.txt.j2:3: forbidden phrase 'police'") for e in errors)
    assert any(e.startswith("letters/en_US/closing.txt.j2:1:") for e in errors)


def test_template_check_catches_undefined_variables(tmp_path: Path) -> None:
    own = tmp_path / "own_letters" / "en_US"
    own.mkdir(parents=True)
    (own / "salutation.txt.j2").write_text("Dear {{ client.nickname }}:\n", encoding="utf-8")
    errors = check_letter_templates(make_settings(tmp_path, extra='templates_dir = "own_letters"'))
    assert errors and all("salutation.txt.j2" in e and "nickname" in e for e in errors)


def test_rendering_refuses_a_forbidden_phrase_from_data(settings: Settings) -> None:
    offer = {"summary": "Pay now or we call the police."}
    with pytest.raises(PolicyError, match="police"):
        LetterBuilder(settings).build(_req(make_action(LINES), offer=offer))


def test_forbidden_list_covers_the_required_phrases() -> None:
    for p in ("criminal", "prosecut", "police", "jail", "arrest", "fraud charges", "刑事", "报警", "逮捕", "坐牢"):
        assert p in FORBIDDEN_PHRASES


# ---------------------------------------------------------------- edited files
def test_inspect_docx_accepts_a_letter_and_refuses_junk(settings: Settings) -> None:
    data = LetterBuilder(settings).build(_req(make_action(LINES)))
    assert "INV/2025/0101" in inspect_docx(data, 1_000_000)
    with pytest.raises(PolicyError, match=r"not a Word \.docx"):
        inspect_docx(b"%PDF-1.4 not a docx", 1_000_000)
    with pytest.raises(PolicyError, match="over the"):
        inspect_docx(data, 1000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(PolicyError, match=r"no word/document\.xml"):
        inspect_docx(buf.getvalue(), 1_000_000)
    doc = _doc(data)
    doc.add_paragraph("If you do not pay we will have you arrested.")
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(PolicyError, match="arrest"):
        inspect_docx(out.getvalue(), 1_000_000)


def test_sample_letters_one_per_language(tmp_path: Path, settings: Settings) -> None:
    paths = sample_letters(settings, tmp_path / "samples", today=TODAY + timedelta(days=1))
    assert [p.name for p in paths] == ["sample-letter-en_US.docx", "sample-letter-zh_CN.docx"]
    for p in paths:
        doc = open_docx(p.read_bytes())
        assert DRAFT_MARKER in header_texts(doc)[0]
        assert p.stat().st_mode & 0o777 == 0o600
    assert "尊敬的" in document_text(open_docx(paths[1].read_bytes()))


REAL_SOFFICE = shutil.which("soffice")  # looked up before the fixtures hide it


@pytest.mark.skipif(REAL_SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_real_libreoffice_converts_the_letter(tmp_path: Path, settings: Settings,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice opens what we write (a structural check python-docx alone would not make)."""
    assert REAL_SOFFICE is not None
    monkeypatch.setenv("PATH", f"{Path(REAL_SOFFICE).parent}:/usr/bin:/bin")
    path = tmp_path / "letter.docx"
    path.write_bytes(LetterBuilder(settings).build(_req(make_action(LINES))))
    pdf = convert_pdf(settings, path)
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_mode & 0o777 == 0o600
