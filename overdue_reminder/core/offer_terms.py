"""An offer's terms as data: installment plans, settlements, extensions, combinations; what authority
is judged on (`measures`); and the JSON the store keeps (`to_json` / `from_json`).

Pure and frozen: core/offers.py builds, suggests and authorizes them, core/offer_text.py words them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from overdue_reminder.config import OFFER_REASONS
from overdue_reminder.errors import PolicyError
from overdue_reminder.money import ZERO


class OfferError(PolicyError):
    """Terms that cannot be built (nothing owed, too many installments for the balance, a date in the past)."""


class Frequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class Reason(StrEnum):
    """What the client said when staff asked why the payment is late (the contact log's codes)."""

    FINANCIAL_HARDSHIP = "financial_hardship"
    TEMPORARY_EMERGENCY = "temporary_emergency"
    PLANNING_ERROR = "planning_error"
    FORGOT_ADMIN = "forgot_admin"
    DISPUTE = "dispute"
    OTHER = "other"


assert tuple(r.value for r in Reason) == OFFER_REASONS

GRADES = ("A", "B", "C", "D")
PaymentLabel = Literal["down_payment", "installment", "lump_sum"]
Level = Literal["staff", "attorney", "partner", "refused"]


# ---------------------------------------------------------------- terms
@dataclass(frozen=True, slots=True)
class Installment:
    """One scheduled payment; seq 0 is the down payment, a lump sum is seq 1."""

    seq: int
    due: date
    amount: Decimal
    label: PaymentLabel = "installment"


@dataclass(frozen=True, slots=True)
class InstallmentPlan:
    """Down payment on `down_payment_due`, then `number` installments from `first_date`.

    `installments` holds the regular installments only; `schedule` adds the down payment.
    Interest or security make it a new agreement that needs the attorney's written terms (LAW.md #7).
    """

    currency: str
    balance: Decimal
    offered_on: date
    down_payment: Decimal
    down_payment_due: date | None
    number: int
    frequency: Frequency
    first_date: date
    installments: tuple[Installment, ...]
    interest_percent: Decimal = ZERO
    interest_amount: Decimal = ZERO
    security: str = ""
    kind: Literal["installments"] = "installments"

    @property
    def total_payable(self) -> Decimal:
        return self.balance + self.interest_amount

    @property
    def schedule(self) -> tuple[Installment, ...]:
        if self.down_payment > 0 and self.down_payment_due is not None:
            return (Installment(0, self.down_payment_due, self.down_payment, "down_payment"), *self.installments)
        return self.installments

    @property
    def last_due(self) -> date:
        return self.installments[-1].due


@dataclass(frozen=True, slots=True)
class Settlement:
    """The balance less a discount, if the reduced amount is paid in full by `pay_by`."""

    currency: str
    balance: Decimal
    offered_on: date
    discount_percent: Decimal
    discount_amount: Decimal
    amount: Decimal
    pay_by: date
    kind: Literal["settlement"] = "settlement"

    @property
    def total_payable(self) -> Decimal:
        return self.amount

    @property
    def schedule(self) -> tuple[Installment, ...]:
        return (Installment(1, self.pay_by, self.amount, "lump_sum"),)

    @property
    def last_due(self) -> date:
        return self.pay_by


@dataclass(frozen=True, slots=True)
class Extension:
    """The whole balance falls due on `new_due` instead; `days` is what was granted (before rolling)."""

    currency: str
    balance: Decimal
    offered_on: date
    days: int
    new_due: date
    kind: Literal["extension"] = "extension"

    @property
    def total_payable(self) -> Decimal:
        return self.balance

    @property
    def schedule(self) -> tuple[Installment, ...]:
        return (Installment(1, self.new_due, self.balance, "lump_sum"),)

    @property
    def last_due(self) -> date:
        return self.new_due


@dataclass(frozen=True, slots=True)
class Combined:
    """Two or three of: a discount, a deferred start (extension), a plan over what remains."""

    currency: str
    balance: Decimal
    offered_on: date
    settlement: Settlement | None = None
    extension: Extension | None = None
    plan: InstallmentPlan | None = None
    kind: Literal["combined"] = "combined"

    @property
    def total_payable(self) -> Decimal:
        if self.plan is not None:
            return self.plan.total_payable
        if self.settlement is not None:
            return self.settlement.amount
        return self.balance

    @property
    def schedule(self) -> tuple[Installment, ...]:
        if self.plan is not None:
            return self.plan.schedule
        if self.settlement is not None:
            return self.settlement.schedule
        assert self.extension is not None
        return self.extension.schedule

    @property
    def last_due(self) -> date:
        return self.schedule[-1].due


Offer = InstallmentPlan | Settlement | Extension | Combined


# ---------------------------------------------------------------- reading the terms
@dataclass(frozen=True, slots=True)
class Measures:
    """What authority is judged on, whatever the kind of offer."""

    discount_percent: Decimal
    installments: int
    extension_days: int
    down_payment: Decimal
    plan_base: Decimal  # what the down payment is a share of
    last_due: date
    interest_percent: Decimal
    security: str


def measures(offer: Offer) -> Measures:
    plan: InstallmentPlan | None = None
    disc, ext_days = ZERO, 0
    if isinstance(offer, InstallmentPlan):
        plan = offer
    elif isinstance(offer, Settlement):
        disc = offer.discount_percent
    elif isinstance(offer, Extension):
        ext_days = offer.days
    else:
        plan = offer.plan
        disc = offer.settlement.discount_percent if offer.settlement else ZERO
        ext_days = offer.extension.days if offer.extension else 0
    return Measures(discount_percent=disc, installments=plan.number if plan else 0, extension_days=ext_days,
                    down_payment=plan.down_payment if plan else ZERO, plan_base=plan.balance if plan else ZERO,
                    last_due=offer.last_due, interest_percent=plan.interest_percent if plan else ZERO,
                    security=plan.security if plan else "")


# ---------------------------------------------------------------- (de)serialising terms
def _d(v: date | None) -> str | None:
    return v.isoformat() if v is not None else None


def _inst_json(i: Installment) -> dict[str, Any]:
    return {"seq": i.seq, "due": i.due.isoformat(), "amount": str(i.amount), "label": i.label}


def _inst(d: Mapping[str, Any]) -> Installment:
    return Installment(int(d["seq"]), date.fromisoformat(d["due"]), Decimal(d["amount"]), d.get("label", "installment"))


def to_json(offer: Offer) -> dict[str, Any]:
    """The terms as JSON-safe values (amounts as strings): what the store keeps in `offers.terms`."""
    base: dict[str, Any] = {"kind": offer.kind, "currency": offer.currency, "balance": str(offer.balance),
                            "offered_on": offer.offered_on.isoformat()}
    if isinstance(offer, InstallmentPlan):
        base.update(down_payment=str(offer.down_payment), down_payment_due=_d(offer.down_payment_due),
                    number=offer.number, frequency=offer.frequency.value, first_date=offer.first_date.isoformat(),
                    installments=[_inst_json(i) for i in offer.installments],
                    interest_percent=str(offer.interest_percent), interest_amount=str(offer.interest_amount),
                    security=offer.security)
    elif isinstance(offer, Settlement):
        base.update(discount_percent=str(offer.discount_percent), discount_amount=str(offer.discount_amount),
                    amount=str(offer.amount), pay_by=offer.pay_by.isoformat())
    elif isinstance(offer, Extension):
        base.update(days=offer.days, new_due=offer.new_due.isoformat())
    else:
        base.update(settlement=to_json(offer.settlement) if offer.settlement else None,
                    extension=to_json(offer.extension) if offer.extension else None,
                    plan=to_json(offer.plan) if offer.plan else None)
    return base


def from_json(data: Mapping[str, Any]) -> Offer:
    kind, cur = data["kind"], data["currency"]
    bal, on = Decimal(data["balance"]), date.fromisoformat(data["offered_on"])
    if kind == "installments":
        due = data.get("down_payment_due")
        return InstallmentPlan(currency=cur, balance=bal, offered_on=on, down_payment=Decimal(data["down_payment"]),
                               down_payment_due=date.fromisoformat(due) if due else None, number=int(data["number"]),
                               frequency=Frequency(data["frequency"]),
                               first_date=date.fromisoformat(data["first_date"]),
                               installments=tuple(_inst(i) for i in data["installments"]),
                               interest_percent=Decimal(data.get("interest_percent", "0")),
                               interest_amount=Decimal(data.get("interest_amount", "0")),
                               security=data.get("security", ""))
    if kind == "settlement":
        return Settlement(currency=cur, balance=bal, offered_on=on, discount_percent=Decimal(data["discount_percent"]),
                          discount_amount=Decimal(data["discount_amount"]), amount=Decimal(data["amount"]),
                          pay_by=date.fromisoformat(data["pay_by"]))
    if kind == "extension":
        return Extension(currency=cur, balance=bal, offered_on=on, days=int(data["days"]),
                         new_due=date.fromisoformat(data["new_due"]))
    if kind == "combined":
        parts = {k: from_json(data[k]) if data.get(k) else None for k in ("settlement", "extension", "plan")}
        return Combined(currency=cur, balance=bal, offered_on=on, settlement=parts["settlement"],  # type: ignore[arg-type]
                        extension=parts["extension"], plan=parts["plan"])  # type: ignore[arg-type]
    raise OfferError(f"unknown offer kind {kind!r} in the store.")
