"""The morning digest: the night's results and queues to billing staff, each attorney's own queue to them.

Sent through the configured delivery (outbox files or SMTP; in Odoo mode, the outbox), once per
day: a digest already sent for a date is not sent again. The HTML part carries an aging chart
drawn with matplotlib (PNG, per bucket and currency) as an inline image.
"""

from __future__ import annotations

import hashlib
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from sqlalchemy import and_, insert, select

from overdue_reminder.config import Settings, read_secret
from overdue_reminder.core.aging import BUCKETS, AgingRow, aging
from overdue_reminder.files import secure_dir, write_private
from overdue_reminder.services.delivery import SmtpTransport
from overdue_reminder.services.reminders import from_address
from overdue_reminder.services.status import AttorneyItem, Queues, attorney_items, queue_sizes
from overdue_reminder.store import Store, ledger
from overdue_reminder.store.schema import service_runs


def aging_chart_png(rows: Sequence[AgingRow]) -> bytes:
    """Grouped bars: one group per bucket, one bar per currency (amounts never summed across them)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=100)
    width = 0.8 / max(1, len(rows))
    for i, row in enumerate(rows):
        xs = [b + i * width for b in range(len(BUCKETS))]
        # matplotlib draws floats; the figures in the text stay Decimal.
        ax.bar(xs, [float(row.buckets[b]) for b in BUCKETS], width, label=row.currency)
    ax.set_xticks([b + 0.4 - width / 2 for b in range(len(BUCKETS))], list(BUCKETS))
    ax.set_ylabel("open amount")
    ax.set_title("Receivables by days past due")
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


@dataclass(frozen=True)
class Digest:
    to: str
    subject: str
    text: str
    html: str
    chart: bytes | None = None


def _money(totals: Mapping[str, Decimal]) -> str:
    return ", ".join(f"{v:,} {c}" for c, v in totals.items()) or "nothing"


def build_digests(settings: Settings, store: Store, run_date: date, night: Mapping[str, Any]) -> list[Digest]:
    with store.begin() as conn:
        queues = queue_sizes(conn)
        items = attorney_items(conn)
        invs = ledger.load_open_invoices(conn)
    totals = aging(invs, run_date, "total")
    out: list[Digest] = []
    firm = settings.firm.name
    if settings.digest.billing_staff:
        chart = aging_chart_png(totals) if totals else None
        text, body = _staff_body(queues, totals, night)
        for to in settings.digest.billing_staff:
            out.append(Digest(to, f"{firm}: collections desk, {run_date.isoformat()}", text, body, chart))
    if settings.digest.attorneys:
        for email, its in sorted(items.items()):
            if not email:
                continue
            text, body = _attorney_body(its)
            out.append(Digest(email, f"{firm}: {len(its)} item(s) await your decision", text, body))
    return out


def _staff_body(q: Queues, totals: Sequence[AgingRow], night: Mapping[str, Any]) -> tuple[str, str]:
    lines = ["Last night's run:"]
    for step, data in night.items():
        if isinstance(data, Mapping):
            shown = ", ".join(f"{k} {v}" for k, v in data.items() if isinstance(v, (int, str)) and v not in ("", 0))
            lines.append(f"  {step}: {shown or 'nothing to do'}")
    lines += ["", "Waiting for people:",
              f"  reminders to approve: {q.drafts_to_approve}",
              f"  postal items (no email address): {q.postal_items}",
              f"  invalid addresses to fix: {q.invalid_addresses}",
              f"  unconfirmed deliveries to reconcile: {q.unconfirmed}",
              f"  offers awaiting an attorney: {q.offers_awaiting_attorney}"]
    lines += [f"  letters awaiting {who}: {n}" for who, n in sorted(q.letters_by_attorney.items())]
    lines += ["", "Open receivables (current / 1-30 / 31-60 / 61-90 / 90+):"]
    lines += [f"  {r.currency}: " + " / ".join(f"{r.buckets[b]:,}" for b in BUCKETS) for r in totals]
    text = "\n".join(lines) + "\n"
    body = ("<html><body><pre style=\"font-family:system-ui,sans-serif\">" + html.escape(text) + "</pre>"
            + ("<p><img src=\"cid:aging-chart\" alt=\"aging chart\"></p>" if totals else "") + "</body></html>")
    return text, body


def _attorney_body(items: Sequence[AttorneyItem]) -> tuple[str, str]:
    lines = ["These wait for your decision (overdue-reminder letters list / offer list, or the review page):", ""]
    lines += [f"  {i.kind} #{i.id} — {i.client}: {i.summary}" for i in items]
    text = "\n".join(lines) + "\n"
    return text, "<html><body><pre>" + html.escape(text) + "</pre></body></html>"


def to_message(settings: Settings, d: Digest, run_date: date) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((settings.firm.name, from_address(settings)))
    msg["To"] = d.to
    msg["Subject"] = d.subject
    domain = from_address(settings).rpartition("@")[2] or "localhost"
    who = hashlib.sha256(d.to.lower().encode()).hexdigest()[:12]
    msg["Message-ID"] = f"<digest-{run_date.isoformat()}-{who}@{domain}>"
    msg.set_content(d.text)
    msg.add_alternative(d.html, subtype="html")
    if d.chart:
        html_part = msg.get_body(preferencelist=("html",))
        assert html_part is not None
        html_part.add_related(d.chart, maintype="image", subtype="png", cid="<aging-chart>")
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
    digests = build_digests(settings, store, run_date, night)
    messages = [to_message(settings, d, run_date) for d in digests]
    if dry_run or not messages:
        return {"sent": 0, "would_send": len(messages)}
    where = _deliver(settings, messages, run_date)
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


__all__ = ["Digest", "aging_chart_png", "build_digests", "send_digests"]
