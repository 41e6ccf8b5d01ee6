"""The firm's content rules for one language, from settings: the `Wording` that `core.clearance` checks.

The same rules as the templates check (the official channels and the verification line must appear) plus
the forbidden threats of every shipped language (LAW.md #10) and the firm's own account numbers as the only
ones a text may name. Staff edits, and every exit that re-checks the words, build their `Wording` here.
"""

from __future__ import annotations

from collections.abc import Sequence

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Wording
from overdue_reminder.core.letter_text import FORBIDDEN_PHRASES
from overdue_reminder.core.texts import clean_line, normalize_language


def channel_labels(settings: Settings, language: str, currencies: Sequence[str] = ()) -> tuple[str, ...]:
    """Each official channel's label as a reminder in `language` and these currencies prints it (as
    core.reminder_text.Shared does: only the channels that take one of the currencies)."""
    lang = normalize_language(language)
    return tuple(clean_line(ch.text(lang).label) for ch in settings.payment.channels_for(tuple(currencies)))


def verify_phone(settings: Settings) -> str:
    return clean_line(settings.payment.verify_phone or settings.firm.phone, 100)


def reminder_wording(settings: Settings, language: str, currencies: Sequence[str] = ()) -> Wording:
    """What a reminder in `language` (about invoices in `currencies`) must say and must never say."""
    lang = normalize_language(language)
    verification = settings.payment.verification
    sentence = verification.get(lang) or verification.get(lang.split("_")[0]) or ""
    required = [verify_phone(settings), *channel_labels(settings, lang, currencies)]
    if sentence.strip():
        required.append(clean_line(sentence, 1000))
    accounts = [d for ch in settings.payment.channels
                for d in (*ch.details, ch.url, ch.iban, ch.swift, ch.intermediary_bank,
                          *(t for tr in ch.translations.values() for t in (*tr.details, tr.intermediary_bank))) if d]
    pay = settings.payment
    return Wording(forbidden=FORBIDDEN_PHRASES, required=tuple(r for r in required if r),
                   official_accounts=tuple(accounts), letter_max_age_days=settings.letters.max_age_days,
                   portal_host=pay.portal_host if pay.portal_links else "")


def official_links(settings: Settings) -> tuple[str, ...]:
    return tuple(ch.url for ch in settings.payment.channels if ch.url)


__all__ = ["channel_labels", "official_links", "reminder_wording", "verify_phone"]
