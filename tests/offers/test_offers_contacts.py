"""The contact log: reasons, promises to pay (hold until date + grace, kept or broken), disputes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from offer_factory import CLERK, NOW, TODAY, US, at, audit_rows, pay
from sqlalchemy import select

from overdue_reminder.config import Settings
from overdue_reminder.errors import UsageError
from overdue_reminder.services import contacts
from overdue_reminder.services.contacts import Promise
from overdue_reminder.services.holds import active_holds
from overdue_reminder.services.planning import load_snapshot
from overdue_reminder.store import Store
from overdue_reminder.store.schema import holds

PROMISED = date(2026, 12, 1)  # a Tuesday; grace 3 business days → Fri 2026-12-04


def promise(store: Store, settings: Settings, amount: str = "2000.00") -> contacts.Logged:
    return contacts.log_contact(store, settings, client_id=100, reason="planning_error", note="paying from Q4 budget",
                                by=CLERK, now=NOW, promise=Promise(PROMISED, Decimal(amount), "USD"))


def kinds(store: Store, day: date) -> list[str]:
    with store.begin() as conn:
        return [h.kind for h in active_holds(conn, day, [100])]


def test_a_promise_holds_reminders_until_its_date_plus_grace(seeded: Store, settings: Settings) -> None:
    logged = promise(seeded, settings)
    c = logged.contact
    assert c.promise == Promise(PROMISED, Decimal("2000.00"), "USD") and c.promise_status == "open"
    assert c.residual_at_promise == Decimal("9000.00")
    with seeded.begin() as conn:
        [hold] = conn.execute(select(holds).where(holds.c.client_id == 100)).all()
    assert hold.kind == "promise_to_pay" and hold.until == date(2026, 12, 4) == US.add_business_days(PROMISED, 3)
    assert hold.source_ref == f"contact:{c.id}" and hold.created_by == CLERK
    assert kinds(seeded, date(2026, 12, 4)) == ["promise_to_pay"] and kinds(seeded, date(2026, 12, 5)) == []
    assert [(r.actor, r.action, r.at) for r in audit_rows(seeded, "contact", c.id)] == [(CLERK, "contact.log", NOW)]
    assert [r.action for r in audit_rows(seeded, "hold", hold.id)] == ["hold.add"]


def test_broken_promise_is_recorded_and_counts_in_the_profile(seeded: Store, settings: Settings) -> None:
    c = promise(seeded, settings).contact
    pay(seeded, 5001, "500.00", date(2026, 12, 2), residuals={1001: "5500.00"}, invoice_ids=(1001,))
    on_deadline = contacts.check_promises(seeded, settings, date(2026, 12, 4))
    assert [(r.status, r.received) for r in on_deadline] == [("open", Decimal("500.00"))]
    checked_at = at(date(2026, 12, 7))
    [r] = contacts.check_promises(seeded, settings, date(2026, 12, 7), now=checked_at)
    assert r.status == "broken" and r.received == Decimal("500.00") and r.deadline == date(2026, 12, 4)
    [again] = contacts.list_contacts(seeded, 100)
    assert again.promise_status == "broken"
    entries = audit_rows(seeded, "contact", c.id)
    assert [(e.actor, e.action, e.at) for e in entries[1:]] == [("system", "promise.broken", checked_at)]
    assert entries[1].detail["received"] == "500.00"
    with seeded.begin() as conn:
        assert contacts.broken_promise_dates(conn, [100]) == {100: [PROMISED]}
        snap = load_snapshot(conn, settings, date(2026, 12, 7), [100])
    assert list(snap.broken_promises[100]) == [PROMISED]
    # Nothing is open any more: a second check settles nothing.
    assert contacts.check_promises(seeded, settings, date(2026, 12, 8)) == []


def test_kept_promise_by_payment_or_by_lower_balance(seeded: Store, settings: Settings) -> None:
    promise(seeded, settings)
    pay(seeded, 5001, "2000.00", date(2026, 11, 30), reconciled=False)  # not yet applied to an invoice
    [r] = contacts.check_promises(seeded, settings, date(2026, 12, 1))
    assert r.status == "kept"
    assert audit_rows(seeded, "contact")[-1].action == "promise.kept"


def test_kept_promise_seen_through_the_balance_alone(sqlite_store: Store, settings: Settings) -> None:
    from offer_factory import seed

    seed(sqlite_store)
    promise(sqlite_store, settings)
    pay(sqlite_store, 5001, "0.01", date(2026, 11, 1), residuals={1002: "1000.00"})  # paid off-book: residual only
    [r] = contacts.check_promises(sqlite_store, settings, date(2026, 12, 9))
    assert r.status == "kept" and r.received == Decimal("2000.00")


def test_bad_contacts_are_refused(seeded: Store, settings: Settings) -> None:
    with pytest.raises(UsageError, match="unknown reason"):
        contacts.log_contact(seeded, settings, client_id=100, reason="lazy", note="", by=CLERK, now=NOW)
    with pytest.raises(UsageError, match="in the past"):
        contacts.log_contact(seeded, settings, client_id=100, reason="other", note="", by=CLERK, now=NOW,
                             promise=Promise(date(2026, 11, 1), Decimal(10), "USD"))
    with pytest.raises(UsageError, match="owes nothing in EUR"):
        contacts.log_contact(seeded, settings, client_id=100, reason="other", note="", by=CLERK, now=NOW,
                             promise=Promise(PROMISED, Decimal(10), "EUR"))
    with pytest.raises(UsageError, match="no client"):
        contacts.log_contact(seeded, settings, client_id=101, reason="other", note="", by=CLERK, now=NOW)
    assert contacts.list_contacts(seeded) == []


def test_the_last_reason_chooses_the_suggestion(seeded: Store, settings: Settings) -> None:
    from overdue_reminder.core.offers import Extension, InstallmentPlan
    from overdue_reminder.services import offers as offer_service

    contacts.log_contact(seeded, settings, client_id=100, reason="temporary_emergency", note="in hospital",
                         by=CLERK, now=NOW)
    [s] = offer_service.suggest_for_client(seeded, settings, 100, TODAY)
    assert s.reason == "temporary_emergency" and s.balance == Decimal("9000.00") and s.grade in "ABCD"
    assert isinstance(s.result.offer, Extension)  # type: ignore[union-attr]
    [h] = offer_service.suggest_for_client(seeded, settings, 100, TODAY, reason="financial_hardship", grade="A")
    assert isinstance(h.result.offer, InstallmentPlan)  # type: ignore[union-attr]
    assert h.result.decision.level == "staff"  # type: ignore[union-attr]
