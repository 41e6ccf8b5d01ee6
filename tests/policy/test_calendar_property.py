"""The calendar property of issue 13 (hypothesis): for any tier settings `config check` accepts (tier days, gaps,
the notice's deadline in business days, offer periods) and any firm holidays and closures, no notice's stated
deadline is later than the next planned contact, and an offer never expires before the payment deadline it
accompanies.

Nightly runs are simulated over one client through the same planning call the desk makes
(`services.planning.plan_snapshot`: the firm's calendar, caps and notice period); each contact's deadline is
the one the reminder text states (`reminder_text.shared_for(...).respond_by`, shortened by `payment_deadline`
to an offer's expiry), and the offer is the one the desk would suggest (`core.offers.suggest`).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from policy_factory import inv, snapshot

from overdue_reminder import config
from overdue_reminder.config import Settings
from overdue_reminder.core.offer_text import offer_context
from overdue_reminder.core.offers import Suggestion, suggest
from overdue_reminder.core.policy import PastContact
from overdue_reminder.core.reminder_text import shared_for
from overdue_reminder.core.sentences import payment_deadline
from overdue_reminder.errors import ConfigError
from overdue_reminder.services.planning import plan_snapshot

START = date(2026, 11, 2)  # Thanksgiving, Christmas and New Year fall inside the simulated months
REASONS = ["financial_hardship", "temporary_emergency", "planning_error", "forgot_admin", "other"]


@st.composite
def desks(draw: st.DrawFn) -> str:
    """A configuration file as a firm might write it; `config check` decides whether it is accepted."""
    n = draw(st.integers(1, 5))
    days = sorted(draw(st.sets(st.integers(1, 120), min_size=n, max_size=n)))
    if draw(st.booleans()):
        days = [-draw(st.integers(1, 10)), *days]
    tiers = "".join(
        f'[[policy.tiers]]\nname = "t{i}"\ndays = {d}\nday_count = "{draw(st.sampled_from(["calendar", "business"]))}"\n'
        f"min_days_before_next = {draw(st.integers(0, 20))}\noffer = {str(draw(st.booleans())).lower()}\n"
        for i, d in enumerate(days))
    closures = sorted(draw(st.sets(st.integers(0, 200), max_size=20)))
    country = draw(st.sampled_from(['"US"', '""']))
    return f"""
source = "files"
[firm]
phone = "+1 212 555 0100"
holiday_country = {country}
holiday_subdivision = {'"NY"' if country == '"US"' and draw(st.booleans()) else '""'}
closures = [{", ".join((START + timedelta(days=c)).isoformat() for c in closures)}]
[policy]
min_gap_days = {draw(st.integers(-2, 30))}
{tiers}
[templates]
respond_within_days = {draw(st.integers(0, 95))}
[offers]
down_payment_days = {draw(st.integers(-1, 45))}
settlement_days = {draw(st.integers(-1, 60))}
[[payment.channels]]
label = "Bank transfer"
details = ["Account 12345678"]
"""


def accepted(text: str) -> Settings:
    try:
        return config.parse(text)
    except ConfigError:
        assume(False)
        raise


@given(text=desks(), due_days=st.lists(st.integers(-15, 200), min_size=1, max_size=3),
       nights=st.lists(st.booleans(), min_size=60, max_size=150), reason=st.sampled_from(REASONS),
       amount=st.integers(100, 5_000_000))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_deadline_after_the_next_contact_and_no_offer_lapsing_before_its_deadline(
        text: str, due_days: list[int], nights: list[bool], reason: str, amount: int) -> None:
    s = accepted(text)
    cal = s.calendar()
    invoices = [inv(i + 1, due=START - timedelta(days=d), amount=str(Decimal(amount) / 100))
                for i, d in enumerate(due_days)]
    contacts: list[PastContact] = []
    stated: list[tuple[date, date | None]] = []  # (contact day, deadline it states)
    for offset, runs in enumerate(nights):
        if not runs:
            continue
        today = START + timedelta(days=offset)
        for a in plan_snapshot(s, snapshot(invoices, contacts=list(contacts)), today).actions:
            contacts.append(PastContact(a.client_id, a.tier, a.tier_index, today, a.matter_ref, a.invoice_ids))
            if s.policy.tiers[a.tier_index].days <= 0:
                stated.append((today, None))  # a courtesy notice names the due date, not a deadline
                continue
            respond_by = shared_for(s, today, calendar=cal).respond_by
            expiry = None
            if a.with_offer and len(a.totals) == 1:
                ((currency, owed),) = a.totals.items()
                res = suggest(reason, owed, currency, a.grade, s.offers, today, cal)
                if isinstance(res, Suggestion):
                    expiry = offer_context(res.offer, "en_US")["respond_by"]
            deadline = payment_deadline(respond_by, expiry, today)
            if expiry is not None:
                assert expiry >= deadline, f"offer expires {expiry}, before the payment deadline {deadline}"
            stated.append((today, deadline))
    for (_, deadline), (nxt, _) in pairwise(stated):
        if deadline is not None:
            assert deadline < nxt, f"a notice gave until {deadline}, the next contact came on {nxt}"
