"""The generic TOML-table builder: every key checked against its section's dataclass (unknown key, wrong type).

Each scalar type has its own converter; containers and nested sections recurse. A section's own
`check(ctx)` then adds its semantic rules. Every error names the file, the key and the fix.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from overdue_reminder.errors import ConfigError
from overdue_reminder.money import is_currency

T = TypeVar("T")


class Ctx:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, message: str, fix: str) -> typing.NoReturn:
        raise ConfigError(message, path=self.path, key=key, fix=fix)


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return " or ".join(repr(a) for a in typing.get_args(tp))
    if origin in (list, tuple):
        return f"a list of {_type_name(typing.get_args(tp)[0])}"
    if origin is dict:
        return f"a table of {_type_name(typing.get_args(tp)[1])}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    if is_dataclass(tp):
        return "a table"
    return {str: "a string", int: "a whole number", bool: "true or false", float: "a number",
            Decimal: "an amount written as a string such as \"25.00\"", date: "a date such as 2026-12-24",
            time: "a time such as 02:30"}.get(tp, getattr(tp, "__name__", str(tp)))


def _convert(value: Any, tp: Any, key: str, ctx: Ctx) -> Any:
    """One TOML value as the field's type, or a ConfigError naming the key and the fix."""
    origin = typing.get_origin(tp)
    bad = f"expected {_type_name(tp)}, got {value!r}."
    if origin in (typing.Union, types.UnionType):
        return _to_union(value, tp, key, ctx, bad)
    if origin is Literal:
        if value not in typing.get_args(tp):
            ctx.fail(key, f"{value!r} is not allowed.", f"use {_type_name(tp)}.")
        return value
    if origin in (list, tuple):
        if not isinstance(value, list):
            ctx.fail(key, bad, f"write {_type_name(tp)} in square brackets.")
        (inner,) = typing.get_args(tp)[:1]
        items = [_convert(v, inner, f"{key}[{i}]", ctx) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            ctx.fail(key, bad, f"write {_type_name(tp)}.")
        _, inner = typing.get_args(tp)
        return {str(k): _convert(v, inner, f"{key}.{k}", ctx) for k, v in value.items()}
    if is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            ctx.fail(key, bad, f"write [{key}] as a table.")
        return build(tp, value, key, ctx)
    scalar = _SCALARS.get(tp)
    if scalar is None:
        raise TypeError(f"config type {tp!r} not supported")  # a programming error, not user input
    return scalar(value, key, ctx, bad)


def _to_union(value: Any, tp: Any, key: str, ctx: Ctx, bad: str) -> Any:
    for a in typing.get_args(tp):
        if a is type(None):
            continue
        try:
            return _convert(value, a, key, ctx)
        except ConfigError:
            continue
    ctx.fail(key, bad, f"write {_type_name(tp)}.")


def _to_bool(value: Any, key: str, ctx: Ctx, bad: str) -> bool:
    if not isinstance(value, bool):
        ctx.fail(key, bad, "write true or false (no quotes).")
    return value


def _to_int(value: Any, key: str, ctx: Ctx, bad: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        ctx.fail(key, bad, "write a whole number without quotes.")
    return value


def _to_float(value: Any, key: str, ctx: Ctx, bad: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        ctx.fail(key, bad, "write a number without quotes.")
    return value


def _to_decimal(value: Any, key: str, ctx: Ctx, bad: str) -> Decimal:
    if isinstance(value, float):
        ctx.fail(key, f"amounts must not be floating point: {value!r}.", f"write it as a string, e.g. \"{value}\".")
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        ctx.fail(key, bad, "write an amount such as \"25.00\".")
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        ctx.fail(key, f"{value!r} is not an amount.", "write an amount such as \"25.00\".")
    if not d.is_finite():
        ctx.fail(key, f"{value!r} is not a finite amount.", "write an amount such as \"25.00\".")
    return d


def _to_date(value: Any, key: str, ctx: Ctx, bad: str) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    ctx.fail(key, bad, "write a date as YYYY-MM-DD (no quotes needed).")


def _to_time(value: Any, key: str, ctx: Ctx, bad: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    ctx.fail(key, bad, "write a time as \"HH:MM\".")


def _to_str(value: Any, key: str, ctx: Ctx, bad: str) -> str:
    if not isinstance(value, str):
        ctx.fail(key, bad, "write it in double quotes.")
    return value


_SCALARS: dict[Any, Callable[[Any, str, Ctx, str], Any]] = {
    bool: _to_bool, int: _to_int, float: _to_float, Decimal: _to_decimal, date: _to_date, time: _to_time,
    str: _to_str,
}


def build(cls: type[T], table: dict[str, Any], prefix: str, ctx: Ctx) -> T:
    """Build a section dataclass from a TOML table: unknown keys and wrong types are errors."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in fields(cls) if f.init}  # type: ignore[arg-type]
    for k in table:
        if k not in names or k in ("config_path", "base_dir"):
            where = f"{prefix}.{k}" if prefix else k
            known = ", ".join(sorted(n for n in names if n not in ("config_path", "base_dir")))
            ctx.fail(where, f"unknown key {k!r}.", f"remove it or use one of: {known}.")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in table:
            key = f"{prefix}.{f.name}" if prefix else f.name
            kwargs[f.name] = _convert(table[f.name], hints[f.name], key, ctx)
        elif f.default is MISSING and f.default_factory is MISSING:
            key = f"{prefix}.{f.name}" if prefix else f.name
            ctx.fail(key, "is required.", f"add {f.name} = … under [{prefix or 'top level'}].")
    obj = cls(**kwargs)
    _check_all(obj, ctx)
    return obj


def _check_all(obj: Any, ctx: Ctx) -> None:
    check = getattr(obj, "check", None)
    if callable(check):
        check(ctx)


def check_currency(ctx: Ctx, key: str, code: str) -> None:
    """Shared by sections that name currencies (minimum amounts, authority limits)."""
    if not is_currency(code):
        ctx.fail(key, f"unknown currency {code!r}.", "use an ISO 4217 code such as USD, EUR or CNY.")

