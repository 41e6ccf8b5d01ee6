"""Per-matter flags: set on the desk by a proven person (audited with who, when, old and new), read from Odoo
by the sync, and shown with where each value came from.

The matters table keeps three things per matter: the values the desk applies (one column per flag, read by
the planner and the letters), what Odoo last said (`flags_odoo`) and what was set here (`flags_local`, which
wins). Which flags exist and how a value is read live in core/matter_flags.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select, tuple_, update

from overdue_reminder.core import matter_flags as mf
from overdue_reminder.core.clearance import Actor
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.services.identity import as_actor
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.schema import clients, matters


@dataclass(frozen=True)
class Matter:
    """One matter as `matter show` prints it: its identity and every flag with its source."""

    id: int
    client_id: int
    client_name: str
    reference: str
    attorney_id: int | None
    flags: Mapping[str, mf.Resolved]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "client_id": self.client_id, "client": self.client_name, "reference": self.reference,
                "attorney_id": self.attorney_id,
                "flags": {n: {"value": mf.to_json(r.value), "source": r.source, "odoo_value": mf.to_json(r.odoo_value),
                              "set_by": r.set_by or None, "set_at": r.set_at or None,
                              "overrides_odoo": r.overrides_odoo} for n, r in self.flags.items()}}


@dataclass(frozen=True)
class Change:
    name: str
    old: mf.FlagValue
    new: mf.FlagValue


def _query() -> Any:
    return (select(matters.c.id, matters.c.client_id, matters.c.reference, matters.c.attorney_id,
                   matters.c.flags_local, matters.c.flags_odoo, clients.c.name.label("client_name"))
            .select_from(matters.outerjoin(clients, clients.c.id == matters.c.client_id)))


def _matter(r: Any) -> Matter:
    return Matter(r.id, r.client_id, r.client_name or f"client #{r.client_id}", r.reference, r.attorney_id,
                  mf.resolve(dict(r.flags_local or {}), dict(r.flags_odoo or {})))


def find(conn: Connection, ref_or_id: str) -> Matter:
    """One matter by its reference (as on the invoices) or, failing that, by the desk's matter id."""
    text = ref_or_id.strip()
    rows = conn.execute(_query().where(matters.c.reference == text).order_by(matters.c.id)).all()
    if not rows and text.isdigit():
        rows = conn.execute(_query().where(matters.c.id == int(text))).all()
    if not rows:
        raise UsageError(f"no matter {text!r}: give its reference as on the invoices (see 'overdue-reminder matter "
                         "list') or its id.")
    if len(rows) > 1:
        which = "; ".join(f"id {r.id} ({r.client_name or r.client_id})" for r in rows[:10])
        raise UsageError(f"{len(rows)} clients have a matter {text!r}: {which}. Give the matter's id instead.")
    return _matter(rows[0])


def show(store: Store, ref_or_id: str) -> Matter:
    with store.begin() as conn:
        return find(conn, ref_or_id)


def list_matters(store: Store, client_id: int | None = None, flagged_only: bool = False) -> list[Matter]:
    q = _query().order_by(clients.c.name, matters.c.reference, matters.c.id)
    if client_id is not None:
        q = q.where(matters.c.client_id == client_id)
    with store.begin() as conn:
        found = [_matter(r) for r in conn.execute(q)]
    if flagged_only:
        found = [m for m in found if any(r.source != "default" for r in m.flags.values())]
    return found


def parse_changes(raw: Mapping[str, Any]) -> dict[str, mf.FlagValue]:
    """Typed options as flag values; an unknown flag or a bad value is a usage error naming the option."""
    out: dict[str, mf.FlagValue] = {}
    for name, value in raw.items():
        spec = mf.BY_NAME.get(name)
        if spec is None:
            raise UsageError(f"unknown matter flag {name!r}; known: {', '.join(mf.BY_NAME)}.")
        try:
            out[name] = spec.parse(value)
        except mf.FlagError as exc:
            raise UsageError(f"{spec.option}: {exc}.") from exc
    return out


def set_flags(store: Store, ref_or_id: str, changes: Mapping[str, mf.FlagValue], by: Actor | str, *,
              now: datetime | None = None, dry_run: bool = False,
              rate_cap: Decimal | None = None) -> tuple[Matter, list[Change]]:
    """Set flags on one matter (they win over Odoo's from now on); refused unless the person proved who they
    are. Each change is audited (`matter.flags_set`) with who, when, the old and the new value."""
    actor = as_actor(by)
    if not actor.proven:
        raise PolicyError(f"{actor.name} did not prove who they are: changing a matter's terms needs --as LOGIN "
                          "(checked by Odoo) or an operating-system account mapped in [identity] os_users "
                          "(rule: Proven authority).")
    if not changes:
        raise UsageError("nothing to set: give at least one option such as --interest-allowed or --before-court.")
    rate = changes.get("interest_rate")
    if isinstance(rate, Decimal) and rate_cap is not None and rate > rate_cap:
        raise UsageError(f"--interest-rate {rate} is above interest.annual_rate_cap ({rate_cap}% a year); the desk "
                         "never charges more (rule: Interest within its cap).")
    now = now or datetime.now(UTC)
    with store.begin() as conn:
        m = find(conn, ref_or_id)
        row = conn.execute(select(matters.c.flags_local, matters.c.flags_odoo).where(matters.c.id == m.id)).one()
        local = dict(row.flags_local or {})
        stamp = {"by": actor.name, "at": now.isoformat(timespec="seconds")}
        done = [Change(n, m.flags[n].value, v) for n, v in changes.items() if m.flags[n].value != v
                or m.flags[n].source != "local"]
        for n, v in changes.items():
            local[n] = {"value": mf.to_json(v), **stamp}
        after = mf.resolve(local, dict(row.flags_odoo or {}))
        problems = mf.changes_problems(changes, after)
        if problems:
            raise UsageError("; ".join(problems) + ".")
        if not dry_run:
            conn.execute(update(matters).where(matters.c.id == m.id).values(flags_local=local, **mf.columns(after)))
            record_audit(conn, actor.name, "matter.flags_set", "matter", m.id, {
                "reference": m.reference, "client_id": m.client_id, "actor": actor.audit(),
                "changes": {c.name: {"old": mf.to_json(c.old), "new": mf.to_json(c.new)} for c in done}}, at=now)
        return Matter(m.id, m.client_id, m.client_name, m.reference, m.attorney_id, after), done


def apply_odoo(conn: Connection, read: Mapping[tuple[int, str], Mapping[str, Any]]) -> int:
    """What the sync read from Odoo's matter fields, per (client, reference): kept as Odoo's value; the applied
    value follows it unless the desk set its own. Returns the matters whose applied values changed."""
    if not read:
        return 0
    keys = list(read)
    rows = conn.execute(select(matters.c.id, matters.c.client_id, matters.c.reference, matters.c.flags_local,
                               matters.c.flags_odoo).where(tuple_(matters.c.client_id, matters.c.reference)
                                                           .in_(keys))).all()
    changed = 0
    for r in rows:
        odoo = {n: mf.to_json(v) for n, v in read[(r.client_id, r.reference)].items()}
        if odoo == dict(r.flags_odoo or {}):
            continue
        before = mf.columns(mf.resolve(dict(r.flags_local or {}), dict(r.flags_odoo or {})))
        after = mf.columns(mf.resolve(dict(r.flags_local or {}), odoo))
        conn.execute(update(matters).where(matters.c.id == r.id).values(flags_odoo=odoo, **after))
        changed += before != after
    return changed


def odoo_values(raw: Mapping[str, Any]) -> dict[str, mf.FlagValue]:
    """One Odoo record's matter flags ({flag: raw value}, from [odoo] matter_flag_fields) as the flags' types.
    A value that does not read is left out (the desk keeps the last good one) rather than guessed."""
    out: dict[str, mf.FlagValue] = {}
    for name, value in raw.items():
        spec = mf.BY_NAME.get(name)
        if spec is None:
            continue
        try:
            out[name] = spec.parse(value)
        except mf.FlagError:
            continue
    return out


__all__ = ["Change", "Matter", "apply_odoo", "find", "list_matters", "odoo_values", "parse_changes",
           "set_flags", "show"]
