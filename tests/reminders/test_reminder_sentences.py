"""Every sentence of a reminder email is true of the client's record: ages, history and deadlines (issue 13).

The expected sentences are derived from the action (its lines' ages, its history count), never typed in, for
clients with mixed invoice ages, no history and a long history, in both shipped languages.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from reminder_factory import ATTORNEY, RUN, action, line

from overdue_reminder.config import Settings
from overdue_reminder.core.reminder_text import SHIPPED_TIERS, Rendered, Shared, Templates, render_action, shared_for
from overdue_reminder.model import Action, Partner

LANGS = ("en_US", "zh_CN")
HISTORY_WORDS = {
    "en_US": ("wrote to you earlier", "Despite", "despite", "Second reminder", "Further", "several times",
              "reminders we sent", "reminder we sent"),
    "zh_CN": ("多次", "此前", "再次", "第二次"),
}


def _shared(settings: Settings, company: bool = True, **kw: object) -> Shared:
    partners = {100001: Partner(100001, "Alex Contact", 1), 1: Partner(1, "Client 1 Inc.", 1, is_company=company)}
    return shared_for(settings, RUN, partners=partners, attorneys={ATTORNEY.id: ATTORNEY}, **kw)  # type: ignore[arg-type]


def _render(settings: Settings, a: Action, **kw: object) -> Rendered:
    return render_action(Templates(), a, _shared(settings, **kw), "R-0123456789")  # type: ignore[arg-type]


def _mixed(lang: str, tier: str, sent_before: int) -> Action:
    lines = [line(11, days=808), line(12, days=27), line(13, days=6)]
    return replace(action(1, tier=tier, language=lang, lines=lines), sent_before=sent_before)


def _oldest(a: Action) -> int:
    return max(ln.days_past_due for ln in a.lines)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("tier", SHIPPED_TIERS[1:])
def test_mixed_ages_state_the_oldest_never_n_days_or_more(settings: Settings, lang: str, tier: str) -> None:
    a = _mixed(lang, tier, sent_before=0)
    r = _render(settings, a)
    oldest = _oldest(a)
    expected = f"the oldest is {oldest} days past due" if lang == "en_US" else f"其中逾期最久的一份已逾期{oldest}天"
    for part in (r.text, r.html):
        assert expected in part
        assert "or more" not in part and "以上" not in part
        for ln in a.lines:  # each invoice's own age is in the table
            age = f"{ln.days_past_due} days past due" if lang == "en_US" else f"已逾期{ln.days_past_due}天"
            assert age in part


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("tier", SHIPPED_TIERS)
def test_a_first_contact_claims_no_history(settings: Settings, lang: str, tier: str) -> None:
    a = _mixed(lang, tier, sent_before=0)
    r = _render(settings, a)
    for part in (r.subject, r.text, r.html):
        for word in HISTORY_WORDS[lang]:
            assert word not in part, (tier, word)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("tier", ("friendly", "firm", "final", "escalation"))
def test_a_long_history_is_stated_with_its_count(settings: Settings, lang: str, tier: str) -> None:
    a = _mixed(lang, tier, sent_before=4)
    r = _render(settings, a)
    n = a.sent_before
    expected = {"en_US": (f"the {n} reminders we sent earlier" if tier != "escalation"
                          else f"We have written to you {n} times"),
                "zh_CN": f"本所此前已{n}次致函提醒"}[lang]
    if tier == "firm" and lang == "en_US":
        expected = "We wrote to you earlier"
    assert expected in r.text and expected in r.html


@pytest.mark.parametrize("lang", LANGS)
def test_second_reminder_only_after_exactly_one(settings: Settings, lang: str) -> None:
    word = "Second reminder" if lang == "en_US" else "第二次付款提醒"
    subjects = {n: _render(settings, _mixed(lang, "firm", n)).subject for n in (0, 1, 2)}
    assert word in subjects[1]
    assert word not in subjects[0] and word not in subjects[2]


@pytest.mark.parametrize("lang", LANGS)
def test_a_very_late_first_contact_is_not_a_friendly_nudge(settings: Settings, lang: str) -> None:
    late = action(1, tier="friendly", language=lang, lines=[line(11, days=768)])
    fresh = action(1, tier="friendly", language=lang, lines=[line(11, days=12)])
    gentle = "at your earliest convenience" if lang == "en_US" else "在方便时尽早"
    shared = _shared(settings)
    r_late, r_fresh = (render_action(Templates(), a, shared, "R-X") for a in (late, fresh))
    assert gentle not in r_late.text and gentle in r_fresh.text
    deadline = Templates().locale(lang, lang)
    from overdue_reminder.core.reminder_text import formatter
    assert formatter(deadline).date(shared.respond_by, "long") in r_late.text
    assert (f"{_oldest(late)} days past the due date" if lang == "en_US" else f"已逾期{_oldest(late)}天") in r_late.text


@pytest.mark.parametrize("lang", LANGS)
def test_company_and_individual_forms_of_address_in_chinese(settings: Settings, lang: str) -> None:
    if lang != "zh_CN":
        pytest.skip("forms of address are a Chinese rule")
    a = _mixed(lang, "firm", 1)
    company = _render(settings, a, company=True).text
    person = _render(settings, a, company=False).text
    body = company.split("【付款方式】")[0]
    assert "贵司" in body and "贵方" not in company
    assert "贵司" not in person and "您" in person.split("【付款方式】")[0]


@pytest.mark.parametrize("lang", LANGS)
def test_the_payment_deadline_never_outlives_the_offer(settings: Settings, lang: str) -> None:
    """A final reminder with an offer: the stated payment date is never after the offer's expiry."""
    shared = _shared(settings)
    from overdue_reminder.core.reminder_text import formatter

    fmt = formatter(Templates().locale(lang, lang))
    for days in (3, 10, 30):
        expiry = RUN + timedelta(days=days)
        offers = {1: {"summary": "Offer", "lines": [], "respond_by": expiry}}
        s = replace(shared, offers=offers)
        a = replace(_mixed(lang, "final", 2), with_offer=True)
        text = render_action(Templates(), a, s, "R-X").text
        stated = min(shared.respond_by, expiry)
        assert fmt.date(stated, "long") in text
        if expiry < shared.respond_by:
            assert fmt.date(shared.respond_by, "long") not in text  # no second, later deadline
