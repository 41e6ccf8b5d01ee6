"""The commands billing staff and attorneys use: contact log|list|check, offer suggest|propose|approve|…"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from offer_factory import ALEX, CLERK, PARTNER, seed

from overdue_reminder.cli import main
from overdue_reminder.services.identity import current_os_user
from overdue_reminder.store import Store


def sign_in(conf: Path, login: str) -> Path:
    """The desk's configuration with the operating-system account running the tests mapped to `login`."""
    conf.write_text(f'source = "files"\n[store]\npath = "desk.db"\n[offers]\nsupervising_partner = "{PARTNER}"\n'
                    '[payment]\nverify_phone = "+1 212 555 0100"\n'
                    f'[identity]\nos_users = {{ {current_os_user()} = "{login}" }}\n', encoding="utf-8")
    return conf


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    path = sign_in(tmp_path / "overdue-reminder.toml", CLERK)
    store = Store(f"sqlite:///{tmp_path / 'desk.db'}")
    store.upgrade()
    seed(store)
    store.dispose()
    return path


def run(capsys: pytest.CaptureFixture[str], conf: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        main(["--config", str(conf), *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def js(capsys: pytest.CaptureFixture[str], conf: Path, *args: str) -> object:
    code, out, err = run(capsys, conf, "--json", *args)
    assert code == 0, err
    return json.loads(out)


def test_contact_and_offer_commands_end_to_end(conf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [s] = js(capsys, conf, "offer", "suggest", "--client", "Acme", "--reason", "financial_hardship", "--grade", "A",
             "--date", "2026-11-20")  # type: ignore[misc]
    assert s["offer"]["kind"] == "installments" and s["authority"] == "staff" and s["balance"] == "9000.00"
    assert s["alternatives"][0]["kind"] == "settlement"

    promised = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    code, out, _ = run(capsys, conf, "contact", "log", "--client", "Acme", "--reason", "financial_hardship",
                       "--note", "lost a large contract", "--promise-date", promised, "--promise-amount", "500",
                       "--by", CLERK)
    assert code == 0 and "contact #1 logged" in out and "promise: 500.00 USD" in out
    [c] = js(capsys, conf, "contact", "list", "--client", "Acme")  # type: ignore[misc]
    assert c["reason"] == "financial_hardship" and c["promise_status"] == "open"
    [chk] = js(capsys, conf, "contact", "check")  # type: ignore[misc]
    assert (chk["contact_id"], chk["status"], chk["promised"], chk["received"]) == (1, "open", "500.00", "0.00")

    # Over the floors: refused with the reason, exit 2, nothing offered.
    code, out, err = run(capsys, conf, "offer", "propose", "--client", "Acme", "--kind", "settlement",
                         "--discount", "30", "--by", CLERK)
    assert code == 2 and "refused" in err and "maximum of 25%" in err
    assert "offer #1 refused, not proposed to the client" in out and "proposed:" not in out and "Payments" not in out

    # A dry run shows the outcome and writes nothing.
    dry = js(capsys, conf, "offer", "propose", "--client", "Acme", "--kind", "installments", "--installments", "10",
             "--down-percent", "10", "--dry-run", "--by", CLERK)
    assert dry["status"] == "awaiting_attorney" and dry["dry_run"] is True  # type: ignore[index]
    assert [o["status"] for o in js(capsys, conf, "offer", "list")] == ["refused"]  # type: ignore[union-attr]
    code, out, _ = run(capsys, conf, "offer", "list")
    assert code == 0 and "refused" in out and "proposed" not in out

    queued = js(capsys, conf, "offer", "propose", "--client", "Acme", "--kind", "installments", "--installments",
                "10", "--down-percent", "10", "--by", CLERK)
    oid = str(queued["id"])  # type: ignore[index]
    assert queued["status"] == "awaiting_attorney" and queued["assigned_to"] == ALEX.email  # type: ignore[index]
    queue = js(capsys, conf, "offer", "list", "--status", "awaiting_attorney", "--attorney", ALEX.email)
    assert [o["id"] for o in queue] == [queued["id"]]  # type: ignore[union-attr,index]

    code, _, err = run(capsys, conf, "offer", "approve", oid, "--by", ALEX.email)  # the clerk, naming the attorney
    assert code == 2 and "clerk@firm.example is staff; only the responsible attorney" in err
    assert js(capsys, sign_in(conf, ALEX.login), "offer", "approve", oid)["status"] == "proposed"  # type: ignore[index]
    accepted = js(capsys, sign_in(conf, CLERK), "offer", "accept", oid)
    assert accepted["status"] == "good_standing" and accepted["hold_id"]  # type: ignore[index]

    shown = js(capsys, conf, "offer", "show", oid, "--email", "zh_CN")
    assert [(a["actor"], a["action"]) for a in shown["audit"]] == [  # type: ignore[index]
        (CLERK, "offer.queue_for_attorney"), (CLERK, "offer.approve_denied"), (ALEX.login, "offer.approve"),
        (CLERK, "offer.accept"), (CLERK, "offer.good_standing")]
    assert all(a["at"] for a in shown["audit"])  # type: ignore[index]
    assert shown["email"]["language"] == "zh_CN" and "+1 212 555 0100" in shown["email"]["text"]  # type: ignore[index]

    matched = js(capsys, conf, "offer", "match")
    assert matched["checked"] == 1 and matched["breached"] == []  # type: ignore[index]

    code, out, _ = run(capsys, conf, "offer", "show", oid)
    assert code == 0 and "good_standing" in out and "offer.approve" in out
    code, out, _ = run(capsys, conf, "offer", "suggest", "--client", "Acme")
    assert code == 0 and "reason 'financial_hardship' (contact #1" in out


def test_usage_errors_exit_2(conf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, conf, "offer", "propose", "--client", "Nobody", "--kind", "extension", "--days", "5")
    assert code == 2 and "no client matches" in err
    code, _, err = run(capsys, conf, "contact", "log", "--client", "Acme", "--reason", "other",
                       "--promise-date", "2030-01-01")
    assert code == 2 and "both --promise-date and --promise-amount" in err
    code, _, err = run(capsys, conf, "offer", "accept", "99")
    assert code == 2 and "no offer #99" in err
    code, out, _ = run(capsys, conf, "offer", "--help")
    assert code == 0 and all(c in out for c in ("suggest", "propose", "approve", "accept", "decline", "show", "list"))
