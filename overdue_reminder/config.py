"""TOML + environment → frozen Settings. Every error names the file, the key and the fix.

Each section is a frozen dataclass; one generic builder checks every key against the
dataclass (unknown key, wrong type) and each section's `check()` adds the semantic rules
(timezone, currency, tier order). Secrets never live in the TOML: only the name of an
environment variable or the path of an owner-only file.
"""

from __future__ import annotations

import os
import stat
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from overdue_reminder.calendar import CalendarError, FirmCalendar, holiday_table
from overdue_reminder.errors import ConfigError
from overdue_reminder.money import is_currency

CONFIG_ENV = "OVERDUE_REMINDER_CONFIG"
DEFAULT_CONFIG_NAME = "overdue-reminder.toml"

T = TypeVar("T")


# ---------------------------------------------------------------- sections
@dataclass(frozen=True)
class FirmSettings:
    name: str = "Your Law Firm LLP"
    address: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    website: str = ""
    timezone: str = "America/New_York"
    default_language: str = "en_US"
    holiday_country: str = "US"
    holiday_subdivision: str = ""
    closures: list[date] = field(default_factory=list)
    logo: str = ""
    jurisdiction: str = ""

    def check(self, ctx: _Ctx) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            ctx.fail("firm.timezone", f"unknown timezone {self.timezone!r}.",
                     "use an IANA name such as 'America/New_York' or 'Europe/Berlin'.")
        if self.holiday_country:
            try:
                holiday_table(self.holiday_country, self.holiday_subdivision or None, [2026])
            except CalendarError as exc:
                key = "firm.holiday_subdivision" if self.holiday_subdivision else "firm.holiday_country"
                ctx.fail(key, f"{exc}.",
                         "use an ISO 3166 country code such as 'US' and a subdivision such as 'NY', "
                         "or an empty string for none.")


@dataclass(frozen=True)
class OdooSettings:
    host: str = "127.0.0.1"
    port: int = 8069
    protocol: Literal["jsonrpc", "jsonrpcs", "xmlrpc", "xmlrpcs"] = "jsonrpc"
    database: str = ""
    login: str = ""
    password_env: str = "OVERDUE_REMINDER_ODOO_PASSWORD"
    password_file: str = ""
    timeout_seconds: float = 60.0
    retries: int = 3
    backoff_seconds: float = 1.0
    batch_size: int = 1000
    matter_fields: list[str] = field(default_factory=lambda: ["invoice_origin", "ref"])
    trust_account_code: str = ""
    write_back: bool = False

    def check(self, ctx: _Ctx) -> None:
        if not 1 <= self.port <= 65535:
            ctx.fail("odoo.port", f"port {self.port} is out of range.", "use 1-65535 (Odoo's default is 8069).")
        if self.timeout_seconds <= 0:
            ctx.fail("odoo.timeout_seconds", "must be positive.", "use e.g. 60.")
        if self.retries < 0:
            ctx.fail("odoo.retries", "must be 0 or more.", "use e.g. 3.")
        if not 1 <= self.batch_size <= 10000:
            ctx.fail("odoo.batch_size", "must be between 1 and 10000.", "use 1000.")
        if not self.matter_fields:
            ctx.fail("odoo.matter_fields", "needs at least one field.", "use [\"invoice_origin\", \"ref\"].")


@dataclass(frozen=True)
class FilesSettings:
    invoices_csv: str = ""
    clients_csv: str = ""
    payments_csv: str = ""


@dataclass(frozen=True)
class StoreSettings:
    path: str = "overdue-reminder.db"
    url: str = ""

    def check(self, ctx: _Ctx) -> None:
        if self.url and not self.url.startswith(("sqlite", "postgresql")):
            ctx.fail("store.url", f"unsupported database URL {self.url.split(':')[0]!r}.",
                     "use 'postgresql+psycopg://user@host/db' or leave it empty for SQLite at store.path.")


@dataclass(frozen=True)
class Settings:
    """Everything the tool needs, resolved and checked. Paths are absolute."""

    source: Literal["odoo", "files"] = "odoo"
    firm: FirmSettings = field(default_factory=FirmSettings)
    odoo: OdooSettings = field(default_factory=OdooSettings)
    files: FilesSettings = field(default_factory=FilesSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    config_path: str = ""
    base_dir: str = "."

    def resolve(self, path: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else Path(self.base_dir) / p

    @property
    def store_url(self) -> str:
        if self.store.url:
            return self.store.url
        return f"sqlite:///{self.resolve(self.store.path)}"

    def calendar(self) -> FirmCalendar:
        return FirmCalendar(
            timezone=self.firm.timezone,
            country=self.firm.holiday_country or None,
            subdivision=self.firm.holiday_subdivision or None,
            closures=frozenset(self.firm.closures),
        )

    def odoo_password(self) -> str:
        pw_file = str(self.resolve(self.odoo.password_file)) if self.odoo.password_file else ""
        return read_secret(self.odoo.password_env, pw_file, self.config_path, "odoo")


# ---------------------------------------------------------------- secrets
def read_secret(env_name: str, file_path: str, config_path: str, section: str) -> str:
    """The secret from the environment, else from a file only its owner can read."""
    if env_name and os.environ.get(env_name):
        return os.environ[env_name]
    if file_path:
        p = Path(file_path)
        try:
            mode = p.stat().st_mode
        except OSError as exc:
            raise ConfigError(f"cannot read the password file {p}: {exc.strerror}.", path=config_path,
                              key=f"{section}.password_file", fix="point it at an existing file.") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"the password file {p} is readable by others (mode {stat.filemode(mode)}).",
                              path=config_path, key=f"{section}.password_file", fix=f"run: chmod 600 {p}")
        return p.read_text(encoding="utf-8").strip()
    raise ConfigError(f"no password: environment variable {env_name or '(none)'} is not set and no password file.",
                      path=config_path, key=f"{section}.password_env",
                      fix=f"export {env_name or 'OVERDUE_REMINDER_ODOO_PASSWORD'}=<API key> or set "
                          f"{section}.password_file to an owner-only file.")


# ---------------------------------------------------------------- generic builder
class _Ctx:
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


def _convert(value: Any, tp: Any, key: str, ctx: _Ctx) -> Any:
    origin = typing.get_origin(tp)
    bad = f"expected {_type_name(tp)}, got {value!r}."
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        for a in args:
            try:
                return _convert(value, a, key, ctx)
            except ConfigError:
                continue
        ctx.fail(key, bad, f"write {_type_name(tp)}.")
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
    if tp is bool:
        if not isinstance(value, bool):
            ctx.fail(key, bad, "write true or false (no quotes).")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            ctx.fail(key, bad, "write a whole number without quotes.")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            ctx.fail(key, bad, "write a number without quotes.")
        return value
    if tp is Decimal:
        if isinstance(value, float):
            ctx.fail(key, f"amounts must not be floating point: {value!r}.",
                     f"write it as a string, e.g. \"{value}\".")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            ctx.fail(key, bad, "write an amount such as \"25.00\".")
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            ctx.fail(key, f"{value!r} is not an amount.", "write an amount such as \"25.00\".")
        if not d.is_finite():
            ctx.fail(key, f"{value!r} is not a finite amount.", "write an amount such as \"25.00\".")
        return d
    if tp is date:
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        ctx.fail(key, bad, "write a date as YYYY-MM-DD (no quotes needed).")
    if tp is time:
        if isinstance(value, time):
            return value
        if isinstance(value, str):
            try:
                return time.fromisoformat(value)
            except ValueError:
                pass
        ctx.fail(key, bad, "write a time as \"HH:MM\".")
    if tp is str:
        if not isinstance(value, str):
            ctx.fail(key, bad, "write it in double quotes.")
        return value
    raise TypeError(f"config type {tp!r} not supported")  # a programming error, not user input


def build(cls: type[T], table: dict[str, Any], prefix: str, ctx: _Ctx) -> T:
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


def _check_all(obj: Any, ctx: _Ctx) -> None:
    check = getattr(obj, "check", None)
    if callable(check):
        check(ctx)


def check_currency(ctx: _Ctx, key: str, code: str) -> None:
    """Shared by sections that name currencies (minimum amounts, authority limits)."""
    if not is_currency(code):
        ctx.fail(key, f"unknown currency {code!r}.", "use an ISO 4217 code such as USD, EUR or CNY.")


# ---------------------------------------------------------------- loading
def find_config(explicit: str | None) -> Path:
    """--config PATH, else $OVERDUE_REMINDER_CONFIG, else ./overdue-reminder.toml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return Path.cwd() / DEFAULT_CONFIG_NAME


def parse(text: str, path: str = "<config>") -> Settings:
    ctx = _Ctx(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}.", path=path,
                          fix="check quotes, brackets and '=' on that line.") from exc
    base_dir = str(Path(path).resolve().parent) if path != "<config>" else str(Path.cwd())
    data = dict(data)
    settings = build(Settings, data, "", ctx)
    return _replace(settings, config_path=path, base_dir=base_dir)


def load(explicit: str | None = None) -> Settings:
    path = find_config(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("the configuration file does not exist.", path=str(path),
                          fix="run 'overdue-reminder init' for a commented example, or pass --config PATH.") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file: {exc.strerror}.", path=str(path),
                          fix="check the path and its permissions.") from exc
    return parse(text, str(path))


def _replace(obj: T, **changes: Any) -> T:
    import dataclasses

    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
