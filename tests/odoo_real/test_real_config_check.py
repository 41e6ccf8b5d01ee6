"""`config check` against a real Odoo 17: the version, the rights, the trust account, and the refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from odoo_real_kit import firm_config

from overdue_reminder.sandbox.odoo_seed import NO_RIGHTS_LOGIN, NO_RIGHTS_PASSWORD, Seeded


def _check(cfg: Path, password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OVERDUE_REMINDER_ODOO_PASSWORD": password, "COLUMNS": "200"}
    env.pop("OVERDUE_REMINDER_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "overdue_reminder", "--config", str(cfg), "config", "check"],
                          cwd=cfg.parent, env=env, capture_output=True, text=True, timeout=120)


def test_init_template_checks_ok_against_the_seeded_firm(tmp_path: Path, seeded: Seeded) -> None:
    res = _check(firm_config(tmp_path), os.environ["ODOO_PASSWORD"])
    assert res.returncode == 0, res.stderr
    assert "server 17.0" in res.stdout
    assert "read account.move: ok" in res.stdout and "read account.payment: ok" in res.stdout
    assert f"trust account {seeded.trust_account_code}: ok" in res.stdout


def test_a_trust_account_odoo_lacks_is_a_configuration_error(tmp_path: Path, seeded: Seeded) -> None:
    res = _check(firm_config(tmp_path, trust="2199"), os.environ["ODOO_PASSWORD"])
    assert res.returncode == 2, res.stdout + res.stderr
    assert "no account with code '2199'" in res.stderr and "odoo.trust_account_code" in res.stderr


def test_wrong_password_and_missing_rights_are_refused_clearly(tmp_path: Path, seeded: Seeded) -> None:
    wrong = _check(firm_config(tmp_path), "not-the-password")
    assert wrong.returncode == 3 and "refused the login" in wrong.stderr
    assert "not-the-password" not in wrong.stdout + wrong.stderr
    no_rights = _check(firm_config(tmp_path, login=NO_RIGHTS_LOGIN), NO_RIGHTS_PASSWORD)
    assert no_rights.returncode == 3, no_rights.stdout + no_rights.stderr
    assert "lacks an access right" in no_rights.stderr and "Invoicing/Billing" in no_rights.stderr
