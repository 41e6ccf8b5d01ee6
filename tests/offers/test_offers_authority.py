"""Authority in the store: staff grant within limits, over-limit waits for the attorney (or the partner),
over-floor is refused; every decision is an audit entry with who and when (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from actors import attorney, partner
from offer_factory import ALEX, CLERK, DESK, NOW, OTHER, PARTNER, TODAY, US, audit_rows, invoice, make_settings
from sqlalchemy import select

from overdue_reminder.config import OfferSettings, Settings
from overdue_reminder.core.offers import authorize, combined, extension, installment_plan, settlement
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.services import contacts
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services.holds import active_holds
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_invoices
from overdue_reminder.store.schema import offers

BAL = Decimal("9000.00")
LATER = NOW + timedelta(hours=2)


def plan(n: int, down: str = "900.00", **kw: object) -> object:
    return installment_plan(BAL, "USD", n, "monthly", Decimal(down), TODAY + timedelta(days=7), US, offered_on=TODAY,
                            **kw)  # type: ignore[arg-type]


def test_decision_levels_pure() -> None:
    s = OfferSettings(supervising_partner=PARTNER)
    assert authorize(plan(3), s, US).level == "staff"  # type: ignore[arg-type]
    over_staff = authorize(plan(8), s, US)  # type: ignore[arg-type]
    assert over_staff.level == "attorney" and "8 installments are more than staff's limit of 6" in over_staff.why
    disc = settlement(BAL, "USD", Decimal(20), TODAY + timedelta(days=14), US, offered_on=TODAY)
    assert authorize(disc, s, US).level == "partner"
    floor = authorize(settlement(BAL, "USD", Decimal(30), TODAY, US, offered_on=TODAY), s, US)
    assert floor.refused and "above the firm's maximum of 25%" in floor.why
    thin = authorize(plan(3, down="100.00"), s, US)  # type: ignore[arg-type]
    assert thin.refused and "below the firm's minimum of 5%" in thin.why
    long_ = authorize(extension(BAL, "USD", 800, US, today=TODAY), s, US)
    assert long_.refused and "longest term of 24 months" in long_.why
    no_partner = authorize(disc, OfferSettings(), US)
    assert no_partner.refused and "no supervising partner" in no_partner.why
    secured = authorize(plan(3, security="a lien on the office lease"), s, US)  # type: ignore[arg-type]
    assert secured.level == "attorney" and secured.written_terms and "independent counsel" in secured.why


def test_staff_proposes_within_authority(seeded: Store, settings: Settings) -> None:
    rec = offer_service.propose(seeded, settings, client_id=100, offer=plan(3), by=DESK, now=NOW,  # type: ignore[arg-type]
                                reason_code="financial_hardship")
    assert rec.status == "proposed" and rec.needs == "staff"
    assert rec.decided_by == CLERK and rec.decided_at == NOW
    assert rec.invoice_ids == (1001, 1002) and rec.residual_at_offer == BAL
    [row] = audit_rows(seeded, object_id=rec.id)
    assert (row.actor, row.action, row.at) == (CLERK, "offer.propose", NOW)
    assert row.detail["authority"] == "staff" and row.detail["reason_code"] == "financial_hardship"


def test_over_staff_waits_for_the_assigned_attorney(seeded: Store, settings: Settings) -> None:
    rec = offer_service.propose(seeded, settings, client_id=100, offer=plan(8), by=DESK, now=NOW)  # type: ignore[arg-type]
    assert rec.status == "awaiting_attorney" and rec.needs == "attorney"
    assert rec.assigned_to == ALEX.email and rec.attorney_id == ALEX.id
    assert "installments" in rec.reason
    with pytest.raises(UsageError, match="only a proposed offer"):
        offer_service.accept(seeded, settings, rec.id, by=DESK, now=NOW)
    intruders = (DESK, attorney(seeded, OTHER.email), "ALEX@firm.example")  # staff, another attorney, a typed name
    for intruder, why in zip(intruders, ("clerk@firm.example is staff", "blair is not the responsible attorney",
                                         "did not prove who they are"), strict=True):
        with pytest.raises(PolicyError, match=f"may not be approved: .*{why}"):
            offer_service.approve(seeded, settings, rec.id, by=intruder, now=LATER)
    done = offer_service.approve(seeded, settings, rec.id, by=attorney(seeded, "ALEX@firm.example"), now=LATER)
    assert done.status == "proposed" and done.decided_by == ALEX.login and done.decided_at == LATER
    trail = [(r.actor, r.action, r.at) for r in audit_rows(seeded, object_id=rec.id)]
    assert trail == [(CLERK, "offer.queue_for_attorney", NOW), (CLERK, "offer.approve_denied", LATER),
                     (OTHER.login, "offer.approve_denied", LATER), ("ALEX@firm.example", "offer.approve_denied", LATER),
                     (ALEX.login, "offer.approve", LATER)]
    assert offer_service.accept(seeded, settings, rec.id, by=DESK, now=LATER).status == "good_standing"


def test_the_attorney_may_also_be_named_by_login(seeded: Store, settings: Settings) -> None:
    rec = offer_service.propose(seeded, settings, client_id=100, offer=plan(8), by=DESK, now=NOW)  # type: ignore[arg-type]
    assert offer_service.approve(seeded, settings, rec.id, by=attorney(seeded, "alex"), now=LATER).status == "proposed"


def test_over_attorney_needs_the_supervising_partner(seeded: Store, settings: Settings) -> None:
    disc = settlement(BAL, "USD", Decimal(20), TODAY + timedelta(days=14), US, offered_on=TODAY)
    rec = offer_service.propose(seeded, settings, client_id=100, offer=disc, by=DESK, now=NOW)
    assert rec.status == "awaiting_attorney" and rec.needs == "partner" and rec.assigned_to == PARTNER
    with pytest.raises(PolicyError, match="only the supervising partner"):
        offer_service.approve(seeded, settings, rec.id, by=attorney(seeded, ALEX.email), now=LATER)
    done = offer_service.approve(seeded, settings, rec.id, by=partner(PARTNER), now=LATER)
    assert done.status == "proposed"
    actions = [(r.actor, r.action) for r in audit_rows(seeded, object_id=rec.id)]
    assert actions == [(CLERK, "offer.queue_for_attorney"), (ALEX.login, "offer.approve_denied"),
                       (PARTNER, "offer.approve")]


def test_over_floor_is_refused_and_never_offered(seeded: Store, settings: Settings) -> None:
    greedy = settlement(BAL, "USD", Decimal(30), TODAY + timedelta(days=14), US, offered_on=TODAY)
    rec = offer_service.propose(seeded, settings, client_id=100, offer=greedy, by=DESK, now=NOW)
    assert rec.status == "refused" and "above the firm's maximum of 25%" in rec.reason
    for act in (offer_service.accept, offer_service.approve):
        with pytest.raises(UsageError):
            act(seeded, settings, rec.id, by=partner(PARTNER), now=LATER)
    with seeded.begin() as conn:
        assert not active_holds(conn, TODAY, [100])
        offered = conn.execute(select(offers.c.id).where(offers.c.status.in_(
            ("proposed", "awaiting_attorney", "accepted", "good_standing")))).all()
    assert offered == []
    [row] = audit_rows(seeded, object_id=rec.id)
    assert (row.actor, row.action, row.at) == (CLERK, "offer.refuse", NOW)
    assert "maximum" in row.detail["reasons"][0]


def test_over_attorney_without_a_partner_is_refused(seeded: Store) -> None:
    s = make_settings(partner="")
    disc = settlement(BAL, "USD", Decimal(20), TODAY + timedelta(days=14), US, offered_on=TODAY)
    rec = offer_service.propose(seeded, s, client_id=100, offer=disc, by=DESK, now=NOW)
    assert rec.status == "refused" and "no supervising partner" in rec.reason


def test_interest_needs_written_terms_and_independent_counsel(seeded: Store, settings: Settings) -> None:
    rec = offer_service.propose(seeded, settings, client_id=100, offer=plan(3, interest_percent=Decimal(4)),  # type: ignore[arg-type]
                                by=DESK, now=NOW)
    assert rec.status == "awaiting_attorney" and rec.written_terms
    assert "independent counsel" in rec.reason
    with pytest.raises(PolicyError, match="written terms"):
        offer_service.approve(seeded, settings, rec.id, by=attorney(seeded, ALEX.email), now=LATER)
    done = offer_service.approve(seeded, settings, rec.id, by=attorney(seeded, ALEX.email), now=LATER,
                                 written_terms_ref="DMS-4411 signed plan agreement")
    assert done.status == "proposed" and done.written_terms_ref == "DMS-4411 signed plan agreement"
    approve_row = audit_rows(seeded, object_id=rec.id)[-1]
    assert approve_row.action == "offer.approve"
    assert approve_row.detail["written_terms_ref"] == "DMS-4411 signed plan agreement"


def test_attorney_rejects_and_staff_record_a_decline(seeded: Store, settings: Settings) -> None:
    rec = offer_service.propose(seeded, settings, client_id=100, offer=plan(8), by=DESK, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="why"):
        offer_service.reject(seeded, settings, rec.id, by=attorney(seeded, ALEX.email), now=LATER, reason=" ")
    alex = attorney(seeded, ALEX.email)
    rejected = offer_service.reject(seeded, settings, rec.id, by=alex, now=LATER, reason="too long for them")
    assert rejected.status == "rejected"
    second = offer_service.propose(seeded, settings, client_id=100, offer=plan(3), by=DESK, now=LATER)
    declined = offer_service.decline(seeded, settings, second.id, by=CLERK, now=LATER, reason="client will pay")
    assert declined.status == "declined"
    assert [(r.actor, r.action) for r in audit_rows(seeded, object_id=second.id)] == [
        (CLERK, "offer.propose"), (CLERK, "offer.decline")]
    assert audit_rows(seeded, object_id=rec.id)[-1].detail["reason"] == "too long for them"


def test_one_open_offer_per_currency_and_not_more_than_owed(seeded: Store, settings: Settings) -> None:
    offer_service.propose(seeded, settings, client_id=100, offer=plan(3), by=DESK, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="already has offer"):
        offer_service.propose(seeded, settings, client_id=100, offer=plan(2), by=DESK, now=NOW)  # type: ignore[arg-type]
    too_much = extension(Decimal("9999.00"), "USD", 10, US, today=TODAY)
    with pytest.raises(UsageError, match="owes nothing"):
        offer_service.propose(seeded, settings, client_id=200, offer=too_much, by=DESK, now=NOW)
    with seeded.begin() as conn:
        store_invoices(conn, [invoice(2001, "500.00", client=200)], NOW)
    with pytest.raises(PolicyError, match=r"owes 500\.00 USD"):
        offer_service.propose(seeded, settings, client_id=200, offer=too_much, by=DESK, now=NOW)


def test_a_dispute_stops_offers_and_goes_to_the_attorney(seeded: Store, settings: Settings) -> None:
    logged = contacts.log_contact(seeded, settings, client_id=100, reason="dispute", note="contests the hours",
                                  by=CLERK, now=NOW)
    assert logged.to_attorney and logged.attorney == ALEX
    with seeded.begin() as conn:
        kinds = [h.kind for h in active_holds(conn, TODAY, [100])]
    assert kinds == ["dispute"]
    with pytest.raises(PolicyError, match="disputes"):
        offer_service.propose(seeded, settings, client_id=100, offer=plan(3), by=DESK, now=NOW)  # type: ignore[arg-type]
    routed = audit_rows(seeded, "contact", logged.contact.id)
    assert [(r.actor, r.action) for r in routed] == [(CLERK, "contact.log"), (CLERK, "contact.route_to_attorney")]
    assert routed[1].detail["attorney"] == ALEX.email
    [sugg] = offer_service.suggest_for_client(seeded, settings, 100, TODAY)
    assert sugg.reason == "dispute" and sugg.result.to_attorney  # type: ignore[union-attr]


def test_dry_run_writes_nothing(seeded: Store, settings: Settings) -> None:
    rec = offer_service.propose(seeded, settings, client_id=100, offer=plan(8), by=DESK, now=NOW,  # type: ignore[arg-type]
                                dry_run=True)
    assert rec.status == "awaiting_attorney"
    with seeded.begin() as conn:
        assert conn.execute(select(offers)).all() == []
    assert audit_rows(seeded) == []


def test_combined_offer_round_trips_through_the_store(seeded: Store, settings: Settings) -> None:
    c = combined(BAL, "USD", US, today=TODAY, discount_percent=Decimal(4), extension_days=20, n=3,
                 down_payment=Decimal("900.00"))
    rec = offer_service.propose(seeded, settings, client_id=100, offer=c, by=DESK, now=NOW)
    assert rec.status == "proposed"
    again = offer_service.get_offer(seeded, rec.id)
    assert again.offer == c
    assert [s.amount for s in again.schedule] == [i.amount for i in c.schedule]
    assert sum(s.amount for s in again.schedule) == BAL - Decimal("360.00")
    assert again.offered_on == TODAY == date(2026, 11, 20)
