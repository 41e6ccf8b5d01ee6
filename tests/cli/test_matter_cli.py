"""`overdue-reminder matter set|show|list` through the real entry point: proven identity, audit with old and new,
--dry-run, a local value winning over Odoo's, and the planner reading the flags that were set."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from overdue_reminder import config
from overdue_reminder.cli import main
from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.model import Invoice, InvoiceKind, Partner
from overdue_reminder.services import matters as service
from overdue_reminder.services.identity import PROOF_OS, current_os_user
from overdue_reminder.services.planning import load_snapshot
from overdue_reminder.store import Store, read_audit
from overdue_reminder.store.ledger import store_invoices, store_partners

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _settings(tmp_path: Path, mapped: bool) -> Settings:
    who = f'\n[identity]\nos_users = {{ {current_os_user()} = "clerk@firm.example" }}\n' if mapped else ""
    text = f'source = "files"\n[store]\npath = "store.db"\n{who}'
    cfg = tmp_path / "overdue-reminder.toml"
    cfg.write_text(text, encoding="utf-8")
    return config.parse(text, str(cfg))


@pytest.fixture
def desk(tmp_path: Path) -> Settings:
    s = _settings(tmp_path, mapped=True)
    store = Store(s.store_url)
    store.upgrade()
    with store.begin() as conn:
        store_partners(conn, [Partner(1, "Acme Widgets Inc.", 1, is_company=True),
                              Partner(2, "Beta LLC", 2, is_company=True)], NOW)
        store_invoices(conn, [_inv(11, 1, "M-2025-017"), _inv(12, 2, "M-2025-017"), _inv(13, 2, "M-2025-020")], NOW)
    store.dispose()
    return s


def _inv(id_: int, client: int, matter: str) -> Invoice:
    return Invoice(id_, f"INV/{id_}", InvoiceKind.INVOICE, client, client, None, matter, "USD", Decimal("100.00"),
                   Decimal("100.00"), None, date(2026, 1, 1), "not_paid", True)


def run(settings: Settings, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["--config", settings.config_path, *args])
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_set_show_list_with_audit_and_dry_run(desk: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(desk, capsys, "matter", "set", "M-2025-020", "--interest-allowed", "--interest-rate", "7.5",
                         "--interest-cap", "10", "--before-court", "--dry-run")
    assert code == 0, err
    assert "would set" in out and "interest_rate - -> 7.5" in out
    store = Store(desk.store_url)
    assert not service.show(store, "M-2025-020").flags["before_court"].value  # dry run wrote nothing
    code, out, err = run(desk, capsys, "matter", "set", "M-2025-020", "--interest-allowed", "--interest-rate", "7.5",
                         "--not-before-court")
    assert code == 0, err
    code, out, err = run(desk, capsys, "matter", "set", "M-2025-020", "--before-court")
    assert code == 0, err
    m = service.show(store, "M-2025-020")
    assert m.client_id == 2 and m.flags["before_court"].value is True
    assert m.flags["interest_rate"].value == Decimal("7.5") and m.flags["interest_rate"].source == "local"
    with store.begin() as conn:
        first, second = [e for e in read_audit(conn, "matter", m.id) if e.action == "matter.flags_set"]
    assert first.detail["changes"]["interest_rate"] == {"old": None, "new": "7.5"}
    assert first.detail["changes"]["before_court"] == {"old": False, "new": False}  # now set here, not a default
    entry = second
    assert entry.detail["changes"] == {"before_court": {"old": False, "new": True}}
    assert entry.detail["actor"]["proof"].startswith("os-user")
    code, out, _ = run(desk, capsys, "matter", "show", str(m.id), "--json")
    shown = json.loads(out)
    assert shown["flags"]["interest_allowed"]["source"] == "local" and shown["flags"]["interest_cap"] == {
        "value": None, "source": "default", "odoo_value": None, "set_by": None, "set_at": None,
        "overrides_odoo": False}
    code, out, _ = run(desk, capsys, "matter", "list", "--json")
    assert [(x["reference"], x["client"]) for x in json.loads(out)] == [
        ("M-2025-017", "Acme Widgets Inc."), ("M-2025-017", "Beta LLC"), ("M-2025-020", "Beta LLC")]
    code, out, _ = run(desk, capsys, "matter", "list", "--flagged")
    assert "M-2025-020" in out and "M-2025-017" not in out and "yes*" in out
    store.dispose()


def test_ambiguous_reference_unknown_and_bad_values_are_usage_errors(desk: Settings,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(desk, capsys, "matter", "set", "M-2025-017", "--before-court")
    assert code == 2 and "2 clients have a matter 'M-2025-017'" in err and "id " in err
    code, _, err = run(desk, capsys, "matter", "show", "M-9")
    assert code == 2 and "no matter 'M-9'" in err
    code, _, err = run(desk, capsys, "matter", "set", "M-2025-020", "--interest-rate", "abc")
    assert code == 2 and "--interest-rate" in err
    code, _, err = run(desk, capsys, "matter", "set", "M-2025-020", "--interest-rate", "9")
    assert code == 2 and "does not allow interest" in err
    code, _, err = run(desk, capsys, "matter", "set", "M-2025-020")
    assert code == 2 and "nothing to set" in err
    code, _, err = run(desk, capsys, "matter", "set", "M-2025-020", "--interest-allowed", "--interest-rate", "48")
    assert code == 2 and "above interest.annual_rate_cap (16% a year)" in err


def test_changes_need_a_proven_identity(tmp_path: Path, desk: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    unmapped = _settings(tmp_path, mapped=False)
    code, _, err = run(unmapped, capsys, "matter", "set", "M-2025-020", "--before-court")
    assert code != 0 and "did not prove who they are" in err
    store = Store(desk.store_url)
    assert service.show(store, "M-2025-020").flags["before_court"].value is False
    store.dispose()


def test_a_value_set_here_wins_over_odoo_and_says_so(desk: Settings) -> None:
    store = Store(desk.store_url)
    with store.begin() as conn:
        assert service.apply_odoo(conn, {(2, "M-2025-020"): {"before_court": True, "interest_allowed": True}}) == 1
    m = service.show(store, "M-2025-020")
    assert m.flags["before_court"].value is True and m.flags["before_court"].source == "odoo"
    service.set_flags(store, "M-2025-020", {"before_court": False}, Actor("alice", Role.STAFF, f"{PROOF_OS}:t"),
                      now=NOW)
    with store.begin() as conn:  # the next sync reads Odoo again: the desk's value still wins
        service.apply_odoo(conn, {(2, "M-2025-020"): {"before_court": True, "interest_allowed": False}})
    m = service.show(store, "M-2025-020")
    r = m.flags["before_court"]
    assert r.value is False and r.overrides_odoo and "wins over Odoo's yes" in r.source_text()
    assert m.flags["interest_allowed"].value is False and m.flags["interest_allowed"].source == "odoo"
    with store.begin() as conn:
        snap = load_snapshot(conn, desk, date(2026, 3, 2))
    assert (2, "M-2025-020") not in snap.matters  # neither flag applies now
    store.dispose()


def test_the_odoo_field_mapping_names_known_flags_only() -> None:
    from overdue_reminder.config.sections import MATTER_FLAG_NAMES
    from overdue_reminder.core.matter_flags import FLAGS
    from overdue_reminder.errors import ConfigError

    assert tuple(f.name for f in FLAGS) == MATTER_FLAG_NAMES  # one list of flags, for the command and the sync
    with pytest.raises(ConfigError, match=r"odoo.matter_flag_fields.jurisdiction.*not a matter flag"):
        config.parse('[odoo]\nmatter_flag_fields = { jurisdiction = "x_jurisdiction" }\n')
    with pytest.raises(ConfigError, match="not an Odoo field name"):
        config.parse('[odoo]\nmatter_flag_fields = { before_court = "x before" }\n')
    ok = config.parse('[odoo]\nmatter_flag_fields = { before_court = "x_before_court" }\n')
    assert ok.odoo.matter_flag_fields == {"before_court": "x_before_court"}
