"""A realistic desk for CLI output tests: the sandbox firm (Chinese names, a name typed with a line break,
hostile names) synced and run, with holds, contacts, a promise, offers, a served notice and two attorneys
who share a name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from actors import approve_drafts, responsible, staff
from click.testing import CliRunner, Result

from overdue_reminder import config
from overdue_reminder.cli import cli
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.core.offers import NoOffer
from overdue_reminder.errors import OverdueReminderError, PolicyError
from overdue_reminder.run.pipeline import run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.harness import RunningSandbox, start_sandbox
from overdue_reminder.services import contacts, delivery, holds, letters, offers
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.notices import record_notice
from overdue_reminder.store import Store, ledger

TODAY = date(2026, 11, 28)
TWIN = "Eleanor Harbor"  # James Reed (uid 7) is renamed to share Eleanor Harbor's name


@dataclass
class Desk:
    sandbox: RunningSandbox
    config: Path
    today: date

    def run(self, *args: str, width: int | None = 80) -> Result:
        env = {"COLUMNS": str(width)} if width else {}
        return CliRunner().invoke(cli, ["--config", str(self.config), *args], env=env, catch_exceptions=False)

    def refused(self, *args: str) -> OverdueReminderError:
        """The tool's own error for a command that must fail (main() prints it and exits with its code)."""
        r = CliRunner().invoke(cli, ["--config", str(self.config), *args], env={"COLUMNS": "80"})
        assert isinstance(r.exception, OverdueReminderError), r.output
        return r.exception


def build_desk(work: Path) -> Iterator[Desk]:
    sb = start_sandbox(clients=40, invoices=240, today=TODAY - timedelta(days=3))
    try:
        sb.db.write("res.users", [7], {"name": TWIN})
        sb.db.write("res.partner", [8], {"name": TWIN})
        cfg = write_demo_config(work, sb.server.port, sb.odoo_settings().database, sb.odoo_settings().login)
        desk = Desk(sb, cfg, TODAY)
        settings = config.load(str(cfg))
        _history(settings, sb)
        r = desk.run("run", "--date", TODAY.isoformat(), "--no-digest", width=200)
        assert r.exit_code in (0, 1), r.output
        _populate(settings, TODAY)
        yield desk
    finally:
        sb.stop()


def _history(settings: config.Settings, sb: RunningSandbox) -> None:
    """Four nights 16 days apart before today (each after the last contact's stated deadline), everything
    approved and sent, so the tiers move on to letters."""
    store = Store(settings.store_url)
    store.ensure_ready()
    try:
        for step in (4, 3, 2, 1):
            day = TODAY - timedelta(days=16 * step)
            sb.db.clock.set(datetime(day.year, day.month, day.day, 6, 0))
            at = datetime(day.year, day.month, day.day, 20, 0, tzinfo=UTC)
            run_once(settings, store, lambda: make_source(settings), day, now=lambda at=at: at, actor="night")
            waiting = drafts.list_reminders(store, statuses=(drafts.DRAFT,), limit=5000)
            with suppress(PolicyError):
                approve_drafts(store, waiting, at, clerk="clerk@harperlowe.example",
                               partner_name=settings.letters.supervising_partner, settings=settings)
            delivery.send_approved(store, settings, at, residuals=delivery.StoreResiduals(store), actor="clerk")
            for letter in letters.list_letters(store, status=letters.AWAITING):
                with suppress(PolicyError):
                    letters.approve_letter(store, settings, letter.id,
                                           responsible(store, letter.attorney_id, settings.letters.supervising_partner),
                                           now=at)
    finally:
        store.dispose()


def _populate(settings: config.Settings, today: date) -> None:
    store = Store(settings.store_url)
    now = datetime(today.year, today.month, today.day, 19, 22, tzinfo=UTC)
    who = staff("clerk@harperlowe.example")
    try:
        with store.begin() as conn:
            invs = ledger.load_open_invoices(conn)
            names = {p.id: p.name for p in ledger.load_partners(conn, {i.client_id for i in invs}).values()}
        chinese = sorted(cid for cid, n in names.items() if any("\u4e00" <= ch <= "\u9fff" for ch in n))
        latin = sorted(cid for cid, n in names.items() if n.isascii() and "\n" not in n)
        first_invoice = next(i for i in invs if i.client_id == chinese[0])
        holds.add_hold(store, client_id=chinese[0], kind="dispute", invoice_id=first_invoice.id, by=who, now=now,
                       reason="The client disputes the September hours on the merger matter; Ms Chen is reviewing "
                              "the time entries with the client's general counsel before anyone writes again.")
        holds.add_hold(store, client_id=latin[0], kind="pause", by=who, now=now, until=today + timedelta(days=14),
                       reason="Office move")
        contacts.log_contact(store, settings, client_id=chinese[1], reason="planning_error", by="clerk", now=now,
                             note="客户财务总监表示下个月初付款，并要求分期付款方案。",
                             promise=contacts.Promise(today + timedelta(days=10), Decimal("12500.00"),
                                                      next(i.currency for i in invs if i.client_id == chinese[1])))
        contacts.log_contact(store, settings, client_id=latin[1], reason="planning_error", by="clerk", now=now,
                             note="Spoke with the controller (billing@example.com): a wire goes out on Friday once "
                                  "the board signs off on the quarterly budget; asked for a copy of INV/2026/00017.")
        for cid in (latin[1], latin[2]):
            found = offers.suggest_for_client(store, settings, cid, today)
            for s in found:
                if not isinstance(s.result, NoOffer):
                    with suppress(PolicyError):  # the nightly passes may have carried one already
                        offers.propose(store, settings, client_id=cid, offer=s.result.offer, by=who, now=now,
                                       reason_code=s.reason)
        record_notice(store, settings, latin[3], "fee_arbitration", today - timedelta(days=2), "certified_mail",
                      "clerk", today=today, now=now)
    finally:
        store.dispose()
