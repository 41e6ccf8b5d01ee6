"""The morning digest as people receive it: a real night on the sandbox Odoo, the digest sent through the real
SMTP server on loopback (aiosmtpd), read back from what the server received, in English and in Chinese.

What a reader needs: a Date header and a Message-ID, a summary before any technical figure, the plural form
the language wants for each count, a link to the review page, a real HTML table (not a <pre>), and one aging
chart per currency, each referenced by the HTML part.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from smtp_inbox import SmtpServer

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.core.aging import aging
from overdue_reminder.run.pipeline import run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.harness import start_sandbox
from overdue_reminder.services import letters as letter_queue
from overdue_reminder.services.digest import send_digests
from overdue_reminder.store import Store, ledger

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 13, 0, tzinfo=UTC)
REVIEW = "https://desk.harperlowe.example"
PNG = b"\x89PNG\r\n\x1a\n"
WORDS = {  # what each language says, for the checks below
    "en_US": {"tonight": "Tonight: ", "one": "1 letter waits for your decision",
              "many": "{n} letters wait for your decision", "staff_one": "1 letter waits for ",
              "staff_many": "{n} letters wait for "},
    "zh_CN": {"tonight": "今晚：", "one": "1 封律师函等待您的决定", "many": "{n} 封律师函等待您的决定",
              "staff_one": "1 封律师函等待 ", "staff_many": "{n} 封律师函等待 "},
}


def _config(tmp_path: Path, port: int, database: str, login: str, smtp: SmtpServer, language: str) -> Path:
    cfg = write_demo_config(tmp_path, port, database, login)
    text = cfg.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^mode = "outbox"$', f'mode = "smtp"\nsmtp_host = "{smtp.host}"\nsmtp_port = {smtp.port}\n'
                  'smtp_security = "none"', text, count=1)
    text = text.replace("[digest]\n", f'[digest]\nlanguage = "{language}"\n', 1)
    text = text.replace("[web]\n", f'[web]\npublic_url = "{REVIEW}/"\n', 1) if "[web]\n" in text \
        else text + f'\n[web]\npublic_url = "{REVIEW}/"\n'
    cfg.write_text(text + '\n[policy]\nskip_tiers = true\n', encoding="utf-8")  # letters for the attorneys
    return cfg


def _images(msg: EmailMessage) -> list[EmailMessage]:
    return [p for p in msg.walk() if p.get_content_type() == "image/png"]  # type: ignore[misc]


@pytest.mark.parametrize("language", ["en_US", "zh_CN"])
def test_digest_through_smtp_reads_like_a_letter(tmp_path: Path, smtp_server: SmtpServer, language: str) -> None:
    words = WORDS[language]
    sb = start_sandbox(clients=30, invoices=160, today=TODAY, seed=5)
    try:
        s = sb.odoo_settings()
        settings = config.load(str(_config(tmp_path, sb.server.port, s.database, s.login, smtp_server, language)))
        store = Store(settings.store_url)
        store.upgrade()
        report = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOW)
        before = len(smtp_server.inbox.messages())  # reminders the night delivered through the same server
        result = send_digests(settings, store, TODAY, report.steps, NOW)
        waiting = letter_queue.list_letters(store, status=letter_queue.AWAITING)
        with store.begin() as conn:
            currencies = sorted({r.currency for r in aging(ledger.load_open_invoices(conn), TODAY, "total")})
    finally:
        sb.stop()
    msgs = smtp_server.inbox.messages()[before:]
    assert len(msgs) == result["sent"] == 1 + len({w.attorney_email for w in waiting})
    assert len(currencies) >= 2, "the sandbox firm bills in several currencies"
    for m in msgs:
        assert parsedate_to_datetime(str(m["Date"])) == NOW
        assert re.fullmatch(r"<digest-2026-11-28-[0-9a-f]{12}@[\w.-]+>", str(m["Message-ID"]))
        html = m.get_body(("html",)).get_content()  # type: ignore[union-attr]
        text = m.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "<table" in html and "<pre" not in html
        assert f'href="{REVIEW}/queue"' in html and f"{REVIEW}/queue" in text

    staff = next(m for m in msgs if m["To"] == "billing@harperlowe.example")
    text = staff.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    summary, _, footer = text.partition("\n-- \n")
    assert summary.startswith(words["tonight"])
    assert "run_id" not in summary and "rpc_calls" in footer  # technical figures only in the footer
    for email in {w.attorney_email for w in waiting}:
        n = sum(1 for w in waiting if w.attorney_email == email)
        assert (words["staff_one"] if n == 1 else words["staff_many"].format(n=n)) in summary
    charts = _images(staff)
    assert len(charts) == len(currencies)  # one panel per currency, never two currencies on one axis
    html = staff.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert html.count("<img ") == len(currencies)
    for chart, cur in zip(charts, currencies, strict=True):
        cid = str(chart["Content-ID"]).strip("<>")
        assert f'src="cid:{cid}"' in html and cur.lower() in cid
        assert chart.get_payload(decode=True)[:8] == PNG  # type: ignore[index]
    assert len({c.get_payload(decode=True) for c in charts}) == len(charts)

    counts = {e: sum(1 for w in waiting if w.attorney_email == e) for e in {w.attorney_email for w in waiting}}
    assert 1 in counts.values() and any(n >= 2 for n in counts.values()), counts  # both plural forms shown
    for email, n in counts.items():
        mine = next(m for m in msgs if m["To"] == email)
        wanted = words["one"] if n == 1 else words["many"].format(n=n)
        assert wanted in str(mine["Subject"]), (mine["Subject"], n)
        body = mine.get_body(("html",)).get_content()  # type: ignore[union-attr]
        for w in waiting:
            assert (f'href="{REVIEW}/letters/{w.id}"' in body) == (w.attorney_email == email)
