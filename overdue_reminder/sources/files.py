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

Each export is a full snapshot: an open invoice missing from it is closed in the ledger.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date
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
from overdue_reminder.money import MoneyError, is_currency, to_decimal
from overdue_reminder.sources import Page

INVOICE_COLUMNS = ("id", "number", "type", "client_id", "matter_ref", "currency", "amount_total",
                   "amount_residual", "due_date", "status")
CLIENT_COLUMNS = ("id", "name", "email")
PAYMENT_COLUMNS = ("id", "client_id", "amount", "currency", "date")


def _rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(f"{path} lacks the column(s) {', '.join(missing)}.",
                                  fix=f"export a header row with at least: {', '.join(required)}.")
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except FileNotFoundError as exc:
        raise ConfigError(f"the export {path} does not exist.", key="files",
                          fix="check [files] in the config.") from exc


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

    def __init__(self, invoices_csv: Path, clients_csv: Path, payments_csv: Path | None = None) -> None:
        self.invoices_csv, self.clients_csv, self.payments_csv = invoices_csv, clients_csv, payments_csv
        self._partners: dict[int, Partner] = {}
        self._attorneys: dict[int, Attorney] = {}

    @property
    def rpc_calls(self) -> int:
        return 0

    def open(self) -> None:
        self._partners = {}
        for row in _rows(self.clients_csv, CLIENT_COLUMNS):
            pid = _int(row["id"])
            if pid is None:
                continue
            parent = _int(row.get("parent_id", ""))
            self._partners[pid] = Partner(
                id=pid, name=row["name"], commercial_id=parent or pid, email=row.get("email", ""),
                lang=row.get("lang", ""), phone=row.get("phone", ""), is_company=_bool(row.get("is_company", "")),
                contact_type="invoice" if parent else "contact",
                address=Address(row.get("street", ""), row.get("street2", ""), row.get("city", ""),
                                row.get("zip", ""), row.get("state", ""), row.get("country", "")))

    def close(self) -> None:
        pass

    def writeback(self) -> None:
        """CSV exports take no writes."""
        return None

    def invoice_pages(self, wm: Watermark) -> Iterator[Page]:
        page = Page(snapshot=True, done=True, watermark=Watermark("", 0, "incremental"))
        for row in _rows(self.invoices_csv, INVOICE_COLUMNS):
            parsed = self._invoice(row)
            if isinstance(parsed, Skipped):
                page.skipped.append(parsed)
                continue
            page.invoices.append(parsed)
            if parsed.is_open:
                for pid in {parsed.client_id, parsed.contact_id}:
                    page.partner_refs[pid] = (parsed.client_id, self._partners.get(pid, Partner(pid, "", pid)).name)
                if parsed.attorney_id is not None:
                    page.attorney_refs[parsed.attorney_id] = row.get("attorney_name", "")
                    self._attorneys[parsed.attorney_id] = Attorney(parsed.attorney_id, row.get("attorney_name", ""),
                                                                   row.get("attorney_email", ""),
                                                                   row.get("attorney_email", ""))
        yield page

    def _invoice(self, row: dict[str, str]) -> Invoice | Skipped:
        rid = row.get("id") or "?"
        number = row.get("number") or f"row {rid}"
        iid, client = _int(row["id"]), _int(row["client_id"])
        if iid is None:
            return Skipped("invoices.csv", rid, f"{number}: id is not a whole number")
        if client is None:
            return Skipped("invoices.csv", rid, f"{number}: no client_id")
        currency = row["currency"].upper()
        if not is_currency(currency):
            return Skipped("invoices.csv", rid, f"{number}: unknown currency {currency!r}")
        due = _date(row["due_date"])
        if due is None:
            return Skipped("invoices.csv", rid, f"{number}: no valid due_date (YYYY-MM-DD)")
        try:
            total = to_decimal(row["amount_total"], currency)
            residual = to_decimal(row["amount_residual"], currency)
        except MoneyError as exc:
            return Skipped("invoices.csv", rid, f"{number}: {exc}")
        if residual < 0 or total < 0:
            return Skipped("invoices.csv", rid, f"{number}: negative amount")
        kind = InvoiceKind.CREDIT_NOTE if row["type"] in ("credit_note", "out_refund") else InvoiceKind.INVOICE
        status = row["status"].lower()
        return Invoice(id=iid, name=number, kind=kind, client_id=client, contact_id=_int(row.get("contact_id", ""))
                       or client, attorney_id=_int(row.get("attorney_id", "")), matter_ref=row["matter_ref"],
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
                    page.skipped.append(Skipped("payments.csv", row.get("id", "?"), "bad id, client, date or currency"))
                    continue
                try:
                    amount = to_decimal(row["amount"], cur)
                except MoneyError as exc:
                    page.skipped.append(Skipped("payments.csv", pid, str(exc)))
                    continue
                ids = tuple(int(x) for x in row.get("invoice_ids", "").split() if x.isdigit())
                page.payments.append(Payment(pid, client, amount, cur, d, _bool(row.get("reconciled", "")), ids))
        yield page

    def read_partners(self, ids: Sequence[int]) -> tuple[list[Partner], list[Skipped]]:
        return [self._partners[i] for i in ids if i in self._partners], []

    def changed_partner_ids(self, wm: Watermark) -> tuple[list[int], Watermark]:
        return list(self._partners), wm  # a snapshot: every known client may have changed

    def read_attorneys(self, ids: Sequence[int]) -> list[Attorney]:
        return [self._attorneys[i] for i in ids if i in self._attorneys]

    def trust_balances(self, wm: Watermark) -> tuple[list[TrustBalance] | None, Watermark]:
        return None, wm  # exports carry no trust ledger
