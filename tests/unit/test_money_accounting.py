"""Currency precision and existence from the accounting system (Odoo's res.currency), CLDR as fallback."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from overdue_reminder import money


@pytest.fixture(autouse=True)
def cldr_afterwards() -> Iterator[None]:
    yield
    money.use_currencies({})


def test_odoo_precision_wins_over_cldr() -> None:
    assert money.quantize(Decimal("12345.67"), "HUF") == Decimal("12346")  # CLDR: HUF has 0 places
    money.use_currencies({"HUF": 2, "USD": 2, "JPY": 0, "KWD": 3})
    assert money.quantize(Decimal("12345.67"), "HUF") == Decimal("12345.67")
    assert money.format_plain(Decimal("12345.67"), "HUF") == "12,345.67 HUF"
    assert money.precision("KWD") == 3 and money.precision("JPY") == 0
    money.use_currencies({})
    assert money.precision("HUF") == 0


def test_real_x_currencies_are_money_test_codes_and_metals_are_not() -> None:
    for code in ("XOF", "XAF", "XPF", "XCD"):
        assert money.is_currency(code), code
        assert money.quantize(Decimal("1000.4"), code) in (Decimal("1000"), Decimal("1000.40"))
    for code in ("XTS", "XXX", "XAU", "XDR", "ZZZ", ""):
        assert not money.is_currency(code), code
    money.use_currencies({"XTS": 2, "ZWG": 2})  # Odoo may list a test code: still not money; a new code is
    assert not money.is_currency("XTS") and money.is_currency("ZWG")


def test_huge_amounts_raise_money_error_not_invalid_operation() -> None:
    with pytest.raises(money.MoneyError, match="out of range"):
        money.quantize(Decimal("1e30"), "USD")
    with pytest.raises(money.MoneyError):
        money.to_decimal(1e30, "USD")


def test_same_amount_compares_at_the_currency_precision() -> None:
    money.use_currencies({"HUF": 2})
    assert money.same_amount(Decimal("12345.67"), Decimal("12345.670000001"), "HUF")
    assert not money.same_amount(Decimal("12345.67"), Decimal("12346"), "HUF")
    assert money.same_amount(Decimal("5"), Decimal("5.00"), "XTS") is True  # not money: exact comparison
