"""Web sign-in against a real Odoo 17: an attorney's own password, an API key, and the refusals.

The API key is made the way a user makes one in Odoo's preferences: in a web session, `make_key` asks for
the password again (res.users.identitycheck) and then returns the key once. `_generate` is private, so RPC
alone cannot make one; the web session is the supported route.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from odoo_real_kit import odoo_settings

from overdue_reminder.errors import AuthError
from overdue_reminder.sandbox.odoo_seed import Seeded
from overdue_reminder.web.auth import OdooAuthenticator


def _call(web: httpx.Client, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
    resp = web.post(f"/web/dataset/call_kw/{model}/{method}", json={
        "jsonrpc": "2.0", "method": "call",
        "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}})
    data = resp.json()
    assert "error" not in data, data.get("error")
    return data.get("result")


def make_api_key(login: str, password: str) -> str:
    with httpx.Client(base_url=os.environ["ODOO_URL"], timeout=60) as web:
        auth = web.post("/web/session/authenticate", json={"jsonrpc": "2.0", "method": "call", "params": {
            "db": os.environ["ODOO_DB"], "login": login, "password": password}}).json()
        assert auth.get("result", {}).get("uid"), auth
        desc = _call(web, "res.users.apikeys.description", "create", [{"name": "overdue-reminder test"}])
        action = _call(web, "res.users.apikeys.description", "make_key", [[desc]])
        if action.get("res_model") == "res.users.identitycheck":  # Odoo asks for the password again
            check = action["res_id"]
            _call(web, "res.users.identitycheck", "write", [[check], {"password": password}])
            action = _call(web, "res.users.identitycheck", "run_check", [[check]])
        key = action["context"]["default_key"]
        assert isinstance(key, str) and len(key) >= 32
        return key


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
def test_attorney_signs_in_with_password_and_with_an_api_key(seeded: Seeded, protocol: Any) -> None:
    uid, login = next(iter(seeded.attorneys.items()))
    auth = OdooAuthenticator(odoo_settings(protocol))
    user = auth(login, seeded.attorney_password)
    assert (user.uid, user.login, user.email) == (uid, login, login)
    key = make_api_key(login, seeded.attorney_password)
    assert auth(login, key).uid == uid
    with pytest.raises(AuthError, match="refused the login"):
        auth(login, key[:-1] + ("x" if key[-1] != "x" else "y"))


def test_wrong_password_unknown_login_are_refused(seeded: Seeded) -> None:
    auth = OdooAuthenticator(odoo_settings())
    login = next(iter(seeded.attorneys.values()))
    with pytest.raises(AuthError, match="refused the login"):
        auth(login, "wrong-password")
    with pytest.raises(AuthError, match="refused the login"):
        auth("nobody@firm.test", seeded.attorney_password)


def test_a_user_without_accounting_rights_signs_in_but_cannot_read_invoices(seeded: Seeded) -> None:
    from odoo_real_kit import source

    user = OdooAuthenticator(odoo_settings())(seeded.no_rights_login, seeded.no_rights_password)
    assert user.uid == seeded.no_rights_uid  # Odoo knows them; the desk's roles decide what they see
    src = source(login=seeded.no_rights_login, password=seeded.no_rights_password)
    with pytest.raises(AuthError, match="lacks an access right"):
        src.check()


def test_review_page_sign_in_with_odoo_password_and_api_key(tmp_path: Path, seeded: Seeded) -> None:
    """The web app as deployed: create_app's default authenticator asks the real Odoo."""
    from odoo_real_kit import firm_config

    from overdue_reminder import config
    from overdue_reminder.services.sync import sync
    from overdue_reminder.sources.odoo import OdooSource
    from overdue_reminder.store import Store
    from overdue_reminder.web import create_app

    os.environ["OVERDUE_REMINDER_ODOO_PASSWORD"] = os.environ["ODOO_PASSWORD"]
    settings = config.load(str(firm_config(tmp_path)))
    store = Store(settings.store_url)
    store.upgrade()
    sync(store, OdooSource(settings.odoo, settings.odoo_password(), trust_account_code=settings.odoo.trust_account_code))
    app = create_app(settings, store, secret_key="k" * 48)
    app.testing = True
    login = next(iter(seeded.attorneys.values()))
    key = make_api_key(login, seeded.attorney_password)

    def sign_in(who: str, secret: str) -> Any:
        client = app.test_client()
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        return client, client.post("/login", data={"login": who, "password": secret, "csrf_token": token.group(1)})

    for secret in (seeded.attorney_password, key):
        client, resp = sign_in(login, secret)
        assert resp.status_code == 303 and resp.headers["Location"] == "/queue"
        page = client.get("/queue")
        assert page.status_code == 200 and "Attorney" in page.text
    _c, wrong = sign_in(login, "wrong-password")
    assert wrong.status_code == 401
    _c, stranger = sign_in(seeded.no_rights_login, seeded.no_rights_password)
    assert stranger.status_code == 403 and "no role on the review page" in stranger.text
    store.dispose()
