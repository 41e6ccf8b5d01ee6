"""TOML + environment → frozen Settings. Every error names the file, the key and the fix.

Each section is a frozen dataclass; one generic builder checks every key against the
dataclass (unknown key, wrong type) and each section's `check()` adds the semantic rules
(timezone, currency, tier order). Secrets never live in the TOML: only the name of an
environment variable or the path of an owner-only file.
"""

from __future__ import annotations

import os
import stat
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from overdue_reminder.calendar import CalendarError, FirmCalendar, holiday_table
from overdue_reminder.errors import ConfigError
from overdue_reminder.money import is_currency

CONFIG_ENV = "OVERDUE_REMINDER_CONFIG"
DEFAULT_CONFIG_NAME = "overdue-reminder.toml"

T = TypeVar("T")


# ---------------------------------------------------------------- sections
@dataclass(frozen=True)
class FirmSettings:
    name: str = "Your Law Firm LLP"
    address: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    website: str = ""
    timezone: str = "America/New_York"
    default_language: str = "en_US"
    holiday_country: str = "US"
    holiday_subdivision: str = ""
    closures: list[date] = field(default_factory=list)
    logo: str = ""
    jurisdiction: str = ""

    def check(self, ctx: _Ctx) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            ctx.fail("firm.timezone", f"unknown timezone {self.timezone!r}.",
                     "use an IANA name such as 'America/New_York' or 'Europe/Berlin'.")
        if self.holiday_country:
            try:
                holiday_table(self.holiday_country, self.holiday_subdivision or None, [2026])
            except CalendarError as exc:
                key = "firm.holiday_subdivision" if self.holiday_subdivision else "firm.holiday_country"
                ctx.fail(key, f"{exc}.",
                         "use an ISO 3166 country code such as 'US' and a subdivision such as 'NY', "
                         "or an empty string for none.")


@dataclass(frozen=True)
class OdooSettings:
    host: str = "127.0.0.1"
    port: int = 8069
    protocol: Literal["jsonrpc", "jsonrpcs", "xmlrpc", "xmlrpcs"] = "jsonrpc"
    database: str = ""
    login: str = ""
    password_env: str = "OVERDUE_REMINDER_ODOO_PASSWORD"
    password_file: str = ""
    timeout_seconds: float = 60.0
    retries: int = 3
    backoff_seconds: float = 1.0
    batch_size: int = 1000
    matter_fields: list[str] = field(default_factory=lambda: ["invoice_origin", "ref"])
    # Odoo stamps write_date with its transaction's start: a long transaction commits records dated
    # before the last watermark. Each incremental pass re-reads this many seconds before it.
    lookback_seconds: int = 600
    trust_account_code: str = ""
    write_back: bool = False

    def check(self, ctx: _Ctx) -> None:
        if not 1 <= self.port <= 65535:
            ctx.fail("odoo.port", f"port {self.port} is out of range.", "use 1-65535 (Odoo's default is 8069).")
        if self.timeout_seconds <= 0:
            ctx.fail("odoo.timeout_seconds", "must be positive.", "use e.g. 60.")
        if self.retries < 0:
            ctx.fail("odoo.retries", "must be 0 or more.", "use e.g. 3.")
        if not 1 <= self.batch_size <= 10000:
            ctx.fail("odoo.batch_size", "must be between 1 and 10000.", "use 1000.")
        if not 0 <= self.lookback_seconds <= 86400:
            ctx.fail("odoo.lookback_seconds", "must be between 0 and 86400.", "use e.g. 600 (ten minutes).")
        if not self.matter_fields:
            ctx.fail("odoo.matter_fields", "needs at least one field.", "use [\"invoice_origin\", \"ref\"].")


@dataclass(frozen=True)
class SyncSettings:
    # An amount beyond this (either sign) is not a real receivable: the record is skipped and listed.
    max_amount: Decimal = Decimal("1e12")

    def check(self, ctx: _Ctx) -> None:
        if not Decimal(1) <= self.max_amount <= Decimal("1e15"):
            ctx.fail("sync.max_amount", f"{self.max_amount} is out of range.", "use e.g. 1000000000000 (1e12).")


@dataclass(frozen=True)
class FilesSettings:
    invoices_csv: str = ""
    clients_csv: str = ""
    payments_csv: str = ""


@dataclass(frozen=True)
class StoreSettings:
    path: str = "overdue-reminder.db"
    url: str = ""

    def check(self, ctx: _Ctx) -> None:
        if self.url and not self.url.startswith(("sqlite", "postgresql")):
            ctx.fail("store.url", f"unsupported database URL {self.url.split(':')[0]!r}.",
                     "use 'postgresql+psycopg://user@host/db' or leave it empty for SQLite at store.path.")


@dataclass(frozen=True)
class TierSettings:
    """One step of the reminder ladder; `days` past due (negative: a pre-due courtesy notice)."""

    name: str
    days: int
    day_count: Literal["calendar", "business"] = "calendar"
    channel: Literal["email", "letter"] = "email"
    attorney_review: bool = False
    offer: bool = False
    min_days_before_next: int = 0
    auto_send: bool = False


def default_tiers() -> list[TierSettings]:
    return [
        TierSettings("courtesy", -3),
        TierSettings("friendly", 7),
        TierSettings("firm", 30),
        TierSettings("final", 60, offer=True),
        TierSettings("escalation", 90, channel="letter", attorney_review=True),
    ]


@dataclass(frozen=True)
class ClientOverride:
    """Per-client terms (`[[policy.clients]]`), matched by Odoo partner id or exact name."""

    id: int = 0
    name: str = ""
    extra_days: int = 0
    no_reminders: bool = False
    interest_allowed: bool = False
    interest_rate: Decimal | None = None  # percent a year, simple; None: policy.interest_rate
    late_fee: dict[str, Decimal] = field(default_factory=dict)  # flat fee per overdue invoice, per currency
    kind: Literal["", "consumer", "business"] = ""
    note: str = ""


@dataclass(frozen=True)
class PolicySettings:
    tiers: list[TierSettings] = field(default_factory=default_tiers)
    grace_days: int = 0
    min_gap_days: int = 7
    minimum_amount: dict[str, Decimal] = field(default_factory=dict)
    group_by: Literal["client", "matter"] = "client"
    skip_tiers: bool = False
    interest_rate: Decimal = Decimal(0)
    late_fee: dict[str, Decimal] = field(default_factory=dict)
    personal_email_domains: list[str] = field(default_factory=list)
    clients: list[ClientOverride] = field(default_factory=list)

    def check(self, ctx: _Ctx) -> None:
        if not self.tiers:
            ctx.fail("policy.tiers", "needs at least one tier.", "add [[policy.tiers]] tables or remove the key.")
        seen: set[str] = set()
        for i, t in enumerate(self.tiers):
            key = f"policy.tiers[{i}]"
            if not t.name.strip():
                ctx.fail(f"{key}.name", "a tier needs a name.", "use e.g. \"friendly\".")
            if t.name in seen:
                ctx.fail(f"{key}.name", f"duplicate tier name {t.name!r}.", "give every tier its own name.")
            seen.add(t.name)
            if i and t.days <= self.tiers[i - 1].days:
                ctx.fail(f"{key}.days", f"tiers are out of order: {t.name!r} at {t.days} days comes after "
                         f"{self.tiers[i - 1].name!r} at {self.tiers[i - 1].days} days.",
                         "list tiers from the earliest to the latest, each with more days than the one before.")
            if t.min_days_before_next < 0:
                ctx.fail(f"{key}.min_days_before_next", "must be 0 or more.", "use e.g. 7.")
            if t.channel == "letter" and not t.attorney_review:
                ctx.fail(f"{key}.attorney_review", "a letter tier is never sent without an attorney's approval.",
                         "set attorney_review = true.")
            if t.auto_send and t.attorney_review:
                ctx.fail(f"{key}.auto_send", "a tier that needs an attorney's review cannot be sent automatically.",
                         "set auto_send = false.")
        if all(t.days <= 0 for t in self.tiers):
            ctx.fail("policy.tiers", "every tier is before the due date; nothing would follow up overdue invoices.",
                     "add a tier with days of 1 or more.")
        if self.grace_days < 0:
            ctx.fail("policy.grace_days", "must be 0 or more.", "use 0 for none.")
        if self.min_gap_days < 0:
            ctx.fail("policy.min_gap_days", f"a negative gap ({self.min_gap_days}) is not allowed.",
                     "use 0 or more days between contacts (default 7).")
        if self.interest_rate < 0:
            ctx.fail("policy.interest_rate", "must be 0 or more.", "use a yearly percent such as \"9\".")
        for table, amounts in (("policy.minimum_amount", self.minimum_amount), ("policy.late_fee", self.late_fee)):
            for code, amount in amounts.items():
                check_currency(ctx, f"{table}.{code}", code)
                if amount < 0:
                    ctx.fail(f"{table}.{code}", "must be 0 or more.", "use e.g. \"25.00\".")
        ids: set[int] = set()
        names: set[str] = set()
        for i, c in enumerate(self.clients):
            key = f"policy.clients[{i}]"
            if not c.id and not c.name:
                ctx.fail(key, "names no client.", "set id (the Odoo partner id) or name (exact).")
            if c.id < 0:
                ctx.fail(f"{key}.id", "must be a positive Odoo partner id.", "use the id shown in Odoo.")
            if c.id and c.id in ids:
                ctx.fail(f"{key}.id", f"client id {c.id} is listed twice.", "merge the two entries.")
            if c.name and c.name in names:
                ctx.fail(f"{key}.name", f"client {c.name!r} is listed twice.", "merge the two entries.")
            ids.add(c.id)
            names.add(c.name)
            if c.extra_days < 0:
                ctx.fail(f"{key}.extra_days", "must be 0 or more.", "use the extra days of the client's terms.")
            if c.interest_rate is not None and c.interest_rate < 0:
                ctx.fail(f"{key}.interest_rate", "must be 0 or more.", "use a yearly percent such as \"9\".")
            if (c.interest_rate is not None or c.late_fee) and not c.interest_allowed:
                ctx.fail(f"{key}.interest_allowed", "interest or a late fee is set but the engagement terms are "
                         "not marked as allowing it.", "set interest_allowed = true only if the engagement "
                         "terms agreed it in advance; otherwise remove interest_rate and late_fee.")
            for code, amount in c.late_fee.items():
                check_currency(ctx, f"{key}.late_fee.{code}", code)
                if amount < 0:
                    ctx.fail(f"{key}.late_fee.{code}", "must be 0 or more.", "use e.g. \"25.00\".")

    def tier_index(self, name: str) -> int | None:
        for i, t in enumerate(self.tiers):
            if t.name == name:
                return i
        return None


LETTER_KINDS = ("escalation", "withdrawal_warning", "refer_to_suit")
SERVICE_METHODS = ("certified_mail", "certified_and_regular_mail", "registered_mail", "personal_service",
                   "regular_mail", "hand_delivery", "email")


@dataclass(frozen=True)
class JurisdictionSettings:
    """One jurisdiction's fee-arbitration notice (LAW.md #8, #9): what letters say, what refer-to-suit waits on."""

    name: str = ""
    notice_required: bool = True
    notice_kind: str = "fee_arbitration"
    notice_title: str = ""
    rule: str = ""
    forms: list[str] = field(default_factory=list)
    template: str = ""  # default notices/<CODE>.txt.j2
    service_methods: list[str] = field(default_factory=list)  # empty: any method counts
    waiting_days: int = 0  # 0: letters.suit_waiting_days


def _default_jurisdictions() -> dict[str, JurisdictionSettings]:
    """Shipped defaults (LAW.md #9); the firm's counsel confirms them, a [letters.jurisdictions.X] table overrides."""
    return {
        "NY": JurisdictionSettings(
            name="New York", notice_kind="ny_part137",
            notice_title="Notice of Client's Right to Arbitrate (22 NYCRR Part 137)", rule="22 NYCRR 137.6",
            forms=["UCS 137-1 (Notice of Client's Right to Arbitrate)", "UCS 137-2 (Client's Request for Arbitration)"],
            service_methods=["certified_mail", "personal_service"]),
        "CA": JurisdictionSettings(
            name="California", notice_kind="ca_mfaa",
            notice_title="Notice of Client's Right to Fee Arbitration (Mandatory Fee Arbitration Act)",
            rule="Cal. Bus. & Prof. Code §6201(a)",
            forms=["State Bar of California: Notice of Client's Right to Fee Arbitration"]),
        "NJ": JurisdictionSettings(
            name="New Jersey", notice_kind="nj_pre_action",
            notice_title="Pre-Action Notice of Client's Right to Fee Arbitration (R. 1:20A-6)",
            rule="N.J. Ct. R. 1:20A-6", forms=[],
            service_methods=["certified_and_regular_mail"]),
    }


@dataclass(frozen=True)
class LettersSettings:
    """Escalation letters: where they are written, who reviews them, and each jurisdiction's notice."""

    dir: str = "letters"
    supervising_partner: str = ""
    pdf: Literal["auto", "never"] = "auto"
    pdf_timeout_seconds: float = 120.0
    write_back: bool = False
    suit_waiting_days: int = 30
    review_days: int = 2
    max_edited_mb: int = 20
    templates_dir: str = ""
    tier_kinds: dict[str, str] = field(default_factory=dict)
    jurisdictions: dict[str, JurisdictionSettings] = field(default_factory=_default_jurisdictions)

    def check(self, ctx: _Ctx) -> None:
        if self.supervising_partner and "@" not in self.supervising_partner:
            ctx.fail("letters.supervising_partner", f"{self.supervising_partner!r} is not an email address.",
                     "use the partner's email as it appears in Odoo, e.g. \"partner@firm.example\".")
        if self.suit_waiting_days < 0:
            ctx.fail("letters.suit_waiting_days", "must be 0 or more.", "use 30 (LAW.md #9).")
        if self.pdf_timeout_seconds <= 0:
            ctx.fail("letters.pdf_timeout_seconds", "must be positive.", "use e.g. 120.")
        if self.review_days < 0:
            ctx.fail("letters.review_days", "must be 0 or more.", "use e.g. 2.")
        if not 1 <= self.max_edited_mb <= 200:
            ctx.fail("letters.max_edited_mb", "must be between 1 and 200.", "use e.g. 20.")
        for tier, kind in self.tier_kinds.items():
            if kind not in LETTER_KINDS:
                ctx.fail(f"letters.tier_kinds.{tier}", f"{kind!r} is not a letter kind.",
                         f"use one of: {', '.join(LETTER_KINDS)}.")
        for code, j in self.jurisdictions.items():
            if not code.isalnum() or code != code.upper():
                ctx.fail(f"letters.jurisdictions.{code}", f"jurisdiction code {code!r} must be upper-case letters.",
                         "use a code such as NY, CA or NJ.")
            for i, m in enumerate(j.service_methods):
                if m not in SERVICE_METHODS:
                    ctx.fail(f"letters.jurisdictions.{code}.service_methods[{i}]", f"unknown method {m!r}.",
                             f"use one of: {', '.join(SERVICE_METHODS)}.")
            if j.waiting_days < 0:
                ctx.fail(f"letters.jurisdictions.{code}.waiting_days", "must be 0 or more.",
                         "use 0 for letters.suit_waiting_days, or a number of days.")
            if not j.notice_kind:
                ctx.fail(f"letters.jurisdictions.{code}.notice_kind", "must not be empty.",
                         "use a short name such as \"ny_part137\"; `letters notice --kind` records it.")

    def jurisdiction(self, code: str) -> JurisdictionSettings | None:
        """The configured table first, then the shipped defaults (so configuring NY keeps CA and NJ)."""
        code = code.upper()
        return self.jurisdictions.get(code) or _default_jurisdictions().get(code)

    def kind_of(self, tier: str) -> str:
        """Which letter a tier produces: configured, else the tier's own name if it is a kind, else escalation."""
        if tier in self.tier_kinds:
            return self.tier_kinds[tier]
        return tier if tier in LETTER_KINDS else "escalation"

    def waiting_days(self, code: str) -> int:
        j = self.jurisdiction(code) if code else None
        return j.waiting_days if j is not None and j.waiting_days else self.suit_waiting_days


@dataclass(frozen=True)
class PaymentChannel:
    """One of the firm's official ways to pay (`[[payment.channels]]`), printed in every reminder."""

    label: str
    details: list[str] = field(default_factory=list)  # e.g. ["Bank: …", "ABA 021000021", "Account 1234"]
    url: str = ""  # the firm's own client portal, if any
    labels: dict[str, str] = field(default_factory=dict)  # the label per language, e.g. {zh_CN = "银行转账"}


@dataclass(frozen=True)
class PaymentSettings:
    """DESIGN.md: every reminder carries only these channels and how to verify a request by phone."""

    channels: list[PaymentChannel] = field(default_factory=list)
    verify_phone: str = ""  # the firm's published number; empty: firm.phone
    verification: dict[str, str] = field(default_factory=dict)  # per language; empty: the template's sentence

    def check(self, ctx: _Ctx) -> None:
        for i, ch in enumerate(self.channels):
            if not ch.label.strip():
                ctx.fail(f"payment.channels[{i}].label", "a payment channel needs a label.",
                         "use e.g. \"Bank transfer (USD)\".")
            if not ch.details and not ch.url:
                ctx.fail(f"payment.channels[{i}].details", f"channel {ch.label!r} says nothing about how to pay.",
                         "add details = [\"Bank: …\", \"Account: …\"] or url = \"https://…\".")
            if ch.url and not ch.url.startswith("https://"):
                ctx.fail(f"payment.channels[{i}].url", f"{ch.url!r} is not an https:// address.",
                         "use the firm's own https:// portal address.")
        if any(c in self.verify_phone for c in "\r\n"):
            ctx.fail("payment.verify_phone", "must be one line.", "write the number only.")


@dataclass(frozen=True)
class DeliverySettings:
    """How approved reminders leave the desk (DESIGN.md: outbox, SMTP or Odoo's mail)."""

    mode: Literal["outbox", "smtp", "odoo"] = "outbox"
    outbox_dir: str = "outbox"
    from_address: str = ""  # empty: firm.email
    from_name: str = ""  # empty: firm.name (LAW.md #12: always the firm's own name)
    reply_to: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password_env: str = "OVERDUE_REMINDER_SMTP_PASSWORD"
    smtp_timeout: float = 30.0
    send_window: str = "09:00-17:00"  # firm local time, [start, end)
    business_days_only: bool = True
    max_per_run: int = 500
    write_back_notes: bool = False

    def check(self, ctx: _Ctx) -> None:
        if not 1 <= self.smtp_port <= 65535:
            ctx.fail("delivery.smtp_port", f"port {self.smtp_port} is out of range.",
                     "use 587 (STARTTLS) or 465 (SSL).")
        if self.smtp_timeout <= 0:
            ctx.fail("delivery.smtp_timeout", "must be positive.", "use e.g. 30.")
        if self.max_per_run < 1:
            ctx.fail("delivery.max_per_run", "must be 1 or more.", "use e.g. 500.")
        try:
            self.window()
        except ValueError as exc:
            ctx.fail("delivery.send_window", f"{exc}.", "write it as \"HH:MM-HH:MM\", e.g. \"09:00-17:00\".")
        for key in ("from_address", "reply_to", "from_name"):
            if any(c in getattr(self, key) for c in "\r\n"):
                ctx.fail(f"delivery.{key}", "must be one line.", "remove the line break.")

    def window(self) -> tuple[time, time]:
        start_s, sep, end_s = self.send_window.partition("-")
        if not sep:
            raise ValueError(f"{self.send_window!r} is not a range")
        try:
            start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
        except ValueError as exc:
            raise ValueError(f"{self.send_window!r} is not a range of times") from exc
        if end <= start:
            raise ValueError(f"the window {self.send_window!r} ends before it starts")
        return start, end


@dataclass(frozen=True)
class TemplatesSettings:
    """A firm's own templates: `dir` mirrors the shipped layout (email/<lang>/<tier>.<part>.j2)."""

    dir: str = ""
    respond_within_days: int = 10  # business days the firm and final tiers give the client

    def check(self, ctx: _Ctx) -> None:
        if not 1 <= self.respond_within_days <= 90:
            ctx.fail("templates.respond_within_days", "must be between 1 and 90.", "use e.g. 10.")


# ---------------------------------------------------------------- web (the attorney review page)
@dataclass(frozen=True)
class WebSettings:
    """`overdue-reminder web`: where it listens, how sessions are signed, and who has which role.

    Attorneys need no entry: an Odoo login (or email) that matches the `attorneys` table is an attorney.
    The supervising partners of [letters] and [offers] are supervising partners here too.
    """

    host: str = "127.0.0.1"
    port: int = 8470
    secret_key_env: str = "OVERDUE_REMINDER_WEB_SECRET"
    secret_key_file: str = ""
    session_minutes: int = 480
    secure_cookies: bool = True
    same_site: Literal["Strict", "Lax"] = "Lax"
    supervising_partners: list[str] = field(default_factory=list)
    billing_staff: list[str] = field(default_factory=list)
    login_failures_per_login: int = 5
    login_failures_per_ip: int = 20
    login_window_minutes: int = 15
    login_lockout_minutes: int = 1  # the first lockout; each further one doubles (overdue_reminder.web.throttle)
    login_lockout_max_minutes: int = 60
    page_size: int = 50
    threads: int = 8

    def check(self, ctx: _Ctx) -> None:
        if not self.host.strip():
            ctx.fail("web.host", "must not be empty.", "use \"127.0.0.1\" (this computer only).")
        if not 1 <= self.port <= 65535:
            ctx.fail("web.port", f"port {self.port} is out of range.", "use 1-65535 (default 8470).")
        if not 5 <= self.session_minutes <= 7 * 24 * 60:
            ctx.fail("web.session_minutes", "must be between 5 minutes and 7 days.", "use e.g. 480 (a working day).")
        for key in ("login_failures_per_login", "login_failures_per_ip", "login_window_minutes",
                    "login_lockout_minutes", "threads"):
            if getattr(self, key) < 1:
                ctx.fail(f"web.{key}", "must be 1 or more.", "use a positive whole number.")
        if not self.login_lockout_minutes <= self.login_lockout_max_minutes <= 24 * 60:
            ctx.fail("web.login_lockout_max_minutes", "must be between login_lockout_minutes and 1440 (a day).",
                     "use e.g. 60.")
        if not 10 <= self.page_size <= 1000:
            ctx.fail("web.page_size", "must be between 10 and 1000.", "use e.g. 50.")
        seen: dict[str, str] = {}
        for role in ("supervising_partners", "billing_staff"):
            for i, who in enumerate(getattr(self, role)):
                if not who.strip():
                    ctx.fail(f"web.{role}[{i}]", "is empty.", "write the Odoo login or email, or remove the entry.")
                low = who.strip().lower()
                if low in seen and seen[low] != role:
                    ctx.fail(f"web.{role}[{i}]", f"{who!r} is listed under both {seen[low]} and {role}.",
                             "give each person one role.")
                seen[low] = role


# ---------------------------------------------------------------- offers (negotiation terms, authority)
OfferKindName = Literal["installments", "settlement", "extension", "combined", "none"]
FrequencyName = Literal["weekly", "biweekly", "monthly"]
OFFER_REASONS = ("financial_hardship", "temporary_emergency", "planning_error", "forgot_admin", "dispute", "other")
OFFER_GRADES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class OfferLimits:
    """What one level of the firm may grant alone; anything beyond goes one level up."""

    max_discount_percent: Decimal = Decimal("5")
    max_installments: int = 6
    max_extension_days: int = 30
    max_term_months: int = 9
    min_down_payment_percent: Decimal = Decimal("10")

    def check_at(self, ctx: _Ctx, key: str) -> None:
        if not Decimal(0) <= self.max_discount_percent < Decimal(100):
            ctx.fail(f"{key}.max_discount_percent", "must be at least 0 and below 100.", "use e.g. \"5\".")
        if not Decimal(0) <= self.min_down_payment_percent < Decimal(100):
            ctx.fail(f"{key}.min_down_payment_percent", "must be at least 0 and below 100.", "use e.g. \"10\".")
        for name in ("max_installments", "max_extension_days", "max_term_months"):
            if getattr(self, name) < 1:
                ctx.fail(f"{key}.{name}", "must be 1 or more.", "use a positive whole number.")


@dataclass(frozen=True)
class AttorneyLimits(OfferLimits):
    """Its own defaults, so that a partial [offers.attorney] table keeps the attorney's other limits."""

    max_discount_percent: Decimal = Decimal("15")
    max_installments: int = 12
    max_extension_days: int = 60
    max_term_months: int = 18
    min_down_payment_percent: Decimal = Decimal("5")


@dataclass(frozen=True)
class OfferFloors:
    """Absolute limits nobody at the firm may cross, not even the supervising partner."""

    max_discount_percent: Decimal = Decimal("25")
    min_down_payment_percent: Decimal = Decimal("5")
    longest_term_months: int = 24


@dataclass(frozen=True)
class ReasonTerms:
    """Default terms suggested for one reason the client gave; the client's grade then shapes them."""

    kind: OfferKindName = "none"
    installments: int = 0
    frequency: FrequencyName | Literal[""] = ""  # "": [offers].default_frequency
    down_payment_percent: Decimal = Decimal("0")
    extension_days: int = 0
    discount_percent: Decimal = Decimal("0")  # > 0: a lump-sum settlement is suggested as an alternative


@dataclass(frozen=True)
class HardshipTerms(ReasonTerms):
    kind: OfferKindName = "installments"
    installments: int = 6
    down_payment_percent: Decimal = Decimal("10")
    discount_percent: Decimal = Decimal("5")


@dataclass(frozen=True)
class EmergencyTerms(ReasonTerms):
    kind: OfferKindName = "extension"
    extension_days: int = 30


@dataclass(frozen=True)
class PlanningErrorTerms(ReasonTerms):
    kind: OfferKindName = "installments"
    installments: int = 3
    down_payment_percent: Decimal = Decimal("20")


@dataclass(frozen=True)
class ForgotTerms(ReasonTerms):
    kind: OfferKindName = "extension"
    extension_days: int = 7


@dataclass(frozen=True)
class OfferReasons:
    """One table per reason code; a partial table keeps the shipped defaults for the other keys."""

    financial_hardship: HardshipTerms = field(default_factory=HardshipTerms)
    temporary_emergency: EmergencyTerms = field(default_factory=EmergencyTerms)
    planning_error: PlanningErrorTerms = field(default_factory=PlanningErrorTerms)
    forgot_admin: ForgotTerms = field(default_factory=ForgotTerms)
    dispute: ReasonTerms = field(default_factory=ReasonTerms)
    other: ReasonTerms = field(default_factory=ReasonTerms)

    def terms(self, reason: str) -> ReasonTerms:
        return typing.cast(ReasonTerms, getattr(self, reason))


@dataclass(frozen=True)
class OfferSettings:
    """Negotiation offers: who may grant what, the floors, grace periods and default terms per reason."""

    staff: OfferLimits = field(default_factory=OfferLimits)
    attorney: AttorneyLimits = field(default_factory=AttorneyLimits)
    floors: OfferFloors = field(default_factory=OfferFloors)
    supervising_partner: str = ""
    default_frequency: FrequencyName = "monthly"
    installment_grace_days: int = 5  # business days after an installment's due date
    promise_grace_days: int = 3  # business days after a promised payment date
    down_payment_days: int = 7  # the first payment of a suggested plan falls due this many days out
    settlement_days: int = 14  # a suggested settlement must be paid within this many days
    reminder_reason: str = "financial_hardship"  # assumed for a final-tier offer when the client gave no reason
    min_installment: dict[str, Decimal] = field(default_factory=dict)  # per currency; default one minor unit
    grade_installments_percent: dict[str, int] = field(
        default_factory=lambda: {"A": 100, "B": 100, "C": 67, "D": 50})
    grade_extra_down_payment_percent: dict[str, Decimal] = field(
        default_factory=lambda: {"A": Decimal(0), "B": Decimal(0), "C": Decimal(10), "D": Decimal(20)})
    grade_extension_percent: dict[str, int] = field(default_factory=lambda: {"A": 100, "B": 100, "C": 50, "D": 50})
    grade_discount: dict[str, bool] = field(default_factory=lambda: {"A": True, "B": True, "C": False, "D": False})
    reasons: OfferReasons = field(default_factory=OfferReasons)

    def check(self, ctx: _Ctx) -> None:
        self.staff.check_at(ctx, "offers.staff")
        self.attorney.check_at(ctx, "offers.attorney")
        f = self.floors
        if not Decimal(0) <= f.max_discount_percent < Decimal(100):
            ctx.fail("offers.floors.max_discount_percent", "must be at least 0 and below 100.", "use e.g. \"25\".")
        if not Decimal(0) <= f.min_down_payment_percent < Decimal(100):
            ctx.fail("offers.floors.min_down_payment_percent", "must be at least 0 and below 100.", "use e.g. \"5\".")
        if f.longest_term_months < 1:
            ctx.fail("offers.floors.longest_term_months", "must be 1 or more.", "use e.g. 24.")
        s, a = self.staff, self.attorney
        for name in ("max_discount_percent", "max_installments", "max_extension_days", "max_term_months"):
            if getattr(s, name) > getattr(a, name):
                ctx.fail(f"offers.staff.{name}", f"staff may not grant more than the attorney "
                         f"(offers.attorney.{name}).", f"lower it to at most {getattr(a, name)} or raise "
                         f"offers.attorney.{name}.")
        if s.min_down_payment_percent < a.min_down_payment_percent:
            ctx.fail("offers.staff.min_down_payment_percent", "staff may not accept a smaller down payment "
                     "than the attorney.", f"raise it to at least {a.min_down_payment_percent}.")
        if a.max_discount_percent > f.max_discount_percent:
            ctx.fail("offers.attorney.max_discount_percent", "is above the floor offers.floors.max_discount_percent.",
                     f"lower it to at most {f.max_discount_percent}.")
        if a.min_down_payment_percent < f.min_down_payment_percent:
            ctx.fail("offers.attorney.min_down_payment_percent", "is below offers.floors.min_down_payment_percent.",
                     f"raise it to at least {f.min_down_payment_percent}.")
        if a.max_term_months > f.longest_term_months:
            ctx.fail("offers.attorney.max_term_months", "is beyond offers.floors.longest_term_months.",
                     f"lower it to at most {f.longest_term_months}.")
        if self.supervising_partner and "@" not in self.supervising_partner:
            ctx.fail("offers.supervising_partner", f"{self.supervising_partner!r} is not an email address.",
                     "write the partner's login email, or leave it empty.")
        if self.reminder_reason not in OFFER_REASONS or self.reminder_reason == "dispute":
            ctx.fail("offers.reminder_reason", f"{self.reminder_reason!r} is not a reason an offer can follow.",
                     "use financial_hardship, temporary_emergency, planning_error, forgot_admin or other.")
        for name in ("installment_grace_days", "promise_grace_days", "down_payment_days", "settlement_days"):
            if getattr(self, name) < 0:
                ctx.fail(f"offers.{name}", "must be 0 or more.", "use a whole number of days.")
        for code, amount in self.min_installment.items():
            check_currency(ctx, f"offers.min_installment.{code}", code)
            if amount <= 0:
                ctx.fail(f"offers.min_installment.{code}", "must be positive.", "write e.g. \"50.00\".")
        for key in ("grade_installments_percent", "grade_extra_down_payment_percent", "grade_extension_percent",
                    "grade_discount"):
            table: dict[str, Any] = getattr(self, key)
            for grade, value in table.items():
                if grade not in OFFER_GRADES:
                    ctx.fail(f"offers.{key}.{grade}", f"unknown grade {grade!r}.", "use A, B, C or D.")
                if not isinstance(value, bool) and not 0 <= value <= 100:
                    ctx.fail(f"offers.{key}.{grade}", "must be a percentage between 0 and 100.", "use e.g. 50.")
        for reason in OFFER_REASONS:
            t = self.reasons.terms(reason)
            key = f"offers.reasons.{reason}"
            if reason == "dispute" and t.kind != "none":
                ctx.fail(f"{key}.kind", "a disputed bill gets no offer: it goes to the attorney (LAW.md #8).",
                         "set kind = \"none\".")
            if t.kind in ("installments", "combined") and t.installments < 1:
                ctx.fail(f"{key}.installments", f"a {t.kind} offer needs at least one installment.", "use e.g. 3.")
            if t.kind in ("extension", "combined") and t.extension_days < 0:
                ctx.fail(f"{key}.extension_days", "must be 0 or more.", "use e.g. 14.")
            if t.kind == "extension" and t.extension_days < 1:
                ctx.fail(f"{key}.extension_days", "an extension needs at least one day.", "use e.g. 14.")
            if t.kind == "settlement" and t.discount_percent <= 0:
                ctx.fail(f"{key}.discount_percent", "a settlement needs a discount.", "use e.g. \"5\".")
            if not Decimal(0) <= t.down_payment_percent < Decimal(100):
                ctx.fail(f"{key}.down_payment_percent", "must be at least 0 and below 100.", "use e.g. \"10\".")
            if not Decimal(0) <= t.discount_percent < Decimal(100):
                ctx.fail(f"{key}.discount_percent", "must be at least 0 and below 100.", "use e.g. \"5\".")


@dataclass(frozen=True)
class ScheduleSettings:
    """The nightly service (`overdue-reminder serve`), in the firm's timezone."""

    nightly_at: str = "02:00"
    delivery_slots: list[str] = field(default_factory=list)  # extra send passes in business hours
    retries: int = 3
    retry_backoff_minutes: int = 10
    catch_up: bool = True
    heartbeat_seconds: int = 60

    def check(self, ctx: _Ctx) -> None:
        for key, value in [("schedule.nightly_at", self.nightly_at),
                           *[(f"schedule.delivery_slots[{i}]", v) for i, v in enumerate(self.delivery_slots)]]:
            try:
                t = time.fromisoformat(value)
            except ValueError:
                ctx.fail(key, f"{value!r} is not a time of day.", "write it as \"HH:MM\", e.g. \"02:00\".")
            if len(value) != 5 or t.second:
                ctx.fail(key, f"{value!r} must be HH:MM.", "write it as \"HH:MM\", e.g. \"02:00\".")
        if self.retries < 0:
            ctx.fail("schedule.retries", "must be 0 or more.", "use e.g. 3.")
        if self.retry_backoff_minutes < 1:
            ctx.fail("schedule.retry_backoff_minutes", "must be at least 1.", "use e.g. 10.")
        if self.heartbeat_seconds < 1:
            ctx.fail("schedule.heartbeat_seconds", "must be at least 1.", "use e.g. 60.")


@dataclass(frozen=True)
class DigestSettings:
    """The morning digest: the night's results to billing staff, each attorney's queue to them."""

    enabled: bool = True
    billing_staff: list[str] = field(default_factory=list)
    attorneys: bool = True

    def check(self, ctx: _Ctx) -> None:
        for i, addr in enumerate(self.billing_staff):
            if "@" not in addr or any(c in addr for c in "\r\n<>, "):
                ctx.fail(f"digest.billing_staff[{i}]", f"{addr!r} is not an email address.",
                         "list plain addresses such as \"billing@firm.example\".")


@dataclass(frozen=True)
class Settings:
    """Everything the tool needs, resolved and checked. Paths are absolute."""

    source: Literal["odoo", "files"] = "odoo"
    firm: FirmSettings = field(default_factory=FirmSettings)
    odoo: OdooSettings = field(default_factory=OdooSettings)
    files: FilesSettings = field(default_factory=FilesSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    letters: LettersSettings = field(default_factory=LettersSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)
    offers: OfferSettings = field(default_factory=OfferSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    payment: PaymentSettings = field(default_factory=PaymentSettings)
    templates: TemplatesSettings = field(default_factory=TemplatesSettings)
    web: WebSettings = field(default_factory=WebSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    config_path: str = ""
    base_dir: str = "."

    def resolve(self, path: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else Path(self.base_dir) / p

    @property
    def store_url(self) -> str:
        if self.store.url:
            return self.store.url
        return f"sqlite:///{self.resolve(self.store.path)}"

    def calendar(self) -> FirmCalendar:
        """One calendar per firm setting, shared: its holiday tables fill per year as they are asked for."""
        return _calendar(self.firm.timezone, self.firm.holiday_country or None, self.firm.holiday_subdivision or None,
                         frozenset(self.firm.closures))

    def odoo_password(self) -> str:
        pw_file = str(self.resolve(self.odoo.password_file)) if self.odoo.password_file else ""
        return read_secret(self.odoo.password_env, pw_file, self.config_path, "odoo")


@lru_cache(maxsize=16)
def _calendar(timezone: str, country: str | None, subdivision: str | None, closures: frozenset[date]) -> FirmCalendar:
    return FirmCalendar(timezone=timezone, country=country, subdivision=subdivision, closures=closures)


# ---------------------------------------------------------------- secrets
def read_secret(env_name: str, file_path: str, config_path: str, section: str) -> str:
    """The secret from the environment, else from a file only its owner can read."""
    if env_name and os.environ.get(env_name):
        return os.environ[env_name]
    if file_path:
        p = Path(file_path)
        try:
            mode = p.stat().st_mode
        except OSError as exc:
            raise ConfigError(f"cannot read the password file {p}: {exc.strerror}.", path=config_path,
                              key=f"{section}.password_file", fix="point it at an existing file.") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"the password file {p} is readable by others (mode {stat.filemode(mode)}).",
                              path=config_path, key=f"{section}.password_file", fix=f"run: chmod 600 {p}")
        return p.read_text(encoding="utf-8").strip()
    raise ConfigError(f"no password: environment variable {env_name or '(none)'} is not set and no password file.",
                      path=config_path, key=f"{section}.password_env",
                      fix=f"export {env_name or 'OVERDUE_REMINDER_ODOO_PASSWORD'}=<API key> or set "
                          f"{section}.password_file to an owner-only file.")


# ---------------------------------------------------------------- generic builder
class _Ctx:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, message: str, fix: str) -> typing.NoReturn:
        raise ConfigError(message, path=self.path, key=key, fix=fix)


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return " or ".join(repr(a) for a in typing.get_args(tp))
    if origin in (list, tuple):
        return f"a list of {_type_name(typing.get_args(tp)[0])}"
    if origin is dict:
        return f"a table of {_type_name(typing.get_args(tp)[1])}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    if is_dataclass(tp):
        return "a table"
    return {str: "a string", int: "a whole number", bool: "true or false", float: "a number",
            Decimal: "an amount written as a string such as \"25.00\"", date: "a date such as 2026-12-24",
            time: "a time such as 02:30"}.get(tp, getattr(tp, "__name__", str(tp)))


def _convert(value: Any, tp: Any, key: str, ctx: _Ctx) -> Any:
    origin = typing.get_origin(tp)
    bad = f"expected {_type_name(tp)}, got {value!r}."
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        for a in args:
            try:
                return _convert(value, a, key, ctx)
            except ConfigError:
                continue
        ctx.fail(key, bad, f"write {_type_name(tp)}.")
    if origin is Literal:
        if value not in typing.get_args(tp):
            ctx.fail(key, f"{value!r} is not allowed.", f"use {_type_name(tp)}.")
        return value
    if origin in (list, tuple):
        if not isinstance(value, list):
            ctx.fail(key, bad, f"write {_type_name(tp)} in square brackets.")
        (inner,) = typing.get_args(tp)[:1]
        items = [_convert(v, inner, f"{key}[{i}]", ctx) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            ctx.fail(key, bad, f"write {_type_name(tp)}.")
        _, inner = typing.get_args(tp)
        return {str(k): _convert(v, inner, f"{key}.{k}", ctx) for k, v in value.items()}
    if is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            ctx.fail(key, bad, f"write [{key}] as a table.")
        return build(tp, value, key, ctx)
    if tp is bool:
        if not isinstance(value, bool):
            ctx.fail(key, bad, "write true or false (no quotes).")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            ctx.fail(key, bad, "write a whole number without quotes.")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            ctx.fail(key, bad, "write a number without quotes.")
        return value
    if tp is Decimal:
        if isinstance(value, float):
            ctx.fail(key, f"amounts must not be floating point: {value!r}.",
                     f"write it as a string, e.g. \"{value}\".")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            ctx.fail(key, bad, "write an amount such as \"25.00\".")
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            ctx.fail(key, f"{value!r} is not an amount.", "write an amount such as \"25.00\".")
        if not d.is_finite():
            ctx.fail(key, f"{value!r} is not a finite amount.", "write an amount such as \"25.00\".")
        return d
    if tp is date:
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        ctx.fail(key, bad, "write a date as YYYY-MM-DD (no quotes needed).")
    if tp is time:
        if isinstance(value, time):
            return value
        if isinstance(value, str):
            try:
                return time.fromisoformat(value)
            except ValueError:
                pass
        ctx.fail(key, bad, "write a time as \"HH:MM\".")
    if tp is str:
        if not isinstance(value, str):
            ctx.fail(key, bad, "write it in double quotes.")
        return value
    raise TypeError(f"config type {tp!r} not supported")  # a programming error, not user input


def build(cls: type[T], table: dict[str, Any], prefix: str, ctx: _Ctx) -> T:
    """Build a section dataclass from a TOML table: unknown keys and wrong types are errors."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in fields(cls) if f.init}  # type: ignore[arg-type]
    for k in table:
        if k not in names or k in ("config_path", "base_dir"):
            where = f"{prefix}.{k}" if prefix else k
            known = ", ".join(sorted(n for n in names if n not in ("config_path", "base_dir")))
            ctx.fail(where, f"unknown key {k!r}.", f"remove it or use one of: {known}.")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in table:
            key = f"{prefix}.{f.name}" if prefix else f.name
            kwargs[f.name] = _convert(table[f.name], hints[f.name], key, ctx)
        elif f.default is MISSING and f.default_factory is MISSING:
            key = f"{prefix}.{f.name}" if prefix else f.name
            ctx.fail(key, "is required.", f"add {f.name} = … under [{prefix or 'top level'}].")
    obj = cls(**kwargs)
    _check_all(obj, ctx)
    return obj


def _check_all(obj: Any, ctx: _Ctx) -> None:
    check = getattr(obj, "check", None)
    if callable(check):
        check(ctx)


def check_currency(ctx: _Ctx, key: str, code: str) -> None:
    """Shared by sections that name currencies (minimum amounts, authority limits)."""
    if not is_currency(code):
        ctx.fail(key, f"unknown currency {code!r}.", "use an ISO 4217 code such as USD, EUR or CNY.")


# ---------------------------------------------------------------- loading
def find_config(explicit: str | None) -> Path:
    """--config PATH, else $OVERDUE_REMINDER_CONFIG, else ./overdue-reminder.toml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return Path.cwd() / DEFAULT_CONFIG_NAME


def parse(text: str, path: str = "<config>") -> Settings:
    ctx = _Ctx(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}.", path=path,
                          fix="check quotes, brackets and '=' on that line.") from exc
    base_dir = str(Path(path).resolve().parent) if path != "<config>" else str(Path.cwd())
    data = dict(data)
    settings = build(Settings, data, "", ctx)
    return _replace(settings, config_path=path, base_dir=base_dir)


def load(explicit: str | None = None) -> Settings:
    path = find_config(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("the configuration file does not exist.", path=str(path),
                          fix="run 'overdue-reminder init' for a commented example, or pass --config PATH.") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file: {exc.strerror}.", path=str(path),
                          fix="check the path and its permissions.") from exc
    return parse(text, str(path))


def _replace(obj: T, **changes: Any) -> T:
    import dataclasses

    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
