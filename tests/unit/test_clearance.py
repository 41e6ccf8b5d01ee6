"""core.clearance: each rule objects on its own facts and only then; every refusal names its rule."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overdue_reminder.core.clearance import (
    AGE,
    AUTHORITY,
    CONTENT,
    FIGURES,
    HOLDS,
    RECIPIENT,
    SYSTEM,
    Actor,
    Exit,
    Facts,
    HoldFact,
    InvoiceNow,
    Item,
    Line,
    Role,
    Wording,
    clear,
    content_problems,
)

TODAY = date(2026, 11, 29)
CLERK = Actor("clerk", Role.STAFF, "os-user")
CHEN = Actor("m.chen", Role.ATTORNEY, "odoo-password", odoo_uid=7)
PARTNER = Actor("partner", Role.PARTNER, "odoo-api-key", odoo_uid=2)
WORDING = Wording(forbidden=("criminal charges", "举报"), required=("+1 212 555 0100",),
                  official_accounts=("021000021", "1234567890"), letter_max_age_days=30)
LINE = Line(10, "INV/2026/0010", "USD", Decimal("150.00"))
FACTS = Facts(invoices={10: InvoiceNow(10, "INV/2026/0010", "USD", Decimal("150.00"), True)},
              billing_contacts=frozenset({"ap@acme.example"}), quanta={"USD": Decimal("0.01")})
TEXT = "Please pay INV/2026/0010. Bank: account 1234567890, routing 021000021. Verify: +1 212 555 0100."


def reminder(**kw: object) -> Item:
    base: dict[str, object] = dict(exit=Exit.REMINDER, ref="reminder #1", client_id=1, lines=(LINE,),
                                   recipient="AP@acme.example", created_on=TODAY, text=TEXT, approved_by=CLERK)
    base.update(kw)
    return Item(**base)  # type: ignore[arg-type]


def rules(c: object) -> set[str]:
    return {r.rule for r in c.reasons}  # type: ignore[attr-defined]


def test_a_clean_reminder_is_cleared() -> None:
    c = clear(reminder(), FACTS, SYSTEM, TODAY, WORDING)
    assert c.allowed, c.explain()


@pytest.mark.parametrize("kind", ["bankruptcy", "other_counsel", "do_not_contact", "dispute", "payment_plan",
                                  "promise_to_pay", "pause"])
@pytest.mark.parametrize("exit_", list(Exit))
def test_each_hold_kind_at_each_exit(kind: str, exit_: Exit) -> None:
    facts = Facts(holds=(HoldFact(5, kind, "filed chapter 7", "clerk"),), invoices=FACTS.invoices,
                  billing_contacts=FACTS.billing_contacts)
    item = reminder(exit=exit_, approved_by=CHEN, attorney_uid=7)
    c = clear(item, facts, CHEN, TODAY, WORDING)
    contact = exit_ in (Exit.REMINDER, Exit.POSTAL, Exit.LETTER_RELEASE)
    legal = kind in ("bankruptcy", "other_counsel", "do_not_contact", "dispute")
    expect_blocked = exit_ is not Exit.WRITE_BACK and (contact or legal)
    assert (HOLDS in rules(c)) is expect_blocked
    if expect_blocked:
        assert not c.allowed and "hold #5" in c.explain() and "filed chapter 7" in c.explain()
        assert c.holds[0].id == 5


def test_invoice_hold_blocks_only_items_stating_that_invoice() -> None:
    facts = Facts(holds=(HoldFact(6, "dispute", "hours contested", "clerk", invoice_id=99),),
                  invoices=FACTS.invoices, billing_contacts=FACTS.billing_contacts)
    assert clear(reminder(), facts, SYSTEM, TODAY, WORDING).allowed
    held = Line(99, "INV/99", "USD", Decimal("5"))
    facts2 = Facts(holds=facts.holds, invoices={**FACTS.invoices, 99: InvoiceNow(99, "INV/99", "USD", Decimal(5), True)},
                   billing_contacts=FACTS.billing_contacts)
    assert HOLDS in rules(clear(reminder(lines=(LINE, held)), facts2, SYSTEM, TODAY, WORDING))


def test_paid_changed_and_missing_invoices_block_with_figures() -> None:
    paid = Facts(invoices={10: InvoiceNow(10, "INV/2026/0010", "USD", Decimal("0"), False)},
                 billing_contacts=FACTS.billing_contacts)
    changed = Facts(invoices={10: InvoiceNow(10, "INV/2026/0010", "USD", Decimal("100.00"), True)},
                    billing_contacts=FACTS.billing_contacts)
    gone = Facts(billing_contacts=FACTS.billing_contacts)
    for facts, words in ((paid, "paid"), (changed, "100.00"), (gone, "no longer")):
        c = clear(reminder(), facts, SYSTEM, TODAY, WORDING)
        assert rules(c) == {FIGURES} and words in c.explain()
        assert c.figures_changed


def test_rounding_per_currency_is_not_a_change() -> None:
    facts = Facts(invoices={10: InvoiceNow(10, "x", "USD", Decimal("150.004"), True)},
                  billing_contacts=FACTS.billing_contacts, quanta={"USD": Decimal("0.01")})
    assert clear(reminder(), facts, SYSTEM, TODAY, WORDING).allowed


def test_recipient_must_be_billing_contact_of_record() -> None:
    c = clear(reminder(recipient="cfo@other.example"), FACTS, SYSTEM, TODAY, WORDING)
    assert rules(c) == {RECIPIENT}


def test_letters_expire_and_past_deadlines_block() -> None:
    old = TODAY - timedelta(days=31)
    c = clear(reminder(exit=Exit.LETTER_RELEASE, created_on=old, approved_by=CHEN, attorney_uid=7, recipient=""),
              FACTS, CLERK, TODAY, WORDING)
    assert rules(c) == {AGE}
    c = clear(reminder(deadline=TODAY - timedelta(days=1)), FACTS, SYSTEM, TODAY, WORDING)
    assert rules(c) == {AGE}
    assert clear(reminder(deadline=TODAY), FACTS, SYSTEM, TODAY, WORDING).allowed


def test_letter_approval_needs_the_proven_responsible_attorney_or_partner() -> None:
    item = reminder(exit=Exit.LETTER_APPROVAL, approved_by=None, attorney_uid=7, recipient="")
    assert clear(item, FACTS, CHEN, TODAY, WORDING).allowed
    assert clear(item, FACTS, PARTNER, TODAY, WORDING).allowed
    other = Actor("j.doe", Role.ATTORNEY, "odoo-password", odoo_uid=8)
    claimed = Actor("m.chen", Role.ATTORNEY, "", odoo_uid=7)
    for who in (other, claimed, CLERK):
        c = clear(item, FACTS, who, TODAY, WORDING)
        assert rules(c) == {AUTHORITY}, (who, c.explain())


def test_release_needs_a_proven_attorney_approval() -> None:
    item = reminder(exit=Exit.LETTER_RELEASE, approved_by=None, attorney_uid=7, recipient="")
    assert rules(clear(item, FACTS, CLERK, TODAY, WORDING)) == {AUTHORITY}
    ok = reminder(exit=Exit.LETTER_RELEASE, approved_by=CHEN, attorney_uid=7, recipient="")
    assert clear(ok, FACTS, CLERK, TODAY, WORDING).allowed
    unproven_clerk = Actor("clerk", Role.STAFF, "")
    assert rules(clear(ok, FACTS, unproven_clerk, TODAY, WORDING)) == {AUTHORITY}


def test_reminder_needing_attorney_review_needs_an_attorney_approval() -> None:
    assert rules(clear(reminder(needs_attorney=True), FACTS, SYSTEM, TODAY, WORDING)) == {AUTHORITY}
    ok = reminder(needs_attorney=True, approved_by=CHEN, attorney_uid=7)
    assert clear(ok, FACTS, SYSTEM, TODAY, WORDING).allowed
    assert rules(clear(reminder(approved_by=None), FACTS, SYSTEM, TODAY, WORDING)) == {AUTHORITY}


def test_content_rules_on_the_exact_text() -> None:
    threat = TEXT + " Otherwise we will press CRIMINAL   charges."
    c = clear(reminder(text=threat), FACTS, SYSTEM, TODAY, WORDING)
    assert rules(c) == {CONTENT} and "criminal charges" in c.explain()
    fraud = TEXT.replace("1234567890", "9999888877")
    assert "9999888877" in clear(reminder(text=fraud), FACTS, SYSTEM, TODAY, WORDING).explain()
    no_phone = TEXT.replace("+1 212 555 0100", "")
    assert rules(clear(reminder(text=no_phone), FACTS, SYSTEM, TODAY, WORDING)) == {CONTENT}


def test_content_sees_through_zero_width_and_full_width_tricks() -> None:
    assert content_problems("我们将向税务机关举\u200b报", WORDING)
    assert content_problems("ＣＲＩＭＩＮＡＬ charges", Wording(forbidden=("criminal charges",)))


@given(st.lists(st.sampled_from(["bankruptcy", "dispute", "pause", "payment_plan"]), max_size=4),
       st.decimals(min_value=0, max_value=10_000, places=2), st.booleans())
def test_never_allowed_while_a_blocking_fact_holds(kinds: list[str], residual: Decimal, open_: bool) -> None:
    facts = Facts(holds=tuple(HoldFact(i, k, "r", "clerk") for i, k in enumerate(kinds)),
                  invoices={10: InvoiceNow(10, "INV/2026/0010", "USD", residual, open_)},
                  billing_contacts=FACTS.billing_contacts, quanta=FACTS.quanta)
    c = clear(reminder(), facts, SYSTEM, TODAY, WORDING)
    blocking = bool(kinds) or not open_ or residual != LINE.residual
    assert c.allowed is not blocking


def test_the_clients_own_name_is_not_forbidden_wording() -> None:
    """Issue 13: a client called "Criminal Charges Defense LLC" is data; the firm's own words are still read."""
    text = "Dear Criminal Charges Defense LLC, please pay. Call +1 212 555 0100."
    assert content_problems(text, WORDING, ("Criminal Charges Defense LLC",)) == []
    assert content_problems(text, WORDING) == ["contains forbidden wording 'criminal charges'"]
    threat = text + " Otherwise we file criminal charges."
    assert content_problems(threat, WORDING, ("Criminal Charges Defense LLC",)) == [
        "contains forbidden wording 'criminal charges'"]


def test_letter_totals_compared_with_todays_ledger() -> None:
    item = Item(exit=Exit.LETTER_RELEASE, ref="letter #3", client_id=1, totals={"USD": Decimal("150.00")},
                invoice_ids=(10,), approved_by=CHEN, attorney_uid=7, created_on=TODAY)
    assert clear(item, FACTS, CLERK, TODAY, WORDING).allowed
    part = Facts(invoices={10: InvoiceNow(10, "INV/2026/0010", "USD", Decimal("50.00"), True)})
    c = clear(item, part, CLERK, TODAY, WORDING)
    assert rules(c) == {FIGURES} and "50.00" in c.explain()
    paid = Facts(invoices={10: InvoiceNow(10, "INV/2026/0010", "USD", Decimal("0"), False)})
    assert "paid" in clear(item, paid, CLERK, TODAY, WORDING).explain()


def test_html_part_is_checked_as_read() -> None:
    html = "<p>Please pay.</p><p>Account 1234567890, routing 021000021. Verify: +1&nbsp;212 555 0100</p>"
    ok = reminder(html=html.replace("&nbsp;", " "))
    assert clear(ok, FACTS, SYSTEM, TODAY, WORDING).allowed
    stale = reminder(html="<p>Old text without the phone. Account 1234567890</p>")
    c = clear(stale, FACTS, SYSTEM, TODAY, WORDING)
    assert rules(c) == {CONTENT} and "HTML part" in c.explain()
    threat = reminder(html=html.replace("&nbsp;", " ") + "<p>Criminal<b> charges</b> follow</p>")
    assert "criminal charges" in clear(threat, FACTS, SYSTEM, TODAY, WORDING).explain()


def test_staff_may_approve_a_reminder_only_an_attorney_may_approve_one_marked_for_review() -> None:
    draft = reminder(exit=Exit.REMINDER_APPROVAL, approved_by=None)
    assert clear(draft, FACTS, CLERK, TODAY, WORDING).allowed
    marked = reminder(exit=Exit.REMINDER_APPROVAL, approved_by=None, needs_attorney=True, attorney_uid=7)
    assert rules(clear(marked, FACTS, CLERK, TODAY, WORDING)) == {AUTHORITY}
    assert clear(marked, FACTS, CHEN, TODAY, WORDING).allowed
