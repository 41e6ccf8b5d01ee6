"""Benchmark: planning (load snapshot + policy.plan) against merely loading the same rows, side by side.

At scale 1.0: a SQLite store with 100,000 invoices for 20,000 clients (plus reminders, holds, payments,
trust balances, paid history), filled by direct inserts. Measured in one run:
  (a) the bare load: every SELECT the snapshot is built from (planning.snapshot_queries), rows into tuples;
  (b) planning: planning.plan_from_store (load + build the snapshot + the pure policy);
and the same planning at a tenth of the size, for the 10x scaling ratio.
Targets (issue 3): (b) <= 2 x (a); 10x the invoices <= 11 x the time.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert

from overdue_reminder import config
from overdue_reminder.config import default_tiers
from overdue_reminder.model import Plan
from overdue_reminder.services.planning import plan_from_store, snapshot_queries
from overdue_reminder.store import Store
from overdue_reminder.store.schema import (
    attorneys,
    clients,
    contacts,
    holds,
    invoices,
    matters,
    payments,
    reminders,
    trust_balances,
)

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)
OVERDUE_TIERS = [(t.name, i, t.days) for i, t in enumerate(default_tiers()) if t.days > 0]


def _age(rnd: random.Random) -> int:
    """Days past due with a law firm's usual aging: most current or 1-30, a long tail past 90."""
    r = rnd.random()
    if r < 0.35:
        return -rnd.randrange(0, 41)
    if r < 0.65:
        return rnd.randrange(1, 31)
    if r < 0.80:
        return rnd.randrange(31, 61)
    if r < 0.88:
        return rnd.randrange(61, 91)
    return rnd.randrange(91, 366)


def fill(store: Store, n_invoices: int, n_clients: int, seed: int = 7) -> None:
    """A desk in steady state: ~85% of invoices open, the rest paid this year (the clients' history),
    and the reminders the nightly runs have sent so far (each tier when its threshold passed, give or
    take a few days)."""
    rnd = random.Random(seed)
    n_clients = max(1, n_clients)
    client_rows, inv_rows, rem_rows, hold_rows, pay_rows, trust_rows, matter_rows, contact_rows = \
        [], [], [], [], [], [], [], []
    for c in range(1, n_clients + 1):
        company = rnd.random() < 0.7
        domain = f"client{c}.example" if company else rnd.choice(["gmail.com", "outlook.com", f"corp{c % 97}.com"])
        client_rows.append({"id": c, "commercial_id": c, "name": f"Client {c:06d}", "email": f"ap{c}@{domain}",
                            "lang": "en_US", "is_company": company, "contact_type": "contact", "stub": False})
    opened = NOW - timedelta(days=400)
    flagged: set[tuple[int, int]] = set()
    oldest: dict[int, tuple[int, int, date]] = {}  # client -> (age, invoice id, due date)
    for i in range(1, n_invoices + 1):
        c = (i * 7919) % n_clients + 1  # ~5 invoices a client, spread
        cur = "USD" if i % 10 < 7 else "EUR" if i % 10 < 9 else "GBP"
        amount = Decimal(rnd.randrange(5_000, 2_000_000)) / 100
        age = _age(rnd)
        due = TODAY - timedelta(days=age)
        credit = i % 33 == 0
        is_open = i % 7 != 0
        closed = None
        if not is_open:
            closed = datetime.combine(due + timedelta(days=rnd.randrange(-10, 80)), datetime.min.time(), UTC)
            closed = min(closed, NOW - timedelta(days=1))
        elif not credit and age > oldest.get(c, (-999, 0, TODAY))[0]:
            oldest[c] = (age, i, due)
        inv_rows.append({
            "id": i, "name": f"INV/2026/{i:06d}", "kind": "credit_note" if credit else "invoice", "client_id": c,
            "contact_id": c, "attorney_id": 1 + i % 40, "matter_ref": f"M-{c}-{i % 3}", "currency": cur,
            "amount_total": amount, "amount_residual": amount if is_open else Decimal(0),
            "invoice_date": due - timedelta(days=30), "due_date": due, "payment_state":
            "not_paid" if is_open else "paid", "is_open": is_open, "write_date": opened, "first_seen": opened,
            "closed_at": closed})
        if i % 50 == 0 and (c, i % 3) not in flagged:
            flagged.add((c, i % 3))
            matter_rows.append({"client_id": c, "reference": f"M-{c}-{i % 3}", "attorney_id": 1 + i % 40,
                                "before_court": i % 100 == 0, "interest_allowed": i % 150 == 0})
    rid = 0
    for c, (age, inv_id, due) in oldest.items():
        if rnd.random() < 0.05:
            continue  # a client new to the desk: nothing sent yet
        lag = rnd.randrange(0, 6)
        for name, idx, days in OVERDUE_TIERS:
            if days + lag > age:
                break
            rid += 1
            on = min(due + timedelta(days=days + lag), TODAY - timedelta(days=1))
            rem_rows.append({"client_id": c, "tier": name, "tier_index": idx, "matter_ref": "", "channel": "email",
                             "run_date": on, "invoice_ids": [inv_id], "totals": {},
                             "status": "cancelled" if rnd.random() < 0.03 else "sent",
                             "idempotency_key": f"k{rid}", "message_id": f"<{rid}@bench>", "created_at": NOW,
                             "sent_at": datetime.combine(on, datetime.min.time(), UTC) + timedelta(hours=23)})
    for c in range(1, n_clients + 1):
        r = rnd.random()
        if r > 0.98:
            hold_rows.append({"client_id": c, "kind": rnd.choice(["dispute", "pause", "bankruptcy"]),
                              "reason": "bench", "created_by": "bench", "created_at": NOW})
        if 0.5 < r < 0.55:
            pay_rows.append({"id": c, "client_id": c, "amount": Decimal("150.00"), "currency": "USD",
                             "date": TODAY, "state": "posted", "reconciled": False, "invoice_ids": []})
        if 0.6 < r < 0.63:
            trust_rows.append({"client_id": c, "currency": "USD", "amount": Decimal("2500.00"), "as_of": NOW})
        if 0.7 < r < 0.71:
            contact_rows.append({"client_id": c, "at": NOW - timedelta(days=30), "by": "bench", "reason": "promise",
                                 "promise_date": TODAY - timedelta(days=20), "promise_status": "broken"})
    with store.begin() as conn:
        conn.execute(insert(attorneys), [{"id": a, "name": f"Attorney {a}", "login": f"a{a}", "email": "",
                                          "stub": False} for a in range(1, 41)])
        for table, rows in ((clients, client_rows), (invoices, inv_rows), (reminders, rem_rows),
                            (holds, hold_rows), (payments, pay_rows), (trust_balances, trust_rows),
                            (matters, matter_rows), (contacts, contact_rows)):
            for start in range(0, len(rows), 20_000):
                if rows[start:start + 20_000]:
                    conn.execute(insert(table), rows[start:start + 20_000])


def load_bare(store: Store) -> int:
    """The same SELECTs the snapshot is built from, rows into tuples, nothing else."""
    n = 0
    with store.begin() as conn:
        for q in snapshot_queries(TODAY).values():
            n += len(conn.execute(q).all())
    return n


@dataclass
class Timing:
    """Best of several runs, on the wall clock and in this process's CPU time."""

    wall: float = float("inf")
    cpu: float = float("inf")

    def measure(self, fn: Callable[[], Any]) -> Any:
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        self.wall = min(self.wall, time.perf_counter() - w)
        self.cpu = min(self.cpu, time.process_time() - c)
        return out


def make_store(folder: Path, name: str, n_invoices: int, n_clients: int) -> Store:
    store = Store(f"sqlite:///{folder / name}")
    store.upgrade()
    fill(store, n_invoices, n_clients)
    return store


def side_by_side(store: Store, settings: config.Settings, repeat: int,
                 explain_all: bool = False) -> tuple[Timing, Timing, int, Plan]:
    """(a) the bare load and (b) planning, interleaved so both see the same machine; best of `repeat`."""
    load_bare(store)  # warm SQLite's page cache for both sides alike
    plan_from_store(store, settings, TODAY, explain_all=explain_all)
    bare, planning = Timing(), Timing()
    rows, plan = 0, None
    for _ in range(repeat):
        rows = bare.measure(lambda: load_bare(store))
        plan = planning.measure(lambda: plan_from_store(store, settings, TODAY, explain_all=explain_all))
    assert plan is not None
    return bare, planning, rows, plan


def run(scale: float = 1.0) -> list[dict[str, Any]]:
    settings = config.parse("")
    n_inv, n_cli = max(100, int(100_000 * scale)), max(20, int(20_000 * scale))
    repeat = 5
    size = f"{n_inv} invoices / {n_cli} clients"
    out: list[dict[str, Any]] = []

    def report(key: str, what: str, bare: Timing, planning: Timing, rows: int, plan: Plan) -> None:
        out.extend([
            {"name": f"policy.{key}.load_bare", "value": round(bare.wall, 4), "unit": "s",
             "note": f"{what}, {size}: the snapshot's SELECTs into tuples ({rows} rows), SQLite; "
                     f"CPU {bare.cpu:.3f} s"},
            {"name": f"policy.{key}.plan", "value": round(planning.wall, 4), "unit": "s",
             "note": f"{what}: load + snapshot + policy.plan -> {len(plan.actions)} actions, "
                     f"{len(plan.skipped)} skipped; CPU {planning.cpu:.3f} s"},
            {"name": f"policy.{key}.plan_vs_load", "value": round(planning.cpu / bare.cpu, 3), "unit": "x",
             "note": f"CPU time (wall clock: {planning.wall / bare.wall:.2f}x); target <= 2"},
        ])

    with tempfile.TemporaryDirectory() as tmp:
        big = make_store(Path(tmp), "big.db", n_inv, n_cli)
        small = make_store(Path(tmp), "small.db", n_inv // 10, n_cli // 10)
        report("nightly", "a nightly run in steady state", *side_by_side(big, settings, repeat))
        report("explain_all", "the same with every on-schedule client explained (plan --all)",
               *side_by_side(big, settings, max(2, repeat // 2), explain_all=True))
        # 10x scaling: the same nightly plan on a tenth of the ledger.
        _, small_plan, _, _ = side_by_side(small, settings, repeat)
        _, big_plan, _, _ = side_by_side(big, settings, repeat)
        out.append({"name": "policy.plan_tenth", "value": round(small_plan.wall, 4), "unit": "s",
                    "note": f"{n_inv // 10} invoices / {n_cli // 10} clients; CPU {small_plan.cpu:.3f} s"})
        out.append({"name": "policy.scaling_10x", "value": round(big_plan.cpu / small_plan.cpu, 3), "unit": "x",
                    "note": f"plan CPU time at 10x the invoices over 1x (wall clock "
                            f"{big_plan.wall / small_plan.wall:.2f}x); target <= 11"})
        # A first run on a new desk: no reminder history, so every overdue client gets a first reminder.
        with big.begin() as conn:
            conn.execute(delete(reminders))
        report("first_run", "a first run (no reminders sent yet)", *side_by_side(big, settings, max(2, repeat // 2)))
        big.dispose()
        small.dispose()
    return out
