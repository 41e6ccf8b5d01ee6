"""The planner's sentences: why an action goes out, why a client is skipped, and the notes staff see.

Text only: every figure is decided by the other steps and passed in; nothing here changes a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from overdue_reminder.config import ClientOverride, TierSettings
from overdue_reminder.core.planner.state import Amounts, DayCounter, Line, threshold
from overdue_reminder.core.snapshot import Hold, PastContact
from overdue_reminder.money import format_plain

_HOLD_LABELS = {
    "dispute": "disputed",
    "bankruptcy": "bankruptcy",
    "other_counsel": "represented by other counsel on the fee",
    "do_not_contact": "do not contact",
    "payment_plan": "payment plan in good standing",
    "promise_to_pay": "promise to pay",
    "pause": "paused",
    "arbitration_requested": "fee arbitration requested",
}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def days_text(n: int, day_count: str) -> str:
    return plural(n, "business day" if day_count == "business" else "day")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def fmt_totals(totals: Mapping[str, Decimal]) -> str:
    """'1,200.00 USD, 300.00 EUR' (amounts here are already rounded to their currency)."""
    if len(totals) == 1:
        for c, a in totals.items():
            return f"{a:,} {c}"
    return ", ".join(f"{a:,} {c}" for c, a in totals.items())


def threshold_text(tier: TierSettings, grace: int) -> str:
    th = threshold(tier, grace)
    unit = " business" if tier.day_count == "business" else ""
    if tier.days <= 0:
        return f"{-tier.days}{unit} days before the due date"
    if grace and tier.days > 0:
        return f"{th}{unit} days ({tier.days} + {grace} grace)"
    return f"{th}{unit} days"


# ---------------------------------------------------------------- holds
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


def client_hold_reason(wide: list[Hold], attorney_name: str) -> str:
    """Why a client-wide hold stops every contact, and who acts instead (LAW.md #8, #13)."""
    kinds = {h.kind for h in wide}
    parts = [hold_sentence(h) for h in sorted(wide, key=lambda h: (h.kind != "bankruptcy", h.id))]
    reason = "on hold: " + "; ".join(parts) + "."
    if "bankruptcy" in kinds:
        reason += " All collection contact stops under the automatic stay (rule: Holds stop contact)."
    elif "dispute" in kinds or "arbitration_requested" in kinds:
        reason += (f" Automation stops for this client and the matter goes to the attorney{attorney_name}; "
                   "the next letter offers fee arbitration (rule: Disputes go to the attorney).")
    elif "other_counsel" in kinds:
        reason += " The client has counsel on the fee: no direct contact; the attorney handles it."
    return reason


def held_invoice_note(ln: Line, h: Hold) -> str:
    note = f"{ln.inv.name} is left out: {hold_sentence(h)}"
    if h.kind == "dispute":
        note += "; the attorney decides and the next letter offers fee arbitration (rule: Disputes go to the attorney)"
    return note + "."


def no_reminders_reason(ov: ClientOverride) -> str:
    return f"no reminders for this client (policy.clients override{': ' + ov.note if ov.note else ''})."


# ---------------------------------------------------------------- history and timing
def sent_word(c: PastContact) -> str:
    return "was queued" if c.status in ("draft", "approved") else "was sent"


def history_text(today: date, base: PastContact | None, reset: bool) -> str:
    if base is None:
        if reset:
            return "earlier reminders covered invoices that are paid now, so the tiers start again"
        return "nothing was sent yet in this cycle"
    since = (today - base.on).days
    return f"'{base.tier}' {sent_word(base)} {base.on.isoformat()}, {plural(since, 'day')} ago"


def age_text(days: DayCounter, ln: Line, tier: TierSettings) -> str:
    age = days.age(ln.due_ord, tier.day_count)
    due = ln.inv.due_date.isoformat()
    shift = ln.due_ord - ln.inv.due_date.toordinal()
    due_txt = f"due {due}" if not shift else f"due {due}, counted from " \
        f"{date.fromordinal(ln.due_ord).isoformat()} with {plural(shift, 'extra day')} agreed"
    if age > 0:
        return f"{ln.inv.name} is {days_text(age, tier.day_count)} past due ({due_txt})"
    if age == 0:
        return f"{ln.inv.name} is due today ({due_txt})"
    return f"{ln.inv.name} is due in {days_text(-age, tier.day_count)} ({due_txt})"


def too_soon_reason(last: PastContact, since: int, gap: int, tier: TierSettings, deadline: date | None = None) -> str:
    last_txt = f"'{last.tier}' {sent_word(last)} {last.on.isoformat()}"
    after = last.on + timedelta(days=gap)
    if deadline is not None and after == deadline + timedelta(days=1):
        return (f"{last_txt}, {plural(since, 'day')} ago, giving the client until {deadline.isoformat()}; "
                f"'{tier.name}' can go from {after.isoformat()}, after that deadline.")
    return (f"{last_txt}, {plural(since, 'day')} ago; at least {plural(gap, 'day')} between "
            f"contacts, so '{tier.name}' can go from {after.isoformat()}.")


# ---------------------------------------------------------------- an action's reasons
def amount_reasons(lines: list[Line], refs: list[str], am: Amounts) -> list[str]:
    """What the reminder asks for, what reduced it and which currencies were left out."""
    out = []
    if len(lines) > 1:
        where = f" in {plural(len(refs), 'matter')}" if len(refs) > 1 else ""
        out.append(f"The reminder covers {len(lines)} invoices{where}: {fmt_totals(am.totals)}.")
    else:
        out.append(f"The reminder asks for {fmt_totals(am.totals)}.")
    if am.credits or am.payments:
        parts = []
        if am.credits:
            parts.append(f"credit notes of {fmt_totals(am.credits)}")
        if am.payments:
            parts.append(f"unreconciled payments of {fmt_totals(am.payments)}")
        out.append(f"{cap(' and '.join(parts))} reduce the amount asked.")
    out.extend(f"{cap(d)}: left out." for _, d in am.dropped)
    return out


def skipped_tiers_reason(later: list[str]) -> str:
    return (f"Tiers are never skipped: {', '.join(repr(x) for x in later)} "
            f"{'follows' if len(later) == 1 else 'follow'} in later runs.")


def tier_traits_reason(tier: TierSettings) -> str | None:
    """'final' goes by letter and needs an attorney's review."""
    bits = []
    if tier.channel == "letter":
        bits.append("goes by letter")
    if tier.attorney_review:
        bits.append("needs an attorney's review")
    if tier.offer:
        bits.append("comes with a payment offer")
    return f"'{tier.name}' {' and '.join(bits)}." if bits else None


def interest_reason(interest: Mapping[str, Decimal], rate: Decimal, fees: Mapping[str, Decimal]) -> str:
    how = []
    if rate:
        how.append(f"{rate}% a year, simple")
    if any(fees.get(c) for c in interest):
        how.append("a late fee per invoice")
    return (f"Interest of {fmt_totals(interest)} ({' plus '.join(how)}) is added as the "
            "engagement terms allow it.")


# ---------------------------------------------------------------- staff notes
def staff_notes(trust: Mapping[str, Decimal], tier: TierSettings, to_email: str, employer_domain: bool,
                court: tuple[str, ...], ov: ClientOverride | None) -> list[str]:
    """What the reviewer must know before it goes: trust money, a missing or doubtful address, a court."""
    notes = [f"trust balance {format_plain(amount, cur)} held: attorney decides; never applied automatically"
             for cur, amount in trust.items()]
    if tier.channel == "email" and not to_email:
        notes.append("no email address on file for the client or its billing contact: add one in Odoo "
                     "or send the reminder by post")
    if employer_domain:
        notes.append(f"billing email {to_email} is at what looks like an employer's domain for an "
                     "individual client: confirm it is the client's own address before sending "
                     "(rule: Billing contact of record)")
    notes.extend(f"matter {r} is before a court: withdrawing for non-payment needs the court's permission "
                 "(rule: Attorney approves escalations)" for r in court)
    if ov is not None and ov.note:
        notes.append(ov.note)
    return notes
