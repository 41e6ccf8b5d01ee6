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


def test_suit_needs_a_qualifying_notice(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    gate = rules.suit_gate(s, [], TODAY)
    assert not gate.allowed and "ny_part137 notice" in gate.reason and gate.served_on is None
    wrong_kind = [ServedNotice("ca_mfaa", TODAY - timedelta(days=90), "certified_mail")]
    gate = rules.suit_gate(s, wrong_kind, TODAY)
    assert not gate.allowed and "1 other notice(s) on file do not qualify" in gate.reason


def test_suit_waits_for_the_period_after_the_first_qualifying_notice(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    wait = s.letters.waiting_days("NY")
    served = TODAY - timedelta(days=10)
    notices = [ServedNotice("ny_part137", served, "certified_mail"),
               ServedNotice("ny_part137", TODAY - timedelta(days=1), "certified_mail")]
    early = rules.suit_gate(s, notices, TODAY)
    assert not early.allowed and early.served_on == served
    assert str(served + timedelta(days=wait)) in early.reason
    ready = rules.suit_gate(s, notices, served + timedelta(days=wait))
    assert ready.allowed and ready.served_on == served


def test_jurisdiction_without_a_notice_requirement(tmp_path: Path) -> None:
    s = _settings(tmp_path, extra='[letters.jurisdictions.TX]\nname = "Texas"\nnotice_required = false')
    gate = rules.suit_gate(s, [], TODAY, "tx")
    assert gate.allowed and "TX requires no fee-arbitration notice" in gate.reason


@given(offsets=st.lists(st.integers(min_value=0, max_value=200), max_size=5), age=st.integers(0, 400))
def test_suit_gate_is_allowed_exactly_when_the_wait_has_passed(offsets: list[int], age: int) -> None:
    s = config.parse('source = "files"\n[firm]\nname = "Firm"\njurisdiction = "NY"\n', "/tmp/x.toml")
    wait = s.letters.waiting_days("NY")
    notices = sorted((ServedNotice("ny_part137", TODAY - timedelta(days=o), "certified_mail") for o in offsets),
                     key=lambda n: n.served_on)
    today = TODAY + timedelta(days=age)
    gate = rules.suit_gate(s, notices, today)
    expected = bool(notices) and today >= notices[0].served_on + timedelta(days=wait)
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
