"""Recipient choice: who a reminder goes to, in which language, and whether the client is a consumer."""

from __future__ import annotations

from dataclasses import dataclass

from overdue_reminder.core.planner.state import ClientInfo, Indexes, Line, id_key
from overdue_reminder.model import ClientKind

_BUSINESS, _CONSUMER = ClientKind.BUSINESS.value, ClientKind.CONSUMER.value


@dataclass(frozen=True, slots=True)
class Recipient:
    contact_id: int
    to_email: str
    language: str
    kind: str  # ClientKind's value
    employer_domain: bool  # a consumer's address at what looks like an employer's domain (LAW.md #2)


def choose_recipient(ix: Indexes, who: ClientInfo, lines: list[Line]) -> Recipient:
    """The billing contact on the newest invoice of these lines (one matter's, when reminders go per matter) when
    it is one of the client's own contacts with an email address, else the client itself: another client's
    contact never receives this client's invoices (docs/rules.md, "Billing contact of record")."""
    partner, ov = who.partner, who.ov
    newest = max(lines, key=id_key).inv if len(lines) > 1 else lines[0].inv
    contact = ix.snap.partners.get(newest.contact_id)
    if contact is not None and contact.commercial_id != who.id and contact.id != who.id:
        contact = None  # an invoice addressed to someone outside the client
    to_email = contact.email if contact is not None and contact.email else ""
    contact_id = newest.contact_id if to_email else who.id
    if not to_email and partner is not None:
        to_email = partner.email
    language = (contact.lang if contact is not None and contact.lang else "") or \
        (partner.lang if partner is not None else "")
    kind = ov.kind if ov is not None and ov.kind else \
        (_BUSINESS if partner is not None and partner.is_company else _CONSUMER)
    employer = kind == _CONSUMER and "@" in to_email and to_email.rsplit("@", 1)[1].lower() not in ix.personal
    return Recipient(contact_id, to_email, language, kind, employer)
