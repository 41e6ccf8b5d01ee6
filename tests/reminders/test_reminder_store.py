"""Drafting into the store (SQLite and PostgreSQL): exactly one reminder per client, tier and day; review."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest
from actors import attorney, staff
from reminder_factory import NOW, RUN, action, line, plan, seed
from sqlalchemy import func, select

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store
from overdue_reminder.store.schema import audit, reminders


def _audit(store: Store, action_name: str) -> list[tuple[str, str, dict[str, object]]]:
    with store.begin() as conn:
        return [(r.object_id, r.actor, r.detail) for r in conn.execute(
            select(audit).where(audit.c.action == action_name).order_by(audit.c.id))]


def _count(store: Store) -> int:
    with store.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(reminders)).scalar_one())


def test_idempotency_key_is_deterministic() -> None:
    k = drafts.idempotency_key(7, "firm", RUN, [3, 1, 2])
    assert k == drafts.idempotency_key(7, "firm", RUN, [2, 3, 1, 1])
    assert k == hashlib.sha256(b"reminder|7|firm|2026-03-10|1,2,3").hexdigest()
    assert len({k, drafts.idempotency_key(7, "final", RUN, [1, 2, 3]),
                drafts.idempotency_key(8, "firm", RUN, [1, 2, 3]),
                drafts.idempotency_key(7, "firm", RUN + timedelta(days=1), [1, 2, 3]),
                drafts.idempotency_key(7, "firm", RUN, [1, 2])}) == 5


def test_draft_plan_stores_each_action_once_per_day(store: Store, settings: Settings) -> None:
    acts = [action(1), action(2, language="zh_CN", tier="firm", tier_index=2),
            action(3, auto_send=True, lines=[line(31), line(32, currency="EUR", total="900.00")])]
    seed(store, acts)
    p = plan(*acts)
    first = drafts.draft_plan(store, settings, p, NOW, actor="night-run")
    assert first.summary()["created"] == 3 and first.count(drafts.DRAFT) == 2 and first.count(drafts.APPROVED) == 1
    again = drafts.draft_plan(store, settings, p, NOW + timedelta(hours=2))
    assert again.created == [] and again.existing == 3
    assert _count(store) == 3
    rows = {r.client_id: r for r in drafts.list_reminders(store)}
    r1, r2, r3 = rows[1], rows[2], rows[3]
    key = drafts.idempotency_key(1, "friendly", RUN, [11])
    assert r1.idempotency_key == key and r1.message_id == f"<{key}@harperlowe.example>"
    assert r1.status == drafts.DRAFT and r1.language == "en_US" and r1.to_address == "ap1@client1.example"
    assert r1.subject == "Payment reminder: invoice INV/2026/00011 from Harper & Lowe LLP"
    assert "Dear Alex Contact 1," in r1.body_text and "$1,500.00" in r1.body_html
    assert r2.language == "zh_CN" and "尊敬的Alex Contact 2：" in r2.body_text and r2.tier == "firm"
    assert r3.status == drafts.APPROVED and r3.decided_by and "auto_send" in r3.decided_by
    assert {ln["currency"] for ln in r3.lines} == {"USD", "EUR"}
    assert [ln["residual"] for ln in r3.lines] == ["1500.00", "900.00"]
    assert r3.totals == {"USD": r3.totals["USD"], "EUR": r3.totals["EUR"]}
    drafted = _audit(store, "reminder.drafted")
    assert len(drafted) == 3 and {a for _, a, _ in drafted} == {"night-run"}


def test_no_address_becomes_postal_and_invalid_is_flagged(store: Store, settings: Settings) -> None:
    acts = [action(1, to_email=""), action(2, to_email="billing at client dot com"),
            action(3, to_email="ap@client3.example; cfo@client3.example"),
            action(4, to_email="evil@x.example\r\nBcc: a@b.example")]
    seed(store, acts)
    res = drafts.draft_plan(store, settings, plan(*acts), NOW)
    by_client = {i.client_id: i for i in res.created}
    assert by_client[1].status == drafts.POSTAL and "no email address" in by_client[1].note
    assert by_client[2].status == drafts.INVALID_ADDRESS and "not valid" in by_client[2].note
    assert by_client[3].status == drafts.DRAFT
    assert by_client[4].status == drafts.INVALID_ADDRESS
    assert [i.client_id for i in res.postal] == [1] and {i.client_id for i in res.invalid} == {2, 4}
    postal = drafts.get_reminder(store, by_client[1].id or 0)
    assert postal.channel == "letter" and "Dear Alex Contact 1," in postal.body_text
    done = drafts.mark_posted(store, postal.id, staff("clerk"), NOW, settings=settings)
    assert done.status == drafts.SENT and done.delivery_ref == "post"


def test_letter_actions_are_left_to_the_letters_service(store: Store, settings: Settings) -> None:
    acts = [action(1), action(2, tier="escalation", channel="letter", attorney_review=True)]
    seed(store, acts)
    res = drafts.draft_plan(store, settings, plan(*acts), NOW)
    assert res.letters == 1 and [i.client_id for i in res.created] == [1]


def test_dry_run_writes_nothing(store: Store, settings: Settings) -> None:
    acts = [action(1), action(2)]
    seed(store, acts)
    res = drafts.draft_plan(store, settings, plan(*acts), NOW, dry_run=True)
    assert len(res.created) == 2 and all(i.id is None for i in res.created)
    assert _count(store) == 0 and _audit(store, "reminder.drafted") == []


def test_new_draft_supersedes_the_clients_older_unsent_one(store: Store, settings: Settings) -> None:
    old = action(1)
    seed(store, [old])
    drafts.draft_plan(store, settings, plan(old, today=RUN - timedelta(days=1)), NOW - timedelta(days=1))
    other_matter = action(1, matter_ref="2025-0200", lines=[line(19, matter="2025-0200")])
    drafts.draft_plan(store, settings, plan(other_matter, today=RUN - timedelta(days=1)), NOW - timedelta(days=1))
    newer = action(1, tier="firm", tier_index=2)
    res = drafts.draft_plan(store, settings, plan(newer), NOW)
    assert len(res.superseded) == 1
    stale = drafts.get_reminder(store, res.superseded[0])
    assert stale.status == drafts.CANCELLED and stale.tier == "friendly" and stale.note.startswith("superseded by #")
    kept = [r for r in drafts.list_reminders(store) if r.matter_ref == "2025-0200"]
    assert kept[0].status == drafts.DRAFT  # another matter's reminder is not touched


def test_review_approve_reject_edit_with_audit(store: Store, settings: Settings) -> None:
    acts = [action(1), action(2), action(3, tier="final", tier_index=3, attorney_review=True)]
    seed(store, acts)
    res = drafts.draft_plan(store, settings, plan(*acts), NOW)
    ids = {i.client_id: i.id or 0 for i in res.created}
    with pytest.raises(PolicyError, match="did not prove who they are"):
        drafts.approve(store, [ids[1]], "clerk", NOW, settings=settings)  # a typed name proves nothing
    approved = drafts.approve(store, [ids[1]], staff("clerk"), NOW, settings=settings)
    assert approved[0].status == drafts.APPROVED and approved[0].decided_by == "clerk"
    with pytest.raises(UsageError, match="only drafts"):
        drafts.approve(store, [ids[1]], staff("clerk"), NOW, settings=settings)
    with pytest.raises(PolicyError, match="only the responsible attorney"):
        drafts.approve(store, [ids[3]], staff("clerk"), NOW, settings=settings)  # the attorney-review tier: not for staff
    with pytest.raises(PolicyError, match="did not prove"):
        drafts.approve(store, [ids[3]], "mlopez", NOW, settings=settings)  # the attorney's name, typed, is not the attorney
    with pytest.raises(PolicyError, match="not the responsible attorney"):
        drafts.approve(store, [ids[3]], Actor("jdoe", Role.ATTORNEY, "os-user:test", 701), NOW, settings=settings)
    assert drafts.get_reminder(store, ids[3]).status == drafts.DRAFT
    assert drafts.approve(store, [ids[3]], attorney(store, "mlopez"), NOW, settings=settings)[0].status == drafts.APPROVED
    with pytest.raises(UsageError, match="why"):
        drafts.reject(store, ids[2], "clerk", NOW, " ")
    rejected = drafts.reject(store, ids[2], "clerk", NOW, "client called: paid by wire today")
    assert rejected.status == drafts.REJECTED and rejected.note == "client called: paid by wire today"
    with pytest.raises(UsageError):
        drafts.get_reminder(store, 999999)

    r1 = drafts.get_reminder(store, ids[1])
    edited = drafts.edit(store, settings, ids[1], "clerk", NOW, subject="Your account\r\nBcc: x@evil.example",
                         text=r1.body_text.replace("friendly reminder", "gentle reminder"))
    assert edited.subject == "Your account Bcc: x@evil.example"
    assert edited.status == drafts.DRAFT and edited.decided_by is None  # needs approving again
    assert "gentle reminder" in edited.body_text and "gentle reminder" in edited.body_html  # both parts
    with pytest.raises(UsageError, match="omits '\\+1 212 555 0100'"):
        drafts.edit(store, settings, ids[1], "clerk", NOW, text="Please pay us.")
    with pytest.raises(UsageError, match="script"):
        drafts.edit(store, settings, ids[1], "clerk", NOW, text=r1.body_text,
                    html=r1.body_html + "<script>x()</script>")
    with pytest.raises(UsageError, match="rejected"):
        drafts.edit(store, settings, ids[2], "clerk", NOW, subject="x")
    edits = _audit(store, "reminder.edited")
    assert len(edits) == 1 and edits[0][2]["new_subject"] == "Your account Bcc: x@evil.example"
    assert edits[0][2]["parts"] == ["body_html", "body_text", "subject"]
    assert [a for a, _, _ in _audit(store, "reminder.approved")] == [str(ids[1]), str(ids[3])]
    by_attorney = _audit(store, "reminder.approved")[1][2]["approved_by"]
    assert by_attorney == {"name": "mlopez", "role": "attorney", "proof": "os-user:test", "odoo_uid": 700}


def test_a_stale_decision_is_refused(store: Store, settings: Settings) -> None:
    acts = [action(1)]
    seed(store, acts)
    rid = drafts.draft_plan(store, settings, plan(*acts), NOW).created[0].id or 0
    seen = drafts.get_reminder(store, rid)
    drafts.reject(store, rid, "clerk-a", NOW, "duplicate")
    with store.begin() as conn, pytest.raises(UsageError, match="changed while"):
        drafts.transition(conn, seen, drafts.APPROVED, "clerk-b", NOW, "reminder.approved")
    assert drafts.get_reminder(store, rid).status == drafts.REJECTED


def test_parse_addresses() -> None:
    assert drafts.parse_addresses("a@b.example") == ["a@b.example"]
    assert drafts.parse_addresses(" a@b.example , c.d@e-f.example ") == ["a@b.example", "c.d@e-f.example"]
    for bad in ("", "a", "a@b", "a@@b.example", "a b@c.example", "a@b.example\nBcc: c@d.example", "a@-b.example",
                "a@b.123", "<a@b.example>", "a@b_c.example"):
        with pytest.raises(ValueError):
            drafts.parse_addresses(bad)


def test_sender_domain_is_required(settings: Settings) -> None:
    bad = replace(settings, delivery=replace(settings.delivery, from_address=""), firm=replace(settings.firm, email=""))
    with pytest.raises(drafts.ConfigError, match="sender address"):
        drafts.message_domain(bad)


def test_a_concurrent_drafter_that_won_the_race_is_not_duplicated(store: Store, settings: Settings) -> None:
    """Between the existing-key check and the insert another run stored one of the same reminders."""
    from overdue_reminder.core.reminder_text import shared_for, templates_for

    acts = [action(1), action(2)]
    seed(store, acts)
    drafts.draft_plan(store, settings, plan(acts[0]), NOW)  # the other run's reminder
    shared = shared_for(settings, RUN)
    rows = [drafts._row(a, drafts.idempotency_key(a.client_id, a.tier, RUN, a.invoice_ids),
                        "<x@harperlowe.example>", shared, templates_for(settings), NOW, "me") for a in acts]
    result = drafts.DraftResult(run_date=RUN)
    drafts._store_rows(store, rows, NOW, "me", result)
    assert result.existing == 1 and [i.client_id for i in result.created] == [2]
    assert _count(store) == 2


def test_staff_edits_may_not_threaten_but_the_clients_name_is_no_threat(store: Store, settings: Settings) -> None:
    """Issue 13: the forbidden-phrase check reads staff's own lines, never the client's legal name."""
    acts = [action(1, name="Criminal Defense Partners LLC")]
    seed(store, acts)
    rid = drafts.draft_plan(store, settings, plan(*acts), NOW).created[0].id or 0
    r = drafts.get_reminder(store, rid)
    assert "Criminal Defense Partners LLC" in r.body_text
    kept = drafts.edit(store, settings, rid, "clerk", NOW, text=r.body_text + "\nThank you, Criminal Defense "
                       "Partners LLC.\n")
    assert kept.status == drafts.DRAFT
    for threat in ("\nOtherwise we will report you to the IRS.\n", "\n否则本所将向税务机关举报。\n"):
        with pytest.raises((PolicyError, UsageError), match="forbidden wording"):
            drafts.edit(store, settings, rid, "clerk", NOW, text=r.body_text + threat)
