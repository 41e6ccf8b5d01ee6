"""Who is overdue and what happens next: aging, tiers, holds, and a plain sentence for every decision.

Pure: `plan(settings, snapshot, today)` reads a `LedgerSnapshot` (built from the store by
`planning.load_snapshot`) and returns a `Plan`. No I/O, no clock.

The rules, in the order they are applied to each client (or each matter with group_by = "matter"):

1. Only open invoices with something owed count; 'in_payment' is not overdue (the payment is
   registered). A client override's `extra_days` moves every due date later (longer terms).
2. A client-wide hold (bankruptcy, do-not-contact, other counsel, or any hold without an invoice)
   stops all contact; an invoice hold leaves that invoice out. `no_reminders` skips the client.
3. Overdue invoices go in the reminder; when nothing is overdue, invoices inside a pre-due tier's
   window (negative days) may get a courtesy notice. Amounts are per currency, after open credit
   notes and unreconciled payments; a currency whose balance is below its minimum is left out.
4. Progression: the next tier is the one after the last sent in this cycle (the first overdue tier
   when there is none); it goes out once the oldest invoice in the reminder reaches its threshold.
   Tiers are never skipped (unless skip_tiers) and never go down. A cycle resets when every invoice
   of the last reminder has been paid. Pre-due tiers are notices before the due date: once anything
   is overdue the ladder starts at the first overdue tier.
5. Contacts are at least max(min_gap_days, the last tier's min_days_before_next, 1) days apart.

Every action carries its reasons as plain sentences, and every client a rule stopped is listed
with its reason; clients simply on schedule are explained on request (`explain_all`). The code is
written for 100,000 invoices a night: one pass per client, strings built only for what is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from operator import attrgetter

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import ClientOverride, PolicySettings, TierSettings
from overdue_reminder.core.aging import BUCKETS
from overdue_reminder.core.profile import NO_HISTORY_GRADE, PaymentRecord, client_profile
from overdue_reminder.model import (
    Action,
    ActionLine,
    Attorney,
    ClientKind,
    Invoice,
    InvoiceKind,
    Partner,
    Payment,
    Plan,
    SkippedClient,
    TrustBalance,
)
from overdue_reminder.money import ZERO, Totals, format_plain, precision

HOLD_KINDS = ("dispute", "bankruptcy", "other_counsel", "do_not_contact", "payment_plan", "promise_to_pay", "pause")
# These stop every contact with the client even when the hold names one invoice.
CLIENT_WIDE_KINDS = frozenset({"bankruptcy", "do_not_contact", "other_counsel"})
# Statuses of a reminder that count as a contact (queued or out of the door).
# A postal item (no email address) is a contact too: staff print and post it, and it must not be
# planned again the next night.
CONTACT_STATUSES = ("draft", "approved", "sending", "sent", "unconfirmed", "postal")
PERSONAL_EMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "outlook.com", "hotmail.com",
    "hotmail.co.uk", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
    "protonmail.com", "pm.me", "gmx.com", "gmx.net", "gmx.de", "web.de", "mail.com", "fastmail.com",
    "zoho.com", "hey.com", "yandex.com", "yandex.ru", "qq.com", "163.com", "126.com", "comcast.net",
    "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "btinternet.com", "orange.fr",
    "free.fr", "t-online.de",
})
_BUSINESS, _CONSUMER = ClientKind.BUSINESS.value, ClientKind.CONSUMER.value
_HOLD_LABELS = {
    "dispute": "disputed",
    "bankruptcy": "bankruptcy",
    "other_counsel": "represented by other counsel on the fee",
    "do_not_contact": "do not contact",
    "payment_plan": "payment plan in good standing",
    "promise_to_pay": "promise to pay",
    "pause": "paused",
}


# ---------------------------------------------------------------- inputs
@dataclass(frozen=True, slots=True)
class Hold:
    """A stop on contact: client-wide, or one invoice when `invoice_id` is set (see CLIENT_WIDE_KINDS)."""

    id: int
    client_id: int
    kind: str
    reason: str = ""
    created_by: str = ""
    created_at: datetime | None = None
    until: date | None = None  # active through this date; None: until removed
    invoice_id: int | None = None
    source_ref: str | None = None  # e.g. 'offer:12', 'contact:7'
    removed_by: str | None = None
    removed_at: datetime | None = None

    @property
    def client_wide(self) -> bool:
        return self.invoice_id is None or self.kind in CLIENT_WIDE_KINDS

    def active_on(self, day: date) -> bool:
        return self.removed_at is None and (self.until is None or day <= self.until)


@dataclass(frozen=True, slots=True)
class PastContact:
    """A reminder that counts as a contact (status in CONTACT_STATUSES), dated in the firm's timezone."""

    client_id: int
    tier: str
    tier_index: int
    on: date
    matter_ref: str = ""
    invoice_ids: tuple[int, ...] = ()
    status: str = "sent"


@dataclass(frozen=True, slots=True)
class MatterFlags:
    before_court: bool = False  # LAW.md #11
    interest_allowed: bool = False  # LAW.md #6


@dataclass(frozen=True)
class LedgerSnapshot:
    """Everything the policy reads, loaded at once; `invoices` are the open invoices and credit notes."""

    partners: Mapping[int, Partner]
    invoices: Sequence[Invoice]
    attorneys: Mapping[int, Attorney] = field(default_factory=dict)
    payments: Sequence[Payment] = ()  # unreconciled
    trust: Sequence[TrustBalance] = ()
    holds: Sequence[Hold] = ()  # active ones; inactive ones are ignored anyway
    contacts: Sequence[PastContact] = ()
    matters: Mapping[tuple[int, str], MatterFlags] = field(default_factory=dict)
    history: Mapping[int, Sequence[PaymentRecord]] = field(default_factory=dict)  # last 12 months
    broken_promises: Mapping[int, Sequence[date]] = field(default_factory=dict)


# ---------------------------------------------------------------- money
class _Quanta(dict[str, Decimal]):
    """Currency -> minor unit, filled on first use; rounding is then one Decimal.quantize call."""

    def __missing__(self, currency: str) -> Decimal:
        q = self[currency] = Decimal(1).scaleb(-precision(currency))
        return q


QUANTA = _Quanta()


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Half-up to the currency's minor unit, as money.quantize, without its per-call overhead."""
    return amount.quantize(QUANTA[currency], ROUND_HALF_UP)


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


# ---------------------------------------------------------------- helpers
def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _days_text(n: int, day_count: str) -> str:
    return _plural(n, "business day" if day_count == "business" else "day")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fmt_totals(totals: Mapping[str, Decimal]) -> str:
    """'1,200.00 USD, 300.00 EUR' (amounts here are already rounded to their currency)."""
    if len(totals) == 1:
        for c, a in totals.items():
            return f"{a:,} {c}"
    return ", ".join(f"{a:,} {c}" for c, a in totals.items())


def _threshold(tier: TierSettings, grace: int) -> int:
    return tier.days + grace if tier.days > 0 else tier.days


def _threshold_text(tier: TierSettings, grace: int) -> str:
    th = _threshold(tier, grace)
    unit = " business" if tier.day_count == "business" else ""
    if tier.days <= 0:
        return f"{-tier.days}{unit} days before the due date"
    if grace and tier.days > 0:
        return f"{th}{unit} days ({tier.days} + {grace} grace)"
    return f"{th}{unit} days"


def hold_sentence(h: Hold) -> str:
    """'disputed (hold #3 by alice on 2026-11-02: "contests hours"), until 2026-12-01'."""
    label = _HOLD_LABELS.get(h.kind, f"on hold ({h.kind})")
    parts = [f"hold #{h.id}"]
    if h.created_by:
        parts.append(f"by {h.created_by}")
    if h.created_at is not None:
        parts.append(f"on {h.created_at.date().isoformat()}")
    who = " ".join(parts)
    if h.reason:
        who += f": {h.reason!r}"
    if h.source_ref:
        who += f"; {h.source_ref}"
    until = f" until {h.until.isoformat()}" if h.until else ""
    return f"{label}{until} ({who})"


@dataclass(slots=True)
class _Line:
    inv: Invoice
    due_ord: int  # effective due date (extra days applied) as an ordinal
    age: int  # calendar days past the effective due date
    residual: Decimal  # rounded to the currency, so per-currency sums are exact


@dataclass(slots=True)
class _Amounts:
    lines: list[_Line]
    totals: Totals
    credits: Totals
    payments: Totals
    dropped: list[tuple[str, str]]  # (skip kind, sentence)
    used_credit: Totals  # also what covered the currencies left out
    used_paid: Totals


class _Planner:
    def __init__(self, settings: PolicySettings, snap: LedgerSnapshot, today: date, calendar: FirmCalendar,
                 explain: bool) -> None:
        self.s = settings
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
        self.thresholds = [_threshold(t, self.grace) for t in self.tiers]
        self.threshold_texts = [_threshold_text(t, self.grace) for t in self.tiers]
        self.actions: list[Action] = []
        self.skipped: list[SkippedClient] = []
        self.open_ids = {inv.id for inv in snap.invoices if inv.is_open}
        self.payments: dict[int, list[Payment]] = defaultdict(list)
        for p in snap.payments:
            if not p.reconciled and p.amount > 0:
                self.payments[p.client_id].append(p)
        self.trust: dict[int, Totals] = defaultdict(dict)
        for t in snap.trust:
            if t.amount:
                self.trust[t.client_id][t.currency] = self.trust[t.client_id].get(t.currency, ZERO) + t.amount
        self.holds: dict[int, list[Hold]] = defaultdict(list)
        for h in snap.holds:
            if h.active_on(today):
                self.holds[h.client_id].append(h)
        # Clients with a matter before a court or allowing interest: the only ones whose matters are looked up.
        self.flagged = {cid for cid, _ in snap.matters}
        self.contacts: dict[int, list[PastContact]] = defaultdict(list)
        for c in snap.contacts:
            if c.status in CONTACT_STATUSES and c.on <= today:
                self.contacts[c.client_id].append(c)

    # ------------------------------------------------------------ the run
    def run(self) -> Plan:
        by_client: dict[int, list[Invoice]] = {}
        # groupby runs in C; runs of one client (the loader sorts by client) become one list.
        for cid, docs in groupby(self.snap.invoices, key=attrgetter("client_id")):
            known = by_client.get(cid)
            if known is None:
                by_client[cid] = list(docs)
            else:
                known.extend(docs)
        for client_id in sorted(by_client):
            self.client(client_id, by_client[client_id])
        self.actions.sort(key=lambda a: (a.client_name.casefold(), a.client_id, a.matter_ref))
        self.skipped.sort(key=lambda s: (s.client_name.casefold(), s.client_id, s.matter_ref))
        return Plan(self.today, tuple(self.actions), tuple(self.skipped))

    def override(self, client_id: int, name: str) -> ClientOverride | None:
        return self.by_id.get(client_id) or self.by_name.get(name)

    def skip(self, client_id: int, name: str, kind: str, reason: str, *, matter_ref: str = "",
             attorney_id: int | None = None, hold_ids: tuple[int, ...] = (), invoice_ids: tuple[int, ...] = ()) -> None:
        self.skipped.append(SkippedClient(client_id, name, kind, reason, matter_ref, attorney_id, hold_ids,
                                          invoice_ids))

    def client(self, client_id: int, invs: list[Invoice]) -> None:
        partner = self.snap.partners.get(client_id)
        name = partner.name if partner is not None else f"client #{client_id}"
        ov = self.override(client_id, name)
        shift = ov.extra_days if ov is not None else 0
        today_ord = self.today_ord
        candidates: list[_Line] = []
        credit_notes: list[Invoice] = []
        window = self.predue[0] if self.predue else None
        win_days = window.days if window is not None else 1
        win_business = window is not None and window.day_count == "business"
        quanta = QUANTA
        credit_kind = InvoiceKind.CREDIT_NOTE
        # The hot loop: one pass over the client's documents, no calls it can avoid.
        for inv in invs:
            residual = inv.amount_residual
            if residual <= ZERO or not inv.is_open:
                continue
            if inv.kind is credit_kind:
                credit_notes.append(inv)
                continue
            if inv.payment_state == "in_payment":
                continue
            due_ord = inv.due_date.toordinal()
            age = today_ord - due_ord
            if shift:
                due_ord += shift
                age -= shift
            if age > 0 or (self.days.business(due_ord) if win_business else age) >= win_days:
                residual = residual.quantize(quanta[inv.currency], ROUND_HALF_UP)
                if residual > ZERO:  # less than a cent (or yen) is not owed
                    candidates.append(_Line(inv, due_ord, age, residual))
        if not candidates:
            return
        holds = self.holds.get(client_id, ())
        wide = [h for h in holds if h.client_wide]
        if wide:
            self.skip_hold(client_id, name, wide, _attorney(candidates), candidates)
            return
        if ov is not None and ov.no_reminders:
            self.skip(client_id, name, "no_reminders",
                      f"no reminders for this client (policy.clients override{': ' + ov.note if ov.note else ''}).",
                      attorney_id=_attorney(candidates), invoice_ids=tuple(ln.inv.id for ln in candidates))
            return
        held: dict[int, Hold] = {h.invoice_id: h for h in holds if h.invoice_id is not None} if holds else {}
        held_notes: list[str] = []
        if held:
            kept = []
            for ln in candidates:
                h = held.get(ln.inv.id)
                if h is None:
                    kept.append(ln)
                    continue
                note = f"{ln.inv.name} is left out: {hold_sentence(h)}"
                if h.kind == "dispute":
                    note += "; the attorney decides and the next letter offers fee arbitration (LAW.md #8)"
                held_notes.append(note + ".")
            if not kept:
                hs = [held[ln.inv.id] for ln in candidates]
                self.skip(client_id, name, "hold", "every overdue invoice is on hold: " + " ".join(held_notes),
                          attorney_id=_attorney(candidates), hold_ids=tuple(sorted({h.id for h in hs})),
                          invoice_ids=tuple(ln.inv.id for ln in candidates))
                return
            candidates = kept
        payments = self.payments.get(client_id, [])
        if self.s.group_by == "client":
            credit = _sum_docs(credit_notes) if credit_notes else {}
            paid: Totals = {}
            if payments:
                ids = {ln.inv.id for ln in candidates}
                paid = _sum_payments(p for p in payments if not p.invoice_ids or any(i in ids for i in p.invoice_ids))
            self.group(client_id, name, partner, ov, "", candidates, credit, paid, held_notes)
            return
        groups: dict[str, list[_Line]] = defaultdict(list)
        for ln in candidates:
            groups[ln.inv.matter_ref].append(ln)
        matter_of = {inv.id: inv.matter_ref for inv in invs}
        # Credit notes and payments tied to a matter stay with it; the rest form a pool that goes
        # to the matter whose debt is oldest first.
        pool_credit = _sum_docs(c for c in credit_notes if c.matter_ref not in groups)
        pool_paid = _sum_payments(p for p in payments if not p.invoice_ids)
        order = sorted(groups, key=lambda r: (-max(ln.age for ln in groups[r]), r))
        for ref in order:
            own_credit = _sum_docs(c for c in credit_notes if c.matter_ref == ref)
            own_paid = _sum_payments(p for p in payments if p.invoice_ids
                                     and any(matter_of.get(i) == ref for i in p.invoice_ids))
            used_credit, used_paid = self.group(
                client_id, name, partner, ov, ref, groups[ref], _merge(own_credit, pool_credit),
                _merge(own_paid, pool_paid), held_notes if ref == order[0] else [])
            pool_credit = _take(pool_credit, own_credit, used_credit)
            pool_paid = _take(pool_paid, own_paid, used_paid)

    def skip_hold(self, client_id: int, name: str, wide: list[Hold], attorney_id: int | None,
                  lines: list[_Line]) -> None:
        kinds = {h.kind for h in wide}
        parts = [hold_sentence(h) for h in sorted(wide, key=lambda h: (h.kind != "bankruptcy", h.id))]
        reason = "on hold: " + "; ".join(parts) + "."
        if "bankruptcy" in kinds:
            reason += " All collection contact stops under the automatic stay (LAW.md #13)."
        elif "dispute" in kinds:
            who = self.attorney_name(attorney_id)
            reason += (f" Automation stops for this client and the matter goes to the attorney{who}; "
                       "the next letter offers fee arbitration (LAW.md #8).")
        elif "other_counsel" in kinds:
            reason += " The client has counsel on the fee: no direct contact; the attorney handles it."
        self.skip(client_id, name, "hold", reason, attorney_id=attorney_id,
                  hold_ids=tuple(h.id for h in wide), invoice_ids=tuple(ln.inv.id for ln in lines))

    def attorney_name(self, attorney_id: int | None) -> str:
        a = self.snap.attorneys.get(attorney_id) if attorney_id is not None else None
        return f" {a.name}" if a is not None and a.name else ""

    # ------------------------------------------------------------ amounts
    def amounts(self, lines: list[_Line], avail_credit: Totals, avail_pay: Totals) -> _Amounts:
        sums: Totals = {}
        for ln in lines:
            sums[ln.inv.currency] = sums.get(ln.inv.currency, ZERO) + ln.residual
        if not avail_credit and not avail_pay and not self.s.minimum_amount:
            return _Amounts(lines, sums, {}, {}, [], {}, {})  # the usual case: nothing reduces the balance
        totals: Totals = {}
        credits: Totals = {}
        paid: Totals = {}
        used_credit: Totals = {}
        used_paid: Totals = {}
        dropped: list[tuple[str, str]] = []
        for cur, owed in sums.items():
            c = min(avail_credit.get(cur, ZERO), owed)
            p = min(avail_pay.get(cur, ZERO), owed - c)
            if c:
                used_credit[cur] = c
            if p:
                used_paid[cur] = p
            total = owed - c - p
            minimum = self.s.minimum_amount.get(cur, ZERO)
            if total <= 0:
                dropped.append(("covered", f"the {cur} invoices ({format_plain(owed, cur)}) are covered by credit "
                                           "notes and unreconciled payments"))
                continue
            if total < minimum:
                dropped.append(("below_minimum", f"the {cur} balance {format_plain(total, cur)} is below the "
                                                 f"minimum {format_plain(minimum, cur)}"))
                continue
            totals[cur] = total
            if c:
                credits[cur] = c
            if p:
                paid[cur] = p
        kept = [ln for ln in lines if ln.inv.currency in totals]
        return _Amounts(kept, totals, credits, paid, dropped, used_credit, used_paid)

    # ------------------------------------------------------------ one reminder
    def group(self, client_id: int, name: str, partner: Partner | None, ov: ClientOverride | None, matter_ref: str,
              candidates: list[_Line], credit: Totals, paid: Totals, held_notes: list[str]) -> tuple[Totals, Totals]:
        """Plan one reminder; returns the credits and payments it used (the rest may go to the next matter)."""
        overdue = [ln for ln in candidates if ln.age > 0]
        predue = [ln for ln in candidates if ln.age <= 0]
        tried = []
        am: _Amounts | None = None
        for lines in (overdue, predue):
            if not lines:
                continue
            am = self.amounts(lines, credit, paid)
            tried.append(am)
            if am.lines:
                break
        assert tried
        used = (tried[-1].used_credit, tried[-1].used_paid)
        if am is None or not am.lines:
            dropped = [d for a in tried for d in a.dropped]
            covered = all(k == "covered" for k, _ in dropped)
            self.skip(client_id, name, "covered" if covered else "below_minimum",
                      _cap("; ".join(t for _, t in dropped)) + ".", matter_ref=matter_ref,
                      attorney_id=_attorney(candidates), invoice_ids=tuple(ln.inv.id for ln in candidates))
            return used
        lines = am.lines
        is_overdue = lines[0].age > 0
        # ---- history
        contacts = self.contacts.get(client_id, ())
        if matter_ref:
            contacts = [c for c in contacts if c.matter_ref in ("", matter_ref)]
        last_any: PastContact | None = None
        base: PastContact | None = None
        base_pos = -1
        reset = False
        open_ids = self.open_ids
        sent_before = 0
        for c in contacts:
            if last_any is None or c.on > last_any.on:
                last_any = c
            in_cycle = not c.invoice_ids or any(i in open_ids for i in c.invoice_ids)
            if not in_cycle:
                reset = True
                continue
            sent_before += c.status not in ("draft", "approved")  # queued is not yet said to the client
            pos = self.tier_pos.get(c.tier, min(max(c.tier_index, 0), len(self.tiers) - 1))
            if pos > base_pos or (pos == base_pos and base is not None and c.on > base.on):
                base, base_pos = c, pos
        n = len(self.tiers)
        if base is None:
            start = self.first_overdue if is_overdue else 0
        else:
            start = base_pos + 1
            if is_overdue:
                start = max(start, self.first_overdue)
        if not is_overdue and start >= self.first_overdue:
            return used  # the courtesy notice for this cycle went out; nothing is overdue yet
        oldest = max(lines, key=_oldest_key) if len(lines) > 1 else lines[0]
        if start >= n:
            assert base is not None
            if self.explain:
                attorney_id = _attorney(candidates)
                self.skip(client_id, name, "last_tier",
                          f"{self._age_text(oldest, self.tiers[-1])}; {self._history_text(base, reset)}; it is "
                          "the last tier: what follows is the attorney's decision.", matter_ref=matter_ref,
                          attorney_id=attorney_id, invoice_ids=tuple(ln.inv.id for ln in lines))
            return used
        limit = n if is_overdue else self.first_overdue
        business_age: int | None = None
        target: int | None = None
        for i in range(limit - 1, start - 1, -1) if self.s.skip_tiers else (start,):
            if self.tiers[i].day_count == "business":
                if business_age is None:
                    business_age = max(self.days.business(ln.due_ord) for ln in lines)
                age = business_age
            else:
                age = oldest.age
            if age >= self.thresholds[i]:
                target = i
                break
        nxt = self.tiers[start]
        if target is None:
            if self.explain:
                attorney_id = _attorney(candidates)
                self.skip(client_id, name, "waiting",
                          f"{self._age_text(oldest, nxt)}; {self._history_text(base, reset)}; next tier "
                          f"'{nxt.name}' starts at {_threshold_text(nxt, self.grace)}.", matter_ref=matter_ref,
                          attorney_id=attorney_id, invoice_ids=tuple(ln.inv.id for ln in lines))
            return used
        tier = self.tiers[target]
        line_ids = tuple(ln.inv.id for ln in lines)
        attorney_id = _attorney(candidates)
        # ---- minimum gap
        if last_any is not None:
            gap = max(self.s.min_gap_days, 1)
            if base is not None:
                gap = max(gap, self.tiers[base_pos].min_days_before_next)
            since = (self.today - last_any.on).days
            if since < gap:
                last_txt = f"'{last_any.tier}' {self._sent_word(last_any)} {last_any.on.isoformat()}"
                self.skip(client_id, name, "too_soon",
                          f"{last_txt}, {_plural(since, 'day')} ago; at least {_plural(gap, 'day')} between "
                          f"contacts, so '{tier.name}' can go from {(last_any.on + timedelta(days=gap)).isoformat()}.",
                          matter_ref=matter_ref, attorney_id=attorney_id, invoice_ids=line_ids)
                return used
        self.build(client_id, name, partner, ov, matter_ref, tier, target, lines, am, base,
                   self._history_text(base, reset), oldest,
                   held_notes, attorney_id, sent_before)
        return used

    def _sent_word(self, c: PastContact) -> str:
        return "was queued" if c.status in ("draft", "approved") else "was sent"

    def _history_text(self, base: PastContact | None, reset: bool) -> str:
        if base is None:
            if reset:
                return "earlier reminders covered invoices that are paid now, so the tiers start again"
            return "nothing was sent yet in this cycle"
        since = (self.today - base.on).days
        return f"'{base.tier}' {self._sent_word(base)} {base.on.isoformat()}, {_plural(since, 'day')} ago"

    def _age_text(self, ln: _Line, tier: TierSettings) -> str:
        age = self.days.age(ln.due_ord, tier.day_count)
        due = ln.inv.due_date.isoformat()
        shift = ln.due_ord - ln.inv.due_date.toordinal()
        due_txt = f"due {due}" if not shift else f"due {due}, counted from " \
            f"{date.fromordinal(ln.due_ord).isoformat()} with {_plural(shift, 'extra day')} agreed"
        if age > 0:
            return f"{ln.inv.name} is {_days_text(age, tier.day_count)} past due ({due_txt})"
        if age == 0:
            return f"{ln.inv.name} is due today ({due_txt})"
        return f"{ln.inv.name} is due in {_days_text(-age, tier.day_count)} ({due_txt})"

    # ------------------------------------------------------------ the action
    def build(self, client_id: int, name: str, partner: Partner | None, ov: ClientOverride | None,
              matter_ref: str, tier: TierSettings, target: int, lines: list[_Line], am: _Amounts,
              base: PastContact | None, history: str, oldest: _Line, held_notes: list[str],
              attorney_id: int | None, sent_before: int = 0) -> None:
        snap = self.snap
        if len(lines) > 1:
            lines = sorted(lines, key=_due_key)
        reasons = [f"{self._age_text(oldest, tier)}; {history}; "
                   + ("the first tier " if base is None else "next tier ")
                   + f"'{tier.name}' starts at {self.threshold_texts[target]}."]
        if not self.s.skip_tiers and target + 1 < len(self.tiers) and oldest.age > 0:
            later = [t.name for i, t in enumerate(self.tiers[target + 1:], target + 1)
                     if (oldest.age if t.day_count == "calendar" else self.days.business(oldest.due_ord))
                     >= self.thresholds[i]]
            if later:
                reasons.append(f"Tiers are never skipped: {', '.join(repr(x) for x in later)} "
                               f"{'follows' if len(later) == 1 else 'follow'} in later runs.")
        refs = sorted({ln.inv.matter_ref for ln in lines if ln.inv.matter_ref}) if len(lines) > 1 else \
            [r for r in (lines[0].inv.matter_ref,) if r]
        if len(lines) > 1:
            where = f" in {_plural(len(refs), 'matter')}" if len(refs) > 1 else ""
            reasons.append(f"The reminder covers {len(lines)} invoices{where}: {_fmt_totals(am.totals)}.")
        else:
            reasons.append(f"The reminder asks for {_fmt_totals(am.totals)}.")
        if am.credits or am.payments:
            parts = []
            if am.credits:
                parts.append(f"credit notes of {_fmt_totals(am.credits)}")
            if am.payments:
                parts.append(f"unreconciled payments of {_fmt_totals(am.payments)}")
            reasons.append(f"{_cap(' and '.join(parts))} reduce the amount asked.")
        for _, d in am.dropped:
            reasons.append(f"{_cap(d)}: left out.")
        reasons.extend(held_notes)
        if tier.channel == "letter" or tier.attorney_review or tier.offer:
            bits = []
            if tier.channel == "letter":
                bits.append("goes by letter")
            if tier.attorney_review:
                bits.append("needs an attorney's review")
            if tier.offer:
                bits.append("comes with a payment offer")
            reasons.append(f"'{tier.name}' {' and '.join(bits)}.")
        # ---- recipient
        newest = max(lines, key=_id_key).inv if len(lines) > 1 else lines[0].inv
        contact = snap.partners.get(newest.contact_id)
        to_email = contact.email if contact is not None and contact.email else ""
        contact_id = newest.contact_id if to_email else client_id
        if not to_email and partner is not None:
            to_email = partner.email
        language = (contact.lang if contact is not None and contact.lang else "") or \
            (partner.lang if partner is not None else "")
        kind = ov.kind if ov is not None and ov.kind else \
            (_BUSINESS if partner is not None and partner.is_company else _CONSUMER)
        # ---- staff notes
        notes: list[str] = []
        held_in_trust = self.trust.get(client_id)
        trust = {c: quantize(a, c) for c, a in held_in_trust.items()} if held_in_trust else {}
        for cur, amount in trust.items():
            notes.append(f"trust balance {format_plain(amount, cur)} held: attorney decides; never applied "
                         "automatically")
        if tier.channel == "email" and not to_email:
            notes.append("no email address on file for the client or its billing contact: add one in Odoo "
                         "or send the reminder by post")
        if kind == _CONSUMER and to_email and "@" in to_email:
            domain = to_email.rsplit("@", 1)[1].lower()
            if domain not in self.personal:
                notes.append(f"billing email {to_email} is at what looks like an employer's domain for an "
                             "individual client: confirm it is the client's own address before sending (LAW.md #2)")
        court: tuple[str, ...] = ()
        if client_id in self.flagged:
            court = tuple(r for r in refs if (m := snap.matters.get((client_id, r))) is not None and m.before_court)
        for r in court:
            notes.append(f"matter {r} is before a court: withdrawing for non-payment needs the court's permission "
                         "(LAW.md #11)")
        if ov is not None and ov.note:
            notes.append(ov.note)
        # ---- interest (LAW.md #6: only where the engagement terms allow it)
        interest: Totals = {}
        rate = ov.interest_rate if ov is not None and ov.interest_rate is not None else self.s.interest_rate
        fees = ov.late_fee if ov is not None and ov.late_fee else self.s.late_fee
        client_allows = ov is not None and ov.interest_allowed
        for ln in lines if client_allows or client_id in self.flagged else ():
            if ln.age <= 0:
                continue
            m = snap.matters.get((client_id, ln.inv.matter_ref))
            if not (client_allows or (m is not None and m.interest_allowed)):
                continue
            cur = ln.inv.currency
            extra = ln.residual * rate * ln.age / Decimal(36500) + fees.get(cur, ZERO)
            if extra:
                interest[cur] = interest.get(cur, ZERO) + extra
        interest = {c: quantize(a, c) for c, a in interest.items() if quantize(a, c) > 0}
        if interest:
            how = []
            if rate:
                how.append(f"{rate}% a year, simple")
            if any(fees.get(c) for c in interest):
                how.append("a late fee per invoice")
            reasons.append(f"Interest of {_fmt_totals(interest)} ({' plus '.join(how)}) is added as the "
                           "engagement terms allow it.")
        # ---- grade
        history_ = snap.history.get(client_id)
        promises = snap.broken_promises.get(client_id)
        grade = client_profile(history_ or (), promises or (), self.today).grade if history_ or promises \
            else NO_HISTORY_GRADE
        # ---- lines and aging
        action_lines = []
        aging: dict[str, Totals] = {}
        quanta = QUANTA
        for ln in lines:
            inv = ln.inv
            cur = inv.currency
            age = ln.age
            b = aging.setdefault(BUCKETS[0 if age <= 0 else 1 if age <= 30 else 2 if age <= 60 else 3 if age <= 90
                                         else 4], {})
            b[cur] = b.get(cur, ZERO) + ln.residual
            total = inv.amount_total.quantize(quanta[cur], ROUND_HALF_UP)
            action_lines.append(ActionLine(inv.id, inv.name, inv.kind, inv.matter_ref, cur, inv.invoice_date,
                                           inv.due_date, total, total - ln.residual, ln.residual, ln.age))
        self.actions.append(Action(
            client_id=client_id, client_name=name, tier=tier.name, tier_index=target, channel=tier.channel,
            attorney_review=tier.attorney_review, auto_send=tier.auto_send, with_offer=tier.offer,
            matter_ref=matter_ref, lines=tuple(action_lines), totals=am.totals, credits=am.credits,
            unapplied_payments=am.payments, max_days_past_due=oldest.age, attorney_id=attorney_id,
            contact_id=contact_id, to_email=to_email, language=language, grade=grade,
            reasons=tuple(reasons), staff_notes=tuple(notes), interest=interest, client_kind=kind, trust=trust,
            last_tier=base.tier if base is not None else "", last_contact=base.on if base is not None else None,
            aging=aging, before_court=court, sent_before=sent_before,
        ))


def _id_key(ln: _Line) -> int:
    return ln.inv.id


def _due_key(ln: _Line) -> tuple[date, int]:
    return ln.inv.due_date, ln.inv.id


def _oldest_key(ln: _Line) -> tuple[int, int]:
    return ln.age, -ln.inv.id


def _attorney(lines: list[_Line]) -> int | None:
    """The responsible attorney: the one on the oldest invoice."""
    return max(lines, key=_oldest_key).inv.attorney_id


def _sum_docs(docs: Iterable[Invoice]) -> Totals:
    out: Totals = {}
    for d in docs:
        out[d.currency] = out.get(d.currency, ZERO) + quantize(d.amount_residual, d.currency)
    return out


def _sum_payments(items: Iterable[Payment]) -> Totals:
    out: Totals = {}
    for p in items:
        out[p.currency] = out.get(p.currency, ZERO) + quantize(p.amount, p.currency)
    return out


def _merge(a: Totals, b: Totals) -> Totals:
    out = dict(a)
    for c, v in b.items():
        out[c] = out.get(c, ZERO) + v
    return out


def _take(pool: Totals, own: Totals, used: Totals) -> Totals:
    """What is left of the pool after a group used `used`, its own credit first."""
    out = dict(pool)
    for c, u in used.items():
        from_pool = u - own.get(c, ZERO)
        if from_pool > 0:
            out[c] = out.get(c, ZERO) - from_pool
    return {c: v for c, v in out.items() if v > 0}


def plan(settings: PolicySettings, snapshot: LedgerSnapshot, today: date, *,
         calendar: FirmCalendar | None = None, explain_all: bool = False) -> Plan:
    """What tonight's run would do for every client, and why; pure (today and calendar are parameters).

    `skipped` lists the clients a rule stopped (hold, no reminders, covered, below minimum, too soon).
    Clients simply on schedule - waiting for the next tier's date, or past the last tier - are
    listed too (kinds 'waiting' and 'last_tier') only with `explain_all`: a nightly run does not
    need thousands of "not yet" lines, `plan --client` and `plan --all` do.
    """
    return _Planner(settings, snapshot, today, calendar or FirmCalendar(), explain_all).run()
