"""Facts every sentence of a reminder or letter states, computed from the client's record and nothing else.

A letter is read by the client and perhaps by a fee-arbitration panel: "remain unpaid 808 days or more" over an
invoice 6 days past due, "despite our earlier reminders" on a first contact, or an offer that lapses before the
payment deadline it accompanies are untrue sentences. Templates therefore never compute ages, history or dates
themselves; they test these facts (`oldest_days`, `history_count`, `prompt`…), which both the email context
(core/texts.py) and the letter context (core/letter_docx.py) include under the same names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

# Up to this many days past due a first reminder may ask for payment "at your earliest convenience"; beyond it the
# wording asks for payment by a date (a 768-days-late first contact is not a friendly nudge).
GENTLE_DAYS = 30


@dataclass(frozen=True)
class AgeFacts:
    """Days past due of the invoices a text lists (credit notes excluded)."""

    count: int
    oldest_days: int
    youngest_days: int
    overdue_count: int

    @property
    def same_age(self) -> bool:
        return self.oldest_days == self.youngest_days


def age_facts(days_past_due: Sequence[int]) -> AgeFacts:
    if not days_past_due:
        return AgeFacts(0, 0, 0, 0)
    return AgeFacts(len(days_past_due), max(days_past_due), min(days_past_due),
                    sum(1 for d in days_past_due if d > 0))


def payment_deadline(respond_by: date, offer_expiry: date | None, today: date) -> date:
    """The date a text asks for payment by: never after the expiry of an offer it carries, so the offer never
    lapses before the deadline it accompanies (an expiry already past does not shorten anything)."""
    if offer_expiry is not None and today <= offer_expiry < respond_by:
        return offer_expiry
    return respond_by


def text_facts(days_past_due: Sequence[int], history_count: int, *, is_company: bool) -> dict[str, Any]:
    """The context keys shared by emails and letters (templates/email/README.md documents them)."""
    ages = age_facts(days_past_due)
    return {
        "oldest_days": ages.oldest_days,
        "youngest_days": ages.youngest_days,
        "same_age": ages.same_age,
        "overdue_count": ages.overdue_count,
        "history_count": max(history_count, 0),
        "has_history": history_count > 0,
        "first_contact": history_count <= 0,
        "prompt": ages.oldest_days > GENTLE_DAYS,
        "is_company": is_company,
    }


__all__ = ["GENTLE_DAYS", "AgeFacts", "age_facts", "payment_deadline", "text_facts"]
