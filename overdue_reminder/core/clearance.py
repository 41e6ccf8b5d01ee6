"""Clearance at every exit: may this item leave the firm (or be decided) now, on the facts of this moment?

Rules applied when something was planned or drafted are not trusted at the exit: between drafting and
sending a client may file for bankruptcy, dispute the bill, retain other counsel or pay, and a clerk may edit
the text. Every exit (a reminder email, a postal item, a letter approval or release, an offer proposal or
acceptance, a write-back to Odoo) builds an `Item` saying exactly what would leave, reads the `Facts` of the
moment in the same transaction that marks the item as leaving, and asks `clear`. Pure: no I/O, no clock.

Each refusal names the rule as docs/rules.md names it, so staff and counsel read the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from html.parser import HTMLParser
from urllib.parse import urlsplit

from overdue_reminder.core import phrases
from overdue_reminder.core.interest import over_ceiling
from overdue_reminder.core.rules import RULE as SUIT_RULE_TAG
from overdue_reminder.core.rules import SuitFacts, court_leave_missing, judge_suit


class Exit(StrEnum):
    REMINDER_APPROVAL = "reminder approval"
    REMINDER = "reminder email"
    POSTAL = "postal item"
    LETTER_APPROVAL = "letter approval"
    LETTER_RELEASE = "letter release"
    OFFER_PROPOSAL = "offer proposal"
    OFFER_ACCEPTANCE = "offer acceptance"
    WRITE_BACK = "write-back to Odoo"


class Role(StrEnum):
    SYSTEM = "system"  # the nightly run: may send what people approved, never approve
    STAFF = "staff"
    ATTORNEY = "attorney"
    PARTNER = "partner"  # the supervising partner: may decide any attorney's items


# Rule names as docs/rules.md headings them.
HOLDS = "Holds stop contact"
FIGURES = "Figures as of today"
AGE = "Nothing stale leaves"
RECIPIENT = "Billing contact of record"
AUTHORITY = "Proven authority"
CONTENT = "Official words only"
INTEREST = "Interest within its cap"
COURT = "Court's leave stated"
SUIT = "Fee arbitration before suit"
ENCLOSURES = "Enclosures as approved"
PAY_LINKS = "Pay links to the firm's own portal"

# Holds that stop every exit, decisions included: the law (automatic stay, Rule 4.2) or the client said stop.
LEGAL_HOLDS = frozenset({"bankruptcy", "other_counsel", "do_not_contact", "dispute", "arbitration_requested"})
# Holds removable (or given an end) only by an attorney: they end by a court or a lawyer, not by a date.
ATTORNEY_ONLY_HOLDS = frozenset({"bankruptcy", "other_counsel"})
# Exits that contact the client: every active hold stops them (a plan in good standing, a promise, a pause).
CONTACT_EXITS = frozenset({Exit.REMINDER, Exit.POSTAL, Exit.LETTER_RELEASE})
# Exits that decide for the client: only the legal holds stop them (accepting the client's own plan is fine).
DECISION_EXITS = frozenset({Exit.REMINDER_APPROVAL, Exit.LETTER_APPROVAL, Exit.OFFER_PROPOSAL,
                            Exit.OFFER_ACCEPTANCE})
EMAIL_EXITS = frozenset({Exit.REMINDER_APPROVAL, Exit.REMINDER})
ATTORNEY_ROLES = frozenset({Role.ATTORNEY, Role.PARTNER})


@dataclass(frozen=True)
class Actor:
    """Who acts, in what role, and how that identity was proven ("" = not proven: a name typed somewhere)."""

    name: str
    role: Role
    proof: str = ""  # odoo-password | odoo-api-key | os-user | web-session | scheduler
    odoo_uid: int | None = None

    @property
    def proven(self) -> bool:
        return bool(self.proof)

    def audit(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role.value, "proof": self.proof or "none", "odoo_uid": self.odoo_uid}


SYSTEM = Actor("overdue-reminder", Role.SYSTEM, "scheduler")


@dataclass(frozen=True)
class Line:
    """One invoice as the item states it."""

    invoice_id: int
    name: str
    currency: str
    residual: Decimal
    credit_note: bool = False


@dataclass(frozen=True)
class Item:
    """Exactly what would leave or be decided."""

    exit: Exit
    ref: str  # "reminder #12", shown in every reason
    client_id: int
    lines: tuple[Line, ...] = ()
    recipient: str = ""  # the email address it goes to ("" for no email recipient)
    created_on: date | None = None
    deadline: date | None = None  # a payment or response date the item states
    text: str = ""  # every word that leaves (the text part, subject included)
    html: str = ""  # the HTML part, checked as the words a reader sees
    totals: Mapping[str, Decimal] = field(default_factory=dict)  # per currency, when stated without lines
    invoice_ids: tuple[int, ...] = ()  # the invoices behind `totals`
    client_data: tuple[str, ...] = ()  # names and numbers from the ledger: not the firm's wording
    approved_by: Actor | None = None
    needs_attorney: bool = False
    attorney_uid: int | None = None  # the responsible attorney's Odoo user id (authority)
    interest: Mapping[str, Decimal] = field(default_factory=dict)  # interest and fees stated, per currency
    kind: str = ""  # a letter's kind (withdrawal_warning…)
    suit: bool = False  # a refer-to-suit letter: the suit gate applies
    enclosures: tuple[tuple[str, str], ...] = ()  # (form, sha256 of the file as drafted and approved)
    deductions: Mapping[str, Decimal] = field(default_factory=dict)  # credits and payments netted from `totals`


@dataclass(frozen=True)
class HoldFact:
    id: int
    kind: str
    reason: str
    placed_by: str
    invoice_id: int | None = None


@dataclass(frozen=True)
class InvoiceNow:
    id: int
    name: str
    currency: str
    residual: Decimal
    open: bool


@dataclass(frozen=True)
class Facts:
    """The ledger at this moment, for the item's client."""

    holds: tuple[HoldFact, ...] = ()
    invoices: Mapping[int, InvoiceNow] = field(default_factory=dict)
    billing_contacts: frozenset[str] = frozenset()  # addresses of record, casefolded
    quanta: Mapping[str, Decimal] = field(default_factory=dict)  # currency -> smallest unit
    # The most interest and fees the item's invoices may carry per currency, at the caps and only where the terms
    # allow interest (core/interest.py `ceiling`); None: not read for this exit.
    interest_ceiling: Mapping[str, Decimal] | None = None
    before_court: frozenset[str] = frozenset()  # the item's matters before a court now (LAW.md #11)
    suit: SuitFacts | None = None  # for a refer-to-suit item: notices served, arbitration requested
    enclosures: Mapping[str, str | None] = field(default_factory=dict)  # form -> sha256 of its file now (None: gone)


@dataclass(frozen=True)
class Wording:
    """The firm's content rules, from settings: what must appear and what must never."""

    forbidden: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # official channel labels, the verification phone
    official_accounts: tuple[str, ...] = ()  # account numbers / IBANs allowed to appear
    letter_max_age_days: int = 30
    portal_host: str = ""  # the firm's own Odoo portal host ([payment] portal_url); "": pay links are off


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str

    def __str__(self) -> str:
        return f"{self.text} (rule: {self.rule})"


@dataclass(frozen=True)
class Clearance:
    item: Item
    reasons: tuple[Reason, ...]
    holds: tuple[HoldFact, ...] = ()  # the holds that blocked it, for "cancelled with the hold named"

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def figures_changed(self) -> bool:
        return any(r.rule == FIGURES for r in self.reasons)

    def explain(self) -> str:
        if self.allowed:
            return f"{self.item.ref}: cleared for {self.item.exit.value}"
        return f"{self.item.ref} blocked at {self.item.exit.value}: " + "; ".join(str(r) for r in self.reasons)


def clear(item: Item, facts: Facts, actor: Actor, today: date, wording: Wording) -> Clearance:
    """Every rule that applies to this exit, on these facts; allowed only when none objects."""
    held = blocking_holds(item, facts)
    reasons = [*(_hold_reason(h) for h in held), *_figures(item, facts), *_age(item, today, wording),
               *_recipient(item, facts), *_authority(item, actor), *_content(item, wording),
               *_pay_links(item, wording), *_interest(item, facts), *_court(item, facts),
               *_suit(item, facts, today), *_enclosures(item, facts)]
    return Clearance(item, tuple(reasons), tuple(held))


def blocking_holds(item: Item, facts: Facts) -> list[HoldFact]:
    if item.exit is Exit.WRITE_BACK:
        return []  # a note in the firm's own books contacts no one
    kinds = None if item.exit in CONTACT_EXITS else LEGAL_HOLDS
    stated = {ln.invoice_id for ln in item.lines}
    out = []
    for h in facts.holds:
        if kinds is not None and h.kind not in kinds:
            continue
        if h.invoice_id is None or h.kind in ATTORNEY_ONLY_HOLDS or h.kind == "do_not_contact" \
                or h.invoice_id in stated or not stated:
            out.append(h)
    return sorted(out, key=lambda h: (h.kind != "bankruptcy", h.id))


_HOLD_WORDS = {
    "bankruptcy": "the client is in bankruptcy (automatic stay): all collection contact stops",
    "other_counsel": "the client is represented by other counsel on the fee: contact goes through that counsel",
    "do_not_contact": "the client asked not to be contacted",
    "dispute": "the client disputes the bill: it goes to the attorney, not to collection",
    "payment_plan": "a payment plan is in good standing",
    "promise_to_pay": "the client promised to pay",
    "pause": "collection is paused",
    "arbitration_requested": "the client requested fee arbitration: the attorney handles it, no collection contact",
}


def _hold_reason(h: HoldFact) -> Reason:
    scope = "" if h.invoice_id is None else f" (invoice {h.invoice_id})"
    words = _HOLD_WORDS.get(h.kind, f"a {h.kind} hold is in force")
    return Reason(HOLDS, f"hold #{h.id}{scope}: {words}; placed by {h.placed_by}: {h.reason}")


def _figures(item: Item, facts: Facts) -> Iterable[Reason]:
    yield from _lines(item, facts)
    if not item.totals:
        return
    now: dict[str, Decimal] = {}
    for inv_id in item.invoice_ids:
        inv = facts.invoices.get(inv_id)
        if inv is None or not inv.open:
            yield Reason(FIGURES, f"invoice {inv.name if inv else inv_id} was paid or closed since it was prepared")
            continue
        now[inv.currency] = now.get(inv.currency, Decimal(0)) + inv.residual
    for cur, netted in item.deductions.items():  # the credit notes and payments the stated totals are net of
        if cur in now:
            now[cur] -= netted
    for cur in sorted(set(now) | set(item.totals)):
        stated, actual = item.totals.get(cur, Decimal(0)), now.get(cur, Decimal(0))
        if _round(stated, cur, facts) != _round(actual, cur, facts):
            yield Reason(FIGURES, f"it states {stated} {cur} open; the ledger now shows {actual} {cur}")


def _lines(item: Item, facts: Facts) -> Iterable[Reason]:
    for ln in item.lines:
        now = facts.invoices.get(ln.invoice_id)
        if now is None:
            yield Reason(FIGURES, f"{ln.name} is no longer in the ledger")
            continue
        if not ln.credit_note and (not now.open or now.residual <= 0):
            yield Reason(FIGURES, f"{ln.name} was paid or closed since the item was prepared")
        elif now.currency != ln.currency:
            yield Reason(FIGURES, f"{ln.name} is now in {now.currency}, the item states {ln.currency}")
        elif _round(now.residual, now.currency, facts) != _round(ln.residual, ln.currency, facts):
            yield Reason(FIGURES, f"{ln.name} now shows {now.residual} {now.currency} open, "
                                  f"the item states {ln.residual} {ln.currency}")


def _round(amount: Decimal, currency: str, facts: Facts) -> Decimal:
    q = facts.quanta.get(currency)
    return amount.quantize(q) if q is not None else amount


def _age(item: Item, today: date, wording: Wording) -> Iterable[Reason]:
    if item.deadline is not None and item.deadline < today and item.exit in CONTACT_EXITS:
        yield Reason(AGE, f"it states a deadline of {item.deadline.isoformat()}, which has passed")
    letter = item.exit in (Exit.LETTER_APPROVAL, Exit.LETTER_RELEASE)
    if letter and item.created_on is not None and (today - item.created_on).days > wording.letter_max_age_days:
        yield Reason(AGE, f"the letter was prepared on {item.created_on.isoformat()}, more than "
                          f"{wording.letter_max_age_days} days ago (letters.max_age_days)")


def _interest(item: Item, facts: Facts) -> Iterable[Reason]:
    if not item.interest or facts.interest_ceiling is None:
        return
    for cur, stated, most in over_ceiling(item.interest, facts.interest_ceiling):
        if most <= 0:
            yield Reason(INTEREST, f"it states {stated} {cur} of interest and fees on invoices whose engagement terms "
                                   "do not allow interest (client or matter not marked interest allowed)")
        else:
            yield Reason(INTEREST, f"it states {stated} {cur} of interest and fees; the caps ([interest], [fees]) "
                                   f"and the matters' terms allow at most {most} {cur}")


LETTER_EXITS = frozenset({Exit.LETTER_APPROVAL, Exit.LETTER_RELEASE})


def _court(item: Item, facts: Facts) -> Iterable[Reason]:
    if item.exit not in LETTER_EXITS or not item.text:
        return
    missing = court_leave_missing(item.kind, item.text, facts.before_court)
    if missing:
        yield Reason(COURT, f"it warns of withdrawal but does not say that withdrawing from {', '.join(missing)} "
                            "(before a court) needs the court's leave; redraft it ('overdue-reminder letters redraft')")


def _suit(item: Item, facts: Facts, today: date) -> Iterable[Reason]:
    """A refer-to-suit letter is decided and leaves only while the suit gate is open (LAW.md #9)."""
    if not item.suit or item.exit not in LETTER_EXITS:
        return
    if facts.suit is None:
        yield Reason(SUIT, "the facts for the suit gate (notices served, arbitration requests) were not read")
        return
    gate = judge_suit(facts.suit, today)
    if not gate.allowed:
        yield Reason(SUIT, gate.reason.replace(f" ({SUIT_RULE_TAG})", ""))


def _enclosures(item: Item, facts: Facts) -> Iterable[Reason]:
    """Every form the letter lists as enclosed is still there, byte for byte as drafted and approved."""
    if item.exit not in LETTER_EXITS:
        return
    for form, sha in item.enclosures:
        now = facts.enclosures.get(form)
        if now is None:
            yield Reason(ENCLOSURES, f"the enclosure {form!r} is missing: the letter says it is enclosed")
        elif now != sha:
            yield Reason(ENCLOSURES, f"the enclosure {form!r} changed since the letter was drafted (sha256 "
                                     f"{now[:12]}…, approved {sha[:12]}…): draft the letter again")


def _recipient(item: Item, facts: Facts) -> Iterable[Reason]:
    if item.exit not in EMAIL_EXITS:
        return
    if not item.recipient:
        yield Reason(RECIPIENT, "it has no recipient address")
    elif item.recipient.strip().casefold() not in facts.billing_contacts:
        yield Reason(RECIPIENT, f"{item.recipient} is no longer the client's billing contact of record")


def _authority(item: Item, actor: Actor) -> Iterable[Reason]:
    if item.exit is Exit.WRITE_BACK:
        return
    if actor.role is not Role.SYSTEM and not actor.proven:
        yield Reason(AUTHORITY, f"{actor.name} did not prove who they are (an Odoo login checked by Odoo, a sign-in "
                                "on the review page, or an operating-system account mapped in [identity] os_users)")
        return
    deciding = item.exit is Exit.LETTER_APPROVAL or (
        item.exit in (Exit.OFFER_ACCEPTANCE, Exit.REMINDER_APPROVAL) and item.needs_attorney
        and item.approved_by is None)
    if deciding:
        yield from _may_decide(item, actor, "decide")
    elif item.exit is Exit.REMINDER_APPROVAL and actor.role is Role.SYSTEM:
        yield Reason(AUTHORITY, "the nightly run may send what people approved, never approve")
    elif item.exit in (Exit.LETTER_RELEASE, Exit.REMINDER, Exit.POSTAL, Exit.OFFER_ACCEPTANCE):
        needs = item.needs_attorney or item.exit is Exit.LETTER_RELEASE
        if item.approved_by is None and (needs or item.exit in (Exit.REMINDER, Exit.POSTAL)):
            yield Reason(AUTHORITY, "nobody approved it")
        elif item.approved_by is not None and needs:
            yield from _may_decide(item, item.approved_by, "approve")


def _may_decide(item: Item, who: Actor, verb: str) -> Iterable[Reason]:
    if not who.proven:
        yield Reason(AUTHORITY, f"{who.name} did not prove who they are (Odoo login or a configured "
                                "operating-system user), so cannot " + verb + " it")
    elif who.role not in ATTORNEY_ROLES:
        yield Reason(AUTHORITY, f"{who.name} is {who.role.value}; only the responsible attorney or the "
                                f"supervising partner may {verb} it")
    elif who.role is Role.ATTORNEY and item.attorney_uid is None:
        yield Reason(AUTHORITY, f"it has no responsible attorney; only the supervising partner may {verb} it")
    elif who.role is Role.ATTORNEY and who.odoo_uid != item.attorney_uid:
        yield Reason(AUTHORITY, f"{who.name} is not the responsible attorney for it")


def authority(item: Item, actor: Actor) -> list[Reason]:
    """Only the authority rule: for decisions that change nothing outside (rejecting a draft)."""
    return list(_authority(item, actor))


_SPACE = re.compile(r"\s+")
_ACCOUNTISH = re.compile(r"(?<![\w/.-])(?:[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?|\d{8,17})(?![\w/-])")


def normalise(text: str) -> str:
    """What a reader sees: compatibility forms folded, zero-width characters gone, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text)
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return _SPACE.sub(" ", visible).casefold()


def content_problems(text: str, wording: Wording, client_data: Iterable[str] = ()) -> list[str]:
    """Forbidden phrases (in the firm's words: `client_data` is masked), missing required lines, and account
    numbers that are not the firm's own."""
    seen = normalise(text)
    # core.phrases: substring first, then word boundaries for English stems ("irs" is not "first")
    problems = [f"contains forbidden wording {p!r}"
                for p in phrases.find(" ".join(seen.split()), client_data, wording.forbidden)]
    problems += [f"omits {p!r}" for p in wording.required if normalise(p) not in seen]
    own = {re.sub(r"\s", "", a).upper() for a in wording.official_accounts}
    for m in _ACCOUNTISH.finditer(unicodedata.normalize("NFKC", text)):
        number = re.sub(r"\s", "", m.group(0)).upper()
        if number not in own and not any(number in a or a in number for a in own if a):
            problems.append(f"names an account {m.group(0)!r} that is not one of the firm's official channels")
    return problems


def _content(item: Item, wording: Wording) -> Iterable[Reason]:
    if item.exit is Exit.OFFER_ACCEPTANCE:
        return  # the client's words, not ours
    rules = wording if item.exit in (*EMAIL_EXITS, Exit.POSTAL) else Wording(
        forbidden=wording.forbidden, official_accounts=wording.official_accounts)
    for label, words in (("", item.text), ("the HTML part ", html_words(item.html) if item.html else "")):
        if words:
            for p in content_problems(words, rules, item.client_data):
                yield Reason(CONTENT, label + p)


_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def pay_link_hosts(text: str) -> list[tuple[str, str]]:
    """(url, host) of every portal pay link in the text: an invoice page or any URL carrying an access token."""
    out = []
    for m in _URL.finditer(unicodedata.normalize("NFKC", text)):
        url = m.group(0).rstrip(".,;:)）】")
        parts = urlsplit(url)
        if "access_token=" in parts.query or parts.path.rstrip("/").startswith("/my/"):
            out.append((url, (parts.hostname or "").lower()))
    return out


def _pay_links(item: Item, wording: Wording) -> Iterable[Reason]:
    """A pay link leads the client to pay: it must lead to the firm's own Odoo portal (docs/rules.md)."""
    if item.exit in (Exit.OFFER_ACCEPTANCE, Exit.WRITE_BACK):
        return
    seen: set[str] = set()
    for url, host in [*pay_link_hosts(item.text), *pay_link_hosts(html_words(item.html) if item.html else "")]:
        if url in seen:
            continue
        seen.add(url)
        if not wording.portal_host:
            yield Reason(PAY_LINKS, f"it carries a pay link ({host or url}) but the firm has no portal configured "
                                    "([payment] portal_links and portal_url)")
        elif host != wording.portal_host:
            yield Reason(PAY_LINKS, f"its pay link leads to {host or url!r}, not to the firm's portal "
                                    f"{wording.portal_host!r} ([payment] portal_url)")


class _Words(HTMLParser):
    """The words a mail reader shows: text nodes and link targets (a hidden href still leads somewhere)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.out.extend(f" {v} " for k, v in attrs if k == "href" and v)
        if tag in ("br", "p", "div", "tr", "li"):
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)


def html_words(html: str) -> str:
    p = _Words()
    p.feed(html)
    p.close()
    return "".join(p.out)
