"""The jurisdiction commands through the real entry point: a matter's jurisdiction set and shown, a request for
fee arbitration logged from a contact, and a letter released with its serving method and enclosures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from actors import attorney
from letter_factory import ATTORNEY, CLIENT, CONTACT, NOW, line, make_action, make_settings, seed_invoices

from overdue_reminder.cli import main
from overdue_reminder.config import Settings
from overdue_reminder.services.holds import list_holds
from overdue_reminder.services.identity import current_os_user
from overdue_reminder.services.letters import approve_letter, create_letter, get_letter, list_notices
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_attorneys, store_partners


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[Settings, Store]]:
    s = make_settings(tmp_path)
    store = Store(s.store_url)
    store.upgrade()
    with store.begin() as conn:
        store_partners(conn, [CLIENT, CONTACT], NOW)
        store_attorneys(conn, [ATTORNEY])
    yield s, store
    store.dispose()


def run(settings: Settings, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["--config", settings.config_path, *args])
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_set_and_show_a_matters_jurisdiction(desk: tuple[Settings, Store], capsys: pytest.CaptureFixture[str]) -> None:
    s, store = desk
    seed_invoices(store, make_action((line(5001, "INV/1", "10.00", matter="M-7"),)))
    code, out, err = run(s, capsys, "--json", "jurisdiction", "set", "--client", "Acme", "--matter", "M-7",
                         "--code", "ca", "--engagement", "oral")
    assert code == 0, err
    assert json.loads(out) | {} == {"client_id": CLIENT.id, "matter": "M-7", "jurisdiction": "CA",
                                    "source": "matter", "engagement": "oral", "dry_run": False}
    code, out, _ = run(s, capsys, "--json", "jurisdiction", "show", "--client", "Acme")
    assert {"matter": "M-7", "jurisdiction": "CA", "source": "matter"} in json.loads(out)
    code, _, err = run(s, capsys, "jurisdiction", "set", "--client", "Acme", "--matter", "M-7", "--code", "ZZ")
    assert code != 0 and "no jurisdiction 'ZZ'" in err


def test_contact_log_records_an_arbitration_request(desk: tuple[Settings, Store],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    s, store = desk
    seed_invoices(store, make_action((line(5001, "INV/1", "10.00"),)))
    code, out, err = run(s, capsys, "--json", "contact", "log", "--client", "Acme", "--reason", "dispute",
                         "--note", "asked for Part 137 arbitration", "--arbitration-requested")
    assert code == 0, err
    assert json.loads(out)["to_attorney"]
    kinds = {h.kind for h in list_holds(store, NOW.date())}
    assert kinds == {"dispute", "arbitration_requested"}


def test_release_records_the_serving_and_lists_the_enclosures(desk: tuple[Settings, Store],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    s, store = desk
    action = make_action((line(5001, "INV/5001", "1200.00"),))
    seed_invoices(store, action)
    now = datetime.now(UTC)
    lt = create_letter(store, s, action, today=s.calendar().local_now(now).date(), now=now).letter
    approve_letter(store, s, lt.id, attorney(store, ATTORNEY.email), now=now)
    code, _, err = run(s, capsys, "letters", "release", str(lt.id), "--served-method", "email")
    assert code != 0 and "certified_mail or personal_service" in err
    s = make_settings(Path(s.config_path).parent,
                      extra=f'\n[identity]\nos_users = {{ {current_os_user()} = "clerk" }}\n')  # a proven clerk
    code, out, err = run(s, capsys, "--json", "letters", "release", str(lt.id), "--served-method", "certified_mail")
    assert code == 0, err
    data = json.loads(out)
    assert data["served_method"] == "certified_mail" and len(data["enclosure_files"]) == 2
    assert all(Path(f).is_file() for f in data["enclosure_files"])
    [n] = list_notices(store)
    assert (n.kind, n.method, n.letter_id) == ("ny_part137", "certified_mail", lt.id)
    assert get_letter(store, lt.id).served_on == n.served_on
