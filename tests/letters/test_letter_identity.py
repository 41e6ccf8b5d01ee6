"""Identity at the decision: on the command line an approval needs proof (the person's own Odoo login checked by
Odoo, or a mapped operating-system account), never a typed name; on the review page the role comes from the uid
Odoo authenticated, never from the email a user may edit. Both against the sandbox Odoo over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from letter_factory import CLIENT, CONTACT, NOW, PARTNER_EMAIL, line, make_action, make_settings

from overdue_reminder.cli import main
from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Role
from overdue_reminder.errors import AuthError, SourceError
from overdue_reminder.model import Attorney, Invoice, InvoiceKind
from overdue_reminder.sandbox import ATTORNEY_PASSWORD, CLERK_LOGIN, CLERK_PASSWORD
from overdue_reminder.sandbox.constants import ATTORNEYS, CLERK_UID
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.services import identity
from overdue_reminder.services.letters import create_letter, get_letter
from overdue_reminder.sources.rpc import RpcClient
from overdue_reminder.store import Store, read_audit
from overdue_reminder.store.ledger import store_attorneys, store_invoices, store_partners
from overdue_reminder.web.auth import OdooAuthenticator, resolve_identity

ELEANOR = ATTORNEYS[0]  # (uid 6, partner, name, login)
JAMES = ATTORNEYS[1]


def _desk(tmp_path: Path, sb: RunningSandbox, extra: str = "") -> tuple[Settings, Store, int]:
    o = sb.odoo_settings()
    settings = make_settings(tmp_path, extra=extra + f"""
[odoo]
host = "127.0.0.1"
port = {o.port}
protocol = "jsonrpc"
database = "{o.database}"
login = "{o.login}"
""")
    store = Store(settings.store_url)
    store.upgrade()
    with store.begin() as conn:
        store_partners(conn, [CLIENT, CONTACT], NOW)
        store_attorneys(conn, [Attorney(a[0], a[2], a[3], a[3]) for a in (ELEANOR, JAMES)])
    now = datetime.now(UTC)  # the command line decides on the real clock: the letter is today's
    ln = line(7001, "INV/7001", "900.00", due=now.date() - timedelta(days=120), issued=now.date() - timedelta(days=150))
    lid = create_letter(store, settings, make_action((ln,), attorney_id=ELEANOR[0]), today=now.date(),
                        now=now).letter.id
    with store.begin() as conn:
        store_invoices(conn, [Invoice(7001, ln.name, InvoiceKind.INVOICE, CLIENT.id, CLIENT.id, ELEANOR[0], ln.matter_ref,
                                      "USD", ln.amount_total, ln.amount_residual, ln.invoice_date, ln.due_date,
                                      "not_paid", True)], NOW)
    return settings, store, lid


def run(settings: Settings, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["--config", settings.config_path, *args])
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def _approval(store: Store, lid: int) -> dict[str, object]:
    with store.begin() as conn:
        entries = [e for e in read_audit(conn, "letter", lid) if e.action == "letter.approved"]
    return dict(entries[-1].detail["approved_by"]) if entries else {}


def test_a_typed_name_does_not_approve(tmp_path: Path, sandbox: RunningSandbox,
                                       capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OVERDUE_REMINDER_MY_ODOO_SECRET", raising=False)
    settings, store, lid = _desk(tmp_path, sandbox)
    code, _, err = run(settings, capsys, "letters", "approve", str(lid), "--by", ELEANOR[3])
    assert code == 2 and "did not prove who they are" in err and "Proven authority" in err
    assert get_letter(store, lid).status == "awaiting_review"


def test_the_attorneys_own_odoo_login_approves_and_is_audited(tmp_path: Path, sandbox: RunningSandbox,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings, store, lid = _desk(tmp_path, sandbox)
    monkeypatch.setenv("OVERDUE_REMINDER_MY_ODOO_SECRET", "wrong")
    code, _, err = run(settings, capsys, "--as", ELEANOR[3], "letters", "approve", str(lid))
    assert code == 3 and get_letter(store, lid).status == "awaiting_review", err
    monkeypatch.setenv("OVERDUE_REMINDER_MY_ODOO_SECRET", ATTORNEY_PASSWORD)
    code, _, err = run(settings, capsys, "--as", JAMES[3], "letters", "approve", str(lid))
    assert code == 2 and "not the responsible attorney" in err  # proven, but not hers to decide
    code, _, err = run(settings, capsys, "--as", ELEANOR[3], "letters", "approve", str(lid))
    assert code == 0, err
    assert _approval(store, lid) == {"name": ELEANOR[3], "role": "attorney", "proof": "odoo-login",
                                     "odoo_uid": ELEANOR[0]}


def test_a_mapped_operating_system_account_approves(tmp_path: Path, sandbox: RunningSandbox,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    me = identity.current_os_user()
    settings, store, lid = _desk(tmp_path, sandbox, extra=f'[identity]\nos_users = {{ {me} = "{ELEANOR[3]}" }}\n')
    code, _, err = run(settings, capsys, "letters", "approve", str(lid), "--by", "anyone at all")
    assert code == 0, err
    assert _approval(store, lid)["proof"] == f"os-user:{me}"
    assert _approval(store, lid)["odoo_uid"] == ELEANOR[0]


def _sign_in(settings: Settings, store: Store, login: str, password: str) -> tuple[str | None, int | None]:
    user = OdooAuthenticator(settings.odoo)(login, password)
    with store.begin() as conn:
        ident = resolve_identity(settings, conn, user)
    return (ident.role, ident.attorney_id) if ident else (None, None)


def _set_own_email(settings: Settings, login: str, password: str, uid: int, email: str) -> None:
    o = settings.odoo
    client = RpcClient(o.protocol, o.host, o.port, o.database, login, password, timeout=5, retries=0)
    try:
        client.authenticate()
        client.execute("res.users", "write", [uid], {"email": email})
    finally:
        client.close()


def test_changing_ones_own_email_in_odoo_changes_no_role(tmp_path: Path, sandbox: RunningSandbox) -> None:
    settings, store, _ = _desk(tmp_path, sandbox)
    assert _sign_in(settings, store, ELEANOR[3], ATTORNEY_PASSWORD) == ("attorney", ELEANOR[0])
    _set_own_email(settings, ELEANOR[3], ATTORNEY_PASSWORD, ELEANOR[0], PARTNER_EMAIL)  # Odoo lets her
    assert _sign_in(settings, store, ELEANOR[3], ATTORNEY_PASSWORD) == ("attorney", ELEANOR[0])
    _set_own_email(settings, CLERK_LOGIN, CLERK_PASSWORD, CLERK_UID, JAMES[3])
    assert _sign_in(settings, store, CLERK_LOGIN, CLERK_PASSWORD) == (None, None)
    with pytest.raises(SourceError):  # nor may anyone write someone else's
        _set_own_email(settings, CLERK_LOGIN, CLERK_PASSWORD, JAMES[0], "x@example.com")


def test_prove_with_odoo_refuses_a_wrong_secret(tmp_path: Path, sandbox: RunningSandbox) -> None:
    settings, store, _ = _desk(tmp_path, sandbox)
    rules = identity.roles(settings, store)
    who = identity.prove_with_odoo(rules, identity.OdooLogin(settings.odoo), ELEANOR[3], ATTORNEY_PASSWORD)
    assert (who.role, who.odoo_uid, who.proof) == (Role.ATTORNEY, ELEANOR[0], "odoo-login")
    partner = identity.Roles(frozenset({ELEANOR[3]}), frozenset(), frozenset())
    assert identity.prove_with_odoo(partner, identity.OdooLogin(settings.odoo), ELEANOR[3],
                                    ATTORNEY_PASSWORD).role is Role.PARTNER
    with pytest.raises(AuthError):
        identity.prove_with_odoo(rules, identity.OdooLogin(settings.odoo), ELEANOR[3], "nope")
