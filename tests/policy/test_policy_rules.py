"""The policy's rules one by one, on hand-built snapshots: tiers, holds, amounts, notes, reasons."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from policy_factory import TODAY, hold, inv, partner, payment, sent, settings, snapshot

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import ClientOverride, TierSettings
from overdue_reminder.core.aging import bucket
from overdue_reminder.core.policy import MatterFlags, days_past_due, plan
from overdue_reminder.core.profile import PaymentRecord
from overdue_reminder.model import Attorney, TrustBalance


def only_action(p):  # type: ignore[no-untyped-def]
    assert len(p.actions) == 1, (p.actions, p.skipped)
    return p.actions[0]


def only_skip(p):  # type: ignore[no-untyped-def]
    assert not p.actions, p.actions
    assert len(p.skipped) == 1, p.skipped
    return p.skipped[0]


def test_reason_reads_like_the_issue_example() -> None:
    snap = snapshot([inv(42, due=date(2026, 10, 12))],
                    contacts=[sent(1, "friendly", date(2026, 11, 1), [42])])
    a = only_action(plan(settings(), snap, TODAY))
    assert a.tier == "firm" and a.tier_index == 2
    assert a.reasons[0] == ("INV/2026/0042 is 47 days past due (due 2026-10-12); 'friendly' was sent 2026-11-01, "
                            "27 days ago; next tier 'firm' starts at 30 days.")
    assert a.last_tier == "friendly" and a.last_contact == date(2026, 11, 1)
    assert a.max_days_past_due == 47


def test_first_contact_at_95_days_starts_at_first_overdue_tier_and_says_so() -> None:
    a = only_action(plan(settings(), snapshot([inv(1, due=95)]), TODAY))
    assert a.tier == "friendly"
    assert "nothing was sent yet" in a.why
    assert "Tiers are never skipped: 'firm', 'final', 'escalation' follow in later runs." in a.why


def test_skip_tiers_jumps_to_the_tier_reached() -> None:
    a = only_action(plan(settings(skip_tiers=True), snapshot([inv(1, due=95)]), TODAY))
    assert a.tier == "escalation" and a.channel == "letter" and a.attorney_review


def test_waiting_for_the_next_threshold_is_explained_on_request() -> None:
    snap = snapshot([inv(1, due=20)], contacts=[sent(1, "friendly", 12, [1])])
    p = plan(settings(), snap, TODAY)
    assert p.actions == () and p.skipped == ()  # on schedule: not a skip a nightly run lists
    s = only_skip(plan(settings(), snap, TODAY, explain_all=True))
    assert s.kind == "waiting"
    assert "INV/2026/0001 is 20 days past due" in s.reason
    assert "next tier 'firm' starts at 30 days" in s.reason


def test_too_soon_since_last_contact() -> None:
    snap = snapshot([inv(1, due=33)], contacts=[sent(1, "friendly", 3, [1])])
    s = only_skip(plan(settings(), snap, TODAY))
    assert s.kind == "too_soon"
    assert "'friendly' was sent" in s.reason and "3 days ago" in s.reason and "at least 7 days" in s.reason
    assert (TODAY + timedelta(days=4)).isoformat() in s.reason


def test_min_days_before_next_of_the_last_tier_lengthens_the_gap() -> None:
    ts = [TierSettings("friendly", 7, min_days_before_next=20), TierSettings("firm", 30)]
    snap = snapshot([inv(1, due=40)], contacts=[sent(1, "friendly", 10, [1], index=0)])
    assert only_skip(plan(settings(tiers=ts), snap, TODAY)).kind == "too_soon"
    snap = snapshot([inv(1, due=40)], contacts=[sent(1, "friendly", 20, [1], index=0)])
    assert only_action(plan(settings(tiers=ts), snap, TODAY)).tier == "firm"


def test_a_draft_today_blocks_a_second_contact_even_with_zero_gap() -> None:
    snap = snapshot([inv(1, due=95)], contacts=[sent(1, "friendly", 0, [1], status="draft")])
    s = only_skip(plan(settings(min_gap_days=0, skip_tiers=True), snap, TODAY))
    assert s.kind == "too_soon" and "was queued" in s.reason


def test_cancelled_or_failed_reminders_do_not_count() -> None:
    snap = snapshot([inv(1, due=40)], contacts=[sent(1, "firm", 2, [1], status="cancelled")])
    assert only_action(plan(settings(), snap, TODAY)).tier == "friendly"


def test_never_lower_than_last_sent_and_last_tier_stops() -> None:
    snap = snapshot([inv(1, due=10)], contacts=[sent(1, "final", 30, [1])])
    s = only_skip(plan(settings(), snap, TODAY, explain_all=True))
    assert s.kind == "waiting" and "'escalation'" in s.reason
    snap = snapshot([inv(1, due=200)], contacts=[sent(1, "escalation", 30, [1])])
    assert plan(settings(), snap, TODAY).skipped == ()
    s = only_skip(plan(settings(), snap, TODAY, explain_all=True))
    assert s.kind == "last_tier" and "attorney" in s.reason


def test_full_reset_once_everything_reminded_is_paid() -> None:
    # 'firm' covered invoice 5, which is paid now (not in the open set); invoice 6 is new and overdue.
    snap = snapshot([inv(6, due=12)], contacts=[sent(1, "firm", 40, [5])])
    a = only_action(plan(settings(), snap, TODAY))
    assert a.tier == "friendly"
    assert "tiers start again" in a.why


def test_partial_payment_keeps_the_cycle() -> None:
    snap = snapshot([inv(6, due=45)], contacts=[sent(1, "friendly", 20, [5, 6])])
    assert only_action(plan(settings(), snap, TODAY)).tier == "firm"


def test_courtesy_before_due_only_while_nothing_is_overdue() -> None:
    a = only_action(plan(settings(), snapshot([inv(1, due=-2)]), TODAY))
    assert a.tier == "courtesy" and a.max_days_past_due == -2
    assert "is due in 2 days" in a.why
    assert plan(settings(), snapshot([inv(1, due=-5)]), TODAY).actions == ()
    # Something overdue: the overdue invoice drives; the pre-due one is not in the reminder.
    a = only_action(plan(settings(), snapshot([inv(1, due=-2), inv(2, due=9)]), TODAY))
    assert a.tier == "friendly" and a.invoice_ids == (2,)
    # After the courtesy notice, nothing more until it is overdue.
    snap = snapshot([inv(1, due=-1)], contacts=[sent(1, "courtesy", 2, [1])])
    p = plan(settings(), snap, TODAY)
    assert p.actions == () and p.skipped == ()


def test_grace_days_and_extra_days_move_the_threshold() -> None:
    assert plan(settings(grace_days=5), snapshot([inv(1, due=10)]), TODAY, explain_all=True).skipped[0].kind == \
        "waiting"
    assert only_action(plan(settings(grace_days=5), snapshot([inv(1, due=12)]), TODAY)).tier == "friendly"
    ov = ClientOverride(name="Client 1", extra_days=30)
    p = plan(settings(clients=[ov]), snapshot([inv(1, due=20)]), TODAY)
    assert p.actions == () and p.skipped == ()  # due + 30 days is still in the future
    a = only_action(plan(settings(clients=[ov]), snapshot([inv(1, due=40)]), TODAY))
    assert a.tier == "friendly" and a.max_days_past_due == 10
    assert "with 30 extra days agreed" in a.why


def test_in_payment_invoices_are_not_overdue() -> None:
    assert plan(settings(), snapshot([inv(1, due=40, state="in_payment")]), TODAY).actions == ()


def test_client_wide_holds_stop_everything_with_their_reason() -> None:
    snap = snapshot([inv(1, due=40)], holds=[hold(3, 1, "bankruptcy", reason="chapter 7 filed")])
    s = only_skip(plan(settings(), snap, TODAY))
    assert s.kind == "hold" and s.hold_ids == (3,)
    assert "bankruptcy" in s.reason and "automatic stay" in s.reason and "chapter 7 filed" in s.reason
    # bankruptcy is client-wide even when someone named an invoice
    snap = snapshot([inv(1, due=40), inv(2, due=40)], holds=[hold(3, 1, "bankruptcy", invoice=1)])
    assert only_skip(plan(settings(), snap, TODAY)).kind == "hold"


def test_dispute_routes_to_the_attorney_and_offers_arbitration() -> None:
    snap = snapshot([inv(1, due=40, attorney=9)], holds=[hold(4, 1, "dispute", reason="contests hours")],
                    attorneys={9: Attorney(9, "Jane Roe")})
    s = only_skip(plan(settings(), snap, TODAY))
    assert s.attorney_id == 9
    assert "goes to the attorney Jane Roe" in s.reason and "fee arbitration" in s.reason


def test_invoice_hold_leaves_that_invoice_out() -> None:
    snap = snapshot([inv(1, due=40), inv(2, due=20)], holds=[hold(5, 1, "dispute", invoice=1)])
    a = only_action(plan(settings(), snap, TODAY))
    assert a.invoice_ids == (2,)
    assert "INV/2026/0001 is left out: disputed" in a.why and "fee arbitration" in a.why
    snap = snapshot([inv(1, due=40)], holds=[hold(5, 1, "promise_to_pay", invoice=1, until=TODAY)])
    assert only_skip(plan(settings(), snap, TODAY)).kind == "hold"


def test_expired_or_removed_holds_do_not_count() -> None:
    snap = snapshot([inv(1, due=40)], holds=[hold(5, 1, "pause", until=TODAY - timedelta(days=1))])
    assert only_action(plan(settings(), snap, TODAY)).tier == "friendly"


def test_no_reminders_override_by_id_or_name() -> None:
    for ov in (ClientOverride(id=1, no_reminders=True), ClientOverride(name="Client 1", no_reminders=True)):
        s = only_skip(plan(settings(clients=[ov]), snapshot([inv(1, due=40)]), TODAY))
        assert s.kind == "no_reminders"


def test_amounts_per_currency_after_credits_and_unreconciled_payments() -> None:
    snap = snapshot([inv(1, due=40, amount="1000.00"), inv(2, due=35, amount="500", currency="EUR"),
                     inv(3, due=5, amount="150.00", credit=True)],
                    payments=[payment(7, 1, "100.00"), payment(8, 1, "60.00", "EUR")])
    a = only_action(plan(settings(), snap, TODAY))
    assert a.totals == {"USD": Decimal("750.00"), "EUR": Decimal("440.00")}
    assert a.credits == {"USD": Decimal("150.00")}
    assert a.unapplied_payments == {"USD": Decimal("100.00"), "EUR": Decimal("60.00")}
    assert "Credit notes of 150.00 USD and unreconciled payments of 100.00 USD, 60.00 EUR reduce" in a.why


def test_fully_covered_and_below_minimum_are_skips() -> None:
    snap = snapshot([inv(1, due=40, amount="100"), inv(2, due=5, amount="100", credit=True)])
    s = only_skip(plan(settings(), snap, TODAY))
    assert s.kind == "covered"
    mins = {"USD": Decimal("50"), "EUR": Decimal("50")}
    s = only_skip(plan(settings(minimum_amount=mins), snapshot([inv(1, due=40, amount="20")]), TODAY))
    assert s.kind == "below_minimum" and "below the minimum 50.00 USD" in s.reason
    # one currency below its minimum is left out; the other goes ahead
    snap = snapshot([inv(1, due=40, amount="20"), inv(2, due=40, amount="900", currency="EUR")])
    a = only_action(plan(settings(minimum_amount=mins), snap, TODAY))
    assert a.totals == {"EUR": Decimal("900.00")} and a.invoice_ids == (2,)
    assert "The USD balance 20.00 USD is below the minimum 50.00 USD: left out." in a.why


def test_payment_for_an_invoice_not_in_the_reminder_does_not_reduce_it() -> None:
    snap = snapshot([inv(1, due=40, amount="100"), inv(2, due=-20, amount="80")],
                    payments=[payment(7, 1, "80", invoice_ids=(2,))])
    assert only_action(plan(settings(), snap, TODAY)).totals == {"USD": Decimal("100.00")}


def test_group_by_matter_gives_one_action_per_matter_with_its_own_progression() -> None:
    snap = snapshot([inv(1, due=40, matter="M-1"), inv(2, due=10, matter="M-2"),
                     inv(3, due=1, amount="30", matter="M-2", credit=True)],
                    contacts=[sent(1, "friendly", 20, [1], matter="M-1")])
    p = plan(settings(group_by="matter"), snap, TODAY)
    by_ref = {a.matter_ref: a for a in p.actions}
    assert set(by_ref) == {"M-1", "M-2"}
    assert by_ref["M-1"].tier == "firm" and by_ref["M-2"].tier == "friendly"
    assert by_ref["M-2"].totals == {"USD": Decimal("70.00")}  # its own credit note
    assert by_ref["M-1"].totals == {"USD": Decimal("100.00")}


def test_matter_less_credit_goes_to_the_oldest_matter_first() -> None:
    snap = snapshot([inv(1, due=40, matter="M-1", amount="100"), inv(2, due=10, matter="M-2", amount="100"),
                     inv(3, due=1, amount="150", matter="", credit=True)])
    p = plan(settings(group_by="matter"), snap, TODAY)
    assert [s.kind for s in p.skipped] == ["covered"] and p.skipped[0].matter_ref == "M-1"
    assert only_action(p).totals == {"USD": Decimal("50.00")}


def test_trust_balance_is_a_staff_note_never_applied() -> None:
    snap = snapshot([inv(1, due=40, amount="3000")], trust=[TrustBalance(1, "USD", Decimal("2500"))])
    a = only_action(plan(settings(), snap, TODAY))
    assert "trust balance 2,500.00 USD held: attorney decides; never applied automatically" in a.staff_notes
    assert a.totals == {"USD": Decimal("3000.00")} and a.trust == {"USD": Decimal("2500.00")}


def test_individual_client_at_an_employer_domain_is_flagged() -> None:
    p = plan(settings(), snapshot([inv(1, due=40)], [partner(1, "Jane Doe", "jane@megacorp.com", company=False)]),
             TODAY)
    a = only_action(p)
    assert a.client_kind == "consumer"
    assert any("employer's domain" in n and "Billing contact of record" in n for n in a.staff_notes)
    for email, company in (("jane@gmail.com", False), ("ap@megacorp.com", True)):
        a = only_action(plan(settings(), snapshot([inv(1, due=40)], [partner(1, "J", email, company)]), TODAY))
        assert not any("employer" in n for n in a.staff_notes)
    ov = ClientOverride(id=1, kind="business")
    a = only_action(plan(settings(clients=[ov]), snapshot([inv(1, due=40)], [partner(1, "J", "j@x.com", False)]),
                         TODAY))
    assert a.client_kind == "business" and not any("employer" in n for n in a.staff_notes)


def test_billing_contact_of_record_and_missing_email() -> None:
    billing = partner(2, "Acme AP", "billing@acme.example")
    billing = type(billing)(**{**{f: getattr(billing, f) for f in billing.__slots__}, "commercial_id": 1})
    a = only_action(plan(settings(), snapshot([inv(1, due=40, contact=2)], [partner(1, "Acme"), billing]), TODAY))
    assert a.to_email == "billing@acme.example" and a.contact_id == 2
    stranger = type(billing)(**{**{f: getattr(billing, f) for f in billing.__slots__}, "id": 3, "commercial_id": 9,
                                 "email": "cfo@zenith.example"})  # another client's CFO on Acme's invoice
    a = only_action(plan(settings(), snapshot([inv(1, due=40, contact=3)], [partner(1, "Acme"), stranger]), TODAY))
    assert a.to_email == partner(1, "Acme").email and a.contact_id == 1
    nobody = partner(1, "Acme")
    nobody = type(nobody)(**{**{f: getattr(nobody, f) for f in nobody.__slots__}, "email": ""})
    a = only_action(plan(settings(), snapshot([inv(1, due=40)], [nobody]), TODAY))
    assert a.to_email == "" and any("no email address" in n for n in a.staff_notes)


def test_matter_before_a_court_is_flagged() -> None:
    snap = snapshot([inv(1, due=40, matter="LIT-7")], matters={(1, "LIT-7"): MatterFlags(before_court=True)})
    a = only_action(plan(settings(), snap, TODAY))
    assert a.before_court == ("LIT-7",)
    assert any("LIT-7 is before a court" in n and "permission" in n for n in a.staff_notes)


def test_interest_only_where_the_terms_allow_it() -> None:
    rate = settings(interest_rate=Decimal("9"), late_fee={"USD": Decimal("25")})
    a = only_action(plan(rate, snapshot([inv(1, due=40, amount="3650.00")]), TODAY))
    assert a.interest == {}
    allowed = MatterFlags(interest_allowed=True)
    a = only_action(plan(rate, snapshot([inv(1, due=40, amount="3650.00")], matters={(1, "M-1"): allowed}), TODAY))
    assert a.interest == {"USD": Decimal("61.00")}  # 3650 * 9% * 40/365 = 36.00, plus the 25.00 fee
    ov = ClientOverride(id=1, interest_allowed=True, interest_rate=Decimal("10"))
    a = only_action(plan(settings(clients=[ov]), snapshot([inv(1, due=73, amount="1000.00")]), TODAY))
    assert a.interest == {"USD": Decimal("20.00")}
    assert "engagement terms allow it" in a.why


def test_grade_comes_from_the_payment_history() -> None:
    late = [PaymentRecord(TODAY - timedelta(days=200), TODAY - timedelta(days=120)) for _ in range(4)]
    snap = snapshot([inv(1, due=40)], history={1: late}, broken_promises={1: [TODAY - timedelta(days=10)] * 3})
    assert only_action(plan(settings(), snap, TODAY)).grade == "D"
    ontime = [PaymentRecord(TODAY - timedelta(days=100), TODAY - timedelta(days=101)) for _ in range(9)]
    snap = snapshot([inv(1, due=8)], history={1: ontime})
    assert only_action(plan(settings(), snap, TODAY)).grade == "A"


def test_aging_buckets_per_action() -> None:
    assert [bucket(d) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91)] == [
        "current", "current", "1-30", "1-30", "31-60", "31-60", "61-90", "61-90", "90+"]
    snap = snapshot([inv(2, due=45, amount="2"), inv(3, due=120, amount="3"), inv(4, due=120, amount="4",
                                                                                 currency="EUR")])
    a = only_action(plan(settings(), snap, TODAY))
    assert a.aging == {"31-60": {"USD": Decimal("2.00")}, "90+": {"USD": Decimal("3.00"), "EUR": Decimal("4.00")}}


def test_business_day_tiers_skip_weekends_holidays_and_closures() -> None:
    cal = FirmCalendar(country="US", closures=frozenset({date(2026, 11, 27)}))
    ts = [TierSettings("friendly", 5, day_count="business"), TierSettings("firm", 30)]
    # Due Fri 2026-11-20; to Sat 11-28: Mon-Wed 23-25 count, Thu 26 is Thanksgiving, Fri 27 a closure.
    due = date(2026, 11, 20)
    assert days_past_due(due, TODAY, "business", cal) == 3
    assert days_past_due(due, TODAY, "calendar", cal) == 8
    s = only_skip(plan(settings(tiers=ts), snapshot([inv(1, due=due)]), TODAY, calendar=cal, explain_all=True))
    assert "3 business days past due" in s.reason and "starts at 5 business days" in s.reason
    # Without the firm's calendar (weekends only) the same invoice is 5 business days late.
    assert only_action(plan(settings(tiers=ts), snapshot([inv(1, due=due)]), TODAY)).tier == "friendly"


def test_plan_is_deterministic_and_sorted_by_client_name() -> None:
    snap = snapshot([inv(1, client=3, due=40), inv(2, client=1, due=40), inv(3, client=2, due=40)],
                    [partner(3, "alpha"), partner(1, "Charlie"), partner(2, "bravo")])
    p = plan(settings(), snap, TODAY)
    assert [a.client_name for a in p.actions] == ["alpha", "bravo", "Charlie"]
    assert plan(settings(), snap, TODAY) == p


def test_the_action_counts_the_reminders_sent_in_this_cycle() -> None:
    """Issue 13: history sentences need the count of reminders actually sent about these invoices."""
    first = only_action(plan(settings(), snapshot([inv(1, due=95)]), TODAY))
    assert first.sent_before == 0
    history = [sent(1, "courtesy", 120, [1]), sent(1, "friendly", 60, [1]), sent(1, "firm", 40, [1]),
               sent(1, "friendly", 400, [99])]  # invoice 99 is paid: an earlier cycle
    again = only_action(plan(settings(), snapshot([inv(1, due=95)], contacts=history), TODAY))
    assert again.sent_before == sum(1 for c in history if 1 in c.invoice_ids)
    cancelled = [*history[:3], sent(1, "final", 20, [1], status="cancelled")]
    assert only_action(plan(settings(), snapshot([inv(1, due=95)], contacts=cancelled), TODAY)).sent_before == 3
