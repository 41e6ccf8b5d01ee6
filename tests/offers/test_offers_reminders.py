"""The offer a final-tier reminder carries: only terms staff may grant alone, never to a disputing client."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from offer_factory import ALEX, CLERK, DESK, NOW, TODAY, US, make_settings

from overdue_reminder.config import Settings
from overdue_reminder.core.offers import installment_plan
from overdue_reminder.model import Action
from overdue_reminder.services import contacts
from overdue_reminder.services import offers as offer_service
from overdue_reminder.store import Store


def action(totals: dict[str, Decimal], *, with_offer: bool = True, language: str = "en_US", grade: str = "B",
           client_id: int = 100) -> Action:
    return Action(client_id=client_id, client_name="Acme Holdings Ltd", tier="final", tier_index=3, channel="email",
                  attorney_review=False, auto_send=False, with_offer=with_offer, matter_ref="", lines=(),
                  totals=totals, credits={}, unapplied_payments={}, max_days_past_due=75, attorney_id=ALEX.id,
                  contact_id=101, to_email="jane@acme.example", language=language, grade=grade, reasons=("final",))


def test_final_tier_carries_a_staff_level_suggestion(desk: Store, settings: Settings) -> None:
    usd = {"USD": Decimal("9000.00")}
    got = offer_service.reminder_offers(desk, settings, [action(usd, language="zh_CN")], TODAY)
    ctx = got[100]
    assert ctx["kind"] == "installments" and "分6期按月支付" in ctx["summary"]
    assert ctx["respond_by"] == TODAY + timedelta(days=7)
    assert offer_service.reminder_offers(desk, settings, [action(usd, with_offer=False)], TODAY) == {}
    two = {"USD": Decimal("9000.00"), "EUR": Decimal("10.00")}
    assert offer_service.reminder_offers(desk, settings, [action(two)], TODAY) == {}


def test_over_authority_or_disputed_clients_get_no_automatic_offer(desk: Store, settings: Settings) -> None:
    usd = {"USD": Decimal("9000.00")}
    # Grade A hardship with a longer default plan than staff may grant: not mailed automatically.
    long_plans = make_settings(grade_installments_percent={"A": 300, "B": 100, "C": 67, "D": 50})
    assert offer_service.reminder_offers(desk, long_plans, [action(usd, grade="B")], TODAY)
    assert offer_service.reminder_offers(desk, long_plans, [action(usd, grade="A")], TODAY) == {}
    contacts.log_contact(desk, settings, client_id=100, reason="dispute", note="hours", by=CLERK, now=NOW)
    assert offer_service.reminder_offers(desk, settings, [action(usd)], TODAY) == {}


def test_an_approved_offer_is_repeated(desk: Store, settings: Settings) -> None:
    plan = installment_plan(Decimal("9000.00"), "USD", 2, "monthly", Decimal("1000.00"), TODAY + timedelta(days=3),
                            US, offered_on=TODAY)
    offer_service.propose(desk, settings, client_id=100, offer=plan, by=DESK, now=NOW)
    ctx = offer_service.reminder_offers(desk, settings, [action({"USD": Decimal("9000.00")})], TODAY)[100]
    assert [s["amount"] for s in ctx["schedule"]] == ["$1,000.00", "$4,000.00", "$4,000.00"]
