"""Config: every key validated at load; errors name the file, the key and the fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from overdue_reminder import config
from overdue_reminder.errors import ConfigError
from overdue_reminder.resources import example_config


def test_shipped_example_is_valid_and_complete() -> None:
    s = config.parse(example_config(), "/etc/overdue/overdue-reminder.toml")
    assert s.firm.timezone == "America/New_York"
    assert s.odoo.matter_fields == ["invoice_origin", "ref"]
    assert s.store_url == "sqlite:////etc/overdue/overdue-reminder.db"


@pytest.mark.parametrize("text, key, words", [
    ('[firm]\ntimezone = "Mars/Olympus"', "firm.timezone", "IANA"),
    ('[odoo]\nprotocl = "xmlrpc"', "odoo.protocl", "unknown key"),
    ('[odoo]\nport = "8069"', "odoo.port", "whole number"),
    ('[odoo]\nprotocol = "http"', "odoo.protocol", "jsonrpc"),
    ('[firm]\nholiday_country = "ZZ"', "firm.holiday_country", "ISO 3166"),
    ('[odoo]\nbatch_size = 0', "odoo.batch_size", "1000"),
    ('[store]\nurl = "mysql://x"', "store.url", "postgresql"),
    ('[firm]\nclosures = ["24.12.2026"]', "firm.closures[0]", "YYYY-MM-DD"),
    ('nonsense = = 1', None, "TOML"),
])
def test_bad_config_names_file_key_and_fix(text: str, key: str | None, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        config.parse(text, "/srv/desk/overdue-reminder.toml")
    msg = str(err.value)
    assert "/srv/desk/overdue-reminder.toml" in msg
    if key:
        assert f"[{key}]" in msg
    assert words in msg
    assert "Fix:" in msg


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(config.CONFIG_ENV, raising=False)
    assert config.find_config(None) == tmp_path / "overdue-reminder.toml"
    monkeypatch.setenv(config.CONFIG_ENV, "/x/y.toml")
    assert config.find_config(None) == Path("/x/y.toml")
    assert config.find_config("/a/b.toml") == Path("/a/b.toml")
    with pytest.raises(ConfigError, match="overdue-reminder init"):
        config.load(str(tmp_path / "missing.toml"))


def test_secret_from_env_or_owner_only_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OR_TEST_PW", raising=False)
    secret = tmp_path / "odoo.key"
    secret.write_text("s3cret-key\n")
    os.chmod(secret, 0o644)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[odoo]\npassword_env = "OR_TEST_PW"\npassword_file = "odoo.key"\n')
    s = config.load(str(cfg))
    with pytest.raises(ConfigError, match="chmod 600"):
        s.odoo_password()
    os.chmod(secret, 0o600)
    assert s.odoo_password() == "s3cret-key"
    monkeypatch.setenv("OR_TEST_PW", "from-env")
    assert s.odoo_password() == "from-env"
    cfg.write_text('[odoo]\npassword_env = "OR_TEST_PW_MISSING"\n')
    with pytest.raises(ConfigError, match="OR_TEST_PW_MISSING"):
        config.load(str(cfg)).odoo_password()
