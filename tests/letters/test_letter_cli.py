"""`overdue-reminder letters …` end to end through the real command line entry point (SQLite store)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from letter_factory import (
    ATTORNEY,
    CLIENT,
    CONTACT,
    NOW,
    OTHER_ATTORNEY,
    line,
    make_action,
    make_settings,
    seed_invoices,
)

from overdue_reminder.cli import main
from overdue_reminder.config import Settings
from overdue_reminder.core.letter_docx import DRAFT_MARKER, header_texts, open_docx
from overdue_reminder.services.identity import current_os_user
from overdue_reminder.services.letters import create_letter, get_letter
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_attorneys, store_partners


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[Settings, Store]]:
    s = make_settings(tmp_path)
    store = Store(s.store_url)
    store.upgrade()
    with store.begin() as conn:
        store_partners(conn, [CLIENT, CONTACT], NOW)
        store_attorneys(conn, [ATTORNEY, OTHER_ATTORNEY])
    yield s, store
    store.dispose()


def signed_in(settings: Settings, login: str) -> Settings:
    """The same desk with the operating-system account running the tests mapped to `login` ([identity] os_users)."""
    base = Path(settings.config_path).parent
    return make_settings(base, extra=f'\n[identity]\nos_users = {{ {current_os_user()} = "{login}" }}\n')


def run(settings: Settings, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["--config", settings.config_path, *args])
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def _letter(settings: Settings, store: Store, invoice_id: int = 5001) -> int:
    action = make_action((line(invoice_id, f"INV/{invoice_id}", "1200.00"),))
    seed_invoices(store, action)
    now = datetime.now(UTC)  # the commands clear against the real clock: a letter drafted today is not stale
    return create_letter(store, settings, action, today=settings.calendar().local_now(now).date(), now=now).letter.id


def test_list_show_approve_release(desk: tuple[Settings, Store], capsys: pytest.CaptureFixture[str]) -> None:
    s, store = desk
    lid = _letter(s, store)
    code, out, _ = run(s, capsys, "--json", "letters", "list", "--attorney", ATTORNEY.email)
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [lid] and rows[0]["status"] == "awaiting_review"
    code, out, _ = run(s, capsys, "--json", "letters", "list", "--attorney", OTHER_ATTORNEY.email)
    assert json.loads(out) == []
    code, out, _ = run(s, capsys, "letters", "show", str(lid))
    assert code == 0 and "awaiting_review" in out and "letter.created" in out and ".docx" in out
    code, _, err = run(s, capsys, "letters", "approve", str(lid), "--by", ATTORNEY.email)
    assert code == 2 and "did not prove who they are" in err  # a typed --by proves nothing
    s = signed_in(s, ATTORNEY.login)
    code, out, _ = run(s, capsys, "letters", "approve", str(lid), "--dry-run")
    assert code == 0 and "dry run" in out and get_letter(store, lid).status == "awaiting_review"
    code, out, _ = run(s, capsys, "letters", "approve", str(lid))
    assert code == 0 and "approved" in out and get_letter(store, lid).decided_by == ATTORNEY.login
    final = get_letter(store, lid).approved_path
    assert final and DRAFT_MARKER not in header_texts(open_docx(Path(final).read_bytes()))[0]
    s = signed_in(s, "clerk")
    code, out, _ = run(s, capsys, "--json", "letters", "release", str(lid))
    assert code == 0 and json.loads(out)["file"] == final and get_letter(store, lid).status == "sent"
    assert get_letter(store, lid).released_by == "clerk"


def test_wrong_attorney_gets_exit_2(desk: tuple[Settings, Store], capsys: pytest.CaptureFixture[str]) -> None:
    s, store = desk
    lid = _letter(s, store)
    code, _, err = run(signed_in(s, OTHER_ATTORNEY.login), capsys, "letters", "approve", str(lid))
    assert code == 2 and "not the responsible attorney" in err
    code, _, err = run(signed_in(s, "clerk"), capsys, "letters", "approve", str(lid))
    assert code == 2 and "clerk is staff" in err
    code, _, err = run(s, capsys, "letters", "release", str(lid))
    assert code == 2 and "only an approved letter" in err
    assert get_letter(store, lid).status == "awaiting_review"


def test_reject_needs_reason(desk: tuple[Settings, Store], capsys: pytest.CaptureFixture[str]) -> None:
    s, store = desk
    lid = _letter(s, store)
    s = signed_in(s, ATTORNEY.login)
    code, _, _ = run(s, capsys, "letters", "reject", str(lid))
    assert code == 2
    code, _, _ = run(s, capsys, "letters", "reject", str(lid), "--reason", "client paid")
    assert code == 0 and get_letter(store, lid).reason == "client paid"


def test_approve_edited(desk: tuple[Settings, Store], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import docx

    s, store = desk
    lid = _letter(s, store)
    doc = docx.Document(get_letter(store, lid).path)
    doc.add_paragraph("Edited by the attorney.")
    edited = tmp_path / "mine.docx"
    doc.save(str(edited))
    code, _, _ = run(signed_in(s, ATTORNEY.login), capsys, "letters", "approve", str(lid), "--edited", str(edited))
    assert code == 0
    assert get_letter(store, lid).reviewed_sha256 is not None


def test_notice_and_notices(desk: tuple[Settings, Store], capsys: pytest.CaptureFixture[str]) -> None:
    s, _ = desk
    code, out, _ = run(s, capsys, "letters", "notice", "--client", "Acme Widgets Inc.", "--kind", "ny_part137",
                       "--served-on", "2026-02-01", "--method", "certified_mail", "--by", "clerk")
    assert code == 0 and "recorded ny_part137 notice" in out
    code, out, _ = run(s, capsys, "--json", "letters", "notices", "--client", "acme")
    assert [n["kind"] for n in json.loads(out)] == ["ny_part137"]
    code, _, err = run(s, capsys, "letters", "notice", "--client", "Acme", "--kind", "nope",
                       "--served-on", "2026-02-01", "--method", "certified_mail")
    assert code == 2 and "unknown notice kind" in err
    code, _, err = run(s, capsys, "letters", "notice", "--client", "Acme", "--kind", "ny_part137",
                       "--served-on", "Feb 1", "--method", "certified_mail")
    assert code == 2 and "YYYY-MM-DD" in err


def test_sample_command(desk: tuple[Settings, Store], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    s, _ = desk
    code, out, _ = run(s, capsys, "letters", "sample", str(tmp_path / "out"))
    assert code == 0 and "sample-letter-en_US.docx" in out and "sample-letter-zh_CN.docx" in out


def test_every_letters_command_has_help(desk: tuple[Settings, Store], capsys: pytest.CaptureFixture[str]) -> None:
    s, _ = desk
    for sub in ("list", "show", "approve", "reject", "release", "notice", "notices", "sample"):
        code, out, _ = run(s, capsys, "letters", sub, "--help")
        assert code == 0 and "Usage:" in out
