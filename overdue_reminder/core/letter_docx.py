"""Escalation letters as .docx: letterhead, invoices, history, offer, and the jurisdiction's notices.

Wording lives in small jinja2 text blocks under `templates/letters/<lang>/` (sandboxed, StrictUndefined) so a
firm rewrites a paragraph without touching code; layout lives here. Every rendered letter is checked for threats
of criminal action (LAW.md #10) before a byte is written, and names matters by reference only (LAW.md #1): the
template context is built from references, numbers, dates and amounts, never from descriptions.

Speed: python-docx's default template carries ~800 KB of styles that are parsed and compressed again for every
document. `LetterBuilder` prepares a trimmed skeleton once (styles in use, letterhead, header, footer, logo) and
each letter reopens it from bytes and appends its body with plain lxml calls, several times faster than building
the same document with python-docx from scratch (scripts/bench_letters.py).
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import docx
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, parse_pattern
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree  # type: ignore[import-untyped]

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import LETTER_KINDS, JurisdictionSettings, Settings
from overdue_reminder.core import phrases
from overdue_reminder.core.addresses import postal_lines, verify_phone
from overdue_reminder.core.letter_words import attention_line, form_name, label_value, paren, wide
from overdue_reminder.core.phrases import FORBIDDEN_PHRASES
from overdue_reminder.core.sentences import payment_deadline, text_facts
from overdue_reminder.errors import ConfigError, PolicyError
from overdue_reminder.model import Action, ActionLine, Address, Attorney, InvoiceKind, Partner
from overdue_reminder.money import precision, quantize, sum_by_currency
from overdue_reminder.resources import templates_root

DRAFT_MARKER = "DRAFT - FOR ATTORNEY REVIEW"
SHIPPED_LANGUAGES = ("en_US", "zh_CN")
FALLBACK_LANGUAGE = "en_US"
RESPOND_DAYS = 10  # business days the client is given to respond; printed as a date
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

BLOCKS = ("reference", "salutation", "offer", "closing", "signature")
REQUIRED_FILES = tuple(f"{b}.txt.j2" for b in BLOCKS) + tuple(f"{k}.body.txt.j2" for k in LETTER_KINDS) + (
    "labels.txt", "notices/default.txt.j2")
REQUIRED_LABELS = (
    "draft_marker", "page_format", "invoices_heading", "col_number", "col_date", "col_due", "col_amount",
    "col_paid", "col_outstanding", "col_currency", "totals_heading", "total_invoices", "total_unapplied",
    "total_due", "total_interest", "history_heading", "history_none", "offer_heading", "enclosures", "attention",
)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_KEEP_STYLES = frozenset({
    "Normal", "Header", "HeaderChar", "Footer", "FooterChar", "DefaultParagraphFont", "TableNormal", "NoList",
    "TableGrid", "Title", "TitleChar", "Heading2", "Heading2Char",
})
# East Asian face and language tag of the Normal style: the tag makes Word and LibreOffice choose a face of that
# script (a Simplified Chinese one for zh-CN) when the named face is missing, instead of a Japanese default.
_EAST_ASIAN_FONT = {"zh": "SimSun", "ja": "MS Mincho", "ko": "Batang"}
_EAST_ASIAN_LANG = {"zh": "zh-CN", "ja": "ja-JP", "ko": "ko-KR"}
TABLE_COLUMNS = ("col_number", "col_date", "col_due", "col_days", "col_amount", "col_paid", "col_outstanding",
                 "col_currency")
DEFAULT_LABELS = {"col_days": "Days past due"}


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


# ---------------------------------------------------------------- forbidden phrases
def check_letter_text(text: str, data: Iterable[str] = ()) -> list[str]:
    """The forbidden phrases (threats, LAW.md #10; core/phrases.py) in `text`, client values `data` unread."""
    return phrases.find(text, data)


def _refuse_forbidden(text: str, what: str, data: Iterable[str] = ()) -> None:
    found = check_letter_text(text, data)
    if found:
        raise PolicyError(f"{what} contains forbidden wording ({', '.join(repr(f) for f in found)}): letters "
                          "must never threaten criminal, administrative, disciplinary, tax or immigration action "
                          "(LAW.md #10). Reword it.")


# ---------------------------------------------------------------- templates
def letter_template_dirs(settings: Settings) -> list[Path]:
    """The firm's own letters folder first (if configured), then the shipped one."""
    dirs: list[Path] = []
    if settings.letters.templates_dir:
        dirs.append(settings.resolve(settings.letters.templates_dir))
    dirs.append(templates_root() / "letters")
    return dirs


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


class _Formats:
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


# ---------------------------------------------------------------- the builder
@dataclass
class _LangPack:
    language: str
    labels: dict[str, str]
    skeleton_draft: bytes
    skeleton_final: bytes


@dataclass
class LetterBuilder:
    """Renders and lays out letters for one settings object. Not thread-safe: one builder per thread."""

    settings: Settings
    _env: SandboxedEnvironment = field(init=False, repr=False)
    _packs: dict[str, _LangPack] = field(init=False, default_factory=dict, repr=False)
    _formats: dict[str, _Formats] = field(init=False, default_factory=dict, repr=False)
    _respond_cache: dict[date, date] = field(init=False, default_factory=dict, repr=False)
    _logo: bytes | None = field(init=False, default=None, repr=False)
    _calendar: FirmCalendar | None = field(init=False, default=None, repr=False)
    _exists: dict[tuple[str, str], bool] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._languages = available_languages(self.settings)
        loaders = [FileSystemLoader(str(d)) for d in letter_template_dirs(self.settings)]
        self._env = SandboxedEnvironment(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                                         autoescape=False, keep_trailing_newline=False, auto_reload=False)
        self._env.filters["money"] = self._filter_money
        self._env.filters["date"] = self._filter_date
        self._current: _Formats = self._fmt(FALLBACK_LANGUAGE)
        logo = self.settings.firm.logo
        if logo:
            path = self.settings.resolve(logo)
            try:
                self._logo = path.read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot read the logo {path}: {exc.strerror}.", path=self.settings.config_path,
                                  key="firm.logo", fix="point it at a PNG or JPEG file, or set logo = \"\".") from exc

    # ------------------------------------------------------------ language and formats
    def _fmt(self, locale_code: str) -> _Formats:
        f = self._formats.get(locale_code)
        if f is None:
            f = _Formats(_locale(locale_code))
            self._formats[locale_code] = f
        return f

    def _filter_money(self, amount: Any, currency: str) -> str:
        return self._current.money(amount, currency)

    def _filter_date(self, value: Any, fmt: str = "medium") -> str:
        return self._current.date(value, fmt)

    def template_language(self, language: str) -> str:
        """The client's language if templates exist for it, else one of its language, else the firm's, else en_US."""
        langs = self._languages
        if language in langs:
            return language
        prefix = language.split("_")[0]
        for lang in langs:
            if prefix and lang.split("_")[0] == prefix:
                return lang
        default = self.settings.firm.default_language
        return default if default in langs else FALLBACK_LANGUAGE

    def _pack(self, language: str) -> _LangPack:
        pack = self._packs.get(language)
        if pack is None:
            labels = self._labels(language)
            pack = _LangPack(language, labels, self._skeleton(language, labels, draft=True),
                             self._skeleton(language, labels, draft=False))
            self._packs[language] = pack
        return pack

    def _labels(self, language: str) -> dict[str, str]:
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
            text = self._env.get_template(f"{language}/{name}").render(ctx)
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
            d = self.calendar().add_business_days(today, RESPOND_DAYS)
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
        pack = self._pack(language)
        labels = pack.labels
        fmt = self._fmt(action.language or language)
        self._current = fmt
        code, jur = self.jurisdiction(req.jurisdiction)
        firm = self.settings.firm
        refs = matter_refs(action)
        attorney = req.attorney
        attention = ""
        if req.contact is not None and req.contact.id != req.client.id and req.contact.name:
            attention = req.contact.name
        totals_text = [fmt.money(v, c) for c, v in action.totals.items()]
        debits = [ln.days_past_due for ln in action.lines if ln.kind is not InvoiceKind.CREDIT_NOTE]
        expiry = req.offer.get("respond_by") if req.offer else None
        deadline = payment_deadline(self._respond_by(req.today), _to_date(expiry) if expiry else None, req.today)
        ctx: dict[str, Any] = {
            **text_facts(debits, len(req.history), is_company=req.client.is_company),
            "firm": {"name": firm.name, "address": list(firm.address), "phone": firm.phone, "email": firm.email,
                     "website": firm.website, "verify_phone": verify_phone(self.settings)},
            "client": {"name": req.client.name, "attention": attention, "is_company": req.client.is_company,
                       "address": postal_lines(req.client.address)},
            "attorney": {"name": attorney.name if attorney else "", "email": attorney.email if attorney else ""},
            "kind": kind, "tier": action.tier, "language": language,
            "today": fmt.date(req.today, "long"),
            "respond_by": fmt.date(deadline, "long"),
            "matter_refs": list(refs), "court_matters": list(req.court_matters),
            "max_days_past_due": action.max_days_past_due,
            "invoice_count": len(debits),
            "totals": totals_text, "total_text": _join_list(totals_text, language),
            "history": [{"date": fmt.date(h.sent_on), "tier": h.tier} for h in req.history],
            "offer": dict(req.offer) if req.offer else None,
            "notice_served_on": fmt.date(req.notice_served_on, "long") if req.notice_served_on else "",
            "jurisdiction": {"code": code, "name": jur.name if jur else "",
                             "notice_title": jur.notice_title if jur else "", "rule": jur.rule if jur else "",
                             "forms": list(jur.forms) if jur else [],
                             "notice_required": bool(jur and jur.notice_required)},
        }
        notice = ""
        enclosures: tuple[str, ...] = ()
        if jur is not None and jur.notice_required:
            name = jur.template or f"notices/{code}.txt.j2"
            if not self._has_template(language, name):
                name = "notices/default.txt.j2"
            notice = self._render(language, name, ctx)
            enclosures = tuple(form_name(f, labels, language) for f in jur.forms)
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
            history=tuple(f"{fmt.date(h.sent_on)}{' ' if wide(language) else ' - '}"
                          f"{labels.get('tier.' + h.tier, h.tier)}"
                          f"{paren(labels.get('channel.' + h.channel, h.channel), language)}" for h in req.history),
            offer=offer, notice=notice,
            closing=self._render(language, "closing.txt.j2", ctx),
            signature=self._render(language, "signature.txt.j2", ctx),
            enclosures=enclosures, matter_refs=refs,
        )
        client_data = (req.client.name, attention, *ctx["client"]["address"], *refs,
                       *(ln.name for ln in action.lines), ctx["attorney"]["name"], ctx["attorney"]["email"])
        _refuse_forbidden(text.all_text(), f"the {kind} letter for {req.client.name}", client_data)
        return text

    def _has_template(self, language: str, name: str) -> bool:
        key = (language, name)
        found = self._exists.get(key)
        if found is None:
            found = any((d / language / name).is_file() for d in letter_template_dirs(self.settings))
            self._exists[key] = found
        return found

    # ------------------------------------------------------------ layout (docx)
    def build(self, req: LetterRequest, *, draft: bool = True) -> bytes:
        return self.layout(self.render(req), draft=draft)

    def layout(self, text: LetterText, *, draft: bool = True) -> bytes:
        pack = self._pack(text.language)
        doc = docx.Document(io.BytesIO(pack.skeleton_draft if draft else pack.skeleton_final))
        body = doc.element.body
        sect = body[-1]  # the section properties stay last
        add = _Appender(body, sect)
        labels = text.labels
        add.para([text.date_line], align="right", space_before=12)
        add.para(list(text.address_lines), space_before=12)
        add.para([text.reference], bold=True, space_before=12)
        add.para([text.salutation])
        add.text_block(text.body)
        add.para([labels["invoices_heading"]], bold=True, space_before=6, keep_next=True)
        add.table([labels.get(k) or DEFAULT_LABELS[k] for k in TABLE_COLUMNS], text.table_rows)
        add.para([labels["totals_heading"]], bold=True, space_before=10, keep_next=True)
        for label, amount in text.totals:
            add.para([label_value(label, amount, text.language)], bold=label.startswith(labels["total_due"]))
        add.para([labels["history_heading"]], bold=True, space_before=10, keep_next=True)
        add.para(list(text.history) or [labels["history_none"]])
        if text.offer:
            add.para([labels["offer_heading"]], bold=True, space_before=10, keep_next=True)
            add.text_block(text.offer)
        if text.notice:
            add.text_block(text.notice, heading_space=10)
        add.text_block(text.closing, keep_with_next=True)  # "Sincerely," stays with the signature
        add.para(text.signature.split("\n"), space_before=30)
        if text.enclosures:
            add.para([label_value(labels["enclosures"], ("；" if wide(text.language) else "; ").join(text.enclosures),
                                   text.language)], space_before=12, size=9)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    def _skeleton(self, language: str, labels: Mapping[str, str], *, draft: bool) -> bytes:
        """The parts every letter in one language shares: trimmed styles, letterhead, header, footer."""
        doc = docx.Document()
        _trim_package(doc)
        firm = self.settings.firm
        normal = doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(11)
        _east_asian(normal.element.get_or_add_rPr(), language)
        normal.paragraph_format.space_after = Pt(6)
        section = doc.sections[0]
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = Cm(2.0)
        section.bottom_margin = Cm(2.0)
        section.different_first_page_header_footer = False
        # Letterhead: logo, firm name, address, contact line.
        if self._logo is not None:
            p = doc.add_paragraph()
            p.add_run().add_picture(io.BytesIO(self._logo), height=Cm(1.6))
        name = doc.add_paragraph()
        run = name.add_run(firm.name)
        run.bold = True
        run.font.size = Pt(16)
        name.paragraph_format.space_after = Pt(0)
        contact = " · ".join(x for x in (firm.phone, firm.email, firm.website) if x)
        lines = [*firm.address, *([contact] if contact else [])]
        if lines:
            p = doc.add_paragraph()
            for i, line in enumerate(lines):
                r = p.add_run(line)
                r.font.size = Pt(9)
                if i < len(lines) - 1:
                    r.add_break()
            _bottom_border(p._p)
        # Header: the DRAFT marker on every page (one section, no first-page or even-page variant).
        header = section.header
        header.is_linked_to_previous = False
        hp = header.paragraphs[0]
        hp.alignment = 1  # centre
        if draft:
            r = hp.add_run(labels["draft_marker"])
            r.bold = True
            r.font.size = Pt(12)
            r.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        # Footer: firm name and "Page X of Y" as PAGE / NUMPAGES fields.
        footer = section.footer
        footer.is_linked_to_previous = False
        fp = footer.paragraphs[0]
        fp.alignment = 1
        _page_fields(fp._p, labels["page_format"])
        core = doc.core_properties
        core.author = firm.name
        core.last_modified_by = firm.name
        core.title = ""
        core.comments = ""
        core.keywords = ""
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


# ---------------------------------------------------------------- helpers: words
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


def _table_row(line: ActionLine, fmt: _Formats) -> tuple[str, ...]:
    """Credit notes show as negative amounts (they reduce what is owed); zero never shows as -0.00."""
    sign = Decimal(-1) if line.kind is InvoiceKind.CREDIT_NOTE else Decimal(1)
    cur = line.currency

    def num(v: Decimal) -> str:
        return fmt.number(sign * v if v else abs(v), cur)

    days = "" if sign < 0 else str(line.days_past_due) if line.days_past_due > 0 else "0"
    return (line.name, fmt.date(line.invoice_date) if line.invoice_date else "", fmt.date(line.due_date), days,
            num(line.amount_total), num(line.amount_paid), num(line.amount_residual), cur)


def _totals(action: Action, labels: Mapping[str, str], fmt: _Formats,
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


# ---------------------------------------------------------------- helpers: docx
def _trim_package(doc: DocxDocument) -> None:
    """Drop what python-docx's default template carries but a letter never uses (≈800 KB per save)."""
    styles = doc.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for s in styles.findall(qn("w:style")):
        if s.get(qn("w:styleId")) not in _KEEP_STYLES:
            styles.remove(s)
    part = doc.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "customXml"):
            del part.rels[rid]
    pkg = part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] == "thumbnail":
            del pkg.rels[rid]


def _bottom_border(p: Any) -> None:
    ppr = p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="4" '
                         'w:color="808080"/></w:pBdr>'))


def _page_fields(p: Any, page_format: str) -> None:
    """'Page {PAGE} of {NUMPAGES}' → text runs and PAGE / NUMPAGES simple fields."""
    for piece in re.split(r"(\{PAGE\}|\{NUMPAGES\})", page_format):
        if not piece:
            continue
        if piece in ("{PAGE}", "{NUMPAGES}"):
            instr = piece.strip("{}")
            fld = etree.SubElement(p, qn("w:fldSimple"))
            fld.set(qn("w:instr"), f" {instr} ")
            r = etree.SubElement(fld, qn("w:r"))
            _sub_text(r, "1")
        else:
            _sub_text(etree.SubElement(p, qn("w:r")), piece)


def _east_asian(rpr: Any, language: str) -> None:
    """rFonts eastAsia + lang eastAsia on a run-properties element, for the letter's language (zh-CN by default:
    a Chinese name in an English letter still gets a Simplified Chinese face)."""
    base = language.split("_")[0]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = etree.SubElement(rpr, qn("w:rFonts"))
    fonts.set(qn("w:eastAsia"), _EAST_ASIAN_FONT.get(base, _EAST_ASIAN_FONT["zh"]))
    if base in _EAST_ASIAN_LANG:
        fonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = etree.SubElement(rpr, qn("w:lang"))
    lang.set(qn("w:val"), language.replace("_", "-") or "en-US")
    lang.set(qn("w:eastAsia"), _EAST_ASIAN_LANG.get(base, _EAST_ASIAN_LANG["zh"]))


def _sub_text(r: Any, text: str) -> None:
    t = etree.SubElement(r, qn("w:t"))
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


class _Appender:
    """Appends paragraphs and the invoice table to the body with plain lxml (text is escaped by lxml)."""

    _NUMERIC = (3, 4, 5, 6)
    _DATES = (1, 2)  # never wrapped: a date broken over two lines misreads in the 8-pt table
    _WIDTHS_CM = (2.5, 2.3, 2.3, 1.3, 2.1, 1.8, 2.1, 1.6)  # 16 cm: fits Letter and A4 with 2.5 cm margins

    def __init__(self, body: Any, sect: Any) -> None:
        self.body = body
        self.sect = sect

    def _p(self) -> Any:
        p = etree.Element(qn("w:p"))
        self.sect.addprevious(p)
        return p

    def para(self, lines: Sequence[str], *, bold: bool = False, align: str = "", space_before: int = 0,
             size: int = 0, keep_next: bool = False) -> None:
        p = self._p()
        if align or space_before or keep_next:
            ppr = etree.SubElement(p, qn("w:pPr"))
            if keep_next:
                etree.SubElement(ppr, qn("w:keepNext"))
            if space_before:
                etree.SubElement(ppr, qn("w:spacing")).set(qn("w:before"), str(space_before * 20))
            if align:
                etree.SubElement(ppr, qn("w:jc")).set(qn("w:val"), align)
        r = etree.SubElement(p, qn("w:r"))
        if bold or size:
            rpr = etree.SubElement(r, qn("w:rPr"))
            if bold:
                etree.SubElement(rpr, qn("w:b"))
            if size:
                etree.SubElement(rpr, qn("w:sz")).set(qn("w:val"), str(size * 2))
        for i, line in enumerate(lines):
            if i:
                etree.SubElement(r, qn("w:br"))
            _sub_text(r, line)

    def text_block(self, text: str, heading_space: int = 0, keep_with_next: bool = False) -> None:
        """Plain text → paragraphs at blank lines, line breaks within; '# ' starts a bold heading."""
        blocks = text.split("\n\n")
        for i, block in enumerate(blocks):
            lines = block.split("\n")
            while lines and lines[0].startswith("# "):
                self.para([lines.pop(0)[2:]], bold=True, space_before=heading_space, keep_next=True)
            if lines:
                self.para(lines, keep_next=keep_with_next and i == len(blocks) - 1)

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        tbl = parse_xml(
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
            'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid/></w:tbl>')
        grid = tbl.find(qn("w:tblGrid"))
        twips = [int(w / 2.54 * 1440) for w in self._WIDTHS_CM]
        for w in twips:
            etree.SubElement(grid, qn("w:gridCol")).set(qn("w:w"), str(w))
        header = self._row(twips, headers, bold=True)
        trpr = etree.Element(qn("w:trPr"))
        etree.SubElement(trpr, qn("w:tblHeader"))
        header.insert(0, trpr)
        tbl.append(header)
        proto = self._row(twips, [""] * len(headers), bold=False)
        for values in rows:
            tr = copy.deepcopy(proto)
            for t, value in zip(tr.iter(f"{_W}t"), values, strict=True):
                t.text = value
            tbl.append(tr)
        self.sect.addprevious(tbl)

    def _row(self, twips: Sequence[int], values: Sequence[str], *, bold: bool) -> Any:
        tr = etree.Element(qn("w:tr"))
        for i, (w, value) in enumerate(zip(twips, values, strict=True)):
            tc = etree.SubElement(tr, qn("w:tc"))
            tcpr = etree.SubElement(tc, qn("w:tcPr"))
            tcw = etree.SubElement(tcpr, qn("w:tcW"))
            tcw.set(qn("w:w"), str(w))
            tcw.set(qn("w:type"), "dxa")
            if i in self._DATES:
                etree.SubElement(tcpr, qn("w:noWrap"))
            p = etree.SubElement(tc, qn("w:p"))
            ppr = etree.SubElement(p, qn("w:pPr"))
            etree.SubElement(ppr, qn("w:spacing")).set(qn("w:after"), "0")
            if i in self._NUMERIC:
                etree.SubElement(ppr, qn("w:jc")).set(qn("w:val"), "right")
            r = etree.SubElement(p, qn("w:r"))
            rpr = etree.SubElement(r, qn("w:rPr"))
            if bold:
                etree.SubElement(rpr, qn("w:b"))
            etree.SubElement(rpr, qn("w:sz")).set(qn("w:val"), "16")
            _sub_text(r, value)
        return tr


# ---------------------------------------------------------------- reading letters back
def open_docx(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def document_text(doc: DocxDocument, *, headers: bool = True) -> str:
    """Every word of a document: body paragraphs, tables, and (optionally) headers and footers."""
    chunks: list[str] = [_paragraph_texts(doc.element.body)]
    if headers:
        for section in doc.sections:
            for hf in _headers_footers(section):
                if not hf.is_linked_to_previous:
                    chunks.append(_paragraph_texts(hf._element))
    return "\n".join(chunks)


def _paragraph_texts(root: Any) -> str:
    """One line per paragraph (table cells included), line breaks kept, so phrases never run together."""
    lines = []
    for p in root.iter(f"{_W}p"):
        lines.append("".join(("\n" if el.tag == f"{_W}br" else "\t" if el.tag == f"{_W}tab" else el.text or "")
                             for el in p.iter(f"{_W}t", f"{_W}br", f"{_W}tab")))
    return "\n".join(lines)


def _headers_footers(section: Any) -> list[Any]:
    return [section.header, section.first_page_header, section.even_page_header,
            section.footer, section.first_page_footer, section.even_page_footer]


def header_texts(doc: DocxDocument) -> list[str]:
    """The text each page would show in its header: every section's default, first-page and even-page header."""
    out: list[str] = []
    for section in doc.sections:
        kinds = [section.header]
        if section.different_first_page_header_footer:
            kinds.append(section.first_page_header)
        if doc.settings.odd_and_even_pages_header_footer:
            kinds.append(section.even_page_header)
        out.extend("\n".join(p.text for p in h.paragraphs) for h in kinds)
    return out


def strip_draft_marker(data: bytes) -> bytes:
    """The final copy: the same text with the DRAFT marker removed from every header (and nothing else)."""
    doc = open_docx(data)
    for section in doc.sections:
        for hf in (section.header, section.first_page_header, section.even_page_header):
            if hf.is_linked_to_previous:
                continue
            for p in hf.paragraphs:
                if DRAFT_MARKER in p.text:
                    for child in list(p._p):
                        if child.tag != qn("w:pPr"):
                            p._p.remove(child)
    if DRAFT_MARKER in document_text(doc):
        raise PolicyError(f"the letter still shows {DRAFT_MARKER!r} outside its header; remove it from the text "
                          "and approve the edited file.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def inspect_docx(data: bytes, max_bytes: int, what: str = "the edited letter", *, draft_text: str | None = None,
                 client_data: Iterable[str] = (), check_wording: bool = True) -> str:
    """Check that bytes are a sane, macro-free .docx without forbidden wording; returns its text.

    Wording is the firm's only: with `draft_text` (the checked draft) only the lines staff added or changed are
    read, and `client_data` (the client's name, address…) is masked in them. `check_wording=False` leaves the
    wording to a later step that knows the draft (the web upload hands the file to `approve_letter`)."""
    if len(data) > max_bytes:
        raise PolicyError(f"{what} is {len(data) // 1024} KB, over the {max_bytes // 1024} KB limit "
                          "(letters.max_edited_mb).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            unpacked = sum(i.file_size for i in zf.infolist())
            content_types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise PolicyError(f"{what} is not a Word .docx file ({exc}). Save it as 'Word Document (.docx)'.") from exc
    if "word/document.xml" not in names:
        raise PolicyError(f"{what} is not a Word .docx file (no word/document.xml).")
    if unpacked > 20 * max_bytes:
        raise PolicyError(f"{what} unpacks to {unpacked // 1_048_576} MB; refusing a file that large.")
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise PolicyError(f"{what} contains macros; save it as a plain .docx (not .docm).")
    try:
        doc = open_docx(data)
    except Exception as exc:  # python-docx raises several kinds for a broken package
        raise PolicyError(f"{what} cannot be opened as a Word document: {exc}.") from exc
    text = document_text(doc)
    if check_wording:
        own = text if draft_text is None else phrases.staff_lines(text, draft_text)
        _refuse_forbidden(own, what, client_data)
    return text


# ---------------------------------------------------------------- checks and samples
def check_letter_templates(settings: Settings) -> list[str]:
    """Errors in the letter templates, each naming the template (and line): syntax, missing blocks or labels,
    undefined variables, and forbidden wording. `templates check` prints them."""
    errors: list[str] = []
    dirs = letter_template_dirs(settings)
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
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
                                  "(never threaten criminal action, LAW.md #10).")
            if name.endswith(".j2"):
                try:
                    env.parse(source)
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
    builder = LetterBuilder(settings)
    codes = sorted({*settings.letters.jurisdictions, *(c for c in ("NY", "CA", "NJ")),
                    *([settings.firm.jurisdiction.upper()] if settings.firm.jurisdiction else [])})
    for lang in available_languages(settings):
        for kind in LETTER_KINDS:
            for code in codes:
                req = sample_request(settings, lang, kind=kind, jurisdiction=code)
                try:
                    builder.render(req)
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
                         notice_served_on=today - timedelta(days=45) if kind == "refer_to_suit" else None)


def sample_letters(settings: Settings, out_dir: Path, *, today: date | None = None) -> list[Path]:
    """One sample letter (DRAFT, made-up client) per shipped language; the demo command calls this."""
    from overdue_reminder.services.letters import write_private

    builder = LetterBuilder(settings)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths: list[Path] = []
    for lang in SHIPPED_LANGUAGES:
        req = sample_request(settings, lang, today=today)
        path = out_dir / f"sample-letter-{lang}.docx"
        write_private(path, builder.build(req, draft=True))
        paths.append(path)
    return paths


def build_letter(settings: Settings, req: LetterRequest, *, draft: bool = True) -> bytes:
    """One-off convenience; reuse a `LetterBuilder` for many letters."""
    return LetterBuilder(settings).build(req, draft=draft)


__all__ = [
    "DOCX_MIME", "DRAFT_MARKER", "FORBIDDEN_PHRASES", "SHIPPED_LANGUAGES", "LetterBuilder", "LetterRequest",
    "LetterText", "SentReminder", "build_letter", "check_letter_templates", "check_letter_text", "document_text",
    "header_texts", "inspect_docx", "matter_refs", "open_docx", "sample_letters", "sample_request",
    "strip_draft_marker",
]
