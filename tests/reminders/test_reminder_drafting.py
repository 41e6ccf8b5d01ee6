"""Templates, language fallback, Babel formatting, the templates check, and injection safety."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from babel import Locale
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from reminder_factory import ATTORNEY, NOW, PHONE, RUN, action, line, make_settings, plan, seed

from overdue_reminder.config import Settings
from overdue_reminder.core import reminder_text as drafting
from overdue_reminder.core.reminder_text import (
    SHIPPED_TIERS,
    Formatter,
    Templates,
    check_templates,
    render_action,
    shared_for,
)
from overdue_reminder.errors import ConfigError
from overdue_reminder.model import Attorney, InvoiceKind, Partner
from overdue_reminder.money import quantize
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store


def _shared(settings: Settings, **kw: object) -> drafting.Shared:
    partners = {100001: Partner(100001, "Alex Contact", 1)}
    return shared_for(settings, RUN, partners=partners, attorneys={ATTORNEY.id: ATTORNEY}, **kw)  # type: ignore[arg-type]


def test_shipped_templates_pass_the_check(settings: Settings) -> None:
    assert check_templates(settings, RUN) == []


@pytest.mark.parametrize("tier", SHIPPED_TIERS)
@pytest.mark.parametrize("lang", ["en_US", "zh_CN"])
def test_every_tier_renders_in_both_languages_with_channels_and_verification(settings: Settings, tier: str,
                                                                             lang: str) -> None:
    a = action(1, tier=tier, language=lang, lines=[line(11, days=45, total="4000.00", paid="1000.00"),
                                                  line(12, days=12, total="250000", currency="JPY")])
    r = render_action(Templates(), a, _shared(settings), "R-0123456789")
    assert r.language == lang
    assert "\n" not in r.subject and "Harper & Lowe LLP" in r.subject
    for body in (r.text, r.html):
        assert PHONE in body
        assert "R-0123456789" in body
        assert "INV/2026/00011" in body and "2025-0193" in body
    if lang == "en_US":
        assert r.text.startswith("Dear Alex Contact,")
        assert "$3,000.00" in r.text and "¥250,000" in r.text
        assert "Bank transfer (USD)" in r.text and "Bank transfer (USD)" in r.html
        assert "Maria Lopez" in r.text
    else:
        assert r.text.startswith("尊敬的Alex Contact：")
        assert "US$3,000.00" in r.text and "JP¥250,000" in r.text
        assert "银行转账（美元）" in r.text and "银行转账（美元）" in r.html
        assert "此致" in r.text and '<html lang="zh-CN">' in r.html
        assert "Dear" not in r.text


def test_tone_firms_up_by_tier(settings: Settings) -> None:
    shared = _shared(settings)
    texts = {t: render_action(Templates(), action(1, tier=t), shared, "R-X").text for t in SHIPPED_TIERS}
    assert "courtesy" in texts["courtesy"].lower()
    assert "friendly reminder" in texts["friendly"]
    assert "by March 24, 2026" in texts["firm"]  # 10 business days after the run date
    assert "final reminder" in texts["final"] and "fee arbitration" in texts["final"]
    assert "referred to Maria Lopez" in texts["escalation"]
    for t in texts.values():  # LAW.md #10: no threats of prosecution, no "legal action"
        assert "criminal" not in t.lower() and "legal action" not in t.lower() and "prosecut" not in t.lower()


def test_pre_due_courtesy_and_credit_notes_and_interest(settings: Settings) -> None:
    pre = action(1, tier="courtesy", lines=[line(11, days=-3)])
    text = render_action(Templates(), pre, _shared(settings), "R-X").text
    assert "falls due on March 13, 2026" in text and "due in 3 days" in text
    mixed = action(2, lines=[line(21, days=30, total="1000.00"),
                             line(22, days=5, total="200.00", kind=InvoiceKind.CREDIT_NOTE)],
                   interest={"USD": Decimal("12.50")})
    text = render_action(Templates(), mixed, _shared(settings), "R-X").text
    assert "Credit note INV/2026/00022" in text and "Credit available $200.00" in text
    assert "Interest under your engagement terms: $12.50" in text
    assert "Balance due: $812.50" in text  # 1000 - 200 + 12.50


def test_offer_is_shown_only_when_the_tier_carries_one(settings: Settings) -> None:
    offer = {"summary": "We can offer three monthly installments.", "lines": ["April 1: $500.00"],
             "respond_by": RUN}
    shared = _shared(settings, offers={1: offer})
    with_offer = render_action(Templates(), action(1, tier="final", with_offer=True), shared, "R-X")
    without = render_action(Templates(), action(1, tier="final"), shared, "R-X")
    assert "three monthly installments" in with_offer.text and "April 1: $500.00" in with_offer.html
    assert "installments" not in without.text


def test_language_fallback_chain() -> None:
    t = Templates(default_language="en_US")
    assert t.chain("zh_TW")[:3] == ["zh_TW", "zh", "zh_CN"]
    assert t.resolve("zh_TW", "friendly").language == "zh_CN"
    assert t.resolve("zh-cn", "friendly").language == "zh_CN"
    assert t.resolve("en_GB", "friendly").language == "en_US"
    assert t.resolve("fr_FR", "friendly").language == "en_US"
    assert t.resolve("", "friendly").language == "en_US"
    assert Templates(default_language="zh_CN").resolve("de_DE", "firm").language == "zh_CN"


def test_amounts_and_dates_in_the_clients_locale(settings: Settings) -> None:
    t = Templates()
    gb = render_action(t, action(1, language="en_GB", lines=[line(11, total="1234.50", currency="GBP")]),
                       _shared(settings), "R-X")
    assert "£1,234.50" in gb.text and "10 March 2026" in gb.html  # en_US text, British formatting
    de = render_action(t, action(2, language="de_DE", lines=[line(21, total="1234.50", currency="EUR")]),
                       _shared(settings), "R-X")
    assert "€1,234.50" in de.text  # the text is English, so the figures read the English way


_LOCALES = ["en_US", "zh_CN", "de_DE", "fr_FR", "ja_JP", "hi_IN", "de_CH", "ar_EG", "nl_NL", "he_IL", "pt_BR"]
_CURRENCIES = ["USD", "EUR", "CNY", "JPY", "KWD", "INR", "CHF", "GBP"]


@hsettings(max_examples=300, deadline=None)
@given(loc=st.sampled_from(_LOCALES), cur=st.sampled_from(_CURRENCIES),
       amount=st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False,
                          allow_infinity=False, places=4))
def test_fast_currency_format_equals_babel(loc: str, cur: str, amount: Decimal) -> None:
    locale = Locale.parse(loc)
    assert Formatter(locale).money(amount, cur) == format_currency(quantize(amount, cur), cur, locale=locale)


def test_templates_are_compiled_once(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    t = Templates()
    shared = _shared(settings)
    first = render_action(t, action(1), shared, "R-X")
    assert t.resolve("en_US", "friendly") is t.resolve("en_US", "friendly")

    def no_compile(*a: object, **k: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(t.env, "compile", no_compile)
    for _ in range(20):
        assert render_action(t, action(1), shared, "R-X").text == first.text
    assert drafting.templates_for(settings) is drafting.templates_for(settings)


# ---------------------------------------------------------------- overrides and the check
def _override(tmp_path: Path, files: dict[str, str]) -> Settings:
    root = tmp_path / "firm-templates"
    for name, body in files.items():
        p = root / "email" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(body, encoding="utf-8")
    return make_settings(tmp_path, templates_dir=str(root))


def test_firm_override_replaces_a_tier_part_and_a_partial(tmp_path: Path) -> None:
    s = _override(tmp_path, {
        "en_US/friendly.subject.j2": "A gentle note from {{ firm.name }} about {{ invoice_numbers|join(', ') }}\n",
        "en_US/_signature.txt.j2": "Warm regards,\nThe {{ firm.name }} billing team\nRef {{ reference }}\n",
    })
    r = render_action(drafting.templates_for(s), action(1), _shared(s), "R-X")
    assert r.subject == "A gentle note from Harper & Lowe LLP about INV/2026/00011"
    assert "The Harper & Lowe LLP billing team" in r.text and "Accounts Receivable" not in r.text
    assert "Accounts Receivable" in r.html  # the HTML signature was not overridden
    assert check_templates(s, RUN) == []


def test_check_reports_broken_override_with_template_name_and_line(tmp_path: Path) -> None:
    s = _override(tmp_path, {
        "en_US/firm.txt.j2": "{% extends \"en_US/_layout.txt.j2\" %}\n{% block body %}\nPay now.{% endfor %}\n"
                             "{% endblock %}\n",
        "en_US/final.html.j2": "<p>{{ payment.verify_phone }} {{ payment.channels[0].label }} "
                               "{{ payment.channels[1].label }}</p>\n<p>{{ client.nickname }}</p>\n",
        "en_US/courtesy.txt.j2": "Please pay {{ totals[0].amount }}. {{ payment.channels[0].label }} "
                                 "{{ payment.channels[1].label }}\n",
        "en_US/friendly.html.j2": "{{ ''.__class__.__mro__ }}\n",
        "zh_CN/special.subject.j2": "特别提醒\n",
    })
    problems = {(p.template, p.line): p.message for p in check_templates(s, RUN, tiers=["special"])}
    assert ("en_US/firm.txt.j2", 3) in problems  # the stray endfor on line 3
    assert "nickname" in problems[("en_US/final.html.j2", 2)]
    assert "verification phone" in problems[("en_US/courtesy.txt.j2", None)]
    sandbox = [m for (name, _), m in problems.items() if name == "en_US/friendly.html.j2"]
    assert sandbox and "SecurityError" in sandbox[0]
    assert ("zh_CN/special.txt.j2", None) in problems and ("zh_CN/special.html.j2", None) in problems
    assert all(name != "zh_CN/firm.txt.j2" for name, _ in problems)  # zh_CN is untouched and fine


def test_missing_templates_dir_is_a_config_error(tmp_path: Path) -> None:
    s = make_settings(tmp_path, templates_dir=str(tmp_path / "nope"))
    problems = check_templates(s, RUN)
    assert len(problems) == 1 and "does not exist" in problems[0].message


def test_drafting_refuses_without_payment_channels(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    s = replace(s, payment=replace(s.payment, channels=[]))
    with pytest.raises(ConfigError, match=r"payment\.channels"):
        shared_for(s, RUN)


# ---------------------------------------------------------------- injection
EVIL_NAME = ("Evil Corp\r\nBcc: victim@attacker.example\r\n\r\n<script>alert(1)</script>"
             "{{ firm.name }}{% if 1 %}X{% endif %}")
EVIL_REF = "M-1\nX-Injected: yes <b>bold</b> {{ 7*7 }}"


@pytest.mark.parametrize("lang", ["en_US", "zh_CN"])
def test_names_and_references_come_out_inert(settings: Settings, lang: str) -> None:
    from overdue_reminder.services.delivery import build_message
    from overdue_reminder.services.reminders import Reminder

    evil_attorney = Attorney(701, "Mallory\r\nReply-To: x@attacker.example <i>", "m", "m@x.example")
    a = action(1, name=EVIL_NAME, language=lang, attorney_id=701,
               lines=[line(11, name="INV\r\n{{ 7*7 }}<img src=x>", matter=EVIL_REF)])
    shared = shared_for(settings, RUN, partners={a.contact_id: Partner(a.contact_id, EVIL_NAME, 1)},
                        attorneys={701: evil_attorney})
    r = render_action(Templates(), a, shared, "R-X")
    assert "\r" not in r.subject and "\n" not in r.subject
    for body in (r.text, r.html):
        assert "\r" not in body
        assert "{{ 7*7 }}" in body  # data is never compiled as a template
        assert "XHarper" not in body and "{{ firm.name }}{% if 1 %}X{% endif %}" in body
        for ln in body.splitlines():  # the would-be header never starts a line of its own
            assert not ln.startswith(("Bcc:", "X-Injected:", "Reply-To:"))
    assert "<script>" not in r.html and "&lt;script&gt;" in r.html
    assert "<img src=x>" not in r.html and "<b>bold</b>" not in r.html and "<i>" not in r.html
    assert "<script>alert(1)</script>" in r.text  # plain text: shown literally, harmless
    rem = Reminder(
        id=1, client_id=1, client_name=EVIL_NAME, contact_id=a.contact_id, attorney_id=701, tier="friendly",
        tier_index=1, matter_ref="", channel="email", run_date=RUN, invoice_ids=(11,), lines=(), totals={},
        to_address="ap1@client1.example", language=lang, subject=EVIL_NAME + r.subject, body_text=r.text,
        body_html=r.html, status="approved", idempotency_key="a" * 64, message_id="<" + "a" * 64 + "@x.example>",
        created_at=NOW, decided_by=None, decided_at=None, sending_at=None, sent_at=None, note="",
        attorney_review=False, auto_send=False, max_days_past_due=20, staff_notes=(), why="", delivery_ref="")
    raw = build_message(rem, settings, NOW).as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert parsed.get_all("Reply-To") == ["accounts@harperlowe.example"]
    assert [str(a.addr_spec) for a in parsed["To"].addresses] == ["ap1@client1.example"]  # type: ignore[union-attr]
    names = [h.split(b":", 1)[0] for h in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if h[:1] not in b" \t"]
    assert sorted(names) == sorted([b"From", b"To", b"Reply-To", b"Subject", b"Date", b"Message-ID",
                                    b"Content-Language", b"Auto-Submitted", b"X-Overdue-Reminder-Reference",
                                    b"MIME-Version", b"Content-Type"])


def test_context_carries_matter_references_only(settings: Settings) -> None:
    """LAW.md #1: invoice number, amounts, dates and the matter reference; no description of the work."""
    a = action(1, lines=[line(11)])
    fmt = drafting.formatter(Locale.parse("en_US"))
    ctx = drafting.build_context(a, _shared(settings), reference="R-X", language="en_US", fmt=fmt)
    assert set(ctx["invoices"][0]) == {"number", "matter_ref", "kind", "is_credit", "currency", "invoice_date",
                                       "due_date", "days_past_due", "total", "paid", "has_paid", "residual", "credit",
                                       "pay_url"}
    assert ctx["matters"] == ["2025-0193"]
    assert set(ctx) == {"firm", "client", "contact", "salutation_name", "tier", "language", "reference", "run_date",
                        "respond_by", "matter_ref", "matters", "invoices", "invoice_numbers", "invoice_count",
                        "totals", "credits", "unapplied_payments", "interest", "amount_due", "days_past_due",
                        "oldest_due_date", "attorney", "offer", "payment", "oldest_days", "youngest_days",
                        "same_age", "overdue_count", "history_count", "has_history", "first_contact", "prompt",
                        "is_company", "pay_links"}


def test_a_template_failing_while_drafting_names_itself(sqlite_store: Store, tmp_path: Path) -> None:
    s = _override(tmp_path, {"en_US/firm.subject.j2": "Reminder\n{{ client.nickname }}\n"})
    seed(sqlite_store, [action(1, tier="firm")])
    with pytest.raises(ConfigError, match=r"en_US/firm\.subject\.j2:2.*templates check"):
        drafts.draft_plan(sqlite_store, s, plan(action(1, tier="firm")), NOW)
