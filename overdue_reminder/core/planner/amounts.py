"""The planner's amounts: what each currency owes after credit notes and payments, interest, lines and aging.

Per currency, never summed across currencies; residuals are already rounded to their currency's
minor unit (money.quantum), so the sums here are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from overdue_reminder.config import ClientOverride, PolicySettings
from overdue_reminder.core.aging import BUCKETS
from overdue_reminder.core.interest import NO_CAPS, Caps, Charge, capped_rate, charge
from overdue_reminder.core.planner.state import Amounts, Line
from overdue_reminder.core.snapshot import MatterFlags
from overdue_reminder.model import ActionLine, Invoice, Payment
from overdue_reminder.money import ZERO, Totals, format_plain, quantize, quantum


def amounts(lines: list[Line], avail_credit: Totals, avail_pay: Totals, minimum: Mapping[str, Decimal]) -> Amounts:
    """Each currency's balance after the credit and payments available; covered or small ones are dropped."""
    sums: Totals = {}
    for ln in lines:
        sums[ln.inv.currency] = sums.get(ln.inv.currency, ZERO) + ln.residual
    if not avail_credit and not avail_pay and not minimum:
        return Amounts(lines, sums, {}, {}, [], {}, {})  # the usual case: nothing reduces the balance
    am = Amounts([], {}, {}, {}, [], {}, {})
    for cur, owed in sums.items():
        c = min(avail_credit.get(cur, ZERO), owed)
        p = min(avail_pay.get(cur, ZERO), owed - c)
        if c:
            am.used_credit[cur] = c
        if p:
            am.used_paid[cur] = p
        total = owed - c - p
        low = minimum.get(cur, ZERO)
        if total <= 0:
            am.dropped.append(("covered", f"the {cur} invoices ({format_plain(owed, cur)}) are covered by credit "
                                          "notes and unreconciled payments"))
            continue
        if total < low:
            am.dropped.append(("below_minimum", f"the {cur} balance {format_plain(total, cur)} is below the "
                                                f"minimum {format_plain(low, cur)}"))
            continue
        am.totals[cur] = total
        if c:
            am.credits[cur] = c
        if p:
            am.payments[cur] = p
    am.lines = [ln for ln in lines if ln.inv.currency in am.totals]
    return am


def payable(candidates: list[Line], credit: Totals, paid: Totals, minimum: Mapping[str, Decimal]) -> list[Amounts]:
    """The overdue invoices' amounts, else (nothing left to ask) the pre-due ones'; every try, the last decides."""
    tried = []
    for lines in ([ln for ln in candidates if ln.age > 0], [ln for ln in candidates if ln.age <= 0]):
        if not lines:
            continue
        am = amounts(lines, credit, paid, minimum)
        tried.append(am)
        if am.lines:
            break
    return tried


def sum_docs(docs: Iterable[Invoice]) -> Totals:
    out: Totals = {}
    for d in docs:
        out[d.currency] = out.get(d.currency, ZERO) + quantize(d.amount_residual, d.currency)
    return out


def sum_payments(items: Iterable[Payment]) -> Totals:
    out: Totals = {}
    for p in items:
        out[p.currency] = out.get(p.currency, ZERO) + quantize(p.amount, p.currency)
    return out


def merge(a: Totals, b: Totals) -> Totals:
    out = dict(a)
    for c, v in b.items():
        out[c] = out.get(c, ZERO) + v
    return out


def take(pool: Totals, own: Totals, used: Totals) -> Totals:
    """What is left of the pool after a group used `used`, its own credit first."""
    out = dict(pool)
    for c, u in used.items():
        from_pool = u - own.get(c, ZERO)
        if from_pool > 0:
            out[c] = out.get(c, ZERO) - from_pool
    return {c: v for c, v in out.items() if v > 0}


def interest(settings: PolicySettings, ov: ClientOverride | None, client_id: int, lines: list[Line],
             matters: Mapping[tuple[int, str], MatterFlags], flagged: bool,
             caps: Caps = NO_CAPS) -> tuple[Totals, Decimal, Mapping[str, Decimal]]:
    """Interest and late fees where the engagement terms allow them (LAW.md #6), within the firm's caps for this
    kind of client (core/interest.py); also the rate (capped) and fees used."""
    rate = ov.interest_rate if ov is not None and ov.interest_rate is not None else settings.interest_rate
    fees = ov.late_fee if ov is not None and ov.late_fee else settings.late_fee
    client_allows = ov is not None and ov.interest_allowed
    if not (client_allows or flagged):
        return {}, capped_rate(rate, caps), fees
    charges = []
    for ln in lines:
        m = matters.get((client_id, ln.inv.matter_ref))
        allowed = client_allows or (m is not None and m.interest_allowed)
        charges.append(Charge(ln.inv.currency, ln.residual, ln.age, allowed,
                              m.interest_cap if m is not None else None, m.interest_rate if m is not None else None))
    return charge(charges, rate, fees, caps), capped_rate(rate, caps), fees


def _bucket(age: int) -> str:
    return BUCKETS[0 if age <= 0 else 1 if age <= 30 else 2 if age <= 60 else 3 if age <= 90 else 4]


def action_lines(lines: list[Line]) -> tuple[tuple[ActionLine, ...], dict[str, Totals]]:
    """The reminder's invoice lines and its aging (bucket -> currency -> amount)."""
    out = []
    aging: dict[str, Totals] = {}
    for ln in lines:
        inv = ln.inv
        cur = inv.currency
        b = aging.setdefault(_bucket(ln.age), {})
        b[cur] = b.get(cur, ZERO) + ln.residual
        total = inv.amount_total.quantize(quantum(cur), ROUND_HALF_UP)
        out.append(ActionLine(inv.id, inv.name, inv.kind, inv.matter_ref, cur, inv.invoice_date,
                              inv.due_date, total, total - ln.residual, ln.residual, ln.age))
    return tuple(out), aging
