"""The morning digest's words: what a person reads first, in the digest's language, from templates/digest/.

Counts take their plural form from Babel's CLDR rules for the language (`plural(n, one=..., other=...)`:
"1 reminder" but "2 reminders"; Chinese has one form), numbers and amounts are formatted by Babel too.
The run's technical figures (sync counts, RPC calls, delivery mode) go to a small footer: they are for
whoever maintains the desk, not for the people the digest asks to act.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from overdue_reminder.core.aging import BUCKETS, AgingRow
from overdue_reminder.resources import templates_root
from overdue_reminder.services.aging_chart import bucket_label, money_text

# The chart keeps English bucket names (its bundled font has no Chinese glyphs); the text says them in Chinese.
ZH_BUCKETS = {"current": "未到期", "1-30": "逾期 1–30 天", "31-60": "逾期 31–60 天", "61-90": "逾期 61–90 天",
              "90+": "逾期 90 天以上"}


TONIGHT = ("sent", "drafted", "letters", "offers", "blocked", "failed")


@dataclass(frozen=True)
class Waiting:
    """One line of "waiting for people": how many of what, for whom, the oldest how many days old."""

    what: str  # letters | drafts | postal | invalid | unconfirmed | offers
    count: int
    who: str = ""
    oldest_days: int | None = None


@dataclass(frozen=True)
class Item:
    """One thing an attorney decides, with the link that opens it."""

    kind: str  # letter | offer
    id: int
    client: str
    summary: str
    days: int | None
    url: str


@dataclass(frozen=True)
class StaffFacts:
    firm: str
    run_date: date
    tonight: Mapping[str, int]  # sent, drafted, letters, offers, blocked
    waiting: Sequence[Waiting]
    stuck: Sequence[str]
    totals: Sequence[AgingRow]
    review_url: str
    technical: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class AttorneyFacts:
    firm: str
    run_date: date
    name: str
    items: Sequence[Item]
    review_url: str


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Words:
    """The helpers every digest template gets, bound to one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse(language)

    def num(self, n: int | Decimal) -> str:
        return str(format_decimal(n, locale=self.language))

    def plural(self, n: int, **forms: str) -> str:
        """The CLDR plural category of n in this language picks the form; '{n}' is the formatted count."""
        form = forms.get(self.locale.plural_form(n)) or forms["other"]
        return form.replace("{n}", self.num(n))

    def money(self, amount: Decimal, currency: str) -> str:
        return money_text(amount, currency, self.language)

    def day(self, d: date) -> str:
        return str(format_date(d, format="long", locale=self.language))

    def bucket(self, b: str) -> str:
        return ZH_BUCKETS.get(b, b) if self.language.startswith("zh") else bucket_label(b)

    def helpers(self) -> dict[str, Any]:
        return {"plural": self.plural, "num": self.num, "money": self.money, "day": self.day,
                "bucket_label": self.bucket, "buckets": BUCKETS}


@lru_cache(maxsize=1)
def _env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_root() / "digest")), undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, extensions=["jinja2.ext.do"])
    env.filters["plain"] = _plain
    return env


def _plain(value: object) -> str:
    """A shared phrase (escaped for HTML where it is defined) back to plain text for the text part."""
    return str(Markup(value).unescape())


def _render(family: str, language: str, values: dict[str, Any]) -> Rendered:
    env, words = _env(), Words(language)
    ctx = {**words.helpers(), **values}
    subject = env.get_template(f"{language}/{family}.subject.j2").render(ctx).strip()
    text = env.get_template(f"{language}/{family}.txt.j2").render(ctx)
    body = env.get_template(f"{language}/{family}.html.j2").render(ctx)
    return Rendered(" ".join(subject.split()), text, body)


def render_staff(facts: StaffFacts, language: str, chart_cids: Mapping[str, str]) -> Rendered:
    """The billing staff's digest; `chart_cids` maps each currency to its inline image's Content-ID."""
    counts = {k: int(facts.tonight.get(k, 0)) for k in TONIGHT}
    return _render("staff", language, {"f": replace(facts, tonight=counts), "charts": chart_cids})


def render_attorney(facts: AttorneyFacts, language: str) -> Rendered:
    return _render("attorney", language, {"f": facts})


def days_since(at: datetime | None, now: datetime) -> int | None:
    return None if at is None else max(0, (now - at).days)


def technical_lines(night: Mapping[str, Any]) -> list[str]:
    """The run's step counts, one line per step, for the footer (what used to be the digest's body)."""
    lines = []
    for step, data in night.items():
        if isinstance(data, Mapping):
            shown = ", ".join(f"{k} {v}" for k, v in data.items()
                              if isinstance(v, (int, str)) and not isinstance(v, bool) and v not in ("", 0))
            if shown:
                lines.append(f"{step}: {shown}")
    return lines


__all__ = ["AttorneyFacts", "Item", "Rendered", "StaffFacts", "Waiting", "Words", "days_since", "render_attorney",
           "render_staff", "technical_lines"]
