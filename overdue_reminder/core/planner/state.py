"""The planner's working state: the snapshot indexed per client once, day counting, and one client's lines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import ClientOverride, PolicySettings, TierSettings
from overdue_reminder.core.interest import CapTable
from overdue_reminder.core.snapshot import CONTACT_STATUSES, Hold, LedgerSnapshot, PastContact
from overdue_reminder.model import Invoice, Partner, Payment, SkippedClient, TrustBalance
from overdue_reminder.money import ZERO, Totals

PERSONAL_EMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "outlook.com", "hotmail.com",
    "hotmail.co.uk", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
    "protonmail.com", "pm.me", "gmx.com", "gmx.net", "gmx.de", "web.de", "mail.com", "fastmail.com",
    "zoho.com", "hey.com", "yandex.com", "yandex.ru", "qq.com", "163.com", "126.com", "comcast.net",
    "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "btinternet.com", "orange.fr",
    "free.fr", "t-online.de",
})


# ---------------------------------------------------------------- days
def days_past_due(due: date, today: date, day_count: str, calendar: FirmCalendar) -> int:
    """Calendar days, or business days in (due, today]; negative before the due date."""
    if day_count == "business":
        return calendar.business_days_between(due, today)
    return (today - due).days


class DayCounter:
    """Business days by prefix sums over the firm's calendar: O(1) per invoice after one pass."""

    def __init__(self, today: date, calendar: FirmCalendar) -> None:
        self.today = today
        self.today_ord = today.toordinal()
        self.calendar = calendar
        self._lo = 0
        self._prefix: list[int] = []

    def _ensure(self, lo: int, hi: int) -> None:
        if self._prefix and self._lo <= lo and hi < self._lo + len(self._prefix):
            return
        if self._prefix:
            lo, hi = min(lo, self._lo), max(hi, self._lo + len(self._prefix) - 1)
        lo, hi = lo - 30, hi + 30
        prefix = [0] * (hi - lo + 1)
        count = 0
        is_bd = self.calendar.is_business_day
        for i in range(1, len(prefix)):
            if is_bd(date.fromordinal(lo + i)):
                count += 1
            prefix[i] = count
        self._lo, self._prefix = lo, prefix

    def business(self, due_ord: int) -> int:
        self._ensure(min(due_ord, self.today_ord), max(due_ord, self.today_ord))
        return self._prefix[self.today_ord - self._lo] - self._prefix[due_ord - self._lo]

    def age(self, due_ord: int, day_count: str) -> int:
        return self.business(due_ord) if day_count == "business" else self.today_ord - due_ord


def threshold(tier: TierSettings, grace: int) -> int:
    """Days past due at which a tier goes out: grace extends overdue tiers, never pre-due notices."""
    return tier.days + grace if tier.days > 0 else tier.days


# ---------------------------------------------------------------- one client's lines
@dataclass(slots=True)
class Line:
    inv: Invoice
    due_ord: int  # effective due date (extra days applied) as an ordinal
    age: int  # calendar days past the effective due date
    residual: Decimal  # rounded to the currency, so per-currency sums are exact


@dataclass(slots=True)
class Amounts:
    lines: list[Line]
    totals: Totals
    credits: Totals
    payments: Totals
    dropped: list[tuple[str, str]]  # (skip kind, sentence)
    used_credit: Totals  # also what covered the currencies left out
    used_paid: Totals


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Who one reminder is about: the client's id, shown name, Odoo partner and policy override."""

    id: int
    name: str
    partner: Partner | None
    ov: ClientOverride | None


def skipped(who: ClientInfo, kind: str, reason: str, *, matter_ref: str = "", attorney_id: int | None = None,
            hold_ids: tuple[int, ...] = (), invoice_ids: tuple[int, ...] = ()) -> SkippedClient:
    return SkippedClient(who.id, who.name, kind, reason, matter_ref, attorney_id, hold_ids, invoice_ids)


def id_key(ln: Line) -> int:
    return ln.inv.id


def due_key(ln: Line) -> tuple[date, int]:
    return ln.inv.due_date, ln.inv.id


def oldest_key(ln: Line) -> tuple[int, int]:
    return ln.age, -ln.inv.id


def attorney_of(lines: list[Line]) -> int | None:
    """The responsible attorney: the one on the oldest invoice."""
    return max(lines, key=oldest_key).inv.attorney_id


def ids_of(lines: Iterable[Line]) -> tuple[int, ...]:
    return tuple(ln.inv.id for ln in lines)


# ---------------------------------------------------------------- the snapshot, indexed once
class Indexes:
    """The night's settings and snapshot, indexed by client once so each client is one lookup."""

    def __init__(self, settings: PolicySettings, snap: LedgerSnapshot, today: date, calendar: FirmCalendar,
                 explain: bool, caps: CapTable | None = None, notice_days: int = 0) -> None:
        self.s = settings
        self.caps = caps  # None: the planner alone, without the firm's [interest]/[fees] caps
        self.notice_days = notice_days  # business days a contact's stated deadline gives (0: none stated)
        self.calendar = calendar
        self._deadlines: dict[date, date] = {}
        self.explain = explain
        self.snap = snap
        self.today = today
        self.today_ord = today.toordinal()
        self.days = DayCounter(today, calendar)
        self.tiers = settings.tiers
        self.first_overdue = next(i for i, t in enumerate(self.tiers) if t.days > 0)
        self.predue = self.tiers[: self.first_overdue]
        self.grace = settings.grace_days
        self.by_id = {c.id: c for c in settings.clients if c.id}
        self.by_name = {c.name: c for c in settings.clients if c.name}
        self.personal = PERSONAL_EMAIL_DOMAINS | {d.lower().lstrip("@") for d in settings.personal_email_domains}
        self.tier_pos = {t.name: i for i, t in enumerate(self.tiers)}
        self.thresholds = [threshold(t, self.grace) for t in self.tiers]
        self.open_ids = {inv.id for inv in snap.invoices if inv.is_open}
        self.payments = _payments_by_client(snap.payments)
        self.trust = _trust_by_client(snap.trust)
        self.holds = _holds_by_client(snap.holds, today)
        # Clients with a matter before a court or allowing interest: the only ones whose matters are looked up.
        self.flagged = {cid for cid, _ in snap.matters}
        self.contacts = _contacts_by_client(snap.contacts, today)

    def deadline(self, day: date) -> date:
        """The deadline a contact made on `day` states: `notice_days` business days on (cached per day)."""
        found = self._deadlines.get(day)
        if found is None:
            found = self._deadlines[day] = self.calendar.add_business_days(day, self.notice_days)
        return found

    def override(self, client_id: int, name: str) -> ClientOverride | None:
        return self.by_id.get(client_id) or self.by_name.get(name)

    def attorney_name(self, attorney_id: int | None) -> str:
        a = self.snap.attorneys.get(attorney_id) if attorney_id is not None else None
        return f" {a.name}" if a is not None and a.name else ""


def _payments_by_client(payments: Iterable[Payment]) -> dict[int, list[Payment]]:
    out: dict[int, list[Payment]] = defaultdict(list)
    for p in payments:
        if not p.reconciled and p.amount > 0:
            out[p.client_id].append(p)
    return out


def _trust_by_client(balances: Iterable[TrustBalance]) -> dict[int, Totals]:
    out: dict[int, Totals] = defaultdict(dict)
    for t in balances:
        if t.amount:
            out[t.client_id][t.currency] = out[t.client_id].get(t.currency, ZERO) + t.amount
    return out


def _holds_by_client(holds: Iterable[Hold], today: date) -> dict[int, list[Hold]]:
    out: dict[int, list[Hold]] = defaultdict(list)
    for h in holds:
        if h.active_on(today):
            out[h.client_id].append(h)
    return out


def _contacts_by_client(contacts: Iterable[PastContact], today: date) -> dict[int, list[PastContact]]:
    out: dict[int, list[PastContact]] = defaultdict(list)
    for c in contacts:
        if c.status in CONTACT_STATUSES and c.on <= today:
            out[c.client_id].append(c)
    return out
