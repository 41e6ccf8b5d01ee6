"""The firm's calendar: timezone, business days, public holidays and the firm's own closures.

Pure apart from constructing the holiday table; `today` always comes from the caller.
"""

from __future__ import annotations

from calendar import isleap
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays as holidays_lib


class CalendarError(ValueError):
    """Unknown holiday country or subdivision, or a bad timezone."""


def holiday_table(country: str | None, subdivision: str | None, years: Iterable[int]) -> set[date]:
    """The public holidays of `years` from the `holidays` package (any year it can compute)."""
    if not country:
        return set()
    return set(_holidays(country, subdivision, list(years)).keys())


def check_holiday_region(country: str, subdivision: str | None) -> None:
    """Raise CalendarError unless the `holidays` package knows the country (and subdivision); no year needed."""
    _holidays(country, subdivision, [])


def _holidays(country: str, subdivision: str | None, years: list[int]) -> holidays_lib.HolidayBase:
    try:
        return holidays_lib.country_holidays(country, subdiv=subdivision, years=years)
    except (NotImplementedError, ValueError, KeyError) as exc:  # which one depends on the holidays version
        if subdivision:
            try:
                holidays_lib.country_holidays(country, years=[])
            except (NotImplementedError, ValueError, KeyError):
                pass
            else:
                raise CalendarError(f"unknown holiday subdivision {subdivision!r} of {country!r}") from exc
        raise CalendarError(f"unknown holiday country {country!r}") from exc


def yearly_closure(text: str) -> tuple[int, int]:
    """'12-24' as (12, 24): a closure on that day every year. February 29 counts in leap years only."""
    month, sep, day = text.strip().partition("-")
    try:
        if not sep or len(month) != 2 or len(day) != 2:
            raise ValueError(text)
        date(2000, int(month), int(day))  # 2000 was a leap year: every real month-day is valid in it
    except ValueError as exc:
        raise CalendarError(f"{text!r} is not a month and day written MM-DD") from exc
    return int(month), int(day)


@dataclass(frozen=True)
class FirmCalendar:
    """Business days = Monday-Friday that are neither public holidays nor firm closures.

    Closures are one-off dates (`closures`) or month-days closed every year (`yearly`, e.g. (12, 24)).
    """

    timezone: str = "UTC"
    country: str | None = None
    subdivision: str | None = None
    closures: frozenset[date] = field(default_factory=frozenset)
    yearly: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _years(self) -> dict[int, frozenset[date]]:
        return {}

    def _closed(self, year: int) -> frozenset[date]:
        """Holidays are built one year at a time, when first asked for: building decades up front is slow."""
        got = self._years.get(year)
        if got is None:
            got = frozenset(holiday_table(self.country, self.subdivision, [year])) | frozenset(
                d for d in self.closures if d.year == year) | frozenset(
                date(year, m, d) for m, d in self.yearly if isleap(year) or (m, d) != (2, 29))
            self._years[year] = got
        return got

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._closed(day.year)

    def is_holiday(self, day: date) -> bool:
        return day in self._closed(day.year)

    def next_business_day(self, day: date) -> date:
        """`day` itself if it is a business day, else the next one."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after `day` (n >= 0; n = 0 rolls forward to a business day)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return self.next_business_day(day)
        while n:
            day += timedelta(days=1)
            if self.is_business_day(day):
                n -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.business_days_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1)
                   if self.is_business_day(start + timedelta(days=i)))

    def local_now(self, now: datetime) -> datetime:
        """A timezone-aware instant seen on the firm's wall clock."""
        if now.tzinfo is None:
            raise ValueError("naive datetime: pass an aware instant")
        return now.astimezone(self.tz)

    def local_today(self, now: datetime) -> date:
        return self.local_now(now).date()
