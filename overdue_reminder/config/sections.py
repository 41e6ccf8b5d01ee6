"""The desk's sections: firm, Odoo, files, store, policy (tiers, client overrides), payment, delivery,
templates, web, schedule and digest. Each is a frozen dataclass; `check(ctx)` adds its semantic rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from overdue_reminder.calendar import CalendarError, check_holiday_region, yearly_closure
from overdue_reminder.config.builder import Ctx, check_currency


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
    yearly_closures: list[str] = field(default_factory=list)
    logo: str = ""
    jurisdiction: str = ""

    def check(self, ctx: Ctx) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            ctx.fail("firm.timezone", f"unknown timezone {self.timezone!r}.",
                     "use an IANA name such as 'America/New_York' or 'Europe/Berlin'.")
        if self.holiday_country:
            try:
                check_holiday_region(self.holiday_country, self.holiday_subdivision or None)
            except CalendarError as exc:
                key = "firm.holiday_subdivision" if "subdivision" in str(exc) else "firm.holiday_country"
                ctx.fail(key, f"{exc}.",
                         "use an ISO 3166 country code such as 'US' and a subdivision such as 'NY', "
                         "or an empty string for none.")
        for text in self.yearly_closures:
            try:
                yearly_closure(text)
            except CalendarError as exc:
                ctx.fail("firm.yearly_closures", f"{exc}.", "write each as \"MM-DD\", e.g. [\"12-24\", \"12-31\"].")


# The per-matter flags (core/matter_flags.py FLAGS names them too; a test keeps the two lists equal).
MATTER_FLAG_NAMES = ("interest_allowed", "interest_rate", "interest_cap", "before_court")


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
    # Per-matter flags the firm keeps on its invoices in Odoo: flag -> account.move field, e.g.
    # { before_court = "x_before_court", interest_allowed = "x_interest_allowed" }. A value set on the desk wins.
    matter_flag_fields: dict[str, str] = field(default_factory=dict)
    # A field on account.move (e.g. "x_jurisdiction") naming the matter's jurisdiction ("NY"); "" for none.
    jurisdiction_field: str = ""
    # Odoo stamps write_date with its transaction's start: a long transaction commits records dated
    # before the last watermark. Each incremental pass re-reads this many seconds before it.
    lookback_seconds: int = 600
    trust_account_code: str = ""
    write_back: bool = False

    def check(self, ctx: Ctx) -> None:
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
        for flag, fld in self.matter_flag_fields.items():
            if flag not in MATTER_FLAG_NAMES:
                ctx.fail(f"odoo.matter_flag_fields.{flag}", f"{flag!r} is not a matter flag.",
                         f"use one of: {', '.join(MATTER_FLAG_NAMES)}.")
            if not fld.replace("_", "").isalnum() or not fld[:1].isalpha():
                ctx.fail(f"odoo.matter_flag_fields.{flag}", f"{fld!r} is not an Odoo field name.",
                         "use the technical name of the field on account.move, e.g. \"x_before_court\".")


@dataclass(frozen=True)
class SyncSettings:
    # An amount beyond this (either sign) is not a real receivable: the record is skipped and listed.
    max_amount: Decimal = Decimal("1e12")

    def check(self, ctx: Ctx) -> None:
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

    def check(self, ctx: Ctx) -> None:
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

    def check(self, ctx: Ctx) -> None:
        self._check_tiers(ctx)
        self._check_amounts(ctx)
        self._check_clients(ctx)

    def _check_tiers(self, ctx: Ctx) -> None:
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

    def _check_amounts(self, ctx: Ctx) -> None:
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

    def _check_clients(self, ctx: Ctx) -> None:
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

    def check(self, ctx: Ctx) -> None:
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

    def check(self, ctx: Ctx) -> None:
        if not 1 <= self.respond_within_days <= 90:
            ctx.fail("templates.respond_within_days", "must be between 1 and 90.", "use e.g. 10.")


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
    # The address people open the review page at (the digest links to it), e.g. "https://desk.firm.example";
    # empty: http://host:port.
    public_url: str = ""

    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def check(self, ctx: Ctx) -> None:
        if self.public_url and (not self.public_url.startswith(("https://", "http://"))
                                or any(c in self.public_url for c in " \r\n<>\"")):
            ctx.fail("web.public_url", f"{self.public_url!r} is not a web address.",
                     "write it as \"https://desk.firm.example\", or leave it empty for http://host:port.")
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


@dataclass(frozen=True)
class ScheduleSettings:
    """The nightly service (`overdue-reminder serve`), in the firm's timezone."""

    nightly_at: str = "02:00"
    delivery_slots: list[str] = field(default_factory=list)  # extra send passes in business hours
    retries: int = 3
    retry_backoff_minutes: int = 10
    catch_up: bool = True
    heartbeat_seconds: int = 60

    def check(self, ctx: Ctx) -> None:
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


DIGEST_LANGUAGES = ("en_US", "zh_CN")


@dataclass(frozen=True)
class DigestSettings:
    """The morning digest: the night's results to billing staff, each attorney's queue to them."""

    enabled: bool = True
    billing_staff: list[str] = field(default_factory=list)
    attorneys: bool = True
    language: str = "en_US"  # the digest's words, numbers and plural forms (en_US or zh_CN)

    def check(self, ctx: Ctx) -> None:
        if self.language not in DIGEST_LANGUAGES:
            ctx.fail("digest.language", f"{self.language!r} is not a digest language.",
                     "use one of " + ", ".join(repr(x) for x in DIGEST_LANGUAGES) + ".")
        for i, addr in enumerate(self.billing_staff):
            if "@" not in addr or any(c in addr for c in "\r\n<>, "):
                ctx.fail(f"digest.billing_staff[{i}]", f"{addr!r} is not an email address.",
                         "list plain addresses such as \"billing@firm.example\".")


@dataclass(frozen=True)
class IdentitySettings:
    """How people prove who they are on the command line (docs/rules.md, "Proven authority").

    `os_users` maps an operating-system account (as the kernel reports it, not $USER) to that person's Odoo
    login, for desks where each person has their own account; otherwise `--as LOGIN` checks the person's own
    password or API key with Odoo, read from `secret_env`, from `secret_file` (owner-only) or a prompt.
    """

    os_users: dict[str, str] = field(default_factory=dict)
    secret_env: str = "OVERDUE_REMINDER_MY_ODOO_SECRET"
    secret_file: str = "~/.config/overdue-reminder/odoo-secret"

    def check(self, ctx: Ctx) -> None:
        for user, login in self.os_users.items():
            if not user.strip() or not login.strip() or any(c in login for c in "\r\n"):
                ctx.fail(f"identity.os_users.{user}", f"maps {user!r} to {login!r}.",
                         "map each account to one Odoo login, e.g. mchen = \"m.chen@firm.example\".")
        if not self.secret_env.strip():
            ctx.fail("identity.secret_env", "must name an environment variable.",
                     "use e.g. \"OVERDUE_REMINDER_MY_ODOO_SECRET\".")
