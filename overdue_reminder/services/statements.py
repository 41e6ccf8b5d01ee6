"""Statements of account for reminders and letters: read the client's open ledger rows, build, render, hash.

The statement is a pure function of the ledger rows and its date (core.statement, core.statement_pdf), so
the one recorded at drafting (its sha256 in the audit line) is the one that leaves, unless the ledger
changed meanwhile; the exit then records the new sha256 beside the old. Fonts are read and registered once
per process; a missing font stops the run before anything is drafted, naming the file and the fix.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from sqlalchemy import Connection, and_, select

from overdue_reminder.config import Settings
from overdue_reminder.core.statement import Statement, build_statement
from overdue_reminder.core.statement_pdf import MissingFont, PdfFonts, render_statement
from overdue_reminder.errors import ConfigError
from overdue_reminder.files import secure_dir, sha256_bytes, write_private
from overdue_reminder.model import Invoice, Partner, Payment
from overdue_reminder.money import quantize
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import load_open_invoices, load_partners
from overdue_reminder.store.schema import payments

PDF_MIME = "application/pdf"
FONT_FIX = "run scripts/install-fonts (Debian: apt-get install fonts-dejavu-core fonts-droid-fallback), " \
           "or point [statements] font / cjk_font at installed .ttf files."
_LOCK = threading.Lock()
CACHE_LIMIT = 4096  # statements kept per run (a batch of drafts is 2,000 reminders)
_REGISTERED: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class StatementFile:
    filename: str
    data: bytes
    sha256: str
    totals: Mapping[str, str]


def _register(path: Path, key: str, settings: Settings) -> str:
    """The font's registered name, reading the file the first time it is asked for in this process."""
    name = "OR-" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    with _LOCK:
        if str(path) in _REGISTERED:
            return _REGISTERED[str(path)]
        if not path.is_file():
            raise ConfigError(f"the statement font {path} is not installed.", path=settings.config_path,
                              key=f"statements.{key}", fix=FONT_FIX)
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except (TTFError, OSError) as exc:
            raise ConfigError(f"the statement font {path} cannot be used: {exc}.", path=settings.config_path,
                              key=f"statements.{key}", fix=FONT_FIX) from exc
        _REGISTERED[str(path)] = name
        return name


def fonts(settings: Settings, *, need_cjk: bool = True) -> PdfFonts:
    """The registered fonts; ConfigError (file, key, fix) when one is missing."""
    rl_config.useA85 = 0  # binary streams: smaller files, and ASCII85 in pure Python was a tenth of the time
    cfg = settings.statements
    latin = _register(settings.resolve(cfg.font), "font", settings)
    cjk = ""
    try:
        cjk = _register(settings.resolve(cfg.cjk_font), "cjk_font", settings)
    except ConfigError:
        if need_cjk:
            raise
    return PdfFonts(latin, cjk)


def statement_filename(client_id: int, as_of: date) -> str:
    return f"statement-{client_id}-{as_of.isoformat()}.pdf"


class Statements:
    """Renders statements for one run: ledger rows read in bulk per batch, one render per client and language."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fonts = fonts(settings, need_cjk=False)  # an English-only firm needs no CJK font
        self._cache: dict[tuple[int, date, str], StatementFile] = {}

    def preload(self, conn: Connection, client_ids: Iterable[int], as_of: date,
                languages: Mapping[int, str]) -> dict[int, StatementFile]:
        """Statements for many clients at once (drafting's batches): three queries, then pure rendering."""
        ids = sorted(set(client_ids))
        wanted = [c for c in ids if (c, as_of, languages.get(c, "")) not in self._cache]
        if len(self._cache) + len(wanted) > CACHE_LIMIT:  # a night's 20,000 PDFs are not kept in memory
            self._cache.clear()
            wanted = ids
        if wanted:
            items, pays, partners = _ledger(conn, wanted)
            for c in wanted:
                st = statement(self.settings, c, as_of, languages.get(c, ""), partners.get(c), items.get(c, []),
                               pays.get(c, []))
                self._cache[(c, as_of, languages.get(c, ""))] = self.render(st)
        return {c: self._cache[(c, as_of, languages.get(c, ""))] for c in ids}

    def for_client(self, conn: Connection, client_id: int, as_of: date, language: str) -> StatementFile:
        return self.preload(conn, [client_id], as_of, {client_id: language})[client_id]

    def render(self, st: Statement) -> StatementFile:
        try:
            data = render_statement(st, self.fonts)
        except MissingFont as exc:
            raise ConfigError(f"{exc} (client {st.client_id}).", path=self.settings.config_path,
                              key="statements.cjk_font", fix=FONT_FIX) from exc
        return StatementFile(statement_filename(st.client_id, st.as_of), data, sha256_bytes(data),
                             {c: str(quantize(v, c)) for c, v in st.totals().items()})  # PostgreSQL: 6 places


def statement(settings: Settings, client_id: int, as_of: date, language: str, client: Partner | None,
              items: Sequence[Invoice], pays: Sequence[Payment]) -> Statement:
    name = client.name if client is not None else f"Client {client_id}"
    return build_statement(settings, as_of=as_of, language=language or (client.lang if client else ""),
                           client_id=client_id, client_name=name,
                           client_address=client.address.lines() if client is not None else (),
                           is_company=client.is_company if client is not None else True,
                           open_items=items, payments=pays)


def _ledger(conn: Connection, client_ids: Sequence[int]) -> tuple[
        dict[int, list[Invoice]], dict[int, list[Payment]], dict[int, Partner]]:
    items: dict[int, list[Invoice]] = {}
    pays: dict[int, list[Payment]] = {}
    partners: dict[int, Partner] = {}
    for i in range(0, len(client_ids), 2000):
        chunk = client_ids[i:i + 2000]
        for inv in load_open_invoices(conn, chunk):
            items.setdefault(inv.client_id, []).append(inv)
        q = select(payments).where(and_(payments.c.client_id.in_(chunk), payments.c.reconciled.is_(False),
                                        payments.c.state == "posted")).order_by(payments.c.id)
        for r in conn.execute(q):
            pays.setdefault(r.client_id, []).append(Payment(
                id=r.id, client_id=r.client_id, amount=r.amount, currency=r.currency, date=r.date,
                reconciled=r.reconciled, invoice_ids=tuple(r.invoice_ids), state=r.state))
        partners.update(load_partners(conn, chunk))
    return items, pays, partners




# ---------------------------------------------------------------- where a statement goes
def beside_name(file_name: str) -> str:
    """The statement's file name beside a reminder's file (.eml, postal draft) or a letter's .docx."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    return f"{stem}.statement.pdf"


def attach(message: EmailMessage, sheet: StatementFile) -> None:
    """The statement as a PDF attachment of the reminder's message (after its text and HTML parts)."""
    language = message["Content-Language"]
    message.add_attachment(sheet.data, maintype="application", subtype="pdf", filename=sheet.filename)
    if language and message["Content-Language"] is None:  # making it multipart moved Content-* headers inside
        message["Content-Language"] = language


def attached_pdf(message: EmailMessage) -> bytes | None:
    """The statement a message carries, if any (the outbox writes it beside the .eml)."""
    for part in message.iter_attachments():
        if part.get_content_type() == PDF_MIME:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


def write_beside(folder: Path, file_name: str, data: bytes) -> Path:
    """Owner-only, atomic; the same statement written twice leaves one file with the same bytes."""
    secure_dir(folder, tighten=False)
    path = folder / beside_name(file_name)
    write_private(path, data)
    return path


def audit_detail(sheet: StatementFile) -> dict[str, Any]:
    return {"file": sheet.filename, "sha256": sheet.sha256, "totals": dict(sheet.totals)}


__all__ = ["PDF_MIME", "StatementFile", "Statements", "attach", "attached_pdf", "audit_detail", "beside_name", "fonts",
           "for_letter", "statement", "statement_filename", "write_beside"]


def for_letter(store: Store, settings: Settings, client_id: int, today: date, language: str,
               docx: Path) -> StatementFile | None:
    """The statement beside a letter's .docx (same name, `.statement.pdf`); None when statements are off."""
    if not settings.statements.attach:
        return None
    with store.begin() as conn:
        sheet = Statements(settings).for_client(conn, client_id, today, language)
    write_beside(docx.parent, docx.name, sheet.data)
    return sheet
