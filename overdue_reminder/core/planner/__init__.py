"""The planner: `core.policy.plan`'s steps, one module each, composed per client here.

grouping (documents -> lines, holds, groups) -> amounts (per currency, after credit and payments) ->
tiers (history, next tier, gap) -> recipient -> reasons (sentences, staff notes) -> one Action.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby
from operator import attrgetter

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import PolicySettings, TierSettings
from overdue_reminder.core.interest import NO_CAPS, CapTable
from overdue_reminder.core.planner import limitation, reasons, tiers
from overdue_reminder.core.planner.amounts import action_lines, interest, payable
from overdue_reminder.core.planner.grouping import Group, candidates, client_group, matter_groups, screen
from overdue_reminder.core.planner.recipient import choose_recipient
from overdue_reminder.core.planner.state import (
    Amounts,
    ClientInfo,
    Indexes,
    Line,
    attorney_of,
    due_key,
    ids_of,
    oldest_key,
    skipped,
)
from overdue_reminder.core.profile import NO_HISTORY_GRADE, client_profile
from overdue_reminder.core.snapshot import LedgerSnapshot
from overdue_reminder.model import Action, Invoice, Plan, SkippedClient
from overdue_reminder.money import Totals, quantize


class Planner:
    """One night's plan: every client's documents through the steps, actions and skips collected."""

    def __init__(self, settings: PolicySettings, snap: LedgerSnapshot, today: date, calendar: FirmCalendar,
                 explain: bool, caps: CapTable | None = None, notice_days: int = 0) -> None:
        self.ix = Indexes(settings, snap, today, calendar, explain, caps, notice_days)
        self.threshold_texts = [reasons.threshold_text(t, settings.grace_days) for t in settings.tiers]
        self.actions: list[Action] = []
        self.skipped: list[SkippedClient] = []
        self.cutoffs = limitation.Cutoffs(snap.limits, today) if snap.limits is not None else None

    def run(self) -> Plan:
        by_client: dict[int, list[Invoice]] = {}
        # groupby runs in C; runs of one client (the loader sorts by client) become one list.
        for cid, docs in groupby(self.ix.snap.invoices, key=attrgetter("client_id")):
            known = by_client.get(cid)
            if known is None:
                by_client[cid] = list(docs)
            else:
                known.extend(docs)
        for client_id in sorted(by_client):
            self.client(client_id, by_client[client_id])
        self.actions.sort(key=lambda a: (a.client_name.casefold(), a.client_id, a.matter_ref))
        self.skipped.sort(key=lambda s: (s.client_name.casefold(), s.client_id, s.matter_ref))
        return Plan(self.ix.today, tuple(self.actions), tuple(self.skipped))

    def client(self, client_id: int, invs: list[Invoice]) -> None:
        """Grouping: the client's lines, its holds, then one group (client) or one per matter."""
        ix = self.ix
        partner = ix.snap.partners.get(client_id)
        name = partner.name if partner is not None else f"client #{client_id}"
        ov = ix.override(client_id, name)
        lines, credit_notes = candidates(ix, invs, ov.extra_days if ov is not None else 0)
        if not lines:
            return
        who = ClientInfo(client_id, name, partner, ov)
        screened = screen(ix, who, lines)
        if isinstance(screened, SkippedClient):
            self.skipped.append(screened)
            return
        lines, held_notes = screened
        if self.cutoffs is not None:
            lines, flagged = limitation.split(self.cutoffs, who, lines)
            if flagged is not None:
                self.skipped.append(flagged)
            if not lines:
                return
        payments = ix.payments.get(client_id, [])
        if ix.s.group_by == "client":
            self.group(who, client_group(lines, credit_notes, payments, held_notes))
        else:
            matter_groups(lines, credit_notes, payments, invs, held_notes, lambda g: self.group(who, g))

    def group(self, who: ClientInfo, g: Group) -> tuple[Totals, Totals]:
        """Plan one reminder; returns the credits and payments it used (the rest may go to the next matter)."""
        tried = payable(g.lines, g.credit, g.paid, self.ix.s.minimum_amount)
        assert tried
        am = tried[-1]
        used = (am.used_credit, am.used_paid)
        if not am.lines:
            dropped = [d for a in tried for d in a.dropped]
            covered = all(k == "covered" for k, _ in dropped)
            self.skipped.append(skipped(who, "covered" if covered else "below_minimum",
                                        reasons.cap("; ".join(t for _, t in dropped)) + ".", matter_ref=g.matter_ref,
                                        attorney_id=attorney_of(g.lines), invoice_ids=ids_of(g.lines)))
            return used
        self.choose_tier(who, g, am)
        return used

    def choose_tier(self, who: ClientInfo, g: Group, am: Amounts) -> None:
        """Tier choice: the next tier once its threshold is reached, at least the minimum gap after a contact."""
        ix = self.ix
        lines = am.lines
        is_overdue = lines[0].age > 0
        h = tiers.history(ix, who.id, g.matter_ref)
        start = tiers.next_tier(ix, h, is_overdue)
        if not is_overdue and start >= ix.first_overdue:
            return  # the courtesy notice for this cycle went out; nothing is overdue yet
        oldest = max(lines, key=oldest_key) if len(lines) > 1 else lines[0]
        if start >= len(ix.tiers):
            assert h.base is not None
            if ix.explain:  # the sentence is written only when someone will read it (plan --all)
                self.on_schedule(who, g, lines, "last_tier", f"{reasons.age_text(ix.days, oldest, ix.tiers[-1])}; "
                                 f"{reasons.history_text(ix.today, h.base, h.reset)}; it is the last tier: what "
                                 "follows is the attorney's decision.")
            return
        target = tiers.due_tier(ix, lines, oldest, start, is_overdue)
        if target is None:
            if ix.explain:
                nxt = ix.tiers[start]
                self.on_schedule(who, g, lines, "waiting", f"{reasons.age_text(ix.days, oldest, nxt)}; "
                                 f"{reasons.history_text(ix.today, h.base, h.reset)}; next tier '{nxt.name}' starts "
                                 f"at {reasons.threshold_text(nxt, ix.grace)}.")
            return
        tier = ix.tiers[target]
        if h.last_any is not None:
            gap, deadline = tiers.required_gap(ix, h)
            since = (ix.today - h.last_any.on).days
            if since < gap:
                self.skipped.append(skipped(who, "too_soon", reasons.too_soon_reason(h.last_any, since, gap, tier,
                                                                                     deadline),
                                            matter_ref=g.matter_ref, attorney_id=attorney_of(g.lines),
                                            invoice_ids=ids_of(lines)))
                return
        self.action(who, g, tier, target, am, h, oldest)

    def on_schedule(self, who: ClientInfo, g: Group, lines: list[Line], kind: str, reason: str) -> None:
        """A client simply waiting for its next tier: listed only when the plan is asked to explain all."""
        if self.ix.explain:
            self.skipped.append(skipped(who, kind, reason, matter_ref=g.matter_ref,
                                        attorney_id=attorney_of(g.lines), invoice_ids=ids_of(lines)))

    def action(self, who: ClientInfo, g: Group, tier: TierSettings, target: int, am: Amounts, h: tiers.History,
               oldest: Line) -> None:
        """Recipient, amounts, reasons and notes: the Action itself."""
        ix, client_id = self.ix, who.id
        lines = sorted(am.lines, key=due_key) if len(am.lines) > 1 else am.lines
        refs = sorted({ln.inv.matter_ref for ln in lines if ln.inv.matter_ref}) if len(lines) > 1 else \
            [r for r in (lines[0].inv.matter_ref,) if r]
        to = choose_recipient(ix, who, lines)
        held_in_trust = ix.trust.get(client_id)
        trust = {c: quantize(a, c) for c, a in held_in_trust.items()} if held_in_trust else {}
        court: tuple[str, ...] = ()
        if client_id in ix.flagged:
            court = tuple(r for r in refs if (m := ix.snap.matters.get((client_id, r))) is not None and m.before_court)
        caps = ix.caps.for_client(to.kind != "business") if ix.caps is not None else NO_CAPS
        added, rate, fees = interest(ix.s, who.ov, client_id, lines, ix.snap.matters, client_id in ix.flagged, caps)
        why = self.action_reasons(tier, target, h, oldest, lines, refs, am, g.held_notes)
        if added:
            why.append(reasons.interest_reason(added, rate, fees))
        items, aging = action_lines(lines)
        self.actions.append(Action(
            client_id=client_id, client_name=who.name, tier=tier.name, tier_index=target, channel=tier.channel,
            attorney_review=tier.attorney_review, auto_send=tier.auto_send, with_offer=tier.offer,
            matter_ref=g.matter_ref, lines=items, totals=am.totals, credits=am.credits,
            unapplied_payments=am.payments, max_days_past_due=oldest.age, attorney_id=attorney_of(g.lines),
            contact_id=to.contact_id, to_email=to.to_email, language=to.language, grade=self.grade(client_id),
            reasons=tuple(why), staff_notes=tuple(reasons.staff_notes(trust, tier, to.to_email, to.employer_domain,
                                                                       court, who.ov)),
            interest=added, client_kind=to.kind, trust=trust, last_tier=h.base.tier if h.base is not None else "",
            last_contact=h.base.on if h.base is not None else None, aging=aging, before_court=court,
            sent_before=h.sent,
        ))

    def action_reasons(self, tier: TierSettings, target: int, h: tiers.History, oldest: Line, lines: list[Line],
                       refs: list[str], am: Amounts, held_notes: list[str]) -> list[str]:
        """Reasons: the tier's timing, tiers that follow later, the amounts, invoices held, the tier's traits."""
        ix = self.ix
        out = [f"{reasons.age_text(ix.days, oldest, tier)}; {reasons.history_text(ix.today, h.base, h.reset)}; "
               + ("the first tier " if h.base is None else "next tier ")
               + f"'{tier.name}' starts at {self.threshold_texts[target]}."]
        later = tiers.later_tiers_due(ix, target, oldest)
        if later:
            out.append(reasons.skipped_tiers_reason(later))
        out.extend(reasons.amount_reasons(lines, refs, am))
        out.extend(held_notes)
        traits = reasons.tier_traits_reason(tier)
        if traits:
            out.append(traits)
        return out

    def grade(self, client_id: int) -> str:
        history = self.ix.snap.history.get(client_id)
        promises = self.ix.snap.broken_promises.get(client_id)
        if history or promises:
            return client_profile(history or (), promises or (), self.ix.today).grade
        return NO_HISTORY_GRADE
