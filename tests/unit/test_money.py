"""Money arithmetic: exact, per currency, never float (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overdue_reminder import money

CURRENCIES = ["USD", "EUR", "CNY", "JPY", "KWD"]
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=3,
                      allow_nan=False, allow_infinity=False)


def test_precision_per_currency() -> None:
    assert money.precision("USD") == 2
    assert money.precision("JPY") == 0
    assert money.precision("KWD") == 3
    with pytest.raises(money.MoneyError):
        money.precision("XTS")


def test_wire_floats_have_no_binary_noise() -> None:
    assert money.to_decimal(1234.56) == Decimal("1234.56")
    assert money.to_decimal(0.1 + 0.2, "USD") == Decimal("0.30")
    assert str(money.to_decimal(36512.5, "USD")) == "36512.50"
    for bad in ["abc", None, True, float("nan")]:
        with pytest.raises(money.MoneyError):
            money.to_decimal(bad)


@given(total=amounts, n=st.integers(min_value=1, max_value=60), currency=st.sampled_from(CURRENCIES))
def test_split_even_sums_exactly(total: Decimal, n: int, currency: str) -> None:
    total = money.quantize(total, currency)
    parts = money.split_even(total, n, currency)
    assert sum(parts) == total
    assert len(parts) == n
    assert max(parts) - min(parts) <= Decimal(1).scaleb(-money.precision(currency))
    assert all(money.quantize(p, currency) == p for p in parts)


@given(total=amounts, weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=20)
       .filter(lambda w: sum(w) > 0), currency=st.sampled_from(CURRENCIES))
def test_allocate_proportional_sums_exactly(total: Decimal, weights: list[int], currency: str) -> None:
    total = money.quantize(total, currency)
    parts = money.allocate(total, weights, currency)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)


@given(st.lists(st.tuples(st.sampled_from(CURRENCIES), amounts), max_size=30))
def test_totals_never_mix_currencies(items: list[tuple[str, Decimal]]) -> None:
    totals = money.sum_by_currency(items)
    for cur, total in totals.items():
        assert total == sum((a for c, a in items if c == cur), Decimal(0))
    assert set(totals) == {c for c, _ in items}
