"""Refer-to-suit on the store (SQLite and PostgreSQL): only a notice a released letter carried counts, with its
serving date and method recorded at release; the waiting period; an arbitration request closes the gate at
every exit (creation, approval, release); the suit letter states only what the record shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from actors import attorney, staff
from letter_factory import (
    ATTORNEY,
    CLIENT,
    NOW,
    TODAY,
    ZH_CLIENT,
    line,
    make_action,
    make_settings,
    seed_invoices,
    serve_notice,
)
from sqlalchemy import insert

from overdue_reminder.config import Settings
from overdue_reminder.core.letter_docx import document_text, open_docx
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.services import contacts as contact_service
from overdue_reminder.services.letters import (
    approve_letter,
    create_letter,
    get_letter,
    record_notice,
    release_letter,
    suit_gate,
)
from overdue_reminder.store import Store
from overdue_reminder.store.schema import notices

SUIT_LINES = (line(5001, "INV/2025/0101", "3600.00", total="4800.00", matter="M-2025-001"),)
CLERK = staff("clerk")


def _suit(store: Store, settings: Settings, today: date, client: Any = CLIENT, language: str = "en_US") -> Any:
    action = make_action(SUIT_LINES, tier="refer_to_suit", client=client, language=language)
    seed_invoices(store, action)
    at = datetime(today.year, today.month, today.day, 15, 0, tzinfo=UTC)
    return create_letter(store, settings, action, today=today, now=at).letter


def _gate(store: Store, settings: Settings, today: date) -> Any:
    with store.begin() as conn:
        return suit_gate(conn, settings, CLIENT.id, today)


def _words(letter: Any) -> str:
    return document_text(open_docx(Path(letter.path).read_bytes()))


def test_a_notice_recorded_without_a_released_letter_does_not_count(seeded: Store, settings: Settings) -> None:
    record_notice(seeded, settings, "Acme", "ny_part137", TODAY - timedelta(days=90), "certified_mail", "clerk",
                  today=TODAY, now=NOW)
    gate = _gate(seeded, settings, TODAY)
    assert not gate.allowed and "1 other notice(s) on file do not count" in gate.reason
    with pytest.raises(PolicyError, match="carried by a released letter"):
        _suit(seeded, settings, TODAY)


def test_an_unreleased_letter_serves_nobody(seeded: Store, settings: Settings) -> None:
    served = TODAY - timedelta(days=60)
    lt = serve_notice(seeded, settings, served, release=False)
    assert lt.status == "approved" and lt.notice_kind == "ny_part137"
    with pytest.raises(UsageError, match="not released"):
        record_notice(seeded, settings, "Acme", "ny_part137", served, "certified_mail", "clerk", today=TODAY,
                      letter_id=lt.id)
    assert not _gate(seeded, settings, TODAY).allowed


def test_a_letter_released_without_its_serving_method_proves_no_service(seeded: Store, settings: Settings) -> None:
    lt = serve_notice(seeded, settings, TODAY - timedelta(days=60), method=None)
    assert lt.status == "sent" and lt.served_method is None
    assert not _gate(seeded, settings, TODAY).allowed
    # recorded afterwards against that letter, served the day it left: it counts
    record_notice(seeded, settings, "Acme", "ny_part137", TODAY - timedelta(days=60), "personal_service", "clerk",
                  today=TODAY, now=NOW, letter_id=lt.id)
    assert _gate(seeded, settings, TODAY).allowed


def test_a_backdated_notice_does_not_count(seeded: Store, settings: Settings) -> None:
    released = TODAY - timedelta(days=5)
    lt = serve_notice(seeded, settings, released, method=None)
    with pytest.raises(UsageError, match="backdated"):
        record_notice(seeded, settings, "Acme", "ny_part137", released - timedelta(days=60), "certified_mail",
                      "clerk", today=TODAY, letter_id=lt.id)
    with seeded.begin() as conn:  # even written straight into the ledger, it is not counted
        conn.execute(insert(notices).values(client_id=CLIENT.id, kind="ny_part137", method="certified_mail",
                                            served_on=released - timedelta(days=60), recorded_by="x",
                                            recorded_at=NOW, letter_id=lt.id))
    gate = _gate(seeded, settings, TODAY)
    assert not gate.allowed and "do not count" in gate.reason


def test_served_notice_and_waiting_period_open_the_gate(seeded: Store, settings: Settings) -> None:
    served = TODAY - timedelta(days=10)
    lt = serve_notice(seeded, settings, served)
    assert (lt.served_on, lt.served_method) == (served, "certified_mail")
    with pytest.raises(PolicyError, match="waiting period ends on 2026-03-22"):
        _suit(seeded, settings, TODAY)
    later = served + timedelta(days=30)
    suit = _suit(seeded, settings, later)
    text = _words(suit)
    assert "February 20, 2026 we served you with notice of your right to fee arbitration" in text
    assert "we have no record of a request for arbitration from you" in text
    assert "Notice of Client's Right to Arbitrate" not in text  # the served notice is not reprinted
    assert suit.enclosures == () and suit.notice_kind is None


def test_a_method_the_jurisdiction_does_not_accept_is_refused_at_release(seeded: Store, settings: Settings) -> None:
    with pytest.raises(UsageError, match="certified_mail or personal_service"):
        serve_notice(seeded, settings, TODAY, method="email")


def test_arbitration_requested_closes_the_gate_at_every_exit(seeded: Store, settings: Settings) -> None:
    served = TODAY - timedelta(days=60)
    serve_notice(seeded, settings, served)
    suit = _suit(seeded, settings, TODAY)  # open today
    logged = contact_service.log_contact(seeded, settings, client_id=CLIENT.id, reason="dispute",
                                         note="asks for Part 137 arbitration", by="clerk", now=NOW,
                                         arbitration_requested=True)
    assert logged.to_attorney and len(logged.hold_ids) == 2
    gate = _gate(seeded, settings, TODAY)
    assert not gate.allowed and "requested fee arbitration" in gate.reason
    with pytest.raises(PolicyError, match=r"requested fee arbitration.*\(rule: Fee arbitration before suit\)"):
        approve_letter(seeded, settings, suit.id, attorney(seeded, ATTORNEY.email), now=NOW)
    assert get_letter(seeded, suit.id).status == "awaiting_review"


def test_release_asks_the_gate_again(seeded: Store, settings: Settings) -> None:
    serve_notice(seeded, settings, TODAY - timedelta(days=60))
    suit = _suit(seeded, settings, TODAY)
    approve_letter(seeded, settings, suit.id, attorney(seeded, ATTORNEY.email), now=NOW)
    contact_service.log_contact(seeded, settings, client_id=CLIENT.id, reason="other", note="wants arbitration",
                                by="clerk", now=NOW, arbitration_requested=True)
    with pytest.raises(PolicyError, match="Fee arbitration before suit"):
        release_letter(seeded, settings, suit.id, CLERK, today=TODAY, now=NOW)
    assert get_letter(seeded, suit.id).status == "approved"


def test_a_past_arbitration_request_is_never_denied(seeded: Store, settings: Settings) -> None:
    serve_notice(seeded, settings, TODAY - timedelta(days=60))
    logged = contact_service.log_contact(seeded, settings, client_id=CLIENT.id, reason="other", note="arbitration",
                                         by="clerk", now=NOW, arbitration_requested=True)
    with seeded.begin() as conn:
        contact_service.lift_hold(conn, logged.hold_ids[0], by="dana", now=NOW, reason="award made")
    text = _words(_suit(seeded, settings, TODAY))
    assert "served you with notice" in text and "no record of a request" not in text


def test_zh_suit_letter_states_only_the_record(seeded: Store, settings: Settings) -> None:
    served = TODAY - timedelta(days=45)
    serve_notice(seeded, settings, served)
    with seeded.begin() as conn:  # the Chinese client's notice, released the same way
        conn.execute(insert(notices).values(client_id=ZH_CLIENT.id, kind="ny_part137", method="certified_mail",
                                            served_on=served, recorded_by="x", recorded_at=NOW, letter_id=None))
    with pytest.raises(PolicyError):
        _suit(seeded, settings, TODAY, client=ZH_CLIENT, language="zh_CN")
    text = _words(_suit(seeded, settings, TODAY, language="zh_CN"))
    assert "送达关于律师费仲裁权利的通知" in text and "本所未收到贵司的仲裁申请" in text
    assert "律师费仲裁权利通知（" not in text  # the notice itself is not reprinted


def test_other_states_wait_their_own_period(seeded_sqlite: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, extra="suit_waiting_days = 45", jurisdiction="CA")
    serve_notice(seeded_sqlite, s, TODAY - timedelta(days=31), method="regular_mail")
    with seeded_sqlite.begin() as conn:
        assert not suit_gate(conn, s, CLIENT.id, TODAY).allowed
        assert suit_gate(conn, s, CLIENT.id, TODAY + timedelta(days=14)).allowed
