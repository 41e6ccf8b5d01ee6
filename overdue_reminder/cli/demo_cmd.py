"""`overdue-reminder demo`: a sample firm in a sandbox Odoo, and the whole desk run against it."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from overdue_reminder import config
from overdue_reminder.cli.common import App, pass_app
from overdue_reminder.errors import EXIT_OK, UsageError
from overdue_reminder.sandbox.generator import SANDBOX_PASSWORD
from overdue_reminder.sandbox.harness import start_sandbox
from overdue_reminder.services.letter_enclosures import write_sample_forms

DEMO_CONFIG = """# Written by `overdue-reminder demo`: a sandbox Odoo on loopback and a sample firm.
source = "odoo"

[firm]
name = "Harper & Lowe LLP"
address = ["350 Fifth Avenue, Suite 4100", "New York, NY 10118"]
phone = "+1 212 555 0100"
email = "billing@harperlowe.example"
website = "https://harperlowe.example"
timezone = "America/New_York"
holiday_country = "US"
holiday_subdivision = "NY"
jurisdiction = "NY"

[odoo]
host = "127.0.0.1"
port = {port}
protocol = "jsonrpc"
database = "{database}"
login = "{login}"
password_env = ""
password_file = "odoo.key"
trust_account_code = "2150"

[store]
path = "overdue-reminder.db"

[delivery]
mode = "outbox"
outbox_dir = "outbox"
# The demo delivers whatever the hour; a firm keeps its business hours here.
send_window = "00:00-23:59"
business_days_only = false

[letters]
dir = "letters"
# PDF copies need LibreOffice; the demo keeps to .docx so it runs the same everywhere.
pdf = "never"

# Sample forms written by the demo, clearly marked SAMPLE: a firm saves the official ones.
[letters.jurisdictions.NY.form_files]
"UCS 137-1" = "forms/SAMPLE-UCS-137-1.txt"
"UCS 137-2" = "forms/SAMPLE-UCS-137-2.txt"

[digest]
billing_staff = ["billing@harperlowe.example"]

[payment]
verify_phone = "+1 212 555 0100"
# Each invoice's page on the firm's own Odoo customer portal, with its access token, in every reminder.
portal_links = true
portal_url = "http://127.0.0.1:{port}"
# The currencies the firm bills in: `config check` fails if one has no channel below.
currencies = ["USD", "EUR", "CNY"]

[[payment.channels]]
label = "Bank transfer (USD)"
currencies = ["USD"]
details = ["First Example Bank, New York", "ABA routing 021000021", "Account 1234567890",
           "Account name: Harper & Lowe LLP Operating Account"]
reference = "{{invoice_number}}"
labels = {{ zh_CN = "银行转账（美元）" }}

[payment.channels.translations.zh_CN]
details = ["第一示例银行（纽约）", "美国银行汇款路径号码（ABA）021000021", "账号1234567890",
           "账户名称：Harper & Lowe LLP运营账户"]

[[payment.channels]]
label = "International wire (EUR, CNY)"
currencies = ["EUR", "CNY"]
details = ["Example Bank AG, Frankfurt am Main", "Account name: Harper & Lowe LLP"]
swift = "COBADEFFXXX"
iban = "DE89 3704 0044 0532 0130 00"
intermediary_bank = "Bank of China, Frankfurt Branch (SWIFT BKCHDEFF)"
reference = "{{invoice_number}}"

[payment.channels.translations.zh_CN]
label = "国际电汇（欧元、人民币）"
details = ["示例银行股份公司（法兰克福）", "账户名称：Harper & Lowe LLP"]
intermediary_bank = "中国银行法兰克福分行（SWIFT BKCHDEFF）"

[[payment.channels]]
label = "Client portal (card or ACH)"
url = "https://pay.harperlowe.example"
labels = {{ zh_CN = "客户门户（银行卡或 ACH）" }}
"""


MARKER = ".overdue-reminder-demo"


def fresh_work_dir(work: Path) -> None:
    """A demo starts from nothing: a folder an earlier demo made is emptied, any other is refused."""
    if work.exists() and any(work.iterdir()):
        if not (work / MARKER).exists():
            raise UsageError(f"{work} exists and was not made by the demo; pass --dir with a new folder.")
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).write_text("made by overdue-reminder demo; removed by the next demo run\n", encoding="utf-8")


def write_demo_config(work: Path, port: int, database: str, login: str) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o700)
    key = work / "odoo.key"
    key.write_text(SANDBOX_PASSWORD + "\n", encoding="utf-8")
    os.chmod(key, 0o600)
    write_sample_forms(work / "forms")
    path = work / "overdue-reminder.toml"
    path.write_text(DEMO_CONFIG.format(port=port, database=database, login=login), encoding="utf-8")
    os.chmod(path, 0o600)
    return path


@click.command("demo")
@click.option("--dir", "work_dir", default="demo-work", show_default=True, type=click.Path(file_okay=False),
              help="Work folder for the demo's configuration, store, outbox and letters.")
@click.option("--clients", default=40, show_default=True, help="Clients in the sample firm.")
@click.option("--invoices", default=240, show_default=True, help="Invoices in the sample firm.")
@click.option("--date", "as_of", metavar="YYYY-MM-DD", help="The demo's 'today' (default: today).")
@click.option("--days", default=45, show_default=True,
              help="Nights to simulate before today (clients pay, new bills go out, staff approve), "
                   "so the desk has a history: 0 runs tonight's pass only.")
@click.option("--serve", is_flag=True, help="Keep the sandbox running afterwards (Ctrl-C to stop).")
@pass_app
def demo(app: App, work_dir: str, clients: int, invoices: int, as_of: str | None, days: int, serve: bool) -> int:
    """Start a sandbox Odoo with a sample firm, write a config for it, and run the desk against it.

    The firm is generated as of --days ago; then each night runs as the nightly service would,
    with the sandbox's clients paying some bills and a simulated clerk and attorneys approving
    what waits for them, up to today's pass. Everything lands in --dir.
    """
    today = date.fromisoformat(as_of) if as_of else datetime.now(UTC).date()
    if days < 0:
        raise UsageError("--days must be 0 or more.")
    work = Path(work_dir).resolve()
    fresh_work_dir(work)
    sb = start_sandbox(clients=clients, invoices=invoices, today=today - timedelta(days=days))
    try:
        cfg = write_demo_config(work, sb.server.port, sb.odoo_settings().database, sb.odoo_settings().login)
        app.config_path = str(cfg)
        app._settings = config.load(str(cfg))
        app.info(f"sandbox Odoo 17.0 at {sb.server.url} (database {sb.odoo_settings().database}); "
                 f"config written to {cfg}")
        from overdue_reminder.run.demo import run_demo

        result = run_demo(app, sb, today, days)
        if app.as_json:
            app.emit_json({"config": str(cfg), "sandbox": sb.server.url, **result})
        if serve:
            app.info(f"sandbox still running at {sb.server.url}; try: overdue-reminder --config {cfg} plan  "
                     "(Ctrl-C to stop)")
            sb.server.serve_forever()
    finally:
        sb.stop()
    return EXIT_OK


COMMANDS = [demo]
