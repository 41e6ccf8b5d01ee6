"""The offer a final-tier reminder carries is recorded as an offer (issue 12): proposed, with the reminder as its
origin, once per reminder however often the night runs; it can be accepted, matched to payments, and is shown
in later letters; a reminder that never leaves takes its offer with it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from actors import staff
from reminder_factory import NOW, RUN, action, line, pay, plan, seed
from sqlalchemy import func, select

from overdue_reminder.config import Settings
from overdue_reminder.core.letter_docx import document_text, open_docx
from overdue_reminder.errors import UsageError
from overdue_reminder.model import Action, Payment
from overdue_reminder.services import delivery
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.carried_offers import carried_offers, record_carried, reminder_offers
from overdue_reminder.services.letters import create_letter
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_payments
from overdue_reminder.store.schema import offers


def final(client_id: int = 1, **kw: object) -> Action:
    return action(client_id, tier="final", tier_index=3, with_offer=True,
                  lines=[line(client_id * 10 + 1, total="9000.00", days=75)], **kw)  # type: ignore[arg-type]


def night(store: Store, settings: Settings, *acts: Action, at: object = NOW, record: bool = True) -> tuple[
        drafts.DraftResult, object]:
    """What the nightly pass does: the offers the actions carry, the drafts, then the offers recorded."""
    p = plan(*acts)
    carried = carried_offers(store, settings, p.actions, p.today)
    result = drafts.draft_plan(store, settings, p, at, offers={c: x.context for c, x in carried.items()})  # type: ignore[arg-type]
    recorded = record_carried(store, settings, carried, p.actions, p.today, at, actor="nightly") if record else None  # type: ignore[arg-type]
    return result, recorded


def stored(store: Store) -> list[offer_service.OfferRecord]:
    return offer_service.list_offers(store)


def test_the_carried_offer_is_recorded_once_with_the_reminder_as_origin(store: Store, settings: Settings) -> None:
    a = final()
    seed(store, [a])
    result, recorded = night(store, settings, a)
    (item,) = result.created
    (rec,) = stored(store)
    assert rec.status == "proposed" and rec.origin == f"reminder:{item.id}" and rec.created_by == "nightly"
    assert rec.client_id == 1 and rec.currency == "USD" and rec.offer.balance == Decimal("9000.00")
    assert recorded.summary()["offers_recorded"] == 1  # type: ignore[attr-defined]
    body = drafts.get_reminder(store, item.id or 0).body_text
    assert offer_service.summary(rec.offer).split(":")[0].split(" ")[0] in body
    for _ in range(2):  # the same night again: nothing new
        again, rerecorded = night(store, settings, a, at=NOW + timedelta(hours=1))
        assert again.created == [] and rerecorded.summary()["offers_recorded"] == 0  # type: ignore[attr-defined]
    assert [r.id for r in stored(store)] == [rec.id]
    # the next pass repeats the recorded offer instead of suggesting a new one
    assert carried_offers(store, settings, [a], RUN)[1].offer_id == rec.id


def test_a_pass_killed_between_draft_and_offer_records_it_next_time(store: Store, settings: Settings) -> None:
    a = final()
    seed(store, [a])
    (item,) = night(store, settings, a, record=False)[0].created
    assert stored(store) == []
    _, recorded = night(store, settings, a)
    assert [r.origin for r in stored(store)] == [f"reminder:{item.id}"]
    assert recorded.summary()["offers_recorded"] == 1  # type: ignore[attr-defined]
    with store.begin() as conn:  # the database itself refuses a second offer for one reminder
        n = conn.execute(select(func.count()).select_from(offers).where(offers.c.origin.like("reminder:%"))).scalar()
    assert n == 1


def test_it_can_be_accepted_and_matched_to_payments(store: Store, settings: Settings) -> None:
    a = final()
    seed(store, [a])
    night(store, settings, a)
    (rec,) = stored(store)
    accepted = offer_service.accept(store, settings, rec.id, by=staff("clerk"), now=NOW + timedelta(hours=2))
    assert accepted.status == "good_standing" and accepted.hold_id is not None
    first = rec.schedule[0]
    with store.begin() as conn:
        store_payments(conn, [Payment(9001, 1, first.amount, "USD", first.due, True, (11,))])
    pay(store, 11, Decimal("9000.00") - first.amount)
    report = offer_service.match_payments(store, settings, first.due, now=NOW + timedelta(days=3), by="nightly")
    assert (rec.id, first.seq) in report.installments_paid
    assert offer_service.get_offer(store, rec.id).schedule[0].status == "paid"


@pytest.mark.parametrize("accept", [False, True], ids=["proposed", "accepted"])
def test_a_later_letter_shows_the_clients_current_offer(store: Store, settings: Settings, accept: bool) -> None:
    a = final()
    seed(store, [a])
    night(store, settings, a)
    (rec,) = stored(store)
    if accept:
        offer_service.accept(store, settings, rec.id, by=staff("clerk"), now=NOW)
    letter = replace(a, tier="escalation", tier_index=4, channel="letter", with_offer=False, attorney_review=True)
    later = RUN + timedelta(days=14)
    contexts = reminder_offers(store, settings, [letter], later)
    assert contexts[1]["balance"] == "$9,000.00" and contexts[1]["summary"]
    made = create_letter(store, settings, letter, today=later, now=NOW + timedelta(days=14), offer=contexts[1])
    text = " ".join(document_text(open_docx(Path(made.letter.path).read_bytes())).split())
    assert " ".join(contexts[1]["summary"].split()) in text


def test_no_letter_offer_without_a_stored_one(store: Store, settings: Settings) -> None:
    a = final()
    seed(store, [a])
    letter = replace(a, tier="escalation", tier_index=4, channel="letter", with_offer=False)
    assert reminder_offers(store, settings, [letter], RUN) == {}


def test_a_reminder_that_never_leaves_takes_its_offer_with_it(store: Store, settings: Settings) -> None:
    a, b = final(1), final(2)
    seed(store, [a, b])
    result, _ = night(store, settings, a, b)
    ids = {i.client_id: i.id or 0 for i in result.created}
    drafts.reject(store, ids[1], "clerk", NOW, "client phoned: paying in full")
    withdrawn = {r.client_id: r for r in stored(store)}[1]
    assert withdrawn.status == "declined"
    with pytest.raises(UsageError, match="declined"):
        offer_service.accept(store, settings, withdrawn.id, by=staff("clerk"), now=NOW)
    drafts.approve(store, [ids[2]], staff("clerk"), NOW, settings=settings)
    pay(store, 21)  # paid before the send: the reminder is cancelled, and its offer with it
    sent = delivery.send_approved(store, settings, NOW)
    assert [i.outcome for i in sent.items] == ["cancelled"]
    assert {r.client_id: r.status for r in stored(store)} == {1: "declined", 2: "declined"}


def test_a_superseded_reminder_leaves_its_offer_for_the_newer_one(store: Store, settings: Settings) -> None:
    a = final()
    seed(store, [a])
    night(store, settings, a)
    (rec,) = stored(store)
    newer = replace(a, tier="escalation", tier_index=4)
    result, recorded = night(store, settings, newer)
    assert result.superseded and stored(store)[0].status == "proposed"
    assert recorded.summary()["offers_recorded"] == 0  # type: ignore[attr-defined]
    assert [r.id for r in stored(store)] == [rec.id]
