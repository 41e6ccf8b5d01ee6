"""The one boundary where outside records become the desk's: text made safe, emails checked, money bounded.

Every source (Odoo, CSV exports) passes what it reads through here before building a record, so a
name pasted from a word processor (a vertical tab), a NUL in an invoice number or a line break in an
email address cannot reach a letter (lxml refuses control characters), a mail header (CR/LF starts a
new header) or the store (PostgreSQL refuses NUL). What is cleaned silently is harmless to lose
(controls, invisible spoofing marks); what is dropped or cut is reported as a `Skipped` with the raw
value, escaped and shortened, so staff can fix it at the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from overdue_reminder.model import Skipped
from overdue_reminder.money import MoneyError, to_decimal

# C0 and C1 controls (NUL, vertical tab, CR, LF, ESC…), line and paragraph separators: never part of a
# one-line field. Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) can reorder what a
# reader sees ("invoice paid" shown as something else); zero-width space, word joiner and BOM are invisible
# noise. Right-to-left text itself and the joiners (ZWNJ, ZWJ) and direction marks (LRM, RLM) that
# Persian, Arabic and emoji need are kept.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]+")
_EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[^\s@]{1,251}\.[^\s@.]{2,63}")

NAME_MAX = 256  # Odoo's name columns are unbounded; a letter's address block and a subject are not
TEXT_MAX = 512
EMAIL_MAX = 254  # RFC 5321
RAW_SHOWN = 80
DEFAULT_MAX_AMOUNT = Decimal("1e12")


def shown(raw: object) -> str:
    """The raw value for the record of what was skipped: escaped (controls visible) and shortened."""
    text = repr(raw if isinstance(raw, str) else str(raw))
    return text if len(text) <= RAW_SHOWN else f"{text[:RAW_SHOWN]}…' ({len(str(raw))} characters)"


def line(value: object, limit: int = TEXT_MAX) -> str:
    """One line of text: controls become spaces, invisible marks go, runs of space collapse, `limit` kept."""
    if not isinstance(value, str):
        return ""
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " " \
            and not _INVISIBLE.search(value):
        return value[:limit]
    return " ".join(_INVISIBLE.sub("", _CONTROL.sub(" ", value)).split())[:limit]


def is_email(addr: str) -> bool:
    """A plain single address: no spaces or controls, one @, a dotted domain."""
    return len(addr) <= EMAIL_MAX and bool(_EMAIL.fullmatch(addr)) and ".." not in addr


@dataclass
class Cleaner:
    """Cleans one record's fields, collecting what had to be dropped or cut as `Skipped` notes."""

    model: str
    record_id: int | str
    notes: list[Skipped] = field(default_factory=list)

    def note(self, reason: str) -> None:
        self.notes.append(Skipped(self.model, self.record_id, reason))

    def text(self, name: str, value: object, limit: int = TEXT_MAX) -> str:
        clean = line(value, limit + 1)
        if len(clean) > limit:
            self.note(f"{name} longer than {limit} characters, cut: {shown(value)}")
            clean = clean[:limit - 1].rstrip() + "…"
        return clean

    def email(self, name: str, value: object, *, strict: bool = False) -> str:
        """An email as the source holds it, or "" when it cannot be used safely.

        A control character or line break (header injection, or a paste gone wrong) always drops it:
        cleaning it would invent an address. `strict` (attorneys: their address goes into headers and
        letters unchecked) also drops an address that is not plainly valid; a client's address that only
        looks wrong is kept so that drafting flags it for staff (invalid_address) instead of posting.
        """
        if not isinstance(value, str) or not value.strip():
            return ""
        raw = value.strip()
        if _CONTROL.search(raw) or _INVISIBLE.search(raw):
            self.note(f"{name} has control characters or line breaks, not used: {shown(value)}")
            return ""
        if len(raw) > EMAIL_MAX * 5:
            self.note(f"{name} is longer than {EMAIL_MAX * 5} characters, not used: {shown(value)}")
            return ""
        if strict and not is_email(raw):
            self.note(f"{name} is not a valid address, not used: {shown(value)}")
            return ""
        return raw

    def amount(self, name: str, value: object, currency: str, max_amount: Decimal) -> Decimal:
        """Money in the currency's precision; MoneyError (the record is skipped) outside ±max_amount."""
        if isinstance(value, float) and value != value:  # NaN: to_decimal names it
            return to_decimal(value, currency)
        raw = to_decimal(value)
        if abs(raw) > max_amount:
            raise MoneyError(f"{name} {raw:.6g} {currency} is outside the allowed range "
                             f"(±{max_amount:,.0f}; sync.max_amount)")
        return to_decimal(raw, currency)
