"""The offer email and the offer section, per shipped language, for every kind of offer."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from offer_factory import CLIENT, DESK, NOW, TODAY, US
from sqlalchemy import update

from overdue_reminder.config import PaymentChannel, Settings
from overdue_reminder.core.offers import Offer, combined, extension, installment_plan, offer_context, settlement
from overdue_reminder.resources import templates_root
from overdue_reminder.services import offers as offer_service
from overdue_reminder.store import Store
from overdue_reminder.store.schema import clients

BAL = Decimal("9000.00")
LANGS = ["en_US", "zh_CN"]


def offers() -> dict[str, Offer]:
    start = TODAY + timedelta(days=7)
    return {
        "installments": installment_plan(BAL, "USD", 3, "monthly", Decimal("900.00"), start, US, offered_on=TODAY),
        "settlement": settlement(BAL, "USD", Decimal(5), TODAY + timedelta(days=14), US, offered_on=TODAY),
        "extension": extension(BAL, "USD", 30, US, today=TODAY),
        "combined": combined(BAL, "USD", US, today=TODAY, discount_percent=Decimal(4), extension_days=20, n=3,
                             down_payment=Decimal("900.00"), interest_percent=Decimal(2)),
    }


def env() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(templates_root())), undefined=StrictUndefined,
                                         autoescape=lambda n: bool(n) and str(n).endswith(".html.j2"),
                                         trim_blocks=True, lstrip_blocks=True)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["installments", "settlement", "extension", "combined"])
def test_offer_section_renders_every_kind(lang: str, kind: str) -> None:
    offer = offers()[kind]
    ctx = offer_context(offer, lang)
    for part in ("txt", "html"):
        out = env().get_template(f"offers/{lang}/_offer_section.{part}.j2").render(offer=ctx)
        for item in ctx["schedule"]:
            assert item["due"] in out and item["amount"] in out
        assert ctx["respond_by_text"] in out
    if kind == "combined":
        assert ctx["written_terms"] and ctx["plan"]["interest"]
        assert ("independent legal advice" if lang == "en_US" else "独立律师") in ctx["summary"]


def test_context_formats_each_currency_in_the_client_locale() -> None:
    jpy = installment_plan(Decimal(100000), "JPY", 3, "weekly", Decimal(0), TODAY + timedelta(days=3), US,
                           offered_on=TODAY)
    en, zh = offer_context(jpy, "en_US"), offer_context(jpy, "zh_CN")
    assert en["balance"] == "¥100,000" and zh["balance"] == "JP¥100,000"
    assert [s["amount"] for s in en["schedule"]] == ["¥33,334", "¥33,333", "¥33,333"]
    assert en["plan"]["frequency_text"] == "weekly" and zh["plan"]["frequency_text"] == "按周"
    assert zh["respond_by_text"] == "2026年11月23日" and en["respond_by"] == date(2026, 11, 23)
    kwd = settlement(Decimal("1000.000"), "KWD", Decimal("2.5"), TODAY, US, offered_on=TODAY)
    assert offer_context(kwd, "en_US")["settlement"]["amount"] == "KWD975.000"


@pytest.fixture
def hostile(desk: Store) -> Store:
    """A client name carrying HTML, jinja2 syntax and a header-injection attempt."""
    with desk.begin() as conn:
        conn.execute(update(clients).where(clients.c.id == CLIENT.id)
                     .values(name="Acme <script>alert(1)</script> {{ 7*7 }}\r\nBcc: x@evil.example"))
    return desk


@pytest.mark.parametrize("lang", LANGS)
def test_offer_email_renders_safely_in_each_language(hostile: Store, settings: Settings, lang: str) -> None:
    settings = dataclasses.replace(settings, payment=dataclasses.replace(
        settings.payment, verify_phone="+1 212 555 0100",
        channels=[PaymentChannel("Bank transfer", ["ABA 021000021", "Account 12345"], labels={"zh_CN": "银行转账"})]))
    rec = offer_service.propose(hostile, settings, client_id=100, offer=offers()["installments"], by=DESK, now=NOW)
    out = offer_service.render_offer_email(hostile, settings, rec, lang)
    assert out.language == lang
    assert "\n" not in out.subject and "\r" not in out.subject and str(rec.id) in out.subject
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html
    assert "{{ 7*7 }}" in out.text and "49" not in out.subject
    assert "Jane Doe" in out.text  # the billing contact of record is greeted
    for part in (out.text, out.html):
        assert "+1 212 555 0100" in part and "ABA 021000021" in part
        assert "INV/2026/1001" in part and "M-2026-001" in part
        assert ("$2,700.00" if lang == "en_US" else "US$2,700.00") in part
    assert ("银行转账" if lang == "zh_CN" else "Bank transfer") in out.text


def test_unknown_language_falls_back_to_the_firm_default(desk: Store, settings: Settings) -> None:
    rec = offer_service.propose(desk, settings, client_id=100, offer=offers()["extension"], by=DESK, now=NOW)
    assert offer_service.render_offer_email(desk, settings, rec, "fr_FR").language == "en_US"
    assert offer_service.render_offer_email(desk, settings, rec, "zh_TW").language == "zh_CN"
    # No published number configured: the verification line still tells the client how to check.
    assert "calling us on our office number" in offer_service.render_offer_email(desk, settings, rec, "en_US").text
