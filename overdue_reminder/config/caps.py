"""`[interest]` and `[fees]`: the most interest and late fees the desk will ever state, with a lower default for
individuals (consumers) than for companies.

Interest and fees need engagement terms agreeing them in advance (LAW.md #6); even then a rate of 48% a year
plus 500 per invoice is no term a court or a fee-arbitration panel would uphold against an individual. The
defaults are conservative (counsel confirms them per jurisdiction): 9% a year for individuals (New York's
statutory rate, CPLR 5004), 16% for companies (New York's civil usury ceiling), and a late fee only in a
currency the firm gave a cap for. `config check` refuses any configured rate or fee above its cap; the planner
never computes more; the exit refuses a text that states more (core/interest.py, core/clearance.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from overdue_reminder.config.builder import Ctx, check_currency


@dataclass(frozen=True)
class InterestSettings:
    annual_rate_cap: Decimal = Decimal(16)  # percent a year, simple, for companies
    annual_rate_cap_individual: Decimal = Decimal(9)  # percent a year, simple, for individuals (consumers)

    def check(self, ctx: Ctx) -> None:
        for key in ("annual_rate_cap", "annual_rate_cap_individual"):
            if not Decimal(0) <= getattr(self, key) <= Decimal(100):
                ctx.fail(f"interest.{key}", f"{getattr(self, key)} is not a yearly percent between 0 and 100.",
                         "use e.g. \"9\" (counsel confirms the rate the firm's jurisdictions allow).")
        if self.annual_rate_cap_individual > self.annual_rate_cap:
            ctx.fail("interest.annual_rate_cap_individual",
                     f"the cap for individuals ({self.annual_rate_cap_individual}) is above the cap for companies "
                     f"({self.annual_rate_cap}).", "an individual's cap is at most the companies' cap; lower it.")


def _default_fee_cap() -> dict[str, Decimal]:
    return {"USD": Decimal("50.00")}


def _default_fee_cap_individual() -> dict[str, Decimal]:
    return {"USD": Decimal("25.00")}


@dataclass(frozen=True)
class FeesSettings:
    per_invoice_cap: dict[str, Decimal] = field(default_factory=_default_fee_cap)  # companies, per currency
    per_invoice_cap_individual: dict[str, Decimal] = field(default_factory=_default_fee_cap_individual)

    def check(self, ctx: Ctx) -> None:
        for table in ("per_invoice_cap", "per_invoice_cap_individual"):
            for code, amount in getattr(self, table).items():
                check_currency(ctx, f"fees.{table}.{code}", code)
                if amount < 0:
                    ctx.fail(f"fees.{table}.{code}", "must be 0 or more.", "use e.g. \"25.00\".")
        for code, amount in self.per_invoice_cap_individual.items():
            company = self.per_invoice_cap.get(code)
            if company is not None and amount > company:
                ctx.fail(f"fees.per_invoice_cap_individual.{code}", f"the cap for individuals ({amount} {code}) is "
                         f"above the cap for companies ({company} {code}).", "lower it to at most the companies' cap.")

    def cap(self, currency: str, individual: bool) -> Decimal:
        """The most one invoice may carry as a late fee in `currency`; 0 where the firm set no cap."""
        table = self.per_invoice_cap_individual if individual else self.per_invoice_cap
        return table.get(currency, Decimal(0))


def check_terms(settings: Any, ctx: Ctx) -> None:
    """The configured rates and fees against the caps: every `[policy]` and `[[policy.clients]]` value that could
    be charged must be within the cap for whom it applies to (a client of unknown kind: the companies' cap; the
    planner applies the individuals' cap when Odoo says the client is a person)."""
    caps: InterestSettings = settings.interest
    fees: FeesSettings = settings.fees
    pol = settings.policy
    if pol.interest_rate > caps.annual_rate_cap:
        ctx.fail("policy.interest_rate", f"{pol.interest_rate}% a year is above interest.annual_rate_cap "
                 f"({caps.annual_rate_cap}%).", "lower the rate, or raise the cap only as counsel confirms.")
    _fees_within(ctx, "policy.late_fee", pol.late_fee, fees, individual=False)
    for i, c in enumerate(pol.clients):
        individual = c.kind == "consumer"
        cap = caps.annual_rate_cap_individual if individual else caps.annual_rate_cap
        which = "interest.annual_rate_cap_individual" if individual else "interest.annual_rate_cap"
        if c.interest_rate is not None and c.interest_rate > cap:
            ctx.fail(f"policy.clients[{i}].interest_rate", f"{c.interest_rate}% a year is above {which} ({cap}%).",
                     "lower the rate, or raise the cap only as counsel confirms.")
        _fees_within(ctx, f"policy.clients[{i}].late_fee", c.late_fee, fees, individual=individual)


def _fees_within(ctx: Ctx, key: str, late_fee: dict[str, Decimal], fees: FeesSettings, *, individual: bool) -> None:
    table = "fees.per_invoice_cap_individual" if individual else "fees.per_invoice_cap"
    for code, amount in late_fee.items():
        cap = fees.cap(code, individual)
        if amount > cap:
            why = f"above {table}.{code} ({cap} {code})" if cap else f"not capped: {table} has no {code} entry"
            ctx.fail(f"{key}.{code}", f"a late fee of {amount} {code} per invoice is {why}.",
                     f"lower the fee, or set {table}.{code} as counsel confirms.")


__all__ = ["FeesSettings", "InterestSettings", "check_terms"]
