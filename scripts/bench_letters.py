"""Benchmark: escalation letters, LetterBuilder against python-docx building the same document bare.

At scale 1.0: 1,000 letters for 1,000 made-up clients (1-12 invoices each, USD/EUR/JPY, some with an offer and
a reminder history), NY notices, DRAFT header, page-number footer. Measured in one run, each in one loop:
  (a) LetterBuilder.build: render the jinja2 blocks, Babel formatting, the phrase check, layout, save to bytes;
  (b) bare python-docx: the same words (rendered beforehand, not timed) laid out with python-docx's own API on
      its default template (Document(), add_paragraph, add_table, cell.text, header, footer fields), saved;
  (c) the queue: create_letter into a SQLite store, each .docx written 0600 and fsynced (a fifth of the letters).
The ratio (a)/(b) is how many times faster the builder makes a whole letter than bare python-docx lays one out.
"""

from __future__ import annotations

import io
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from overdue_reminder import config
from overdue_reminder.core.letter_docx import LetterBuilder, LetterRequest, LetterText, SentReminder
from overdue_reminder.model import Action, ActionLine, Address, Attorney, InvoiceKind, Partner
from overdue_reminder.services.letter_enclosures import write_sample_forms
from overdue_reminder.services.letters import create_letter
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_attorneys, store_partners

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
ATTORNEY = Attorney(7, "Dana Whitfield", "dwhitfield", "dana@harperlowe.example")
CONFIG = """
source = "files"
[firm]
name = "Harper & Lowe LLP"
address = ["350 Fifth Avenue, Suite 4100", "New York, NY 10118"]
phone = "+1 212 555 0100"
email = "billing@harperlowe.example"
website = "https://harperlowe.example"
jurisdiction = "NY"
[store]
path = "bench.db"
[letters]
dir = "letters"
supervising_partner = "partner@harperlowe.example"
pdf = "never"
[letters.jurisdictions.NY.form_files]
"UCS 137-1" = "forms/SAMPLE-UCS-137-1.txt"
"UCS 137-2" = "forms/SAMPLE-UCS-137-2.txt"
"""


def requests(n: int, seed: int = 11) -> list[LetterRequest]:
    rnd = random.Random(seed)
    out: list[LetterRequest] = []
    for i in range(n):
        cid = 10_000 + i
        client = Partner(cid, f"Client {i:05d} Holdings LLC", cid, is_company=True,
                         address=Address(f"{rnd.randint(1, 999)} Main Street", "", "Albany", "12207", "NY", "USA"))
        lines = []
        for j in range(rnd.randint(1, 12)):
            cur = rnd.choice(["USD", "USD", "USD", "EUR", "JPY"])
            cents = rnd.randint(20_000, 900_000)
            total = Decimal(cents) if cur == "JPY" else Decimal(cents) / 100
            paid = (total * Decimal(rnd.choice([0, 0, 0, 25, 50])) / 100).quantize(total)
            due = TODAY - timedelta(days=rnd.randint(91, 400))
            lines.append(ActionLine(cid * 100 + j, f"INV/2025/{cid * 100 + j}", InvoiceKind.INVOICE,
                                    f"M-{cid}-{j % 3}", cur, due - timedelta(days=30), due, total, paid, total - paid,
                                    (TODAY - due).days))
        totals: dict[str, Decimal] = {}
        for ln in lines:
            totals[ln.currency] = totals.get(ln.currency, Decimal(0)) + ln.amount_residual
        action = Action(client_id=cid, client_name=client.name, tier="escalation", tier_index=4, channel="letter",
                        attorney_review=True, auto_send=False, with_offer=False, matter_ref="", lines=tuple(lines),
                        totals=totals, credits={}, unapplied_payments={},
                        max_days_past_due=max(ln.days_past_due for ln in lines), attorney_id=ATTORNEY.id,
                        contact_id=cid, to_email="", language="en_US", grade="C", reasons=("bench",))
        history = tuple(SentReminder(TODAY - timedelta(days=d), t)
                        for d, t in ((75, "friendly"), (45, "firm"), (15, "final"))[: rnd.randint(0, 3)])
        offer: dict[str, Any] | None = None
        if rnd.random() < 0.3 and "USD" in totals:
            bal = totals["USD"]
            offer = {"kind": "settlement", "currency": "USD", "balance": bal,
                     "settlement_amount": (bal * Decimal("0.9")).quantize(Decimal("0.01")),
                     "respond_by": TODAY + timedelta(days=14)}
        out.append(LetterRequest(action=action, client=client, today=TODAY, attorney=ATTORNEY, history=history,
                                 offer=offer))
    return out


def _field(paragraph: Any, instr: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instr} ")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def bare_docx(text: LetterText, firm: config.FirmSettings) -> bytes:
    """The same document with python-docx's everyday API and default template: the baseline."""
    d = docx.Document()
    name = d.add_paragraph().add_run(firm.name)
    name.bold = True
    name.font.size = Pt(16)
    d.add_paragraph("\n".join([*firm.address, " · ".join((firm.phone, firm.email, firm.website))]))
    header = d.sections[0].header.paragraphs[0]
    marker = header.add_run(text.labels["draft_marker"])
    marker.bold = True
    marker.font.color.rgb = RGBColor(0xC0, 0, 0)
    footer = d.sections[0].footer.paragraphs[0]
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    d.add_paragraph(text.date_line)
    d.add_paragraph("\n".join(text.address_lines))
    d.add_paragraph().add_run(text.reference).bold = True
    d.add_paragraph(text.salutation)
    for block in text.body.split("\n\n"):
        d.add_paragraph(block)
    d.add_paragraph().add_run(text.labels["invoices_heading"]).bold = True
    table = d.add_table(rows=1, cols=7)
    table.style = "Table Grid"
    for cell, key in zip(table.rows[0].cells, ("col_number", "col_date", "col_due", "col_amount", "col_paid",
                                               "col_outstanding", "col_currency"), strict=True):
        cell.text = text.labels[key]
    for row in text.table_rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    d.add_paragraph().add_run(text.labels["totals_heading"]).bold = True
    for label, amount in text.totals:
        d.add_paragraph(f"{label}: {amount}")
    d.add_paragraph().add_run(text.labels["history_heading"]).bold = True
    d.add_paragraph("\n".join(text.history) or text.labels["history_none"])
    if text.offer:
        d.add_paragraph().add_run(text.labels["offer_heading"]).bold = True
        d.add_paragraph(text.offer)
    for block in text.notice.split("\n\n"):
        d.add_paragraph(block)
    d.add_paragraph(text.closing)
    d.add_paragraph(text.signature)
    d.add_paragraph("Enclosures: " + "; ".join(text.enclosures))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def run(scale: float) -> list[dict[str, Any]]:
    n = max(10, int(1000 * scale))
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "overdue-reminder.toml"
        write_sample_forms(Path(tmp) / "forms")  # the NY notice encloses them
        cfg.write_text(CONFIG, encoding="utf-8")
        settings = config.parse(CONFIG, str(cfg))
        reqs = requests(n)
        builder = LetterBuilder(settings)
        builder.build(reqs[0])  # warm-up: skeleton, templates, holiday table (once per process)

        t0 = time.perf_counter()
        sizes = 0
        for req in reqs:
            sizes += len(builder.build(req))
        t_ours = time.perf_counter() - t0

        texts = [builder.render(req) for req in reqs]  # the words, prepared outside the timed loop
        bare_docx(texts[0], settings.firm)
        t0 = time.perf_counter()
        bare_sizes = 0
        for text in texts:
            bare_sizes += len(bare_docx(text, settings.firm))
        t_bare = time.perf_counter() - t0

        nq = max(5, n // 5)
        store = Store(settings.store_url)
        store.upgrade()
        with store.begin() as conn:
            store_partners(conn, [r.client for r in reqs[:nq]], NOW)
            store_attorneys(conn, [ATTORNEY])
        t0 = time.perf_counter()
        for req in reqs[:nq]:
            create_letter(store, settings, req.action, today=TODAY, builder=builder, now=NOW, offer=req.offer)
        t_queue = time.perf_counter() - t0
        store.dispose()

    lines = sum(len(r.action.lines) for r in reqs)
    return [
        {"name": "letters.build", "value": round(n / t_ours, 1), "unit": "letters/s",
         "note": f"{n} letters ({lines} invoice rows), LetterBuilder: render + check + layout + save; "
                 f"{t_ours:.2f}s, {sizes // n // 1024} KB each"},
        {"name": "letters.bare_python_docx", "value": round(n / t_bare, 1), "unit": "letters/s",
         "note": f"the same documents laid out with python-docx's own API (words pre-rendered); {t_bare:.2f}s, "
                 f"{bare_sizes // n // 1024} KB each"},
        {"name": "letters.speedup_vs_bare", "value": round(t_bare / t_ours, 2), "unit": "x",
         "note": "LetterBuilder letters/s over bare python-docx letters/s (higher is better)"},
        {"name": "letters.queue_create", "value": round(nq / t_queue, 1), "unit": "letters/s",
         "note": f"{nq} create_letter calls into SQLite: build + 0600 file + fsync + row + audit"},
    ]
