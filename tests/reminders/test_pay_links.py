"""Pay links against the sandbox Odoo over real HTTP: every reminder's link opens its own invoice's portal page
and no other; tokens are read with the sync batch (no extra call) and created once, in one batch; a link to
any host but the firm's portal blocks sending, and the block is audited."""

from __future__ import annotations

import dataclasses
import math
import re
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from actors import staff
from sqlalchemy import select

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.core.clearance import PAY_LINKS
from overdue_reminder.core.letter_docx import document_text, open_docx
from overdue_reminder.errors import PolicyError
from overdue_reminder.run.pipeline import run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.generator import SANDBOX_PASSWORD
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.sandbox.portal import set_param
from overdue_reminder.sandbox.simulate import advance_clock
from overdue_reminder.services import delivery, paylinks, planning
from overdue_reminder.services import letters as letter_queue
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.sync import sync
from overdue_reminder.sources import odoo as odoo_source
from overdue_reminder.sources.odoo import OdooSource
from overdue_reminder.store import Store
from overdue_reminder.store.schema import audit, invoices, letters, reminders

TODAY = date(2026, 11, 28)
NOON = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # 12:00 in New York
LINK = re.compile(r"https?://\S+/my/invoices/(\d+)\?access_token=[\w-]+")


def desk(tmp_path: Path, sandbox: RunningSandbox, store_url: str) -> config.Settings:
    s = sandbox.odoo_settings()
    cfg = write_demo_config(tmp_path, sandbox.server.port, s.database, s.login)
    text = cfg.read_text().replace('[store]\npath = "overdue-reminder.db"', f'[store]\nurl = "{store_url}"')
    cfg.write_text(text.replace("[odoo]\n", "[odoo]\nretries = 1\nbackoff_seconds = 0.01\ntimeout_seconds = 5\n"))
    return config.load(str(cfg))


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def without_token(url: str) -> str:
    return url.split("?", 1)[0]


def with_token(url: str, token: str) -> str:
    return f"{without_token(url)}?access_token={token}"


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["access_token"][0]


def stored(store: Store) -> list[dict[str, object]]:
    with store.begin() as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(reminders.c.id, reminders.c.body_text, reminders.c.body_html, reminders.c.lines,
                   reminders.c.status))]


def test_every_reminders_link_opens_its_own_invoice_page_and_no_other(store: Store, sandbox: RunningSandbox,
                                                                      tmp_path: Path) -> None:
    settings = desk(tmp_path, sandbox, store.url)
    report = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON, send=False)
    assert report.steps["paylinks"]["links"] > 0 and report.steps["paylinks"]["without_link"] == 0
    rows = stored(store)
    assert rows
    checked = 0
    for r in rows:
        debits = {int(ln["id"]): ln["name"] for ln in r["lines"] if ln["kind"] != "credit_note"}  # type: ignore[union-attr]
        links = {int(m.group(1)): m.group(0) for m in LINK.finditer(str(r["body_text"]))}
        assert set(links) == set(debits), r["id"]  # one link per invoice it asks to be paid, nothing else
        for inv_id, url in links.items():
            assert url in str(r["body_html"])  # the HTML part carries the same link
            assert url.startswith(f"http://127.0.0.1:{sandbox.server.port}/my/invoices/")
            if checked < 40:  # over real HTTP: the right page with the token, refused without it
                status, page = http_get(url)
                assert status == 200 and str(debits[inv_id]) in page and f'data-invoice-id="{inv_id}"' in page
                assert http_get(without_token(url))[0] in (403, 404)
                checked += 1
    assert checked >= 10
    # another invoice's token does not open this invoice
    first, second = [m.group(0) for r in rows for m in LINK.finditer(str(r["body_text"]))][:2]
    assert http_get(with_token(first, token_of(second)))[0] == 403
    assert http_get(with_token(first, "0" * 36))[0] == 403
    assert http_get(f"http://127.0.0.1:{sandbox.server.port}/my/invoices/999999999?access_token={token_of(first)}"
                    )[0] == 404


def test_every_letter_prints_its_invoices_links_behind_the_verification_line(sqlite_store: Store,
                                                                            sandbox: RunningSandbox,
                                                                            tmp_path: Path) -> None:
    settings = desk(tmp_path, sandbox, sqlite_store.url)
    sync(sqlite_store, make_source(settings))
    plan = planning.plan_from_store(sqlite_store, settings, TODAY)
    chosen = [dataclasses.replace(a, channel="letter", tier="escalation", attorney_review=True)
              for a in plan.actions if a.lines and a.lines[0].kind.value == "invoice"][:3]  # as at the last tier
    source = make_source(settings)
    source.open()
    try:
        links = paylinks.prepare(sqlite_store, settings, [ln.invoice_id for a in chosen for ln in a.lines],
                                 source)  # type: ignore[arg-type]
    finally:
        source.close()
    done, refused = letter_queue.create_letters(sqlite_store, settings, chosen, today=TODAY, pay_links=links.urls)
    assert done and not refused
    with sqlite_store.begin() as conn:
        made = conn.execute(select(letters.c.path, letters.c.invoice_ids)).all()
    assert len(made) == len(chosen)
    for row in made:
        text = document_text(open_docx(Path(row.path).read_bytes()))
        links = {int(m.group(1)): m.group(0) for m in LINK.finditer(text)}
        assert links and set(links) <= set(row.invoice_ids)
        assert text.index(settings.payment.verify_phone) < min(text.index(u) for u in links.values())
        url = next(iter(links.values()))
        assert http_get(url)[0] == 200 and http_get(without_token(url))[0] in (403, 404)


def test_tokens_are_created_once_in_one_batch_and_never_twice_across_nights(sqlite_store: Store,
                                                                           sandbox: RunningSandbox,
                                                                           tmp_path: Path) -> None:
    store = sqlite_store
    settings = desk(tmp_path, sandbox, store.url)
    calls = sandbox.server.calls
    first = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON, send=False)
    created = first.steps["paylinks"]["tokens_created"]
    assert created > 0
    assert calls.count(method="load", model="account.move") == math.ceil(created / settings.odoo.batch_size)
    assert calls.count(method="get_param", model="ir.config_parameter") == 1  # web.base.url, once per run
    with store.begin() as conn:
        tokens = {r.id: r.access_token for r in conn.execute(select(invoices.c.id, invoices.c.access_token))
                  if r.access_token}
    assert len(tokens) >= created
    for inv_id, token in list(tokens.items())[:50]:  # the ledger holds what Odoo holds
        assert sandbox.db.row("account.move", inv_id)["access_token"] == token  # type: ignore[index]
    loads = calls.count(method="load")

    advance_clock(sandbox.db, 1)
    second = run_once(settings, store, lambda: make_source(settings), TODAY + timedelta(days=1),
                      now=lambda: NOON + timedelta(days=1), send=False)
    with store.begin() as conn:
        after = {r.id: r.access_token for r in conn.execute(select(invoices.c.id, invoices.c.access_token))
                 if r.access_token}
    new = second.steps["paylinks"]["tokens_created"]
    assert {i: after[i] for i in tokens} == tokens  # the second night's reminders reuse last night's tokens
    assert len(after) - len(tokens) == new  # only invoices reminded for the first time get one
    assert second.steps["paylinks"]["links"] > new
    assert calls.count(method="load") == loads + (1 if new else 0)
    for inv_id, token in tokens.items():
        assert sandbox.db.row("account.move", inv_id)["access_token"] == token  # type: ignore[index]


def test_reading_access_tokens_costs_no_extra_rpc_call(sqlite_store: Store, sandbox: RunningSandbox, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with_tokens = sandbox.db.search("account.move", [("move_type", "=", "out_invoice")])[:40]
    for inv_id in with_tokens:  # as if Odoo had emailed these: they carry a token already
        sandbox.db.write("account.move", [inv_id], {"access_token": f"tok-{inv_id:08d}-0000-4000-8000-000000000000"},
                         touch=False)
    calls = sandbox.server.calls

    def object_calls(store: Store) -> tuple[int, int]:
        """Model calls one full sync makes (the login is remembered across sessions, so it is left out)."""
        calls.reset()
        report = sync(store, OdooSource(sandbox.odoo_settings(), SANDBOX_PASSWORD, trust_account_code="2150"))
        return calls.count(service="object"), report.new

    with_field = object_calls(sqlite_store)
    other = Store(f"sqlite:///{tmp_path / 'baseline.db'}")
    other.upgrade()
    fields = [f for f in odoo_source.INVOICE_FIELDS if f != "access_token"]
    monkeypatch.setattr(odoo_source, "INVOICE_FIELDS", fields)  # the field list before pay links
    baseline = object_calls(other)
    other.dispose()
    assert with_field == baseline  # same calls, same invoices
    with sqlite_store.begin() as conn:
        got = dict(conn.execute(select(invoices.c.id, invoices.c.access_token)
                                .where(invoices.c.id.in_(with_tokens))).all())
    assert got == {i: f"tok-{i:08d}-0000-4000-8000-000000000000" for i in got}
    assert got


def test_a_link_to_another_host_blocks_sending_and_is_audited(sqlite_store: Store, sandbox: RunningSandbox,
                                                              tmp_path: Path) -> None:
    store = sqlite_store
    settings = desk(tmp_path, sandbox, store.url)
    set_param(sandbox.db, "web.base.url", "http://pay-here.example.net")  # Odoo's base URL altered
    run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON, send=False)
    rows = [r for r in stored(store) if r["status"] == "draft" and "pay-here.example.net" in str(r["body_text"])]
    assert rows
    rid = int(rows[0]["id"])  # type: ignore[call-overload]
    with pytest.raises(PolicyError, match=PAY_LINKS):  # approval clears the exact words: refused
        drafts.approve(store, [rid], staff("clerk"), NOON, settings=settings)
    # Approved while the portal was this host; by the time it leaves, the firm's portal is another one.
    moved = dataclasses.replace(settings, payment=dataclasses.replace(settings.payment, portal_url="http://pay-here.example.net"))
    drafts.approve(store, [rid], staff("clerk"), NOON, settings=moved)
    result = delivery.send_approved(store, settings, NOON, max_messages=1)
    assert result.summary()["sent"] == 0 and result.summary()["blocked"] == 1
    with store.begin() as conn:
        r = conn.execute(select(reminders.c.status, reminders.c.note).where(reminders.c.id == rid)).one()
        blocked = [a for a in conn.execute(select(audit.c.action, audit.c.detail).where(audit.c.object_id == str(rid)))
                   if a.action in ("reminder.blocked", "clearance.blocked")]
    assert r.status == "draft" and "pay-here.example.net" in r.note and PAY_LINKS in r.note
    assert blocked and any(PAY_LINKS in str(b.detail) for b in blocked)
    assert not list(settings.resolve("outbox").rglob("*.eml"))
