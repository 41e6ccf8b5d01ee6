"""120 simulated days against the sandbox: invoices come due, some are paid, some disputed, one
takes a plan and breaks it. Each client gets each tier at most once per cycle, in order, never
skipping, with the minimum gap; nobody on hold is contacted; the ledger reconciles at the end."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from actors import approve_drafts, responsible, staff
from sqlalchemy import func, select

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.core import offers
from overdue_reminder.run.pipeline import run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.harness import start_sandbox
from overdue_reminder.sandbox.simulate import pay_invoice, post_invoice
from overdue_reminder.services import delivery, holds
from overdue_reminder.services import letters as letter_queue
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store, ledger
from overdue_reminder.store.schema import letters, reminders
from overdue_reminder.store.schema import offers as offers_table

START = date(2026, 6, 1)
DAYS = 120
OPEN = [("move_type", "in", ["out_invoice", "out_refund"]), ("state", "=", "posted"),
        ("payment_state", "in", ["not_paid", "partial"])]

pytestmark = pytest.mark.slow
CLERK = staff("clerk@firm.example")  # billing staff, proven
PARTNER = "partner@firm.example"  # the demo firm names no supervising partner: the partner signs in by name


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def test_one_hundred_and_twenty_days(tmp_path: Path) -> None:
    rng = random.Random(20261128)
    sb = start_sandbox(clients=24, invoices=90, today=START, seed=3)
    try:
        s = sb.odoo_settings()
        cfg = write_demo_config(tmp_path, sb.server.port, s.database, s.login)
        settings = config.load(str(cfg))
        store = Store(settings.store_url)
        store.upgrade()
        factory = lambda: make_source(settings)  # noqa: E731
        disputed: dict[int, date] = {}
        plan_client: int | None = None
        plan_offer: int | None = None
        plan_first: tuple[date, Decimal, list[int]] | None = None
        open_by_day: dict[date, set[int]] = {}
        breach_day: date | None = None
        for n in range(DAYS):
            day = START + timedelta(days=n)
            sb.db.clock.set(datetime(day.year, day.month, day.day, 6, 0))
            ids = sb.db.search("account.move", OPEN)
            rows = sb.db.read("account.move", ids, ["amount_residual", "commercial_partner_id", "invoice_date_due"])
            # the firm's clients pay some invoices, get billed again
            for r in rows:
                due = r["invoice_date_due"]
                if due and due < day and r["commercial_partner_id"] != plan_client and rng.random() < 0.02:
                    pay_invoice(sb.db, r["id"], r["amount_residual"], day)
            if n % 3 == 0:
                client = rng.choice(sb.summary.client_ids[:20])
                post_invoice(sb.db, partner_id=client, amount=Decimal(rng.randrange(500, 9000)), currency="USD",
                             invoice_date=day, due_date=day + timedelta(days=30), matter=f"M-SIM-{n:03d}")
            report = run_once(settings, store, factory, day, now=lambda d=day: _at(d, 16))
            assert report.status in ("ok", "partial"), report.error
            now = _at(day, 17)
            # billing staff approve the day's drafts and send; attorneys approve letters
            waiting = drafts.list_reminders(store, statuses=(drafts.DRAFT,), limit=1000)
            if waiting:
                approve_drafts(store, waiting, now, clerk=CLERK.name, partner_name=PARTNER, settings=settings)
            delivery.send_approved(store, settings, now, residuals=delivery.StoreResiduals(store))
            for letter in letter_queue.list_letters(store, status=letter_queue.AWAITING):
                letter_queue.approve_letter(store, settings, letter.id,
                                            responsible(store, letter.attorney_id, PARTNER), now=now)
            # day 20: a client disputes; staff put the client on hold
            if n == 20:
                with store.begin() as conn:
                    owing = sorted({i.client_id for i in ledger.load_open_invoices(conn)})
                victim = owing[0]
                holds.add_hold(store, client_id=victim, kind="dispute", reason="client disputes the hours",
                               by="clerk@firm.example", now=now)
                disputed[victim] = day
            # day 30: a client in hardship takes a three-month plan
            if n == 30:
                with store.begin() as conn:
                    invs = ledger.load_open_invoices(conn)
                usd = defaultdict(Decimal)
                for i in invs:
                    if i.currency == "USD" and i.client_id not in disputed:
                        usd[i.client_id] += i.signed_residual
                with store.begin() as conn:
                    reached = dict(conn.execute(select(reminders.c.client_id, func.max(reminders.c.tier_index))
                                                .group_by(reminders.c.client_id)).all())
                    lettered = set(conn.execute(select(letters.c.client_id)).scalars())
                early = [c for c in usd if usd[c] > 0 and reached.get(c, -1) <= 1 and c not in lettered]
                plan_client = max(early, key=lambda c: usd[c])  # early in the tiers: room to re-enter them
                balance = usd[plan_client]
                down = (balance / 10).quantize(Decimal("0.01"))
                plan = offers.installment_plan(balance, "USD", 3, "monthly", down, day + timedelta(days=7),
                                               settings.calendar(), offered_on=day)
                rec = offer_service.propose(store, settings, client_id=plan_client, offer=plan, by=CLERK,
                                            now=now, reason_code="financial_hardship")
                if rec.status == "awaiting_attorney":
                    rec = offer_service.approve(store, settings, rec.id, by=responsible(
                        store, None if rec.needs == "partner" else rec.attorney_id, PARTNER), now=now)
                rec = offer_service.accept(store, settings, rec.id, by=CLERK, now=now)
                plan_offer = rec.id
                # the client will pay the first installment on time, then never again
                plan_first = (plan.installments[0].due, plan.installments[0].amount,
                              [i.id for i in invs if i.client_id == plan_client and i.currency == "USD"])
            if plan_first is not None and day == plan_first[0]:
                remaining = plan_first[1]
                for iid in plan_first[2]:
                    res = sb.db.read("account.move", [iid], ["amount_residual"])[0]["amount_residual"]
                    take = min(res, remaining)
                    if take > 0:
                        pay_invoice(sb.db, iid, take, day)
                        remaining -= take
            if plan_offer is not None and breach_day is None and \
                    offer_service.get_offer(store, plan_offer).status == "breached":
                breach_day = day
            open_by_day[day] = set(sb.db.search("account.move", OPEN))
        # ---------------------------------------------------------------- checks
        gap = settings.policy.min_gap_days
        with store.begin() as conn:
            sent = conn.execute(select(reminders.c.client_id, reminders.c.tier, reminders.c.tier_index,
                                       reminders.c.sent_at, reminders.c.matter_ref, reminders.c.invoice_ids)
                                .where(reminders.c.status == "sent").order_by(reminders.c.sent_at)).all()
            letter_rows = conn.execute(select(letters.c.client_id, letters.c.tier, letters.c.run_date)).all()
            plan_status = conn.execute(select(offers_table.c.status).where(offers_table.c.id == plan_offer)).scalar()
        assert len(sent) > 40, "the simulation should send a good number of reminders"
        tiers = [t.name for t in settings.policy.tiers]
        by_client: dict[tuple[int, str], list[tuple[date, int, list[int]]]] = defaultdict(list)
        for r in sent:
            by_client[(r.client_id, r.matter_ref)].append((r.sent_at.date(), r.tier_index, r.invoice_ids))
        cycles = 0
        for (client, _), seq in by_client.items():
            for (d1, t1, reminded), (d2, t2, _) in itertools.pairwise(seq):
                # a new cycle starts only once everything the last reminder asked for was paid
                reset = any(not set(reminded) & open_by_day.get(d1 + timedelta(days=k), set(reminded))
                            for k in range((d2 - d1).days + 1))
                cycles += reset
                if reset:
                    closed_on = [d1 + timedelta(days=k) for k in range((d2 - d1).days + 1)
                                 if not set(reminded) & open_by_day.get(d1 + timedelta(days=k), set(reminded))]
                    assert t2 == 0 or t2 <= t1, (f"client {client}: a new cycle starts from the first tier: {seq} "
                                                 f"closed on {closed_on[:3]}")
                else:
                    assert t2 == t1 + 1, f"client {client}: tier {tiers[t1]} then {tiers[t2]} ({d1} -> {d2})"
                    assert (d2 - d1).days >= gap, f"client {client}: contacts {d1} and {d2} closer than {gap} days"
        for client, since in disputed.items():
            after = [r for r in sent if r.client_id == client and r.sent_at.date() > since]
            assert not after, f"client {client} on a dispute hold was contacted"
        escalations = [r for r in letter_rows if r.tier == "escalation"]
        assert len({(r.client_id) for r in escalations}) == len(escalations), "one escalation letter per client"
        assert plan_status == "breached" and breach_day is not None
        from overdue_reminder.services.planning import plan_from_store
        with store.begin() as conn:
            local_at_end = ledger.load_open_invoices(conn)
        after_breach = plan_from_store(store, settings, date(2026, 9, 1), client_ids=[plan_client], explain_all=True)
        history = [(r.tier, r.sent_at.date()) for r in sent if r.client_id == plan_client]
        assert any(r.client_id == plan_client and r.sent_at.date() >= breach_day for r in sent) or \
            any(r.client_id == plan_client and r.run_date >= breach_day for r in letter_rows), \
            f"the breached plan's client re-entered the tiers: {history} {after_breach} " \
            f"{[(i.id, i.amount_residual, i.due_date) for i in local_at_end if i.client_id == plan_client]} " \
            f"{holds.list_holds(store, breach_day, client_id=plan_client, include_inactive=True)}"
        # the ledger reconciles with the sandbox
        run_once(settings, store, factory, START + timedelta(days=DAYS), now=lambda: _at(START, 16), send=False)
        remote = {r["id"]: r for r in sb.db.read("account.move", sb.db.search("account.move", OPEN),
                                                  ["amount_residual", "currency_id"])}
        with store.begin() as conn:
            local = {i.id: i for i in ledger.load_open_invoices(conn)}
        bad = set(sb.summary.bad.values())
        expected = {i for i, r in remote.items() if i not in bad and r["amount_residual"] > 0}
        assert set(local) - bad == expected - bad
        totals_remote: dict[int, Decimal] = defaultdict(Decimal)
        totals_local: dict[int, Decimal] = defaultdict(Decimal)
        for i in expected:
            totals_remote[remote[i]["currency_id"]] += remote[i]["amount_residual"]
            totals_local[remote[i]["currency_id"]] += local[i].amount_residual
        assert totals_local == totals_remote
    finally:
        sb.stop()
