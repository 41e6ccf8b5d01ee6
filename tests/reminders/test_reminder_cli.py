"""The reminder commands end to end: templates check, draft, drafts …, send, outbox reconcile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from reminder_factory import NOW, action, make_settings, plan, seed
from sqlalchemy import update

from overdue_reminder.cli import main
from overdue_reminder.config import Settings
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.identity import current_os_user
from overdue_reminder.store import Store
from overdue_reminder.store.schema import reminders


def run(capsys: pytest.CaptureFixture[str], settings: Settings, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(["--config", settings.config_path, *args])
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out + out.err


def run_json(capsys: pytest.CaptureFixture[str], settings: Settings, *args: str) -> tuple[int, Any]:
    code, out = run(capsys, settings, "--json", *args)
    return code, json.loads(out)


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Settings, Store]:
    mapped = f'\n[identity]\nos_users = {{ {current_os_user()} = "clerk" }}\n'  # the desk's account is the clerk
    s = make_settings(tmp_path, window="00:00-23:59:59", business_days_only=False, extra=mapped)
    store = Store(s.store_url)
    store.upgrade()
    yield s, store  # type: ignore[misc]
    store.dispose()


def test_templates_check(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    code, out = run(capsys, s, "templates", "check")
    assert code == 0 and "every template renders" in out
    broken = tmp_path / "firm" / "email" / "zh_CN"
    broken.mkdir(parents=True)
    (broken / "friendly.subject.j2").write_text("付款提醒\n{{ firm.name }\n", encoding="utf-8")
    s = make_settings(tmp_path, templates_dir=str(tmp_path / "firm"))
    code, data = run_json(capsys, s, "templates", "check")
    assert code == 1 and not data["ok"]
    first = data["problems"][0]
    assert (first["template"], first["line"]) == ("zh_CN/friendly.subject.j2", 2)


def test_draft_review_send_and_reconcile(capsys: pytest.CaptureFixture[str], desk: tuple[Settings, Store]) -> None:
    s, store = desk
    acts = [action(1), action(2, language="zh_CN"), action(3, to_email="")]
    seed(store, acts)
    ids = {i.client_id: i.id or 0 for i in drafts.draft_plan(store, s, plan(*acts), NOW).created}

    code, listed = run_json(capsys, s, "drafts", "list")
    assert code == 0 and {r["id"]: r["status"] for r in listed} == {ids[1]: "draft", ids[2]: "draft",
                                                                    ids[3]: "postal"}
    code, out = run(capsys, s, "drafts", "show", str(ids[2]))
    assert code == 0 and "尊敬的Alex Contact 2：" in out and "Message-ID" in out
    code, text = run(capsys, s, "drafts", "show", str(ids[1]), "--part", "text")
    assert text.startswith("Dear Alex Contact 1,")

    edited = Path(s.base_dir) / "edited.txt"
    edited.write_text(text.replace("friendly reminder", "short reminder"), encoding="utf-8")
    code, out = run(capsys, s, "drafts", "edit", str(ids[1]), "--text-file", str(edited), "--subject",
                    "Invoice INV/2026/00011\r\nBcc: a@b.example", "--by", "clerk")
    assert code == 0 and "Invoice INV/2026/00011 Bcc: a@b.example" in out
    code, out = run(capsys, s, "drafts", "approve", str(ids[1]), str(ids[2]), "--by", "clerk")
    assert code == 0 and f"#{ids[1]}" in out
    code, out = run(capsys, s, "drafts", "reject", str(ids[3]))
    assert code == 2 and "--reason" in out

    code, dry = run_json(capsys, s, "send", "--dry-run")
    assert code == 0 and dry["would_send"] == 2 and dry["sent"] == 0
    code, sent = run_json(capsys, s, "send", "--max", "1")
    assert code == 0 and sent["sent"] == 1 and sent["left_for_next_run"] == 1
    box = s.resolve(s.delivery.outbox_dir)
    assert b"short reminder" in next(box.glob("*.eml")).read_bytes().replace(b"=\r\n", b"")

    with store.begin() as conn:  # the next run dies after committing 'sending'
        conn.execute(update(reminders).where(reminders.c.id == ids[2]).values(status="sending"))
    code, items = run_json(capsys, s, "outbox", "reconcile")
    assert code == 1 and [(i["id"], i["in_outbox"]) for i in items] == [(ids[2], False)]
    code, out = run(capsys, s, "send")
    assert code == 0 and "nothing approved to send" in out
    code, out = run(capsys, s, "outbox", "reconcile", "--check-outbox", "--by", "clerk")
    assert code == 0 and f"queued to send again: #{ids[2]}" in out and "no unconfirmed reminders" in out
    code, sent = run_json(capsys, s, "send")
    assert sent["sent"] == 1 and len(list(box.glob("*.eml"))) == 2

    code, out = run(capsys, s, "drafts", "posted", str(ids[3]))
    assert code == 0 and drafts.get_reminder(store, ids[3]).status == "sent"
    code, everything = run_json(capsys, s, "drafts", "list", "--all")
    assert sorted(r["status"] for r in everything) == ["sent", "sent", "sent"]


def test_draft_command_runs_the_plan(capsys: pytest.CaptureFixture[str], desk: tuple[Settings, Store]) -> None:
    s, store = desk
    seed(store, [action(1), action(2, to_email="")])
    code, data = run_json(capsys, s, "draft", "--date", "2026-03-10", "--dry-run")
    assert code in (0, 1) and data["dry_run"] is True
    assert drafts.list_reminders(store, statuses=drafts.STATUSES) == []
    code, data = run_json(capsys, s, "draft", "--date", "2026-03-10")
    assert data["created"] == len(data["items"]) and data["created"] >= 1
    again = run_json(capsys, s, "draft", "--date", "2026-03-10")[1]
    assert again["created"] == 0  # same day: the plan may skip them now (just contacted) or find them drafted
