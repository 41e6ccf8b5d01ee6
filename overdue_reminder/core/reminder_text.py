"""Reminder emails: the templates of each tier, the documented context, rendering, and the templates check.

Templates live in `templates/email/<lang>/<tier>.{subject,txt,html}.j2` and load through the one environment
of `core.texts` (a firm's `[templates] dir` is searched first). Each (language, tier) resolves once per process.
The context is documented in templates/email/README.md; `build_context` is its single source, and every value
from the accounting system passes `clean_line` before a template sees it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)
from jinja2 import Template, TemplateError

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import PaymentChannel, Settings
from overdue_reminder.core import phrases
from overdue_reminder.core.sentences import payment_deadline, text_facts
from overdue_reminder.core.texts import (
    TemplateFolders,
    TemplateProblem,
    TextEnvironment,
    clean_line,
    clean_subject,
    environment,
    folders_for,
    language_chain,
    normalize_language,
    template_problem,
)
from overdue_reminder.errors import ConfigError
from overdue_reminder.model import Action, ActionLine, Attorney, InvoiceKind, Partner
from overdue_reminder.money import ZERO, is_currency, precision, quantize
from overdue_reminder.resources import templates_root

PARTS = ("subject", "txt", "html")
SHIPPED_TIERS = ("courtesy", "friendly", "firm", "final", "escalation")
_TIER_FILE = re.compile(r"^(?P<lang>[^/]+)/(?P<tier>[A-Za-z0-9][\w-]*)\.(?P<part>subject|txt|html)\.j2$")


@dataclass(frozen=True)
class TemplateSet:
    """The three compiled parts of one tier in one language."""

    language: str
    tier: str
    subject: Template
    text: Template
    html: Template


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str


class Templates:
    """The compiled templates a firm uses; one per process (see `templates_for`)."""

    def __init__(self, override_dir: Path | None = None, shipped_dir: Path | None = None,
                 default_language: str = "en_US", *, texts: TextEnvironment | None = None) -> None:
        self.texts = texts or environment(TemplateFolders(shipped_dir or templates_root(), override_dir))
        self.roots = tuple(self.texts.folders.dirs("email"))
        self.default_language = normalize_language(default_language) or "en_US"
        self.env = self.texts.env
        self.names: frozenset[str] = self.texts.names("email")
        self.languages: tuple[str, ...] = self.texts.languages("email")
        self._sets: dict[tuple[str, str], TemplateSet] = {}
        self._locales: dict[tuple[str, str], Locale] = {}

    def tiers(self, language: str | None = None) -> list[str]:
        """Tier names that have at least one part (in one language, or in any)."""
        found = set()
        for n in self.names:
            m = _TIER_FILE.match(n)
            if m and (language is None or m["lang"] == language):
                found.add(m["tier"])
        return sorted(found)

    def chain(self, language: str) -> list[str]:
        """Client language, its base language, a sibling of that base, then the firm's default."""
        return language_chain(language, self.default_language, self.languages)

    def resolve(self, language: str, tier: str) -> TemplateSet:
        """The first language in the chain that has all three parts of `tier`, compiled once."""
        key = (language, tier)
        found = self._sets.get(key)
        if found is not None:
            return found
        chain = self.chain(language)
        for lang in chain:
            names = [f"{lang}/{tier}.{part}.j2" for part in PARTS]
            if all(n in self.names for n in names):
                subject, text, html = (self.env.get_template(f"email/{n}") for n in names)
                found = TemplateSet(lang, tier, subject, text, html)
                self._sets[key] = found
                return found
        raise ConfigError(
            f"no email template for tier {tier!r} in any of the languages {', '.join(chain)}.",
            key="templates.dir",
            fix=f"add email/<lang>/{tier}.subject.j2, .txt.j2 and .html.j2 to the templates folder "
                f"(see templates/email/README.md), or rename the tier in [[policy.tiers]].")

    def locale(self, client_language: str, template_language: str) -> Locale:
        """The client's own locale when its text is in the client's language, else the text's."""
        key = (client_language, template_language)
        loc = self._locales.get(key)
        if loc is None:
            wanted = normalize_language(client_language)
            code = wanted if wanted and wanted.split("_")[0] == template_language.split("_")[0] else template_language
            try:
                loc = Locale.parse(code)
            except (UnknownLocaleError, ValueError):
                loc = Locale.parse(template_language) if code != template_language else Locale.parse("en_US")
            self._locales[key] = loc
        return loc

    def render(self, tset: TemplateSet, context: Mapping[str, Any]) -> Rendered:
        return Rendered(subject=clean_subject(tset.subject.render(context)), text=tset.text.render(context),
                        html=tset.html.render(context), language=tset.language)


@lru_cache(maxsize=8)
def _templates_cached(folders: TemplateFolders, default_language: str) -> Templates:
    return Templates(default_language=default_language, texts=environment(folders))


def templates_for(settings: Settings) -> Templates:
    """The firm's compiled templates, built once per process and configuration."""
    return _templates_cached(folders_for(settings, checked=True), settings.firm.default_language)


# ---------------------------------------------------------------- formatting
class _CurrencyPattern:
    """Babel's standard currency format for one (locale, currency), prepared once.

    `NumberPattern.apply` re-derives symbols and precision on every call, which made formatting as
    slow as rendering. This does the same steps with the lookups hoisted; patterns it does not
    reproduce exactly (scientific, significant digits, plural names, quotes) go to Babel itself.
    tests/reminders/test_drafting.py checks it against Babel for many locales and amounts.
    """

    def __init__(self, locale: Locale, currency: str) -> None:
        self.locale, self.currency = locale, currency
        pattern = locale.currency_formats["standard"]
        self.group = get_group_symbol(locale, numbering_system="latn")
        self.decimal = get_decimal_symbol(locale, numbering_system="latn")
        affixes = (*pattern.prefix, *pattern.suffix)
        self.fast = not (pattern.exp_prec or "@" in pattern.pattern or pattern.scale
                         or any("¤¤¤" in a or "'" in a for a in affixes) or "'" in self.group + self.decimal)
        symbol = get_currency_symbol(currency, locale)

        def affix(a: str) -> str:
            return a.replace("¤¤", currency.upper()).replace("¤", symbol)

        self.prefix = (affix(pattern.prefix[0]), affix(pattern.prefix[1]))
        self.suffix = (affix(pattern.suffix[0]), affix(pattern.suffix[1]))
        self.grouping = pattern.grouping
        self.int_min = pattern.int_prec[0]
        self.precision = precision(currency) if is_currency(currency) else int(get_currency_precision(currency))
        self.table = str.maketrans({",": self.group, ".": self.decimal})

    def __call__(self, amount: Decimal) -> str:
        """`amount` already rounded to the currency's precision (Formatter.money does that)."""
        if not self.fast:
            return str(format_currency(amount, self.currency, locale=self.locale))
        negative = int(amount.is_signed())
        if self.grouping == (3, 3) and self.int_min == 1:
            number = f"{abs(amount):,f}".translate(self.table)  # C-level grouping, then the locale's symbols
        else:
            whole, _, frac = f"{abs(amount):f}".partition(".")
            if len(whole) < self.int_min:
                whole = "0" * (self.int_min - len(whole)) + whole
            size, out = self.grouping[0], ""
            while len(whole) > size:
                out = self.group + whole[-size:] + out
                whole = whole[:-size]
                size = self.grouping[1]
            number = whole + out + (self.decimal + frac if self.precision else "")
        return self.prefix[negative] + number + self.suffix[negative]


class Formatter:
    """Babel formatting in one locale, with the per-locale lookups done once."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        self._dates: dict[tuple[date, str], str] = {}
        self._currencies: dict[str, _CurrencyPattern] = {}
        self._money: dict[tuple[Decimal, str], str] = {}

    def money(self, amount: Decimal, currency: str) -> str:
        key = (amount, currency)
        s = self._money.get(key)  # an invoice's total and residual are often the same figure
        if s is None:
            fmt = self._currencies.get(currency)
            if fmt is None:
                fmt = self._currencies[currency] = _CurrencyPattern(self.locale, currency)
            if len(self._money) > 100_000:
                self._money.clear()
            s = self._money[key] = fmt(quantize(amount, currency))
        return s

    def date(self, d: date | None, style: str = "medium") -> str:
        if d is None:
            return ""
        key = (d, style)
        s = self._dates.get(key)
        if s is None:
            s = self._dates[key] = str(format_date(d, style, locale=self.locale))
        return s


@lru_cache(maxsize=64)
def formatter(locale: Locale) -> Formatter:
    return Formatter(locale)


# ---------------------------------------------------------------- the context
class Person(Protocol):
    """What the context reads of a client or billing contact (a `Partner` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def is_company(self) -> bool: ...


@dataclass(frozen=True)
class Shared:
    """What every reminder of one run shares: the firm, payment channels, dates, people."""

    firm: Mapping[str, Any]
    channels: tuple[PaymentChannel, ...]
    verify_phone: str
    verification: Mapping[str, str]
    run_date: date
    respond_by: date
    partners: Mapping[int, Person] = field(default_factory=dict)
    attorneys: Mapping[int, Attorney] = field(default_factory=dict)
    offers: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    pay_links: Mapping[int, str] = field(default_factory=dict)  # invoice id -> Odoo portal URL (services.paylinks)
    _payment: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = field(default_factory=dict, init=False,
                                                                        repr=False, compare=False)
    _attorneys: dict[int, dict[str, str] | None] = field(default_factory=dict, init=False, repr=False,
                                                         compare=False)

    def payment(self, language: str, currencies: tuple[str, ...] = ()) -> dict[str, Any]:
        """Per language and currencies, built once and shared: the sandbox is immutable, so no template can
        change it. Only the channels that take one of `currencies` (all of them when none is named)."""
        key = (language, currencies)
        found = self._payment.get(key)
        if found is None:
            found = self._payment[key] = self._build_payment(language, currencies)
        return found

    def attorney(self, attorney_id: int | None) -> dict[str, str] | None:
        if attorney_id is None:
            return None
        if attorney_id not in self._attorneys:
            att = self.attorneys.get(attorney_id)
            self._attorneys[attorney_id] = None if att is None else {"name": clean_line(att.name),
                                                                     "email": clean_line(att.email)}
        return self._attorneys[attorney_id]

    def _build_payment(self, language: str, currencies: tuple[str, ...]) -> dict[str, Any]:
        base = language.split("_")[0]
        channels = [channel_context(ch, language) for ch in self.channels
                    if not currencies or any(ch.takes(c) for c in currencies)]
        verification = self.verification.get(language) or self.verification.get(base) or ""
        return {"channels": channels, "verify_phone": self.verify_phone,
                "verification": clean_line(verification, 1000)}


def channel_context(ch: PaymentChannel, language: str) -> dict[str, Any]:
    """One channel as a template (email or letter) sees it, in `language` (config/payment.py)."""
    words = ch.text(language)
    return {"label": clean_line(words.label), "details": [clean_line(d, 300) for d in words.details],
            "url": clean_line(ch.url, 300), "swift": clean_line(ch.swift, 40), "iban": clean_line(ch.iban, 60),
            "intermediary_bank": clean_line(words.intermediary_bank, 300), "currencies": list(ch.currencies),
            "reference_format": ch.reference, "references": []}


def with_references(payment: Mapping[str, Any], numbers: Sequence[str], reference: str) -> dict[str, Any]:
    """The channels' reference lines for these invoices (a copy: the shared context stays untouched)."""
    if not any(ch["reference_format"] for ch in payment["channels"]):
        return dict(payment)
    channels = [{**ch, "references": [clean_line(r, 200) for r in PaymentChannel(
        "", reference=ch["reference_format"]).references(list(numbers), reference)]} for ch in payment["channels"]]
    return {**payment, "channels": channels}


def shared_for(settings: Settings, run_date: date, *, partners: Mapping[int, Person] | None = None,
               attorneys: Mapping[int, Attorney] | None = None,
               offers: Mapping[int, Mapping[str, Any]] | None = None,
               calendar: FirmCalendar | None = None, pay_links: Mapping[int, str] | None = None) -> Shared:
    """The run-wide part of the context; refuses to draft without official channels (DESIGN.md)."""
    pay = settings.payment
    if not pay.channels:
        raise ConfigError("no official payment channels: every reminder must say how to pay the firm.",
                          path=settings.config_path, key="payment.channels",
                          fix="add [[payment.channels]] with label and details (see the example configuration).")
    phone = clean_line(pay.verify_phone or settings.firm.phone, 100)
    if not phone:
        raise ConfigError("no published phone number for clients to verify a payment request.",
                          path=settings.config_path, key="payment.verify_phone",
                          fix="set payment.verify_phone (or firm.phone) to the number on the firm's website.")
    f = settings.firm
    firm = {"name": clean_line(f.name), "address": [clean_line(a) for a in f.address], "phone": clean_line(f.phone),
            "email": clean_line(f.email), "website": clean_line(f.website)}
    cal = calendar or settings.calendar()
    respond_by = cal.add_business_days(run_date, settings.templates.respond_within_days)
    return Shared(firm=firm, channels=tuple(pay.channels), verify_phone=phone, verification=dict(pay.verification),
                  run_date=run_date, respond_by=respond_by, partners=partners or {}, attorneys=attorneys or {},
                  offers=offers or {}, pay_links=pay_links or {})


def reference_for(idempotency_key: str) -> str:
    """A short reference a client can quote; derived from the idempotency key, so stable."""
    return "R-" + idempotency_key[:10].upper()


def _amounts(fmt: Formatter, totals: Mapping[str, Decimal]) -> list[dict[str, str]]:
    return [{"currency": cur, "amount": fmt.money(amt, cur), "value": str(quantize(amt, cur))}
            for cur, amt in totals.items() if amt != ZERO]


def _line(fmt: Formatter, line: ActionLine, pay_links: Mapping[int, str]) -> dict[str, Any]:
    credit = line.kind is InvoiceKind.CREDIT_NOTE
    sign = -1 if credit else 1
    cur = line.currency
    return {
        "number": clean_line(line.name),
        "matter_ref": clean_line(line.matter_ref),
        "kind": line.kind.value,
        "is_credit": credit,
        "currency": cur,
        "invoice_date": fmt.date(line.invoice_date),
        "due_date": fmt.date(line.due_date),
        "days_past_due": line.days_past_due,
        "total": fmt.money(sign * line.amount_total, cur),
        "paid": fmt.money(line.amount_paid, cur) if line.amount_paid else "",
        "has_paid": line.amount_paid != ZERO,
        "residual": fmt.money(sign * line.amount_residual, cur),
        "credit": fmt.money(line.amount_residual, cur) if credit else "",
        "pay_url": "" if credit else clean_line(pay_links.get(line.invoice_id, ""), 500),
    }


def _offer(fmt: Formatter, raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    respond_by = raw.get("respond_by")
    lines = raw.get("lines") or []
    return {"summary": clean_line(raw.get("summary", ""), 1000),
            "lines": [clean_line(x, 500) for x in lines],
            "respond_by": fmt.date(respond_by, "long") if isinstance(respond_by, date)
            else clean_line(respond_by or "")}


def _channels_for(shared: Shared, language: str, action: Action) -> dict[str, Any]:
    """The payment block for this action's currencies; none of the firm's channels taking one is a
    configuration error (`config check` names it before a night's run)."""
    currencies = tuple(sorted({ln.currency for ln in action.lines}))
    missing = [c for c in currencies if not any(ch.takes(c) for ch in shared.channels)]
    if missing:
        raise ConfigError(f"no payment channel takes {', '.join(missing)}: the reminder to "
                          f"{action.client_name} could not say how to pay.", key="payment.channels",
                          fix=f"add {', '.join(missing)} to the currencies of a [[payment.channels]] entry.")
    return shared.payment(language, currencies)


def build_context(action: Action, shared: Shared, *, reference: str, language: str, fmt: Formatter) -> dict[str, Any]:
    """The documented template context (templates/email/README.md) for one action."""
    client_name = clean_line(action.client_name)
    contact = shared.partners.get(action.contact_id)
    contact_name = clean_line(contact.name) if contact is not None and contact.name.strip() else client_name
    client = shared.partners.get(action.client_id)
    ordered = sorted(action.lines, key=lambda ln: (ln.kind is InvoiceKind.CREDIT_NOTE, ln.due_date, ln.name))
    invoices = [_line(fmt, ln, shared.pay_links) for ln in ordered]
    debits = [ln for ln in ordered if ln.kind is not InvoiceKind.CREDIT_NOTE]
    oldest = min((ln.due_date for ln in debits), default=None)
    raw_offer = shared.offers.get(action.client_id) if action.with_offer else None
    offer = _offer(fmt, raw_offer)
    expiry = raw_offer.get("respond_by") if raw_offer else None
    deadline = payment_deadline(shared.respond_by, expiry if isinstance(expiry, date) else None, shared.run_date)
    totals = _amounts(fmt, action.totals)
    is_company = bool(client.is_company) if client is not None else action.client_kind == "business"
    return {
        **text_facts([ln.days_past_due for ln in debits], action.sent_before, is_company=is_company),
        "firm": shared.firm,
        "client": {"id": action.client_id, "name": client_name, "is_company": is_company},
        "contact": {"name": contact_name, "email": clean_line(action.to_email, 500)},
        "salutation_name": contact_name,
        "tier": {"name": action.tier, "index": action.tier_index},
        "language": language,
        "reference": reference,
        "run_date": fmt.date(shared.run_date, "long"),
        "respond_by": fmt.date(deadline, "long"),
        "matter_ref": clean_line(action.matter_ref),
        "matters": sorted({inv["matter_ref"] for inv in invoices if inv["matter_ref"]}),
        "invoices": invoices,
        "invoice_numbers": [inv["number"] for inv in invoices if not inv["is_credit"]],
        "invoice_count": len(debits),
        "totals": totals,
        "credits": _amounts(fmt, action.credits),
        "unapplied_payments": _amounts(fmt, action.unapplied_payments),
        "interest": _amounts(fmt, action.interest),
        "amount_due": totals if not action.interest else _amounts(fmt, {
            c: a + action.interest.get(c, ZERO) for c, a in {**dict.fromkeys(action.interest, ZERO),
                                                             **action.totals}.items()}),
        "days_past_due": action.max_days_past_due,
        "oldest_due_date": fmt.date(oldest, "long"),
        "attorney": shared.attorney(action.attorney_id),
        "offer": offer,
        "payment": with_references(_channels_for(shared, language, action),
                                   [inv["number"] for inv in invoices if not inv["is_credit"]], reference),
        "pay_links": [{"number": inv["number"], "url": inv["pay_url"]} for inv in invoices if inv["pay_url"]],
    }


def render_action(templates: Templates, action: Action, shared: Shared, reference: str) -> Rendered:
    """Resolve the client's language, build the context and render the three parts."""
    tset = templates.resolve(action.language, action.tier)
    fmt = formatter(templates.locale(action.language, tset.language))
    return templates.render(tset, build_context(action, shared, reference=reference, language=tset.language,
                                                fmt=fmt))


def sample_actions(run_date: date) -> list[Action]:
    """Sample data that walks every branch the shipped templates have (pre-due, credits, offer…)."""
    def line(i: int, name: str, days: int, total: str, paid: str, kind: InvoiceKind = InvoiceKind.INVOICE,
             cur: str = "USD", matter: str = "2026-0042") -> ActionLine:
        due = run_date - timedelta(days=days)
        t, p = Decimal(total), Decimal(paid)
        return ActionLine(i, name, kind, matter, cur, due - timedelta(days=30), due, t, p, t - p, days)

    def action(lines: tuple[ActionLine, ...], totals: dict[str, Decimal], days: int, *, offer: bool = False,
               attorney: int | None = 9100, unapplied: dict[str, Decimal] | None = None,
               interest: dict[str, Decimal] | None = None, sent_before: int = 0) -> Action:
        return Action(client_id=9001, client_name="Sample Client Ltd", tier="", tier_index=0, channel="email",
                      attorney_review=False, auto_send=False, with_offer=offer, matter_ref="", lines=lines,
                      totals=totals, credits={}, unapplied_payments=unapplied or {}, max_days_past_due=days,
                      attorney_id=attorney, contact_id=9002, to_email="billing@client.example", language="",
                      grade="B", reasons=("sample",), interest=interest or {}, sent_before=sent_before)

    return [
        action((line(1, "INV/2026/0001", -3, "1200.00", "0"),), {"USD": Decimal("1200.00")}, -3),
        action((line(2, "INV/2026/0002", 45, "4000.00", "1000.00"),
                line(3, "INV/2026/0003", 12, "250000", "0", cur="JPY", matter="2025-0913"),
                line(4, "RINV/2026/0001", 3, "500.00", "0", kind=InvoiceKind.CREDIT_NOTE)),
               {"USD": Decimal("2250.00"), "JPY": Decimal("250000")}, 45, offer=True,
               unapplied={"USD": Decimal("250.00")}, interest={"USD": Decimal("12.50")}, sent_before=2),
        action((line(5, "INV/2026/0005", 1, "80.00", "0"),), {"USD": Decimal("80.00")}, 1, attorney=None,
               sent_before=1),
        action((line(6, "INV/2024/0006", 768, "5200.00", "0"),), {"USD": Decimal("5200.00")}, 768),
    ]


def _check_settings(settings: Settings) -> Settings:
    """Sample channels and phone when the firm has not configured them yet (the check still runs)."""
    pay = settings.payment
    phone = pay.verify_phone or settings.firm.phone or "+1 212 555 0100"
    # every channel for every sample currency: the check renders each channel's words in each language
    channels = [replace(ch, currencies=[]) for ch in pay.channels] or [
        PaymentChannel("Bank transfer", ["Sample Bank", "Account 000123"], swift="SAMPUS33",
                       reference="{invoice_number}")]
    return replace(settings, payment=replace(pay, channels=channels, verify_phone=phone))


def check_templates(settings: Settings, run_date: date, *, templates: Templates | None = None,
                    tiers: Sequence[str] = ()) -> list[TemplateProblem]:
    """Render every tier in every language with sample data; every error with template and line."""
    try:
        # A fresh environment: the check reads the files as they are now, not as this process first loaded them.
        tpl = templates or Templates(default_language=settings.firm.default_language,
                                     texts=TextEnvironment(folders_for(settings, checked=True)))
    except (ConfigError, TemplateError, OSError) as exc:
        return [TemplateProblem("templates.dir", None, str(exc))]
    partners = {9001: Partner(9001, "Sample Client Ltd", 9001, is_company=True),
                9002: Partner(9002, "Alex Sample", 9001, email="billing@client.example")}
    attorneys = {9100: Attorney(9100, "Jordan Counsel", "jcounsel", "jcounsel@firm.example")}
    offers = {9001: {"summary": "Sample offer", "lines": ["Three monthly installments"], "respond_by": run_date}}
    links = {i: f"https://portal.example/my/invoices/{i}?access_token=sample-token-{i}" for i in range(1, 7)}
    shared = shared_for(_check_settings(settings), run_date, partners=partners, attorneys=attorneys, offers=offers,
                        calendar=FirmCalendar(timezone=settings.firm.timezone), pay_links=links)
    wanted = sorted(set(tiers) | set(SHIPPED_TIERS) | set(tpl.tiers()))
    problems: list[TemplateProblem] = []
    for lang in tpl.languages:
        for tier in wanted:
            problems.extend(_check_one(tpl, shared, lang, tier, run_date))
    return _dedupe(problems)


def _check_one(tpl: Templates, shared: Shared, lang: str, tier: str, run_date: date) -> list[TemplateProblem]:
    names = [f"{lang}/{tier}.{part}.j2" for part in PARTS]
    have = [n for n in names if n in tpl.names]
    if have and len(have) < len(names):
        return [TemplateProblem(n, None, "missing: every tier needs subject, txt and html")
                for n in names if n not in tpl.names]
    try:
        tset = tpl.resolve(lang, tier)
    except ConfigError as exc:
        return [TemplateProblem(f"{lang}/{tier}.*.j2", None, str(exc))]
    except TemplateError as exc:
        return [template_problem(exc, names[0])]
    if tset.language != lang:
        return []  # this language falls back to another one, which is checked on its own
    fmt = formatter(tpl.locale(lang, lang))
    found: list[TemplateProblem] = []
    for sample in sample_actions(run_date):
        ctx = build_context(replace(sample, tier=tier, language=lang), shared, reference="R-SAMPLE0000",
                            language=lang, fmt=fmt)
        for part, name, t in zip(PARTS, names, (tset.subject, tset.text, tset.html), strict=True):
            try:
                out = t.render(ctx)
            except Exception as exc:
                return [*found, template_problem(exc, name)]
            found.extend(_content_problems(name, part, out, shared, ctx))
    return found


def _content_problems(name: str, part: str, out: str, shared: Shared, ctx: Mapping[str, Any]) -> list[TemplateProblem]:
    """DESIGN.md: every reminder carries the official channels and the verification line."""
    found: list[TemplateProblem] = []
    if part == "subject":
        if not clean_subject(out):
            found.append(TemplateProblem(name, None, "renders an empty subject"))
        elif "\n" in out.strip():
            found.append(TemplateProblem(name, None, "subject spans several lines (they are joined into one)"))
        return found
    if shared.verify_phone not in out:
        found.append(TemplateProblem(name, None, f"omits the verification phone number {shared.verify_phone!r} "
                                                 "(payment.verify_phone)"))
    for ch in ctx["payment"]["channels"]:
        label = ch["label"] if part == "txt" else _html_text(ch["label"])
        if label not in out:
            found.append(TemplateProblem(name, None, f"omits the official payment channel {ch['label']!r}"))
    firm = ctx["firm"]
    for phrase in phrases.find(out, (firm["name"], *firm["address"], firm["email"], firm["website"])):
        found.append(TemplateProblem(name, None, f"forbidden phrase {phrase!r} (never threaten criminal, "
                                                 "administrative, tax or immigration action; "
                                                 "rule: Official words only)"))
    return found


def _html_text(s: str) -> str:
    from markupsafe import escape

    return str(escape(s))


def _dedupe(problems: list[TemplateProblem]) -> list[TemplateProblem]:
    seen: set[tuple[str, int | None, str]] = set()
    out = []
    for p in problems:
        k = (p.template, p.line, p.message)
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out
