"""Per-matter flags: what each one is, how a typed or synced value is read, and which value wins.

A matter's engagement terms decide whether interest may be charged (LAW.md #6, at what rate and up to what cap),
whether it is before a court (LAW.md #11: a withdrawal needs the court's leave) and whether letters may describe
it (Rule 1.6: by reference only unless the firm opts in). A firm may keep these in Odoo (`[odoo]
matter_flag_fields`) or set them on the desk (`overdue-reminder matter set`); a value set on the desk wins over
Odoo's and says so. Adding a flag is one `FlagSpec` in `FLAGS` plus its column in store/schema.py: the command's
options, `matter show`, the sync and the audit all read this table. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

FlagValue = bool | Decimal | str | None
Source = Literal["local", "odoo", "default"]


class FlagError(ValueError):
    """A value that is not valid for its flag; the message says what is expected."""


@dataclass(frozen=True)
class FlagSpec:
    """One per-matter flag: its name (also the column and the `--name` option), its type and what it means."""

    name: str
    kind: Literal["bool", "percent", "text"]
    help: str
    default: FlagValue = None
    maximum: Decimal | None = None  # percent flags: the largest value that can be meant
    off: str = ""  # yes/no flags: the option that turns it off (default --no-NAME)

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def off_option(self) -> str:
        return self.off or "--no-" + self.option[2:]

    def parse(self, raw: Any) -> FlagValue:
        """A value typed on the command line or read from Odoo, as this flag's type; `None` clears it."""
        if raw is None or (raw is False and self.kind != "bool"):
            return None
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().casefold()
            if text in ("1", "true", "yes", "y", "on"):
                return True
            if text in ("0", "false", "no", "n", "off", ""):
                return False
            raise FlagError(f"{self.name}: {raw!r} is not true or false")
        if self.kind == "percent":
            if isinstance(raw, float):
                raw = repr(raw)  # Odoo sends floats: read the shortest decimal that round-trips, never binary
            try:
                value = Decimal(str(raw).strip().rstrip("%"))
            except InvalidOperation as exc:
                raise FlagError(f"{self.name}: {raw!r} is not a percentage such as 9 or 7.5") from exc
            if not value.is_finite() or value < 0 or (self.maximum is not None and value > self.maximum):
                raise FlagError(f"{self.name}: {raw!r} must be between 0 and {self.maximum or 'any'} (a percent)")
            return value.normalize() if value == value.to_integral_value() else value
        text = str(raw).strip()
        if any(c in text for c in "\r\n"):
            raise FlagError(f"{self.name}: must be one line")
        return text or None


FLAGS: tuple[FlagSpec, ...] = (
    FlagSpec("interest_allowed", "bool", "the engagement terms agreed interest or late fees in advance (LAW.md #6)",
             False),
    FlagSpec("interest_rate", "percent", "simple interest, percent a year (default: the client's or the firm's)",
             None, Decimal(100)),
    FlagSpec("interest_cap", "percent", "interest never above this percent of an invoice's open amount",
             None, Decimal(100)),
    FlagSpec("before_court", "bool", "the matter is before a court: withdrawing needs the court's leave (LAW.md #11)",
             False, off="--not-before-court"),
)
BY_NAME: Mapping[str, FlagSpec] = {f.name: f for f in FLAGS}


@dataclass(frozen=True)
class Resolved:
    """One flag of one matter: the value the desk applies, where it came from, and Odoo's value when the desk's
    own setting overrides a different one."""

    name: str
    value: FlagValue
    source: Source
    odoo_value: FlagValue = None
    set_by: str = ""
    set_at: str = ""

    @property
    def overrides_odoo(self) -> bool:
        return self.source == "local" and self.odoo_value is not None and self.odoo_value != self.value

    def source_text(self) -> str:
        """'set here by alice on 2026-11-29; wins over Odoo's no', 'from Odoo' or 'default'."""
        if self.source == "local":
            extra = f"; wins over Odoo's {show(self.odoo_value)}" if self.overrides_odoo else ""
            return f"set here by {self.set_by} on {self.set_at[:10]}{extra}"
        return "from Odoo" if self.source == "odoo" else "default"


def show(value: FlagValue) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def to_json(value: FlagValue) -> Any:
    """How a value is kept in the JSON columns: Decimals as strings (never floats)."""
    return str(value) if isinstance(value, Decimal) else value


def from_json(spec: FlagSpec, raw: Any) -> FlagValue:
    try:
        return spec.parse(raw)
    except FlagError:
        return spec.default  # a value an older version kept that no longer reads: the safe default


def resolve(local: Mapping[str, Any], odoo: Mapping[str, Any]) -> dict[str, Resolved]:
    """Every flag's applied value: set on the desk, else read from Odoo, else the default (off / none)."""
    out = {}
    for spec in FLAGS:
        from_odoo = from_json(spec, odoo[spec.name]) if spec.name in odoo else None
        mine = local.get(spec.name)
        if isinstance(mine, Mapping) and "value" in mine:
            out[spec.name] = Resolved(spec.name, from_json(spec, mine["value"]), "local", from_odoo,
                                      str(mine.get("by", "")), str(mine.get("at", "")))
        elif spec.name in odoo:
            out[spec.name] = Resolved(spec.name, from_odoo, "odoo", from_odoo)
        else:
            out[spec.name] = Resolved(spec.name, spec.default, "default")
    return out


def columns(resolved: Mapping[str, Resolved]) -> dict[str, Any]:
    """The applied values as the matters table's columns (what the planner and the letters read)."""
    return {name: (r.value if r.value is not None else BY_NAME[name].default) for name, r in resolved.items()}


def changes_problems(changes: Mapping[str, FlagValue], after: Mapping[str, Resolved]) -> list[str]:
    """Combinations the engagement terms cannot mean: a rate or cap on a matter that allows no interest."""
    allowed = after["interest_allowed"].value is True
    problems = []
    for name in ("interest_rate", "interest_cap"):
        if name in changes and changes[name] is not None and not allowed:
            problems.append(f"--{name.replace('_', '-')} is set but the matter does not allow interest; add "
                            "--interest-allowed only if the engagement terms agreed it in advance (LAW.md #6)")
    return problems


__all__ = ["BY_NAME", "FLAGS", "FlagError", "FlagSpec", "FlagValue", "Resolved", "changes_problems", "columns",
           "from_json", "resolve", "show", "to_json"]
