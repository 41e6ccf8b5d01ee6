"""The statement of account travels with each reminder: attached to the message the SMTP server receives, written
beside the .eml (outbox) or the postal draft, its sha256 in the audit log equal to the attachment's."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from pypdf import PdfReader
from reminder_factory import NOW, action, line, make_settings, pay, plan, seed
from smtp_inbox import SmtpServer
from test_reminder_delivery import _approved

from overdue_reminder.services import delivery
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store, read_audit


def _statement_audit(store: Store, rid: int, action_name: str) -> dict[str, object]:
    with store.begin() as conn:
        entries = [e for e in read_audit(conn, "reminder", rid) if e.action == action_name]
    assert len(entries) == 1, [e.action for e in entries]
    found = entries[0].detail.get("statement")
    assert isinstance(found, dict)
    return found


def _pdfs(message: object) -> list[tuple[str, bytes]]:
    out = []
    for part in message.iter_attachments():  # type: ignore[attr-defined]
        out.append((part.get_filename(), part.get_payload(decode=True)))
    return out


def test_the_smtp_message_carries_the_statement_and_the_audit_its_sha256(
        store: Store, tmp_path: Path, smtp_server: SmtpServer) -> None:
    s = make_settings(tmp_path, mode="smtp", smtp_port=smtp_server.port)
    en = action(1, lines=[line(11, days=45, total="4000.00", paid="1000.00"), line(12, days=12, total="250.50"),
                          line(13, days=30, total="900.00", currency="EUR")])
    zh = action(2, language="zh_CN", tier="firm", tier_index=2,
                lines=[line(21, days=35, total="88000.00", currency="CNY", matter="(2025)京民初字第193号")])
    ids = _approved(store, s, [en, zh])
    drafted = {rid: _statement_audit(store, rid, "reminder.drafted") for rid in ids}
    result = delivery.send_approved(store, s, NOW)
    assert result.count("sent") == 2
    got = {m["To"].addresses[0].addr_spec: m for m in smtp_server.inbox.messages()}  # type: ignore[union-attr]
    for rid, to, lang in ((ids[0], "ap1@client1.example", "en-US"), (ids[1], "ap2@client2.example", "zh-CN")):
        m = got[to]
        assert m["Content-Language"] == lang and m.get_body(preferencelist=("plain",)) is not None
        [(name, data)] = _pdfs(m)
        assert name.endswith(".pdf") and data.startswith(b"%PDF")
        sent = _statement_audit(store, rid, "reminder.sent")
        assert sent["sha256"] == hashlib.sha256(data).hexdigest() == drafted[rid]["sha256"]  # same ledger, same bytes
        assert sent["file"] == name
    en_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(_pdfs(got["ap1@client1.example"])[0][1])).pages)
    for number, amount in (("INV/2026/00011", "3,000.00"), ("INV/2026/00012", "250.50"), ("INV/2026/00013", "900.00")):
        assert number in en_text and amount in en_text
    assert "Total due (USD)" in en_text and "Total due (EUR)" in en_text and "3,250.50" in en_text
    assert _statement_audit(store, ids[0], "reminder.sent")["totals"] == {"EUR": "900.00", "USD": "3250.50"}
    zh_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(_pdfs(got["ap2@client2.example"])[0][1])).pages)
    assert "对账单" in zh_text and "88,000.00" in zh_text


def test_a_ledger_change_after_drafting_is_recorded_with_the_new_sha256(store: Store, tmp_path: Path,
                                                                         smtp_server: SmtpServer) -> None:
    s = make_settings(tmp_path, mode="smtp", smtp_port=smtp_server.port)
    a = action(1, lines=[line(11, days=45, total="4000.00")])
    other = action(1, lines=[line(12, days=5, total="700.00")])  # another open invoice, not in this reminder
    seed(store, [other])
    ids = _approved(store, s, [a])
    before = _statement_audit(store, ids[0], "reminder.drafted")
    pay(store, 12)  # the other invoice is paid before the reminder leaves: the statement sent shows it gone
    delivery.send_approved(store, s, NOW)
    [m] = smtp_server.inbox.messages()
    [(_, data)] = _pdfs(m)
    sent = _statement_audit(store, ids[0], "reminder.sent")
    assert sent["sha256"] == hashlib.sha256(data).hexdigest() != before["sha256"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "INV/2026/00011" in text and "INV/2026/00012" not in text


def test_outbox_and_postal_statements_are_written_beside_and_the_switch_turns_them_off(tmp_path: Path,
                                                                                     store: Store) -> None:
    s = make_settings(tmp_path)
    mail, post = action(1), action(2, to_email="")
    ids = _approved(store, s, [mail, post])
    box = s.resolve(s.delivery.outbox_dir)
    postal = drafts.get_reminder(store, ids[1])
    assert postal.status == drafts.POSTAL
    beside = box / delivery.outbox_name(postal).replace(".eml", ".statement.pdf")
    assert hashlib.sha256(beside.read_bytes()).hexdigest() == _statement_audit(store, ids[1], "reminder.drafted")["sha256"]
    delivery.send_approved(store, s, NOW)
    r = drafts.get_reminder(store, ids[0])
    eml = box / delivery.outbox_name(r)
    pdf = eml.with_name(eml.name.replace(".eml", ".statement.pdf"))
    assert eml.exists() and hashlib.sha256(pdf.read_bytes()).hexdigest() == \
        _statement_audit(store, ids[0], "reminder.sent")["sha256"]

    (tmp_path / "off").mkdir()
    off = make_settings(tmp_path / "off", extra="[statements]\nattach = false\n")
    acts = [action(3)]
    seed(store, acts)
    rid = drafts.draft_plan(store, off, plan(*acts), NOW).created[0].id
    assert rid is not None
    with store.begin() as conn:
        assert all("statement" not in e.detail for e in read_audit(conn, "reminder", rid))
