"""core.clearance, "Pay links to the firm's own portal": a pay link leads only to the firm's own Odoo portal."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from overdue_reminder.core.clearance import (
    PAY_LINKS,
    SYSTEM,
    Actor,
    Exit,
    Facts,
    InvoiceNow,
    Item,
    Line,
    Role,
    Wording,
    clear,
    pay_link_hosts,
)

TODAY = date(2026, 11, 29)
CLERK = Actor("clerk", Role.STAFF, "os-user")
WORDING = Wording(required=("+1 212 555 0100",), portal_host="odoo.harperlowe.example")
FACTS = Facts(invoices={10: InvoiceNow(10, "INV/2026/0010", "USD", Decimal("150.00"), True)},
              billing_contacts=frozenset({"ap@acme.example"}), quanta={"USD": Decimal("0.01")})
OWN = "https://odoo.harperlowe.example/my/invoices/10?access_token=3f2a9c1e-0b7d-4a55-9e7b-2d1c6f0a8b11"


def item(text: str, html: str = "", exit_: Exit = Exit.REMINDER) -> Item:
    return Item(exit=exit_, ref="reminder #1", client_id=1, lines=(Line(10, "INV/2026/0010", "USD", Decimal("150.00")),),
                recipient="ap@acme.example", created_on=TODAY, approved_by=CLERK, html=html,
                text=f"Please pay INV/2026/0010. Verify: +1 212 555 0100.\n{text}")


def reasons(c: object) -> list[str]:
    return [r.text for r in c.reasons if r.rule == PAY_LINKS]  # type: ignore[attr-defined]


def test_the_firms_own_portal_link_is_cleared() -> None:
    c = clear(item(f"Pay online: {OWN}", f'<p>Verify: +1 212 555 0100</p><a href="{OWN}">{OWN}</a>'), FACTS, SYSTEM,
              TODAY, WORDING)
    assert c.allowed, c.explain()


@pytest.mark.parametrize("url", [
    OWN.replace("odoo.harperlowe.example", "odoo.harperlowe.example.evil.test"),
    OWN.replace("odoo.harperlowe.example", "harperlowe-pay.example"),
    "https://pay.example.net/my/invoices/10",  # a portal path elsewhere, without a token
    "http://127.0.0.1:8069/web?access_token=abc",  # any URL carrying a token
    OWN.replace("odoo", "ｏｄｏｏ-x"),  # full-width letters fold to another host
])
@pytest.mark.parametrize("part", ["text", "html"])
def test_a_link_to_another_host_blocks_every_exit(url: str, part: str) -> None:
    text, html = (url, "") if part == "text" else ("", f'<p>+1 212 555 0100 <a href="{url}">pay here</a></p>')
    for exit_ in (Exit.REMINDER_APPROVAL, Exit.REMINDER, Exit.POSTAL, Exit.LETTER_RELEASE):
        c = clear(item(text, html, exit_), FACTS, CLERK if exit_ is Exit.REMINDER_APPROVAL else SYSTEM, TODAY,
                  WORDING)
        assert reasons(c) and not c.allowed, (exit_, c.explain())


def test_pay_links_while_portal_links_are_off_block() -> None:
    c = clear(item(OWN), FACTS, SYSTEM, TODAY, dataclasses.replace(WORDING, portal_host=""))
    assert reasons(c) and "no portal configured" in reasons(c)[0]


def test_other_links_are_not_pay_links() -> None:
    assert pay_link_hosts("See https://harperlowe.example/about and https://pay.harperlowe.example.") == []
    assert pay_link_hosts(f"({OWN})") == [(OWN, "odoo.harperlowe.example")]
