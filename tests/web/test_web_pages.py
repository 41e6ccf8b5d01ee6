"""The pages and the decisions made on them (Flask's test client): queue, letter, offer, client, aging,
uploads of an edited letter, and what lands in the store and the audit log."""

from __future__ import annotations

import hashlib
import html as html_lib
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from web_factory import CLERK, DANA, DESK_CLERK, NOW, PARTNER, SAM, TODAY, US, Firm, docx_bytes, invoice, sign_in

from overdue_reminder.config import Settings
from overdue_reminder.core.letter_docx import DRAFT_MARKER, document_text, open_docx
from overdue_reminder.core.offers import installment_plan
from overdue_reminder.model import Invoice, InvoiceKind, Partner
from overdue_reminder.services import contacts, holds
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services.letters import get_letter
from overdue_reminder.services.review import payment_profile
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_invoices, store_partners
from overdue_reminder.store.schema import audit, reminders
from overdue_reminder.store.schema import contacts as contacts_table


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


def _audit(store: Store, object_type: str, object_id: int) -> list[Any]:
    with store.begin() as conn:
        return list(conn.execute(select(audit).where(audit.c.object_type == object_type,
                                                     audit.c.object_id == str(object_id)).order_by(audit.c.id)))


@pytest.fixture
def dana(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    return client, sign_in(client, DANA.login)


# ---------------------------------------------------------------- the queue
def test_queue_lists_what_awaits_the_attorney_oldest_first(dana: tuple[FlaskClient, str], firm: Firm) -> None:
    client, _ = dana
    html = client.get("/queue").text
    text = _text(html)
    assert "2 items (1 letter, 1 offer), oldest first" in text
    assert "Amounts: 11,501.00 USD" in text  # the letter's 5,750.50 and the offer's 5,750.50, per currency
    assert html.index(f"/letters/{firm.letter_a.id}") < html.index(f"/offers/{firm.offer_a.id}")
    row = text[text.index(f"Letter {firm.letter_a.id}"):]
    assert "Acme Widgets Inc. 5,750.50 USD 121" in row  # INV 5001 was due 2025-11-01: 121 days before TODAY


def test_queue_for_the_partner_shows_everything_with_the_assignee(app: Flask, firm: Firm) -> None:
    client = app.test_client()
    sign_in(client, PARTNER)
    text = _text(client.get("/queue").text)
    assert "5 items (2 letters, 3 offers)" in text
    assert "Amounts: 4,000.00 EUR · 29,101.00 USD" in text
    assert "needs the supervising partner" in text and DANA.email in text


def test_queue_days_overdue_follows_payments(dana: tuple[FlaskClient, str], web_store: Store) -> None:
    client, _ = dana
    with web_store.begin() as conn:  # a sync saw INV 5001 paid: the oldest still open is 5002 (due 2025-12-01)
        store_invoices(conn, [Invoice(5001, "INV/2025/5001", InvoiceKind.INVOICE, 101, 101, DANA.id, "M-2025-001",
                                      "USD", Decimal("3600.00"), Decimal(0), date(2025, 10, 2), date(2025, 11, 1),
                                      "paid", False)], NOW)
    assert "5,750.50 USD 91" in _text(client.get("/queue").text)


# ---------------------------------------------------------------- the letter page
def test_letter_page_renders_the_docx_and_the_clients_file(dana: tuple[FlaskClient, str], firm: Firm,
                                                           web_store: Store, settings: Settings) -> None:
    client, _ = dana
    contacts.log_contact(web_store, settings, client_id=101, reason="financial_hardship",
                         note="Cash flow is tight until April", by=CLERK, now=NOW - timedelta(days=3))
    with web_store.begin() as conn:
        conn.execute(insert(reminders).values(
            client_id=101, tier="firm", tier_index=2, channel="email", run_date=date(2026, 1, 5),
            invoice_ids=[5001], totals={"USD": "3600.00"}, status="sent", idempotency_key="r1", message_id="<r1@x>",
            created_at=datetime(2026, 1, 5, 14, tzinfo=UTC), sent_at=datetime(2026, 1, 5, 15, tzinfo=UTC),
            to_address="ap@acme.example"))
    html = client.get(f"/letters/{firm.letter_a.id}").text
    text = _text(html)
    doc_text = document_text(open_docx(Path(firm.letter_a.path).read_bytes()))
    assert DRAFT_MARKER in text  # the header of the draft
    assert "Dear Acme Widgets Inc.:" in doc_text and "Dear Acme Widgets Inc.:" in text
    days = (TODAY - date(2025, 11, 1)).days  # the letter's table gives each invoice's own age
    assert f"INV/2025/5001 Oct 2, 2025 Nov 1, 2025 {days} 3,600.00 0.00 3,600.00 USD" in text  # the letter's table
    assert "Notice of Client" in text and "Part 137" in text
    paper = html.split('id="letter-text"', 1)[1].split("</article>", 1)[0]
    assert "<strong>Notice of Client" in paper and "<strong>Harper &amp; Lowe LLP</strong>" in paper  # bold kept
    assert '<p class="al-right">' in paper and '<th scope="col">' in paper  # the date line, the table's header
    assert "Grade B" in text
    assert "INV/2025/5001 M-2025-001 2025-11-01 121 3,600.00 USD 3,600.00 USD not paid" in text
    assert "2026-01-05 firm email sent" in text  # reminder history
    assert "financial hardship" in text and "Cash flow is tight until April" in text  # contact log
    assert 'id="approve"' in html and 'id="reject"' in html and 'enctype="multipart/form-data"' in html
    assert "letter.created" in text
    dl = client.get(f"/letters/{firm.letter_a.id}/download/draft.docx")
    assert dl.status_code == 200 and dl.data == Path(firm.letter_a.path).read_bytes()
    assert dl.headers["Content-Disposition"].startswith("attachment;")
    assert (dl.mimetype or "").endswith("wordprocessingml.document")


def test_letter_text_escapes_what_the_document_says(dana: tuple[FlaskClient, str], firm: Firm) -> None:
    client, _ = dana
    Path(firm.letter_a.path).write_bytes(docx_bytes("<script>alert(1)</script>\nA & B"))
    html = client.get(f"/letters/{firm.letter_a.id}").text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "The draft on disk changed since it was queued" in html


def test_approve_from_the_page(dana: tuple[FlaskClient, str], firm: Firm, web_store: Store) -> None:
    client, token = dana
    resp = client.post(f"/letters/{firm.letter_a.id}/approve", data={"csrf_token": token})
    assert resp.status_code == 303 and resp.headers["Location"] == "/queue"
    assert "approved" in client.get("/queue").text  # the flash message
    lt = get_letter(web_store, firm.letter_a.id)
    assert (lt.status, lt.decided_by, lt.decided_at) == ("approved", DANA.login, NOW)
    final = Path(lt.approved_path or "")
    assert hashlib.sha256(final.read_bytes()).hexdigest() == lt.approved_sha256
    assert DRAFT_MARKER not in document_text(open_docx(final.read_bytes()))
    [row] = [r for r in _audit(web_store, "letter", lt.id) if r.action == "letter.approved"]
    assert row.actor == DANA.login and row.detail["edited"] is False
    again = client.post(f"/letters/{firm.letter_a.id}/approve", data={"csrf_token": token})
    assert again.status_code == 409 and "already approved" in again.text
    page = client.get(f"/letters/{firm.letter_a.id}").text
    assert "The approved letter" in page and DRAFT_MARKER not in page
    assert client.get(f"/letters/{firm.letter_a.id}/download/final.docx").data == final.read_bytes()


def test_reject_needs_a_reason(dana: tuple[FlaskClient, str], firm: Firm, web_store: Store) -> None:
    client, token = dana
    resp = client.post(f"/letters/{firm.letter_a.id}/reject", data={"csrf_token": token, "reason": "  "})
    assert resp.status_code == 400 and "Give a reason" in resp.text
    assert get_letter(web_store, firm.letter_a.id).status == "awaiting_review"
    resp = client.post(f"/letters/{firm.letter_a.id}/reject",
                       data={"csrf_token": token, "reason": "Client called: paying Friday"})
    assert resp.status_code == 303
    lt = get_letter(web_store, firm.letter_a.id)
    assert (lt.status, lt.reason, lt.decided_by) == ("rejected", "Client called: paying Friday", DANA.login)
    [row] = [r for r in _audit(web_store, "letter", lt.id) if r.action == "letter.rejected"]
    assert row.actor == DANA.login and row.detail == {"reason": "Client called: paying Friday"}
    page = _text(client.get(f"/letters/{lt.id}").text)
    assert "The draft" in page and f"Decided: rejected by {DANA.login}" in page
    assert "Approve the letter" not in page


def test_a_draft_changed_on_disk_cannot_be_approved_as_is(dana: tuple[FlaskClient, str], firm: Firm,
                                                          web_store: Store) -> None:
    client, token = dana
    Path(firm.letter_a.path).write_bytes(docx_bytes("Pay now."))
    resp = client.post(f"/letters/{firm.letter_a.id}/approve", data={"csrf_token": token})
    assert resp.status_code == 403 and "changed on disk" in resp.text
    assert get_letter(web_store, firm.letter_a.id).status == "awaiting_review"


def test_upload_an_edited_letter_and_approve_it(dana: tuple[FlaskClient, str], firm: Firm, web_store: Store) -> None:
    client, token = dana
    data = docx_bytes("Dear Acme Widgets Inc.:\nWe would be grateful for your payment of $5,750.50.")
    resp = client.post(f"/letters/{firm.letter_a.id}/approve-edited",
                       data={"csrf_token": token, "edited": (io.BytesIO(data), "Acme letter (mine).docx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303, resp.text
    lt = get_letter(web_store, firm.letter_a.id)
    assert lt.status == "approved" and lt.reviewed_sha256 == hashlib.sha256(data).hexdigest()
    assert "grateful for your payment" in document_text(open_docx(Path(lt.approved_path or "").read_bytes()))
    [row] = [r for r in _audit(web_store, "letter", lt.id) if r.action == "letter.approved"]
    assert row.actor == DANA.login and row.detail["edited"] is True


def _zip_without_document() -> bytes:
    return docx_bytes("", with_document=False)


@pytest.mark.parametrize(("name", "data", "code", "message"), [
    ("letter.pdf", b"%PDF-1.4", 400, "is not a .docx file"),
    ("letter.docx", b"just text, not a zip", 400, "is not a Word .docx file"),
    ("letter.docx", b"", 400, "is empty"),
    ("letter.docx", _zip_without_document(), 400, "no word/document.xml"),
    ("letter.docx", docx_bytes("Pay or we call the police."), 400, "forbidden wording"),
    ("letter.docx", b"PK\x03\x04" + b"\0" * 1_048_600, 413, "over the 1024 KB limit"),
], ids=["not-docx-name", "not-a-zip", "empty", "no-document-xml", "forbidden-phrase", "too-large"])
def test_uploads_are_checked_before_use(dana: tuple[FlaskClient, str], firm: Firm, web_store: Store, name: str,
                                        data: bytes, code: int, message: str) -> None:
    client, token = dana
    resp = client.post(f"/letters/{firm.letter_a.id}/approve-edited",
                       data={"csrf_token": token, "edited": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")
    assert resp.status_code == code and message in resp.text
    assert get_letter(web_store, firm.letter_a.id).status == "awaiting_review"
    assert not [r for r in _audit(web_store, "letter", firm.letter_a.id) if r.action == "letter.approved"]


def test_an_upload_beyond_the_request_limit_is_refused_unread(dana: tuple[FlaskClient, str], firm: Firm,
                                                              web_store: Store) -> None:
    client, token = dana
    big = b"PK\x03\x04" + b"\0" * (2 * 1_048_576)
    resp = client.post(f"/letters/{firm.letter_a.id}/approve-edited",
                       data={"csrf_token": token, "edited": (io.BytesIO(big), "big.docx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 413
    assert get_letter(web_store, firm.letter_a.id).status == "awaiting_review"


def test_a_missing_letter_file_is_reported_not_crashed(dana: tuple[FlaskClient, str], firm: Firm) -> None:
    client, _ = dana
    Path(firm.letter_a.path).unlink()
    page = client.get(f"/letters/{firm.letter_a.id}")
    assert page.status_code == 200 and "The letter file cannot be read" in page.text
    assert client.get(f"/letters/{firm.letter_a.id}/download/draft.docx").status_code == 404


# ---------------------------------------------------------------- offers
def test_offer_page_shows_terms_and_schedule(dana: tuple[FlaskClient, str], firm: Firm) -> None:
    client, _ = dana
    text = _text(client.get(f"/offers/{firm.offer_a.id}").text)
    assert offer_service.summary(firm.offer_a.offer) in text
    assert "8 installments are more than staff's limit of 6" in text
    assert "0 down payment 2026-03-09 600.00 USD 0.00 USD due" in text
    assert text.count(" installment ") >= 8
    assert "INV/2025/5001" in text and "INV/2025/5002" in text


def test_approve_and_refuse_offers(app: Flask, firm: Firm, web_store: Store) -> None:
    client = app.test_client()
    token = sign_in(client, DANA.login)
    assert client.post(f"/offers/{firm.offer_a.id}/approve", data={"csrf_token": token}).status_code == 303
    rec = offer_service.get_offer(web_store, firm.offer_a.id)
    assert (rec.status, rec.decided_by, rec.decided_at) == ("proposed", DANA.login, NOW)
    assert [r.actor for r in _audit(web_store, "offer", rec.id) if r.action == "offer.approve"] == [DANA.login]
    sam = app.test_client()
    sam_token = sign_in(sam, "sortiz")
    resp = sam.post(f"/offers/{firm.offer_b.id}/refuse", data={"csrf_token": sam_token, "reason": "Too long a plan"})
    assert resp.status_code == 303
    rec_b = offer_service.get_offer(web_store, firm.offer_b.id)
    assert rec_b.status == "rejected"
    [row] = [r for r in _audit(web_store, "offer", rec_b.id) if r.action == "offer.reject"]
    assert row.actor == SAM.login and row.detail["reason"] == "Too long a plan"


# ---------------------------------------------------------------- client and aging
def test_client_page_timeline_and_chart(dana: tuple[FlaskClient, str], firm: Firm, web_store: Store,
                                        settings: Settings) -> None:
    client, token = dana
    contacts.log_contact(web_store, settings, client_id=101, reason="planning_error", note="Invoice mislaid",
                         by=CLERK, now=NOW - timedelta(days=2))
    holds.add_hold(web_store, client_id=101, kind="pause", reason="Partner lunch next week", by=CLERK,
                   until=TODAY + timedelta(days=5), now=NOW - timedelta(days=1))
    client.post(f"/letters/{firm.letter_a.id}/reject", data={"csrf_token": token, "reason": "Wait for the lunch"})
    html = client.get("/clients/101").text
    text = _text(html)
    for expected in (f"Letter {firm.letter_a.id} rejected by {DANA.login}", "Wait for the lunch",
                     f"Letter {firm.letter_a.id} queued", f"Offer {firm.offer_a.id} made by {CLERK}",
                     "Contact logged by clerk@harperlowe.example: planning error", "Invoice mislaid",
                     "Hold placed by clerk@harperlowe.example: pause until 2026-03-07"):
        assert expected in text
    assert text.index("Wait for the lunch") < text.index("Hold placed")  # newest first
    svg = re.search(r'<svg [^>]*aria-label="([^"]*)" data-currency="USD".*?</svg>', html, re.S)
    assert svg is not None, "one aging panel per currency, as inline SVG"
    assert "style=" not in svg.group(0) and "<script" not in svg.group(0)  # the page's CSP allows no inline style
    assert ">$5,750.50<" in svg.group(0) and re.search(r">\$\d{1,3}(,\d{3})*<", svg.group(0))  # symbol, separators
    assert "over 90 days $5,750.50" in svg.group(1)  # the chart's accessible description
    assert "Bexley" not in text


def test_aging_overview_per_role(app: Flask, firm: Firm) -> None:
    client = app.test_client()
    sign_in(client, PARTNER)
    text = _text(client.get("/aging").text)
    assert "total 14,550.50 USD" in text and "total 4,000.00 EUR" in text
    assert "Bexley Foods LLC USD" in text and "Acme Widgets Inc. USD" in text
    by_att = _text(client.get("/aging?by=attorney").text)
    assert "Sam Ortiz USD" in by_att and "Dana Whitfield EUR" in by_att
    dana = app.test_client()
    sign_in(dana, DANA.login)
    mine = _text(dana.get("/aging").text)
    assert "total 5,750.50 USD" in mine and "Bexley" not in mine


def test_grade_matches_the_offer_services_grade(web_store: Store, settings: Settings) -> None:
    """The page's two-query grade reads the same rows as `offer_service.client_grade` (which loads a snapshot)."""
    closed = [Invoice(9000 + i, f"INV/2025/{9000 + i}", InvoiceKind.INVOICE, 101, 101, DANA.id, "M-1", "USD",
                      Decimal("100.00"), Decimal(0), date(2025, 5, 1), date(2025, 6, 1) + timedelta(days=20 * i),
                      "paid", False) for i in range(4)]
    with web_store.begin() as conn:
        store_invoices(conn, [c._replace(is_open=True, amount_residual=Decimal("100.00"),
                                     payment_state="not_paid") for c in closed],
                       datetime(2025, 5, 1, tzinfo=UTC))
        for i, c in enumerate(closed):  # paid 0, 25, 50 and 75 days late
            store_invoices(conn, [c], datetime.combine(c.due_date + timedelta(days=25 * i), datetime.min.time(),
                                                       tzinfo=UTC) + timedelta(hours=18))
        conn.execute(insert(contacts_table).values(client_id=101, at=NOW - timedelta(days=40), by=CLERK,
                                                   reason="other", promise_date=TODAY - timedelta(days=30),
                                                   promise_amount=Decimal("100.00"), promise_currency="USD",
                                                   promise_status="broken"))
    expected = offer_service.client_grade(web_store, settings, 101, TODAY)
    with web_store.begin() as conn:
        mine = payment_profile(conn, settings.calendar().tz, 101, TODAY)
    assert (mine.grade, mine.reasons) == expected
    assert mine.invoices_considered >= 4 and mine.broken_promises == 1


def test_an_offer_with_security_needs_the_attorneys_written_terms(app: Flask, web_store: Store,
                                                                  settings: Settings) -> None:
    with web_store.begin() as conn:
        store_partners(conn, [Partner(401, "Delta Dental PC", 401, is_company=True)], NOW)
        store_invoices(conn, [invoice(8001, 401, DANA.id, "3000.00", date(2025, 12, 15))], NOW)
    rec = offer_service.propose(web_store, settings, client_id=401, offer=installment_plan(
        Decimal("3000.00"), "USD", 3, "monthly", Decimal("300.00"), TODAY + timedelta(days=7), US, offered_on=TODAY,
        security="a lien on the practice's equipment"), by=DESK_CLERK, now=NOW)
    assert rec.written_terms and rec.status == "awaiting_attorney"
    client = app.test_client()
    token = sign_in(client, DANA.login)
    page = client.get(f"/offers/{rec.id}").text
    assert 'name="written_terms_ref"' in page and "independent counsel" in page
    resp = client.post(f"/offers/{rec.id}/approve", data={"csrf_token": token})
    assert resp.status_code == 403 and "written terms" in resp.text
    assert offer_service.get_offer(web_store, rec.id).status == "awaiting_attorney"
    resp = client.post(f"/offers/{rec.id}/approve", data={"csrf_token": token, "written_terms_ref": "DMS-2026-0042"})
    assert resp.status_code == 303
    done = offer_service.get_offer(web_store, rec.id)
    assert (done.status, done.written_terms_ref, done.decided_by) == ("proposed", "DMS-2026-0042", DANA.login)
