"""Planning from the store (SQLite and PostgreSQL): rows in, actions and skips out; the holds service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from actors import partner, staff
from sqlalchemy import insert, select, update

from overdue_reminder import config
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.model import Attorney, Invoice, InvoiceKind, Partner, Payment, TrustBalance
from overdue_reminder.services import holds
from overdue_reminder.services.planning import load_snapshot, plan_from_store, resolve_client
from overdue_reminder.store import Store, ledger, schema
from overdue_reminder.store.schema import audit, contacts, matters, reminders

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


def _inv(id: int, client: int, due_days: int, amount: str, currency: str = "USD", matter: str = "M-1",
         credit: bool = False, contact: int | None = None, is_open: bool = True) -> Invoice:
    return Invoice(id, f"INV/2026/{id:04d}", InvoiceKind.CREDIT_NOTE if credit else InvoiceKind.INVOICE, client,
                   contact or client, 9, matter, currency, Decimal(amount), Decimal(amount),
                   TODAY - timedelta(days=due_days + 30), TODAY - timedelta(days=due_days),
                   "not_paid" if is_open else "paid", is_open)


def _reminder(client: int, tier: str, index: int, days_ago: int, invoice_ids: list[int], status: str = "sent",
              key: str = "") -> dict[str, object]:
    on = TODAY - timedelta(days=days_ago)
    return {"client_id": client, "tier": tier, "tier_index": index, "matter_ref": "", "channel": "email",
            "run_date": on, "invoice_ids": invoice_ids, "totals": {}, "status": status,
            "idempotency_key": key or f"k-{client}-{tier}-{days_ago}", "message_id": f"<{client}{tier}@x>",
            "created_at": NOW - timedelta(days=days_ago),
            "sent_at": datetime(on.year, on.month, on.day, 14, tzinfo=UTC) if status == "sent" else None}


@pytest.fixture
def firm(store: Store) -> Store:
    t0 = NOW - timedelta(days=200)
    with store.begin() as conn:
        ledger.store_partners(conn, [
            Partner(1, "Acme Corp", 1, "ap@acme.example", is_company=True),
            Partner(11, "Acme Billing", 1, "billing@acme.example", lang="en_US"),
            Partner(2, "Jane Doe", 2, "jane.doe@megacorp.com", lang="en_US"),
            Partner(3, "Bankrupt Co", 3, "cfo@bankrupt.example", is_company=True),
            Partner(4, "Paid Up Ltd", 4, "ap@paidup.example", is_company=True),
            Partner(5, "Dispute LLC", 5, "ap@dispute.example", is_company=True),
        ], NOW)
        ledger.store_attorneys(conn, [Attorney(9, "Jane Roe", "jroe", "jroe@firm.example")])
        # Jane Doe's paid history: seen open 200 days ago, paid (closed) 100 days ago, 70 days late.
        ledger.store_invoices(conn, [_inv(202, 2, 170, "400")], t0)
        ledger.store_invoices(conn, [_inv(202, 2, 170, "400", is_open=False)], NOW - timedelta(days=100))
        ledger.store_invoices(conn, [
            _inv(101, 1, 47, "1000.00", contact=11), _inv(102, 1, 35, "500.00", "EUR", contact=11),
            _inv(103, 1, 5, "100.00", credit=True), _inv(201, 2, 10, "300.00"), _inv(301, 3, 100, "900.00"),
            _inv(401, 4, 40, "100.00"), _inv(501, 5, 40, "700.00"), _inv(502, 5, 12, "50.00"),
        ], NOW)
        ledger.store_payments(conn, [Payment(71, 4, Decimal("100.00"), "USD", TODAY, False)])
        ledger.replace_trust_balances(conn, [TrustBalance(1, "USD", Decimal("2500.00"))], NOW)
        conn.execute(update(matters).where(matters.c.client_id == 1).values(before_court=True))
        conn.execute(insert(reminders), [_reminder(1, "friendly", 1, 27, [101]),
                                         _reminder(1, "courtesy", 0, 60, [101], key="old"),
                                         _reminder(2, "friendly", 1, 3, [201], status="cancelled")])
        conn.execute(insert(contacts).values(client_id=2, at=NOW - timedelta(days=20), by="bob", reason="promise",
                                             promise_date=TODAY - timedelta(days=15), promise_status="broken"))
    holds.add_hold(store, client_id=3, kind="bankruptcy", reason="Chapter 7 filed", by="alice", now=NOW)
    h = holds.add_hold(store, client_id=2, kind="pause", reason="on holiday", by="alice", now=NOW)
    holds.remove_hold(store, h.id, by="alice", reason="back", now=NOW)
    # Another service's hold row, read generically (a promise to pay on one invoice).
    with store.begin() as conn:
        conn.execute(insert(schema.holds).values(client_id=5, invoice_id=501, kind="promise_to_pay",
                                                 reason="pays on the 5th", created_by="bob", created_at=NOW,
                                                 until=TODAY + timedelta(days=7), source_ref="contact:7"))
    return store


def test_plan_from_the_store(firm: Store) -> None:
    settings = config.parse("")
    p = plan_from_store(firm, settings, TODAY)
    acts = {a.client_name: a for a in p.actions}
    skips = {s.client_name: s for s in p.skipped}
    assert set(acts) == {"Acme Corp", "Jane Doe", "Dispute LLC"}
    assert set(skips) == {"Bankrupt Co", "Paid Up Ltd"}

    acme = acts["Acme Corp"]
    assert acme.tier == "firm" and acme.last_tier == "friendly"
    assert acme.reasons[0].startswith("INV/2026/0101 is 47 days past due (due 2026-10-12); 'friendly' was sent "
                                      "2026-11-01, 27 days ago; next tier 'firm' starts at 30 days")
    assert acme.totals == {"USD": Decimal("900.00"), "EUR": Decimal("500.00")}
    assert acme.credits == {"USD": Decimal("100.00")}
    assert acme.to_email == "billing@acme.example" and acme.contact_id == 11
    assert "trust balance 2,500.00 USD held: attorney decides; never applied automatically" in acme.staff_notes
    assert acme.before_court == ("M-1",)

    jane = acts["Jane Doe"]
    assert jane.tier == "friendly"  # the cancelled reminder does not count; the removed pause is gone
    assert jane.client_kind == "consumer" and any("employer's domain" in n for n in jane.staff_notes)
    assert jane.grade == "D"  # 70 days late on the one paid invoice, one broken promise

    dispute = acts["Dispute LLC"]
    assert dispute.invoice_ids == (502,) and "promise to pay until 2026-12-05" in dispute.why

    assert skips["Bankrupt Co"].kind == "hold" and "automatic stay" in skips["Bankrupt Co"].reason
    assert skips["Paid Up Ltd"].kind == "covered"


def test_plan_for_one_client_and_snapshot_contents(firm: Store) -> None:
    settings = config.parse("")
    ref = resolve_client(firm, "acme")
    p = plan_from_store(firm, settings, TODAY, [ref.id])
    assert [a.client_id for a in p.actions] == [1] and p.skipped == ()
    with firm.begin() as conn:
        snap = load_snapshot(conn, settings, TODAY)
    assert {c.client_id: c.tier for c in snap.contacts} == {1: "friendly"}  # the latest that counts
    assert [h.kind for h in snap.holds] == ["bankruptcy", "promise_to_pay"]
    assert [(r.due_date, r.paid_date) for r in snap.history[2]] == [
        (TODAY - timedelta(days=170), (NOW - timedelta(days=100)).date())]
    assert len(snap.broken_promises[2]) == 1
    assert all(isinstance(i.amount_residual, Decimal) for i in snap.invoices)


def test_reminder_reset_after_everything_reminded_is_paid(firm: Store) -> None:
    with firm.begin() as conn:
        ledger.close_invoices(conn, [101, 102], NOW)
        ledger.store_invoices(conn, [_inv(104, 1, 9, "500.00")], NOW)
    a = next(a for a in plan_from_store(firm, config.parse(""), TODAY).actions if a.client_id == 1)
    assert a.tier == "friendly" and "tiers start again" in a.why
    # The 7-day gap still holds right after a contact (a courtesy draft two days ago).
    with firm.begin() as conn:
        conn.execute(insert(reminders), [_reminder(1, "courtesy", 0, 2, [104], status="draft", key="d")])
    s = next(s for s in plan_from_store(firm, config.parse(""), TODAY).skipped if s.client_id == 1)
    assert s.kind == "too_soon"


def test_holds_service_lifecycle_and_audit(firm: Store) -> None:
    h = holds.add_hold(firm, client_id=1, kind="dispute", reason="contests October", by="carol",
                       until=TODAY + timedelta(days=10), now=NOW)
    assert h.id and h.created_by == "carol" and h.until == TODAY + timedelta(days=10)
    active = {x.id for x in holds.list_holds(firm, TODAY)}
    assert h.id in active
    assert h.id not in {x.id for x in holds.list_holds(firm, TODAY + timedelta(days=11))}  # ended
    s = next(s for s in plan_from_store(firm, config.parse(""), TODAY).skipped if s.client_id == 1)
    assert s.kind == "hold" and "Jane Roe" in s.reason and s.hold_ids == (h.id,)
    removed = holds.remove_hold(firm, h.id, by="dave", reason="resolved", now=NOW)
    assert removed.removed_by == "dave" and removed.removed_at is not None
    assert h.id not in {x.id for x in holds.list_holds(firm, TODAY)}
    assert h.id in {x.id for x in holds.list_holds(firm, TODAY, include_inactive=True)}
    with firm.begin() as conn:
        rows = conn.execute(select(audit.c.action, audit.c.actor).where(audit.c.object_id == str(h.id))
                            .where(audit.c.object_type == "hold")).all()
    assert sorted(tuple(r) for r in rows) == [("hold.add", "carol"), ("hold.remove", "dave")]
    with pytest.raises(UsageError, match="already removed"):
        holds.remove_hold(firm, h.id, by="dave", now=NOW)


def test_only_a_proven_attorney_ends_a_bankruptcy_or_other_counsel_hold(firm: Store) -> None:
    """They end by a court or a lawyer: a clerk (proven or not) may place them, never lift them or give an end."""
    for kind in ("bankruptcy", "other_counsel"):
        with pytest.raises(PolicyError, match="only an attorney or the supervising partner"):
            holds.add_hold(firm, client_id=4, kind=kind, reason="notice received", by=staff("erin"),
                           until=TODAY + timedelta(days=30), now=NOW)
        h = holds.add_hold(firm, client_id=4, kind=kind, reason="notice received", by="erin", now=NOW)
        for who in ("erin", staff("erin"), Actor("mlopez", Role.ATTORNEY)):  # a name; staff; an attorney unproven
            with pytest.raises(PolicyError, match="only an attorney or the supervising partner"):
                holds.remove_hold(firm, h.id, by=who, reason="discharged", now=NOW)
        assert h.id in {x.id for x in holds.list_holds(firm, TODAY)}
        done = holds.remove_hold(firm, h.id, by=Actor("mlopez", Role.ATTORNEY, "os-user:test", 700),
                                 reason="discharge order entered", now=NOW)
        assert done.removed_by == "mlopez" and h.id not in {x.id for x in holds.list_holds(firm, TODAY)}
    lifted = holds.add_hold(firm, client_id=4, kind="bankruptcy", reason="petition", by="erin", now=NOW)
    assert holds.remove_hold(firm, lifted.id, by=partner("pat"), reason="stay lifted", now=NOW).removed_by == "pat"


def test_holds_service_refuses_bad_input_and_dry_run_writes_nothing(firm: Store) -> None:
    bad = [dict(kind="vacation"), dict(reason=" "), dict(until=TODAY - timedelta(days=1)),
           dict(invoice_id=301), dict(kind="bankruptcy", invoice_id=101), dict(client_id=11)]
    for change in bad:
        kw: dict[str, object] = {"client_id": 1, "kind": "pause", "reason": "x", "by": "eve", "now": NOW, **change}
        with pytest.raises(UsageError):
            holds.add_hold(firm, **kw)  # type: ignore[arg-type]
    before = len(holds.list_holds(firm, TODAY, include_inactive=True))
    h = holds.add_hold(firm, client_id=1, kind="pause", reason="x", by="eve", now=NOW, dry_run=True)
    assert h.id == 0 and h.kind == "pause"
    assert len(holds.list_holds(firm, TODAY, include_inactive=True)) == before


def test_a_letter_awaiting_the_attorney_counts_as_a_contact(firm: Store) -> None:
    with firm.begin() as conn:
        conn.execute(insert(schema.letters).values(
            client_id=1, tier="final", run_date=TODAY - timedelta(days=2), invoice_ids=[101], path="x.docx",
            sha256="0" * 64, status="awaiting_review", idempotency_key="letter-1", created_at=NOW))
    p = plan_from_store(firm, config.parse(""), TODAY, [1], explain_all=True)
    assert p.actions == ()
    assert [(s.kind, "'final' was queued" in s.reason) for s in p.skipped] == [("waiting", True)]
