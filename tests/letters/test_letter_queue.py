"""The letter queue on SQLite and PostgreSQL: create, assign, decide, deliver, notices, write-back, files."""

from __future__ import annotations

import io
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
from actors import attorney, partner, staff
from letter_factory import (
    ATTORNEY,
    CLIENT,
    NOW,
    OTHER_ATTORNEY,
    PARTNER_EMAIL,
    TODAY,
    RecordingWriteBack,
    add_matter,
    add_reminder,
    line,
    make_action,
    make_settings,
    seed_invoices,
)
from sqlalchemy import select, update

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor
from overdue_reminder.core.letter_docx import DRAFT_MARKER, document_text, header_texts, open_docx
from overdue_reminder.errors import ConfigError, PolicyError, UsageError
from overdue_reminder.services.letters import (
    ACTIVITY_SUMMARY,
    CreateResult,
    approve_letter,
    audit_trail,
    create_letter,
    create_letters,
    deliverable,
    get_letter,
    list_letters,
    list_notices,
    record_notice,
    reject_letter,
    release_letter,
)
from overdue_reminder.store import Store
from overdue_reminder.store.schema import audit, letters

LINES = (
    line(5001, "INV/2025/0101", "3600.00", total="4800.00", matter="M-2025-001"),
    line(5002, "INV/2025/0140", "2150.50", matter="M-2025-002", due=date(2025, 12, 1)),
)


CLERK = staff("clerk")


def dana(store: Store) -> Actor:
    """The assigned attorney, proven (as `--as dwhitfield` or a mapped account would prove her)."""
    return attorney(store, ATTORNEY.email)


def _create(store: Store, settings: Settings, **kw: Any) -> CreateResult:
    action_kw = kw.pop("action_kw", {})
    action = kw.pop("action", None) or make_action(LINES, **action_kw)
    seed_invoices(store, action)
    return create_letter(store, settings, action, today=kw.pop("today", TODAY), now=NOW, **kw)


def _audit_actions(store: Store) -> list[tuple[str, str, str]]:
    with store.begin() as conn:
        return [(r.actor, r.action, r.object_id) for r in conn.execute(select(audit).order_by(audit.c.id))]


# ---------------------------------------------------------------- creation
def test_create_writes_private_files_and_records_hash(seeded: Store, settings: Settings) -> None:
    res = _create(seeded, settings)
    assert res.created
    lt = res.letter
    path = Path(lt.path)
    assert path.is_file() and path.suffix == ".docx"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert path.is_relative_to(settings.resolve("letters"))
    import hashlib
    assert lt.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert lt.status == "awaiting_review" and lt.kind == "escalation" and lt.jurisdiction == "NY"
    assert lt.attorney_email == ATTORNEY.email and lt.attorney_id == ATTORNEY.id
    assert lt.matter_refs == ("M-2025-001", "M-2025-002")
    assert str(lt.totals["USD"]) == "5750.50"
    assert lt.pdf_path is None  # no soffice on PATH in this test
    assert lt.client_name == CLIENT.name
    doc = open_docx(path.read_bytes())
    assert DRAFT_MARKER in header_texts(doc)[0]
    assert ("overdue-reminder", "letter.created", str(lt.id)) in _audit_actions(seeded)


def test_rerun_adds_nothing(seeded: Store, settings: Settings) -> None:
    first = _create(seeded, settings)
    again = _create(seeded, settings)
    assert not again.created and again.letter.id == first.letter.id
    # the next night, same invoices still awaiting review: still the one letter
    later = _create(seeded, settings, today=TODAY + timedelta(days=1))
    assert not later.created and later.letter.id == first.letter.id
    assert len(list_letters(seeded)) == 1
    assert len(list(Path(first.letter.path).parent.glob("*.docx"))) == 1


def test_rejected_letter_is_not_requeued_for_the_same_invoices(seeded: Store, settings: Settings) -> None:
    lt = _create(seeded, settings).letter
    reject_letter(seeded, settings, lt.id, dana(seeded), "client called, paying Friday", now=NOW)
    again = _create(seeded, settings, today=TODAY + timedelta(days=3))
    assert not again.created and "rejected" in again.note
    changed = make_action((*LINES, line(5003, "INV/2025/0200", "99.00")))
    assert _create(seeded, settings, action=changed, today=TODAY + timedelta(days=3)).created


def test_assignment_falls_back_to_supervising_partner(seeded: Store, settings: Settings) -> None:
    lt = _create(seeded, settings, action_kw={"attorney_id": None}).letter
    assert lt.attorney_email == PARTNER_EMAIL and lt.attorney_id is None
    lt2 = _create(seeded, settings, today=TODAY + timedelta(days=40),
                  action=make_action((line(9, "INV/9", "5.00"),), attorney_id=999)).letter
    assert lt2.attorney_email == PARTNER_EMAIL


def test_no_attorney_and_no_partner_is_a_config_error(seeded_sqlite: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    from dataclasses import replace
    s = replace(s, letters=replace(s.letters, supervising_partner=""))
    with pytest.raises(ConfigError, match="supervising_partner"):
        _create(seeded_sqlite, s, action_kw={"attorney_id": None})


def test_email_action_is_refused(seeded_sqlite: Store, settings: Settings) -> None:
    from dataclasses import replace
    action = replace(make_action(LINES), channel="email")
    with pytest.raises(UsageError, match="not a letter"):
        create_letter(seeded_sqlite, settings, action, today=TODAY)


def test_history_from_the_reminders_table(seeded: Store, settings: Settings) -> None:
    add_reminder(seeded, CLIENT.id, "friendly", datetime(2025, 11, 8, 14, tzinfo=UTC))
    add_reminder(seeded, CLIENT.id, "final", datetime(2026, 1, 30, 3, tzinfo=UTC))  # 22:00 on Jan 29 in New York
    add_reminder(seeded, CLIENT.id, "firm", datetime(2025, 12, 1, 14, tzinfo=UTC), status="failed")
    add_reminder(seeded, 4242, "friendly", datetime(2025, 12, 2, 14, tzinfo=UTC))
    text = document_text(open_docx(Path(_create(seeded, settings).letter.path).read_bytes()))
    assert "Nov 8, 2025 - Payment reminder (email)" in text
    assert "Jan 29, 2026 - Final reminder (email)" in text
    assert "Second reminder" not in text and "Dec 2, 2025" not in text


def test_withdrawal_warning_flags_matters_before_a_court(seeded: Store, settings: Settings) -> None:
    add_matter(seeded, CLIENT.id, "M-2025-002", before_court=True)
    add_matter(seeded, CLIENT.id, "M-2025-001", before_court=False)
    lt = _create(seeded, settings, action_kw={"tier": "withdrawal_warning"}).letter
    assert lt.kind == "withdrawal_warning"
    assert lt.flags == ("before_court:M-2025-002",)
    text = document_text(open_docx(Path(lt.path).read_bytes()))
    assert "court's permission" in text and "M-2025-002" in text
    esc = _create(seeded, settings, action=make_action((line(77, "INV/77", "1.00", matter="M-2025-002"),)))
    assert esc.letter.flags == ()  # only the withdrawal warning carries the flag


def test_tier_kinds_mapping(seeded_sqlite: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, extra='tier_kinds = { lawyer_letter = "withdrawal_warning" }')
    lt = _create(seeded_sqlite, s, action_kw={"tier": "lawyer_letter"}).letter
    assert lt.kind == "withdrawal_warning" and lt.tier == "lawyer_letter"


# ---------------------------------------------------------------- decisions and delivery
def test_approve_writes_final_copy_without_marker(seeded: Store, settings: Settings) -> None:
    lt = _create(seeded, settings).letter
    with pytest.raises(PolicyError, match="awaiting_review"):
        deliverable(lt)
    approved = approve_letter(seeded, settings, lt.id, dana(seeded), now=NOW + timedelta(hours=1))
    assert approved.status == "approved" and approved.decided_by == ATTORNEY.login
    assert approved.decided_at == NOW + timedelta(hours=1)
    final = Path(approved.approved_path or "")
    assert stat.S_IMODE(final.stat().st_mode) == 0o600
    import hashlib
    assert approved.approved_sha256 == hashlib.sha256(final.read_bytes()).hexdigest()
    assert approved.reviewed_sha256 == lt.sha256
    fdoc = docx.Document(io.BytesIO(final.read_bytes()))
    for section in fdoc.sections:
        assert DRAFT_MARKER not in "".join(p.text for p in section.header.paragraphs)
    assert DRAFT_MARKER not in document_text(fdoc)
    assert deliverable(approved) == final
    # the draft stays as it was, marker and all
    assert DRAFT_MARKER in header_texts(open_docx(Path(lt.path).read_bytes()))[0]


def test_delivery_refuses_a_letter_changed_after_approval(seeded: Store, settings: Settings) -> None:
    lt = _create(seeded, settings).letter
    approved = approve_letter(seeded, settings, lt.id, dana(seeded), now=NOW)
    final = Path(approved.approved_path or "")
    doc = docx.Document(io.BytesIO(final.read_bytes()))
    doc.add_paragraph("Please pay twice.")
    doc.save(str(final))
    with pytest.raises(PolicyError, match="changed after approval"):
        deliverable(get_letter(seeded, lt.id))
    with pytest.raises(PolicyError, match="changed after approval"):
        release_letter(seeded, settings, lt.id, CLERK, today=TODAY, now=NOW)
    final.unlink()
    with pytest.raises(PolicyError, match="missing"):
        deliverable(get_letter(seeded, lt.id))
    assert ("clerk", "letter.release_refused", str(lt.id)) in _audit_actions(seeded)


def test_decision_by_the_wrong_attorney_is_refused(seeded: Store, settings: Settings) -> None:
    lt = _create(seeded, settings).letter
    with pytest.raises(PolicyError, match="sortiz is not the responsible attorney"):
        approve_letter(seeded, settings, lt.id, attorney(seeded, OTHER_ATTORNEY.email), now=NOW)
    with pytest.raises(PolicyError, match="did not prove who they are"):
        approve_letter(seeded, settings, lt.id, ATTORNEY.email, now=NOW)  # her address, typed, proves nothing
    with pytest.raises(PolicyError, match="may not be rejected.*clerk is staff"):
        reject_letter(seeded, settings, lt.id, CLERK, "no", now=NOW)
    assert get_letter(seeded, lt.id).status == "awaiting_review"
    with pytest.raises(PolicyError, match="awaiting_review"):
        deliverable(get_letter(seeded, lt.id))
    refused = [a for a in _audit_actions(seeded) if a[1] in ("clearance.blocked", "letter.decision_refused")]
    assert refused == [(OTHER_ATTORNEY.login, "clearance.blocked", str(lt.id)),
                       (ATTORNEY.email, "clearance.blocked", str(lt.id)),
                       ("clerk", "letter.decision_refused", str(lt.id))]


def test_login_and_supervising_partner_may_decide(seeded_sqlite: Store, settings: Settings) -> None:
    a = _create(seeded_sqlite, settings).letter
    by_login = attorney(seeded_sqlite, "DWhitfield")
    assert approve_letter(seeded_sqlite, settings, a.id, by_login, now=NOW).status == "approved"
    b = _create(seeded_sqlite, settings, action=make_action((line(8, "INV/8", "8.00"),))).letter
    assert approve_letter(seeded_sqlite, settings, b.id, partner(PARTNER_EMAIL.upper()), now=NOW).status == "approved"
    c = _create(seeded_sqlite, settings, action=make_action((line(9, "INV/9", "9.00"),), attorney_id=None)).letter
    with pytest.raises(PolicyError, match="no responsible attorney; only the supervising partner"):
        approve_letter(seeded_sqlite, settings, c.id, by_login, now=NOW)
    assert approve_letter(seeded_sqlite, settings, c.id, partner(PARTNER_EMAIL), now=NOW).status == "approved"


def test_approve_twice_and_decide_after_reject(seeded: Store, settings: Settings) -> None:
    lt = _create(seeded, settings).letter
    reject_letter(seeded, settings, lt.id, dana(seeded), "wrong amounts", now=NOW)
    with pytest.raises(UsageError, match="already rejected"):
        approve_letter(seeded, settings, lt.id, dana(seeded), now=NOW)
    rejected = get_letter(seeded, lt.id)
    assert rejected.reason == "wrong amounts"
    with pytest.raises(PolicyError, match="rejected"):
        deliverable(rejected)
    with pytest.raises(UsageError, match="why"):
        reject_letter(seeded, settings, lt.id, dana(seeded), "  ", now=NOW)


def test_approve_edited_docx(seeded_sqlite: Store, settings: Settings, tmp_path: Path) -> None:
    lt = _create(seeded_sqlite, settings).letter
    doc = docx.Document(lt.path)
    doc.add_paragraph("We also enclose a copy of the engagement letter.")
    edited = tmp_path / "edited.docx"
    doc.save(str(edited))
    approved = approve_letter(seeded_sqlite, settings, lt.id, dana(seeded_sqlite), edited=edited, now=NOW)
    final_text = document_text(open_docx(Path(approved.approved_path or "").read_bytes()))
    assert "engagement letter" in final_text and DRAFT_MARKER not in final_text
    import hashlib
    assert approved.reviewed_sha256 == hashlib.sha256(edited.read_bytes()).hexdigest()
    kept = Path(lt.path).with_name(Path(lt.path).stem + "-edited.docx")
    assert kept.read_bytes() == edited.read_bytes() and stat.S_IMODE(kept.stat().st_mode) == 0o600
    trail = audit_trail(seeded_sqlite, lt.id)
    assert trail[-1]["action"] == "letter.approved" and trail[-1]["detail"]["edited"] is True


@pytest.mark.parametrize("problem", ["threat", "not_docx", "too_big"])
def test_approve_edited_refuses_bad_files(seeded_sqlite: Store, tmp_path: Path, problem: str) -> None:
    s = make_settings(tmp_path, extra="max_edited_mb = 1")
    lt = _create(seeded_sqlite, s).letter
    edited = tmp_path / "edited.docx"
    if problem == "threat":
        doc = docx.Document(lt.path)
        doc.add_paragraph("Unpaid fees will be reported to the police.")
        doc.save(str(edited))
        match = "police"
    elif problem == "not_docx":
        edited.write_bytes(b"this is plain text pretending to be a docx")
        match = "not a Word .docx"
    else:
        edited.write_bytes(b"PK" + b"\0" * (2 * 1_048_576))
        match = "over the"
    with pytest.raises(PolicyError, match=match):
        approve_letter(seeded_sqlite, s, lt.id, dana(seeded_sqlite), edited=edited, now=NOW)
    assert get_letter(seeded_sqlite, lt.id).status == "awaiting_review"


def test_draft_changed_on_disk_needs_edited(seeded_sqlite: Store, settings: Settings) -> None:
    lt = _create(seeded_sqlite, settings).letter
    doc = docx.Document(lt.path)
    doc.add_paragraph("silently added")
    doc.save(lt.path)
    with pytest.raises(PolicyError, match="changed on disk"):
        approve_letter(seeded_sqlite, settings, lt.id, dana(seeded_sqlite), now=NOW)


def test_dry_run_writes_nothing(seeded_sqlite: Store, settings: Settings) -> None:
    lt = _create(seeded_sqlite, settings).letter
    before = _audit_actions(seeded_sqlite)
    approved = approve_letter(seeded_sqlite, settings, lt.id, dana(seeded_sqlite), now=NOW, dry_run=True)
    rejected = reject_letter(seeded_sqlite, settings, lt.id, dana(seeded_sqlite), "x", now=NOW, dry_run=True)
    assert approved.status == rejected.status == "awaiting_review"
    assert _audit_actions(seeded_sqlite) == before
    assert list(Path(lt.path).parent.glob("*-final.docx")) == []


def test_release_marks_sent_once(seeded: Store, settings: Settings) -> None:
    lt = _create(seeded, settings).letter
    approve_letter(seeded, settings, lt.id, dana(seeded), now=NOW)
    sent, path = release_letter(seeded, settings, lt.id, CLERK, today=TODAY, now=NOW)
    assert sent.status == "sent" and sent.released_by == "clerk" and path == Path(sent.approved_path or "")
    with pytest.raises(PolicyError, match="is sent"):
        release_letter(seeded, settings, lt.id, CLERK, today=TODAY, now=NOW)
    # the released letter becomes part of the client's history
    nxt = _create(seeded, settings, action=make_action((line(31, "INV/31", "3.00"),)), today=TODAY + timedelta(days=30))
    assert "Escalation letter (letter)" in document_text(open_docx(Path(nxt.letter.path).read_bytes()))


def test_every_decision_is_in_the_audit_log(seeded: Store, settings: Settings) -> None:
    a = _create(seeded, settings).letter
    b = _create(seeded, settings, action=make_action((line(8, "INV/8", "8.00"),))).letter
    with pytest.raises(PolicyError):
        approve_letter(seeded, settings, a.id, "intruder@example.com", now=NOW)
    approve_letter(seeded, settings, a.id, dana(seeded), now=NOW)
    reject_letter(seeded, settings, b.id, partner(PARTNER_EMAIL), "hold: client disputes", now=NOW)
    with pytest.raises(PolicyError, match="did not prove"):
        release_letter(seeded, settings, a.id, "clerk", today=TODAY, now=NOW)
    release_letter(seeded, settings, a.id, CLERK, today=TODAY, now=NOW)
    got = [(x[0], x[1]) for x in _audit_actions(seeded) if x[1].startswith(("letter.", "clearance."))]
    assert got == [("overdue-reminder", "letter.created"), ("overdue-reminder", "letter.created"),
                   ("intruder@example.com", "clearance.blocked"), (ATTORNEY.login, "letter.approved"),
                   (PARTNER_EMAIL, "letter.rejected"), ("clerk", "clearance.blocked"), ("clerk", "letter.released")]
    approved = next(e for e in audit_trail(seeded, a.id) if e["action"] == "letter.approved")
    assert approved["detail"]["approved_sha256"] == get_letter(seeded, a.id).approved_sha256
    assert approved["detail"]["approved_by"] == {"name": ATTORNEY.login, "role": "attorney", "proof": "os-user:test",
                                                 "odoo_uid": ATTORNEY.id}
    with pytest.raises(Exception, match="append-only"), seeded.begin() as conn:  # the audit log is append-only
        conn.execute(update(audit).values(actor="someone else"))


def test_list_filters_by_attorney(seeded: Store, settings: Settings) -> None:
    _create(seeded, settings)
    _create(seeded, settings, action=make_action((line(8, "INV/8", "8.00"),), attorney_id=None))
    assert [lt.attorney_email for lt in list_letters(seeded, attorney="DANA@harperlowe.example")] == [ATTORNEY.email]
    assert len(list_letters(seeded, attorney=PARTNER_EMAIL)) == 1
    assert len(list_letters(seeded, status="approved")) == 0
    with pytest.raises(UsageError, match="no letter 999"):
        get_letter(seeded, 999)


# ---------------------------------------------------------------- notices (the suit gate: tests/letters/test_suit_gate.py)
def test_record_notice_validates(seeded_sqlite: Store, settings: Settings) -> None:
    with pytest.raises(UsageError, match="unknown notice kind"):
        record_notice(seeded_sqlite, settings, "Acme", "part_137", TODAY, "certified_mail", "clerk", today=TODAY)
    with pytest.raises(UsageError, match="unknown service method"):
        record_notice(seeded_sqlite, settings, "Acme", "ny_part137", TODAY, "pigeon", "clerk", today=TODAY)
    with pytest.raises(UsageError, match="after today"):
        record_notice(seeded_sqlite, settings, "Acme", "ny_part137", TODAY + timedelta(days=1), "certified_mail",
                      "clerk", today=TODAY)
    with pytest.raises(UsageError, match="no client matches"):
        record_notice(seeded_sqlite, settings, "Nobody Corp", "ny_part137", TODAY, "certified_mail", "clerk",
                      today=TODAY)
    n = record_notice(seeded_sqlite, settings, "Acme", "ny_part137", TODAY, "certified_mail", "clerk", today=TODAY,
                      dry_run=True)
    assert n.id == 0 and list_notices(seeded_sqlite) == []


# ---------------------------------------------------------------- Odoo write-back
def test_write_back_attaches_and_opens_activity_then_closes_it(seeded: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, extra="write_back = true")
    wb = RecordingWriteBack()
    lt = _create(seeded, s, writeback=wb).letter
    # one file, on the first invoice; a note on each invoice (the first carries the file); one to-do
    assert wb.names() == ["attach_file", "post_notes", "create_activity"]
    assert wb.calls[0][1][:2] == ("account.move", 5001)
    assert wb.calls[0][1][4] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    aid = lt.odoo_attachment_ids["5001"]
    assert wb.calls[1][1] == ((5001, (aid,)), (5002, ()))
    model, res_id, user_id, summary, note, deadline = wb.calls[2][1]
    assert (model, res_id, user_id, summary) == ("account.move", 5001, ATTORNEY.id, ACTIVITY_SUMMARY)
    assert f"letters show {lt.id}" in note and deadline == date(2026, 3, 4)
    assert lt.odoo_activity_id is not None and set(lt.odoo_attachment_ids) == {"5001"}
    _create(seeded, s, writeback=wb)  # re-run: nothing more
    assert len(wb.calls) == 3
    approve_letter(seeded, s, lt.id, dana(seeded), now=NOW, writeback=wb)
    assert wb.names()[-3:] == ["attach_file", "post_notes", "close_activity"]
    assert wb.calls[-1][1] == (lt.odoo_activity_id, f"Approved by {ATTORNEY.login}")


def test_write_back_off_by_default_and_reject_closes(seeded_sqlite: Store, settings: Settings, tmp_path: Path) -> None:
    wb = RecordingWriteBack()
    _create(seeded_sqlite, settings, writeback=wb)
    assert wb.calls == []  # letters.write_back = false
    s = make_settings(tmp_path, extra="write_back = true")
    lt = _create(seeded_sqlite, s, writeback=wb, action=make_action((line(8, "INV/8", "8.00"),))).letter
    reject_letter(seeded_sqlite, s, lt.id, dana(seeded_sqlite), "client paid", now=NOW, writeback=wb)
    assert wb.calls[-1] == ("close_activity", (lt.odoo_activity_id, f"Rejected by {ATTORNEY.login}: client paid"))


def test_write_back_failure_keeps_the_letter_and_is_retried(seeded: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, extra="write_back = true")
    wb = RecordingWriteBack(fail=True)
    res = _create(seeded, s, writeback=wb)
    assert res.created and res.letter.status == "awaiting_review" and res.letter.odoo_activity_id is None
    assert "letter.write_back_failed" in [a[1] for a in _audit_actions(seeded)]
    wb.fail = False
    again = _create(seeded, s, writeback=wb)
    assert not again.created and again.letter.odoo_activity_id is not None
    assert wb.names() == ["attach_file", "post_notes", "create_activity"]


# ---------------------------------------------------------------- PDF
def test_pdf_when_soffice_is_on_path(seeded_sqlite: Store, settings: Settings, fake_soffice: Path) -> None:
    lt = _create(seeded_sqlite, settings).letter
    assert lt.pdf_path is not None
    pdf = Path(lt.pdf_path)
    assert pdf.read_bytes().startswith(b"%PDF") and stat.S_IMODE(pdf.stat().st_mode) == 0o600
    args = fake_soffice.read_text()
    assert "--headless --convert-to pdf --outdir" in args and lt.path in args
    approved = approve_letter(seeded_sqlite, settings, lt.id, dana(seeded_sqlite), now=NOW)
    assert approved.approved_pdf_path and approved.approved_pdf_sha256
    Path(approved.approved_pdf_path).write_bytes(b"%PDF-1.4 tampered\n")
    with pytest.raises(PolicyError, match="PDF"):
        deliverable(get_letter(seeded_sqlite, lt.id))


def test_pdf_never(seeded_sqlite: Store, tmp_path: Path, fake_soffice: Path) -> None:
    s = make_settings(tmp_path, extra='pdf = "never"')
    assert _create(seeded_sqlite, s).letter.pdf_path is None
    assert not fake_soffice.exists()


def test_create_letters_batch_reports_refusals(seeded: Store, settings: Settings) -> None:
    from dataclasses import replace
    ok = make_action(LINES)
    suit = make_action((line(40, "INV/40", "40.00"),), tier="refer_to_suit")
    email = replace(make_action((line(41, "INV/41", "41.00"),)), channel="email")
    done, refused = create_letters(seeded, settings, [ok, suit, email], today=TODAY)
    assert [d.created for d in done] == [True]
    assert len(refused) == 1 and refused[0][0] is suit and "Fee arbitration before suit" in refused[0][1]


def test_letters_row_matches_schema(seeded_sqlite: Store, settings: Settings) -> None:
    lt = _create(seeded_sqlite, settings).letter
    with seeded_sqlite.begin() as conn:
        row = conn.execute(select(letters).where(letters.c.id == lt.id)).one()
    assert row.idempotency_key.startswith("letter:") and row.invoice_ids == [5001, 5002]
