"""TOML + environment → frozen Settings. Every error names the file, the key and the fix.

Each section is a frozen dataclass; one generic builder checks every key against the
dataclass (unknown key, wrong type) and each section's `check()` adds the semantic rules
(timezone, currency, tier order). Secrets never live in the TOML: only the name of an
environment variable or the path of an owner-only file.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from overdue_reminder.calendar import FirmCalendar, yearly_closure
from overdue_reminder.config.builder import Ctx, build, check_currency
from overdue_reminder.config.caps import FeesSettings, InterestSettings, check_terms
from overdue_reminder.config.letters import (
    LETTER_KINDS,
    SERVICE_METHODS,
    JurisdictionSettings,
    LettersSettings,
    default_jurisdiction,
)
from overdue_reminder.config.offers import (
    OFFER_GRADES,
    OFFER_REASONS,
    AttorneyLimits,
    EmergencyTerms,
    ForgotTerms,
    FrequencyName,
    HardshipTerms,
    OfferFloors,
    OfferKindName,
    OfferLimits,
    OfferReasons,
    OfferSettings,
    PlanningErrorTerms,
    ReasonTerms,
)
from overdue_reminder.config.payment import ChannelText, PaymentChannel, PaymentSettings
from overdue_reminder.config.secret import read_secret
from overdue_reminder.config.sections import (
    ClientOverride,
    DeliverySettings,
    DigestSettings,
    FilesSettings,
    FirmSettings,
    IdentitySettings,
    OdooSettings,
    PolicySettings,
    ScheduleSettings,
    StoreSettings,
    SyncSettings,
    TemplatesSettings,
    TierSettings,
    WebSettings,
    default_tiers,
)
from overdue_reminder.config.statements import StatementSettings
from overdue_reminder.errors import ConfigError

CONFIG_ENV = "OVERDUE_REMINDER_CONFIG"
DEFAULT_CONFIG_NAME = "overdue-reminder.toml"

T = TypeVar("T")

@dataclass(frozen=True)
class Settings:
    """Everything the tool needs, resolved and checked. Paths are absolute."""

    source: Literal["odoo", "files"] = "odoo"
    firm: FirmSettings = field(default_factory=FirmSettings)
    odoo: OdooSettings = field(default_factory=OdooSettings)
    files: FilesSettings = field(default_factory=FilesSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    letters: LettersSettings = field(default_factory=LettersSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)
    offers: OfferSettings = field(default_factory=OfferSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    payment: PaymentSettings = field(default_factory=PaymentSettings)
    statements: StatementSettings = field(default_factory=StatementSettings)
    templates: TemplatesSettings = field(default_factory=TemplatesSettings)
    web: WebSettings = field(default_factory=WebSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    interest: InterestSettings = field(default_factory=InterestSettings)
    fees: FeesSettings = field(default_factory=FeesSettings)
    config_path: str = ""
    base_dir: str = "."

    def check(self, ctx: Ctx) -> None:
        """Rules across sections: configured interest and fees within their caps (config/caps.py)."""
        check_terms(self, ctx)

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
        """One calendar per firm setting, shared: its holiday tables fill per year as they are asked for."""
        return _calendar(self.firm.timezone, self.firm.holiday_country or None, self.firm.holiday_subdivision or None,
                         frozenset(self.firm.closures), frozenset(map(yearly_closure, self.firm.yearly_closures)))

    def odoo_password(self) -> str:
        pw_file = str(self.resolve(self.odoo.password_file)) if self.odoo.password_file else ""
        return read_secret(self.odoo.password_env, pw_file, self.config_path, "odoo")


@lru_cache(maxsize=16)
def _calendar(timezone: str, country: str | None, subdivision: str | None, closures: frozenset[date],
              yearly: frozenset[tuple[int, int]] = frozenset()) -> FirmCalendar:
    return FirmCalendar(timezone=timezone, country=country, subdivision=subdivision, closures=closures,
                        yearly=yearly)


# ---------------------------------------------------------------- loading
def find_config(explicit: str | None) -> Path:
    """--config PATH, else $OVERDUE_REMINDER_CONFIG, else ./overdue-reminder.toml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return Path.cwd() / DEFAULT_CONFIG_NAME


def parse(text: str, path: str = "<config>") -> Settings:
    ctx = Ctx(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}.", path=path,
                          fix="check quotes, brackets and '=' on that line.") from exc
    base_dir = str(Path(path).resolve().parent) if path != "<config>" else str(Path.cwd())
    data = _with_jurisdiction_defaults(dict(data))
    settings = build(Settings, data, "", ctx)
    return _replace(settings, config_path=path, base_dir=base_dir)


def _with_jurisdiction_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """A [letters.jurisdictions.X] table for a shipped code changes only the keys it names (adding form files
    keeps NY's forms and notice); the rest come from the shipped defaults."""
    letters = data.get("letters")
    if not isinstance(letters, dict) or not isinstance(letters.get("jurisdictions"), dict):
        return data
    tables: dict[str, Any] = letters["jurisdictions"]
    merged = {}
    for code, table in tables.items():
        shipped = default_jurisdiction(code) if isinstance(table, dict) else None
        merged[code] = {**dataclasses.asdict(shipped), **table} if shipped is not None else table
    return {**data, "letters": {**letters, "jurisdictions": merged}}


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
    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG_NAME",
    "LETTER_KINDS",
    "OFFER_GRADES",
    "OFFER_REASONS",
    "SERVICE_METHODS",
    "AttorneyLimits",
    "ChannelText",
    "ClientOverride",
    "DeliverySettings",
    "DigestSettings",
    "EmergencyTerms",
    "FeesSettings",
    "FilesSettings",
    "FirmSettings",
    "ForgotTerms",
    "FrequencyName",
    "HardshipTerms",
    "IdentitySettings",
    "InterestSettings",
    "JurisdictionSettings",
    "LettersSettings",
    "OdooSettings",
    "OfferFloors",
    "OfferKindName",
    "OfferLimits",
    "OfferReasons",
    "OfferSettings",
    "PaymentChannel",
    "PaymentSettings",
    "PlanningErrorTerms",
    "PolicySettings",
    "ReasonTerms",
    "ScheduleSettings",
    "Settings",
    "StatementSettings",
    "StoreSettings",
    "SyncSettings",
    "TemplatesSettings",
    "TierSettings",
    "WebSettings",
    "build",
    "check_currency",
    "default_tiers",
    "find_config",
    "load",
    "parse",
    "read_secret",
]
