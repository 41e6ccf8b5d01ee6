"""Authorization on the server: every route refuses another attorney's item, every POST needs a valid CSRF token,
billing staff decide nothing, and the services' own rules (assigned attorney or supervising partner) hold."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from web_factory import CLERK, DANA, PARTNER, SAM, Firm, docx_bytes, make_app, seed, sign_in

from overdue_reminder.config import Settings
from overdue_reminder.services.letters import get_letter
from overdue_reminder.services.offers import get_offer
from overdue_reminder.store import Store
from overdue_reminder.store.schema import audit, letters, offers

# (method, endpoint, url builder, form) for every route that names an item. Built from a Firm: the item is
# the *other* attorney's (Sam's), and the signed-in attorney is Dana.
Route = tuple[str, str, Callable[[Firm], str], dict[str, Any]]
ITEM_ROUTES: list[Route] = [
    ("GET", "web.letter", lambda f: f"/letters/{f.letter_b.id}", {}),
    ("GET", "web.letter_download", lambda f: f"/letters/{f.letter_b.id}/download/draft.docx", {}),
    ("POST", "web.letter_approve", lambda f: f"/letters/{f.letter_b.id}/approve", {}),
    ("POST", "web.letter_reject", lambda f: f"/letters/{f.letter_b.id}/reject", {"reason": "no"}),
    ("POST", "web.letter_approve_edited", lambda f: f"/letters/{f.letter_b.id}/approve-edited", {"edited": True}),
    ("GET", "web.offer", lambda f: f"/offers/{f.offer_b.id}", {}),
    ("POST", "web.offer_approve", lambda f: f"/offers/{f.offer_b.id}/approve", {}),
    ("POST", "web.offer_refuse", lambda f: f"/offers/{f.offer_b.id}/refuse", {"reason": "no"}),
    ("GET", "web.client", lambda f: f"/clients/{f.letter_b.client_id}", {}),
]

# Every POST endpoint, aimed at Dana's own items so that only the CSRF token stands in the way.
POST_ROUTES: list[tuple[str, Callable[[Firm], str], dict[str, Any]]] = [
    ("web.login", lambda f: "/login", {"login": DANA.login, "password": "x"}),
    ("web.logout", lambda f: "/logout", {}),
    ("web.letter_approve", lambda f: f"/letters/{f.letter_a.id}/approve", {}),
    ("web.letter_reject", lambda f: f"/letters/{f.letter_a.id}/reject", {"reason": "too harsh"}),
    ("web.letter_approve_edited", lambda f: f"/letters/{f.letter_a.id}/approve-edited", {"edited": True}),
    ("web.offer_approve", lambda f: f"/offers/{f.offer_a.id}/approve", {}),
    ("web.offer_refuse", lambda f: f"/offers/{f.offer_a.id}/refuse", {"reason": "too long"}),
]


def _form(form: dict[str, Any], token: str | None) -> dict[str, Any]:
    data = dict(form)
    if data.pop("edited", False):
        data["edited"] = (io.BytesIO(docx_bytes("A kinder letter.")), "edited.docx")
    if token is not None:
        data["csrf_token"] = token
    return data


def _send(client: FlaskClient, method: str, url: str, form: dict[str, Any], token: str | None) -> Any:
    if method == "GET":
        return client.get(url)
    return client.post(url, data=_form(form, token), content_type="multipart/form-data")


def _state(store: Store) -> tuple[list[tuple[int, str]], list[tuple[int, str]], int]:
    with store.begin() as conn:
        ls = [(r.id, r.status) for r in conn.execute(select(letters.c.id, letters.c.status).order_by(letters.c.id))]
        os_ = [(r.id, r.status) for r in conn.execute(select(offers.c.id, offers.c.status).order_by(offers.c.id))]
        n = len(conn.execute(select(audit.c.id)).all())
    return ls, os_, n


def test_every_item_route_and_every_post_is_in_the_matrix(app: Flask) -> None:
    """A new route that names an item, or a new form, must be added to the tables above."""
    item_endpoints = {e for _, e, _, _ in ITEM_ROUTES}
    post_endpoints = {e for e, _, _ in POST_ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        if rule.arguments & {"letter_id", "offer_id", "client_id"}:
            assert rule.endpoint in item_endpoints, f"{rule} is not in ITEM_ROUTES"
        if "POST" in (rule.methods or set()):
            assert rule.endpoint in post_endpoints, f"{rule} is not in POST_ROUTES"


@pytest.mark.parametrize(("method", "endpoint", "url", "form"), ITEM_ROUTES, ids=[r[1] for r in ITEM_ROUTES])
def test_an_attorney_cannot_see_or_decide_another_attorneys_item(
        store: Store, fresh_settings: Settings, method: str, endpoint: str, url: Callable[[Firm], str],
        form: dict[str, Any]) -> None:
    settings = fresh_settings
    firm = seed(store, settings)
    client = make_app(settings, store).test_client()
    token = sign_in(client, DANA.login)
    before = _state(store)
    resp = _send(client, method, url(firm), form, token)
    assert resp.status_code in (403, 404), resp.text
    assert SAM.email not in resp.text and "Bexley" not in resp.text
    assert _state(store) == before  # nothing decided, nothing audited
    # The same request by Sam is allowed: the refusal is about whose item it is, not a broken route.
    other = make_app(settings, store).test_client()
    sam_token = sign_in(other, SAM.login)
    ok = _send(other, method, url(firm), form, sam_token)
    assert ok.status_code in (200, 303), ok.text


def test_the_queue_and_aging_show_only_the_attorneys_own_items(app: Flask, firm: Firm) -> None:
    client = app.test_client()
    sign_in(client, DANA.login)
    page = client.get("/queue").text
    assert f"/letters/{firm.letter_a.id}" in page and f"/offers/{firm.offer_a.id}" in page
    assert f"/letters/{firm.letter_b.id}" not in page and f"/offers/{firm.offer_b.id}" not in page
    assert f"/offers/{firm.offer_c.id}" not in page  # assigned to the partner, not awaiting Dana
    assert "Bexley" not in page
    aging = client.get("/aging").text
    assert "Acme Widgets" in aging and "Bexley" not in aging and "8,800.00" not in aging
    by_attorney = client.get("/aging?by=attorney").text
    assert DANA.name in by_attorney and SAM.name not in by_attorney


@pytest.mark.parametrize(("endpoint", "url", "form"), POST_ROUTES, ids=[r[0] for r in POST_ROUTES])
@pytest.mark.parametrize("token", ["missing", "wrong", "another session's"])
def test_every_post_needs_the_sessions_csrf_token(
        app: Flask, firm: Firm, web_store: Store, endpoint: str, url: Callable[[Firm], str],
        form: dict[str, Any], token: str) -> None:
    client = app.test_client()
    sign_in(client, DANA.login)
    stolen = sign_in(app.test_client(), SAM.login)
    sent = {"missing": None, "wrong": "not-the-token", "another session's": stolen}[token]
    before = _state(web_store)
    resp = client.post(url(firm), data=_form(form, sent), content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "expired or did not come from this page" in resp.text
    assert _state(web_store) == before
    assert client.get("/queue").status_code == 200  # still signed in: even /logout needs the token


def test_post_without_a_session_is_refused(app: Flask, firm: Firm, web_store: Store) -> None:
    before = _state(web_store)
    resp = app.test_client().post(f"/letters/{firm.letter_a.id}/approve", data={"csrf_token": "guess"})
    assert resp.status_code == 400
    assert _state(web_store) == before


def test_pages_need_a_sign_in(app: Flask, firm: Firm) -> None:
    client = app.test_client()
    for url in ("/queue", "/aging", f"/letters/{firm.letter_a.id}", f"/offers/{firm.offer_a.id}", "/clients/101",
                f"/letters/{firm.letter_a.id}/download/draft.docx"):
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next="), url


def test_billing_staff_see_everything_but_decide_nothing(app: Flask, firm: Firm, web_store: Store) -> None:
    client = app.test_client()
    token = sign_in(client, CLERK)
    queue = client.get("/queue").text
    for item in (f"/letters/{firm.letter_a.id}", f"/letters/{firm.letter_b.id}", f"/offers/{firm.offer_b.id}",
                 f"/offers/{firm.offer_c.id}"):
        assert item in queue
    page = client.get(f"/letters/{firm.letter_b.id}")
    assert page.status_code == 200 and "Billing staff cannot decide letters" in page.text
    assert 'id="approve"' not in page.text
    before = _state(web_store)
    for url, form in ((f"/letters/{firm.letter_b.id}/approve", {}), (f"/offers/{firm.offer_b.id}/approve", {}),
                      (f"/letters/{firm.letter_a.id}/reject", {"reason": "x"}),
                      (f"/offers/{firm.offer_a.id}/refuse", {"reason": "x"})):
        resp = client.post(url, data={**form, "csrf_token": token})
        assert resp.status_code == 403 and "Billing staff" in resp.text
    assert _state(web_store) == before


def test_supervising_partner_sees_and_decides_everything(app: Flask, firm: Firm, web_store: Store,
                                                         settings: Settings) -> None:
    client = app.test_client()
    token = sign_in(client, PARTNER)
    queue = client.get("/queue").text
    assert queue.count('scope="row"><a href="/') == 5  # two letters and three offers
    resp = client.post(f"/letters/{firm.letter_b.id}/approve", data={"csrf_token": token})
    assert resp.status_code == 303
    lt = get_letter(web_store, firm.letter_b.id)
    assert (lt.status, lt.decided_by) == ("approved", PARTNER)
    resp = client.post(f"/offers/{firm.offer_c.id}/approve", data={"csrf_token": token})
    assert resp.status_code == 303
    assert get_offer(web_store, firm.offer_c.id).status == "proposed"


def test_the_services_rules_decide_who_may_decide(app: Flask, firm: Firm, web_store: Store) -> None:
    """Dana sees the partner-level offer on her own client, but the offer service refuses her decision and
    audits the refusal: the rule lives in one place."""
    client = app.test_client()
    token = sign_in(client, DANA.login)
    page = client.get(f"/offers/{firm.offer_c.id}")
    assert page.status_code == 200 and "Only the supervising partner can decide this offer" in page.text
    assert 'id="approve"' not in page.text
    resp = client.post(f"/offers/{firm.offer_c.id}/approve", data={"csrf_token": token})
    assert resp.status_code == 403 and "only the supervising partner may decide it" in resp.text
    assert get_offer(web_store, firm.offer_c.id).status == "awaiting_attorney"
    with web_store.begin() as conn:
        row = conn.execute(select(audit).where(audit.c.action == "offer.approve_denied")).one()
    assert (row.actor, row.object_id) == (DANA.login, str(firm.offer_c.id))  # her Odoo login, proven by the sign-in
    assert row.detail["actor"] == {"name": DANA.login, "role": "attorney", "proof": "web-session", "odoo_uid": DANA.id}


def test_unknown_items_are_not_found(app: Flask, firm: Firm) -> None:
    client = app.test_client()
    token = sign_in(client, PARTNER)
    for url in ("/letters/999", "/offers/999", "/clients/999", f"/letters/{firm.letter_a.id}/download/secret.txt",
                f"/letters/{firm.letter_a.id}/download/final.docx"):
        assert client.get(url).status_code == 404, url
    assert client.post("/letters/999/approve", data={"csrf_token": token}).status_code == 404
