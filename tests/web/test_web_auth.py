"""Sign-in against Odoo (a fake here; the sandbox in the browser tests), sessions, rate limits, cookies, headers,
the [web] settings and the `web` command."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import delete
from web_factory import CLERK, DANA, PARTNER, PASSWORD, SAM, STRANGER, FakeOdoo, Firm, csrf_from, sign_in

from overdue_reminder import config
from overdue_reminder.cli import cli
from overdue_reminder.config import Settings
from overdue_reminder.errors import ConfigError, SourceError
from overdue_reminder.store.schema import attorneys
from overdue_reminder.web.auth import OdooUser
from overdue_reminder.web.security import load_secret_key
from overdue_reminder.web.throttle import Lockout


def _login(client: Any, login: str, password: str, ip: str = "127.0.0.1", **extra: str) -> Any:
    page = client.get("/login", environ_base={"REMOTE_ADDR": ip})
    return client.post("/login", data={"login": login, "password": password, "csrf_token": csrf_from(page.text),
                                       **extra}, environ_base={"REMOTE_ADDR": ip})


def test_sign_in_with_the_odoo_login_and_nothing_else_kept(app: Flask, odoo: FakeOdoo) -> None:
    client = app.test_client()
    resp = _login(client, DANA.login, PASSWORD)
    assert resp.status_code == 303 and resp.headers["Location"] == "/queue"
    assert odoo.calls == [DANA.login]
    with client.session_transaction() as sess:
        assert sess["user"] == {"uid": DANA.id, "login": DANA.login, "email": DANA.email, "name": DANA.name}
        assert set(sess) <= {"user", "sid", "iat", "csrf", "_permanent", "_flashes"}
        assert PASSWORD not in repr(dict(sess))
    page = client.get("/queue")
    assert page.status_code == 200 and DANA.name in page.text and "Attorney" in page.text


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(app: Flask) -> None:
    client = app.test_client()
    resp = _login(client, DANA.login, "wrong")
    assert resp.status_code == 401 and "Odoo did not accept that login and password." in resp.text
    assert client.get("/queue").status_code == 302


def test_a_valid_odoo_user_without_a_role_gets_no_session(app: Flask) -> None:
    client = app.test_client()
    resp = _login(client, STRANGER, PASSWORD)
    assert resp.status_code == 403 and "no role on the review page" in resp.text
    assert client.get("/queue").status_code == 302


def test_odoo_unreachable_is_a_503_and_not_a_failed_attempt(app: Flask, odoo: FakeOdoo,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def down(login: str, password: str) -> OdooUser:
        raise SourceError("connection refused")

    monkeypatch.setattr(odoo, "users", {})
    ctx = app.extensions["overdue_reminder"]
    monkeypatch.setattr(ctx, "auth", down)
    client = app.test_client()
    for _ in range(5):
        resp = _login(client, DANA.login, PASSWORD)
        assert resp.status_code == 503 and "cannot be reached" in resp.text
    assert ctx.guard.retry_after("127.0.0.1", DANA.login) == 0


def test_roles_come_from_config_and_the_attorneys_table(app: Flask) -> None:
    for login, label in ((PARTNER, "Supervising partner"), (CLERK, "Billing staff"), (SAM.login, "Attorney")):
        client = app.test_client()
        sign_in(client, login)
        assert f'<span class="role">{label}</span>' in client.get("/queue").text


def test_the_role_is_worked_out_on_every_request(app: Flask, web_store: Any) -> None:
    client = app.test_client()
    sign_in(client, DANA.login)
    assert client.get("/queue").status_code == 200
    with web_store.begin() as conn:
        conn.execute(delete(attorneys).where(attorneys.c.id == DANA.id))
    resp = client.get("/queue")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_login_rate_limit_per_login(app: Flask, odoo: FakeOdoo) -> None:
    client = app.test_client()
    for i in range(3):  # login_failures_per_login = 3, each from another address
        assert _login(client, DANA.login, "wrong", ip=f"10.0.0.{i}").status_code == 401
    calls = len(odoo.calls)
    resp = _login(client, DANA.login, PASSWORD, ip="10.0.0.99")
    assert resp.status_code == 429 and "Too many failed sign-ins" in resp.text
    assert int(resp.headers["Retry-After"]) > 0
    assert len(odoo.calls) == calls  # Odoo is not even asked
    assert _login(client, SAM.login, PASSWORD, ip="10.0.0.99").status_code == 303  # other logins are unaffected


def test_login_rate_limit_per_address(app: Flask, odoo: FakeOdoo) -> None:
    client = app.test_client()
    for i in range(6):  # login_failures_per_ip = 6, each for another login
        assert _login(client, f"guess{i}@example.com", "wrong", ip="10.9.9.9").status_code == 401
    resp = _login(client, DANA.login, PASSWORD, ip="10.9.9.9")
    assert resp.status_code == 429
    assert _login(client, DANA.login, PASSWORD, ip="10.9.9.10").status_code == 303


def test_a_successful_sign_in_clears_the_logins_failures(app: Flask) -> None:
    client = app.test_client()
    for _ in range(2):
        _login(client, DANA.login, "wrong")
    assert _login(client, DANA.login, PASSWORD).status_code == 303
    ctx = app.extensions["overdue_reminder"]
    assert ctx.guard.per_login.retry_after(DANA.login) == 0 and len(ctx.guard.per_login) == 0


def test_lockouts_double_up_to_the_cap_and_a_quiet_window_forgives() -> None:
    now = [100.0]
    lo = Lockout(limit=2, window_seconds=600, base_seconds=60, cap_seconds=300, clock=lambda: now[0])
    lo.fail("k")
    assert lo.retry_after("k") == 0
    waits = []
    for _ in range(5):
        lo.fail("k")
        lo.fail("k")
        waits.append(lo.retry_after("k"))
        now[0] += waits[-1]
        assert lo.retry_after("k") == 0
    assert waits[:4] == [60, 120, 240, 300] and waits[4] == 300  # doubled, then held at the cap
    now[0] += 601  # a quiet window after the last lock: forgotten, the next lock is short again
    lo.fail("k")
    lo.fail("k")
    assert lo.retry_after("k") == 60


def test_lockout_memory_is_bounded() -> None:
    lo = Lockout(limit=5, window_seconds=600, base_seconds=60, cap_seconds=300, max_keys=100)
    for i in range(1000):
        lo.fail(f"spray{i}")
    assert len(lo) <= 100


def test_session_cookie_is_secure_httponly_samesite(app: Flask) -> None:
    client = app.test_client()
    resp = _login(client, DANA.login, PASSWORD)
    cookies = {c.split("=", 1)[0]: c for c in resp.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"__Host-overdue-reminder", "__Host-overdue-reminder-device"}
    for name, same_site in (("__Host-overdue-reminder", "SameSite=Lax"),
                            ("__Host-overdue-reminder-device", "SameSite=Strict")):
        for attr in ("Secure", "HttpOnly", same_site, "Path=/"):
            assert attr in cookies[name]
        assert "Domain" not in cookies[name]


def test_sign_out_revokes_the_cookie(app: Flask) -> None:
    client = app.test_client()
    token = sign_in(client, DANA.login)
    saved = client.get_cookie("__Host-overdue-reminder")
    assert saved is not None
    resp = client.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 303 and resp.headers["Location"] == "/login"
    thief = app.test_client()
    thief.set_cookie("__Host-overdue-reminder", saved.value)
    assert thief.get("/queue").status_code == 302


def test_sessions_expire(app: Flask, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    client = app.test_client()
    sign_in(client, DANA.login)
    later = time.time() + settings.web.session_minutes * 60 + 5
    monkeypatch.setattr("overdue_reminder.web.views.time", SimpleNamespace(time=lambda: later))
    assert client.get("/queue").status_code == 302


def test_a_tampered_cookie_is_ignored(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, DANA.login)
    cookie = client.get_cookie("__Host-overdue-reminder")
    assert cookie is not None
    forged = app.test_client()
    forged.set_cookie("__Host-overdue-reminder", cookie.value.replace(cookie.value[5], "A" if cookie.value[5] != "A"
                                                                        else "B", 1))
    assert forged.get("/queue").status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example",
                                    "/%09/evil.example", "/%2509/evil.example", "/\n/evil.example", "%2F%2Fevil.example",
                                    "/%2F/evil.example", "/%5Cevil.example", "\\\\evil.example", "javascript:alert(1)",
                                    "///evil.example", " //evil.example", "/\r\n/evil.example", "http:/evil.example"])
def test_next_never_leaves_the_site(app: Flask, target: str) -> None:
    client = app.test_client()
    page = client.get("/login", query_string={"next": target})
    resp = client.post("/login", data={"login": DANA.login, "password": PASSWORD, "next": target,
                                       "csrf_token": csrf_from(page.text)})
    assert resp.headers["Location"] == "/queue"


def test_next_within_the_site_is_followed(app: Flask, firm: Firm) -> None:
    client = app.test_client()
    first = client.get(f"/letters/{firm.letter_a.id}")
    assert first.headers["Location"] == f"/login?next=/letters/{firm.letter_a.id}"
    resp = _login(client, DANA.login, PASSWORD, next=f"/letters/{firm.letter_a.id}")
    assert resp.headers["Location"] == f"/letters/{firm.letter_a.id}"


def test_security_headers_on_every_page(app: Flask, firm: Firm) -> None:
    client = app.test_client()
    for resp in (client.get("/login"), client.get("/nope")):
        assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["Cache-Control"] == "no-store"
    sign_in(client, DANA.login)
    page = client.get(f"/letters/{firm.letter_a.id}")
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Server-Timing"].startswith("app;dur=")
    css = client.get("/static/web.css")
    assert css.status_code == 200 and "no-store" not in css.headers.get("Cache-Control", "")
    assert "http" not in page.text.split("<body>")[0].replace('http-equiv', '')  # no external assets


# ---------------------------------------------------------------- settings and the command
def test_web_settings_defaults_and_checks(tmp_path: Path) -> None:
    s = config.parse("")
    assert (s.web.host, s.web.port, s.web.secure_cookies, s.web.same_site) == ("127.0.0.1", 8470, True, "Lax")
    for text, key in (("[web]\nport = 70000", "web.port"), ("[web]\nsession_minutes = 1", "web.session_minutes"),
                      ('[web]\nbilling_staff = ["a@x"]\nsupervising_partners = ["A@x"]', "web.billing_staff[0]"),
                      ("[web]\nsame_site = \"None\"", "web.same_site"), ("[web]\npage_size = 5", "web.page_size")):
        with pytest.raises(ConfigError) as err:
            config.parse(text)
        assert f"[{key}]" in str(err.value)


def test_secret_key_from_env_file_or_ephemeral(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "c.toml"
    key_file = tmp_path / "web.key"
    key_file.write_text("k" * 40 + "\n")
    os.chmod(key_file, 0o600)
    s = config.parse('[web]\nsecret_key_env = "MY_WEB_KEY"\nsecret_key_file = "web.key"\n', str(cfg))
    monkeypatch.setenv("MY_WEB_KEY", "e" * 40)
    assert load_secret_key(s) == (b"e" * 40, False)
    monkeypatch.delenv("MY_WEB_KEY")
    assert load_secret_key(s) == (b"k" * 40, False)
    os.chmod(key_file, 0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        load_secret_key(s)
    os.chmod(key_file, 0o600)
    key_file.write_text("short")
    with pytest.raises(ConfigError, match="at least 32"):
        load_secret_key(s)
    none = config.parse('[web]\nsecret_key_env = "MY_WEB_KEY"\n', str(cfg))
    first, ephemeral = load_secret_key(none)
    assert ephemeral and len(first) == 32 and load_secret_key(none)[0] != first


def test_web_command_serves_on_loopback_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import waitress

    served: dict[str, Any] = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.update(app=app, **kw))
    cfg = tmp_path / "overdue-reminder.toml"
    cfg.write_text('[odoo]\ndatabase = "firm"\n[store]\npath = "s.db"\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(cfg), "web"])
    assert res.exit_code == 0, res.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 8470)
    assert isinstance(served["app"], Flask)
    res = CliRunner().invoke(cli, ["--config", str(cfg), "web", "--host", "0.0.0.0", "--port", "9000"])
    assert res.exit_code == 0 and (served["host"], served["port"]) == ("0.0.0.0", 9000)
    assert "not loopback" in res.output
