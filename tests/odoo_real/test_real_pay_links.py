"""Pay links on a real Odoo 17: the drafted reminder's link opens its invoice's customer-portal page (HTTP 200)
with the token and not without it; missing tokens are created once, in one `load` call, and never again.

Odoo answers a missing or wrong token with a redirect to /my (the sign-in) rather than 403/404: the test asserts
that no invoice page is served then (status 303/403/404, never 200 with the invoice).
"""

from __future__ import annotations

import dataclasses
import http.client
import os
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from odoo_real_kit import firm_config, source

from overdue_reminder import config
from overdue_reminder.sandbox.odoo_seed import OdooRpc, OdooSeeder, Seeded
from overdue_reminder.services import paylinks, planning
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.sync import sync
from overdue_reminder.store import Store

LINK = re.compile(r"https?://\S+/my/invoices/(\d+)\?access_token=[\w-]+")


def base_url() -> str:
    return f"http://{os.environ['ODOO_HOST']}:{os.environ['ODOO_PORT']}"


def get(url: str) -> tuple[int, str, str]:
    """(status, Location, body) without following redirects: what the link itself answers."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=60)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        resp = conn.getresponse()
        return resp.status, resp.getheader("Location") or "", resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def set_base_url(admin: OdooRpc) -> None:
    """What the firm's administrator sets: Odoo's public address (here the test server's)."""
    ids = admin.execute("ir.config_parameter", "search", [("key", "=", "web.base.url")])
    if ids:
        admin.execute("ir.config_parameter", "write", ids, {"value": base_url()})
    else:
        admin.execute("ir.config_parameter", "create", {"key": "web.base.url", "value": base_url()})


def desk(tmp_path: Path) -> config.Settings:
    s = config.load(str(firm_config(tmp_path)))
    pay = dataclasses.replace(s.payment, portal_links=True, portal_url=base_url(), currencies=[],
                              channels=[dataclasses.replace(ch, currencies=[]) for ch in s.payment.channels])
    return dataclasses.replace(s, payment=pay)


def prepare(store: Store, settings: config.Settings, ids: list[int]) -> tuple[paylinks.PayLinks, int]:
    """The pay links of one night on a fresh session, and the RPC calls that took."""
    src = source()
    src.open()
    try:
        calls = src.rpc_calls
        return paylinks.prepare(store, settings, ids, src), src.rpc_calls - calls
    finally:
        src.close()


def test_a_drafted_reminders_links_open_their_invoices_and_tokens_are_made_once(
        admin: OdooRpc, seeded: Seeded, seeder: OdooSeeder, tmp_path: Path) -> None:
    set_base_url(admin)
    client = seeder.company(seeded)
    invoices = [seeder.invoice(seeded, client, Decimal(a), days_late=d) for a, d in (("900.00", 20), ("450.00", 12))]
    ids = [i.id for i in invoices]
    assert not any(r["access_token"] for r in admin.execute("account.move", "read", ids, fields=["access_token"]))
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    store.upgrade()
    settings = desk(tmp_path)
    sync(store, source())

    links, made = prepare(store, settings, ids)
    assert links.created == 2 and set(links.urls) == set(ids)
    assert made == 2  # web.base.url once, and one `load` for both tokens
    in_odoo = {int(r["id"]): r["access_token"] for r in admin.execute("account.move", "read", ids,
                                                                         fields=["access_token"])}
    assert all(links.urls[i].endswith(f"access_token={in_odoo[i]}") for i in ids)

    today = datetime.now(UTC).date()
    plan = planning.plan_from_store(store, settings, today)
    mine = [a for a in plan.actions if a.client_id == client.id]
    assert mine, "the seeded client's invoices are overdue: the plan reminds them"
    result = drafts.draft_plan(store, settings, dataclasses.replace(plan, actions=tuple(mine)),
                               datetime.now(UTC), pay_links=links.urls)
    assert result.created
    drafted = drafts.list_reminders(store, client_id=client.id)
    found = {int(m.group(1)): m.group(0) for r in drafted for m in LINK.finditer(r.body_text)}
    assert set(found) == set(ids)
    assert all(any(url in r.body_html for r in drafted) for url in found.values())
    names = {i.id: i.name for i in invoices}
    for inv_id, url in found.items():
        status, _, body = get(url)
        assert status == 200 and names[inv_id] in body, (status, url)
        status, location, body = get(url.split("?", 1)[0])
        assert status in (303, 403, 404) and names[inv_id] not in body, status
        if status == 303:
            assert urlsplit(location).path in ("/my", "/web/login")
    other = next(i for i in ids if i != ids[0])
    status, _, body = get(found[ids[0]].split("=", 1)[0] + "=" + in_odoo[other])  # another invoice's token
    assert status != 200 or names[ids[0]] not in body

    again, made_again = prepare(store, settings, ids)
    assert again.created == 0 and again.urls == links.urls and made_again == 1  # only web.base.url
    sync(store, source())  # the next night reads them back with the batch
    after = {int(r["id"]): r["access_token"] for r in admin.execute("account.move", "read", ids,
                                                                       fields=["access_token"])}
    assert after == in_odoo
    assert paylinks.prepare(store, settings, ids, None, create=False).urls == links.urls
    store.dispose()

