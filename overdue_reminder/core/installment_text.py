"""How an installment plan is said: the down payment first, then the installments with their exact amounts.

`split_even` spreads the remainder over some installments, so "每期¥20,956.64" over installments of ¥20,956.63 would
be untrue: the amounts are stated exactly ("each", or "the first/last one differs", or "as scheduled below").
Pure: amounts arrive as Decimals, formatting is the caller's `money` function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

Money = Callable[[Decimal], str]
Day = Callable[[date], str]


# How each shape of amounts is said: all equal, all but the last equal, all but the first equal, none of these.
_SHAPES = {
    "zh": ("每期{a}", "前{k}期每期{a}，最后一期{b}", "第一期{a}，其余{k}期每期{b}", "各期金额见下表"),
    "en": ("of {a}", "({k} of {a} and a last one of {b})", "(a first one of {a} and {k} of {b})",
           "(amounts as scheduled below)"),
}


def _amounts(amounts: Sequence[Decimal], m: Money, lang: str) -> str:
    equal, last_differs, first_differs, mixed = _SHAPES[lang]
    k, first, last = len(amounts) - 1, amounts[0], amounts[-1]
    if all(a == first for a in amounts):
        return equal.format(a=m(first))
    if all(a == first for a in amounts[:-1]):
        return last_differs.format(k=k, a=m(first), b=m(last))
    if all(a == amounts[1] for a in amounts[1:]):
        return first_differs.format(k=k, a=m(first), b=m(amounts[1]))
    return mixed


def plan_phrase(*, zh: bool, balance: str, number: int, frequency: str, amounts: Sequence[Decimal],
                first_date: date, down_payment: Decimal, down_due: date | None, m: Money, dt: Day,
                after: bool) -> str:
    """The plan clause; `after` when a settlement clause precedes it (then it continues that sentence)."""
    down = down_payment > 0 and down_due is not None
    if zh:
        head = "，" if after else f"余额{balance}可"
        if down:
            assert down_due is not None
            return (f"{head}先于{dt(down_due)}前支付首付款{m(down_payment)}，余款分{number}期{frequency}支付，"
                    f"{_amounts(amounts, m, 'zh')}，首期于{dt(first_date)}到期")
        return f"{head}分{number}期{frequency}支付，{_amounts(amounts, m, 'zh')}，首期于{dt(first_date)}到期"
    head = ", payable" if after else f"We can accept the balance of {balance}"
    each = "installment" if number == 1 else "installments"
    tail = f"{number} {frequency} {each} {_amounts(amounts, m, 'en')} from {dt(first_date)}"
    if down:
        assert down_due is not None
        return f"{head} as a down payment of {m(down_payment)} by {dt(down_due)}, then {tail}"
    return f"{head} in {tail}"


__all__ = ["plan_phrase"]
