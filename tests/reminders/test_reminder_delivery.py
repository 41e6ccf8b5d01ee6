"""Delivery: real mail through aiosmtpd on loopback, .eml outbox files, Odoo mail, and exactly-once records."""

from __future__ import annotations

import os
import ssl
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from actors import staff
from reminder_factory import NOW, action, line, make_settings, pay, plan, seed
from smtp_inbox import SmtpServer
from sqlalchemy import select, update

from overdue_reminder.config import Settings
from overdue_reminder.errors import ConfigError, LockedError, TransientSourceError, UsageError
from overdue_reminder.model import Action
from overdue_reminder.services import delivery
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store
from overdue_reminder.store.schema import audit, reminders


def _approved(store: Store, settings: Settings, acts: Sequence[Action]) -> list[int]:
    seed(store, acts)
    res = drafts.draft_plan(store, settings, plan(*acts), NOW)
    ids = [i.id or 0 for i in res.created]
    pending = [i.id or 0 for i in res.created if i.status == drafts.DRAFT]
    if pending:
        drafts.approve(store, pending, staff("clerk"), NOW, settings=settings)
    return ids


def _status(store: Store, rid: int) -> str:
    return drafts.get_reminder(store, rid).status


def _parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())  # type: ignore[attr-defined]


def _smtp_settings(tmp_path: Path, server: SmtpServer, **kw: Any) -> Settings:
    return make_settings(tmp_path, mode="smtp", smtp_port=server.port, **kw)


def test_real_smtp_delivery_in_english_and_chinese(store: Store, tmp_path: Path, smtp_server: SmtpServer) -> None:
    s = _smtp_settings(tmp_path, smtp_server)
    en = action(1, lines=[line(11, days=45, total="4000.00", paid="1000.00"), line(12, days=12, total="250.50")])
    zh = action(2, language="zh_CN", tier="firm", tier_index=2,
                lines=[line(21, days=35, total="88000.00", currency="CNY", matter="(2025)京民初字第193号")])
    ids = _approved(store, s, [en, zh])
    result = delivery.send_approved(store, s, NOW)
    assert result.count("sent") == 2 and not result.needs_attention
    got = {m["To"].addresses[0].addr_spec: m for m in smtp_server.inbox.messages()}  # type: ignore[union-attr]
    assert set(got) == {"ap1@client1.example", "ap2@client2.example"}
    envelopes = sorted((f, tuple(r)) for f, r, _ in smtp_server.inbox.received)
    assert envelopes == [("billing@harperlowe.example", ("ap1@client1.example",)),
                         ("billing@harperlowe.example", ("ap2@client2.example",))]

    m = got["ap1@client1.example"]
    r1 = drafts.get_reminder(store, ids[0])
    assert m["Message-ID"] == r1.message_id and r1.message_id.endswith("@harperlowe.example>")
    assert m["From"] == "Harper & Lowe LLP <billing@harperlowe.example>"
    assert m["Reply-To"] == "accounts@harperlowe.example"
    assert m["Subject"] == "Payment reminder: 2 invoices from Harper & Lowe LLP"
    assert m["Content-Language"] == "en-US" and m["Date"] and m["Auto-Submitted"] == "auto-generated"
    assert m.get_content_type() == "multipart/alternative"
    text, html = _parts(m)
    assert "Dear Alex Contact 1," in text and "outstanding $3,000.00" in text and "Balance due: $3,250.50" in text
    assert "$3,250.50" in html and "<table" in html and "INV/2026/00011" in html
    assert "+1 212 555 0100" in text and "+1 212 555 0100" in html and "Bank transfer (USD)" in text
    assert "INV/2026/00021" not in text + html and "Client 2" not in text + html  # LAW.md #3

    z = got["ap2@client2.example"]
    assert z["Subject"] == "付款提醒（已逾期35天）：律师费账单INV/2026/00021（Harper & Lowe LLP）"  # a first contact
    assert z["Content-Language"] == "zh-CN"
    ztext, zhtml = _parts(z)
    assert "尊敬的Alex Contact 2：" in ztext and "¥88,000.00" in ztext and "案件编号：(2025)京民初字第193号" in ztext
    assert "银行转账（美元）" in zhtml and '<html lang="zh-CN">' in zhtml and "付款方式" in zhtml

    sent = drafts.get_reminder(store, ids[0])
    assert sent.status == drafts.SENT and sent.sent_at == NOW and sent.delivery_ref.startswith("smtp 250")
    with store.begin() as conn:
        trail = [r.action for r in conn.execute(select(audit.c.action).where(audit.c.object_id == str(ids[0]))
                                                .order_by(audit.c.id))]
    assert trail == ["reminder.drafted", "reminder.approved", "reminder.sending", "reminder.sent"]
    again = delivery.send_approved(store, s, NOW)
    assert again.items == [] and len(smtp_server.inbox.received) == 2


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_delivery(sqlite_store: Store, tmp_path: Path, security: str, request: pytest.FixtureRequest,
                      client_tls: ssl.SSLContext) -> None:
    server: SmtpServer = request.getfixturevalue(f"{security}_server")
    s = _smtp_settings(tmp_path, server, security=security)
    _approved(sqlite_store, s, [action(1)])
    tr = delivery.SmtpTransport(s, ssl_context=client_tls)
    result = delivery.send_approved(sqlite_store, s, NOW, transport=tr)
    assert result.count("sent") == 1 and len(server.inbox.received) == 1
    _approved(sqlite_store, s, [action(2)])
    refused = delivery.send_approved(sqlite_store, s, NOW)  # the default context does not trust the test CA
    assert "cannot reach the SMTP server" in refused.stopped and len(server.inbox.received) == 1


def test_refused_recipient_fails_and_unreachable_server_sends_nothing(sqlite_store: Store, tmp_path: Path,
                                                                      smtp_server: SmtpServer) -> None:
    s = _smtp_settings(tmp_path, smtp_server)
    smtp_server.inbox.refuse_rcpt.add("ap1@client1.example")
    ids = _approved(sqlite_store, s, [action(1), action(2)])
    result = delivery.send_approved(sqlite_store, s, NOW)
    assert [i.outcome for i in result.items] == ["failed", "sent"]
    assert _status(sqlite_store, ids[0]) == drafts.FAILED and "550" in drafts.get_reminder(sqlite_store, ids[0]).note
    assert len(smtp_server.inbox.received) == 1

    down = make_settings(tmp_path, mode="smtp", smtp_port=smtp_server.port)
    _approved(sqlite_store, down, [action(3)])
    closed = make_settings(tmp_path, mode="smtp", smtp_port=1)  # nothing listens on port 1
    result = delivery.send_approved(sqlite_store, closed, NOW)
    assert "cannot reach the SMTP server" in result.stopped and result.count("sent") == 0
    assert [r.status for r in drafts.list_reminders(sqlite_store, client_id=3)] == [drafts.APPROVED]


def test_outbox_files_are_owner_only_rfc5322_and_written_once(sqlite_store: Store, settings: Settings) -> None:
    ids = _approved(sqlite_store, settings, [action(1), action(2, language="zh_CN")])
    result = delivery.send_approved(sqlite_store, settings, NOW)
    assert result.count("sent") == 2
    box = settings.resolve(settings.delivery.outbox_dir)
    assert stat.S_IMODE(box.stat().st_mode) == 0o700
    files = sorted(box.iterdir())
    assert len(files) == 2 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    r = drafts.get_reminder(sqlite_store, ids[0])
    path = box / delivery.outbox_name(r)
    assert r.delivery_ref == str(path)
    raw = path.read_bytes()
    assert b"\r\n" in raw and raw.startswith(b"From: Harper & Lowe LLP <billing@harperlowe.example>\r\n")
    m = message_from_bytes(raw, policy=policy.default)
    assert m["Message-ID"] == r.message_id and _parts(m)[0].startswith("Dear Alex Contact 1,")  # type: ignore[arg-type]
    # a second hand-over of the same reminder (a resend after a crash) finds the file: no duplicate
    msg = delivery.build_message(r, settings, NOW)
    tr = delivery.OutboxTransport(box)
    tr.open()
    assert tr.deliver(r, msg).endswith("(already in the outbox)")
    assert sorted(box.iterdir()) == files


def test_paid_meanwhile_is_cancelled_not_sent(store: Store, settings: Settings) -> None:
    acts = [action(1), action(2, lines=[line(21, total="800.00"), line(22, total="200.00")]), action(3)]
    ids = _approved(store, settings, acts)
    pay(store, 11)  # paid in full
    pay(store, 22, Decimal("50.00"))  # part-paid: the reminder's figures are wrong now
    result = delivery.send_approved(store, settings, NOW)
    outcome = {i.id: (i.outcome, i.detail) for i in result.items}
    assert outcome[ids[0]][0] == "cancelled" and "paid meanwhile" in outcome[ids[0]][1]
    assert outcome[ids[1]][0] == "cancelled" and "now shows 50.00 USD outstanding, not 200.00 USD" in outcome[ids[1]][1]
    assert outcome[ids[2]][0] == "sent"
    r = drafts.get_reminder(store, ids[0])
    assert r.status == drafts.CANCELLED and r.note.startswith("not sent: INV/2026/00011 was paid meanwhile")


def test_live_residuals_come_from_the_source(sqlite_store: Store, settings: Settings) -> None:
    ids = _approved(sqlite_store, settings, [action(1), action(2)])

    class Source:
        def __init__(self) -> None:
            self.calls: list[list[int]] = []

        def read_residuals(self, invoice_ids: Sequence[int]) -> dict[int, tuple[str, Decimal, str]]:
            self.calls.append(list(invoice_ids))
            return {11: ("USD", Decimal("1500.00"), "not_paid"), 21: ("USD", Decimal("0"), "in_payment")}

    src = Source()
    result = delivery.send_approved(sqlite_store, settings, NOW, residuals=src)
    assert src.calls == [[11, 21]]  # one batched read for the whole run
    assert {i.id: i.outcome for i in result.items} == {ids[0]: "sent", ids[1]: "cancelled"}


@pytest.mark.parametrize(("when", "why"), [
    (datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "outside the send window"),  # 19:30 in New York
    (datetime(2026, 3, 10, 12, 59, tzinfo=UTC), "outside the send window"),  # 08:59
    (datetime(2026, 3, 14, 15, 0, tzinfo=UTC), "not a business day"),  # Saturday
    (datetime(2026, 5, 25, 15, 0, tzinfo=UTC), "not a business day"),  # Memorial Day
])
def test_nothing_leaves_outside_the_send_window(sqlite_store: Store, settings: Settings, when: datetime,
                                               why: str) -> None:
    ids = _approved(sqlite_store, settings, [action(1)])
    result = delivery.send_approved(sqlite_store, settings, when)
    assert not result.window_open and why in result.window_note and result.items == []
    assert _status(sqlite_store, ids[0]) == drafts.APPROVED
    assert delivery.send_approved(sqlite_store, settings, datetime(2026, 3, 10, 13, 0, tzinfo=UTC)).count("sent") == 1


def test_per_run_cap_and_max(sqlite_store: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, max_per_run=2)
    _approved(sqlite_store, s, [action(i) for i in range(1, 6)])
    first = delivery.send_approved(sqlite_store, s, NOW)
    assert first.count("sent") == 2 and first.left_for_next_run == 3
    second = delivery.send_approved(sqlite_store, s, NOW, max_messages=1)
    assert second.count("sent") == 1 and second.left_for_next_run == 2
    assert [i.id for i in first.items] < [i.id for i in second.items]  # oldest first


def test_dry_run_changes_and_sends_nothing(sqlite_store: Store, settings: Settings) -> None:
    ids = _approved(sqlite_store, settings, [action(1), action(2)])
    pay(sqlite_store, 21)
    result = delivery.send_approved(sqlite_store, settings, NOW, dry_run=True)
    assert {i.id: i.outcome for i in result.items} == {ids[0]: "would send", ids[1]: "would cancel"}
    assert [_status(sqlite_store, i) for i in ids] == [drafts.APPROVED, drafts.APPROVED]
    assert not settings.resolve(settings.delivery.outbox_dir).exists()


def test_interrupted_sending_becomes_unconfirmed_and_is_never_resent_silently(store: Store,
                                                                              settings: Settings) -> None:
    ids = _approved(store, settings, [action(1), action(2), action(3)])
    with store.begin() as conn:  # a run died after committing 'sending' for two of them
        conn.execute(update(reminders).where(reminders.c.id.in_(ids[:2])).values(status="sending",
                                                                               sending_at=NOW))
    result = delivery.send_approved(store, settings, NOW)
    assert result.unconfirmed_found == ids[:2] and [i.id for i in result.items] == [ids[2]]
    assert [_status(store, i) for i in ids[:2]] == [drafts.UNCONFIRMED, drafts.UNCONFIRMED]
    assert delivery.send_approved(store, settings, NOW).items == []  # still not re-sent
    # the first one did reach the outbox before the crash; the second did not
    box = settings.resolve(settings.delivery.outbox_dir)
    first = drafts.get_reminder(store, ids[0])
    tr = delivery.OutboxTransport(box)
    tr.open()
    tr.deliver(first, delivery.build_message(first, settings, NOW))
    listed = delivery.unconfirmed(store, settings, NOW)
    assert [(i.reminder.id, i.in_outbox) for i in listed] == [(ids[0], True), (ids[1], False)]
    done = delivery.settle(store, settings, NOW, "clerk", check_outbox=True)
    assert done.sent == [ids[0]] and done.resend == [ids[1]]
    assert _status(store, ids[0]) == drafts.SENT and _status(store, ids[1]) == drafts.APPROVED
    assert [i.id for i in delivery.send_approved(store, settings, NOW).items] == [ids[1]]
    assert len(list(box.iterdir())) == 3
    with pytest.raises(UsageError, match="only unconfirmed"):
        delivery.settle(store, settings, NOW, "clerk", sent=[ids[1]])
    with pytest.raises(UsageError, match="both"):
        delivery.settle(store, settings, NOW, "clerk", sent=[ids[1]], resend=[ids[1]])


def test_smtp_reconcile_by_hand(sqlite_store: Store, tmp_path: Path, smtp_server: SmtpServer) -> None:
    s = _smtp_settings(tmp_path, smtp_server)
    ids = _approved(sqlite_store, s, [action(1), action(2)])
    with sqlite_store.begin() as conn:
        conn.execute(update(reminders).values(status="sending"))
    listed = delivery.unconfirmed(sqlite_store, s, NOW)
    assert [(i.reminder.id, i.in_outbox) for i in listed] == [(ids[0], None), (ids[1], None)]
    with pytest.raises(UsageError, match="outbox mode"):
        delivery.settle(sqlite_store, s, NOW, "clerk", check_outbox=True)
    delivery.settle(sqlite_store, s, NOW, "clerk", sent=[ids[0]], resend=[ids[1]])
    result = delivery.send_approved(sqlite_store, s, NOW)
    assert [i.id for i in result.items] == [ids[1]]
    assert smtp_server.inbox.message_ids() == [drafts.get_reminder(sqlite_store, ids[1]).message_id]


@dataclass
class FakeOdoo:
    fail_with: Exception | None = None
    mails: list[tuple[int, str, str, list[int]]] = field(default_factory=list)
    notes: list[tuple[list[int], str]] = field(default_factory=list)
    note_error: Exception | None = None

    def send_mail(self, invoice_id: int, subject: str, html: str, partner_ids: Sequence[int]) -> int:
        if self.fail_with:
            raise self.fail_with
        self.mails.append((invoice_id, subject, html, list(partner_ids)))
        return 500 + len(self.mails)

    def post_note(self, invoice_ids: Sequence[int], html: str) -> None:
        if self.note_error:
            raise self.note_error
        self.notes.append((list(invoice_ids), html))


def test_odoo_mail_and_chatter_notes(sqlite_store: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, write_back=True)
    s = replace(s, delivery=replace(s.delivery, mode="odoo"))
    ids = _approved(sqlite_store, s, [action(1, lines=[line(11), line(12)])])
    odoo = FakeOdoo()
    result = delivery.send_approved(sqlite_store, s, NOW, transport=delivery.make_transport(s, odoo=odoo),
                                    notes=odoo)
    assert result.count("sent") == 1
    (inv, subject, html, partners), = odoo.mails
    assert inv == 11 and partners == [100001] and subject.startswith("Payment reminder: 2 invoices")
    assert "<html" not in html and "Dear Alex Contact 1," in html
    assert drafts.get_reminder(sqlite_store, ids[0]).delivery_ref == "odoo mail.message 501 on account.move 11"
    (note_ids, note), = odoo.notes
    assert note_ids == [11, 12] and "friendly" in note and "ap1@client1.example" in note


def test_odoo_timeout_is_unconfirmed_and_failed_note_is_recorded(sqlite_store: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, write_back=True)
    s = replace(s, delivery=replace(s.delivery, mode="odoo"))
    ids = _approved(sqlite_store, s, [action(1), action(2)])
    odoo = FakeOdoo(fail_with=TransientSourceError("read timed out"))
    result = delivery.send_approved(sqlite_store, s, NOW, transport=delivery.OdooTransport(odoo), notes=odoo)
    assert [i.outcome for i in result.items] == ["unconfirmed"] and "read timed out" in result.stopped
    assert _status(sqlite_store, ids[0]) == drafts.UNCONFIRMED and _status(sqlite_store, ids[1]) == drafts.APPROVED
    odoo.fail_with, odoo.note_error = None, RuntimeError("chatter is down")
    result = delivery.send_approved(sqlite_store, s, NOW, transport=delivery.OdooTransport(odoo), notes=odoo)
    assert [i.id for i in result.items] == [ids[1]] and len(odoo.mails) == 1  # the unconfirmed one waits
    assert _status(sqlite_store, ids[1]) == drafts.SENT
    with sqlite_store.begin() as conn:
        failed = conn.execute(select(audit.c.object_id).where(audit.c.action == "reminder.note_failed")).all()
    assert [f[0] for f in failed] == [str(ids[1])]


def test_sender_must_be_the_firm(sqlite_store: Store, tmp_path: Path) -> None:
    _approved(sqlite_store, make_settings(tmp_path), [action(1)])
    for name in ("National Recovery Services", "Harper & Lowe LLP Debt Collections"):
        with pytest.raises(ConfigError, match="from_name"):
            delivery.send_approved(sqlite_store, make_settings(tmp_path, from_name=name), NOW)
    ok = delivery.send_approved(sqlite_store, make_settings(tmp_path, from_name="Billing, Harper & Lowe LLP"), NOW)
    assert ok.count("sent") == 1


def test_one_sender_at_a_time(sqlite_store: Store, settings: Settings) -> None:
    _approved(sqlite_store, settings, [action(1)])
    with delivery.send_lock(sqlite_store), pytest.raises(LockedError):
        delivery.send_approved(sqlite_store, settings, NOW)
    assert delivery.send_approved(sqlite_store, settings, NOW).count("sent") == 1


def test_outbox_folder_is_tightened_and_stale_temp_files_removed(tmp_path: Path) -> None:
    box = tmp_path / "box"
    box.mkdir(mode=0o755)
    (box / ".tmp-deadbeef-123").write_bytes(b"half a message")
    delivery.OutboxTransport(box).open()
    assert stat.S_IMODE(box.stat().st_mode) == 0o700 and list(box.iterdir()) == []
    assert os.access(box, os.W_OK)
