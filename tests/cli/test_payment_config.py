"""`[payment]` as a firm writes it: channels per currency, SWIFT/IBAN, reference formats, portal links; and
`config check` failing (exit 2, file, key and fix) when a currency has no channel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.errors import ConfigError
from overdue_reminder.sandbox.harness import RunningSandbox

EXE = [sys.executable, "-m", "overdue_reminder"]

BASE = """
source = "files"

[firm]
name = "Harper & Lowe LLP"
phone = "+1 212 555 0100"
email = "billing@harperlowe.example"

[payment]
{payment}

[[payment.channels]]
label = "Bank transfer (USD)"
currencies = ["USD"]
details = ["First Example Bank, New York", "Account 1234567890"]
{channel}
"""


def write(tmp_path: Path, payment: str = "", channel: str = "") -> Path:
    path = tmp_path / "overdue-reminder.toml"
    path.write_text(BASE.format(payment=payment, channel=channel), encoding="utf-8")
    return path


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("OVERDUE_REMINDER_CONFIG", None)
    return subprocess.run([*EXE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_offline_check_fails_on_a_configured_currency_without_a_channel(tmp_path: Path) -> None:
    cfg = write(tmp_path, 'currencies = ["USD", "GBP"]')
    r = run(["--config", str(cfg), "config", "check", "--offline"], tmp_path)
    assert r.returncode == 2
    assert f"{cfg}: [payment.channels]" in r.stderr and "GBP" in r.stderr and "Fix:" in r.stderr
    cfg = write(tmp_path, 'currencies = ["USD"]')
    assert run(["--config", str(cfg), "config", "check", "--offline"], tmp_path).returncode == 0


def test_check_fails_when_the_ledger_holds_a_currency_no_channel_takes(tmp_path: Path,
                                                                       sandbox: RunningSandbox) -> None:
    s = sandbox.odoo_settings()
    cfg = write_demo_config(tmp_path, sandbox.server.port, s.database, s.login)
    assert run(["--config", str(cfg), "sync"], tmp_path).returncode in (0, 1)
    assert run(["--config", str(cfg), "config", "check"], tmp_path).returncode == 0
    text = cfg.read_text()
    text = text.replace('currencies = ["USD", "EUR", "CNY"]\n', "").replace('currencies = ["EUR", "CNY"]',
                                                                            'currencies = ["EUR"]')
    text = text.replace('url = "https://pay.harperlowe.example"\n',  # the card portal: USD only, here
                        'url = "https://pay.harperlowe.example"\ncurrencies = ["USD"]\n')
    cfg.write_text(text)
    assert run(["--config", str(cfg), "config", "check", "--offline"], tmp_path).returncode == 0  # configured only
    r = run(["--config", str(cfg), "config", "check"], tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "[payment.channels]" in r.stderr and "CNY" in r.stderr and "EUR," not in r.stderr and "Fix:" in r.stderr


@pytest.mark.parametrize(("channel", "key"), [
    ('swift = "NOT-A-BIC"', "payment.channels[0].swift"),
    ('iban = "12345"', "payment.channels[0].iban"),
    ('reference = "{client_secret}"', "payment.channels[0].reference"),
    ('reference = "{invoice_number"', "payment.channels[0].reference"),
    ('currencies = ["USD", "XYZ"]', "payment.channels[0].currencies"),
    ('[payment.channels.translations.zh_CN]\ndetails = ["only one line"]', "payment.channels[0].translations.zh_CN"),
])
def test_a_bad_channel_names_its_key(tmp_path: Path, channel: str, key: str) -> None:
    if channel.startswith("currencies"):
        text = BASE.format(payment="", channel="").replace('currencies = ["USD"]', channel)
        path = tmp_path / "overdue-reminder.toml"
        path.write_text(text, encoding="utf-8")
    else:
        path = write(tmp_path, channel=channel)
    with pytest.raises(ConfigError) as err:
        config.load(str(path))
    assert err.value.key is not None and err.value.key.startswith(key), err.value


@pytest.mark.parametrize(("portal", "ok"), [
    ('portal_links = true\nportal_url = "https://odoo.harperlowe.example"', True),
    ('portal_links = true\nportal_url = "http://127.0.0.1:8069"', True),  # the sandbox on loopback
    ('portal_links = true\nportal_url = "http://odoo.harperlowe.example"', False),
    ('portal_links = true\nportal_url = "https://odoo.harperlowe.example/my/invoices"', False),
    ('portal_links = true', False),
    ('portal_links = false', True),
])
def test_portal_links_need_the_firms_own_https_portal(tmp_path: Path, portal: str, ok: bool) -> None:
    path = write(tmp_path, portal)
    if ok:
        s = config.load(str(path))
        assert s.payment.portal_host in ("odoo.harperlowe.example", "127.0.0.1", "")
        return
    with pytest.raises(ConfigError) as err:
        config.load(str(path))
    assert err.value.key == "payment.portal_url"


def test_translations_and_references() -> None:
    ch = config.PaymentChannel("Wire (EUR)", ["Example Bank AG"], currencies=["EUR"], reference="{invoice_number}",
                               intermediary_bank="Bank of China, Frankfurt",
                               translations={"zh_CN": config.ChannelText(details=["示例银行股份公司"],
                                                                         intermediary_bank="中国银行法兰克福分行")})
    assert ch.takes("eur") and not ch.takes("USD")
    zh = ch.text("zh_CN")
    assert zh.label == "Wire (EUR)" and zh.details == ["示例银行股份公司"] and zh.intermediary_bank == "中国银行法兰克福分行"
    assert ch.text("en_US").details == ["Example Bank AG"]
    assert ch.references(["INV/1", "INV/2"], "R-1") == ["INV/1", "INV/2"]
    assert config.PaymentChannel("x", reference="{reminder_reference}").references(["INV/1"], "R-1") == ["R-1"]
