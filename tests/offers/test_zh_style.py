"""Every zh_CN output (reminder emails, offer emails, letters) follows docs/zh_CN-style.md mechanically:
no half-width colon or comma next to Chinese, no ASCII space between Chinese and a digit, and no English word
outside parentheses except the data it quotes (names, numbers, references, URLs, e-mail addresses, currency codes).
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from offer_factory import CLERK, CONTACT, DESK, NOW, TODAY, US, make_settings
from test_offers_templates import offers

from overdue_reminder.config import LETTER_KINDS, ChannelText, PaymentChannel, Settings
from overdue_reminder.core.letter_docx import DRAFT_MARKER, LetterBuilder, document_text, open_docx, sample_request
from overdue_reminder.core.offers import installment_plan, offer_context
from overdue_reminder.core.reminder_text import SHIPPED_TIERS, Templates, render_action, sample_actions, shared_for
from overdue_reminder.model import Attorney, Partner
from overdue_reminder.services import contacts
from overdue_reminder.services import offers as offer_service
from overdue_reminder.store import Store

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
HALF_WIDTH = re.compile(f"[{HAN}] ?[:,;(]|[:,;)] ?[{HAN}]")
SPACED_DIGIT = re.compile(f"[{HAN}][ \t]+[0-9]|[0-9][ \t]+[{HAN}]")
WORD = re.compile(r"[A-Za-z]{2,}")
CURRENCIES = {"USD", "JPY", "EUR", "CNY", "GBP"}
CHANNEL_DETAILS = ["Example Bank N.A.", "Account 000123456"]
CHANNEL_DETAILS_ZH = ["示例银行（纽约）", "账号000123456"]
CHANNEL_CODES = ["BKCHCNBJ110", "DE89 3704 0044 0532 0130 00"]  # SWIFT/BIC and IBAN: data, quoted as they are
PAY_LINKS = {i: f"https://odoo.harperlowe.example/my/invoices/{i}?access_token=tok{i}" for i in range(1, 7)}


def style_problems(text: str, data: Iterable[str] = ()) -> list[str]:
    """The style sheet's mechanical rules, on one rendered output; `data` are the values it quotes."""
    rest = text
    for value in sorted({d for d in data if d}, key=len, reverse=True):
        rest = rest.replace(value, "\u25a1")  # quoted data may hold any punctuation: it is not the firm's text
    found = [f"half-width punctuation: {m.group(0)!r}" for m in HALF_WIDTH.finditer(rest)]
    found += [f"space between Chinese and a digit: {m.group(0)!r}" for m in SPACED_DIGIT.finditer(rest)]
    rest = re.sub(r"https?://\S+|[\w.+-]+@[\w.-]+|[A-Z]{1,3}[$¥€£]", " ", rest)
    for _ in range(3):  # parenthesised text may nest: (…(…)…)
        rest = re.sub(r"\([^()（）]*\)|（[^()（）]*）", " ", rest)
    found += [f"English outside parentheses: {w!r}" for w in WORD.findall(rest) if w not in CURRENCIES]
    return found


def _plain(part: str) -> str:
    part = re.sub(r"<style.*?</style>", " ", part, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", part))


@pytest.mark.parametrize(("text", "rule"), [
    ("已逾期 105 天以上", "space"), ("请于 2026年11月20日 前付款", "space"), ("附件: UCS 137-1", "half-width"),
    ("应付金额 (CNY): ¥1,000.00", "half-width"), ("汇款请注明ABA routing号码", "English"),
    ("本所,敬上", "half-width"),
])
def test_the_checker_catches_what_the_issue_found(text: str, rule: str) -> None:
    assert any(rule in p for p in style_problems(text)), style_problems(text)


@pytest.mark.parametrize("text", ["已逾期105天", "请于2026年11月20日前付款", "附件：《客户仲裁权利通知》（UCS 137-1）",
                                  "应付金额（USD）：US$5,750.50", "律师费账单INV/2026/0001"])
def test_the_checker_accepts_the_style(text: str) -> None:
    assert style_problems(text, ["INV/2026/0001"]) == []


def _settings() -> Settings:
    base = make_settings()
    firm = dataclasses.replace(base.firm, name="Harper & Lowe LLP", phone="+1 212 555 0100",
                               address=["350 Fifth Avenue, Suite 4100", "New York, NY 10118"],
                               email="billing@harperlowe.example", website="https://harperlowe.example",
                               timezone="America/New_York")
    # Channel details are the firm's own words: a zh_CN reminder prints their zh_CN translation, checked here
    # like every other sentence (not masked as quoted data).
    channel = PaymentChannel("Bank transfer", CHANNEL_DETAILS, labels={"zh_CN": "银行转账"}, swift=CHANNEL_CODES[0],
                             iban=CHANNEL_CODES[1], intermediary_bank="JPMorgan Chase Bank, New York",
                             reference="{invoice_number}",
                             translations={"zh_CN": ChannelText(details=CHANNEL_DETAILS_ZH,
                                                                intermediary_bank="摩根大通银行（纽约）")})
    return dataclasses.replace(base, firm=firm, payment=dataclasses.replace(base.payment, channels=[channel]))


def _firm_data(s: Settings) -> list[str]:
    f = s.firm
    return [f.name, *f.address, f.phone, f.email, f.website, *CHANNEL_CODES, DRAFT_MARKER]


@pytest.mark.parametrize("company", [True, False])
@pytest.mark.parametrize("tier", SHIPPED_TIERS)
def test_every_reminder_email_in_chinese_follows_the_style(tier: str, company: bool) -> None:
    s = _settings()
    run = date(2026, 3, 10)
    attorney = Attorney(9100, "Jordan Counsel", "jc", "jc@firm.example")
    partners = {9001: Partner(9001, "Sample Client Ltd", 9001, is_company=company),
                9002: Partner(9002, "Alex Sample", 9001)}
    plan = offers()["installments"]
    shared = shared_for(s, run, partners=partners, attorneys={9100: attorney},
                        offers={9001: offer_context(plan, "zh_CN")}, pay_links=PAY_LINKS)
    for sample in sample_actions(run):
        a = dataclasses.replace(sample, tier=tier, language="zh_CN")
        r = render_action(Templates(), a, shared, "R-SAMPLE0000")
        data = [*_firm_data(s), "Sample Client Ltd", "Alex Sample", "Jordan Counsel", "R-SAMPLE0000",
                *(ln.name for ln in a.lines), *(ln.matter_ref for ln in a.lines)]
        for part in (r.subject, r.text, _plain(r.html)):
            assert style_problems(part, data) == [], (tier, part)
        assert CHANNEL_DETAILS_ZH[0] in r.text and "摩根大通银行" in r.text and "【在线付款】" in r.text
        you = "贵司" if company else "您"
        other = "您" if company else "贵司"
        body = r.text.split("【付款方式】")[0].split("您好！", 1)[1]
        assert you in r.text and other not in body and "贵方" not in r.text


def test_an_untranslated_channel_fails_the_zh_style_check() -> None:
    """The check above is not vacuous: a channel without zh_CN words puts English into the zh_CN email."""
    s = _settings()
    plain = dataclasses.replace(s.payment.channels[0], translations={})
    s = dataclasses.replace(s, payment=dataclasses.replace(s.payment, channels=[plain]))
    run = date(2026, 3, 10)
    shared = shared_for(s, run, partners={9001: Partner(9001, "Sample Client Ltd", 9001, is_company=True)})
    a = dataclasses.replace(sample_actions(run)[0], tier="friendly", language="zh_CN")
    r = render_action(Templates(), a, shared, "R-SAMPLE0000")
    found = style_problems(r.text, [*_firm_data(s), "Sample Client Ltd", "R-SAMPLE0000", *(ln.name for ln in a.lines),
                                    *(ln.matter_ref for ln in a.lines)])
    assert any("Example" in p or "Account" in p or "JPMorgan" in p for p in found), found


@pytest.mark.parametrize("told_us", [False, True])
@pytest.mark.parametrize("kind", ["installments", "settlement", "extension", "combined"])
def test_every_offer_email_in_chinese_follows_the_style(desk: Store, kind: str, told_us: bool) -> None:
    s = _settings()
    if told_us:
        contacts.log_contact(desk, s, client_id=100, reason="financial_hardship", note="cash flow", by=CLERK,
                             now=NOW)
    rec = offer_service.propose(desk, s, client_id=100, offer=offers()[kind], by=DESK, now=NOW)
    out = offer_service.render_offer_email(desk, s, rec, "zh_CN")
    data = [*_firm_data(s), "Acme Holdings Ltd", CONTACT.name, "Alex Morgan", "INV/2026/1001", "INV/2026/1002",
            "M-2026-001"]
    for part in (out.subject, out.text, _plain(out.html)):
        assert style_problems(part, data) == [], part
    assert ("感谢" in out.text) is told_us  # thanks "for telling us" only when the client did
    en = offer_service.render_offer_email(desk, s, rec, "en_US")
    assert ("letting us know" in en.text) is told_us


def test_installments_are_stated_exactly_and_after_the_down_payment() -> None:
    """split_even leaves a remainder: "each" is said only when every installment is that amount."""
    plan = offers()["installments"]  # 8,100.00 in 3: 2,700.00 each
    uneven = installment_plan(Decimal("62869.91"), "CNY", 3, "monthly", Decimal("0.01"), TODAY + timedelta(days=7),
                              US, offered_on=TODAY)  # 62,869.90 in 3: 20,956.64 and 20,956.63 twice
    amounts = [i.amount for i in uneven.installments]
    assert len(set(amounts)) > 1
    for lang in ("zh_CN", "en_US"):
        ctx = offer_context(uneven, lang)
        summary = ctx["summary"]
        fmt = [s["amount"] for s in ctx["schedule"] if s["label"] == "installment"]
        each = ("每期" + fmt[0]) if lang == "zh_CN" else f"installments of {fmt[0]}"
        assert each not in summary
        assert fmt[0] in summary and (fmt[-1] in summary or fmt[1] in summary)
        down = ctx["plan"]["down_payment"]
        assert summary.index(down) < summary.index(fmt[0])  # the down payment comes first
    even = offer_context(plan, "zh_CN")
    assert "每期" + even["plan"]["installment_amount"] in even["summary"]


@pytest.mark.parametrize("kind", LETTER_KINDS)
@pytest.mark.parametrize("code", ["NY", "CA", "NJ"])
def test_every_letter_in_chinese_follows_the_style(kind: str, code: str) -> None:
    s = _settings()
    req = sample_request(s, "zh_CN", kind=kind, jurisdiction=code)
    builder = LetterBuilder(s)
    text = document_text(open_docx(builder.build(req)), headers=False)
    addr = req.client.address
    data = [*_firm_data(s), req.client.name, addr.street, addr.street2, addr.city, addr.country,
            "Springfield, NY 10001", "Alex Morgan", "alex.morgan@firm.example",
            *(ln.name for ln in req.action.lines), *(ln.matter_ref for ln in req.action.lines)]
    assert style_problems(text, data) == [], text
    assert "贵司" in text and "贵方" not in text and "负责律师" not in text and "应收账款部" not in text
