"""What each jurisdiction's law requires of a fee collection, as data, and the pure decisions built on it.

The table (`LAWS`) is the law as the shipped defaults read it; the firm's `[letters.jurisdictions.X]` tables
configure how the firm complies (titles, forms, service methods, the NJ committee secretary), and may be
stricter but never laxer: a configuration that switches off a notice the law requires, or shortens its
waiting period, is refused (`law_problems`). Adding a state is a row here plus its notice templates
(docs/jurisdictions.md). Pure: no I/O, no clock. Counsel confirms the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from overdue_reminder.config import JurisdictionSettings, Settings
from overdue_reminder.config.letters import default_jurisdiction

WRITTEN, ORAL = "written", "oral"


@dataclass(frozen=True)
class Law:
    """One jurisdiction's rules for collecting a fee: the pre-suit notice and the limitation periods."""

    code: str
    name: str
    notice_required: bool  # the law requires a fee-arbitration notice before suit
    citation: str
    waiting_days: int  # the law's own period after service; the firm may wait longer, never shorter
    notice_form: str  # the official form or notice the law names ("" where none)
    needs_secretary: bool = False  # the notice must name the fee committee secretary (NJ R. 1:20A-6)
    limitation_written: int = 0  # years, on a written engagement; 0: none shipped
    limitation_oral: int = 0
    limitation_citation: str = ""


LAWS: Mapping[str, Law] = {
    "NY": Law("NY", "New York", True, "22 NYCRR Part 137 (137.6)", 30, "UCS 137-1",
              limitation_written=6, limitation_oral=6, limitation_citation="N.Y. CPLR 213(2)"),
    "CA": Law("CA", "California", True, "Cal. Bus. & Prof. Code §§6200-6206 (§6201(a))", 30,
              "State Bar of California notice of client's right to fee arbitration",
              limitation_written=4, limitation_oral=2, limitation_citation="Cal. Code Civ. Proc. §§337, 339"),
    "NJ": Law("NJ", "New Jersey", True, "N.J. Ct. R. 1:20A-6", 30, "pre-action notice", needs_secretary=True,
              limitation_written=6, limitation_oral=6, limitation_citation="N.J.S.A. 2A:14-1"),
    "CN": Law("CN", "People's Republic of China", False, "", 0, "",
              limitation_written=3, limitation_oral=3, limitation_citation="PRC Civil Code art. 188"),
}


def law(code: str) -> Law | None:
    return LAWS.get(code.upper()) if code else None


def notice_required(settings: Settings, code: str) -> bool:
    """Whether letters in `code` carry the notice: configured so, or required by law whatever the configuration."""
    j = settings.letters.jurisdiction(code) if code else None
    lw = law(code)
    return bool(j is not None and j.notice_required) or bool(lw is not None and lw.notice_required)


@dataclass(frozen=True)
class Problem:
    """A configuration that breaks the law's floor: the key, what is wrong, and the fix (as `config check` shows)."""

    key: str
    problem: str
    fix: str


def law_problems(settings: Settings, codes: set[str] | None = None) -> list[Problem]:
    """Configured jurisdictions (or `codes`) checked against the law's floor."""
    wanted = codes if codes is not None else jurisdictions_in_use(settings)
    out: list[Problem] = []
    for code in sorted(c.upper() for c in wanted if c):
        j = settings.letters.jurisdiction(code)
        lw = law(code)
        key = f"letters.jurisdictions.{code}"
        if j is None:
            out.append(Problem(key, f"jurisdiction {code!r} is used but has no table.",
                               f"add [{key}] (docs/jurisdictions.md) or use one of {', '.join(sorted(LAWS))}."))
            continue
        if lw is None:
            continue
        if lw.notice_required and not j.notice_required:
            out.append(Problem(f"{key}.notice_required", f"{lw.name} requires a fee-arbitration notice before "
                               f"suit ({lw.citation}); notice_required = false would let refer-to-suit skip it.",
                               f"remove notice_required from [{key}] (rule: Fee arbitration before suit)."))
        days = settings.letters.waiting_days(code)
        if lw.notice_required and days < lw.waiting_days:
            out.append(Problem(f"{key}.waiting_days", f"{lw.name} gives the client {lw.waiting_days} days after "
                               f"service ({lw.citation}); {days} days is shorter.",
                               f"use {lw.waiting_days} or more, or 0 for letters.suit_waiting_days."))
        if lw.needs_secretary and j.notice_required:
            out.extend(_secretary_problems(key, lw, j))
    return out


def _secretary_problems(key: str, lw: Law, j: JurisdictionSettings) -> list[Problem]:
    missing = [name for name, value in (("secretary_name", j.secretary_name),
                                         ("secretary_address", " ".join(j.secretary_address).strip()),
                                         ("secretary_phone", j.secretary_phone)) if not value.strip()]
    return [Problem(f"{key}.{name}", f"the {lw.name} pre-action notice must give the District Fee Arbitration "
                    f"Committee secretary's name, address and phone ({lw.citation}); {name} is empty.",
                    f"set {name} to the secretary's for the county of the firm's office (see the NJ courts' "
                    "list of district fee committee secretaries).") for name in missing]


def jurisdictions_in_use(settings: Settings) -> set[str]:
    """The firm default, every code the matter mapping can give, and every table the firm configured (a code set
    on the desk is checked when it is set, and again when a letter is drafted)."""
    used = {v.upper() for v in settings.letters.jurisdiction_by_matter.values() if v}
    used |= {c.upper() for c, j in settings.letters.jurisdictions.items() if j != default_jurisdiction(c)}
    if settings.firm.jurisdiction:
        used.add(settings.firm.jurisdiction.upper())
    return used


# ---------------------------------------------------------------- which jurisdiction a matter is in
@dataclass(frozen=True)
class Resolved:
    code: str
    source: str  # "matter" (set on the desk) | "odoo" | "mapping" | "firm" | "" (none)


def by_mapping(reference: str, mapping: Mapping[str, str]) -> str:
    """The configured code for a matter reference: an exact key first, then the longest key it starts with."""
    if not reference:
        return ""
    if reference in mapping:
        return mapping[reference].upper()
    prefixes = [k for k in mapping if k and reference.startswith(k)]
    return mapping[max(prefixes, key=len)].upper() if prefixes else ""


def resolve(reference: str, *, set_on_desk: str = "", from_odoo: str = "", mapping: Mapping[str, str] = {},
            firm_default: str = "") -> Resolved:
    """A matter's jurisdiction: set on the desk, else Odoo's field, else the mapping, else the firm's default."""
    for code, source in ((set_on_desk, "matter"), (from_odoo, "odoo"), (by_mapping(reference, mapping), "mapping"),
                         (firm_default, "firm")):
        if code and code.strip():
            return Resolved(code.strip().upper(), source)
    return Resolved("", "")


# ---------------------------------------------------------------- limitation periods
@dataclass(frozen=True)
class Period:
    """The limitation period that applies to a matter's invoices."""

    code: str
    years: int  # 0: no period known (nothing is flagged)
    basis: str = WRITTEN


def period_for(settings: Settings, code: str, basis: str = WRITTEN) -> Period:
    """Configured years (letters.jurisdictions.X.limitation_years_written/_oral) win over the table's."""
    j = settings.letters.jurisdiction(code) if code else None
    lw = law(code)
    configured = (j.limitation_years_oral if basis == ORAL else j.limitation_years_written) if j else 0
    shipped = (lw.limitation_oral if basis == ORAL else lw.limitation_written) if lw else 0
    return Period(code.upper(), configured or shipped, basis)


@dataclass(frozen=True)
class Limits:
    """The limitation periods the planner applies: the firm default's, and each matter's that differs."""

    default: Period
    by_matter: Mapping[tuple[int, str], Period] = field(default_factory=dict)
    warn_days: int = 90

    def period(self, client_id: int, matter_ref: str) -> Period:
        return self.by_matter.get((client_id, matter_ref), self.default) if self.by_matter else self.default


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def limitation_ends(due: date, period: Period) -> date | None:
    """The day the period ends for a claim that fell due on `due` (counted from the due date)."""
    return add_years(due, period.years) if period.years > 0 else None


def limitation_state(due: date, period: Period, today: date, warn_days: int) -> str:
    """'past', 'approaching' (within `warn_days`), or '' when the claim is well within its period."""
    ends = limitation_ends(due, period)
    if ends is None:
        return ""
    if today >= ends:
        return "past"
    return "approaching" if (ends - today).days <= warn_days else ""


__all__ = [
    "LAWS",
    "ORAL",
    "WRITTEN",
    "Law",
    "Limits",
    "Period",
    "Problem",
    "Resolved",
    "add_years",
    "by_mapping",
    "jurisdictions_in_use",
    "law",
    "law_problems",
    "limitation_ends",
    "limitation_state",
    "notice_required",
    "period_for",
    "resolve",
]
