"""What the demo runs once the sandbox is up: simulated nights, tonight's pass, and a tour of the output.

The nights before today are the desk's history: the sandbox's clients pay some bills and receive
new ones, each night runs exactly as `overdue-reminder run` would (as of that day), and a simulated
clerk and the attorneys approve what waits for them. Tonight's pass is left for people to review.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, suppress
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from rich.console import Console

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.errors import PolicyError
from overdue_reminder.run.pipeline import nightly_pass, run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.constants import ATTORNEYS
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.sandbox.simulate import pay_invoice, post_invoice
from overdue_reminder.services import delivery
from overdue_reminder.services import letters as letter_queue
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.status import tally
from overdue_reminder.store import Store

OPEN = [("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("payment_state", "in", ["not_paid", "partial"])]
CLERK = "demo-clerk@harperlowe.example"


class App(Protocol):
    """What the demo needs from the face that runs it (the CLI's App): the desk and somewhere to print."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    as_json: bool
    console: Console

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
              right: Sequence[str] = ()) -> None: ...

    def progress(self, label: str, total: int | None = None) -> AbstractContextManager[Callable[[int], None]]: ...


# The simulated day, on the firm's wall clock: clients pay overnight, the nightly pass runs at
# schedule.nightly_at, the clerk approves and sends at 09:30, the attorneys read their letters at 11:00.
# Every record the history leaves is stamped at these times, so an audit trail reads in order.
PAYMENTS_AT, CLERK_AT, ATTORNEYS_AT = time(1, 0), time(9, 30), time(11, 0)


def local_instant(s: Settings, day: date, at: time) -> datetime:
    """`at` on `day` in the firm's timezone, as an aware UTC instant (a gap in the clock moves it forward)."""
    return datetime.combine(day, at, tzinfo=s.calendar().tz).astimezone(UTC)


def nightly_time(s: Settings) -> time:
    hour, minute = (int(part) for part in s.schedule.nightly_at.split(":"))
    return time(hour, minute)


def tonight_clock(s: Settings, today: date, real_now: datetime) -> Callable[[], datetime]:
    """The clock tonight's pass stamps with: the real one when the demo's today is the firm's today, else
    the nightly time on that day (a demo --date in the past or future stays a consistent story)."""
    if s.calendar().local_today(real_now) == today:
        return lambda: datetime.now(UTC)
    return partial(local_instant, s, today, nightly_time(s))


def _naive_utc(moment: datetime) -> datetime:
    """The sandbox's clock is naive UTC, as Odoo's is."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def simulate_nights(app: App, sb: RunningSandbox, start: date, days: int, seed: int = 11) -> int:
    """Run the nights from `start` to the day before today; returns how many reminders went out."""
    s, store = app.settings, app.store
    rng = random.Random(seed)
    clients = list(sb.summary.client_ids)
    sent = 0
    with app.progress("simulating nights", days) as tick:
        for n in range(days):
            day = start + timedelta(days=n)
            sb.db.clock.set(_naive_utc(local_instant(s, day, PAYMENTS_AT)))
            for row in sb.db.read("account.move", sb.db.search("account.move", OPEN),
                                  ["amount_residual", "invoice_date_due"]):
                due = row["invoice_date_due"]
                if due and due < day and rng.random() < 0.03:
                    pay_invoice(sb.db, row["id"], row["amount_residual"], day)
            if n % 4 == 0:
                post_invoice(sb.db, partner_id=rng.choice(clients), amount=Decimal(rng.randrange(800, 12000)),
                             invoice_date=day, due_date=day + timedelta(days=30), matter=f"M-{day:%Y}-{n:04d}")
            run_once(s, store, lambda: make_source(s), day, now=partial(local_instant, s, day, nightly_time(s)),
                     actor="demo-night")
            now = local_instant(s, day, CLERK_AT)
            waiting = drafts.list_reminders(store, statuses=(drafts.DRAFT,), limit=5000)
            for r in waiting:  # the simulated clerk, or the responsible attorney where the tier needs one
                with suppress(PolicyError):  # cleared like any approval: a held or changed draft stays for review
                    drafts.approve(store, [r.id], _simulated(r.attorney_id, s) if r.attorney_review else SIM_CLERK,
                                   now, note="approved by the demo's simulated staff", settings=s)
            sent += delivery.send_approved(store, s, now, residuals=delivery.StoreResiduals(store),
                                           actor=CLERK).count("sent")
            read_at = local_instant(s, day, ATTORNEYS_AT)
            for letter in letter_queue.list_letters(store, status=letter_queue.AWAITING):
                with suppress(PolicyError):  # figures moved on: it was superseded by a fresh draft, approved next night
                    letter_queue.approve_letter(store, s, letter.id, _simulated(letter.attorney_id, s), now=read_at)
            tick(1)
    return sent


SIM_CLERK = Actor(CLERK, Role.STAFF, "demo-simulation")


def _simulated(attorney_uid: int | None, s: Settings) -> Actor:
    """The demo's simulated attorney by their login, as the audit trail shows a person (proof: the simulation
    itself), or the partner when none is assigned."""
    if attorney_uid is None:
        return Actor(s.letters.supervising_partner, Role.PARTNER, "demo-simulation")
    login = next((a[3] for a in ATTORNEYS if a[0] == attorney_uid), f"attorney uid {attorney_uid}")
    return Actor(login, Role.ATTORNEY, "demo-simulation", attorney_uid)


def run_demo(app: App, sb: RunningSandbox, today: date, days: int) -> dict[str, Any]:
    from overdue_reminder.core.letter_docx import sample_letters
    from overdue_reminder.services.planning import plan_from_store

    s = app.settings
    history_sent = simulate_nights(app, sb, today - timedelta(days=days), days) if days else 0
    sb.db.clock.set(_naive_utc(local_instant(s, today, PAYMENTS_AT)))
    out = nightly_pass(s, app.store, today, now=tonight_clock(s, today, datetime.now(UTC)))
    plan = plan_from_store(app.store, s, today)
    samples = sample_letters(s, s.resolve("letters/samples"), today=today)
    seen = tally(app.store)
    drafted, tiers, queued = seen.reminders, seen.sent_by_tier, seen.letters
    outbox = sorted(p for p in s.resolve(s.delivery.outbox_dir).rglob("*.eml"))
    result = {"nights_simulated": days, "sent_before_today": history_sent, "tonight": out,
              "reminders": dict(drafted), "sent_by_tier": dict(tiers), "outbox": [str(p) for p in outbox],
              "letters": [p for p, _ in queued], "sample_letters": [str(p) for p in samples]}
    if app.as_json:
        return result
    app.console.print(f"\n{days} nights simulated before {today}: {history_sent} reminders sent "
                      f"({', '.join(f'{t} {n}' for t, n in tiers.most_common())})")
    app.console.print(f"tonight's pass ({today}): {out['status']}")
    app.table("reminders by status", ["status", "count"], sorted(drafted.items()), right=["count"])
    app.table("tonight: left alone, and why (overdue-reminder plan --all shows each client)", ["reason", "clients"],
              sorted(Counter(k.kind for k in plan.skipped).items()), right=["clients"])
    letter_states = Counter(st for _, st in queued)
    app.console.print(f"escalation letters: {len(queued)} in {s.resolve(s.letters.dir)} "
                      f"({', '.join(f'{k} {v}' for k, v in letter_states.items()) or 'none yet'})")
    app.console.print(f"outbox: {len(outbox)} .eml files (reminders and digests) in {s.resolve(s.delivery.outbox_dir)}")
    for p in samples:
        app.console.print(f"sample letter: {p}")
    return result
