"""`status` and the morning digest show what is stuck before the exit (issue 12): approved letters not yet
released (who, when), letters about to go stale, and items blocked or refused in the last 24 hours."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from actors import attorney
from letter_factory import ATTORNEY, CLIENT, NOW, TODAY, ZH_CLIENT, line, make_action, make_settings, seed_invoices

from overdue_reminder import config
from overdue_reminder.cli import main
from overdue_reminder.config import Settings
from overdue_reminder.services.attention import attention
from overdue_reminder.services.digest import build_digests
from overdue_reminder.services.letters import approve_letter, create_letter, reject_letter
from overdue_reminder.store import Store, record_audit

EXTRA = """max_age_days = 30
expiry_warning_days = 5
[digest]
billing_staff = ["billing@harperlowe.example"]
"""


def on_store(s: Settings, store: Store) -> Settings:
    """The same settings, pointed at the test's store (SQLite or PostgreSQL), as the CLI will read them."""
    path = Path(s.config_path)
    text = path.read_text(encoding="utf-8").replace('[store]\npath = "store.db"', f'[store]\nurl = "{store.url}"')
    path.write_text(text, encoding="utf-8")
    return config.load(str(path))


@pytest.fixture
def desk(tmp_path: Path, seeded: Store) -> tuple[Settings, Store, dict[str, int]]:
    """Four letters: approved 27 days ago, approved today, awaiting for 32 days, and one rejected today."""
    s = on_store(make_settings(tmp_path, extra=EXTRA), seeded)
    ids: dict[str, int] = {}
    for name, inv, client, age in (("old_approved", 1, CLIENT, 27), ("new_approved", 2, CLIENT, 0),
                                   ("stale_awaiting", 3, ZH_CLIENT, 32), ("rejected", 4, CLIENT, 1)):
        action = make_action([line(6000 + inv, f"INV/2026/{inv:04d}", "900.00")], client=client,
                             tier="escalation" if inv % 2 else "withdraw", language=client.lang or "en_US")
        seed_invoices(seeded, action)
        made = create_letter(seeded, s, action, today=TODAY - timedelta(days=age), now=NOW - timedelta(days=age))
        ids[name] = made.letter.id
    dana = attorney(seeded, ATTORNEY.email)  # the assigned attorney, proven
    approve_letter(seeded, s, ids["old_approved"], dana, now=NOW - timedelta(days=26))
    approve_letter(seeded, s, ids["new_approved"], dana, now=NOW - timedelta(hours=2))
    reject_letter(seeded, s, ids["rejected"], dana, "figures are wrong", now=NOW - timedelta(hours=3))
    with seeded.begin() as conn:  # a refusal two days old is no longer news
        record_audit(conn, "clerk", "letter.release_refused", "letter", ids["old_approved"],
                     {"reason": "old news"}, at=NOW - timedelta(days=2))
    return s, seeded, ids


def test_approved_unreleased_expiring_and_blocked(desk: tuple[Settings, Store, dict[str, int]]) -> None:
    s, store, ids = desk
    with store.begin() as conn:
        got = attention(conn, TODAY, NOW, s.letters)
    assert [(w.id, w.approved_by) for w in got.approved_unreleased] == [
        (ids["old_approved"], ATTORNEY.login), (ids["new_approved"], ATTORNEY.login)]
    assert got.approved_unreleased[0].approved_at == NOW - timedelta(days=26)
    assert {w.id: w.days_left for w in got.expiring} == {ids["stale_awaiting"]: -2, ids["old_approved"]: 3}
    assert [(b.what, b.action, b.reason) for b in got.blocked] == [
        (f"letter #{ids['rejected']}", "letter.rejected", "figures are wrong")]
    lines = got.lines()
    assert any(f"letter #{ids['old_approved']}" in x and "not yet released" in x and ATTORNEY.login in x
               for x in lines)
    assert any("stale since" in x and "re-approval" in x for x in lines)
    assert any("(3 day(s) left)" in x for x in lines)


def test_a_wider_warning_window_lists_more(desk: tuple[Settings, Store, dict[str, int]], tmp_path: Path) -> None:
    _, store, ids = desk
    (tmp_path / "wide").mkdir()
    wide = make_settings(tmp_path / "wide", extra=EXTRA.replace("expiry_warning_days = 5", "expiry_warning_days = 29"))
    with store.begin() as conn:
        got = attention(conn, TODAY, NOW, wide.letters)
    assert ids["new_approved"] not in {w.id for w in got.expiring}  # dated today: 30 days left
    assert {ids["stale_awaiting"], ids["old_approved"]} <= {w.id for w in got.expiring}


def test_status_json_and_table_show_them(desk: tuple[Settings, Store, dict[str, int]],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    s, _, ids = desk
    with pytest.raises(SystemExit) as done:
        main(["--config", s.config_path, "--json", "status"])
    data = json.loads(capsys.readouterr().out)
    assert done.value.code == 0
    assert [w["id"] for w in data["letters_approved_unreleased"]] == [ids["old_approved"], ids["new_approved"]]
    assert data["letters_approved_unreleased"][0]["approved_by"] == ATTORNEY.login
    assert {w["id"] for w in data["letters_expiring"]} >= {ids["old_approved"]}
    assert "blocked_last_24h" in data
    with pytest.raises(SystemExit):
        main(["--config", s.config_path, "status"])
    out = capsys.readouterr().out
    assert "approved letters not yet released" in out and "letters about to go stale" in out
    assert "blocked or refused in the last 24 hours" in out


def test_the_digest_lists_them_for_billing_staff(desk: tuple[Settings, Store, dict[str, int]]) -> None:
    s, store, ids = desk
    staff = [d for d in build_digests(s, store, TODAY, {}, NOW) if d.to == "billing@harperlowe.example"]
    assert len(staff) == 1
    text = staff[0].text
    assert "Stuck before the exit" in text
    assert f"letter #{ids['new_approved']} (escalation, {CLIENT.name}) approved by {ATTORNEY.login}" in text
    assert f"letter #{ids['rejected']} rejected" in text and "figures are wrong" in text
    assert "old news" not in text
