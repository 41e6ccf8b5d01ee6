"""Pure parts of issue 13: facts for sentences, forbidden wording on the firm's words only, addresses by country."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overdue_reminder import config
from overdue_reminder.core import phrases
from overdue_reminder.core.addresses import country_kind, postal_lines, state_code, verify_phone
from overdue_reminder.core.sentences import GENTLE_DAYS, age_facts, payment_deadline, text_facts
from overdue_reminder.model import Address


# ---------------------------------------------------------------- facts
@given(st.lists(st.integers(min_value=-30, max_value=3000), min_size=1, max_size=20), st.integers(0, 9))
def test_facts_are_the_records_own(days: list[int], history: int) -> None:
    facts = text_facts(days, history, is_company=True)
    assert facts["oldest_days"] == max(days) and facts["youngest_days"] == min(days)
    assert facts["same_age"] is (len(set(days)) == 1)
    assert facts["overdue_count"] == sum(1 for d in days if d > 0)
    assert facts["has_history"] is (history > 0) and facts["first_contact"] is (history == 0)
    assert facts["history_count"] == history
    assert facts["prompt"] is (max(days) > GENTLE_DAYS)


def test_no_invoices_no_ages() -> None:
    assert age_facts([]).count == 0


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 60),
       st.one_of(st.none(), st.integers(-20, 90)))
def test_an_offer_never_expires_before_the_deadline_it_accompanies(today: date, respond: int,
                                                                   expiry_days: int | None) -> None:
    respond_by = today + timedelta(days=respond)
    expiry = None if expiry_days is None else today + timedelta(days=expiry_days)
    deadline = payment_deadline(respond_by, expiry, today)
    assert deadline <= respond_by  # never later than the firm's own response period
    if expiry is not None and expiry >= today:
        assert expiry >= deadline  # the offer is still open on the stated deadline
    if expiry is None or expiry < today or expiry >= respond_by:
        assert deadline == respond_by


# ---------------------------------------------------------------- forbidden wording
@pytest.mark.parametrize("text", [
    "We will report you to the IRS.", "Your immigration status may be reviewed.",
    "We may file a disciplinary complaint with your licensing board.", "We will contact the tax authorities.",
    "我们将向税务机关举报。", "您将被列入失信名单。", "我们会通知移民局。", "我们将向行业协会投诉并要求吊销执照。",
    "Failure to pay may lead to criminal charges.", "我们会报警",
])
def test_threats_in_both_languages_are_found(text: str) -> None:
    assert phrases.find(text)


@pytest.mark.parametrize("text", [
    "This is our first reminder.", "Please pay through the firm's official channels.",
    "The firm intends to refer the matter for collection by a civil action.", "本所拟通过民事诉讼追收上述律师费。",
])
def test_ordinary_wording_passes(text: str) -> None:
    assert phrases.find(text) == []


def test_client_data_is_not_the_firms_wording() -> None:
    text = "Dear Criminal Defense Partners LLC,\nPlease pay the invoice for Metro Police Benevolent Association."
    data = ("Criminal Defense Partners LLC", "Metro Police Benevolent Association")
    assert phrases.find(text, data) == []
    assert phrases.find(text + "\nOtherwise we call the police.", data) == ["police"]
    assert phrases.find(text) == ["criminal", "police"]  # unmasked, the names would be read as threats


def test_staff_lines_are_what_the_draft_lacked() -> None:
    draft = "Dear Criminal Defense Partners LLC:\nPlease pay by March 16."
    edited = draft + "\nOr we report you to the IRS."
    assert phrases.staff_lines(edited, draft) == "Or we report you to the IRS."
    assert phrases.find(phrases.staff_lines(edited, draft)) == ["report you to", "irs"]


def test_short_words_match_whole_words_only() -> None:
    assert phrases.find("the first invoice") == []
    assert phrases.find("the IRS will hear of it") == ["irs"]


# ---------------------------------------------------------------- addresses
def test_us_address_reads_city_state_zip() -> None:
    a = Address("500 Market Street", "Suite 12", "New York", "10017", "New York (US)", "United States")
    assert postal_lines(a) == ["500 Market Street", "Suite 12", "New York, NY 10017", "United States"]
    assert "10017 New York" not in " ".join(postal_lines(a))
    assert state_code("ca") == "CA" and state_code("Texas") == "TX"
    assert country_kind(Address(city="Albany", state="NY")) == "US"


def test_chinese_address_runs_from_province_to_street() -> None:
    a = Address("世纪大道100号", "浦东新区", "上海市", "200120", "上海市", "中国")
    assert postal_lines(a) == ["中国", "上海市浦东新区", "世纪大道100号", "邮编：200120"]
    b = Address("天府大道北段1700号", "", "成都市", "610041", "四川省", "中国")
    assert postal_lines(b) == ["中国", "四川省成都市", "天府大道北段1700号", "邮编：610041"]
    assert country_kind(Address("南京路100号", city="上海")) == "CN"


def test_other_countries_keep_zip_city() -> None:
    assert postal_lines(Address("Hauptstrasse 1", "", "Berlin", "10115", "", "Germany")) == [
        "Hauptstrasse 1", "10115 Berlin", "Germany"]


def test_one_verification_phone() -> None:
    s = config.parse('[firm]\nphone = "+1 212 555 0199"\n[payment]\nverify_phone = "+1 212 555 0100"\n')
    assert verify_phone(s) == "+1 212 555 0100"
    s2 = config.parse('[firm]\nphone = "+1 212 555 0199"\n')
    assert verify_phone(s2) == "+1 212 555 0199"
