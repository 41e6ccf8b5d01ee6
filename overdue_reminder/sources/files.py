"""CSV exports for firms whose accounting system can only export (and for demos).

invoices.csv columns (header row required; UTF-8):
  id, number, type (invoice | credit_note), client_id, contact_id (optional: billing contact),
  attorney_id, attorney_name, attorney_email (optional), matter_ref, currency (ISO 4217),
  amount_total, amount_residual (decimal with '.'), invoice_date, due_date (YYYY-MM-DD),
  status (open | paid | cancelled)
clients.csv columns:
  id, name, parent_id (empty for a client; the client's id for one of its contacts), email, lang,
  phone, is_company (true/false), street, street2, city, zip, state, country
payments.csv columns (optional file):
  id, client_id, amount, currency, date, reconciled (true/false), invoice_ids (space-separated)

Each export is a full snapshot: an open invoice missing from it is closed in the ledger. A row that
cannot be used (unknown status, a second row with the same id, residual above total, bad amount) is
skipped and listed with its row number; its invoice counts as missing, so a stored copy is closed, never
left open on a guess.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from overdue_reminder.errors import ConfigError
from overdue_reminder.model import (
    Address,
    Attorney,
    Invoice,
    InvoiceKind,
    Partner,
    Payment,
    Skipped,
    TrustBalance,
    Watermark,
)
from overdue_reminder.money import MoneyError, is_currency
from overdue_reminder.sources import Page, StoredWriteDates
from overdue_reminder.sources.sanitise import DEFAULT_MAX_AMOUNT, NAME_MAX, Cleaner, line

INVOICE_COLUMNS = ("id", "number", "type", "client_id", "matter_ref", "currency", "amount_total",
                   "amount_residual", "due_date", "status")
CLIENT_COLUMNS = ("id", "name", "email")
PAYMENT_COLUMNS = ("id", "client_id", "amount", "currency", "date")
STATUSES = ("open", "paid", "cancelled")
ROW = "_row"  # each row carries its line number in the file, for the list of skipped rows


def _rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """The export's rows, each with its line number under ROW; a file that is not UTF-8 names itself."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"the export {path} does not exist.", key="files",
                          fix="check [files] in the config.") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the export {path}: {exc.strerror}.", key="files",
                          fix="check the file's permissions.") from exc
    try:
        textdata = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        lineno = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"the export {path} is not UTF-8 (line {lineno}, byte {exc.start}: {exc.reason}).",
                          key="files", fix="export it again as UTF-8 (CSV UTF-8 in Excel and LibreOffice).") from exc
    reader = csv.DictReader(io.StringIO(textdata, newline=""))  # not splitlines: it splits on \x0b too
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(f"{path} lacks the column(s) {', '.join(missing)}.",
                          fix=f"export a header row with at least: {', '.join(required)}.")
    out = []
    last = reader.line_num
    for row in reader:
        clean = {k: (v if isinstance(v, str) else "").strip() for k, v in row.items() if k}
        clean[ROW] = str(last + 1)  # where the row starts (a quoted field may span lines)
        last = reader.line_num
        out.append(clean)
    return out


def _bool(v: str) -> bool:
    return v.lower() in ("1", "true", "yes", "y")


def _date(v: str) -> date | None:
    try:
        return date.fromisoformat(v) if v else None
    except ValueError:
        return None


def _int(v: str) -> int | None:
    try:
        return int(v) if v else None
    except ValueError:
        return None


class FileSource:
    """Reads the three CSV exports; every run is a full snapshot."""

    name = "files"

    def __init__(self, invoices_csv: Path, clients_csv: Path, payments_csv: Path | None = None, *,
                 max_amount: Decimal = DEFAULT_MAX_AMOUNT) -> None:
        self.invoices_csv, self.clients_csv, self.payments_csv = invoices_csv, clients_csv, payments_csv
        self.max_amount = max_amount
        self._partners: dict[int, Partner] = {}
        self._attorneys: dict[int, Attorney] = {}
        self._partner_notes: list[Skipped] = []
        self._attorney_notes: list[Skipped] = []

    @property
    def rpc_calls(self) -> int:
        return 0

    def open(self) -> None:
        self._partners, self._partner_notes, self._attorney_notes = {}, [], []
        for row in _rows(self.clients_csv, CLIENT_COLUMNS):
            pid = _int(row["id"])
            if pid is None:
                self._partner_notes.append(Skipped("clients.csv", f"row {row[ROW]}",
                                                   f"row {row[ROW]}: id {line(row['id'], 40)!r} is not a whole number"))
                continue
            if pid in self._partners:
                self._partner_notes.append(Skipped("clients.csv", pid, f"row {row[ROW]}: duplicate id {pid}; "
                                                                       "the first row with it is used"))
                continue
            self._partners[pid] = self._partner(pid, row)

    def _partner(self, pid: int, row: dict[str, str]) -> Partner:
        c = Cleaner("clients.csv", pid)
        parent = _int(row.get("parent_id", ""))
        partner = Partner(
            id=pid, name=c.text("name", row["name"], NAME_MAX), commercial_id=parent or pid,
            email=c.email("email", row.get("email", "")), lang=line(row.get("lang", ""), 16),
            phone=c.text("phone", row.get("phone", ""), 64), is_company=_bool(row.get("is_company", "")),
            contact_type="invoice" if parent else "contact",
            address=Address(*(c.text(k, row.get(k, ""), NAME_MAX)
                              for k in ("street", "street2", "city", "zip", "state", "country"))))
        self._partner_notes.extend(Skipped(n.model, n.record_id, f"row {row[ROW]}: {n.reason}") for n in c.notes)
        return partner

    def close(self) -> None:
        pass

    def writeback(self) -> None:
        """CSV exports take no writes."""
        return None

    def invoice_pages(self, wm: Watermark, stored: StoredWriteDates | None = None) -> Iterator[Page]:
        page = Page(snapshot=True, done=True, watermark=Watermark("", 0, "incremental"))
        first_row: dict[int, str] = {}
        for row in _rows(self.invoices_csv, INVOICE_COLUMNS):
            parsed = self._invoice(row)
            if isinstance(parsed, Invoice) and parsed.id in first_row:
                parsed = Skipped("invoices.csv", parsed.id,
                                 f"row {row[ROW]}: {parsed.name}: duplicate id {parsed.id} "
                                 f"(first on row {first_row[parsed.id]}); the first row is used")
            if isinstance(parsed, Skipped):
                page.skipped.append(parsed)
                continue
            first_row[parsed.id] = row[ROW]
            page.invoices.append(parsed)
            if parsed.is_open:
                self._refs(page, parsed, row)
        yield page

    def _refs(self, page: Page, parsed: Invoice, row: dict[str, str]) -> None:
        for pid in {parsed.client_id, parsed.contact_id}:
            page.partner_refs[pid] = (parsed.client_id, self._partners.get(pid, Partner(pid, "", pid)).name)
        if parsed.attorney_id is None:
            return
        if parsed.attorney_id not in self._attorneys:
            c = Cleaner("invoices.csv", parsed.attorney_id)
            name = c.text("attorney_name", row.get("attorney_name", ""), NAME_MAX)
            email = c.email("attorney_email", row.get("attorney_email", ""), strict=True)
            self._attorneys[parsed.attorney_id] = Attorney(parsed.attorney_id, name, email, email)
            self._attorney_notes.extend(Skipped("attorneys", n.record_id, f"invoices.csv row {row[ROW]}: {n.reason}")
                                        for n in c.notes)
        page.attorney_refs[parsed.attorney_id] = self._attorneys[parsed.attorney_id].name

    def _invoice(self, row: dict[str, str]) -> Invoice | Skipped:
        rid = line(row.get("id"), 40) or "?"
        number = line(row.get("number"), 64) or f"id {rid}"
        where = f"row {row[ROW]}: {number}"
        iid, client = _int(row["id"]), _int(row["client_id"])
        if iid is None:
            return Skipped("invoices.csv", rid, f"{where}: id is not a whole number")
        if client is None:
            return Skipped("invoices.csv", rid, f"{where}: no client_id")
        currency = row["currency"].upper()
        if not is_currency(currency):
            return Skipped("invoices.csv", rid, f"{where}: unknown currency {line(currency, 20)!r}")
        due = _date(row["due_date"])
        if due is None:
            return Skipped("invoices.csv", rid, f"{where}: no valid due_date (YYYY-MM-DD)")
        status = row["status"].lower()
        if status not in STATUSES:
            return Skipped("invoices.csv", rid, f"{where}: unknown status {line(row['status'], 40)!r}; "
                                                f"use one of {', '.join(STATUSES)}")
        try:
            c = Cleaner("invoices.csv", rid)
            total = c.amount("amount_total", row["amount_total"], currency, self.max_amount)
            residual = c.amount("amount_residual", row["amount_residual"], currency, self.max_amount)
        except MoneyError as exc:
            return Skipped("invoices.csv", rid, f"{where}: {exc}")
        if residual < 0 or total < 0:
            return Skipped("invoices.csv", rid, f"{where}: negative amount")
        if residual > total:
            return Skipped("invoices.csv", rid,
                           f"{where}: amount_residual {residual} is more than amount_total {total}")
        kind = InvoiceKind.CREDIT_NOTE if row["type"] in ("credit_note", "out_refund") else InvoiceKind.INVOICE
        return Invoice(id=iid, name=number, kind=kind, client_id=client, contact_id=_int(row.get("contact_id", ""))
                       or client, attorney_id=_int(row.get("attorney_id", "")), matter_ref=line(row["matter_ref"], 200),
                       currency=currency, amount_total=total, amount_residual=residual,
                       invoice_date=_date(row.get("invoice_date", "")), due_date=due,
                       payment_state="not_paid" if status == "open" else status,
                       is_open=status == "open" and residual > 0)

    def payment_pages(self, wm: Watermark) -> Iterator[Page]:
        page = Page(done=True, watermark=Watermark("", 0, "incremental"))
        if self.payments_csv is not None:
            for row in _rows(self.payments_csv, PAYMENT_COLUMNS):
                pid, client, d = _int(row["id"]), _int(row["client_id"]), _date(row["date"])
                cur = row["currency"].upper()
                if pid is None or client is None or d is None or not is_currency(cur):
                    page.skipped.append(Skipped("payments.csv", line(row.get("id"), 40) or "?",
                                                f"row {row[ROW]}: bad id, client, date or currency"))
                    continue
                try:
                    amount = Cleaner("payments.csv", pid).amount("amount", row["amount"], cur, self.max_amount)
                except MoneyError as exc:
                    page.skipped.append(Skipped("payments.csv", pid, f"row {row[ROW]}: {exc}"))
                    continue
                ids = tuple(int(x) for x in row.get("invoice_ids", "").split() if x.isdigit())
                page.payments.append(Payment(pid, client, amount, cur, d, _bool(row.get("reconciled", "")), ids))
        yield page

    def read_partners(self, ids: Sequence[int]) -> tuple[list[Partner], list[Skipped]]:
        notes, self._partner_notes = self._partner_notes, []  # listed once per run
        return [self._partners[i] for i in ids if i in self._partners], notes

    def changed_partner_ids(self, wm: Watermark, stored: StoredWriteDates | None = None) -> tuple[list[int], Watermark]:
        return list(self._partners), wm  # a snapshot: every known client may have changed

    def read_attorneys(self, ids: Sequence[int]) -> tuple[list[Attorney], list[Skipped]]:
        notes, self._attorney_notes = self._attorney_notes, []
        return [self._attorneys[i] for i in ids if i in self._attorneys], notes

    def currencies(self) -> dict[str, int] | None:
        return None  # exports carry no currency table: CLDR's precisions

    def trust_balances(self, wm: Watermark) -> tuple[list[TrustBalance] | None, Watermark]:
        return None, wm  # exports carry no trust ledger
