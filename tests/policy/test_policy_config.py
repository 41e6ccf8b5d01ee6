"""[policy] settings: shipped defaults, and bad values that fail at load naming the key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from overdue_reminder import config
from overdue_reminder.errors import ConfigError


def parse(text: str) -> config.Settings:
    return config.parse(text, "/etc/overdue-reminder.toml")


def fails(text: str, key: str, *words: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse(text)
    assert exc.value.key == key, str(exc.value)
    msg = str(exc.value)
    assert f"[{key}]" in msg and "/etc/overdue-reminder.toml" in msg and "Fix:" in msg
    for w in words:
        assert w in msg


def test_shipped_default_tiers() -> None:
    p = parse("").policy
    assert [(t.name, t.days) for t in p.tiers] == [
        ("courtesy", -3), ("friendly", 7), ("firm", 30), ("final", 60), ("escalation", 90)]
    assert [t.name for t in p.tiers if t.offer] == ["final"]
    esc = p.tiers[-1]
    assert esc.channel == "letter" and esc.attorney_review and not esc.auto_send
    assert p.min_gap_days == 7 and p.group_by == "client" and not p.skip_tiers
    assert p.minimum_amount == {} and p.interest_rate == 0


def test_full_section_parses() -> None:
    p = parse("""
[policy]
grace_days = 2
min_gap_days = 10
group_by = "matter"
minimum_amount = { USD = "25.00", JPY = "3000" }
[[policy.tiers]]
name = "first"
days = 5
day_count = "business"
[[policy.tiers]]
name = "letter"
days = 45
channel = "letter"
attorney_review = true
min_days_before_next = 14
[[policy.clients]]
name = "City of Springfield"
extra_days = 30
kind = "business"
[[policy.clients]]
id = 77
interest_allowed = true
interest_rate = "9"
late_fee = { USD = "25.00" }
""").policy
    assert [t.name for t in p.tiers] == ["first", "letter"] and p.tiers[0].day_count == "business"
    assert p.minimum_amount == {"USD": Decimal("25.00"), "JPY": Decimal("3000")}
    assert p.clients[0].extra_days == 30 and p.clients[1].interest_rate == Decimal("9")
    assert p.tier_index("letter") == 1 and p.tier_index("nope") is None


TIER = '[[policy.tiers]]\nname = "{n}"\ndays = {d}\n'


def test_tiers_out_of_order() -> None:
    fails(TIER.format(n="firm", d=30) + TIER.format(n="friendly", d=7), "policy.tiers[1].days", "out of order")


def test_unknown_channel() -> None:
    fails(TIER.format(n="a", d=7) + 'channel = "sms"\n', "policy.tiers[0].channel", "'sms'")


def test_negative_gap() -> None:
    fails("[policy]\nmin_gap_days = -1\n", "policy.min_gap_days", "negative")


def test_unknown_holiday_country() -> None:
    fails('[firm]\nholiday_country = "XX"\n', "firm.holiday_country", "XX")


def test_duplicate_tier_names() -> None:
    fails(TIER.format(n="a", d=7) + TIER.format(n="a", d=9), "policy.tiers[1].name", "duplicate")


def test_unknown_currency_in_minimum_amount() -> None:
    fails('[policy.minimum_amount]\nUSX = "10"\n', "policy.minimum_amount.USX", "unknown currency")


def test_minimum_amount_must_not_be_a_float() -> None:
    fails("[policy.minimum_amount]\nUSD = 10.5\n", "policy.minimum_amount.USD", "floating point")


def test_letter_tier_needs_attorney_review() -> None:
    fails(TIER.format(n="a", d=7) + 'channel = "letter"\n', "policy.tiers[0].attorney_review", "attorney")


def test_auto_send_cannot_skip_review() -> None:
    fails(TIER.format(n="a", d=7) + "attorney_review = true\nauto_send = true\n", "policy.tiers[0].auto_send")


def test_unknown_day_count_and_key() -> None:
    fails(TIER.format(n="a", d=7) + 'day_count = "weekdays"\n', "policy.tiers[0].day_count")
    fails(TIER.format(n="a", d=7) + "colour = 1\n", "policy.tiers[0].colour", "unknown key")


def test_only_pre_due_tiers_is_refused() -> None:
    fails(TIER.format(n="a", d=-3), "policy.tiers", "add a tier")


def test_client_overrides_are_checked() -> None:
    fails("[[policy.clients]]\nextra_days = 3\n", "policy.clients[0]", "names no client")
    fails("[[policy.clients]]\nid = 5\n[[policy.clients]]\nid = 5\n", "policy.clients[1].id", "twice")
    fails("[[policy.clients]]\nid = 5\nextra_days = -1\n", "policy.clients[0].extra_days")
    fails('[[policy.clients]]\nid = 5\ninterest_rate = "9"\n', "policy.clients[0].interest_allowed", "engagement")
    fails('[[policy.clients]]\nid = 5\ninterest_allowed = true\nlate_fee = { ABC = "5" }\n',
          "policy.clients[0].late_fee.ABC", "unknown currency")
    fails('[[policy.clients]]\nid = 5\nkind = "person"\n', "policy.clients[0].kind")


def test_example_config_policy_equals_the_defaults() -> None:
    from overdue_reminder.resources import example_config

    s = config.parse(example_config())
    assert s.policy.tiers == config.default_tiers()
    assert s.policy.min_gap_days == 7
