"""Negotiation offers' settings: who may grant what, the floors, grace periods and default terms per reason."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from overdue_reminder.config.builder import Ctx, check_currency

OfferKindName = Literal["installments", "settlement", "extension", "combined", "none"]
FrequencyName = Literal["weekly", "biweekly", "monthly"]
OFFER_REASONS = ("financial_hardship", "temporary_emergency", "planning_error", "forgot_admin", "dispute", "other")
OFFER_GRADES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class OfferLimits:
    """What one level of the firm may grant alone; anything beyond goes one level up."""

    max_discount_percent: Decimal = Decimal("5")
    max_installments: int = 6
    max_extension_days: int = 30
    max_term_months: int = 9
    min_down_payment_percent: Decimal = Decimal("10")

    def check_at(self, ctx: Ctx, key: str) -> None:
        if not Decimal(0) <= self.max_discount_percent < Decimal(100):
            ctx.fail(f"{key}.max_discount_percent", "must be at least 0 and below 100.", "use e.g. \"5\".")
        if not Decimal(0) <= self.min_down_payment_percent < Decimal(100):
            ctx.fail(f"{key}.min_down_payment_percent", "must be at least 0 and below 100.", "use e.g. \"10\".")
        for name in ("max_installments", "max_extension_days", "max_term_months"):
            if getattr(self, name) < 1:
                ctx.fail(f"{key}.{name}", "must be 1 or more.", "use a positive whole number.")


@dataclass(frozen=True)
class AttorneyLimits(OfferLimits):
    """Its own defaults, so that a partial [offers.attorney] table keeps the attorney's other limits."""

    max_discount_percent: Decimal = Decimal("15")
    max_installments: int = 12
    max_extension_days: int = 60
    max_term_months: int = 18
    min_down_payment_percent: Decimal = Decimal("5")


@dataclass(frozen=True)
class OfferFloors:
    """Absolute limits nobody at the firm may cross, not even the supervising partner."""

    max_discount_percent: Decimal = Decimal("25")
    min_down_payment_percent: Decimal = Decimal("5")
    longest_term_months: int = 24


@dataclass(frozen=True)
class ReasonTerms:
    """Default terms suggested for one reason the client gave; the client's grade then shapes them."""

    kind: OfferKindName = "none"
    installments: int = 0
    frequency: FrequencyName | Literal[""] = ""  # "": [offers].default_frequency
    down_payment_percent: Decimal = Decimal("0")
    extension_days: int = 0
    discount_percent: Decimal = Decimal("0")  # > 0: a lump-sum settlement is suggested as an alternative


@dataclass(frozen=True)
class HardshipTerms(ReasonTerms):
    kind: OfferKindName = "installments"
    installments: int = 6
    down_payment_percent: Decimal = Decimal("10")
    discount_percent: Decimal = Decimal("5")


@dataclass(frozen=True)
class EmergencyTerms(ReasonTerms):
    kind: OfferKindName = "extension"
    extension_days: int = 30


@dataclass(frozen=True)
class PlanningErrorTerms(ReasonTerms):
    kind: OfferKindName = "installments"
    installments: int = 3
    down_payment_percent: Decimal = Decimal("20")


@dataclass(frozen=True)
class ForgotTerms(ReasonTerms):
    kind: OfferKindName = "extension"
    extension_days: int = 7


@dataclass(frozen=True)
class OfferReasons:
    """One table per reason code; a partial table keeps the shipped defaults for the other keys."""

    financial_hardship: HardshipTerms = field(default_factory=HardshipTerms)
    temporary_emergency: EmergencyTerms = field(default_factory=EmergencyTerms)
    planning_error: PlanningErrorTerms = field(default_factory=PlanningErrorTerms)
    forgot_admin: ForgotTerms = field(default_factory=ForgotTerms)
    dispute: ReasonTerms = field(default_factory=ReasonTerms)
    other: ReasonTerms = field(default_factory=ReasonTerms)

    def terms(self, reason: str) -> ReasonTerms:
        return typing.cast(ReasonTerms, getattr(self, reason))


@dataclass(frozen=True)
class OfferSettings:
    """Negotiation offers: who may grant what, the floors, grace periods and default terms per reason."""

    staff: OfferLimits = field(default_factory=OfferLimits)
    attorney: AttorneyLimits = field(default_factory=AttorneyLimits)
    floors: OfferFloors = field(default_factory=OfferFloors)
    supervising_partner: str = ""
    default_frequency: FrequencyName = "monthly"
    installment_grace_days: int = 5  # business days after an installment's due date
    promise_grace_days: int = 3  # business days after a promised payment date
    down_payment_days: int = 7  # the first payment of a suggested plan falls due this many days out
    settlement_days: int = 14  # a suggested settlement must be paid within this many days
    reminder_reason: str = "financial_hardship"  # assumed for a final-tier offer when the client gave no reason
    min_installment: dict[str, Decimal] = field(default_factory=dict)  # per currency; default one minor unit
    grade_installments_percent: dict[str, int] = field(
        default_factory=lambda: {"A": 100, "B": 100, "C": 67, "D": 50})
    grade_extra_down_payment_percent: dict[str, Decimal] = field(
        default_factory=lambda: {"A": Decimal(0), "B": Decimal(0), "C": Decimal(10), "D": Decimal(20)})
    grade_extension_percent: dict[str, int] = field(default_factory=lambda: {"A": 100, "B": 100, "C": 50, "D": 50})
    grade_discount: dict[str, bool] = field(default_factory=lambda: {"A": True, "B": True, "C": False, "D": False})
    reasons: OfferReasons = field(default_factory=OfferReasons)

    def check(self, ctx: Ctx) -> None:
        self._check_authority(ctx)
        self._check_terms(ctx)
        self._check_reasons(ctx)

    def _check_authority(self, ctx: Ctx) -> None:
        """Staff within the attorney's limits, the attorney within the floors."""
        self.staff.check_at(ctx, "offers.staff")
        self.attorney.check_at(ctx, "offers.attorney")
        f = self.floors
        if not Decimal(0) <= f.max_discount_percent < Decimal(100):
            ctx.fail("offers.floors.max_discount_percent", "must be at least 0 and below 100.", "use e.g. \"25\".")
        if not Decimal(0) <= f.min_down_payment_percent < Decimal(100):
            ctx.fail("offers.floors.min_down_payment_percent", "must be at least 0 and below 100.", "use e.g. \"5\".")
        if f.longest_term_months < 1:
            ctx.fail("offers.floors.longest_term_months", "must be 1 or more.", "use e.g. 24.")
        s, a = self.staff, self.attorney
        for name in ("max_discount_percent", "max_installments", "max_extension_days", "max_term_months"):
            if getattr(s, name) > getattr(a, name):
                ctx.fail(f"offers.staff.{name}", f"staff may not grant more than the attorney "
                         f"(offers.attorney.{name}).", f"lower it to at most {getattr(a, name)} or raise "
                         f"offers.attorney.{name}.")
        if s.min_down_payment_percent < a.min_down_payment_percent:
            ctx.fail("offers.staff.min_down_payment_percent", "staff may not accept a smaller down payment "
                     "than the attorney.", f"raise it to at least {a.min_down_payment_percent}.")
        if a.max_discount_percent > f.max_discount_percent:
            ctx.fail("offers.attorney.max_discount_percent", "is above the floor offers.floors.max_discount_percent.",
                     f"lower it to at most {f.max_discount_percent}.")
        if a.min_down_payment_percent < f.min_down_payment_percent:
            ctx.fail("offers.attorney.min_down_payment_percent", "is below offers.floors.min_down_payment_percent.",
                     f"raise it to at least {f.min_down_payment_percent}.")
        if a.max_term_months > f.longest_term_months:
            ctx.fail("offers.attorney.max_term_months", "is beyond offers.floors.longest_term_months.",
                     f"lower it to at most {f.longest_term_months}.")

    def _check_terms(self, ctx: Ctx) -> None:
        if self.supervising_partner and "@" not in self.supervising_partner:
            ctx.fail("offers.supervising_partner", f"{self.supervising_partner!r} is not an email address.",
                     "write the partner's login email, or leave it empty.")
        if self.reminder_reason not in OFFER_REASONS or self.reminder_reason == "dispute":
            ctx.fail("offers.reminder_reason", f"{self.reminder_reason!r} is not a reason an offer can follow.",
                     "use financial_hardship, temporary_emergency, planning_error, forgot_admin or other.")
        for name in ("installment_grace_days", "promise_grace_days", "down_payment_days", "settlement_days"):
            if getattr(self, name) < 0:
                ctx.fail(f"offers.{name}", "must be 0 or more.", "use a whole number of days.")
        for code, amount in self.min_installment.items():
            check_currency(ctx, f"offers.min_installment.{code}", code)
            if amount <= 0:
                ctx.fail(f"offers.min_installment.{code}", "must be positive.", "write e.g. \"50.00\".")
        for key in ("grade_installments_percent", "grade_extra_down_payment_percent", "grade_extension_percent",
                    "grade_discount"):
            table: dict[str, Any] = getattr(self, key)
            for grade, value in table.items():
                if grade not in OFFER_GRADES:
                    ctx.fail(f"offers.{key}.{grade}", f"unknown grade {grade!r}.", "use A, B, C or D.")
                if not isinstance(value, bool) and not 0 <= value <= 100:
                    ctx.fail(f"offers.{key}.{grade}", "must be a percentage between 0 and 100.", "use e.g. 50.")

    def _check_reasons(self, ctx: Ctx) -> None:
        for reason in OFFER_REASONS:
            t = self.reasons.terms(reason)
            key = f"offers.reasons.{reason}"
            if reason == "dispute" and t.kind != "none":
                ctx.fail(f"{key}.kind", "a disputed bill gets no offer: it goes to the attorney (LAW.md #8).",
                         "set kind = \"none\".")
            if t.kind in ("installments", "combined") and t.installments < 1:
                ctx.fail(f"{key}.installments", f"a {t.kind} offer needs at least one installment.", "use e.g. 3.")
            if t.kind in ("extension", "combined") and t.extension_days < 0:
                ctx.fail(f"{key}.extension_days", "must be 0 or more.", "use e.g. 14.")
            if t.kind == "extension" and t.extension_days < 1:
                ctx.fail(f"{key}.extension_days", "an extension needs at least one day.", "use e.g. 14.")
            if t.kind == "settlement" and t.discount_percent <= 0:
                ctx.fail(f"{key}.discount_percent", "a settlement needs a discount.", "use e.g. \"5\".")
            if not Decimal(0) <= t.down_payment_percent < Decimal(100):
                ctx.fail(f"{key}.down_payment_percent", "must be at least 0 and below 100.", "use e.g. \"10\".")
            if not Decimal(0) <= t.discount_percent < Decimal(100):
                ctx.fail(f"{key}.discount_percent", "must be at least 0 and below 100.", "use e.g. \"5\".")
