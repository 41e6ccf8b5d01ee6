"""The morning digest: the night's results and queues to billing staff, each attorney's own queue to them.

Written for people: a short summary first ("Tonight: 12 reminders sent ... 3 letters wait for Margaret Chen,
oldest 4 days"), a table of what waits for whom, a link to the review page, plural forms by the language's
rules (services.digest_text); the run's technical figures go to a small footer. The HTML part carries one
aging chart per currency (services.aging_chart) as inline images.

Sent through the configured delivery (outbox files or SMTP; in Odoo mode, the outbox), once per day: a digest
already sent for a date is not sent again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, insert, select

from overdue_reminder.config import Settings, read_secret
from overdue_reminder.core.aging import AgingRow, aging
from overdue_reminder.errors import DeliveryError
from overdue_reminder.files import secure_dir, write_private
from overdue_reminder.services.aging_chart import panels
from overdue_reminder.services.attention import attention
from overdue_reminder.services.delivery import SmtpTransport
from overdue_reminder.services.digest_text import (
    AttorneyFacts,
    Item,
    StaffFacts,
    Waiting,
    days_since,
    render_attorney,
    render_staff,
    technical_lines,
)
from overdue_reminder.services.reminders import from_address
from overdue_reminder.services.status import (
    AttorneyItem,
    LettersWaiting,
    Queues,
    attorney_items,
    letters_waiting,
    queue_sizes,
)
from overdue_reminder.store import Store, ledger
from overdue_reminder.store.schema import service_runs


@dataclass(frozen=True)
class Digest:
    to: str
    subject: str
    text: str
    html: str
    charts: tuple[tuple[str, bytes], ...] = ()  # (Content-ID without brackets, PNG), one per currency


def _count(night: Mapping[str, Any], step: str, *keys: str) -> int:
    data = night.get(step)
    if not isinstance(data, Mapping):
        return 0
    return sum(v for k in keys if isinstance(v := data.get(k), int) and not isinstance(v, bool))


def tonight(night: Mapping[str, Any]) -> dict[str, int]:
    """The night's results a person cares about, from the pipeline's step summaries."""
    return {"sent": _count(night, "deliver", "sent"), "drafted": _count(night, "drafts", "created"),
            "letters": _count(night, "letters", "queued"), "offers": _count(night, "offers", "offers_recorded"),
            "blocked": _count(night, "deliver", "blocked", "cancelled"), "failed": _count(night, "deliver", "failed")}


def waiting(q: Queues, letters: Sequence[LettersWaiting], now: datetime) -> list[Waiting]:
    """What waits for whom, letters first (each attorney by name; by email too when two share a name)."""
    names = [w.name for w in letters]
    out = [Waiting("letters", w.count, w.name if names.count(w.name) == 1 or w.name == w.email
                   else f"{w.name} ({w.email})", days_since(w.oldest, now)) for w in letters]
    for what, n in (("drafts", q.drafts_to_approve), ("offers", q.offers_awaiting_attorney),
                    ("postal", q.postal_items), ("invalid", q.invalid_addresses), ("unconfirmed", q.unconfirmed)):
        if n:
            out.append(Waiting(what, n))
    return out


def _item(i: AttorneyItem, base: str, now: datetime) -> Item:
    return Item(i.kind, i.id, i.client or "-", i.summary, days_since(i.since, now), f"{base}/{i.kind}s/{i.id}")


def _cid(currency: str, run_date: date) -> str:
    return f"aging-{currency.lower()}-{run_date.isoformat()}@overdue-reminder"


def build_digests(settings: Settings, store: Store, run_date: date, night: Mapping[str, Any],
                  now: datetime | None = None) -> list[Digest]:
    now = now or datetime.now(UTC)
    with store.begin() as conn:
        queues = queue_sizes(conn)
        items = attorney_items(conn)
        letters = letters_waiting(conn)
        stuck = attention(conn, run_date, now, settings.letters)
        invs = ledger.load_open_invoices(conn)
    totals: list[AgingRow] = sorted(aging(invs, run_date, "total"), key=lambda r: r.currency)
    firm, language, base = settings.firm.name, settings.digest.language, settings.web.base_url()
    out: list[Digest] = []
    if settings.digest.billing_staff:
        charts = tuple((_cid(cur, run_date), png) for cur, png in panels(totals, "png", locale=language))
        facts = StaffFacts(firm, run_date, tonight(night), waiting(queues, letters, now),
                           stuck.lines(ZoneInfo(settings.firm.timezone)), totals, base,
                           technical_lines(night))
        r = render_staff(facts, language, {r.currency: cid for r, (cid, _) in zip(totals, charts, strict=True)})
        out += [Digest(to, r.subject, r.text, r.html, charts) for to in settings.digest.billing_staff]
    if settings.digest.attorneys:
        for email, its in sorted(items.items()):
            if not email:
                continue
            a = render_attorney(AttorneyFacts(firm, run_date, email, [_item(i, base, now) for i in its], base),
                                language)
            out.append(Digest(email, a.subject, a.text, a.html))
    return out


def to_message(settings: Settings, d: Digest, run_date: date, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((settings.firm.name, from_address(settings)))
    msg["To"] = d.to
    msg["Subject"] = d.subject
    domain = from_address(settings).rpartition("@")[2] or "localhost"
    who = hashlib.sha256(d.to.lower().encode()).hexdigest()[:12]
    # The same id for the same day and reader: a digest re-sent after a failure is recognisably the same mail.
    msg["Message-ID"] = f"<digest-{run_date.isoformat()}-{who}@{domain}>"
    # In the firm's timezone, as every time a person reads (mail clients convert it to the reader's anyway).
    msg["Date"] = format_datetime((now if now.tzinfo else now.replace(tzinfo=UTC))
                                  .astimezone(ZoneInfo(settings.firm.timezone)))
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to the desk
    msg.set_content(d.text)
    msg.add_alternative(d.html, subtype="html")
    html_part = msg.get_body(preferencelist=("html",))
    assert html_part is not None
    for cid, png in d.charts:
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>",
                              filename=f"{cid.split('@')[0]}.png", disposition="inline")
    return msg


def already_sent(store: Store, run_date: date) -> bool:
    with store.begin() as conn:
        return conn.execute(select(service_runs.c.id).where(and_(
            service_runs.c.job == "digest", service_runs.c.run_date == run_date,
            service_runs.c.status == "ok"))).first() is not None


def send_digests(settings: Settings, store: Store, run_date: date, night: Mapping[str, Any], now: datetime, *,
                 dry_run: bool = False) -> dict[str, Any]:
    if not settings.digest.enabled:
        return {"sent": 0, "note": "digest disabled"}
    if already_sent(store, run_date):
        return {"sent": 0, "note": "already sent today"}
    digests = build_digests(settings, store, run_date, night, now)
    messages = [to_message(settings, d, run_date, now) for d in digests]
    if dry_run or not messages:
        return {"sent": 0, "would_send": len(messages)}
    try:
        where = _deliver(settings, messages, run_date)
    except (DeliveryError, OSError) as exc:  # recorded for `status`; the next pass sends it (not sent yet)
        with store.begin() as conn:
            conn.execute(insert(service_runs).values(job="digest", run_date=run_date, started_at=now,
                                                     finished_at=now, status="failed", counts={},
                                                     error=str(exc)[:4000]))
        raise
    with store.begin() as conn:
        conn.execute(insert(service_runs).values(job="digest", run_date=run_date, started_at=now, finished_at=now,
                                                 status="ok", counts={"sent": len(messages), "to": where},
                                                 error=""))
    return {"sent": len(messages), "to": where}


def _deliver(settings: Settings, messages: Sequence[EmailMessage], run_date: date) -> list[str]:
    d = settings.delivery
    if d.mode == "smtp":
        password = read_secret(d.smtp_password_env, "", settings.config_path, "delivery") if d.smtp_username else ""
        t = SmtpTransport(settings, password)
        t.open()
        try:
            assert t.conn is not None
            for m in messages:
                t.conn.send_message(m)
        finally:
            t.close()
        return [str(m["To"]) for m in messages]
    folder = settings.resolve(d.outbox_dir) / "digests"
    secure_dir(folder, tighten=False)
    paths = []
    for i, m in enumerate(messages):
        path = folder / f"{run_date.isoformat()}-{i:03d}.eml"
        write_private(path, m.as_bytes())
        paths.append(str(path))
    return paths


__all__ = ["Digest", "build_digests", "send_digests", "to_message", "tonight", "waiting"]
