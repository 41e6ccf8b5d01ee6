"""The firm's business days for any year: public holidays from the `holidays` package for the configured
country and subdivision, plus the firm's own closures (yearly month-days and one-off dates).

The expected holidays are worked out here from their legal definitions (the fourth Thursday of November,
the observed day of a weekend Independence Day), not read back from the package.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overdue_reminder import config
from overdue_reminder.calendar import CalendarError, FirmCalendar, check_holiday_region, yearly_closure
from overdue_reminder.errors import ConfigError
from overdue_reminder.resources import example_config

YEARS = st.integers(min_value=1991, max_value=2080)
EVERY_YEAR = settings(max_examples=40, deadline=None)  # a year's holiday table is built on first use
NY = FirmCalendar(timezone="America/New_York", country="US", subdivision="NY")
US = FirmCalendar(timezone="America/New_York", country="US")
BAVARIA = FirmCalendar(timezone="Europe/Berlin", country="DE", subdivision="BY")
BERLIN = FirmCalendar(timezone="Europe/Berlin", country="DE", subdivision="BE")


def thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def observed(day: date) -> date:
    """US federal rule: a Saturday holiday is observed on Friday, a Sunday one on Monday."""
    return day - timedelta(days=1) if day.weekday() == 5 else day + timedelta(days=1) if day.weekday() == 6 else day


@EVERY_YEAR
@given(YEARS)
def test_federal_holidays_close_the_firm_every_year(year: int) -> None:
    assert not NY.is_business_day(thanksgiving(year))
    assert not NY.is_business_day(observed(date(year, 7, 4)))
    assert not NY.is_business_day(observed(date(year, 12, 25)))
    assert NY.is_business_day(thanksgiving(year) - timedelta(days=1))  # the Wednesday before is a working day
    # the Friday after Thanksgiving is open: only the firm can close it
    friday = thanksgiving(year) + timedelta(days=1)
    assert NY.is_business_day(friday)
    assert not FirmCalendar(country="US", subdivision="NY", closures=frozenset({friday})).is_business_day(friday)


@EVERY_YEAR
@given(YEARS)
def test_the_subdivision_adds_its_own_holidays(year: int) -> None:
    lincoln = date(year, 2, 12)  # a New York State holiday, not a federal one
    if lincoln.weekday() < 5:
        assert not NY.is_business_day(lincoln) and US.is_business_day(lincoln)
    epiphany = date(year, 1, 6)  # Bavaria keeps it, Berlin does not
    if epiphany.weekday() < 5:
        assert not BAVARIA.is_business_day(epiphany) and BERLIN.is_business_day(epiphany)


@EVERY_YEAR
@given(YEARS, st.sampled_from(["12-24", "12-31", "08-15", "02-29", "01-02"]))
def test_yearly_closures_close_that_day_every_year(year: int, text: str) -> None:
    month, day = yearly_closure(text)
    cal = FirmCalendar(country="US", yearly=frozenset({(month, day)}))
    if (month, day) == (2, 29) and year % 4:  # not a leap year (1991-2080 has no century exception)
        assert all(cal.is_business_day(d) == US.is_business_day(d) for d in (date(year, 2, 28), date(year, 3, 1)))
        return
    closed = date(year, month, day)
    assert not cal.is_business_day(closed)
    if closed.weekday() < 5 and US.is_business_day(closed):
        assert cal.business_days_between(closed - timedelta(days=1), closed) == 0
        assert cal.add_business_days(closed - timedelta(days=1), 1) > closed


@EVERY_YEAR
@given(YEARS)
def test_a_one_off_closure_closes_only_its_own_year(year: int) -> None:
    day = date(2031, 3, 12)  # a Wednesday
    cal = FirmCalendar(country="US", closures=frozenset({day}))
    assert cal.is_business_day(date(year, 3, 12)) == (year != 2031 and date(year, 3, 12).weekday() < 5)


@pytest.mark.parametrize("text", ["12/24", "13-01", "02-30", "1-5", "", "12-24-2026"])
def test_a_yearly_closure_must_be_a_month_day(text: str) -> None:
    with pytest.raises(CalendarError, match="MM-DD"):
        yearly_closure(text)


def test_regions_are_checked_without_a_year() -> None:
    check_holiday_region("US", "NY")
    check_holiday_region("DE", None)
    with pytest.raises(CalendarError, match="country 'ZZ'"):
        check_holiday_region("ZZ", None)
    with pytest.raises(CalendarError, match="subdivision 'XX' of 'US'"):
        check_holiday_region("US", "XX")


@pytest.mark.parametrize("text, key, words", [
    ('[firm]\nyearly_closures = ["24.12"]', "firm.yearly_closures", "MM-DD"),
    ('[firm]\nholiday_subdivision = "XX"', "firm.holiday_subdivision", "subdivision 'XX'"),
])
def test_bad_closures_and_regions_name_the_key(text: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        config.parse(text, "/srv/desk/overdue-reminder.toml")
    assert f"[{key}]" in str(err.value) and words in str(err.value) and "Fix:" in str(err.value)


def test_the_example_configuration_closes_christmas_eve_in_every_year() -> None:
    """`init` writes closures that hold in any year, not dates of one year."""
    s = config.parse(example_config(), "/etc/overdue/overdue-reminder.toml")
    assert not s.firm.closures and s.firm.yearly_closures
    cal = s.calendar()
    for year in (2026, 2027, 2031, 2040):
        eve = date(year, 12, 24)
        assert not cal.is_business_day(eve)
        assert cal.is_business_day(eve - timedelta(days=1)) == ((eve - timedelta(days=1)).weekday() < 5)
