"""A client's statement of account as data: every open item per currency, with the totals, as of one date.

Pure: the service reads the ledger rows (open invoices and credit notes, unreconciled payments) and passes
them in with the date; the same rows and date give the same statement, so the PDF made from it
(core.statement_pdf) is the same bytes. Amounts stay per currency, never summed across currencies; the
total due is what the ledger says: open invoices less open credit notes less unapplied payments.
The matter's reference is printed, never its description (a statement may reach a client's accounts
department).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from overdue_reminder.config import Settings
from overdue_reminder.core.texts import clean_line, normalize_language
from overdue_reminder.core.wording import verify_phone
from overdue_reminder.model import Invoice, InvoiceKind, Payment
from overdue_reminder.money import ZERO

LANGUAGES = ("en_US", "zh_CN")


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One open document: an invoice, or a credit note whose residual counts against the balance."""

    number: str
    matter_ref: str
    credit: bool
    invoice_date: date | None
    due_date: date
    amount: Decimal
    paid: Decimal
    open: Decimal
    days_past_due: int


@dataclass(frozen=True, slots=True)
class UnappliedPayment:
    """A payment received and not yet matched to an invoice: it already reduces what is due."""

    reference: str
    date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CurrencySection:
    currency: str
    invoices: tuple[StatementLine, ...]
    credits: tuple[StatementLine, ...]
    payments: tuple[UnappliedPayment, ...]

    @property
    def open_invoices(self) -> Decimal:
        return sum((ln.open for ln in self.invoices), ZERO)

    @property
    def open_credits(self) -> Decimal:
        return sum((ln.open for ln in self.credits), ZERO)

    @property
    def unapplied(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)

    @property
    def total_due(self) -> Decimal:
        """Negative when credits and payments exceed the invoices: a balance in the client's favour."""
        return self.open_invoices - self.open_credits - self.unapplied


@dataclass(frozen=True, slots=True)
class Channel:
    label: str
    details: tuple[str, ...]
    url: str
    currencies: tuple[str, ...] = ()
    swift: str = ""
    iban: str = ""
    intermediary_bank: str = ""
    reference: str = ""  # the format (`{invoice_number}`…) the client quotes

    def takes(self, currency: str) -> bool:
        return not self.currencies or currency.upper() in self.currencies


@dataclass(frozen=True, slots=True)
class Letterhead:
    name: str
    address: tuple[str, ...]
    contact: tuple[str, ...]  # phone, e-mail, website: whichever the firm configured


@dataclass(frozen=True, slots=True)
class Statement:
    as_of: date
    language: str
    client_id: int
    client_name: str
    client_address: tuple[str, ...]
    is_company: bool
    sections: tuple[CurrencySection, ...]  # sorted by currency code
    firm: Letterhead
    channels: tuple[Channel, ...]
    verify_phone: str
    verification: str  # the firm's own sentence for this language; "" uses the standard one

    def totals(self) -> dict[str, Decimal]:
        return {s.currency: s.total_due for s in self.sections}

    def numbers(self) -> tuple[str, ...]:
        return tuple(ln.number for s in self.sections for ln in (*s.invoices, *s.credits))


def statement_language(language: str) -> str:
    """The client's language when a statement exists in it, else English."""
    lang = normalize_language(language or "en_US")
    if lang in LANGUAGES:
        return lang
    base = lang.split("_")[0]
    return next((x for x in LANGUAGES if x.split("_")[0] == base), "en_US")


def letterhead(settings: Settings) -> Letterhead:
    firm = settings.firm
    contact = tuple(clean_line(x, 200) for x in (firm.phone, firm.email, firm.website) if x.strip())
    return Letterhead(clean_line(firm.name, 200), tuple(clean_line(x, 200) for x in firm.address if x.strip()),
                      contact)


def channels(settings: Settings, language: str) -> tuple[Channel, ...]:
    """The official payment channels (`[[payment.channels]]`) in the client's language, each with the
    currencies it takes (empty: every one); a currency's page shows only its own."""
    lang = normalize_language(language)
    return tuple(Channel(clean_line(t.label, 200), tuple(clean_line(d, 200) for d in t.details),
                         clean_line(ch.url, 300), tuple(c.upper() for c in ch.currencies),
                         swift=clean_line(ch.swift, 40), iban=clean_line(ch.iban, 60),
                         intermediary_bank=clean_line(t.intermediary_bank, 300),
                         reference=clean_line(ch.reference, 200))
                 for ch in settings.payment.channels for t in (ch.text(lang),))


def build_statement(settings: Settings, *, as_of: date, language: str, client_id: int, client_name: str,
                    client_address: Iterable[str], is_company: bool, open_items: Iterable[Invoice],
                    payments: Iterable[Payment]) -> Statement:
    """The statement of `client_id` as of `as_of` from its open ledger rows (other clients' rows are ignored)."""
    lang = statement_language(language)
    by_cur: dict[str, tuple[list[StatementLine], list[StatementLine], list[UnappliedPayment]]] = {}
    for inv in open_items:
        if inv.client_id != client_id or not inv.is_open or inv.amount_residual == 0:
            continue
        credit = inv.kind is InvoiceKind.CREDIT_NOTE
        line = StatementLine(clean_line(inv.name, 100), clean_line(inv.matter_ref, 100), credit, inv.invoice_date,
                             inv.due_date, inv.amount_total, inv.amount_paid, inv.amount_residual,
                             max(0, (as_of - inv.due_date).days))
        slot = by_cur.setdefault(inv.currency, ([], [], []))
        (slot[1] if credit else slot[0]).append(line)
    for p in payments:
        if p.client_id != client_id or p.reconciled or p.state != "posted" or p.amount == 0:
            continue
        by_cur.setdefault(p.currency, ([], [], []))[2].append(UnappliedPayment(str(p.id), p.date, p.amount))
    sections = tuple(
        CurrencySection(cur, tuple(sorted(inv, key=_line_order)), tuple(sorted(cred, key=_line_order)),
                        tuple(sorted(pay, key=lambda p: (p.date, p.reference))))
        for cur, (inv, cred, pay) in sorted(by_cur.items()))
    sentence = settings.payment.verification.get(lang) or settings.payment.verification.get(lang.split("_")[0]) or ""
    return Statement(as_of=as_of, language=lang, client_id=client_id, client_name=clean_line(client_name, 200),
                     client_address=tuple(clean_line(x, 200) for x in client_address if str(x).strip()),
                     is_company=is_company, sections=sections, firm=letterhead(settings),
                     channels=channels(settings, lang), verify_phone=verify_phone(settings),
                     verification=clean_line(sentence, 1000))


def _line_order(ln: StatementLine) -> tuple[date, str]:
    return ln.due_date, ln.number


__all__ = ["LANGUAGES", "Channel", "CurrencySection", "Letterhead", "Statement", "StatementLine",
           "UnappliedPayment", "build_statement", "channels", "letterhead", "statement_language"]
