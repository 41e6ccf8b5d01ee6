"""Each matter's jurisdiction, read from the ledger, and setting it on the desk.

A matter's jurisdiction comes from (first that says): the desk (`set_matter_jurisdiction`), Odoo's field
(`odoo.jurisdiction_field`, stored on each invoice by the sync), the mapping `letters.jurisdiction_by_matter`
(reference or prefix), the firm's default `firm.jurisdiction` (core.jurisdictions.resolve). Letters, the
suit gate and limitation periods read it here (docs/rules.md, "Jurisdiction per matter").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, insert, or_, select, update

from overdue_reminder.config import Settings
from overdue_reminder.core.jurisdictions import (
    ORAL,
    WRITTEN,
    Limits,
    Period,
    Resolved,
    by_mapping,
    law_problems,
    period_for,
    resolve,
)
from overdue_reminder.errors import ConfigError, PolicyError, UsageError
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.ledger import lookup_client
from overdue_reminder.store.schema import invoices, matters


@dataclass(frozen=True)
class MatterJurisdiction:
    client_id: int
    reference: str
    code: str
    source: str
    engagement: str


def matter_jurisdictions(conn: Connection, settings: Settings, client_id: int,
                         refs: Iterable[str]) -> dict[str, Resolved]:
    """Each reference's jurisdiction (the client-wide "" reference too) and where it came from."""
    wanted = sorted(set(refs))
    desk = {r.reference: r.jurisdiction or "" for r in conn.execute(
        select(matters.c.reference, matters.c.jurisdiction).where(
            and_(matters.c.client_id == client_id, matters.c.reference.in_(wanted))))}
    odoo: dict[str, str] = {}
    for r in conn.execute(select(invoices.c.matter_ref, invoices.c.jurisdiction).where(and_(
            invoices.c.client_id == client_id, invoices.c.matter_ref.in_(wanted), invoices.c.jurisdiction != ""))
            .order_by(invoices.c.id.desc())):
        odoo.setdefault(r.matter_ref, r.jurisdiction)
    return {ref: resolve(ref, set_on_desk=desk.get(ref, ""), from_odoo=odoo.get(ref, ""),
                         mapping=settings.letters.jurisdiction_by_matter, firm_default=settings.firm.jurisdiction)
            for ref in wanted}


def letter_jurisdiction(conn: Connection, settings: Settings, client_id: int, refs: Sequence[str]) -> str:
    """The one jurisdiction of a letter's matters; several disagreeing ones cannot share one notice."""
    found = matter_jurisdictions(conn, settings, client_id, refs or [""])
    codes = sorted({r.code for r in found.values() if r.code})
    if len(codes) > 1:
        which = ", ".join(f"{ref or '(no matter)'}: {r.code}" for ref, r in sorted(found.items()))
        raise PolicyError(f"the letter's matters are in different jurisdictions ({which}); one letter cannot carry "
                          "each one's notice. Plan letters per matter (policy.group_by = \"matter\") or set the "
                          "jurisdiction with 'overdue-reminder matter jurisdiction' (rule: Jurisdiction per matter).")
    return codes[0] if codes else (settings.firm.jurisdiction or "").upper()


def set_matter_jurisdiction(store: Store, settings: Settings, client: str | int, reference: str, code: str,
                            by: str, *, engagement: str | None = None, now: datetime | None = None,
                            dry_run: bool = False) -> MatterJurisdiction:
    """Set (or, with code "", clear) a matter's jurisdiction on the desk, and whether its engagement is written."""
    code = code.strip().upper()
    if code and settings.letters.jurisdiction(code) is None:
        raise UsageError(f"no jurisdiction {code!r}: add [letters.jurisdictions.{code}] (docs/jurisdictions.md) "
                         "or use NY, CA, NJ or CN.")
    if engagement is not None and engagement not in (WRITTEN, ORAL):
        raise UsageError(f"engagement must be {WRITTEN!r} or {ORAL!r}, not {engagement!r}.")
    if not reference.strip():
        raise UsageError("name the matter by its reference (as on the invoices).")
    if not by.strip():
        raise UsageError("say who sets it (--by).")
    problems = law_problems(settings, {code}) if code else []
    if problems:
        p = problems[0]
        raise ConfigError(p.problem, path=settings.config_path, key=p.key, fix=p.fix)
    now = now or datetime.now(UTC)
    with store.begin() as conn:
        partner = lookup_client(conn, client)
        row = conn.execute(select(matters).where(and_(matters.c.client_id == partner.id,
                                                      matters.c.reference == reference))).first()
        values: dict[str, str] = {"jurisdiction": code}
        if engagement is not None:
            values["engagement"] = engagement
        if not dry_run:
            if row is None:
                conn.execute(insert(matters).values(client_id=partner.id, reference=reference, **values))
            else:
                conn.execute(update(matters).where(matters.c.id == row.id).values(**values))
            record_audit(conn, by, "matter.jurisdiction", "client", partner.id,
                         {"reference": reference, **values}, at=now)
        resolved = matter_jurisdictions(conn, settings, partner.id, [reference])[reference]
        kept = engagement or (row.engagement if row is not None else WRITTEN)
    if dry_run:
        resolved = Resolved(code, "matter") if code else resolved
    return MatterJurisdiction(partner.id, reference, resolved.code, resolved.source, kept)


def limits(settings: Settings, refs: Iterable[tuple[int, str]], desk: Mapping[tuple[int, str], tuple[str, str]],
           odoo: Mapping[tuple[int, str], str]) -> Limits:
    """Each matter's limitation period where it differs from the firm default's (written engagement)."""
    default = period_for(settings, settings.firm.jurisdiction)
    mapping = settings.letters.jurisdiction_by_matter
    by_matter: dict[tuple[int, str], Period] = {}
    for key in {*desk, *odoo, *((k for k in refs if by_mapping(k[1], mapping)) if mapping else ())}:
        code_set, basis = desk.get(key, ("", WRITTEN))
        code = resolve(key[1], set_on_desk=code_set, from_odoo=odoo.get(key, ""), mapping=mapping,
                       firm_default=settings.firm.jurisdiction).code
        period = period_for(settings, code, basis or WRITTEN)
        if period != default:
            by_matter[key] = period
    return Limits(default, by_matter, settings.letters.limitation_warning_days)


def jurisdiction_rows(conn: Connection, client_ids: Iterable[int] | None) -> tuple[
        dict[tuple[int, str], tuple[str, str]], dict[tuple[int, str], str]]:
    """What the desk set per matter (code, engagement) and what Odoo says per open invoice's matter."""
    ids = None if client_ids is None else list(client_ids)
    q = select(matters.c.client_id, matters.c.reference, matters.c.jurisdiction, matters.c.engagement).where(
        or_(matters.c.jurisdiction != "", matters.c.engagement != WRITTEN))
    q2 = select(invoices.c.client_id, invoices.c.matter_ref, invoices.c.jurisdiction).where(
        and_(invoices.c.is_open.is_(True), invoices.c.jurisdiction != "")).distinct()
    if ids is not None:
        q, q2 = q.where(matters.c.client_id.in_(ids)), q2.where(invoices.c.client_id.in_(ids))
    desk = {(r.client_id, r.reference): (r.jurisdiction or "", r.engagement or WRITTEN) for r in conn.execute(q)}
    odoo = {(r.client_id, r.matter_ref or ""): r.jurisdiction for r in conn.execute(q2)}
    return desk, odoo


__all__ = ["MatterJurisdiction", "jurisdiction_rows", "letter_jurisdiction", "limits", "matter_jurisdictions",
           "set_matter_jurisdiction"]
