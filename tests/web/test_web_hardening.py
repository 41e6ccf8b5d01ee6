"""Issue 14 on the review page, tried as an attacker would: hostile uploads answer 413/400 and change nothing,
the final copy is re-verified before release, a signed-out cookie stays dead across a restart, failures from
a shared address lock out nobody on their own browser, huge ids are 404s, and no typed login is logged."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from web_factory import DANA, PARTNER, PASSWORD, SAM, TODAY, FakeOdoo, Firm, csrf_from, docx_bytes, make_app, sign_in

from overdue_reminder.config import Settings
from overdue_reminder.errors import PolicyError
from overdue_reminder.services.letters import approve_letter, get_letter, release_letter
from overdue_reminder.store import Store
from overdue_reminder.store.schema import audit, letters, revoked_sessions
from overdue_reminder.store.sessions import RevokedSessions

COOKIE = "__Host-overdue-reminder"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _login(client: FlaskClient, login: str, password: str, ip: str) -> Any:
    page = client.get("/login", environ_base={"REMOTE_ADDR": ip})
    return client.post("/login", data={"login": login, "password": password, "csrf_token": csrf_from(page.text)},
                       environ_base={"REMOTE_ADDR": ip})


def _with_document(xml: bytes, *, level: int = 6) -> bytes:
    """A real .docx whose word/document.xml is `xml`."""
    base = docx_bytes("Dear client,")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                    compresslevel=level) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, xml if info.filename == "word/document.xml" else src.read(info.filename))
    return out.getvalue()


def _document(body: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<w:document {W}><w:body>{body}'
            "</w:body></w:document>").encode()


def _doctype_docx() -> bytes:
    return _with_document(_document("<w:p><w:r><w:t>We ask for &e;</w:t></w:r></w:p>",
                                    '<!DOCTYPE w:document [<!ENTITY e "payment">]>'))


def _approvals(store: Store, letter_id: int) -> list[Any]:
    with store.begin() as conn:
        return list(conn.execute(select(audit.c.action).where(
            audit.c.object_type == "letter", audit.c.object_id == str(letter_id),
            audit.c.action == "letter.approved")))


# ---------------------------------------------------------------- hostile uploads
def _xml_flood() -> bytes:
    """~5 MB of ordinary-looking XML compressing about 15 times: no bomb by ratio, but past the XML limit."""
    paras = "".join(f"<w:p><w:r><w:t>Invoice INV/2025/{i:06d} remains unpaid; balance {i * 7 % 9973}.00 USD."
                    "</w:t></w:r></w:p>" for i in range(60_000))
    return _with_document(_document(paras), level=9)


@pytest.mark.parametrize(("make", "code", "message"), [
    (lambda: _with_document(_document("<w:p/>" * 5_000_000), level=9), 413, "compression bomb"),
    (_xml_flood, 413, "MB of XML"),
    (_doctype_docx, 400, "DOCTYPE"),
    (lambda: _with_document(_document("<w:sdt>" * 200 + "</w:sdt>" * 200)), 400, "deep"),
    (lambda: _with_document(b"<foo/>"), 400, "cannot be read as a Word document"),
    (lambda: _with_document(f"<w:document {W}/>".encode()), 400, "cannot be read as a Word document"),
    (lambda: _with_document(_document('<w:p/><w:sectPr><w:headerReference w:type="default" r:id="rId99" '
                                      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                                      'relationships"/></w:sectPr>')), 400, "cannot be read as a Word document"),
], ids=["ratio-bomb", "xml-size", "doctype", "depth", "foreign-root", "no-body", "dangling-header"])
def test_hostile_uploads_are_refused_and_change_nothing(app: Flask, firm: Firm, web_store: Store, make: Any,
                                                        code: int, message: str) -> None:
    data = make()
    assert len(data) < 1_048_576  # every one fits in the upload limit: the guard, not the size, refuses it
    client = app.test_client()
    token = sign_in(client, DANA.login)
    resp = client.post(f"/letters/{firm.letter_a.id}/approve-edited",
                       data={"csrf_token": token, "edited": (io.BytesIO(data), "edited.docx")},
                       content_type="multipart/form-data")
    assert resp.status_code == code and message in resp.text, resp.text[:500]
    assert get_letter(web_store, firm.letter_a.id).status == "awaiting_review"
    assert not _approvals(web_store, firm.letter_a.id)
    assert not list(Path(firm.letter_a.path).parent.glob("*-final.docx"))


def test_an_edited_letter_with_a_picture_is_accepted(app: Flask, firm: Firm, web_store: Store) -> None:
    """Hundreds of KB pass the multipart parser (its buffer limit once made anything over 64 KB a 413)."""
    base = docx_bytes("Dear Acme Widgets Inc.:\nPlease find our statement enclosed.")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("word/media/image1.png", os.urandom(600_000))
    data = out.getvalue()
    assert 600_000 < len(data) < 1_048_576
    client = app.test_client()
    token = sign_in(client, DANA.login)
    resp = client.post(f"/letters/{firm.letter_a.id}/approve-edited",
                       data={"csrf_token": token, "edited": (io.BytesIO(data), "statement.docx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303, resp.text[:300]
    assert get_letter(web_store, firm.letter_a.id).status == "approved"


def test_an_edited_file_whose_final_copy_cannot_be_opened_is_not_approved(settings: Settings, web_store: Store,
                                                                          firm: Firm, tmp_path: Path) -> None:
    """The CLI's --edited path has no upload guard: the final copy's re-check stops it (python-docx keeps the
    entity reference but not its DOCTYPE, so the copy it writes cannot be read back)."""
    edited = tmp_path / "edited.docx"
    edited.write_bytes(_doctype_docx())
    with pytest.raises(PolicyError, match="cannot be opened as a Word document"):
        approve_letter(web_store, settings, firm.letter_a.id, DANA.email, edited=edited)
    assert get_letter(web_store, firm.letter_a.id).status == "awaiting_review"
    assert not list(Path(firm.letter_a.path).parent.glob("*-final.docx"))
    assert not _approvals(web_store, firm.letter_a.id)


def test_release_reopens_the_final_copy(settings: Settings, web_store: Store, firm: Firm) -> None:
    lt = approve_letter(web_store, settings, firm.letter_a.id, DANA.email)
    final = Path(lt.approved_path or "")
    junk = b"PK\x03\x04 not a package any more"
    final.write_bytes(junk)  # replaced, and its hash put on record, so only the reopening can tell
    with web_store.begin() as conn:
        conn.execute(update(letters).where(letters.c.id == lt.id).values(
            approved_sha256=hashlib.sha256(junk).hexdigest()))
    with pytest.raises(PolicyError, match="cannot be opened as a Word document"):
        release_letter(web_store, settings, lt.id, "billing", today=TODAY)
    assert get_letter(web_store, lt.id).status == "approved"
    ok = approve_letter(web_store, settings, firm.letter_b.id, SAM.email)
    released, path = release_letter(web_store, settings, ok.id, "billing", today=TODAY)
    assert released.status == "sent" and path == Path(ok.approved_path or "")


# ---------------------------------------------------------------- sessions survive a restart signed out
def test_a_signed_out_cookie_stays_dead_after_a_restart(settings: Settings, web_store: Store, firm: Firm) -> None:
    first = make_app(settings, web_store, FakeOdoo())
    kept, out = first.test_client(), first.test_client()
    sign_in(kept, DANA.login)
    token = sign_in(out, DANA.login)
    kept_cookie, out_cookie = kept.get_cookie(COOKIE), out.get_cookie(COOKIE)
    assert kept_cookie is not None and out_cookie is not None
    assert out.post("/logout", data={"csrf_token": token}).status_code == 303
    restarted = make_app(settings, web_store, FakeOdoo())  # a new process: nothing in memory carries over
    for cookie, status in ((kept_cookie, 200), (out_cookie, 302)):  # the key is the same: only revocation differs
        thief = restarted.test_client()
        thief.set_cookie(COOKIE, cookie.value)
        assert thief.get("/queue").status_code == status


def test_revoked_sessions_are_stored_hashed_and_cleaned_up(store: Store) -> None:
    now = [datetime(2026, 3, 2, 12, 0, tzinfo=UTC)]
    revoked = RevokedSessions(store, clock=lambda: now[0])
    revoked.revoke("sid-a", now[0] + timedelta(hours=1))
    revoked.revoke("sid-a", now[0] + timedelta(hours=1))  # twice is fine
    revoked.revoke("sid-b", now[0] + timedelta(hours=8))
    restarted = RevokedSessions(store, clock=lambda: now[0])
    assert "sid-a" in restarted and "sid-b" in restarted and "sid-c" not in restarted and 42 not in restarted
    with store.begin() as conn:
        rows = {r.sid_sha256 for r in conn.execute(select(revoked_sessions.c.sid_sha256))}
    assert rows == {hashlib.sha256(s.encode()).hexdigest() for s in ("sid-a", "sid-b")}
    now[0] += timedelta(hours=2)
    assert "sid-a" not in restarted  # its cookie has expired by itself
    revoked.revoke("sid-c", now[0] + timedelta(hours=1))
    with store.begin() as conn:
        left = {r.sid_sha256 for r in conn.execute(select(revoked_sessions.c.sid_sha256))}
    assert hashlib.sha256(b"sid-a").hexdigest() not in left and len(left) == 2


# ---------------------------------------------------------------- throttling
PROXY = "10.20.30.40"


def test_failures_behind_a_proxy_lock_out_no_known_browser(app: Flask, odoo: FakeOdoo) -> None:
    dana, sam = app.test_client(), app.test_client()
    for client, who in ((dana, DANA.login), (sam, SAM.login)):  # both signed in from the office before
        assert _login(client, who, PASSWORD, PROXY).status_code == 303
        client.delete_cookie(COOKIE)  # session ended; the browser keeps its device cookie
    attacker = app.test_client()
    codes = [_login(attacker, f"guess{i}@example.com", "wrong", PROXY).status_code for i in range(20)]
    assert codes == [401] * 6 + [429] * 14  # login_failures_per_ip = 6, then locked: Odoo is not asked
    newcomer = app.test_client()
    assert _login(newcomer, DANA.login, PASSWORD, PROXY).status_code == 429  # a new browser there waits
    assert _login(dana, DANA.login, PASSWORD, PROXY).status_code == 303
    assert _login(sam, SAM.login, PASSWORD, PROXY).status_code == 303


def test_guessing_one_login_locks_that_login_but_not_its_owners_browser(app: Flask) -> None:
    dana = app.test_client()
    assert _login(dana, DANA.login, PASSWORD, "10.0.0.5").status_code == 303
    dana.delete_cookie(COOKIE)
    attacker = app.test_client()
    for i in range(3):  # login_failures_per_login = 3, from three addresses
        assert _login(attacker, DANA.login, "wrong", f"192.0.2.{i}").status_code == 401
    assert _login(attacker, DANA.login, PASSWORD, "192.0.2.9").status_code == 429
    assert _login(app.test_client(), DANA.login, PASSWORD, "10.0.0.6").status_code == 429
    assert _login(dana, DANA.login, PASSWORD, "10.0.0.5").status_code == 303
    # Sam's device cookie, or a forged one, does not count as Dana's browser
    sam = app.test_client()
    assert _login(sam, SAM.login, PASSWORD, "10.0.0.7").status_code == 303
    sam.delete_cookie(COOKIE)
    assert _login(sam, DANA.login, PASSWORD, "10.0.0.7").status_code == 429
    forged = app.test_client()
    device = dana.get_cookie(f"{COOKIE}-device")
    assert device is not None
    forged.set_cookie(f"{COOKIE}-device", device.value[:-3] + ("AAA" if not device.value.endswith("AAA") else "BBB"))
    assert _login(forged, DANA.login, PASSWORD, "10.0.0.8").status_code == 429


def test_lockouts_grow_and_stay_bounded(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = app.extensions["overdue_reminder"]
    now = [1000.0]
    for counter in (ctx.guard.per_login, ctx.guard.per_address):
        monkeypatch.setattr(counter, "clock", lambda: now[0])
    client = app.test_client()
    waits = []
    for _ in range(8):
        for i in range(3):
            assert _login(client, DANA.login, "wrong", f"198.51.100.{i}").status_code == 401
        resp = _login(client, DANA.login, PASSWORD, "198.51.100.9")
        assert resp.status_code == 429
        waits.append(int(resp.headers["Retry-After"]))
        now[0] += waits[-1]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]  # 1 minute, doubling, at most 60 minutes


# ---------------------------------------------------------------- ids in URLs
@pytest.mark.parametrize("path", [
    "/letters/{big}", "/letters/2147483648", "/letters/0", "/letters/{big}/download/final.docx",
    "/offers/{big}", "/offers/99999999999", "/clients/{big}", "/clients/2147483647", "/letters/2147483647",
    "/offers/2147483647",
])
def test_ids_out_of_range_are_404_on_either_store(fresh_settings: Settings, store: Store, path: str) -> None:
    app = make_app(fresh_settings, store, FakeOdoo())
    client = app.test_client()
    token = sign_in(client, PARTNER)  # a role from the configuration alone: the store may be empty
    url = path.format(big="9" * 40)
    assert client.get(url).status_code == 404
    if url.count("/") == 2 and not url.startswith("/clients"):
        assert client.post(f"{url}/approve", data={"csrf_token": token}).status_code == 404


def test_a_huge_page_number_is_the_last_page(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, DANA.login)
    for page in ("9" * 40, "9" * 5000, "-5", "x"):
        assert client.get("/queue", query_string={"page": page}).status_code == 200


# ---------------------------------------------------------------- logs
def test_no_typed_login_reaches_the_log(app: Flask, odoo: FakeOdoo, caplog: pytest.LogCaptureFixture,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG, logger="overdue_reminder")
    typed = "Tr0ub4dor&3-typed-in-the-wrong-box"
    client = app.test_client()
    for _ in range(4):  # three failures, then the lockout's refusal
        _login(client, typed, "whatever", "203.0.113.7")
    stranger = "visitor@harperlowe.example"
    _login(client, stranger, PASSWORD, "203.0.113.8")  # Odoo accepts, no role
    assert typed not in caplog.text and typed.lower() not in caplog.text and stranger not in caplog.text
    assert caplog.text.count("failed sign-in for login#") == 3 and "refused (locked out" in caplog.text
    assert "sign-in for Odoo uid 22: accepted by Odoo but no role" in caplog.text
    tags = {line.split("for ")[1].split()[0] for line in caplog.text.splitlines() if "failed sign-in for" in line}
    assert len(tags) == 1  # the same login, the same tag: failures can still be told apart per login
