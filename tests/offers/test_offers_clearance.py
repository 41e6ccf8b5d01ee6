"""Offers are cleared when proposed and when accepted: a client in bankruptcy, represented by other counsel, asking
for no contact or disputing the bill gets no offer, and an accepted offer beyond staff authority needs the proven
attorney's approval on record."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from offer_factory import ALEX, NOW, TODAY, US

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.core.offers import installment_plan
from overdue_reminder.errors import PolicyError
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services.holds import add_hold
from overdue_reminder.store import Store

CLERK = Actor("clerk@firm.example", Role.STAFF, "os-user:clerk")
ALEX_PROVEN = Actor(ALEX.login, Role.ATTORNEY, "odoo-login", ALEX.id)
LEGAL = ["bankruptcy", "other_counsel", "do_not_contact", "dispute"]


def _plan(n: int) -> object:
    return installment_plan(Decimal("9000.00"), "USD", n, "monthly", Decimal("900.00"), TODAY + timedelta(days=7), US,
                            offered_on=TODAY)


@pytest.mark.parametrize("kind", LEGAL)
def test_no_offer_is_proposed_under_a_legal_hold(seeded: Store, settings: Settings, kind: str) -> None:
    add_hold(seeded, client_id=100, kind=kind, reason="counsel's letter", by=CLERK, now=NOW)
    with pytest.raises(PolicyError, match="Holds stop contact"):
        offer_service.propose(seeded, settings, client_id=100, offer=_plan(3), by=CLERK, now=NOW)  # type: ignore[arg-type]
    assert offer_service.list_offers(seeded, client_id=100) == []


@pytest.mark.parametrize("kind", LEGAL)
def test_no_offer_is_accepted_under_a_legal_hold(seeded: Store, settings: Settings, kind: str) -> None:
    rec = offer_service.propose(seeded, settings, client_id=100, offer=_plan(3), by=CLERK, now=NOW)  # type: ignore[arg-type]
    assert rec.status == "proposed"
    add_hold(seeded, client_id=100, kind=kind, reason="filed", by=CLERK, now=NOW)
    with pytest.raises(PolicyError, match="Holds stop contact"):
        offer_service.accept(seeded, settings, rec.id, by=CLERK, now=NOW)
    assert offer_service.get_offer(seeded, rec.id).status == "proposed"


def test_a_pause_does_not_stop_the_clients_own_acceptance(seeded: Store, settings: Settings) -> None:
    rec = offer_service.propose(seeded, settings, client_id=100, offer=_plan(3), by=CLERK, now=NOW)  # type: ignore[arg-type]
    add_hold(seeded, client_id=100, kind="pause", reason="awaiting the client's answer", by=CLERK, now=NOW)
    assert offer_service.accept(seeded, settings, rec.id, by=CLERK, now=NOW).status == "good_standing"


def test_an_offer_beyond_staff_authority_needs_the_proven_attorney(seeded: Store, settings: Settings) -> None:
    rec = offer_service.propose(seeded, settings, client_id=100, offer=_plan(8), by=CLERK, now=NOW)  # type: ignore[arg-type]
    assert rec.status == "awaiting_attorney"
    for who in (CLERK, Actor(ALEX.login, Role.ATTORNEY, "", ALEX.id), Actor("blair", Role.ATTORNEY, "odoo-login", 8)):
        with pytest.raises(PolicyError, match="Proven authority"):
            offer_service.approve(seeded, settings, rec.id, by=who, now=NOW)
    assert offer_service.approve(seeded, settings, rec.id, by=ALEX_PROVEN, now=NOW).status == "proposed"
    assert offer_service.accept(seeded, settings, rec.id, by=CLERK, now=NOW).status == "good_standing"


def test_an_unproven_clerk_proposes_nothing(seeded: Store, settings: Settings) -> None:
    with pytest.raises(PolicyError, match="did not prove"):
        offer_service.propose(seeded, settings, client_id=100, offer=_plan(3), by="clerk", now=NOW)  # type: ignore[arg-type]
