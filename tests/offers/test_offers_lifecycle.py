"""The store-level lifecycle: accepted → good standing (hold) → payments matched → breached (hold lifted,
the client back in the tiers) or completed (hold closed). Payments arrive as sync leaves them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from offer_factory import CLERK, DESK, NOW, TODAY, US, at, audit_rows, pay
from sqlalchemy import select

from overdue_reminder.config import Settings
from overdue_reminder.core.offers import installment_plan, settlement
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services.holds import active_holds
from overdue_reminder.services.offers import OfferRecord
from overdue_reminder.services.planning import plan_from_store
from overdue_reminder.store import Store
from overdue_reminder.store.schema import holds


class Notes:
    """A recording fake of the Odoo write-back (OdooSource.post_note)."""

    def __init__(self) -> None:
        self.posted: list[tuple[list[int], str]] = []

    def post_note(self, invoice_ids: list[int], html: str) -> None:
        self.posted.append((list(invoice_ids), html))


def accepted_plan(store: Store, settings: Settings, notes: Notes | None = None) -> OfferRecord:
    """9,000.00 USD: 900.00 down on Fri 2026-11-27, then 2,700.00 on 2026-12-28, 2027-01-27, 2027-03-01."""
    plan = installment_plan(Decimal("9000.00"), "USD", 3, "monthly", Decimal("900.00"), date(2026, 11, 27), US,
                            offered_on=TODAY)
    assert [(i.due, i.amount) for i in plan.schedule] == [
        (date(2026, 11, 27), Decimal("900.00")), (date(2026, 12, 28), Decimal("2700.00")),
        (date(2027, 1, 27), Decimal("2700.00")), (date(2027, 3, 1), Decimal("2700.00"))]
    rec = offer_service.propose(store, settings, client_id=100, offer=plan, by=DESK, now=NOW,
                                reason_code="financial_hardship")
    return offer_service.accept(store, settings, rec.id, by=DESK, now=NOW + timedelta(hours=1), notes=notes)


def plan_hold(store: Store, day: date) -> list[str]:
    with store.begin() as conn:
        return [h.kind for h in active_holds(conn, day, [100])]


def test_accepted_plan_missed_installment_breaches_and_client_reenters_tiers(seeded: Store, settings: Settings) -> None:
    notes = Notes()
    rec = accepted_plan(seeded, settings, notes)
    assert rec.status == "good_standing" and rec.hold_id is not None
    assert plan_hold(seeded, TODAY) == ["payment_plan"]
    with seeded.begin() as conn:
        hold = conn.execute(select(holds).where(holds.c.id == rec.hold_id)).one()
    assert hold.source_ref == f"offer:{rec.id}" and hold.until == US.add_business_days(date(2027, 3, 1), 5)
    assert notes.posted and notes.posted[0][0] == [1001, 1002] and "accepted" in notes.posted[0][1]
    # While the plan stands, tonight's plan leaves the client alone.
    skipped = plan_from_store(seeded, settings, TODAY, [100]).skipped
    assert [s.kind for s in skipped] == ["hold"] and "payment plan" in skipped[0].reason

    # The down payment arrives and sync lowers the first invoice's residual.
    pay(seeded, 5001, "900.00", date(2026, 11, 27), residuals={1001: "5100.00"}, invoice_ids=(1001,))
    r1 = offer_service.match_payments(seeded, settings, date(2026, 11, 30), now=at(date(2026, 11, 30)))
    assert r1.installments_paid == [(rec.id, 0)] and not r1.breached
    # The second installment arrives, unreconciled as yet: the payment row alone counts.
    pay(seeded, 5002, "2700.00", date(2026, 12, 28), reconciled=False)
    r2 = offer_service.match_payments(seeded, settings, date(2026, 12, 29), now=at(date(2026, 12, 29)))
    assert r2.installments_paid == [(rec.id, 1)]
    # The third (due Wed 2027-01-27) never comes; grace is 5 business days, to Wed 2027-02-03.
    quiet = offer_service.match_payments(seeded, settings, date(2027, 2, 3), now=at(date(2027, 2, 3)))
    assert quiet.breached == [] and offer_service.get_offer(seeded, rec.id).status == "good_standing"
    assert plan_hold(seeded, date(2027, 2, 3)) == ["payment_plan"]

    breach_at = at(date(2027, 2, 4))
    r3 = offer_service.match_payments(seeded, settings, date(2027, 2, 4), now=breach_at, notes=notes)
    assert r3.breached == [rec.id]
    after = offer_service.get_offer(seeded, rec.id)
    assert after.status == "breached" and after.closed_at == breach_at
    assert [s.status for s in after.schedule] == ["paid", "paid", "missed", "due"]
    assert after.paid == Decimal("3600.00")
    with seeded.begin() as conn:
        lifted = conn.execute(select(holds).where(holds.c.id == rec.hold_id)).one()
    assert (lifted.removed_by, lifted.removed_at) == ("system", breach_at)
    assert plan_hold(seeded, date(2027, 2, 4)) == []
    # The client re-enters the tiers: tonight's plan has a reminder for them again.
    actions = plan_from_store(seeded, settings, date(2027, 2, 4), [100]).actions
    assert [a.client_id for a in actions] == [100]
    assert actions[0].totals == {"USD": Decimal("5400.00")}  # 9,000 less the 900 applied, less 2,700 unapplied
    assert "breached" in notes.posted[-1][1]

    trail = [(r.actor, r.action) for r in audit_rows(seeded, object_id=rec.id)]
    assert trail == [(CLERK, "offer.propose"), (CLERK, "offer.accept"), (CLERK, "offer.good_standing"),
                     ("system", "offer.installment_paid"), ("system", "offer.installment_paid"),
                     ("system", "offer.breach")]
    breach = audit_rows(seeded, object_id=rec.id)[-1]
    assert breach.at == breach_at and breach.detail["seq"] == 2 and breach.detail["due"] == "2027-01-27"
    hold_trail = [(r.actor, r.action) for r in audit_rows(seeded, "hold", rec.hold_id)]
    assert hold_trail == [(CLERK, "hold.add"), ("system", "hold.remove")]
    # Matching again changes nothing: a breached plan is no longer watched.
    assert offer_service.match_payments(seeded, settings, date(2027, 2, 5)).checked == 0


def test_partial_payment_is_not_enough(seeded: Store, settings: Settings) -> None:
    rec = accepted_plan(seeded, settings)
    pay(seeded, 5001, "899.99", date(2026, 11, 27), residuals={1001: "5100.01"}, invoice_ids=(1001,))
    r = offer_service.match_payments(seeded, settings, date(2026, 12, 3))
    assert r.installments_paid == [] and r.breached == []
    assert offer_service.get_offer(seeded, rec.id).schedule[0].status == "partial"
    r = offer_service.match_payments(seeded, settings, date(2026, 12, 7))  # 5 business days after Fri 11-27 = 12-04
    assert r.breached == [rec.id]


def test_payments_for_other_invoices_do_not_count(seeded: Store, settings: Settings) -> None:
    rec = accepted_plan(seeded, settings)
    pay(seeded, 5001, "900.00", date(2026, 11, 27), invoice_ids=(9999,))  # applied to an invoice not in the plan
    pay(seeded, 5002, "900.00", date(2026, 11, 10), invoice_ids=())  # before the offer was made
    r = offer_service.match_payments(seeded, settings, date(2026, 12, 7))
    assert r.breached == [rec.id]


def test_fully_paid_plan_completes_and_closes_its_hold(seeded: Store, settings: Settings) -> None:
    rec = accepted_plan(seeded, settings)
    # Paid early and all at once: sync closes both invoices.
    pay(seeded, 5001, "9000.00", date(2026, 12, 1), residuals={1001: "0", 1002: "0"}, invoice_ids=(1001, 1002))
    done_at = at(date(2026, 12, 2))
    r = offer_service.match_payments(seeded, settings, date(2026, 12, 2), now=done_at)
    assert r.completed == [rec.id] and len(r.installments_paid) == 4
    after = offer_service.get_offer(seeded, rec.id)
    assert after.status == "completed" and all(s.status == "paid" for s in after.schedule)
    assert plan_hold(seeded, date(2026, 12, 2)) == []
    with seeded.begin() as conn:
        closed = conn.execute(select(holds).where(holds.c.id == rec.hold_id)).one()
    assert (closed.removed_by, closed.removed_at) == ("system", done_at)
    assert audit_rows(seeded, object_id=rec.id)[-1].action == "offer.complete"


def test_residuals_alone_are_enough_evidence(seeded: Store, settings: Settings) -> None:
    """A file source without a payments export: the lower residuals still show the money arrived."""
    rec = accepted_plan(seeded, settings)
    with seeded.begin() as conn:
        from overdue_reminder.store.ledger import load_invoices, store_invoices

        inv = {i.id: i for i in load_invoices(conn, [1001])}[1001]
        store_invoices(conn, [inv._replace(amount_residual=Decimal("5100.00"))], NOW)
    r = offer_service.match_payments(seeded, settings, date(2026, 12, 7))
    assert r.installments_paid == [(rec.id, 0)] and r.breached == []


def test_settlement_paid_completes_and_pauses_for_the_write_off(seeded: Store, settings: Settings) -> None:
    s = settlement(Decimal("9000.00"), "USD", Decimal(5), date(2026, 12, 4), US, offered_on=TODAY)
    rec = offer_service.propose(seeded, settings, client_id=100, offer=s, by=DESK, now=NOW)
    rec = offer_service.accept(seeded, settings, rec.id, by=DESK, now=NOW)
    pay(seeded, 5001, "8550.00", date(2026, 12, 3), residuals={1001: "0", 1002: "450.00"}, invoice_ids=(1001, 1002))
    r = offer_service.match_payments(seeded, settings, date(2026, 12, 4), now=at(date(2026, 12, 4)))
    assert r.completed == [rec.id]
    assert plan_hold(seeded, date(2026, 12, 4)) == ["pause"]
    detail = audit_rows(seeded, object_id=rec.id)[-1].detail
    assert detail["write_off"] == "450.00"


def test_settlement_not_paid_lapses(seeded: Store, settings: Settings) -> None:
    s = settlement(Decimal("9000.00"), "USD", Decimal(5), date(2026, 12, 4), US, offered_on=TODAY)
    rec = offer_service.propose(seeded, settings, client_id=100, offer=s, by=DESK, now=NOW)
    offer_service.accept(seeded, settings, rec.id, by=DESK, now=NOW)
    r = offer_service.match_payments(seeded, settings, date(2026, 12, 14))
    assert r.breached == [rec.id] and plan_hold(seeded, date(2026, 12, 14)) == []


def test_stale_offer_cannot_be_accepted(seeded: Store, settings: Settings) -> None:
    plan = installment_plan(Decimal("9000.00"), "USD", 3, "monthly", Decimal("900.00"), date(2026, 11, 27), US,
                            offered_on=TODAY)
    rec = offer_service.propose(seeded, settings, client_id=100, offer=plan, by=DESK, now=NOW)
    from overdue_reminder.errors import PolicyError

    with pytest.raises(PolicyError, match="propose fresh terms"):
        offer_service.accept(seeded, settings, rec.id, by=DESK, now=at(date(2026, 11, 30)))


def test_match_dry_run_changes_nothing(seeded: Store, settings: Settings) -> None:
    rec = accepted_plan(seeded, settings)
    r = offer_service.match_payments(seeded, settings, date(2026, 12, 14), dry_run=True)
    assert r.breached == [rec.id]
    assert offer_service.get_offer(seeded, rec.id).status == "good_standing"
    assert plan_hold(seeded, date(2026, 12, 1)) == ["payment_plan"]
