"""Every reminder is cleared at the moment it leaves: holds placed, payments made, recipients changed and text
edited after approval stop it; it is cancelled with the reason named or returned to review, never lost."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from reminder_factory import ATTORNEY, NOW, action, line, make_settings, pay, plan, seed
from sqlalchemy import select, update

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.services import delivery
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.holds import add_hold, remove_hold
from overdue_reminder.store import Store, read_audit
from overdue_reminder.store.schema import clients, reminders

CLERK = Actor("clerk@harperlowe.example", Role.STAFF, "os-user:clerk")
LOPEZ = Actor(ATTORNEY.login, Role.ATTORNEY, "odoo-login", ATTORNEY.id)
OTHER = Actor("someone", Role.ATTORNEY, "odoo-login", ATTORNEY.id + 1)
HOLD_KINDS = ["dispute", "bankruptcy", "other_counsel", "do_not_contact", "payment_plan", "promise_to_pay", "pause"]


def _drafted(store: Store, settings: Settings, **kw: object) -> int:
    a = action(1, **kw)  # type: ignore[arg-type]
    seed(store, [a])
    res = drafts.draft_plan(store, settings, plan(a), NOW)
    return res.created[0].id or 0


def _row(store: Store, rid: int) -> drafts.Reminder:
    return drafts.get_reminder(store, rid)


def _outbox(settings: Settings) -> list[Path]:
    return sorted(settings.resolve(settings.delivery.outbox_dir).rglob("*.eml"))


@pytest.mark.parametrize("kind", HOLD_KINDS)
def test_a_hold_placed_after_approval_stops_the_send(sqlite_store: Store, settings: Settings, kind: str) -> None:
    rid = _drafted(sqlite_store, settings)
    drafts.approve(sqlite_store, [rid], CLERK, NOW, settings=settings)
    hold = add_hold(sqlite_store, client_id=1, kind=kind, reason="told us on the phone", by=CLERK, now=NOW)
    res = delivery.send_approved(sqlite_store, settings, NOW)
    assert [i.outcome for i in res.items] == ["blocked"]
    r = _row(sqlite_store, rid)
    assert r.status == drafts.CANCELLED
    assert f"hold #{hold.id}" in r.note and "Holds stop contact" in r.note
    assert _outbox(settings) == []
    with sqlite_store.begin() as conn:
        blocked = [e for e in read_audit(conn, "reminder", rid) if e.action == "reminder.blocked"]
    assert blocked and blocked[0].detail["holds"] == [hold.id]


@pytest.mark.parametrize("kind", ["dispute", "bankruptcy", "other_counsel", "do_not_contact"])
def test_a_legal_hold_stops_the_approval_and_the_draft_stays(sqlite_store: Store, settings: Settings,
                                                             kind: str) -> None:
    rid = _drafted(sqlite_store, settings)
    add_hold(sqlite_store, client_id=1, kind=kind, reason="letter from counsel", by=CLERK, now=NOW)
    with pytest.raises(PolicyError, match="Holds stop contact"):
        drafts.approve(sqlite_store, [rid], CLERK, NOW, settings=settings)
    assert _row(sqlite_store, rid).status == drafts.DRAFT


def test_paid_after_approval_is_cancelled_with_the_figures(sqlite_store: Store, settings: Settings) -> None:
    rid = _drafted(sqlite_store, settings)
    drafts.approve(sqlite_store, [rid], CLERK, NOW, settings=settings)
    pay(sqlite_store, 11, Decimal("400.00"))
    res = delivery.send_approved(sqlite_store, settings, NOW)
    assert res.items[0].outcome in ("blocked", "cancelled")
    r = _row(sqlite_store, rid)
    assert r.status == drafts.CANCELLED and "400.00" in r.note
    assert _outbox(settings) == []


def test_text_changed_behind_the_desk_goes_back_to_review(sqlite_store: Store, settings: Settings) -> None:
    rid = _drafted(sqlite_store, settings)
    drafts.approve(sqlite_store, [rid], CLERK, NOW, settings=settings)
    with sqlite_store.begin() as conn:  # a change no edit command made: straight into the store
        body = conn.execute(select(reminders.c.body_text).where(reminders.c.id == rid)).scalar_one()
        conn.execute(update(reminders).where(reminders.c.id == rid).values(
            body_text=body + "\nPay today or we will press criminal charges."))
    res = delivery.send_approved(sqlite_store, settings, NOW)
    assert [i.outcome for i in res.items] == ["blocked"]
    r = _row(sqlite_store, rid)
    assert r.status == drafts.DRAFT and "Official words only" in r.note and "criminal" in r.note
    assert _outbox(settings) == []


def test_a_recipient_no_longer_of_record_goes_back_to_review(sqlite_store: Store, settings: Settings) -> None:
    rid = _drafted(sqlite_store, settings)
    drafts.approve(sqlite_store, [rid], CLERK, NOW, settings=settings)
    with sqlite_store.begin() as conn:  # the next sync: the billing contact changed address in Odoo
        conn.execute(update(clients).where(clients.c.commercial_id == 1).values(email="new-ap@client1.example"))
    res = delivery.send_approved(sqlite_store, settings, NOW)
    assert res.items[0].outcome == "blocked" and "Billing contact of record" in res.items[0].detail
    assert _row(sqlite_store, rid).status == drafts.DRAFT


def test_an_attorney_review_tier_needs_the_proven_responsible_attorney(sqlite_store: Store,
                                                                       settings: Settings) -> None:
    rid = _drafted(sqlite_store, settings, tier="final", tier_index=3, attorney_review=True)
    for who in (CLERK, OTHER, Actor(ATTORNEY.login, Role.ATTORNEY, "", ATTORNEY.id)):
        with pytest.raises(PolicyError, match="Proven authority"):
            drafts.approve(sqlite_store, [rid], who, NOW, settings=settings)
    drafts.approve(sqlite_store, [rid], LOPEZ, NOW, settings=settings)
    with sqlite_store.begin() as conn:
        entry = [e for e in read_audit(conn, "reminder", rid) if e.action == "reminder.approved"][-1]
    assert entry.detail["approved_by"] == LOPEZ.audit()
    res = delivery.send_approved(sqlite_store, settings, NOW)
    assert [i.outcome for i in res.items] == ["sent"]


def test_an_approval_recorded_without_proof_is_not_enough_for_an_attorney_tier(sqlite_store: Store,
                                                                                 settings: Settings) -> None:
    rid = _drafted(sqlite_store, settings, tier="final", tier_index=3, attorney_review=True)
    with sqlite_store.begin() as conn:  # as an older version recorded it: a name, no proof
        r = drafts.get_reminder(conn, rid)
        drafts.transition(conn, r, drafts.APPROVED, "mlopez", NOW, "reminder.approved", {}, decided_by="mlopez")
    res = delivery.send_approved(sqlite_store, settings, NOW)
    assert res.items[0].outcome == "blocked" and "did not prove" in res.items[0].detail
    assert _row(sqlite_store, rid).status == drafts.DRAFT


def test_dry_run_says_it_would_block_and_changes_nothing(sqlite_store: Store, settings: Settings) -> None:
    rid = _drafted(sqlite_store, settings)
    drafts.approve(sqlite_store, [rid], CLERK, NOW, settings=settings)
    add_hold(sqlite_store, client_id=1, kind="pause", reason="client travelling", by=CLERK, now=NOW)
    res = delivery.send_approved(sqlite_store, settings, NOW, dry_run=True)
    assert [i.outcome for i in res.items] == ["would block"]
    assert _row(sqlite_store, rid).status == drafts.APPROVED


EVENTS = st.lists(st.sampled_from(["hold", "unhold", "pay", "edit", "approve", "send", "redraft"]),
                  min_size=1, max_size=12)


@hyp_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(EVENTS)
def test_nothing_leaves_while_a_blocking_condition_holds(events: list[str]) -> None:
    """Random sequences of hold/unhold/pay/edit/approve/send: whenever a reminder is sent, at that moment no hold
    is active, its invoice is open at the drafted amount and its text is the firm's own."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp))
        store = Store(f"sqlite:///{tmp}/desk.db")
        store.upgrade()
        a = action(1, lines=(line(11, total="900.00"),))
        seed(store, [a])
        day = NOW
        res = drafts.draft_plan(store, settings, plan(a), day)
        rid = res.created[0].id or 0
        held: int | None = None
        paid = tampered = False
        try:
            for ev in events:
                if ev == "hold" and held is None:
                    held = add_hold(store, client_id=1, kind="dispute", reason="r", by=CLERK, now=day).id
                elif ev == "unhold" and held is not None:
                    remove_hold(store, held, by=CLERK, now=day)
                    held = None
                elif ev == "pay" and not paid:
                    pay(store, 11, Decimal("300.00"))
                    paid = True
                elif ev == "edit":
                    with store.begin() as conn:
                        conn.execute(update(reminders).where(reminders.c.id == rid).values(
                            body_text=reminders.c.body_text + " We will report you to the police."))
                    tampered = True
                elif ev == "approve":
                    with contextlib.suppress(PolicyError, UsageError):
                        drafts.approve(store, [rid], CLERK, day, settings=settings)
                elif ev == "send":
                    before = _row(store, rid).status
                    delivery.send_approved(store, settings, day)
                    if before == drafts.APPROVED and _row(store, rid).status == drafts.SENT:
                        assert held is None and not paid and not tampered, (events, ev)
                elif ev == "redraft" and _row(store, rid).status in (drafts.CANCELLED, drafts.SENT):
                    day = day + timedelta(days=1)
                    tampered = False
                    b = action(1, lines=(line(11, total="900.00", paid="300.00" if paid else "0"),))
                    new = drafts.draft_plan(store, settings, plan(b, today=day.date()), day).created
                    if new:
                        rid = new[0].id or rid
        finally:
            store.dispose()


def test_client_data_is_not_the_firms_wording(sqlite_store: Store, settings: Settings) -> None:
    """A legal name with a word from the threat list is the client's, not a threat: it still goes out."""
    rid = _drafted(sqlite_store, settings, name="Criminal Defense Partners LLP")
    drafts.approve(sqlite_store, [rid], CLERK, NOW, settings=settings)
    res = delivery.send_approved(sqlite_store, settings, NOW)
    assert [i.outcome for i in res.items] == ["sent"], res.items


@pytest.mark.parametrize("kind", HOLD_KINDS)
def test_a_postal_item_is_not_posted_under_a_hold(sqlite_store: Store, settings: Settings, kind: str) -> None:
    rid = _drafted(sqlite_store, settings, to_email="")  # no address: drafted for the post
    assert _row(sqlite_store, rid).status == drafts.POSTAL
    add_hold(sqlite_store, client_id=1, kind=kind, reason="phone call", by=CLERK, now=NOW)
    with pytest.raises(PolicyError, match="Holds stop contact"):
        drafts.mark_posted(sqlite_store, rid, CLERK, NOW, settings=settings)
    assert _row(sqlite_store, rid).status == drafts.POSTAL


def test_a_postal_item_is_posted_by_a_proven_clerk(sqlite_store: Store, settings: Settings) -> None:
    rid = _drafted(sqlite_store, settings, to_email="")
    with pytest.raises(PolicyError, match="did not prove"):
        drafts.mark_posted(sqlite_store, rid, "somebody", NOW, settings=settings)
    assert drafts.mark_posted(sqlite_store, rid, CLERK, NOW, settings=settings).status == drafts.SENT
