"""Letters state only what the record shows (issue 13): per-invoice ages, history only when there is one, the
firm's words checked (never the client's name), addresses in the destination's order, one verification phone,
and a .docx whose Chinese is tagged as Chinese. Expected sentences are derived from the request, in both languages.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from letter_factory import ATTORNEY, CLIENT, TODAY, ZH_CLIENT, line, make_action, make_settings

from overdue_reminder.config import LETTER_KINDS, Settings
from overdue_reminder.core.letter_docx import LetterBuilder, LetterRequest, SentReminder, document_text, inspect_docx
from overdue_reminder.core.reminder_text import shared_for
from overdue_reminder.errors import PolicyError
from overdue_reminder.model import Action, Address, Partner

MIXED = (line(1, "INV/2024/0007", "900.00", due=TODAY - timedelta(days=808)),
         line(2, "INV/2026/0101", "450.00", due=TODAY - timedelta(days=27)),
         line(3, "INV/2026/0114", "120.00", due=TODAY - timedelta(days=6)))
HISTORY = (SentReminder(TODAY - timedelta(days=90), "friendly"), SentReminder(TODAY - timedelta(days=60), "firm"),
           SentReminder(TODAY - timedelta(days=30), "final"))


def _client(lang: str) -> Partner:
    return CLIENT if lang == "en_US" else ZH_CLIENT


def _req(lang: str, kind: str, history: tuple[SentReminder, ...] = (), **kw: object) -> LetterRequest:
    client = kw.pop("client", _client(lang))
    assert isinstance(client, Partner)
    action = make_action(MIXED, client=client, tier=kind, language=lang)
    return LetterRequest(action=action, client=client, today=TODAY, attorney=ATTORNEY, history=history, kind=kind,
                         **kw)  # type: ignore[arg-type]


def _expected_ages(action: Action, lang: str) -> str:
    days = [ln.days_past_due for ln in action.lines]
    if lang == "en_US":
        return (f"the {len(days)} invoices listed below remain unpaid after their due dates: the oldest is "
                f"{max(days)} days past due, the most recent {min(days)} days")
    return f"下列{len(days)}份律师费账单仍未支付，其中逾期最久的一份已逾期{max(days)}天，最近的一份已逾期{min(days)}天"


@pytest.mark.parametrize("lang", ["en_US", "zh_CN"])
@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_mixed_ages_and_no_history(settings: Settings, lang: str, kind: str) -> None:
    req = _req(lang, kind)
    text = LetterBuilder(settings).render(req)
    assert _expected_ages(req.action, lang) in text.body
    assert "or more" not in text.body and "以上" not in text.body
    assert not re.search(r"despite|earlier reminders|尽管|多次|此前", text.body, re.IGNORECASE)
    for row, ln in zip(text.table_rows, req.action.lines, strict=True):
        assert row[3] == str(ln.days_past_due)  # each invoice its own age in the table
    assert text.history == ()


@pytest.mark.parametrize("lang", ["en_US", "zh_CN"])
@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_a_long_history_is_stated_and_listed(settings: Settings, lang: str, kind: str) -> None:
    req = _req(lang, kind, HISTORY)
    builder = LetterBuilder(settings)
    text = builder.render(req)
    n = len(req.history)
    assert (f"despite the {n} reminders we sent earlier" if lang == "en_US" else f"尽管本所此前已{n}次发出提醒") \
        in text.body
    assert len(text.history) == n
    words = document_text(docx.Document(io.BytesIO(builder.layout(text))))
    assert text.labels["history_none"] not in words  # never "despite …" and "no earlier reminders" together


def test_a_letter_never_says_both_despite_and_none_sent(settings: Settings) -> None:
    builder = LetterBuilder(settings)
    for history in ((), HISTORY[:1], HISTORY):
        for lang in ("en_US", "zh_CN"):
            text = builder.render(_req(lang, "escalation", history))
            words = document_text(docx.Document(io.BytesIO(builder.layout(text))))
            claims = bool(re.search(r"despite|尽管", words, re.IGNORECASE))
            assert claims is bool(history) and (text.labels["history_none"] in words) is (not history)


def test_the_offer_never_expires_before_the_letters_deadline(settings: Settings) -> None:
    builder = LetterBuilder(settings)
    plain = builder.render(_req("en_US", "escalation"))
    respond_by = builder.calendar().add_business_days(TODAY, 10)
    early = TODAY + timedelta(days=5)
    offer = {"kind": "extension", "currency": "USD", "balance": "1470.00", "new_due_date": TODAY + timedelta(days=40),
             "respond_by": early}
    with_offer = builder.render(_req("en_US", "escalation", offer=offer))
    assert "March 16, 2026" in plain.body and respond_by == date(2026, 3, 16)
    assert "March 7, 2026" in with_offer.body and "March 16, 2026" not in with_offer.body


# ---------------------------------------------------------------- the firm's words only
def test_a_client_named_criminal_or_police_gets_its_letter(settings: Settings) -> None:
    client = replace(CLIENT, name="Criminal Defense Partners LLC",
                     address=Address("1 Police Plaza", "", "New York", "10038", "NY", "United States"))
    data = LetterBuilder(settings).build(_req("en_US", "escalation", client=client))
    assert "Criminal Defense Partners LLC" in document_text(docx.Document(io.BytesIO(data)))


@pytest.mark.parametrize(("lang", "threat"), [("en_US", "We may also report you to the IRS and immigration."),
                                              ("zh_CN", "否则本所将向税务机关举报，并申请将贵司列入失信名单。")])
def test_a_template_threatening_administrative_action_is_refused(tmp_path: Path, lang: str, threat: str) -> None:
    own = tmp_path / "own_letters" / lang
    own.mkdir(parents=True)
    (own / "escalation.body.txt.j2").write_text(f"Please pay {{{{ total_text }}}}.\n\n{threat}\n", encoding="utf-8")
    s = make_settings(tmp_path, extra='templates_dir = "own_letters"')
    with pytest.raises(PolicyError, match="forbidden wording"):
        LetterBuilder(s).render(_req(lang, "escalation"))


def test_staff_edits_are_checked_but_the_clients_name_is_not(settings: Settings) -> None:
    client = replace(CLIENT, name="Metro Police Benevolent Association")
    builder = LetterBuilder(settings)
    draft = builder.build(_req("en_US", "escalation", client=client))
    draft_words = document_text(docx.Document(io.BytesIO(draft)))

    def edited(extra: str) -> bytes:
        doc = docx.Document(io.BytesIO(draft))
        doc.add_paragraph(extra)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    ok = edited("We are grateful to the Metro Police Benevolent Association for its custom.")
    inspect_docx(ok, 10_000_000, draft_text=draft_words, client_data=(client.name,))
    with pytest.raises(PolicyError, match="irs"):
        inspect_docx(edited("Otherwise we will report you to the IRS."), 10_000_000, draft_text=draft_words,
                     client_data=(client.name,))
    with pytest.raises(PolicyError, match="disciplinary"):
        inspect_docx(edited("We may file a disciplinary complaint."), 10_000_000, draft_text=draft_words)


# ---------------------------------------------------------------- addresses and phone
def test_addresses_in_each_countrys_order(settings: Settings) -> None:
    builder = LetterBuilder(settings)
    us = builder.render(_req("en_US", "escalation"))
    a = CLIENT.address
    assert f"{a.city}, {a.state} {a.zip}" in us.address_lines
    assert f"{a.zip} {a.city}" not in " ".join(us.address_lines)
    zh_client = replace(ZH_CLIENT, address=Address("世纪大道100号", "浦东新区", "上海市", "200120", "上海市", "中国"))
    zh = builder.render(_req("zh_CN", "escalation", client=zh_client))
    assert zh.address_lines[1:] == ("中国", "上海市浦东新区", "世纪大道100号", "邮编：200120")


def test_one_verification_phone_for_letters_and_emails(tmp_path: Path) -> None:
    s = make_settings(tmp_path, extra='[payment]\nverify_phone = "+1 212 555 0177"\n'
                                      '[[payment.channels]]\nlabel = "Bank transfer"\ndetails = ["Account 1"]\n')
    text = LetterBuilder(s).render(_req("en_US", "escalation"))
    email_phone = shared_for(s, TODAY).verify_phone
    assert email_phone == "+1 212 555 0177" and email_phone in text.closing
    assert s.firm.phone not in text.closing


# ---------------------------------------------------------------- the .docx
def _xml(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name).decode("utf-8")


@pytest.mark.parametrize("lang", ["en_US", "zh_CN"])
def test_chinese_is_tagged_as_chinese_and_dates_do_not_wrap(settings: Settings, lang: str) -> None:
    data = LetterBuilder(settings).build(_req(lang, "escalation"))
    styles = _xml(data, "word/styles.xml")
    normal = styles[styles.index('w:styleId="Normal"'):]
    normal = normal[:normal.index("</w:style>")]
    assert re.search(r'<w:rFonts [^>]*w:eastAsia="SimSun"', normal)
    assert re.search(r'<w:lang [^>]*w:eastAsia="zh-CN"', normal)
    body = _xml(data, "word/document.xml")
    rows = re.findall(r"<w:tr>.*?</w:tr>", body, re.S)
    assert rows
    for row in rows:
        cells = re.findall(r"<w:tc>.*?</w:tc>", row, re.S)
        assert all("<w:noWrap/>" in cells[i] for i in (1, 2))  # issue date and due date


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdffonts") is None
                    or shutil.which("pdftoppm") is None,
                    reason="LibreOffice (soffice) and poppler-utils (pdffonts, pdftoppm) are not installed")
@pytest.mark.parametrize("lang", ["en_US", "zh_CN"])
def test_letters_convert_to_pdf_and_png_with_a_simplified_chinese_face(settings: Settings, tmp_path: Path,
                                                                       lang: str) -> None:
    src = tmp_path / f"letter-{lang}.docx"
    src.write_bytes(LetterBuilder(settings).build(_req(lang, "escalation", client=ZH_CLIENT
                                                       if lang == "zh_CN" else replace(CLIENT, name="华东贸易有限公司"))))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    pdf = src.with_suffix(".pdf")
    assert pdf.stat().st_size > 0
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    assert list(tmp_path.glob("page*.png"))
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True, timeout=60).stdout
    cjk = [ln for ln in fonts.splitlines() if re.search(r"CJK|Han|Song|Sun|Hei|Ming|Gothic|Mincho", ln, re.I)]
    assert cjk, fonts
    assert all(re.search(r"SC|Simplified|SimSun|Song|Hei", ln) for ln in cjk), fonts
    assert not any(re.search(r"JP|Japanese|Gothic|Mincho", ln) for ln in cjk), fonts
