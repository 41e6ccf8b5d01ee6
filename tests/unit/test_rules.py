"""The legal gates of core/rules.py, decided from facts alone (no store, no clock)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from overdue_reminder import config
from overdue_reminder.config import Settings
from overdue_reminder.core import rules
from overdue_reminder.core.rules import ServedNotice

TODAY = date(2026, 3, 2)


def _settings(tmp_path: Path, jurisdiction: str = "NY", extra: str = "") -> Settings:
    text = f'source = "files"\n[firm]\nname = "Firm"\njurisdiction = "{jurisdiction}"\n[letters]\n{extra}\n'
    cfg = tmp_path / "overdue-reminder.toml"
    cfg.write_text(text, encoding="utf-8")
    return config.parse(text, str(cfg))


def _served(days_ago: int, kind: str = "ny_part137", method: str = "certified_mail",
            released_days_ago: int | None = None) -> ServedNotice:
    """A notice served `days_ago`, carried by a letter released the same day (or `released_days_ago`)."""
    released = TODAY - timedelta(days=days_ago if released_days_ago is None else released_days_ago)
    return ServedNotice(kind, TODAY - timedelta(days=days_ago), method, released)


def test_suit_needs_a_qualifying_notice(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    gate = rules.suit_gate(s, [], TODAY)
    assert not gate.allowed and "ny_part137 notice" in gate.reason and gate.served_on is None
    gate = rules.suit_gate(s, [_served(90, kind="ca_mfaa")], TODAY)
    assert not gate.allowed and "1 other notice(s) on file do not count" in gate.reason
    gate = rules.suit_gate(s, [_served(90, method="email")], TODAY)
    assert not gate.allowed and "do not count" in gate.reason


def test_an_unreleased_or_backdated_notice_does_not_count(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    unreleased = ServedNotice("ny_part137", TODAY - timedelta(days=90), "certified_mail", None)
    assert not rules.suit_gate(s, [unreleased], TODAY).allowed
    backdated = _served(90, released_days_ago=5)  # says served 90 days ago; its letter left 5 days ago
    gate = rules.suit_gate(s, [backdated], TODAY)
    assert not gate.allowed and "served on or after its release" in gate.reason
    future = ServedNotice("ny_part137", TODAY + timedelta(days=1), "certified_mail", TODAY)
    assert rules.suit_gate(s, [future], TODAY + timedelta(days=40)).allowed  # counts once it is past
    assert not rules.suit_gate(s, [future], TODAY).allowed


def test_a_served_notice_and_the_period_open_the_gate(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    wait = s.letters.waiting_days("NY")
    served = TODAY - timedelta(days=10)
    notices = [_served(10), _served(1)]
    early = rules.suit_gate(s, notices, TODAY)
    assert not early.allowed and early.served_on == served
    assert str(served + timedelta(days=wait)) in early.reason
    ready = rules.suit_gate(s, notices, served + timedelta(days=wait))
    assert ready.allowed and ready.served_on == served


def test_arbitration_requested_closes_the_gate(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    notices = [_served(200)]
    assert rules.suit_gate(s, notices, TODAY).allowed
    gate = rules.suit_gate(s, notices, TODAY, arbitration_requested=True)
    assert not gate.allowed and "requested fee arbitration" in gate.reason
    no_notice_state = _settings(tmp_path, "CN")  # even where no notice is required
    assert not rules.suit_gate(no_notice_state, [], TODAY, arbitration_requested=True).allowed


def test_jurisdiction_without_a_notice_requirement(tmp_path: Path) -> None:
    s = _settings(tmp_path, extra='[letters.jurisdictions.TX]\nname = "Texas"\nnotice_required = false')
    gate = rules.suit_gate(s, [], TODAY, "tx")
    assert gate.allowed and "TX requires no fee-arbitration notice" in gate.reason


def test_the_law_wins_over_a_lax_configuration(tmp_path: Path) -> None:
    s = _settings(tmp_path, extra="[letters.jurisdictions.NY]\nnotice_required = false\nwaiting_days = 5")
    gate = rules.suit_gate(s, [_served(10)], TODAY)  # the law's 30 days, the notice still required
    assert not gate.allowed and "30-day waiting period" in gate.reason
    assert not rules.suit_gate(s, [], TODAY).allowed


@given(offsets=st.lists(st.integers(min_value=0, max_value=200), max_size=5), age=st.integers(0, 400),
       released=st.lists(st.booleans(), min_size=5, max_size=5))
def test_suit_gate_is_allowed_exactly_when_the_wait_has_passed(offsets: list[int], age: int,
                                                                released: list[bool]) -> None:
    s = config.parse('source = "files"\n[firm]\nname = "Firm"\njurisdiction = "NY"\n', "/tmp/x.toml")
    wait = s.letters.waiting_days("NY")
    notices = [ServedNotice("ny_part137", TODAY - timedelta(days=o), "certified_mail",
                            TODAY - timedelta(days=o) if r else None) for o, r in zip(offsets, released, strict=False)]
    today = TODAY + timedelta(days=age)
    gate = rules.suit_gate(s, notices, today)
    counting = sorted(n.served_on for n in notices if n.released_on is not None)
    expected = bool(counting) and today >= counting[0] + timedelta(days=wait)
    assert gate.allowed == expected


def test_withdrawal_warning_flags_matters_before_a_court() -> None:
    court = ("M-2", "M-1")
    assert rules.letter_flags("withdrawal_warning", court, True) == ("before_court:M-2", "before_court:M-1")
    assert rules.court_matters_to_name("withdrawal_warning", court) == court
    assert rules.letter_flags("escalation", court, True) == ()
    assert rules.court_matters_to_name("refer_to_suit", court) == ()
    assert rules.letter_flags("escalation", (), False) == ("no_postal_address",)
    flags = rules.letter_flags("withdrawal_warning", court, False)
    assert rules.court_flags(flags) == ["M-2", "M-1"]


def test_only_refer_to_suit_waits_on_the_gate() -> None:
    assert rules.needs_suit_gate("refer_to_suit")
    assert not rules.needs_suit_gate("escalation") and not rules.needs_suit_gate("withdrawal_warning")
