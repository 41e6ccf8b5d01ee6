"""Interest and fees within their caps: the arithmetic (hypothesis), `config check` refusing rates and fees above
the caps (exit 2 naming file, key and fix), the planner charging within them and the exit refusing more."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overdue_reminder import config
from overdue_reminder.config import ClientOverride, PolicySettings
from overdue_reminder.core.clearance import SYSTEM, Exit, Facts, Item, Wording, clear
from overdue_reminder.core.interest import NO_CAPS, Caps, CapTable, Charge, ceiling, charge, line_interest
from overdue_reminder.core.policy import LedgerSnapshot, MatterFlags, plan
from overdue_reminder.errors import EXIT_CONFIG, ConfigError
from overdue_reminder.model import Invoice, InvoiceKind, Partner
from overdue_reminder.money import quantize

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2)
rates = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=3)
days = st.integers(-30, 3000)
CURRENCIES = ["USD", "EUR", "JPY", "KWD"]


@st.composite
def charges(draw: st.DrawFn) -> list[Charge]:
    return [Charge(draw(st.sampled_from(CURRENCIES)), draw(money), draw(days), draw(st.booleans()),
                   draw(st.none() | rates), draw(st.none() | rates))
            for _ in range(draw(st.integers(0, 6)))]


@st.composite
def caps(draw: st.DrawFn) -> Caps:
    return Caps(draw(rates), {c: draw(money) for c in draw(st.sets(st.sampled_from(CURRENCIES)))})


@given(residual=money, d=days, rate=rates, cap=st.none() | rates)
def test_line_interest_is_exact_simple_interest_within_the_matters_cap(residual: Decimal, d: int, rate: Decimal,
                                                                       cap: Decimal | None) -> None:
    got = line_interest(residual, d, rate, cap)
    assert isinstance(got, Decimal) and got >= 0
    if d <= 0:
        assert got == 0
        return
    simple = residual * rate * d / Decimal(36500)
    assert got == (simple if cap is None else min(simple, residual * cap / 100))
    assert line_interest(residual, d + 1, rate, cap) >= got  # never shrinks with time
    if cap is not None:
        assert got <= residual * cap / 100


@given(lines=charges(), rate=rates, fee=money, c=caps())
@settings(max_examples=200)
def test_what_the_planner_charges_the_exit_always_accepts(lines: list[Charge], rate: Decimal, fee: Decimal,
                                                          c: Caps) -> None:
    fees = {cur: fee for cur in CURRENCIES}
    stated = charge(lines, rate, fees, c)
    most = ceiling(lines, c)
    for cur, amount in stated.items():
        assert amount == quantize(amount, cur) and amount > 0
        assert amount <= most[cur], (cur, amount, most)
        assert any(ln.allowed and ln.days > 0 and ln.currency == cur for ln in lines)  # only where agreed


@given(lines=charges(), c=caps())
def test_a_fee_never_exceeds_its_cap_and_no_cap_means_no_fee(lines: list[Charge], c: Caps) -> None:
    no_interest = [Charge(ln.currency, ln.residual, ln.days, ln.allowed) for ln in lines]
    stated = charge(no_interest, Decimal(0), dict.fromkeys(CURRENCIES, Decimal("500")), c)
    for cur, amount in stated.items():
        n = sum(1 for ln in no_interest if ln.allowed and ln.days > 0 and ln.currency == cur)
        assert amount <= n * c.fee_cap(cur) and cur in (c.fee or {})


def test_48_percent_and_500_per_invoice_for_an_individual_is_cut_to_the_caps() -> None:
    """The case the issue found: 48% a year plus 500 per invoice on an individual."""
    table = CapTable(Caps(Decimal(16), {"USD": Decimal(50)}), Caps(Decimal(9), {"USD": Decimal(25)}))
    line = Charge("USD", Decimal("1000.00"), 365, True)
    assert charge([line], Decimal(48), {"USD": Decimal(500)}, table.individual) == {"USD": Decimal("115.00")}
    assert charge([line], Decimal(48), {"USD": Decimal(500)}, table.company) == {"USD": Decimal("210.00")}
    assert charge([Charge("USD", Decimal("1000.00"), 365, False)], Decimal(48), {"USD": Decimal(500)},
                  table.company) == {}


# ---------------------------------------------------------------- config check
def _fails(text: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        config.parse(text, "/firm/overdue-reminder.toml")
    e = err.value
    assert e.key == key and words in str(e) and e.exit_code == EXIT_CONFIG and "/firm/overdue-reminder.toml" in str(e)
    assert e.fix


def test_config_check_refuses_rates_and_fees_above_their_caps() -> None:
    _fails('[policy]\ninterest_rate = "48"\n', "policy.interest_rate", "above interest.annual_rate_cap (16%)")
    _fails('[policy]\nlate_fee = { USD = "500" }\n', "policy.late_fee.USD", "above fees.per_invoice_cap.USD")
    _fails('[policy]\nlate_fee = { EUR = "5" }\n', "policy.late_fee.EUR", "not capped")
    _fails('[[policy.clients]]\nid = 5\nkind = "consumer"\ninterest_allowed = true\ninterest_rate = "12"\n',
           "policy.clients[0].interest_rate", "interest.annual_rate_cap_individual (9%)")
    _fails('[[policy.clients]]\nid = 5\nkind = "consumer"\ninterest_allowed = true\nlate_fee = { USD = "30" }\n',
           "policy.clients[0].late_fee.USD", "fees.per_invoice_cap_individual.USD")
    _fails('[interest]\nannual_rate_cap = "8"\n', "interest.annual_rate_cap_individual", "above the cap for companies")
    _fails('[interest]\nannual_rate_cap = "120"\n', "interest.annual_rate_cap", "between 0 and 100")
    _fails('[fees]\nper_invoice_cap = { USD = "-1" }\n', "fees.per_invoice_cap.USD", "0 or more")
    ok = config.parse('[interest]\nannual_rate_cap = "18"\n[fees]\nper_invoice_cap = { EUR = "40" }\n'
                      '[policy]\ninterest_rate = "18"\nlate_fee = { EUR = "40" }\n')
    assert ok.interest.annual_rate_cap == Decimal(18) and ok.fees.cap("EUR", individual=False) == Decimal(40)
    assert ok.fees.cap("EUR", individual=True) == 0  # no individual cap in EUR: no fee for individuals


# ---------------------------------------------------------------- planner and exit
TODAY = date(2026, 11, 28)


def _snap(company: bool, matter: MatterFlags | None = None) -> LedgerSnapshot:
    inv = Invoice(1, "INV/1", InvoiceKind.INVOICE, 1, 1, None, "M-1", "USD", Decimal("1000.00"), Decimal("1000.00"),
                  None, date(2025, 11, 28), "not_paid", True)
    return LedgerSnapshot({1: Partner(1, "Pat Doe", 1, email="pat@example.com", is_company=company)}, [inv],
                          matters={(1, "M-1"): matter} if matter else {})


def test_the_planner_caps_by_kind_of_client_and_uses_the_matters_rate_and_cap() -> None:
    table = CapTable(Caps(Decimal(16), {"USD": Decimal(50)}), Caps(Decimal(9), {"USD": Decimal(25)}))
    pol = PolicySettings(interest_rate=Decimal(48), late_fee={"USD": Decimal(500)},
                         clients=[ClientOverride(id=1, interest_allowed=True)])

    def interest(company: bool, matter: MatterFlags | None = None, pol: PolicySettings = pol) -> dict[str, Decimal]:
        (a,) = plan(pol, _snap(company, matter), TODAY, caps=table).actions
        return a.interest

    assert interest(company=False) == {"USD": Decimal("115.00")}  # 9% of 1000 for 365 days + 25
    assert interest(company=True) == {"USD": Decimal("210.00")}  # 16% + 50
    no_client_terms = PolicySettings(interest_rate=Decimal(48), late_fee={"USD": Decimal(500)})
    assert interest(True, MatterFlags(interest_allowed=True, interest_rate=Decimal(5)), no_client_terms) == {
        "USD": Decimal("100.00")}  # the matter's own 5% + the fee capped at 50
    assert interest(True, MatterFlags(interest_allowed=True, interest_cap=Decimal(2)), no_client_terms) == {
        "USD": Decimal("70.00")}  # interest held to 2% of the open amount + 50
    assert interest(True, MatterFlags(before_court=True), no_client_terms) == {}  # the matter allows none
    (uncapped,) = plan(pol, _snap(False), TODAY).actions  # the planner alone, without the firm's caps
    assert uncapped.interest == {"USD": Decimal("980.00")} and NO_CAPS.fee_cap("USD").is_infinite()


def _item(stated: dict[str, Decimal]) -> Item:
    return Item(Exit.REMINDER, "reminder #1", 1, interest=stated)


def test_the_exit_refuses_interest_above_the_ceiling_or_where_not_allowed() -> None:
    w = Wording()
    ok = clear(_item({"USD": Decimal("115.00")}), Facts(interest_ceiling={"USD": Decimal("115.00")}), SYSTEM, TODAY, w)
    assert not [r for r in ok.reasons if r.rule == "Interest within its cap"]
    over = clear(_item({"USD": Decimal("210.00")}), Facts(interest_ceiling={"USD": Decimal("115.00")}), SYSTEM,
                 TODAY, w)
    assert "it states 210.00 USD of interest and fees; the caps ([interest], [fees]) and the matters' terms allow " \
           "at most 115.00 USD (rule: Interest within its cap)" in over.explain()
    not_allowed = clear(_item({"USD": Decimal("1.00")}), Facts(interest_ceiling={}), SYSTEM, TODAY, w)
    assert "do not allow interest" in not_allowed.explain()
