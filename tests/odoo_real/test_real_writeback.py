"""Every write-back the desk does, on a real Odoo 17: exactly its intended effect and nothing else.

Nothing else means: no email queued (mail.mail), no follower added, no invoice field changed, no write_date
moved (so the next sync reports nothing changed), no warning in Odoo's log.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from odoo_real_kit import Snapshot, new_messages, snapshot, source

from overdue_reminder.sandbox.odoo_seed import OdooRpc, OdooSeeder, Seeded, SeededClient, SeededInvoice
from overdue_reminder.services.letter_writeback import LetterPost, write_back
from overdue_reminder.services.sync import sync
from overdue_reminder.sources.odoo import OdooSource
from overdue_reminder.sources.odoo_writeback import OdooActivity
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import access_tokens


def _log_size() -> int:
    log = os.environ.get("ODOO_LOG", "")
    return Path(log).stat().st_size if log and Path(log).exists() else 0


def _new_warnings(start: int) -> list[str]:
    log = os.environ.get("ODOO_LOG", "")
    if not log:
        return []
    with open(log, "rb") as fh:
        fh.seek(start)
        text = fh.read().decode("utf-8", "replace")
    return [ln for ln in text.splitlines() if " WARNING " in ln or " ERROR " in ln]


class Firm:
    """A client of the test's own with two open invoices, synced into a fresh ledger."""

    def __init__(self, admin: OdooRpc, seeded: Seeded, seeder: OdooSeeder, tmp: Path) -> None:
        self.admin = admin
        self.client: SeededClient = seeder.company(seeded)
        self.invoices: list[SeededInvoice] = [seeder.invoice(seeded, self.client, Decimal(a), days_late=d)
                                              for a, d in (("800.00", 95), ("1500.00", 40))]
        self.ids = [i.id for i in self.invoices]
        self.attorney = next(iter(seeded.attorneys))
        self.store = Store(f"sqlite:///{tmp / 'store.db'}")
        self.store.upgrade()
        sync(self.store, source())
        self.partners = [self.client.id, self.client.billing_contact_id]
        self.log_start = _log_size()
        self.before = self.snap()

    def snap(self) -> Snapshot:
        return snapshot(self.admin, self.ids, self.partners)

    def assert_quiet(self, after: Snapshot, *, mails: int = 0) -> None:
        """No email beyond `mails`, no follower, no field or write_date moved, no warning, nothing 'changed'."""
        assert len(after.mails - self.before.mails) == mails
        assert after.followers == self.before.followers
        assert after.invoices == self.before.invoices  # every field the sync reads, write_date included
        assert after.partners == self.before.partners
        assert _new_warnings(self.log_start) == []
        report = sync(self.store, source())
        assert (report.new, report.changed, report.closed) == (0, 0, 0)


@pytest.fixture
def firm(admin: OdooRpc, seeded: Seeded, seeder: OdooSeeder, tmp_path: Path) -> Any:
    f = Firm(admin, seeded, seeder, tmp_path)
    yield f
    f.store.dispose()


def _src() -> OdooSource:
    s = source()
    s.open()
    return s


def test_chatter_note_is_a_plain_internal_note(firm: Firm) -> None:
    src = _src()
    src.post_note(firm.ids, "<p>Payment reminder <b>emailed</b> to ap@client.test.</p>")
    assert src.client.calls["mail.message.create"] == 1 and src.client.calls["account.move.message_post"] == 0
    after = firm.snap()
    added = new_messages(firm.before, after)
    assert set(added) == {("account.move", i) for i in firm.ids}
    rows = firm.admin.execute("mail.message", "read", sorted(set().union(*added.values())),
                              fields=["message_type", "subtype_id", "body", "author_id", "partner_ids"])
    assert {r["message_type"] for r in rows} == {"comment"} and {r["subtype_id"][1] for r in rows} == {"Note"}
    assert all(r["body"] == "<p>Payment reminder <b>emailed</b> to ap@client.test.</p>" for r in rows)
    assert all(r["partner_ids"] == [] for r in rows)
    firm.assert_quiet(after)


def test_activity_has_no_assignment_email_and_adds_no_follower(firm: Firm) -> None:
    src = _src()
    deadline = date.today() + timedelta(days=5)
    (act,) = src.create_activities([OdooActivity("account.move", firm.ids[0], firm.attorney, "Review letter",
                                                 "<p>Letter 7 awaits your review.</p>", deadline)])
    row = firm.admin.execute("mail.activity", "read", [act], fields=["res_model", "res_id", "user_id", "summary",
                                                                     "date_deadline", "activity_type_id"])[0]
    assert (row["res_model"], row["res_id"], row["user_id"][0], row["summary"]) == (
        "account.move", firm.ids[0], firm.attorney, "Review letter")
    assert row["date_deadline"] == deadline.isoformat() and row["activity_type_id"][1] == "To-Do"
    after = firm.snap()
    assert new_messages(firm.before, after) == {}
    firm.assert_quiet(after)
    src.close_activity(act, "Approved by the attorney")  # done: it leaves the to-do list, mails nobody
    assert firm.admin.execute("mail.activity", "search_count", [("id", "=", act)]) == 0
    done = firm.snap()
    assert done.mails == firm.before.mails and done.followers == firm.before.followers
    assert done.invoices == firm.before.invoices


def test_letter_is_one_attachment_linked_from_each_invoice(firm: Firm) -> None:
    src = _src()
    blob = Path(__file__).read_bytes()  # any bytes: Odoo stores what it is given
    post = LetterPost(letter_id=41, kind="final_demand", invoice_ids=tuple(firm.ids), attachment_id=None,
                      activity_id=None, attorney_id=firm.attorney, read_file=lambda: blob,
                      activity_note="<p>Letter 41 awaits your review.</p>", deadline=date.today() + timedelta(3))
    (posted,) = write_back(src, [post])
    assert posted.error == "" and posted.attachment_id and posted.activity_id
    assert src.client.calls["ir.attachment.create"] == 1 and src.client.calls["mail.message.create"] == 1
    atts = firm.admin.execute("ir.attachment", "search_read", [("res_model", "=", "account.move"),
                                                               ("res_id", "in", firm.ids)],
                              fields=["res_id", "name", "file_size"])
    assert [(a["res_id"], a["name"], a["file_size"]) for a in atts] == [
        (firm.ids[0], "letter-41-final_demand.docx", len(blob))]
    after = firm.snap()
    added = new_messages(firm.before, after)
    assert set(added) == {("account.move", i) for i in firm.ids}
    notes = {r["res_id"]: r for r in firm.admin.execute(
        "mail.message", "read", sorted(set().union(*added.values())),
        fields=["res_id", "body", "attachment_ids", "subtype_id"])}
    assert all(f"/web/content/{posted.attachment_id}" in n["body"] for n in notes.values())
    assert notes[firm.ids[0]]["attachment_ids"] == [posted.attachment_id] and notes[firm.ids[1]]["attachment_ids"] == []
    firm.assert_quiet(after)


def test_odoo_mail_mode_sends_one_email_to_the_contact_only(firm: Firm) -> None:
    src = _src()
    mid = src.send_mail(firm.ids[0], "Payment reminder", "<p>Dear client, <b>two invoices</b> are overdue.</p>",
                        [firm.client.billing_contact_id])
    msg = firm.admin.execute("mail.message", "read", [mid], fields=["body", "partner_ids", "subtype_id", "model",
                                                                      "res_id", "message_type"])[0]
    assert (msg["model"], msg["res_id"], msg["message_type"]) == ("account.move", firm.ids[0], "comment")
    assert msg["body"] == "<p>Dear client, <b>two invoices</b> are overdue.</p>"  # HTML kept, not escaped
    assert msg["partner_ids"] == [firm.client.billing_contact_id]
    after = firm.snap()
    (mail,) = firm.admin.execute("mail.mail", "read", sorted(after.mails - firm.before.mails),
                                 fields=["recipient_ids", "subject", "mail_message_id"])
    assert mail["recipient_ids"] == [firm.client.billing_contact_id] and mail["mail_message_id"][0] == mid
    assert after.followers == firm.before.followers
    # Odoo gives a mailed invoice its portal token (account.move._notify_get_recipients_groups), as when it
    # sends an invoice itself: the desk's pay link then uses that token (read with the sync batch)
    business = [k for k in firm.before.invoices[firm.ids[0]] if k not in ("write_date", "access_token")]
    assert all(after.invoices[i][k] == firm.before.invoices[i][k] for i in firm.ids for k in business)
    assert _new_warnings(firm.log_start) == []
    # Odoo moves the invoice's (and contact's) write_date when it mails: the sync re-reads it, finds no change
    report = sync(firm.store, source())
    assert (report.new, report.changed, report.closed) == (0, 0, 0)
    with firm.store.begin() as conn:
        stored = access_tokens(conn, [firm.ids[0]])
    assert stored == {firm.ids[0]: after.invoices[firm.ids[0]]["access_token"] or ""}
