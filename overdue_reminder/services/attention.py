"""What is stuck between decision and exit, for `status` and the morning digest (issue 12).

Three lists people must see before they become a liability: letters an attorney approved that nobody has
released yet (who approved, when), letters about to go stale (awaiting review or approved, within
`letters.expiry_warning_days` of `letters.max_age_days`: a stale letter is not released as is), and items
blocked or refused in the last day with the reason (a reminder cancelled at the exit, a letter blocked,
refused or rejected, an offer refused). Read-only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, or_, select

from overdue_reminder.config import LettersSettings
from overdue_reminder.services.letters import APPROVED, AWAITING
from overdue_reminder.store.schema import audit, clients, letters

# Audit actions that mean "this did not leave, and here is why"; any action ending in ".blocked" too.
BLOCKING_ACTIONS = ("reminder.cancelled", "letter.blocked", "letter.rejected", "letter.release_refused",
                    "letter.decision_refused", "offer.refuse")
BLOCKED_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class WaitingLetter:
    id: int
    client: str
    kind: str
    status: str
    run_date: date
    approved_by: str | None
    approved_at: datetime | None
    expires_on: date
    days_left: int  # negative: already stale


@dataclass(frozen=True)
class BlockedItem:
    at: datetime
    what: str  # "reminder #12"
    action: str
    reason: str
    actor: str


@dataclass
class Attention:
    approved_unreleased: list[WaitingLetter] = field(default_factory=list)
    expiring: list[WaitingLetter] = field(default_factory=list)
    blocked: list[BlockedItem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"letters_approved_unreleased": [asdict(w) for w in self.approved_unreleased],
                "letters_expiring": [asdict(w) for w in self.expiring],
                "blocked_last_24h": [asdict(b) for b in self.blocked]}

    def lines(self, tz: tzinfo = UTC) -> list[str]:
        """The plain-text lines the digest and `status` print, times on the firm's clock (`tz`), labelled."""
        out = [f"letter #{w.id} ({w.kind}, {w.client}) approved by {w.approved_by} on {_when(w.approved_at, tz)}, "
               f"not yet released" for w in self.approved_unreleased]
        out += [f"letter #{w.id} ({w.kind}, {w.client}, {w.status.replace('_', ' ')}) "
                + (f"goes stale on {w.expires_on.isoformat()} ({w.days_left} day(s) left)" if w.days_left >= 0
                   else f"is stale since {w.expires_on.isoformat()}: it comes back for re-approval")
                for w in self.expiring]
        out += [f"{b.what} {b.action.split('.', 1)[1].replace('_', ' ')} {_when(b.at, tz)} by {b.actor}: {b.reason}"
                for b in self.blocked]
        return out


def _when(at: datetime | None, tz: tzinfo) -> str:
    if at is None:
        return "-"
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def attention(conn: Connection, today: date, now: datetime, rules: LettersSettings) -> Attention:
    """The three lists as of `today` (the firm's date) and `now` (for the last 24 hours)."""
    found = Attention()
    warn_from = today - timedelta(days=rules.max_age_days - rules.expiry_warning_days)
    q = (select(letters.c.id, letters.c.kind, letters.c.status, letters.c.run_date, letters.c.decided_by,
                letters.c.decided_at, clients.c.name)
         .join(clients, clients.c.id == letters.c.client_id, isouter=True)
         .where(letters.c.status.in_((AWAITING, APPROVED))).order_by(letters.c.run_date, letters.c.id))
    for r in conn.execute(q):
        expires = r.run_date + timedelta(days=rules.max_age_days)
        approved = r.status == APPROVED
        w = WaitingLetter(r.id, r.name or "", r.kind, r.status, r.run_date, r.decided_by if approved else None,
                          r.decided_at if approved else None, expires, (expires - today).days)
        if approved:
            found.approved_unreleased.append(w)
        if r.run_date <= warn_from:
            found.expiring.append(w)
    since = now - BLOCKED_WINDOW
    q2 = (select(audit).where(audit.c.at >= since,
                              or_(audit.c.action.in_(BLOCKING_ACTIONS), audit.c.action.like("%.blocked")))
          .order_by(audit.c.at, audit.c.id))
    for a in conn.execute(q2):
        detail = a.detail or {}
        reason = detail.get("reason") or detail.get("why") or "; ".join(map(str, detail.get("reasons") or ()))
        found.blocked.append(BlockedItem(a.at, f"{a.object_type} #{a.object_id}", a.action,
                                         str(reason or "no reason recorded"), a.actor))
    return found


__all__ = ["BLOCKING_ACTIONS", "Attention", "BlockedItem", "WaitingLetter", "attention"]
