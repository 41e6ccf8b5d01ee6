"""A seeded, realistic law firm in a SandboxDB: attorneys, clients, matters, invoices, payments, trust.

Deterministic for a given (seed, today, sizes): one `random.Random(seed)` drives everything and
all timestamps derive from `today`, never from the wall clock. Realistic on purpose where a
collections tool goes wrong: child billing contacts, three currencies, Chinese clients, every
aging bucket, partial and in-payment states, credit notes, unreconciled payments, vendor bills
and trust entries mixed into account.move, a cron that rewrote thousands of invoices in one second,
a privileged `narration` on every invoice, and a set of deliberately broken records (`bad`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .builder import Builder, Client, office_time
from .constants import (
    ACCOUNT_IDS,
    ADMIN_UID,
    ATTORNEY_PASSWORD,
    ATTORNEYS,
    CLERK_LOGIN,
    CLERK_PASSWORD,
    CLERK_UID,
    COMPANY_PARTNER_ID,
    COUNTRY_IDS,
    CURRENCY_IDS,
    SANDBOX_DB,
    SANDBOX_LOGIN,
    SANDBOX_PASSWORD,
    TRUST_ACCOUNT_CODE,
)
from .edge_cases import add_edge_cases
from .store import CENT, SandboxDB

__all__ = [
    "ACCOUNT_IDS", "ADMIN_UID", "ATTORNEY_PASSWORD", "CLERK_LOGIN", "CLERK_PASSWORD", "CLERK_UID", "COUNTRY_IDS",
    "CURRENCY_IDS", "SANDBOX_DB", "SANDBOX_LOGIN", "SANDBOX_PASSWORD", "TRUST_ACCOUNT_CODE", "FirmSummary",
    "generate_firm",
]


@dataclass(frozen=True)
class FirmSummary:
    """What was generated, with the ids tests need (examples, deliberately bad records)."""

    seed: int
    today: date
    db_name: str
    admin_uid: int
    clerk_uid: int
    attorney_uids: tuple[int, ...]
    company_partner_id: int
    client_ids: tuple[int, ...]
    contact_ids: tuple[int, ...]
    invoices: int
    credit_notes: int
    vendor_bills: int
    trust_entries: int
    moves: int
    payments: int
    trust_account_id: int
    batch_write_date: datetime
    currency_ids: Mapping[str, int] = field(default_factory=lambda: dict(CURRENCY_IDS))
    bad: Mapping[str, int] = field(default_factory=dict)
    examples: Mapping[str, int] = field(default_factory=dict)


def generate_firm(db: SandboxDB, *, clients: int, invoices: int, seed: int = 7, today: date) -> FirmSummary:
    """Fill an empty SandboxDB with a law firm; same arguments, same data (ids, names, amounts, dates)."""
    with db.lock:
        if db.table("res.partner").rows:
            raise ValueError("generate_firm needs an empty SandboxDB")
        db.clock.set(datetime.combine(today, time(9)))
        b = Builder(db, seed, today)
        b.base()
        rng = b.rng
        roster = [b.client(i + 1) for i in range(clients)]
        specs: list[dict[str, Any]] = []
        if roster:
            weights = [c.weight for c in roster]
            for client in rng.choices(roster, weights=weights, k=invoices):
                specs.append(b.invoice_spec(client))
            open_posted = [s for s in specs if s.get("payment_state") == "not_paid" and s["state"] == "posted"]
            paid = [s for s in specs if s.get("payment_state") == "paid"]
            for inv in rng.sample(open_posted, k=min(len(open_posted), invoices * 15 // 1000)):
                inv.update(payment_state="reversed", amount_residual=Decimal("0.00"))
                specs.append(b.refund_spec(inv, reverse=True))
            for inv in rng.sample(paid, k=min(len(paid), invoices // 100)):
                specs.append(b.refund_spec(inv, reverse=False))
            for _ in range(max(1, invoices // 200)):
                specs.append(b.vendor_bill_spec())
            for client in rng.sample(roster, k=max(1, len(roster) * 8 // 100)):
                when = today - timedelta(days=rng.randrange(10, 700))
                deposit = Decimal(rng.randrange(20, 500)) * 100
                specs.append(b.trust_spec(client, deposit=True, amount=deposit, when=when))
                if rng.random() < 0.4:
                    drawn = (deposit * Decimal(rng.randrange(10, 90)) / 100).quantize(CENT)
                    specs.append(b.trust_spec(client, deposit=False, amount=drawn,
                                              when=min(today, when + timedelta(days=rng.randrange(1, 200)))))
        b.materialise(specs)
        bad, examples = add_edge_cases(b)
        db.insert("res.partner", b.partners)
        b.payments.extend(_unreconciled_payments(b, roster))
        stale = "ref" if db.major >= 18 else "memo"  # account.payment.ref became memo in Odoo 18
        for payment in b.payments:
            del payment[stale]
        db.insert("account.payment", b.payments)
        db.insert("account.move.line", b.lines)
        db.sequences.update(b.sequences)
        db.meta["narrations"] = b.narrations
        client_ids = tuple(c.pid for c in roster) + tuple(v for k, v in bad.items() if k.startswith("client_"))
        summary = FirmSummary(
            seed=seed, today=today, db_name=db.name, admin_uid=ADMIN_UID, clerk_uid=CLERK_UID,
            attorney_uids=tuple(a[0] for a in ATTORNEYS), company_partner_id=COMPANY_PARTNER_ID,
            client_ids=client_ids + tuple(v for k, v in examples.items() if k.endswith("_client")),
            contact_ids=tuple(c.billing_contact for c in roster if c.billing_contact)
            + ((examples["child_contact"],) if "child_contact" in examples else ()),
            invoices=sum(1 for s in specs if s["kind"] == "invoice"),
            credit_notes=sum(1 for s in specs if s["kind"] == "refund"),
            vendor_bills=sum(1 for s in specs if s["kind"] == "bill"),
            trust_entries=sum(1 for s in specs if s["kind"] == "trust"),
            moves=len(db.table("account.move").rows), payments=len(db.table("account.payment").rows),
            trust_account_id=ACCOUNT_IDS["trust"], batch_write_date=b.batch_write_date,
            bad=bad, examples=examples,
        )
        return summary


def _unreconciled_payments(b: Builder, roster: list[Client]) -> list[dict[str, Any]]:
    rng = b.rng
    out = []
    for client in rng.sample(roster, k=len(roster) * 3 // 100) if roster else []:
        when = b.today - timedelta(days=rng.randrange(1, 120))
        currency = CURRENCY_IDS[client.currency]
        amount = (Decimal(rng.randrange(50000, 2000000)) / 100).quantize(CENT)
        stamp = b.clamp(office_time(when, rng.randrange(36000)))
        memo = "Wire transfer - no remittance advice"
        out.append({
            "name": f"PBNK1/{when.year}/{b.seq(f'PBNK1/{when.year}'):05d}", "partner_id": client.pid, "amount": amount,
            "currency_id": currency, "date": when, "state": "posted", "payment_type": "inbound",
            "partner_type": "customer", "is_reconciled": False, "is_matched": True, "reconciled_invoice_ids": [],
            "ref": memo, "memo": memo, "create_date": stamp, "write_date": stamp,
        })
    return out
