"""Sync: read the source into the ledger, batch by batch, each batch committed with its watermark.

A run cut off anywhere resumes from the last committed watermark: upserts are idempotent, so
a batch read twice changes nothing twice and nothing is lost between batches. A full pass cut off
midway starts again from the first id: only a whole pass over the open set can tell which stored
invoices left it (were paid in between) and refresh the residuals of the pages read before the cut.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import and_, insert, select, update

from overdue_reminder import money
from overdue_reminder.model import Partner, Skipped
from overdue_reminder.services import matters as matter_service
from overdue_reminder.sources import Page, Source, StoredWriteDates, Watermark
from overdue_reminder.sources.prefetch import prefetch
from overdue_reminder.store import Store, currencies, ledger
from overdue_reminder.store.schema import attorneys, clients, invoices, sync_runs

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class SyncReport:
    run_id: int = 0
    kind: str = "incremental"
    new: int = 0
    changed: int = 0
    closed: int = 0
    clients: int = 0
    attorneys: int = 0
    payments: int = 0
    trust_balances: int = 0
    rpc_calls: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase, for -v and the bench
    skipped: list[Skipped] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["skipped"] = [{"model": s.model, "id": s.record_id, "reason": s.reason} for s in self.skipped]
        return d


def _start_run(store: Store, source: str, kind: str, now: datetime) -> int:
    with store.begin() as conn:
        res = conn.execute(insert(sync_runs).values(source=source, kind=kind, started_at=now, status="running",
                                                    counts={}, watermarks={}, error=""))
        key = res.inserted_primary_key
        assert key is not None
        return int(key[0])


def _finish_run(store: Store, report: SyncReport, at: datetime, status: str, error: str = "") -> None:
    counts = report.as_dict()
    counts.pop("skipped")
    counts["skipped"] = len(report.skipped)
    with store.begin() as conn:
        conn.execute(update(sync_runs).where(sync_runs.c.id == report.run_id).values(
            finished_at=at, status=status, counts=counts, error=error))


class Ahead:
    """Source reads that need not wait for their turn, done in one background thread meanwhile.

    While the invoices page in, the partners each page names for the first time are read, and the
    payments and the trust balances (their watermarks are known from the start): the RPC waits overlap
    instead of adding up. Only for sources that say their client takes concurrent calls
    (`concurrent_reads`); the store is written by the caller's thread alone, in the same order as before.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="sync-ahead") \
            if getattr(source, "concurrent_reads", False) else None
        self.partner_reads: list[tuple[list[int], Future[tuple[list[Partner], list[Skipped]]]]] = []
        self.changed_partners: Future[tuple[list[int], Watermark]] | None = None
        self.payments: Future[list[Page]] | None = None
        self.trust: Future[tuple[Any, Watermark]] | None = None

    def start(self, payments_wm: Watermark, trust_wm: Watermark, partners_wm: Watermark,
              stored: StoredWriteDates) -> None:
        if self.pool is not None:
            self.changed_partners = self.pool.submit(self.source.changed_partner_ids, partners_wm, stored)
            self.payments = self.pool.submit(lambda: list(self.source.payment_pages(payments_wm)))
            self.trust = self.pool.submit(self.source.trust_balances, trust_wm)

    def partners(self, ids: Sequence[int]) -> None:
        if self.pool is not None and ids:
            chunk = sorted(ids)
            self.partner_reads.append((chunk, self.pool.submit(self.source.read_partners, chunk)))

    def read_partners(self) -> tuple[set[int], list[Partner], list[Skipped]]:
        """The partners read ahead: the ids asked, what came back, what had to be noted."""
        asked: set[int] = set()
        found: list[Partner] = []
        notes: list[Skipped] = []
        for chunk, fut in self.partner_reads:
            got, skipped = fut.result()
            asked.update(chunk)
            found.extend(got)
            notes.extend(skipped)
        self.partner_reads = []
        return asked, found, notes

    def close(self, failed: bool) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=not failed, cancel_futures=True)


def sync(store: Store, source: Source, *, full: bool = False, progress: Callable[[int], None] | None = None,
         now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> SyncReport:
    """One sync pass; `full` re-reads the whole open set and closes what is no longer in it."""
    t0 = time.perf_counter()
    name = source.name
    with store.begin() as conn:
        wm = _get(conn, name, "account.move")
    kind = "full" if full or wm.phase == "full" else "incremental"
    if kind == "full" and wm.last_id:
        log.info("a full pass was cut off after id %s: reading the open set again from the start", wm.last_id)
    if kind == "full":
        wm = Watermark(wm.watermark, 0, "full")
    report = SyncReport(kind=kind)
    report.run_id = _start_run(store, name, kind, now())
    tick = progress or (lambda n: None)
    ahead = Ahead(source)
    try:
        def timed(phase: str, fn: Callable[[], None]) -> None:
            t = time.perf_counter()
            fn()
            report.phases[phase] = round(time.perf_counter() - t, 3)

        timed("login", source.open)
        timed("currencies", lambda: _sync_currencies(store, source, now))
        with store.begin() as conn:
            ahead.start(_get(conn, name, "account.payment"), _get(conn, name, "account.move.line"),
                        _get(conn, name, "res.partner"), _stored_partner_dates(store))
        timed("invoices", lambda: _sync_invoices(store, source, wm, report, tick, now,
                                                 fresh_full=(kind == "full"), ahead=ahead))
        timed("partners", lambda: _sync_partners(store, source, report, now, ahead))
        timed("attorneys", lambda: _sync_attorneys(store, source, report))
        timed("payments", lambda: _sync_payments(store, source, report, now, ahead))
        timed("trust", lambda: _sync_trust(store, source, report, now, ahead))
    except BaseException as exc:
        ahead.close(failed=True)
        report.rpc_calls = source.rpc_calls
        report.seconds = time.perf_counter() - t0
        _finish_run(store, report, now(), "failed", str(exc) or type(exc).__name__)
        raise
    else:
        ahead.close(failed=False)
    finally:
        source.close()
    report.rpc_calls = source.rpc_calls
    report.seconds = time.perf_counter() - t0
    _finish_run(store, report, now(), "partial" if report.skipped else "ok")
    return report


def _sync_trust(store: Store, source: Source, report: SyncReport, now: Callable[[], datetime],
                ahead: Ahead | None = None) -> None:
    with store.begin() as conn:
        wm = _get(conn, source.name, "account.move.line")
    balances, new_wm = ahead.trust.result() if ahead is not None and ahead.trust is not None \
        else source.trust_balances(wm)
    with store.begin() as conn:
        if balances is not None:
            ledger.replace_trust_balances(conn, balances, now())
            report.trust_balances = len(balances)
        if new_wm != wm:
            _set(conn, source.name, "account.move.line", new_wm)


def _sync_currencies(store: Store, source: Source, now: Callable[[], datetime]) -> None:
    """Odoo's currency list and precisions, read once per sync, cached in the store and used for rounding."""
    places = source.currencies()
    with store.begin() as conn:
        currencies.save(conn, places or {}, now())
    money.use_currencies(places or {})


def load_currencies(store: Store) -> dict[str, int]:
    """Round as the accounting system does in processes that do not sync (send, the review page)."""
    with store.begin() as conn:
        places = currencies.load(conn)
    money.use_currencies(places)
    return places


_get = ledger.get_watermark
_set = ledger.set_watermark


def _sync_invoices(store: Store, source: Source, wm: Watermark, report: SyncReport, tick: Callable[[int], None],
                   now: Callable[[], datetime], fresh_full: bool, ahead: Ahead | None = None) -> None:
    seen: set[int] = set()
    snapshot = False
    def stored(ids: Sequence[int]) -> dict[int, datetime | None]:
        with store.begin() as conn:
            return ledger.stored_write_dates(conn, ids)

    for page in prefetch(source.invoice_pages(wm, stored)):
        stamp = now()
        with store.begin() as conn:
            new_partners = _store_refs(conn, page)
            counts = ledger.store_invoices(conn, page.invoices, stamp)
            if page.matter_flags:  # after the matters rows exist; a value set on the desk still wins
                matter_service.apply_odoo(conn, {k: matter_service.odoo_values(v)
                                                 for k, v in page.matter_flags.items()})
            report.closed += ledger.close_invoices(conn, page.closed_ids, stamp) + counts.closed
            report.new += counts.new
            report.changed += counts.changed
            ledger.store_skipped(conn, report.run_id, page.skipped)
            _set(conn, source.name, "account.move", page.watermark)
        if ahead is not None:
            ahead.partners(new_partners)
        report.skipped.extend(page.skipped)
        for s in page.skipped:
            log.info("skipped %s %s: %s", s.model, s.record_id, s.reason)
        if fresh_full or page.snapshot:
            seen.update(i.id for i in page.invoices if i.is_open)
        snapshot = snapshot or page.snapshot
        tick(len(page.invoices) + len(page.skipped))
    if fresh_full or snapshot:
        # The open set was read whole: anything still open locally but not in it has left it.
        with store.begin() as conn:
            local_open = [r.id for r in conn.execute(select(invoices.c.id).where(invoices.c.is_open.is_(True)))]
            gone = [i for i in local_open if i not in seen]
            for i in range(0, len(gone), 1000):
                report.closed += ledger.close_invoices(conn, gone[i:i + 1000], now())


def _store_refs(conn: Any, page: Page) -> list[int]:
    """Stubs for the partners and attorneys a page names for the first time; the new partners' ids."""
    new: list[int] = []
    if page.partner_refs:
        ids = list(page.partner_refs)
        known = {r.id for r in conn.execute(select(clients.c.id).where(clients.c.id.in_(ids)))}
        new = [i for i in ids if i not in known]
        ledger.store_partner_stubs(conn, [(i, *page.partner_refs[i]) for i in new])
    if page.attorney_refs:
        ids = list(page.attorney_refs)
        known = {r.id for r in conn.execute(select(attorneys.c.id).where(attorneys.c.id.in_(ids)))}
        ledger.store_attorney_stubs(conn, [(i, n) for i, n in page.attorney_refs.items() if i not in known])
    return new


def _stored_partner_dates(store: Store) -> StoredWriteDates:
    def stored(ids: Sequence[int]) -> dict[int, datetime | None]:
        with store.begin() as conn:
            return ledger.stored_write_dates(conn, ids, clients)

    return stored


def _sync_partners(store: Store, source: Source, report: SyncReport, now: Callable[[], datetime],
                   ahead: Ahead | None = None) -> None:
    """Read stub partners (new) and changed known partners, in batches of ids."""
    with store.begin() as conn:
        wm = _get(conn, source.name, "res.partner")
        stub_q = select(clients.c.id).where(clients.c.stub.is_(True)).order_by(clients.c.id)
        stubs = [r.id for r in conn.execute(stub_q)]
    changed, new_wm = ahead.changed_partners.result() if ahead is not None and ahead.changed_partners is not None \
        else source.changed_partner_ids(wm, _stored_partner_dates(store))
    if changed:
        with store.begin() as conn:
            known: set[int] = set()
            for i in range(0, len(changed), 1000):
                chunk = changed[i:i + 1000]
                known.update(r.id for r in conn.execute(select(clients.c.id).where(clients.c.id.in_(chunk))))
        ids = sorted(set(stubs) | known)
    else:
        ids = stubs
    high = new_wm.watermark
    asked, found, notes = ahead.read_partners() if ahead is not None else (set(), [], [])
    wanted = set(ids)
    found = [p for p in found if p.id in wanted]
    done_ahead = [i for i in ids if i in asked]
    ids = [i for i in ids if i not in asked]
    chunks = [ids[i:i + 1000] for i in range(0, len(ids), 1000)]
    # the next chunk is read from the source while this one is stored
    reads = prefetch((chunk, *source.read_partners(chunk)) for chunk in chunks)
    if done_ahead:
        reads = _chain(_regroup(done_ahead, found, notes), reads)
    for chunk, partners, skipped in reads:
        with store.begin() as conn:
            report.clients += ledger.store_partners(conn, partners, now())
            ledger.store_skipped(conn, report.run_id, skipped)
            for p in partners:
                if p.write_date:
                    high = max(high, p.write_date.strftime("%Y-%m-%d %H:%M:%S"))
            missing = set(chunk) - {p.id for p in partners}
            if missing:  # deleted or archived in Odoo: keep the row, stop retrying it every run
                conn.execute(update(clients).where(and_(clients.c.id.in_(list(missing)), clients.c.stub.is_(True)))
                             .values(stub=False))
            _set(conn, source.name, "res.partner", Watermark(high, 0, "incremental") if not changed
                 else Watermark(max(high, new_wm.watermark), new_wm.last_id, "incremental"))
        report.skipped.extend(skipped)
    if not ids and not done_ahead and new_wm != wm:
        with store.begin() as conn:
            _set(conn, source.name, "res.partner", new_wm)


def _sync_attorneys(store: Store, source: Source, report: SyncReport) -> None:
    with store.begin() as conn:
        ids = [r.id for r in conn.execute(select(attorneys.c.id).order_by(attorneys.c.id))]
    if not ids:
        return
    found, notes = source.read_attorneys(ids)
    with store.begin() as conn:
        report.attorneys = ledger.store_attorneys(conn, found)
        ledger.store_skipped(conn, report.run_id, notes)
    report.skipped.extend(notes)
    for s in notes:
        log.info("attorney %s: %s", s.record_id, s.reason)


def _regroup(ids: list[int], found: list[Partner],
             notes: list[Skipped]) -> list[tuple[list[int], list[Partner], list[Skipped]]]:
    """Partners read ahead, in chunks of 1000 ids as if read now (each chunk one transaction)."""
    by_id = {p.id: p for p in found}
    out = []
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        keys = set(chunk)
        out.append((chunk, [by_id[k] for k in chunk if k in by_id],
                    [n for n in notes if n.record_id in keys]))
    return out


def _chain(first: Sequence[T], rest: Any) -> Any:
    yield from first
    yield from rest


def _sync_payments(store: Store, source: Source, report: SyncReport, now: Callable[[], datetime],
                   ahead: Ahead | None = None) -> None:
    with store.begin() as conn:
        wm = _get(conn, source.name, "account.payment")
    pages = ahead.payments.result() if ahead is not None and ahead.payments is not None else source.payment_pages(wm)
    for page in pages:
        with store.begin() as conn:
            report.payments += ledger.store_payments(conn, page.payments)
            ledger.store_skipped(conn, report.run_id, page.skipped)
            _set(conn, source.name, "account.payment", page.watermark)
        report.skipped.extend(page.skipped)
