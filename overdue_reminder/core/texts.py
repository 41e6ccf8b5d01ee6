"""The ONE jinja2 environment and loader for every text the firm sends: reminder emails, offer emails, letters.

Templates live in `templates/<family>/<lang>/…` for the families `email`, `offers` and `letters`. The firm's
`[templates] dir` mirrors that layout for emails and offers, and `[letters] templates_dir` holds the letters'
`<lang>/…` folders; a firm file is searched first, so any file there overrides the shipped one of the same name.
One sandboxed environment loads all three (`TextEnvironment`, built once per process and folder set): templates
are compiled once and reused, and the language fallback (`language_chain`) is the same for every family.

Safety: the environment is sandboxed and immutable (templates cannot call unsafe attributes or mutate the
context), HTML parts are autoescaped, undefined names are errors, and every value that comes from the
accounting system is flattened to one line of plain text (`clean_line`) before a template sees it. Data is
never compiled as a template, so `{{ … }}` inside a client's name stays literal text.

Letters keep jinja2's default whitespace (blocks do not eat the newline after them): they render through
`TextEnvironment.letters`, an overlay of the same environment sharing its loader, sandbox and filters.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateRuntimeError,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from overdue_reminder.config import Settings
from overdue_reminder.errors import ConfigError
from overdue_reminder.resources import templates_root

FAMILIES = ("email", "offers", "letters")
FALLBACK_LANGUAGE = "en_US"
FORMATS = "_formats"  # context key: the locale's formats the `money` and `date` filters use (letters set it)
SUBJECT_MAX = 200
NAME_MAX = 200

# C0/C1 controls, line/paragraph separators, zero-width and bidi-override characters: a header or a
# one-line field must never carry them (CR/LF would start a new header; bidi marks can spoof text).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+")


def clean_line(value: object, limit: int = NAME_MAX) -> str:
    """One line of plain text: controls and line breaks become spaces, runs of space collapse."""
    text = str(value)
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text[:limit]  # already one clean line: printable excludes every character _UNSAFE matches
    return " ".join(_UNSAFE.sub(" ", text).split())[:limit]


def clean_subject(value: str) -> str:
    return clean_line(value, SUBJECT_MAX)


def normalize_language(code: str) -> str:
    """'zh-cn' → 'zh_CN', 'sr@latin' → 'sr'; Odoo's codes already look like 'en_US'."""
    code = code.strip().split("@")[0].replace("-", "_")
    if not code:
        return ""
    lang, _, region = code.partition("_")
    return f"{lang.lower()}_{region.upper()}" if region else lang.lower()


def _autoescape(name: str | None) -> bool:
    return bool(name) and str(name).endswith((".html.j2", ".html"))



# ---------------------------------------------------------------- where templates are
@dataclass(frozen=True)
class TemplateFolders:
    """Where each family's templates are looked up: the firm's own folder first, then the shipped one."""

    shipped: Path
    firm: Path | None = None  # [templates] dir: holds email/ and offers/
    firm_letters: Path | None = None  # [letters] templates_dir: holds the letters' <lang>/ folders

    def dirs(self, family: str) -> list[Path]:
        own = self.firm_letters if family == "letters" else (self.firm / family if self.firm else None)
        return [d for d in (own, self.shipped / family) if d is not None]


def override_dir(settings: Settings) -> Path | None:
    """The firm's `[templates] dir`; a configured folder that does not exist is a configuration error."""
    if not settings.templates.dir:
        return None
    path = settings.resolve(settings.templates.dir)
    if not path.is_dir():
        raise ConfigError(f"the templates folder {path} does not exist.", path=settings.config_path,
                          key="templates.dir", fix="create it (mirroring templates/email/<lang>/…) or set dir = \"\".")
    return path


def folders_for(settings: Settings, *, checked: bool = False) -> TemplateFolders:
    """The firm's template folders; `checked` refuses a configured `[templates] dir` that does not exist."""
    firm = override_dir(settings) if checked else (
        settings.resolve(settings.templates.dir) if settings.templates.dir else None)
    letters = settings.resolve(settings.letters.templates_dir) if settings.letters.templates_dir else None
    return TemplateFolders(templates_root(), firm, letters)


# ---------------------------------------------------------------- the environment
class _Sandbox(ImmutableSandboxedEnvironment):
    def join_path(self, template: str, parent: str) -> str:
        """A name inside a family's template is relative to that family (`en_US/_layout.txt.j2` in an email
        means `email/en_US/_layout.txt.j2`); a name that starts with a family (`offers/…`) is complete."""
        family = parent.split("/", 1)[0]
        if family in FAMILIES and template.split("/", 1)[0] not in FAMILIES:
            return f"{family}/{template}"
        return template


class _FamilyLoader(PrefixLoader):
    """One loader for every family (`email/…`, `offers/…`, `letters/…`). Unlike PrefixLoader's own `load`, a
    template keeps its full name, so `join_path` knows which family an include comes from."""

    def load(self, environment: Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> Template:
        return BaseLoader.load(self, environment, name, globals)


class Formats(Protocol):
    """What the `money` and `date` filters call: a locale's formatting, put in the context under FORMATS."""

    def money(self, amount: Any, currency: str) -> str: ...

    def date(self, value: Any, fmt: str = "medium") -> str: ...


def _formats(context: Context) -> Formats:
    found = context.get(FORMATS)
    if found is None:
        raise TemplateRuntimeError("the money and date filters need the text's locale; this template has none.")
    return found  # type: ignore[no-any-return]


@pass_context
def _money_filter(context: Context, amount: Decimal | int | str, currency: str) -> str:
    return _formats(context).money(amount, currency)


@pass_context
def _date_filter(context: Context, value: date | str, fmt: str = "medium") -> str:
    return _formats(context).date(value, fmt)


class TextEnvironment:
    """The one sandboxed environment and loader for a set of folders; see `environment`."""

    def __init__(self, folders: TemplateFolders) -> None:
        self.folders = folders
        loader = _FamilyLoader({
            family: ChoiceLoader([FileSystemLoader(str(d)) for d in folders.dirs(family) if d.is_dir()])
            for family in FAMILIES})
        self.env = _Sandbox(loader=loader, autoescape=_autoescape, undefined=StrictUndefined, trim_blocks=True,
                            lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False, cache_size=-1)
        self.env.filters["money"] = _money_filter
        self.env.filters["date"] = _date_filter
        # Letters were written for jinja2's default whitespace; same loader, sandbox and filters.
        self.letters = self.env.overlay(trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=False)

    @cached_property
    def _all_names(self) -> tuple[str, ...]:
        return tuple(self.env.list_templates())

    def names(self, family: str) -> frozenset[str]:
        """Every template of a family, named relative to it (`en_US/friendly.txt.j2`)."""
        prefix = family + "/"
        return frozenset(n[len(prefix):] for n in self._all_names if n.startswith(prefix))

    def languages(self, family: str) -> tuple[str, ...]:
        """The language folders a family has templates in, sorted."""
        return tuple(sorted({n.split("/", 1)[0] for n in self.names(family) if "/" in n}))


@lru_cache(maxsize=8)
def environment(folders: TemplateFolders) -> TextEnvironment:
    """The environment for a set of folders, built once per process (compiled templates are kept)."""
    return TextEnvironment(folders)


def environment_for(settings: Settings) -> TextEnvironment:
    return environment(folders_for(settings))


# ---------------------------------------------------------------- language fallback
def language_chain(wanted: str, default: str, available: Sequence[str]) -> list[str]:
    """Client language, its base language, a sibling of that base, then the same for the firm's default."""
    out: list[str] = []

    def add(code: str) -> None:
        if code and code not in out:
            out.append(code)

    for code in (normalize_language(wanted), normalize_language(default)):
        base = code.split("_")[0]
        add(code)
        add(base)
        for sibling in available:
            if base and sibling.split("_")[0].lower() == base:
                add(sibling)
    return out


def pick_language(wanted: str, default: str, available: Sequence[str]) -> str:
    """The first language of the chain that has templates, else en_US, else any that has them."""
    for code in language_chain(wanted, default, available):
        if code in available:
            return code
    return FALLBACK_LANGUAGE if FALLBACK_LANGUAGE in available or not available else available[0]


# ---------------------------------------------------------------- template errors
@dataclass(frozen=True)
class TemplateProblem:
    template: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.template}:{self.line}" if self.line else self.template
        return f"{where}: {self.message}"


def template_problem(exc: BaseException, fallback: str) -> TemplateProblem:
    """Where a template error is: the template's name and line, as `templates check` reports it."""
    if isinstance(exc, TemplateSyntaxError):
        return TemplateProblem(_email_relative(exc.name or exc.filename or fallback), exc.lineno,
                               exc.message or str(exc))
    name, line = fallback, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            name, line = frame.filename, frame.lineno
    if "/email/" in name:
        name = name.split("/email/", 1)[1]
    return TemplateProblem(_email_relative(name), line, f"{type(exc).__name__}: {exc}")


def _email_relative(name: str) -> str:
    """Email templates are named relative to the email folder (`en_US/firm.txt.j2`), as the firm writes them."""
    return name.removeprefix("email/")


