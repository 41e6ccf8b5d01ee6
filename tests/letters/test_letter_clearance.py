"""A letter is cleared when it is approved and again when it is released: holds stop it, a payment or a changed
balance or its age sends it back as a fresh draft with today's figures, and only a proven attorney decides."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from letter_factory import ATTORNEY, CLIENT, NOW, OTHER_ATTORNEY, PARTNER_EMAIL, TODAY, line, make_action, make_settings
from sqlalchemy import update

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.errors import PolicyError
from overdue_reminder.model import Invoice, InvoiceKind
from overdue_reminder.services.holds import add_hold
from overdue_reminder.services.letters import (
    APPROVED,
    AWAITING,
    SUPERSEDED,
    approve_letter,
    create_letter,
    get_letter,
    list_letters,
    release_letter,
)
from overdue_reminder.store import Store, read_audit
from overdue_reminder.store.ledger import store_invoices
from overdue_reminder.store.schema import invoices

DANA = Actor(ATTORNEY.login, Role.ATTORNEY, "odoo-login", ATTORNEY.id)
SAM = Actor(OTHER_ATTORNEY.login, Role.ATTORNEY, "odoo-login", OTHER_ATTORNEY.id)
PARTNER = Actor(PARTNER_EMAIL, Role.PARTNER, "odoo-api-key", 2)
CLERK = Actor("clerk", Role.STAFF, "os-user:clerk")
LINES = (line(501, "INV/2025/0501", "1200.00"), line(502, "INV/2025/0502", "800.00"))


@pytest.fixture
def desk(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, extra="[policy]\nskip_tiers = true\n")


@pytest.fixture
def ledger(seeded_sqlite: Store) -> Store:
    """The client's two open invoices, 121 days past due, as a sync stored them."""
    invs = [Invoice(ln.invoice_id, ln.name, InvoiceKind.INVOICE, CLIENT.id, CLIENT.id, ATTORNEY.id, ln.matter_ref,
                    ln.currency, ln.amount_total, ln.amount_residual, ln.invoice_date, ln.due_date, "not_paid", True)
            for ln in LINES]
    with seeded_sqlite.begin() as conn:
        store_invoices(conn, invs, NOW)
    return seeded_sqlite


def _letter(store: Store, settings: Settings) -> int:
    return create_letter(store, settings, make_action(LINES), today=TODAY, now=NOW).letter.id


def _residual(store: Store, invoice_id: int, residual: str) -> None:
    with store.begin() as conn:
        conn.execute(update(invoices).where(invoices.c.id == invoice_id).values(
            amount_residual=Decimal(residual), is_open=Decimal(residual) > 0,
            payment_state="partial" if Decimal(residual) > 0 else "paid"))


@pytest.mark.parametrize("who", [SAM, CLERK, Actor(ATTORNEY.login, Role.ATTORNEY, "", ATTORNEY.id)],
                         ids=["other attorney", "billing staff", "unproven name"])
def test_only_the_proven_responsible_attorney_or_partner_approves(ledger: Store, desk: Settings, who: Actor) -> None:
    lid = _letter(ledger, desk)
    with pytest.raises(PolicyError, match="Proven authority"):
        approve_letter(ledger, desk, lid, who, now=NOW)
    assert get_letter(ledger, lid).status == AWAITING
    with ledger.begin() as conn:
        assert any(e.action == "clearance.blocked" for e in read_audit(conn, "letter", lid))
    assert approve_letter(ledger, desk, lid, PARTNER, now=NOW).status == APPROVED


@pytest.mark.parametrize("kind", ["bankruptcy", "other_counsel", "do_not_contact", "dispute", "pause"])
def test_a_hold_placed_after_approval_stops_the_release(ledger: Store, desk: Settings, kind: str) -> None:
    lid = _letter(ledger, desk)
    approve_letter(ledger, desk, lid, DANA, now=NOW)
    hold = add_hold(ledger, client_id=CLIENT.id, kind=kind, reason="notice received", by=CLERK, now=NOW)
    with pytest.raises(PolicyError, match=f"hold #{hold.id}.*Holds stop contact"):
        release_letter(ledger, desk, lid, CLERK, today=TODAY, now=NOW)
    lt = get_letter(ledger, lid)
    assert lt.status == APPROVED and lt.released_at is None  # not lost: it waits for the hold to end


@pytest.mark.parametrize("kind", ["bankruptcy", "other_counsel", "do_not_contact", "dispute"])
def test_a_legal_hold_stops_the_approval(ledger: Store, desk: Settings, kind: str) -> None:
    lid = _letter(ledger, desk)
    hold = add_hold(ledger, client_id=CLIENT.id, kind=kind, reason="chapter 11 filed", by=CLERK, now=NOW)
    with pytest.raises(PolicyError, match=f"hold #{hold.id}.*Holds stop contact"):
        approve_letter(ledger, desk, lid, DANA, now=NOW)
    assert get_letter(ledger, lid).status == AWAITING


@pytest.mark.parametrize("change", ["paid", "residual"])
def test_a_payment_after_approval_brings_it_back_with_todays_figures(ledger: Store, desk: Settings,
                                                                    change: str) -> None:
    lid = _letter(ledger, desk)
    approve_letter(ledger, desk, lid, DANA, now=NOW)
    if change == "paid":
        _residual(ledger, 502, "0")
    else:
        _residual(ledger, 501, "700.00")
    with pytest.raises(PolicyError, match="Figures as of today") as err:
        release_letter(ledger, desk, lid, CLERK, today=TODAY, now=NOW)
    assert get_letter(ledger, lid).status == SUPERSEDED
    fresh = [lt for lt in list_letters(ledger, status=AWAITING) if lt.id != lid]
    assert len(fresh) == 1 and f"letter {fresh[0].id} with today's figures" in str(err.value)
    expected = Decimal("1200.00") if change == "paid" else Decimal("1500.00")
    assert fresh[0].totals == {"USD": expected}
    assert approve_letter(ledger, desk, fresh[0].id, DANA, now=NOW).status == APPROVED
    assert release_letter(ledger, desk, fresh[0].id, CLERK, today=TODAY, now=NOW)[0].status == "sent"


def test_an_old_approval_expires(ledger: Store, desk: Settings) -> None:
    lid = _letter(ledger, desk)
    approve_letter(ledger, desk, lid, DANA, now=NOW)
    later = NOW + timedelta(days=desk.letters.max_age_days + 1)
    with pytest.raises(PolicyError, match="Nothing stale leaves"):
        release_letter(ledger, desk, lid, CLERK, today=later.date(), now=later)
    assert get_letter(ledger, lid).status == SUPERSEDED


def test_release_by_an_unproven_name_is_refused(ledger: Store, desk: Settings) -> None:
    lid = _letter(ledger, desk)
    approve_letter(ledger, desk, lid, DANA, now=NOW)
    with pytest.raises(PolicyError, match="did not prove"):
        release_letter(ledger, desk, lid, "somebody", today=TODAY, now=NOW)
    lt, _ = release_letter(ledger, desk, lid, CLERK, today=TODAY, now=NOW)
    with ledger.begin() as conn:
        released = [e for e in read_audit(conn, "letter", lid) if e.action == "letter.released"][-1]
    assert lt.status == "sent" and released.detail["actor"]["proof"] == "os-user:clerk"


@pytest.mark.parametrize("netted", ["credit note", "unapplied payment"])
def test_a_letter_net_of_credits_or_payments_is_approved_and_released(ledger: Store, desk: Settings,
                                                                      netted: str) -> None:
    """Its totals are the invoices' residuals less what the planner netted: the same sum holds at each exit,
    until a payment moves the invoices themselves."""
    if netted == "credit note":
        action = replace(make_action(LINES), credits={"USD": Decimal("250.00")}, totals={"USD": Decimal("1750.00")})
    else:
        action = make_action(LINES, unapplied={"USD": Decimal("250.00")})
    lid = create_letter(ledger, desk, action, today=TODAY, now=NOW).letter.id
    assert get_letter(ledger, lid).deductions == {"USD": Decimal("250.00")}
    assert approve_letter(ledger, desk, lid, DANA, now=NOW).status == APPROVED
    assert release_letter(ledger, desk, lid, CLERK, today=TODAY, now=NOW)[0].status == "sent"

    again = create_letter(ledger, desk, replace(action, tier="final"), today=TODAY, now=NOW).letter.id
    _residual(ledger, 501, "1000.00")  # 200 paid on an invoice: the stated 1,750 is no longer true
    with pytest.raises(PolicyError, match="it states 1750.00 USD open; the ledger now shows 1550.00 USD"):
        approve_letter(ledger, desk, again, DANA, now=NOW)
