"""`overdue-reminder demo`: a sample firm in a sandbox Odoo, and the whole desk run against it."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from overdue_reminder import config
from overdue_reminder.cli.common import App, pass_app
from overdue_reminder.cli.demo_serve import bind_web_socket, print_guide, review_page, wait_for_stop
from overdue_reminder.config import CONFIG_ENV
from overdue_reminder.errors import EXIT_OK, UsageError
from overdue_reminder.run.demo_guide import (
    SignIn,
    Suggestion,
    config_export,
    first_awaiting,
    next_commands,
    sign_ins,
)
from overdue_reminder.sandbox.constants import CLERK_LOGIN, SANDBOX_DB, SANDBOX_PASSWORD
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
timezone = "{timezone}"
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

[templates]
# Each firm, final and letter tier gives the client this many business days to answer, and the next contact
# waits for that deadline: the demo firm gives 5, so its 45 simulated nights reach the escalation letters.
respond_within_days = 5

[digest]
billing_staff = ["billing@harperlowe.example"]

[web]
# The review page: the demo serves it itself, on this computer only and over plain HTTP, so its
# cookies cannot be Secure-only. A firm serves it behind HTTPS with secure_cookies = true.
host = "127.0.0.1"
port = {web_port}
secure_cookies = false
secret_key_file = "web.key"
# Attorneys need no entry: an Odoo login that is a responsible attorney sees their own queue.
# The sandbox's clerk signs in as billing staff (sees everything, decides nothing an attorney must).
billing_staff = ["{clerk}"]

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
DEMO_TIMEZONE = "America/New_York"


def fresh_work_dir(work: Path) -> None:
    """A demo starts from nothing: a folder an earlier demo made is emptied, any other is refused."""
    if work.exists() and any(work.iterdir()):
        if not (work / MARKER).exists():
            raise UsageError(f"{work} exists and was not made by the demo; pass --dir with a new folder.")
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).write_text("made by overdue-reminder demo; removed by the next demo run\n", encoding="utf-8")


def _private(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)


def write_demo_config(work: Path, port: int, database: str, login: str, web_port: int = 8470) -> Path:
    """The demo's configuration, its Odoo key and the review page's session key, all owner-only."""
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o700)
    _private(work / "odoo.key", SANDBOX_PASSWORD + "\n")
    _private(work / "web.key", secrets.token_urlsafe(48) + "\n")
    write_sample_forms(work / "forms")
    path = work / "overdue-reminder.toml"
    _private(path, DEMO_CONFIG.format(port=port, database=database, login=login, web_port=web_port,
                                      timezone=DEMO_TIMEZONE, clerk=CLERK_LOGIN))
    return path


@click.command("demo")
@click.option("--dir", "work_dir", default="demo-work", show_default=True, type=click.Path(file_okay=False),
              help="Work folder for the demo's configuration, store, outbox and letters.")
@click.option("--clients", default=40, show_default=True, help="Clients in the sample firm.")
@click.option("--invoices", default=240, show_default=True, help="Invoices in the sample firm.")
@click.option("--date", "as_of", metavar="YYYY-MM-DD",
              help="The demo's 'today' (default: today in the firm's timezone).")
@click.option("--days", default=45, show_default=True,
              help="Nights to simulate before today (clients pay, new bills go out, staff approve), "
                   "so the desk has a history: 0 runs tonight's pass only.")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Afterwards keep the sandbox Odoo and the review page running until Ctrl-C or SIGTERM "
                   "(the default), or stop them and exit.")
@click.option("--web-port", default=8470, show_default=True, type=click.IntRange(0, 65535), metavar="PORT",
              help="The review page's port; a free one is used when it is taken (0: always a free one).")
@pass_app
def demo(app: App, work_dir: str, clients: int, invoices: int, as_of: str | None, days: int, serve: bool,
         web_port: int) -> int:
    """Start a sandbox Odoo with a sample firm, run the desk against it, and keep it up for you to explore.

    The firm is generated as of --days ago; then each night runs as the nightly service would,
    with the sandbox's clients paying some bills and a simulated clerk and attorneys approving
    what waits for them, up to today's pass. Everything lands in --dir. Then the sandbox Odoo and
    the review page stay up, with the sign-ins and the next commands to try, until Ctrl-C.
    """
    today = date.fromisoformat(as_of) if as_of else datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()
    if days < 0:
        raise UsageError("--days must be 0 or more.")
    work = Path(work_dir).resolve()
    fresh_work_dir(work)
    sock = bind_web_socket(web_port) if serve else None
    sb = start_sandbox(clients=clients, invoices=invoices, today=today - timedelta(days=days))
    try:
        odoo = sb.odoo_settings()
        cfg = write_demo_config(work, sb.server.port, odoo.database, odoo.login,
                                web_port=sock.getsockname()[1] if sock else web_port)
        app.config_path = str(cfg)
        app._settings = config.load(str(cfg))
        app.info(f"sandbox Odoo 17.0 at {sb.server.url} (database {odoo.database}); config written to {cfg}")
        from overdue_reminder.run.demo import run_demo

        result = run_demo(app, sb, today, days)
        people = sign_ins(app.store)
        shown = first_awaiting(app.store, people[0].login)
        commands = next_commands(odoo_up=serve, letter_id=shown)
        if sock is None:
            _tell(app, result, cfg, None, sb.server.url, people, commands)
            return EXIT_OK
        with review_page(app, sock) as url:
            _tell(app, result, cfg, url, sb.server.url, people, commands)
            why = wait_for_stop()
        app.info(f"demo stopped ({why}): the review page and the sandbox Odoo are down; {work} stays.")
    finally:
        if sock is not None:
            sock.close()
        sb.stop()
    return EXIT_OK


def _tell(app: App, result: dict[str, Any], cfg: Path, web_url: str | None, odoo_url: str,
          people: list[SignIn], commands: list[Suggestion]) -> None:
    """The JSON document, or the guide for people; either way flushed before the demo starts waiting."""
    if app.as_json:
        app.emit_json({"config": str(cfg), "sandbox": odoo_url, "web": web_url, **result,
                       "sign_in": [p.as_dict() for p in people] if web_url else [],
                       "env": {CONFIG_ENV: str(cfg)}, "next_commands": [c.command for c in commands]})
    else:
        print_guide(app, web_url=web_url, odoo_url=odoo_url, database=SANDBOX_DB, people=people,
                    export=config_export(cfg), commands=commands)
    sys.stdout.flush()


COMMANDS = [demo]
