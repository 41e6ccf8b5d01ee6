"""The matter's terms at a letter's exit: a withdrawal warning on a matter before a court must say that withdrawing
needs the court's leave (LAW.md #11), and a letter stating interest needs terms that allow it, within the caps."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from letter_factory import ATTORNEY, CLIENT, NOW, TODAY, line, make_action, make_settings
from sqlalchemy import update

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.errors import PolicyError
from overdue_reminder.model import Invoice, InvoiceKind
from overdue_reminder.services.letters import APPROVED, approve_letter, create_letter, get_letter, release_letter
from overdue_reminder.services.matters import set_flags
from overdue_reminder.store import Store, read_audit
from overdue_reminder.store.ledger import store_invoices
from overdue_reminder.store.schema import letters

DANA = Actor(ATTORNEY.login, Role.ATTORNEY, "odoo-login", ATTORNEY.id)
CLERK = Actor("clerk", Role.STAFF, "os-user:clerk")
LINES = (line(601, "INV/2025/0601", "1200.00", matter="M-2025-002"),)


@pytest.fixture
def desk(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, extra="[policy]\nskip_tiers = true\n")


@pytest.fixture
def ledger(seeded_sqlite: Store) -> Store:
    invs = [Invoice(ln.invoice_id, ln.name, InvoiceKind.INVOICE, CLIENT.id, CLIENT.id, ATTORNEY.id, ln.matter_ref,
                    ln.currency, ln.amount_total, ln.amount_residual, ln.invoice_date, ln.due_date, "not_paid", True)
            for ln in LINES]
    with seeded_sqlite.begin() as conn:
        store_invoices(conn, invs, NOW)
    return seeded_sqlite


def _approved_warning(store: Store, settings: Settings) -> int:
    lid = create_letter(store, settings, make_action(LINES, tier="withdrawal_warning"), today=TODAY, now=NOW).letter.id
    approve_letter(store, settings, lid, DANA, now=NOW)
    return lid


def test_a_matter_marked_before_a_court_after_drafting_stops_the_release(ledger: Store, desk: Settings) -> None:
    lid = _approved_warning(ledger, desk)
    set_flags(ledger, "M-2025-002", {"before_court": True}, CLERK, now=NOW)
    with pytest.raises(PolicyError, match=r"M-2025-002 \(before a court\) needs the court's leave.*"
                                          r"Court's leave stated"):
        release_letter(ledger, desk, lid, CLERK, today=TODAY, now=NOW)
    assert get_letter(ledger, lid).status == APPROVED  # kept for the attorney, not sent
    with ledger.begin() as conn:
        assert any(e.action == "clearance.blocked" and "Court's leave stated" in str(e.detail)
                   for e in read_audit(conn, "letter", lid))


def test_a_warning_that_states_the_courts_leave_is_released(ledger: Store, desk: Settings) -> None:
    set_flags(ledger, "M-2025-002", {"before_court": True}, CLERK, now=NOW)
    lid = _approved_warning(ledger, desk)
    assert get_letter(ledger, lid).flags == ("before_court:M-2025-002",)
    assert release_letter(ledger, desk, lid, CLERK, today=TODAY, now=NOW)[0].status == "sent"


def test_the_flag_at_drafting_counts_even_if_the_matter_was_unmarked_since(ledger: Store, desk: Settings) -> None:
    """A letter drafted as before a court keeps that flag: unmarking the matter later does not let a text that
    dropped the sentence out (the check reads the letter's own flags too)."""
    lid = _approved_warning(ledger, desk)
    with ledger.begin() as conn:
        conn.execute(update(letters).where(letters.c.id == lid).values(flags=["before_court:M-2025-002"]))
    with pytest.raises(PolicyError, match="Court's leave stated"):
        release_letter(ledger, desk, lid, CLERK, today=TODAY, now=NOW)


def test_a_letter_stating_interest_the_terms_do_not_allow_is_not_released(ledger: Store, desk: Settings) -> None:
    action = replace(make_action(LINES), interest={"USD": Decimal("40.00")})
    lid = create_letter(ledger, desk, action, today=TODAY, now=NOW).letter.id
    assert get_letter(ledger, lid).interest == {"USD": Decimal("40.00")}
    with pytest.raises(PolicyError, match="do not allow interest.*Interest within its cap"):
        approve_letter(ledger, desk, lid, DANA, now=NOW)
    set_flags(ledger, "M-2025-002", {"interest_allowed": True}, CLERK, now=NOW)  # agreed: 40 is within the caps
    assert approve_letter(ledger, desk, lid, DANA, now=NOW).status == APPROVED
