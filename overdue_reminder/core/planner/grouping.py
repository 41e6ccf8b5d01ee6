"""Grouping: one client's documents into reminder lines, holds applied, then one group per client or matter.

With group_by = "matter", credit notes and payments tied to a matter stay with it; the rest form a
pool that goes to the matter whose debt is oldest first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP

from overdue_reminder.core.planner import reasons
from overdue_reminder.core.planner.amounts import merge, sum_docs, sum_payments, take
from overdue_reminder.core.planner.state import ClientInfo, Indexes, Line, attorney_of, ids_of, skipped
from overdue_reminder.core.snapshot import Hold
from overdue_reminder.model import Invoice, InvoiceKind, Payment, SkippedClient
from overdue_reminder.money import ZERO, Totals, quantum


@dataclass(slots=True)
class Group:
    """The lines of one reminder and the credit and payments it may use."""

    matter_ref: str
    lines: list[Line]
    credit: Totals
    paid: Totals
    held_notes: list[str]


def candidates(ix: Indexes, invs: list[Invoice], shift: int) -> tuple[list[Line], list[Invoice]]:
    """The invoices a reminder may ask for (overdue, or inside the first pre-due window), and open credit notes.

    The hot loop: one pass over the client's documents, no calls it can avoid.
    """
    window = ix.predue[0] if ix.predue else None
    win_days = window.days if window is not None else 1
    win_business = window is not None and window.day_count == "business"
    today_ord = ix.today_ord
    business = ix.days.business
    credit_kind = InvoiceKind.CREDIT_NOTE
    lines: list[Line] = []
    credit_notes: list[Invoice] = []
    for inv in invs:
        residual = inv.amount_residual
        if residual <= ZERO or not inv.is_open:
            continue
        if inv.kind is credit_kind:
            credit_notes.append(inv)
            continue
        if inv.payment_state == "in_payment":
            continue
        due_ord = inv.due_date.toordinal() + shift
        age = today_ord - due_ord
        if age > 0 or (business(due_ord) if win_business else age) >= win_days:
            residual = residual.quantize(quantum(inv.currency), ROUND_HALF_UP)
            if residual > ZERO:  # less than a cent (or yen) is not owed
                lines.append(Line(inv, due_ord, age, residual))
    return lines, credit_notes


def screen(ix: Indexes, who: ClientInfo, lines: list[Line]) -> SkippedClient | tuple[list[Line], list[str]]:
    """Holds and `no_reminders`: the client skipped, or the lines left with a note for each invoice held."""
    holds = ix.holds.get(who.id, ())
    wide = [h for h in holds if h.client_wide]
    if wide:
        attorney_id = attorney_of(lines)
        return skipped(who, "hold", reasons.client_hold_reason(wide, ix.attorney_name(attorney_id)),
                       attorney_id=attorney_id, hold_ids=tuple(h.id for h in wide), invoice_ids=ids_of(lines))
    if who.ov is not None and who.ov.no_reminders:
        return skipped(who, "no_reminders", reasons.no_reminders_reason(who.ov), attorney_id=attorney_of(lines),
                       invoice_ids=ids_of(lines))
    held: dict[int, Hold] = {h.invoice_id: h for h in holds if h.invoice_id is not None} if holds else {}
    if not held:
        return lines, []
    kept = [ln for ln in lines if ln.inv.id not in held]
    notes = [reasons.held_invoice_note(ln, held[ln.inv.id]) for ln in lines if ln.inv.id in held]
    if not kept:
        hold_ids = tuple(sorted({held[ln.inv.id].id for ln in lines}))
        return skipped(who, "hold", "every overdue invoice is on hold: " + " ".join(notes),
                       attorney_id=attorney_of(lines), hold_ids=hold_ids, invoice_ids=ids_of(lines))
    return kept, notes


def client_group(lines: list[Line], credit_notes: list[Invoice], payments: list[Payment],
                 held_notes: list[str]) -> Group:
    """group_by = "client": one reminder with every credit note and the payments that concern its invoices."""
    credit = sum_docs(credit_notes) if credit_notes else {}
    paid: Totals = {}
    if payments:
        ids = {ln.inv.id for ln in lines}
        paid = sum_payments(p for p in payments if not p.invoice_ids or any(i in ids for i in p.invoice_ids))
    return Group("", lines, credit, paid, held_notes)


def matter_groups(lines: list[Line], credit_notes: list[Invoice], payments: list[Payment], invs: list[Invoice],
                  held_notes: list[str], plan_group: Callable[[Group], tuple[Totals, Totals]]) -> None:
    """group_by = "matter": one reminder per matter, oldest debt first; `plan_group` says what each used."""
    groups: dict[str, list[Line]] = defaultdict(list)
    for ln in lines:
        groups[ln.inv.matter_ref].append(ln)
    matter_of = {inv.id: inv.matter_ref for inv in invs}
    pool_credit = sum_docs(c for c in credit_notes if c.matter_ref not in groups)
    pool_paid = sum_payments(p for p in payments if not p.invoice_ids)
    order = sorted(groups, key=lambda r: (-max(ln.age for ln in groups[r]), r))
    for ref in order:
        own_credit = sum_docs(c for c in credit_notes if c.matter_ref == ref)
        own_paid = sum_payments(p for p in payments if p.invoice_ids
                                and any(matter_of.get(i) == ref for i in p.invoice_ids))
        used_credit, used_paid = plan_group(Group(ref, groups[ref], merge(own_credit, pool_credit),
                                                  merge(own_paid, pool_paid), held_notes if ref == order[0] else []))
        pool_credit = take(pool_credit, own_credit, used_credit)
        pool_paid = take(pool_paid, own_paid, used_paid)
