"""The words of an escalation letter: its request, the rendered text blocks, and the checks on them.

Wording lives in small jinja2 text blocks under `templates/letters/<lang>/` (loaded through the one environment
of `core.texts`, sandboxed, StrictUndefined), so a firm rewrites a paragraph without touching code. Every
rendered letter is checked for threats of criminal action (LAW.md #10) before a byte is written, and names
matters by reference only (LAW.md #1): the context is built from references, numbers, dates and amounts, never
from descriptions. The layout of those words as a .docx is `core.letter_docx`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, parse_pattern
from jinja2 import TemplateError, TemplateSyntaxError

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import LETTER_KINDS, JurisdictionSettings, Settings
from overdue_reminder.core import phrases
from overdue_reminder.core.addresses import postal_lines, verify_phone
from overdue_reminder.core.jurisdictions import notice_required
from overdue_reminder.core.letter_words import attention_line, form_name, paren, wide
from overdue_reminder.core.phrases import FORBIDDEN_PHRASES
from overdue_reminder.core.reminder_text import channel_context, with_references
from overdue_reminder.core.rules import REFER_TO_SUIT
from overdue_reminder.core.sentences import payment_deadline, text_facts
from overdue_reminder.core.texts import (
    FORMATS,
    TextEnvironment,
    clean_line,
    environment_for,
    folders_for,
    pick_language,
)
from overdue_reminder.errors import ConfigError, PolicyError
from overdue_reminder.model import Action, ActionLine, Address, Attorney, InvoiceKind, Partner
from overdue_reminder.money import precision, quantize, sum_by_currency
from overdue_reminder.resources import templates_root

DRAFT_MARKER = "DRAFT - FOR ATTORNEY REVIEW"
SHIPPED_LANGUAGES = ("en_US", "zh_CN")
FALLBACK_LANGUAGE = "en_US"


BLOCKS = ("reference", "salutation", "offer", "closing", "signature")
REQUIRED_FILES = tuple(f"{b}.txt.j2" for b in BLOCKS) + tuple(f"{k}.body.txt.j2" for k in LETTER_KINDS) + (
    "labels.txt", "notices/default.txt.j2")
REQUIRED_LABELS = (
    "draft_marker", "page_format", "invoices_heading", "col_number", "col_date", "col_due", "col_amount",
    "col_paid", "col_outstanding", "col_currency", "totals_heading", "total_invoices", "total_unapplied",
    "total_due", "total_interest", "history_heading", "history_none", "offer_heading", "enclosures", "attention",
)


# ---------------------------------------------------------------- inputs and rendered text
@dataclass(frozen=True, slots=True)
class SentReminder:
    """One earlier reminder or letter, as the history section lists it."""

    sent_on: date
    tier: str
    channel: str = "email"


@dataclass(frozen=True)
class LetterRequest:
    """Everything one letter needs. `offer` is `offers.offer_context(...)`'s dict when an offer goes with it.

    Offer keys read by the shipped templates (all optional except as noted): `summary` (str: printed verbatim
    when present), `kind` ("installments" | "settlement" | "extension" | "combined"), `currency` (str, needed
    with any amount), `balance` (Decimal), `settlement_amount` (Decimal, for "settlement"), `new_due_date`
    (date, for "extension"), `installments` (list of {"due_date": date, "amount": Decimal}), `respond_by` (date).
    """

    action: Action
    client: Partner
    today: date
    contact: Partner | None = None
    attorney: Attorney | None = None
    history: tuple[SentReminder, ...] = ()
    offer: Mapping[str, Any] | None = None
    court_matters: tuple[str, ...] = ()
    jurisdiction: str = ""  # "" → firm.jurisdiction
    kind: str = ""  # "" → letters.kind_of(action.tier)
    notice_served_on: date | None = None
    enclosures: tuple[str, ...] | None = None  # the forms actually attached (None: the jurisdiction's list)
    arbitration_unanswered: bool = False  # a served notice's period passed with no arbitration request on record
    pay_links: Mapping[int, str] = field(default_factory=dict)  # invoice id -> Odoo portal URL (services.paylinks)


@dataclass(frozen=True)
class LetterText:
    """The rendered words of a letter, before layout: what the phrase check reads and tests inspect."""

    language: str
    locale: str
    kind: str
    jurisdiction: str
    labels: Mapping[str, str]
    date_line: str
    address_lines: tuple[str, ...]
    reference: str
    salutation: str
    body: str
    table_rows: tuple[tuple[str, ...], ...]  # number, date, due date, days past due, amount, paid, outstanding, cur
    totals: tuple[tuple[str, str], ...]  # (label, formatted amount), per currency
    history: tuple[str, ...]
    offer: str
    notice: str
    closing: str
    signature: str
    enclosures: tuple[str, ...]
    matter_refs: tuple[str, ...]

    def all_text(self) -> str:
        parts = [self.date_line, *self.address_lines, self.reference, self.salutation, self.body,
                 *(" ".join(r) for r in self.table_rows), *(f"{a} {b}" for a, b in self.totals),
                 *self.history, self.offer, self.notice, self.closing, self.signature, *self.enclosures]
        return "\n".join(p for p in parts if p)


def jurisdiction_context(code: str, jur: JurisdictionSettings | None,
                         attached: tuple[str, ...] | None) -> dict[str, Any]:
    """What notice templates read about the jurisdiction; `forms` are the forms actually attached."""
    if jur is None:
        return {"code": code, "name": "", "notice_title": "", "rule": "", "forms": [], "notice_required": False,
                "secretary": None}
    secretary = {"name": jur.secretary_name, "address": list(jur.secretary_address), "phone": jur.secretary_phone} \
        if jur.secretary_name else None
    return {"code": code, "name": jur.name, "notice_title": jur.notice_title, "rule": jur.rule,
            "forms": list(jur.forms if attached is None else attached), "notice_required": jur.notice_required,
            "secretary": secretary}


# ---------------------------------------------------------------- forbidden phrases
def check_letter_text(text: str, data: Iterable[str] = ()) -> list[str]:
    """The forbidden phrases (threats, LAW.md #10; core/phrases.py) in `text`, client values `data` unread."""
    return phrases.find(text, data)


def refuse_forbidden(text: str, what: str, data: Iterable[str] = ()) -> None:
    found = check_letter_text(text, data)
    if found:
        raise PolicyError(f"{what} contains forbidden wording ({', '.join(repr(f) for f in found)}): letters "
                          "must never threaten criminal, administrative, disciplinary, tax or immigration action "
                          "(rule: Official words only). Reword it.")


# ---------------------------------------------------------------- templates
def letter_template_dirs(settings: Settings) -> list[Path]:
    """The firm's own letters folder first (if configured), then the shipped one."""
    return folders_for(settings).dirs("letters")


def available_languages(settings: Settings) -> list[str]:
    seen: list[str] = []
    for d in letter_template_dirs(settings):
        if d.is_dir():
            seen.extend(p.name for p in sorted(d.iterdir()) if p.is_dir() and p.name not in seen)
    return seen


def parse_labels(text: str, where: str = "labels.txt") -> dict[str, str]:
    out: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{where}:{n}: expected 'key = value', got {raw!r}.",
                              fix="write one 'key = value' per line; '#' starts a comment.")
        out[key.strip()] = value.strip()
    return out


def _to_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError(f"not a date: {value!r}")


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"not an amount: {value!r} (amounts are Decimal, never float)")


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code or FALLBACK_LANGUAGE)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LANGUAGE)


class LetterFormats:
    """Babel formatting in one locale, with the number patterns cached per currency precision."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        self._patterns: dict[int, Any] = {}

    def money(self, amount: Any, currency: str) -> str:
        value = quantize(_to_decimal(amount), currency)
        return str(format_currency(value, currency, locale=self.locale, currency_digits=True))

    def number(self, amount: Decimal, currency: str) -> str:
        digits = precision(currency)
        pattern = self._patterns.get(digits)
        if pattern is None:
            pattern = parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))
            self._patterns[digits] = pattern
        return str(pattern.apply(quantize(amount, currency), self.locale))

    def date(self, value: Any, fmt: str = "medium") -> str:
        return str(format_date(_to_date(value), fmt, locale=self.locale))


@lru_cache(maxsize=64)
def letter_formats(locale_code: str) -> LetterFormats:
    """The formats of one locale, shared by every letter in it (the `money` and `date` filters use them)."""
    return LetterFormats(_locale(locale_code))


# ---------------------------------------------------------------- the renderer
@dataclass
class LetterRenderer:
    """Renders the words of letters for one settings object (the layout is `core.letter_docx.LetterBuilder`)."""

    settings: Settings
    texts: TextEnvironment | None = None  # default: the firm's one environment (core.texts)
    _labels: dict[str, dict[str, str]] = field(init=False, default_factory=dict, repr=False)
    _respond_cache: dict[date, date] = field(init=False, default_factory=dict, repr=False)
    _calendar: FirmCalendar | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self._texts = self.texts or environment_for(self.settings)
        self._names = self._texts.names("letters")
        self._languages = self._texts.languages("letters")

    def template_language(self, language: str) -> str:
        """The client's language if templates exist for it, else a sibling of it, else the firm's, else en_US."""
        return pick_language(language, self.settings.firm.default_language, self._languages)

    def labels(self, language: str) -> dict[str, str]:
        """The language's labels.txt (the firm's copy first), checked for every label a letter prints."""
        found = self._labels.get(language)
        if found is None:
            found = self._labels[language] = self._read_labels(language)
        return found

    def _read_labels(self, language: str) -> dict[str, str]:
        for d in letter_template_dirs(self.settings):
            p = d / language / "labels.txt"
            if p.is_file():
                labels = parse_labels(p.read_text(encoding="utf-8"), str(p))
                missing = [k for k in REQUIRED_LABELS if k not in labels]
                if missing:
                    raise ConfigError(f"{p} lacks the labels {', '.join(missing)}.",
                                      fix=f"copy them from {templates_root() / 'letters' / FALLBACK_LANGUAGE}.")
                if DRAFT_MARKER not in labels["draft_marker"]:
                    raise ConfigError(f"{p}: draft_marker must contain {DRAFT_MARKER!r}.",
                                      fix=f"write draft_marker = {DRAFT_MARKER} (a translation may follow).")
                return labels
        raise ConfigError(f"no letter labels for {language}.", fix="add templates/letters/<lang>/labels.txt.")

    def _render(self, language: str, name: str, ctx: Mapping[str, Any]) -> str:
        try:
            text = self._texts.letters.get_template(f"letters/{language}/{name}").render(ctx)
        except TemplateError as exc:
            raise ConfigError(f"letter template {language}/{name}: {exc}.",
                              fix="run 'overdue-reminder templates check'.") from exc
        return _normalise(text)

    def jurisdiction(self, code: str) -> tuple[str, JurisdictionSettings | None]:
        code = (code or self.settings.firm.jurisdiction).upper()
        if not code:
            return "", None
        j = self.settings.letters.jurisdiction(code)
        if j is None:
            raise ConfigError(f"jurisdiction {code!r} has no [letters.jurisdictions.{code}] table.",
                              path=self.settings.config_path, key="firm.jurisdiction",
                              fix=f"add [letters.jurisdictions.{code}] or use NY, CA or NJ.")
        return code, j

    def calendar(self) -> FirmCalendar:
        """The firm's calendar, built once per builder (its holiday table takes a moment)."""
        if self._calendar is None:
            self._calendar = self.settings.calendar()
        return self._calendar

    def _respond_by(self, today: date) -> date:
        d = self._respond_cache.get(today)
        if d is None:
            # the same notice period as the reminders (templates.respond_within_days): the planner waits for it
            d = self.calendar().add_business_days(today, self.settings.templates.respond_within_days)
            self._respond_cache[today] = d
        return d

    # ------------------------------------------------------------ render (words)
    def render(self, req: LetterRequest) -> LetterText:
        """All the words of the letter; raises PolicyError if any of them threatens criminal action."""
        action = req.action
        kind = req.kind or self.settings.letters.kind_of(action.tier)
        if kind not in LETTER_KINDS:
            raise PolicyError(f"unknown letter kind {kind!r}; use one of {', '.join(LETTER_KINDS)}.")
        language = self.template_language(action.language or self.settings.firm.default_language)
        labels = self.labels(language)
        fmt = letter_formats(action.language or language)
        code, jur = self.jurisdiction(req.jurisdiction)
        firm = self.settings.firm
        refs = matter_refs(action)
        attorney = req.attorney
        attention = ""
        if req.contact is not None and req.contact.id != req.client.id and req.contact.name:
            attention = req.contact.name
        totals_text = [fmt.money(v, c) for c, v in action.totals.items()]
        ctx: dict[str, Any] = {
            **self._facts(req, fmt),
            FORMATS: fmt,  # what the money and date filters format with
            "firm": {"name": firm.name, "address": list(firm.address), "phone": firm.phone, "email": firm.email,
                     "website": firm.website, "verify_phone": verify_phone(self.settings)},
            "client": {"name": req.client.name, "attention": attention, "is_company": req.client.is_company,
                       "address": postal_lines(req.client.address)},
            "attorney": {"name": attorney.name if attorney else "", "email": attorney.email if attorney else ""},
            "kind": kind, "tier": action.tier, "language": language,
            "today": fmt.date(req.today, "long"),
            "matter_refs": list(refs), "court_matters": list(req.court_matters),
            "max_days_past_due": action.max_days_past_due,
            "totals": totals_text, "total_text": _join_list(totals_text, language),
            "history": [{"date": fmt.date(h.sent_on), "tier": h.tier} for h in req.history],
            "offer": dict(req.offer) if req.offer else None,
            "notice_served_on": fmt.date(req.notice_served_on, "long") if req.notice_served_on else "",
            "arbitration_unanswered": req.arbitration_unanswered and req.notice_served_on is not None,
            **self._payment(req, language),
            "jurisdiction": jurisdiction_context(code, jur, req.enclosures),
        }
        notice = ""
        enclosures: tuple[str, ...] = ()
        if jur is not None and notice_required(self.settings, code) and kind != REFER_TO_SUIT:  # suit: the one served
            name = jur.template or f"notices/{code}.txt.j2"
            if not self._has_template(language, name):
                name = "notices/default.txt.j2"
            notice = self._render(language, name, ctx)
            enclosures = tuple(form_name(f, labels, language) for f in ctx["jurisdiction"]["forms"])
        offer = self._render(language, "offer.txt.j2", ctx) if req.offer else ""
        rows = tuple(_table_row(line, fmt) for line in action.lines)
        text = LetterText(
            language=language, locale=str(fmt.locale), kind=kind, jurisdiction=code, labels=labels,
            date_line=ctx["today"],
            address_lines=tuple([req.client.name,
                                 *([attention_line(labels["attention"], attention)] if attention else []),
                                 *ctx["client"]["address"]]),
            reference=self._render(language, "reference.txt.j2", ctx),
            salutation=self._render(language, "salutation.txt.j2", ctx),
            body=self._render(language, f"{kind}.body.txt.j2", ctx),
            table_rows=rows,
            totals=_totals(action, labels, fmt, language),
            history=_history_lines(req.history, labels, fmt, language),
            offer=offer, notice=notice,
            closing=self._render(language, "closing.txt.j2", ctx),
            signature=self._render(language, "signature.txt.j2", ctx),
            enclosures=enclosures, matter_refs=refs,
        )
        client_data = (req.client.name, attention, *ctx["client"]["address"], *refs,
                       *(ln.name for ln in action.lines), ctx["attorney"]["name"], ctx["attorney"]["email"])
        refuse_forbidden(text.all_text(), f"the {kind} letter for {req.client.name}", client_data)
        return text

    def _payment(self, req: LetterRequest, language: str) -> dict[str, Any]:
        """The channels for the letter's currencies (printed after the verification line) and its pay links."""
        lines = [ln for ln in req.action.lines if ln.kind is not InvoiceKind.CREDIT_NOTE]
        currencies = sorted({ln.currency for ln in req.action.lines})
        channels = [channel_context(ch, language) for ch in self.settings.payment.channels_for(currencies)]
        numbers = [clean_line(ln.name) for ln in lines]
        payment = with_references({"channels": channels}, numbers, "")
        links = [{"number": clean_line(ln.name), "url": clean_line(req.pay_links[ln.invoice_id], 500)}
                 for ln in lines if req.pay_links.get(ln.invoice_id)]
        return {"payment": payment, "pay_links": links}

    def _facts(self, req: LetterRequest, fmt: LetterFormats) -> dict[str, Any]:
        """What the sentences state, from the record (core/sentences): ages, history, the payment deadline (never
        after the expiry of an offer the letter carries)."""
        debits = [ln.days_past_due for ln in req.action.lines if ln.kind is not InvoiceKind.CREDIT_NOTE]
        expiry = req.offer.get("respond_by") if req.offer else None
        deadline = payment_deadline(self._respond_by(req.today), _to_date(expiry) if expiry else None, req.today)
        return {**text_facts(debits, len(req.history), is_company=req.client.is_company),
                "respond_by": fmt.date(deadline, "long"), "invoice_count": len(debits)}

    def _has_template(self, language: str, name: str) -> bool:
        return f"{language}/{name}" in self._names


# ---------------------------------------------------------------- helpers: words
def _history_lines(history: Sequence[SentReminder], labels: Mapping[str, str], fmt: LetterFormats,
                   language: str) -> tuple[str, ...]:
    """'Dec 9, 2025 - Payment reminder (email)'; '2025年12月9日 付款提醒（电子邮件）'."""
    sep = " " if wide(language) else " - "
    return tuple(f"{fmt.date(h.sent_on)}{sep}{labels.get('tier.' + h.tier, h.tier)}"
                 f"{paren(labels.get('channel.' + h.channel, h.channel), language)}" for h in history)


def _normalise(text: str) -> str:
    """Trim template output: no trailing spaces, at most one blank line between paragraphs."""
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", text)


def matter_refs(action: Action) -> tuple[str, ...]:
    """The action's matter references, first-seen order: the only way a letter names a matter (LAW.md #1)."""
    if action.matter_ref:
        return (action.matter_ref,)
    seen: dict[str, None] = {}
    for line in action.lines:
        if line.matter_ref:
            seen.setdefault(line.matter_ref, None)
    return tuple(seen)


def _join_list(items: Sequence[str], language: str) -> str:
    if language.startswith("zh"):
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _table_row(line: ActionLine, fmt: LetterFormats) -> tuple[str, ...]:
    """Credit notes show as negative amounts (they reduce what is owed); zero never shows as -0.00."""
    sign = Decimal(-1) if line.kind is InvoiceKind.CREDIT_NOTE else Decimal(1)
    cur = line.currency

    def num(v: Decimal) -> str:
        return fmt.number(sign * v if v else abs(v), cur)

    days = "" if sign < 0 else str(line.days_past_due) if line.days_past_due > 0 else "0"
    return (line.name, fmt.date(line.invoice_date) if line.invoice_date else "", fmt.date(line.due_date), days,
            num(line.amount_total), num(line.amount_paid), num(line.amount_residual), cur)


def _totals(action: Action, labels: Mapping[str, str], fmt: LetterFormats,
            language: str = "") -> tuple[tuple[str, str], ...]:
    """Per currency, never summed across currencies; the breakdown only where unapplied payments change it."""
    on_invoices = sum_by_currency(
        (ln.currency, -ln.amount_residual if ln.kind is InvoiceKind.CREDIT_NOTE else ln.amount_residual)
        for ln in action.lines)
    out: list[tuple[str, str]] = []
    currencies = list(action.totals) + [c for c in on_invoices if c not in action.totals]
    for cur in currencies:
        unapplied = action.unapplied_payments.get(cur, Decimal(0))
        if unapplied:
            out.append((labels["total_invoices"] + paren(cur, language),
                        fmt.money(on_invoices.get(cur, Decimal(0)), cur)))
            out.append((labels["total_unapplied"] + paren(cur, language), fmt.money(-unapplied, cur)))
        out.append((labels["total_due"] + paren(cur, language), fmt.money(action.totals.get(cur, Decimal(0)), cur)))
        interest = action.interest.get(cur)
        if interest:
            out.append((labels["total_interest"] + paren(cur, language), fmt.money(interest, cur)))
    return tuple(out)


# ---------------------------------------------------------------- checks and samples
def check_letter_templates(settings: Settings) -> list[str]:
    """Errors in the letter templates, each naming the template (and line): syntax, missing blocks or labels,
    undefined variables, and forbidden wording. `templates check` prints them."""
    errors: list[str] = []
    dirs = letter_template_dirs(settings)
    texts = TextEnvironment(folders_for(settings))  # fresh: the files as they are now
    for lang in available_languages(settings):
        files: dict[str, Path] = {}
        for d in reversed(dirs):  # the firm's own files win
            base = d / lang
            if base.is_dir():
                files.update({p.relative_to(base).as_posix(): p for p in base.rglob("*") if p.is_file()})
        for name in REQUIRED_FILES:
            if name not in files:
                errors.append(f"letters/{lang}/{name}: missing (copy it from the shipped en_US folder).")
        for name, path in sorted(files.items()):
            source = path.read_text(encoding="utf-8")
            for n, line in enumerate(source.splitlines(), 1):
                for phrase in check_letter_text(line):
                    errors.append(f"letters/{lang}/{name}:{n}: forbidden phrase {phrase!r} "
                                  "(never threaten criminal action, rule: Official words only).")
            if name.endswith(".j2"):
                try:
                    texts.letters.parse(source)
                except TemplateSyntaxError as exc:
                    errors.append(f"letters/{lang}/{name}:{exc.lineno}: {exc.message}")
            elif name == "labels.txt":
                try:
                    labels = parse_labels(source, f"letters/{lang}/{name}")
                except ConfigError as exc:
                    errors.append(str(exc))
                    continue
                for key in REQUIRED_LABELS:
                    if key not in labels:
                        errors.append(f"letters/{lang}/{name}: missing label {key!r}.")
                if DRAFT_MARKER not in labels.get("draft_marker", DRAFT_MARKER):
                    errors.append(f"letters/{lang}/{name}: draft_marker must contain {DRAFT_MARKER!r}.")
    if errors:
        return errors
    # Render every kind, with an offer, court matters and each configured jurisdiction's notice.
    renderer = LetterRenderer(settings, texts)
    codes = sorted({*settings.letters.jurisdictions, *(c for c in ("NY", "CA", "NJ")),
                    *([settings.firm.jurisdiction.upper()] if settings.firm.jurisdiction else [])})
    for lang in available_languages(settings):
        for kind in LETTER_KINDS:
            for code in codes:
                req = sample_request(settings, lang, kind=kind, jurisdiction=code)
                try:
                    renderer.render(req)
                except (ConfigError, PolicyError) as exc:
                    errors.append(f"letters/{lang} ({kind}, {code}): {exc}")
    return errors


def sample_request(settings: Settings, language: str, *, today: date | None = None, kind: str = "escalation",
                   jurisdiction: str = "") -> LetterRequest:
    """A made-up client with two invoices, a history and an offer: for the demo and the template check."""
    today = today or date(2026, 3, 2)
    d = today - timedelta(days=120)
    lines = (
        ActionLine(900001, "INV/2025/0412", InvoiceKind.INVOICE, "M-2025-017", "USD", d, d + timedelta(days=30),
                   Decimal("4800.00"), Decimal("1200.00"), Decimal("3600.00"), (today - d).days - 30),
        ActionLine(900002, "INV/2025/0471", InvoiceKind.INVOICE, "M-2025-017", "USD", d + timedelta(days=30),
                   d + timedelta(days=60), Decimal("2150.50"), Decimal("0.00"), Decimal("2150.50"),
                   (today - d).days - 60),
    )
    action = Action(
        client_id=900000, client_name="Sample Client Ltd", tier=kind, tier_index=4, channel="letter",
        attorney_review=True, auto_send=False, with_offer=True, matter_ref="", lines=lines,
        totals={"USD": Decimal("5750.50")}, credits={}, unapplied_payments={}, max_days_past_due=90,
        attorney_id=None, contact_id=900000, to_email="", language=language, grade="", reasons=("sample",))
    client = Partner(900000, "Sample Client Ltd", 900000, is_company=True,
                     address=Address("1 Example Plaza", "Floor 3", "Springfield", "10001", "NY", "United States"))
    attorney = Attorney(900100, "Alex Morgan", "alex.morgan@firm.example", "alex.morgan@firm.example")
    history = (SentReminder(today - timedelta(days=83), "friendly"), SentReminder(today - timedelta(days=60), "firm"),
               SentReminder(today - timedelta(days=30), "final"))
    offer = {"kind": "installments", "currency": "USD", "balance": Decimal("5750.50"),
             "installments": [{"due_date": today + timedelta(days=30 * i), "amount": a}
                              for i, a in enumerate((Decimal("1916.84"), Decimal("1916.83"), Decimal("1916.83")), 1)],
             "respond_by": today + timedelta(days=14)}
    return LetterRequest(action=action, client=client, today=today, attorney=attorney, history=history,
                         offer=offer, court_matters=("M-2025-017",) if kind == "withdrawal_warning" else (),
                         jurisdiction=jurisdiction, kind=kind,
                         notice_served_on=today - timedelta(days=45) if kind == "refer_to_suit" else None,
                         arbitration_unanswered=kind == "refer_to_suit")


__all__ = [
    "DRAFT_MARKER", "FORBIDDEN_PHRASES", "SHIPPED_LANGUAGES", "LetterFormats", "LetterRenderer", "LetterRequest",
    "LetterText", "SentReminder", "check_letter_templates", "check_letter_text", "letter_formats",
    "letter_template_dirs", "matter_refs", "parse_labels", "postal_lines", "refuse_forbidden", "sample_request",
]
