"""`[payment]`: the firm's official channels per currency, the verification phone and Odoo portal pay links.

A client paying a CNY bill must see the CNY channel (SWIFT/BIC, IBAN, intermediary bank) and not a USD
transfer with an ABA number; a zh_CN reminder must carry no English channel text. Pay links point at the
firm's own Odoo customer portal; `portal_url` names it, and any other host in a link blocks sending.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from overdue_reminder.config.builder import Ctx, check_currency

REFERENCE_FIELDS = frozenset({"invoice_number", "reminder_reference"})


@dataclass(frozen=True)
class ChannelText:
    """A channel's words in one language (`[payment.channels.translations.zh_CN]`); empty keys fall back."""

    label: str = ""
    details: list[str] = field(default_factory=list)
    intermediary_bank: str = ""


@dataclass(frozen=True)
class PaymentChannel:
    """One of the firm's official ways to pay (`[[payment.channels]]`), printed in reminders in its currencies."""

    label: str
    details: list[str] = field(default_factory=list)  # e.g. ["Bank: …", "ABA 021000021", "Account 1234"]
    url: str = ""  # the firm's own client portal, if any
    labels: dict[str, str] = field(default_factory=dict)  # the label per language, e.g. {zh_CN = "银行转账"}
    currencies: list[str] = field(default_factory=list)  # the invoice currencies it takes; empty: every one
    swift: str = ""  # SWIFT/BIC of the receiving bank
    iban: str = ""
    intermediary_bank: str = ""  # e.g. "JPMorgan Chase, New York, SWIFT CHASUS33"
    reference: str = ""  # what the client quotes, e.g. "{invoice_number}"
    translations: dict[str, ChannelText] = field(default_factory=dict)

    def takes(self, currency: str) -> bool:
        return not self.currencies or currency.upper() in {c.upper() for c in self.currencies}

    def text(self, language: str) -> ChannelText:
        """The channel's words in `language` (or its base language), each falling back to the default."""
        base = language.split("_")[0]
        tr = self.translations.get(language) or self.translations.get(base) or ChannelText()
        return ChannelText(label=tr.label or self.labels.get(language) or self.labels.get(base) or self.label,
                           details=list(tr.details) if tr.details else list(self.details),
                           intermediary_bank=tr.intermediary_bank or self.intermediary_bank)

    def references(self, invoice_numbers: list[str], reminder_reference: str) -> list[str]:
        """The reference format applied to each invoice (one line when the format names no invoice)."""
        if not self.reference:
            return []
        if "{invoice_number}" not in self.reference:
            return [self.reference.format(invoice_number="", reminder_reference=reminder_reference)]
        return [self.reference.format(invoice_number=n, reminder_reference=reminder_reference)
                for n in invoice_numbers]


@dataclass(frozen=True)
class PaymentSettings:
    """DESIGN.md: every reminder carries only these channels and how to verify a request by phone."""

    channels: list[PaymentChannel] = field(default_factory=list)
    verify_phone: str = ""  # the firm's published number; empty: firm.phone
    verification: dict[str, str] = field(default_factory=dict)  # per language; empty: the template's sentence
    portal_links: bool = False  # each invoice's Odoo customer-portal link (with its access token)
    portal_url: str = ""  # the firm's own Odoo/portal address, e.g. "https://odoo.harperlowe.example"
    currencies: list[str] = field(default_factory=list)  # the firm bills in these (checked offline)

    @property
    def portal_host(self) -> str:
        return (urlsplit(self.portal_url).hostname or "").lower()

    def channels_for(self, currencies: list[str] | tuple[str, ...]) -> list[PaymentChannel]:
        """The channels a reminder in these currencies shows (all of them when it names none)."""
        if not currencies:
            return list(self.channels)
        return [ch for ch in self.channels if any(ch.takes(c) for c in currencies)]

    def uncovered(self, currencies: list[str] | tuple[str, ...] | set[str]) -> list[str]:
        return sorted(c for c in currencies if not any(ch.takes(c) for ch in self.channels))

    def check(self, ctx: Ctx) -> None:
        for i, ch in enumerate(self.channels):
            _check_channel(ctx, f"payment.channels[{i}]", ch)
        if any(c in self.verify_phone for c in "\r\n"):
            ctx.fail("payment.verify_phone", "must be one line.", "write the number only.")
        for i, code in enumerate(self.currencies):
            check_currency(ctx, f"payment.currencies[{i}]", code)
        if self.channels and self.currencies and self.uncovered(self.currencies):
            ctx.fail("payment.channels", f"no payment channel takes {', '.join(self.uncovered(self.currencies))} "
                     "(listed in payment.currencies).",
                     "add that currency to the currencies of a [[payment.channels]] entry, or add a channel for it.")
        if self.portal_links:
            parts = urlsplit(self.portal_url)
            loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")  # the sandbox, tests and the demo
            scheme_ok = parts.scheme == "https" or (parts.scheme == "http" and loopback)
            if not scheme_ok or not parts.hostname or parts.path not in ("", "/") or parts.query:
                ctx.fail("payment.portal_url", f"{self.portal_url!r} is not the https:// address of the firm's "
                         "Odoo portal.", "use e.g. \"https://odoo.harperlowe.example\" (scheme and host only), "
                         "or set portal_links = false if the firm has no client portal.")


def _check_channel(ctx: Ctx, key: str, ch: PaymentChannel) -> None:
    if not ch.label.strip():
        ctx.fail(f"{key}.label", "a payment channel needs a label.", "use e.g. \"Bank transfer (USD)\".")
    if not ch.details and not ch.url and not ch.iban:
        ctx.fail(f"{key}.details", f"channel {ch.label!r} says nothing about how to pay.",
                 "add details = [\"Bank: …\", \"Account: …\"], iban = \"…\" or url = \"https://…\".")
    if ch.url and not ch.url.startswith("https://"):
        ctx.fail(f"{key}.url", f"{ch.url!r} is not an https:// address.", "use the firm's own https:// portal address.")
    for j, code in enumerate(ch.currencies):
        check_currency(ctx, f"{key}.currencies[{j}]", code)
    swift = ch.swift.replace(" ", "")
    if swift and not (len(swift) in (8, 11) and swift.isalnum() and swift[:6].isalpha()):
        ctx.fail(f"{key}.swift", f"{ch.swift!r} is not a SWIFT/BIC code.", "use 8 or 11 letters and digits, "
                 "e.g. \"CHASUS33\" or \"BKCHCNBJ110\".")
    iban = ch.iban.replace(" ", "")
    if iban and not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:4].isdigit() and iban.isalnum()):
        ctx.fail(f"{key}.iban", f"{ch.iban!r} is not an IBAN.", "write it as printed by the bank, e.g. "
                 "\"DE89 3704 0044 0532 0130 00\".")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(ch.reference) if name is not None}
    except ValueError as exc:
        ctx.fail(f"{key}.reference", f"{ch.reference!r} is not a reference format ({exc}).",
                 "use e.g. \"{invoice_number}\".")
    if names - REFERENCE_FIELDS:
        ctx.fail(f"{key}.reference", f"unknown placeholder {sorted(names - REFERENCE_FIELDS)[0]!r}.",
                 "use {invoice_number} or {reminder_reference}.")
    for lang, tr in ch.translations.items():
        if not (tr.label or tr.details or tr.intermediary_bank):
            ctx.fail(f"{key}.translations.{lang}", "is empty.",
                     "give label, details or intermediary_bank, or remove it.")
        if tr.details and ch.details and len(tr.details) != len(ch.details):
            ctx.fail(f"{key}.translations.{lang}.details", f"has {len(tr.details)} lines; details has "
                     f"{len(ch.details)}.", "translate every line of details, in the same order.")
