"""Against a real Odoo 17 (../shared/odoo/odoo-up): sync vs a bare odoo-client-lib loop, incremental, a night.

Issue 15's targets at scale 1.0 (about 5,000 open invoices of 1,000 clients, seeded through RPC with the
project's seeder; 10% of the clients at the letter tier): full sync <= 1.0x the bare paging loop in-process
on JSON-RPC and <= 1.2x on XML-RPC; incremental with nothing new <= 10% of the full sync; a whole nightly
pass (write-back on, SMTP to a local capture server) <= 10x the bare read of the same invoices; no
notification email queued in Odoo by the write-backs; the sync after that night reports 0 changed.
Every run is in this process (the client side is what is measured; Odoo is its own process as in production).
Skips, saying so, when ../shared/odoo is not beside the project.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KIT = Path(os.environ.get("OVERDUE_REMINDER_ODOO_KIT", ROOT.parent / "shared" / "odoo"))
WORK = ROOT / ".odoo" / "bench"
SEEDED = ROOT / ".odoo" / "bench-seeded"  # the seeded database, restored by odoo-up instead of seeding again
LETTER_TIER = ((95, 0.5), (150, 0.5))  # these clients' oldest invoices are past the letter tier (90 days)
EMAIL_TIERS = ((-20, 0.2), (3, 0.3), (10, 0.3), (35, 0.2))  # the rest: courtesy, friendly and firm reminders
SEED, BATCH = 15, 250
OPEN = [("move_type", "in", ["out_invoice", "out_refund"]), ("state", "=", "posted"),
        ("payment_state", "in", ["not_paid", "partial"])]


def _kit_key() -> str:
    """The name odoo-up gives its cached database (the hash of the kit's archive, requirements and script)."""
    h = hashlib.sha256()
    for name in ("odoo-17.0-min.tar.xz", "requirements.txt", "odoo-up"):
        h.update((KIT / name).read_bytes())
    return h.hexdigest()[:16]


def _seed_key(clients_n: int) -> str:
    """Same seeder, same sizes, same day: the same firm (the seeder is deterministic; dates count from today)."""
    h = hashlib.sha256((ROOT / "overdue_reminder" / "sandbox" / "odoo_seed.py").read_bytes())
    h.update(repr((clients_n, LETTER_TIER, EMAIL_TIERS, SEED, BATCH, date.today().isoformat())).encode())
    return h.hexdigest()[:16]


def _seeded_cache(clients_n: int) -> Path | None:
    """The folder holding this firm's seeded database as odoo-up's cache, if there is one that odoo-up will use."""
    default = Path(os.environ.get("ODOO_CACHE", "/var/tmp/odoo-17.0-min-cache"))
    key = _kit_key()
    folder = SEEDED / _seed_key(clients_n)
    if not (default / f"{key}.dump").exists():  # odoo-up names its cache otherwise now: seed afresh
        return None
    if all((folder / n).exists() for n in (f"{key}.dump", f"{key}.filestore.tar", "seed.json")):
        return folder
    return None


def _save_seeded(clients_n: int, seeded_json: str) -> None:
    """Dump the freshly seeded database the way odoo-up caches its own, so the next run restores it."""
    pgbins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    if not pgbins:
        return
    pg = Path((WORK / "pgdir").read_text(encoding="utf-8").strip())
    port = (pg / "port").read_text(encoding="utf-8").strip()
    key = _kit_key()
    shutil.rmtree(SEEDED, ignore_errors=True)  # one seeded firm kept: the newest
    folder = SEEDED / _seed_key(clients_n)
    folder.mkdir(parents=True)
    env = {**os.environ, "PGPASSWORD": "odoo"}
    subprocess.run([pgbins[-1], "-h", "127.0.0.1", "-p", port, "-U", "odoo", "-Fc", "-f", str(folder / "tmp.dump"),
                    "odoo_test"], env=env, check=True)
    subprocess.run(["tar", "-cf", str(folder / "tmp.tar"), "-C", str(WORK / "data" / "filestore"), "odoo_test"],
                   check=True)
    (folder / "seed.json").write_text(seeded_json, encoding="utf-8")
    (folder / "tmp.dump").rename(folder / f"{key}.dump")
    (folder / "tmp.tar").rename(folder / f"{key}.filestore.tar")


def _up(cache: Path | None = None) -> dict[str, str]:
    subprocess.run([str(KIT / "odoo-down"), str(WORK)], capture_output=True, check=False)
    log = WORK.parent / "bench-odoo-up.log"
    env = {**os.environ, "ODOO_CACHE": str(cache)} if cache else None
    with open(log, "w", encoding="utf-8") as err:
        res = subprocess.run([str(KIT / "odoo-up"), str(WORK)], stdout=subprocess.PIPE, stderr=err, text=True,
                             check=False, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"odoo-up failed; see {log}")
    env = dict(line.split("=", 1) for line in res.stdout.split() if "=" in line)
    env["ODOO_LOG"] = str(WORK / "odoo.log")
    return env


def _bare(env: dict[str, str], protocol: str) -> dict[str, Any]:
    """What a developer would write by hand with odoo-client-lib: page the open set, same fields."""
    import odoolib

    from overdue_reminder.sources.odoo import INVOICE_FIELDS

    t0 = time.perf_counter()
    conn = odoolib.get_connection(hostname=env["ODOO_HOST"], protocol=protocol, port=int(env["ODOO_PORT"]),
                                  database=env["ODOO_DB"], login=env["ODOO_LOGIN"], password=env["ODOO_PASSWORD"])
    conn.check_login()
    obj = conn.get_service("object")
    last, rows, calls = 0, 0, 0
    while True:
        page = obj.execute_kw(env["ODOO_DB"], conn.user_id, env["ODOO_PASSWORD"], "account.move", "search_read",
                              [[*OPEN, ("id", ">", last)]], {"fields": INVOICE_FIELDS, "order": "id", "limit": 1000})
        calls += 1
        rows += len(page)
        if page:
            last = page[-1]["id"]
        if len(page) < 1000:
            break
    return {"seconds": time.perf_counter() - t0, "rows": rows, "calls": calls}


def _settings(env: dict[str, str], protocol: str) -> Any:
    from overdue_reminder.config import OdooSettings

    return OdooSettings(host=env["ODOO_HOST"], port=int(env["ODOO_PORT"]), protocol=protocol,  # type: ignore[arg-type]
                        database=env["ODOO_DB"], login=env["ODOO_LOGIN"], timeout_seconds=300,
                        trust_account_code="2150")


def _sync(env: dict[str, str], protocol: str, store_path: Path, *, cold: bool = False) -> dict[str, Any]:
    from overdue_reminder.sources.odoo import OdooSource
    from overdue_reminder.sources.rpc import forget_sessions

    if cold:  # a fresh process: it logs in (Odoo hashes the password, ~0.5 s), as the bare loop does
        forget_sessions()
    from overdue_reminder.services.sync import sync
    from overdue_reminder.store import Store

    store = Store(f"sqlite:///{store_path}")
    store.ensure_ready()
    t0 = time.perf_counter()
    report = sync(store, OdooSource(_settings(env, protocol), env["ODOO_PASSWORD"], trust_account_code="2150"))
    seconds = time.perf_counter() - t0
    store.dispose()
    return {"seconds": seconds, "calls": report.rpc_calls, "new": report.new, "changed": report.changed,
            "closed": report.closed, "kind": report.kind, "phases": report.phases}


NIGHT_CONFIG = """
[firm]
name = "Harper & Lowe LLP"
address = ["350 Fifth Avenue, Suite 4100", "New York, NY 10118"]
phone = "+1 212 555 0100"
email = "billing@harperlowe.example"
timezone = "UTC"
jurisdiction = "NY"

[odoo]
host = "{host}"
port = {port}
protocol = "jsonrpc"
database = "{db}"
login = "{login}"
password_env = "BENCH_ODOO_PASSWORD"
trust_account_code = "2150"
timeout_seconds = 300
write_back = true

[store]
path = "{store}"

[policy]
# the bench firm has no reminder history: clients past 90 days get their letter tonight
skip_tiers = true

[letters]
dir = "letters"
pdf = "never"
write_back = true

[letters.jurisdictions.NY.form_files]
"UCS 137-1" = "forms/SAMPLE-UCS-137-1.txt"
"UCS 137-2" = "forms/SAMPLE-UCS-137-2.txt"

[[policy.tiers]]
name = "courtesy"
days = -3
channel = "email"
auto_send = true

[[policy.tiers]]
name = "friendly"
days = 7
channel = "email"
auto_send = true

[[policy.tiers]]
name = "firm"
days = 30
channel = "email"
auto_send = true

[[policy.tiers]]
name = "escalation"
days = 90
channel = "letter"
attorney_review = true

[delivery]
mode = "smtp"
from_address = "billing@harperlowe.example"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
smtp_security = "none"
smtp_username = ""
send_window = "00:00-23:59"
business_days_only = false
max_per_run = 100000
write_back_notes = true

[digest]
billing_staff = ["billing@harperlowe.example"]

[payment]
verify_phone = "+1 212 555 0100"

[[payment.channels]]
label = "Bank transfer (USD)"
details = ["First Example Bank, New York", "ABA routing 021000021", "Account 1234567890"]
"""


class _Count:
    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        return "250 2.0.0 queued"


def _night(env: dict[str, str], synced: Path, tmp: Path) -> dict[str, Any]:
    """One whole nightly pass on a desk synced the night before: SMTP to a local capture, write-back on."""
    import socket

    from aiosmtpd.controller import Controller

    from overdue_reminder import config
    from overdue_reminder.run.pipeline import run_once
    from overdue_reminder.sources.odoo import OdooSource
    from overdue_reminder.store import Store

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        smtp_port = s.getsockname()[1]
    counter = _Count()
    ctrl = Controller(counter, hostname="127.0.0.1", port=smtp_port)
    ctrl.start()
    night = tmp / "night"
    night.mkdir()
    shutil.copy(synced, night / "store.db")
    cfg = night / "overdue-reminder.toml"
    from overdue_reminder.services.letter_enclosures import write_sample_forms

    write_sample_forms(night / "forms")  # the NY notice encloses them
    cfg.write_text(NIGHT_CONFIG.format(host=env["ODOO_HOST"], port=env["ODOO_PORT"], db=env["ODOO_DB"],
                                       login=env["ODOO_LOGIN"], store=night / "store.db", smtp_port=smtp_port),
                   encoding="utf-8")
    cfg.chmod(0o600)
    os.environ["BENCH_ODOO_PASSWORD"] = env["ODOO_PASSWORD"]
    settings = config.load(str(cfg))
    store = Store(settings.store_url)
    profile = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
    try:
        t0 = time.perf_counter()
        if profile is not None:
            profile.enable()
        report = run_once(settings, store, lambda: OdooSource(settings.odoo, settings.odoo_password(),
                                                              trust_account_code="2150"),
                          date.today(), now=lambda: datetime.now(UTC))
        seconds = time.perf_counter() - t0
        if profile is not None:
            import pstats

            profile.disable()
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    finally:
        store.dispose()
        ctrl.stop()
    return {"seconds": seconds, "report": report.as_dict(), "smtp": counter.messages, "store": night / "store.db"}


def _mail_count(env: dict[str, str]) -> int:
    from overdue_reminder.sandbox.odoo_seed import client_from_env

    c = client_from_env(env)
    try:
        return int(c.execute("mail.mail", "search_count", []))
    finally:
        c.close()


def _warnings(env: dict[str, str], start: int) -> int:
    with open(env["ODOO_LOG"], "rb") as fh:
        fh.seek(start)
        return sum(1 for ln in fh.read().decode("utf-8", "replace").splitlines() if " WARNING " in ln)


def _seed(seeder: Any, clients_n: int) -> Any:
    """The bench firm: a tenth of the clients past the letter tier, the rest in the email tiers."""
    from overdue_reminder.sandbox.odoo_seed import Seeded

    seeded = Seeded(today=date.today().isoformat(), company_currency="USD")
    seeder.currencies()
    seeder.attorneys(seeded)
    people = seeder.clients(seeded, clients_n)
    seeder.invoices(seeded, people[: clients_n // 10], 5.0, buckets=LETTER_TIER)
    seeder.invoices(seeded, people[clients_n // 10:], 5.0, buckets=EMAIL_TIERS)
    seeder.trust_deposits(seeded, people[::5])
    return seeded


def run(scale: float) -> list[dict[str, Any]]:
    if not (KIT / "odoo-up").exists():
        print(f"   SKIPPED: {KIT}/odoo-up not found (needs ../shared/odoo beside the project)", file=sys.stderr)
        return []
    sys.path.insert(0, str(ROOT))
    from overdue_reminder.sandbox.odoo_seed import OdooSeeder, Seeded, client_from_env

    clients_n = max(50, round(1000 * scale))
    t_up = time.perf_counter()
    cache = _seeded_cache(clients_n)
    env = _up(cache)
    up_s = time.perf_counter() - t_up
    tmp = Path(tempfile.mkdtemp(prefix="bench-odoo-"))
    try:
        admin = client_from_env(env)
        seeder = OdooSeeder(admin, seed=SEED, batch=BATCH)
        t0 = time.perf_counter()
        seeded = Seeded.from_json((cache / "seed.json").read_text(encoding="utf-8")) if cache else None
        if seeded is not None and admin.execute("account.move", "search_count", [
                ("move_type", "in", ["out_invoice", "out_refund"])]) != len(seeded.invoices):
            seeded = None  # not the database the cache promised: seed afresh on a fresh server
            env = _up()
            admin = client_from_env(env)
            seeder = OdooSeeder(admin, seed=SEED, batch=BATCH)
        if seeded is None:
            seeded = _seed(seeder, clients_n)
            seed_note = f"seeded through RPC in {time.perf_counter() - t0:.0f}s"
            _save_seeded(clients_n, seeded.to_json())
        else:
            seed_note = f"seeded database restored from {cache} (seeding through RPC skipped)"
        print(f"   {len(seeded.invoices)} invoices of {clients_n} clients: {seed_note}", file=sys.stderr, flush=True)
        _sync(env, "jsonrpc", tmp / "warm.db")  # warm Odoo's caches once, like a server that has been up
        bare: dict[str, list[dict[str, Any]]] = {"jsonrpc": [], "xmlrpc": []}
        full: dict[str, list[dict[str, Any]]] = {"jsonrpc": [], "xmlrpc": []}
        for i in range(3):  # alternated, so both see the same machine
            for proto in ("jsonrpc", "xmlrpc"):
                bare[proto].append(_bare(env, proto))
                full[proto].append(_sync(env, proto, tmp / f"{proto}{i}.db", cold=True)
                                   | {"path": tmp / f"{proto}{i}.db"})
        best = {p: min(full[p], key=lambda r: r["seconds"]) for p in full}
        bare_s = {p: min(b["seconds"] for b in bare[p]) for p in bare}
        store_path = best["jsonrpc"]["path"]
        nothing_cold = min((_sync(env, "jsonrpc", store_path, cold=True) for _ in range(3)),
                           key=lambda r: r["seconds"])
        nothing = min((_sync(env, "jsonrpc", store_path) for _ in range(3)), key=lambda r: r["seconds"])
        open_ids = [i for i in seeded.open_invoices()]
        paid = open_ids[:: max(1, round(len(open_ids) / max(1, len(open_ids) // 100)))][: max(1, len(open_ids) // 100)]
        seeder.pay_full(seeded, paid)
        after_pay = _sync(env, "jsonrpc", store_path)
        mails_before = _mail_count(env)
        log_start = os.path.getsize(env["ODOO_LOG"])
        night = _night(env, store_path, tmp)
        queued = _mail_count(env) - mails_before
        warnings = _warnings(env, log_start)
        next_sync = _sync(env, "jsonrpc", night["store"])
        bare_night = min(_bare(env, "jsonrpc")["seconds"] for _ in range(3))
        steps = night["report"]["steps"]
        rows = bare["jsonrpc"][0]["rows"]
        admin.close()
        return [
            {"name": "open invoices in Odoo", "value": rows, "unit": "rows",
             "note": f"{clients_n} clients; {seed_note}; odoo-up {up_s:.0f}s"},
            *[r for p in ("jsonrpc", "xmlrpc") for r in (
                {"name": f"bare odoolib loop ({p})", "value": bare_s[p], "unit": "s",
                 "note": f"{bare[p][0]['calls']} calls, best of 3"},
                {"name": f"full sync ({p})", "value": best[p]["seconds"], "unit": "s",
                 "note": f"{best[p]['new']} invoices, {best[p]['calls']} calls; phases {best[p]['phases']}"},
                {"name": f"full sync / bare loop ({p})", "value": best[p]["seconds"] / bare_s[p], "unit": "ratio",
                 "note": "target <= 1.0" if p == "jsonrpc" else "target <= 1.2"})],
            {"name": "incremental, nothing new", "value": nothing["seconds"], "unit": "s",
             "note": f"{nothing['calls']} calls, {nothing['changed']} changed; phases {nothing['phases']}"},
            {"name": "incremental nothing new / full", "value": nothing["seconds"] / best["jsonrpc"]["seconds"],
             "unit": "ratio", "note": "target <= 0.10; the desk's service is logged in already"},
            {"name": "incremental, nothing new, fresh process", "value": nothing_cold["seconds"], "unit": "s",
             "note": f"with the login; phases {nothing_cold['phases']}"},
            {"name": "incremental nothing new fresh process / full",
             "value": nothing_cold["seconds"] / best["jsonrpc"]["seconds"], "unit": "ratio",
             "note": "both log in once"},
            {"name": "incremental after 1% paid", "value": after_pay["seconds"], "unit": "s",
             "note": f"{len(paid)} paid: {after_pay['closed']} closed, {after_pay['changed']} changed, "
                     f"{after_pay['calls']} calls"},
            {"name": "incremental 1% paid / full", "value": after_pay["seconds"] / best["jsonrpc"]["seconds"],
             "unit": "ratio", "note": ""},
            {"name": "nightly pass", "value": night["seconds"], "unit": "s",
             "note": f"plan {steps.get('plan')}; drafts {steps.get('drafts')}; letters {steps.get('letters')}; "
                     f"{night['smtp']} emails over SMTP; seconds {night['report']['seconds']}"},
            {"name": "nightly pass / bare read", "value": night["seconds"] / bare_night, "unit": "ratio",
             "note": f"bare read {bare_night:.2f}s; target <= 10"},
            {"name": "notification emails queued by the night", "value": queued, "unit": "mails",
             "note": "target 0"},
            {"name": "Odoo warnings during the night", "value": warnings, "unit": "lines", "note": "target 0"},
            {"name": "changed in the sync after the night", "value": next_sync["changed"], "unit": "invoices",
             "note": f"target 0; {next_sync['calls']} calls, {next_sync['seconds']:.2f}s"},
        ]
    finally:
        subprocess.run([str(KIT / "odoo-down"), str(WORK)], capture_output=True, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for r in run(float(sys.argv[1]) if len(sys.argv) > 1 else 0.1):
        print(r)

