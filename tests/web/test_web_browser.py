"""The review page in a real browser: headless Chromium (Debian's, driven by Playwright) signs in against the
sandbox Odoo with an attorney's own login, opens a letter, approves it, rejects another, and the store and the
audit log say so. The queue page is saved as test-artifacts/queue.png.

Skipped locally when Chromium or Playwright is missing; under CI (`CI` set) their absence is a failure.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from overdue_reminder import config
from overdue_reminder.config import Settings
from overdue_reminder.sandbox.generator import ATTORNEY_PASSWORD, SANDBOX_PASSWORD
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.services.letter_enclosures import write_sample_forms
from overdue_reminder.services.letters import Letter, create_letters, get_letter
from overdue_reminder.services.planning import plan_from_store
from overdue_reminder.services.sync import sync
from overdue_reminder.sources.odoo import OdooSource
from overdue_reminder.store import Store
from overdue_reminder.store.schema import audit
from overdue_reminder.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TODAY = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)  # the sandbox firm's "today" (tests/conftest.py)


def _require_browser() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Debian's chromium ({CHROMIUM}; scripts/install-chromium installs it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright for Python (pip install -e '.[test]')")
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class LiveDesk:
    settings: Settings
    store: Store
    url: str
    attorney: str  # login and email (the sandbox's attorneys log in with their email)
    mine: list[Letter]
    other: Letter


@pytest.fixture
def live_desk(sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveDesk]:
    """The desk synced from the sandbox Odoo, escalation letters queued, the review page served by waitress."""
    _require_browser()
    from waitress import create_server

    monkeypatch.setenv("PATH", "/nonexistent")  # no LibreOffice: letters without PDFs
    odoo = sandbox.odoo_settings()
    text = f"""
source = "odoo"
[firm]
name = "Harbor & Reed LLP"
jurisdiction = "NY"
[odoo]
host = "127.0.0.1"
port = {odoo.port}
protocol = "jsonrpc"
database = "{odoo.database}"
login = "{odoo.login}"
[store]
path = "store.db"
[letters]
pdf = "never"
[policy]
skip_tiers = true
[letters.jurisdictions.NY.form_files]
"UCS 137-1" = "forms/SAMPLE-UCS-137-1.txt"
"UCS 137-2" = "forms/SAMPLE-UCS-137-2.txt"
"""
    write_sample_forms(tmp_path / "forms")
    cfg = tmp_path / "overdue-reminder.toml"
    cfg.write_text(text, encoding="utf-8")
    settings = config.parse(text, str(cfg))
    store = Store(settings.store_url)
    store.upgrade()
    sync(store, OdooSource(odoo, SANDBOX_PASSWORD, trust_account_code=odoo.trust_account_code))
    today = TODAY.date()
    plan = plan_from_store(store, settings, today)
    done, refused = create_letters(store, settings, [a for a in plan.actions if a.channel == "letter"], today=today)
    assert done and not refused
    by_attorney = Counter(r.letter.attorney_email for r in done)
    attorney, count = by_attorney.most_common(1)[0]
    assert count >= 2
    mine = [r.letter for r in done if r.letter.attorney_email == attorney]
    other = next(r.letter for r in done if r.letter.attorney_email != attorney)
    app = create_app(settings, store, clock=lambda: TODAY)  # sign-in goes to the sandbox Odoo
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="review-page", daemon=True)
    thread.start()
    try:
        yield LiveDesk(settings, store, f"http://127.0.0.1:{server.effective_port}", attorney, mine, other)
    finally:
        server.close()
        thread.join(timeout=10)
        store.dispose()


@pytest.fixture
def browser_page(live_desk: LiveDesk) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def _audit(store: Store, letter_id: int) -> list[tuple[str, str]]:
    with store.begin() as conn:
        return [(r.actor, r.action) for r in conn.execute(
            select(audit.c.actor, audit.c.action).where(audit.c.object_type == "letter",
                                                        audit.c.object_id == str(letter_id)).order_by(audit.c.id))]


def test_attorney_signs_in_with_odoo_and_decides_letters_in_the_browser(live_desk: LiveDesk, browser_page: Any) -> None:
    page, desk = browser_page, live_desk
    first, second = desk.mine[0], desk.mine[1]

    # Not signed in: the queue sends us to the sign-in page; Odoo refuses a wrong password.
    page.goto(f"{desk.url}/queue")
    assert page.url.startswith(f"{desk.url}/login")
    page.fill("#login", desk.attorney)
    page.fill("#password", "not-my-password")
    page.click("button[type=submit]")
    assert "Odoo did not accept that login and password." in page.inner_text("[role=alert]")

    # The attorney's own Odoo login (checked by the sandbox's common.authenticate).
    page.fill("#login", desk.attorney)
    page.fill("#password", ATTORNEY_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{desk.url}/queue")
    summary = page.inner_text("#queue-summary")
    assert f"{len(desk.mine)} item" in summary and "oldest first" in summary
    for lt in desk.mine:
        assert page.locator(f"a[href='/letters/{lt.id}']").count() == 1
    assert page.locator(f"a[href='/letters/{desk.other.id}']").count() == 0
    cookie = next(c for c in page.context.cookies() if c["name"] == "__Host-overdue-reminder")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""  # HttpOnly: scripts cannot read the session
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
    assert (ARTIFACTS / "queue.png").stat().st_size > 10_000

    # Open the first letter: its text is in the page; approve it.
    page.click(f"a[href='/letters/{first.id}']")
    page.wait_for_url(f"{desk.url}/letters/{first.id}")
    letter_text = page.inner_text("#letter-text")
    assert "DRAFT - FOR ATTORNEY REVIEW" in letter_text and first.client_name in letter_text
    assert "Notice of Client's Right to Arbitrate" in letter_text
    page.click("#approve")
    page.wait_for_url(f"{desk.url}/queue")
    assert f"Letter {first.id}" in page.inner_text("[role=status]") and "approved" in page.inner_text("[role=status]")

    # Open the second letter and reject it with a reason.
    page.goto(f"{desk.url}/letters/{second.id}")
    page.fill("#reason", "Client promised payment on the phone today.")
    page.click("#reject")
    page.wait_for_url(f"{desk.url}/queue")
    assert "rejected" in page.inner_text("[role=status]")

    # Another attorney's letter is not there for us, whatever the URL.
    resp = page.goto(f"{desk.url}/letters/{desk.other.id}")
    assert resp is not None and resp.status == 404

    # The store and the audit log agree with what the browser showed.
    approved, rejected = get_letter(desk.store, first.id), get_letter(desk.store, second.id)
    assert (approved.status, approved.decided_by, approved.decided_at) == ("approved", desk.attorney, TODAY)
    final = Path(approved.approved_path or "")
    assert final.is_file() and approved.approved_sha256 and approved.reviewed_sha256 == first.sha256
    assert (rejected.status, rejected.decided_by, rejected.reason) == (
        "rejected", desk.attorney, "Client promised payment on the phone today.")
    assert _audit(desk.store, first.id)[-1] == (desk.attorney, "letter.approved")
    assert _audit(desk.store, second.id)[-1] == (desk.attorney, "letter.rejected")
    assert get_letter(desk.store, desk.other.id).status == "awaiting_review"
    assert datetime.combine(TODAY.date(), time(), tzinfo=UTC) <= approved.decided_at  # type: ignore[operator]
