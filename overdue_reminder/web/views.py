"""The review page's routes: sign-in, the queue, a letter, an offer, a client, the aging overview.

Every decision goes through the letter and offer services (`letter_queue.approve_letter` / `reject_letter`,
`offer_service.approve` / `reject`): they check that the signed-in person is the assigned attorney or the
supervising partner, compare hashes, and write the audit entry. The views add what only a web page needs:
a session, a CSRF token on every POST, a 404 for an item that is not the attorney's to see, and a 403 for
billing staff asking to decide.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from time import perf_counter
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from overdue_reminder.core.aging import aging
from overdue_reminder.core.clearance import Exit, authority
from overdue_reminder.core.letter_docx import DOCX_MIME
from overdue_reminder.errors import AuthError, OverdueReminderError, PolicyError, SourceError, UsageError
from overdue_reminder.services import letters as letter_queue
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services.clearing import letter_item, offer_item
from overdue_reminder.services.letters import AWAITING, PDF_MIME, Letter, approve_letter, reject_letter, write_private
from overdue_reminder.services.offers import OfferRecord, summary
from overdue_reminder.services.review import (
    aging_view,
    client_invoices,
    client_name,
    client_visible,
    contact_log,
    display_name,
    letter_visible,
    load_queue,
    offer_visible,
    open_invoices,
    payment_profile,
    reminder_history,
    timeline,
)
from overdue_reminder.store import read_audit
from overdue_reminder.web.auth import Identity, OdooUser, resolve_identity
from overdue_reminder.web.charts import aging_charts
from overdue_reminder.web.context import WebContext, context
from overdue_reminder.web.security import (
    CSRF_FIELD,
    SECURITY_HEADERS,
    check_upload,
    csrf_ok,
    login_tag,
    new_csrf_token,
    safe_next,
)
from overdue_reminder.web.upload_guard import UploadTooLarge

log = logging.getLogger(__name__)

bp = Blueprint("web", __name__)
V = TypeVar("V", bound=Callable[..., ResponseReturnValue])
MAX_REASON = 2000
DOWNLOADS = ("draft.docx", "draft.pdf", "final.docx", "final.pdf")


def _ctx() -> WebContext:
    return context(current_app)


# ---------------------------------------------------------------- identity and guards
def current_identity() -> Identity | None:
    """Who is signed in, with the role worked out afresh; None for no, an expired or a signed-out session."""
    if "ident" in g:
        return cast(Identity | None, g.ident)
    ident: Identity | None = None
    user = session.get("user")
    if isinstance(user, dict):
        ctx = _ctx()
        iat, sid = session.get("iat"), session.get("sid")
        fresh = isinstance(iat, int) and 0 <= time.time() - iat <= ctx.settings.web.session_minutes * 60
        if fresh and isinstance(sid, str) and sid not in ctx.revoked:
            try:
                odoo_user = OdooUser(int(user["uid"]), str(user["login"]), str(user.get("email", "")),
                                     str(user.get("name", "")))
            except (KeyError, TypeError, ValueError):
                odoo_user = None
            if odoo_user is not None:
                with ctx.store.begin() as conn:
                    ident = resolve_identity(ctx.settings, conn, odoo_user)
        if ident is None:
            session.clear()
    g.ident = ident
    return ident


def login_required(view: V) -> V:
    """Pass the signed-in Identity as the first argument; send everyone else to the sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        ident = current_identity()
        if ident is None:
            if request.method == "GET":
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            abort(401)
        return view(ident, *args, **kwargs)

    return cast(V, wrapper)


def _require_decider(ident: Identity) -> None:
    if not ident.may_decide:
        abort(403, "Billing staff can see the queue but not decide letters or offers: those need an attorney.")


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str) or not token:
        token = session["csrf"] = new_csrf_token()
    return token


@bp.before_app_request
def _before() -> None:
    g.t0 = perf_counter()
    if request.method == "POST" and not csrf_ok(session.get("csrf"), request.form.get(CSRF_FIELD)):
        abort(400, "This form has expired or did not come from this page. Go back, reload the page and try again.")


@bp.after_app_request
def _after(resp: Response) -> Response:
    for k, v in SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    if request.endpoint != "static":
        resp.headers["Cache-Control"] = "no-store"
    t0 = g.get("t0")
    if t0 is not None:
        resp.headers["Server-Timing"] = f"app;dur={(perf_counter() - t0) * 1000:.2f}"
    return resp


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "csrf_field": CSRF_FIELD, "ident": g.get("ident")}


def _error_page(code: int, title: str, message: str) -> ResponseReturnValue:
    return render_template("error.html", code=code, title=title, message=message,
                           back=request.referrer if request.referrer and request.referrer.startswith(
                               request.host_url) else ""), code


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    code = exc.code or 500
    message = exc.description or ""
    defaults = {401: "Sign in first.", 404: "There is nothing here, or it is not yours to see.",
                413: "The upload is too large (letters.max_edited_mb)."}
    if code in defaults and (not message or message == type(exc).description):
        message = defaults[code]
    resp = make_response(_error_page(code, exc.name, message))
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(exc.valid_methods)
    return resp


@bp.app_errorhandler(PolicyError)
def _policy_error(exc: PolicyError) -> ResponseReturnValue:
    return _error_page(403, "Not allowed", str(exc))


@bp.app_errorhandler(UsageError)
def _usage_error(exc: UsageError) -> ResponseReturnValue:
    return _error_page(409, "Cannot do that now", str(exc))


@bp.app_errorhandler(OverdueReminderError)
def _other_error(exc: OverdueReminderError) -> ResponseReturnValue:
    log.warning("review page error: %s", exc)
    return _error_page(500, "Something went wrong", str(exc))


# ---------------------------------------------------------------- sign-in
@bp.get("/")
def index() -> ResponseReturnValue:
    return redirect(url_for("web.queue"))


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return Response("ok\n", mimetype="text/plain")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    ctx = _ctx()
    nxt = safe_next(request.values.get("next")) or url_for("web.queue")
    if request.method == "GET":
        if current_identity() is not None:
            return redirect(nxt)
        return render_template("login.html", next=nxt, login_name="", error="")
    name = request.form.get("login", "").strip()[:200]
    password = request.form.get("password", "")
    ip = request.remote_addr or "-"
    tag = login_tag(ctx.secret_key, name)  # the log never shows what was typed as the login
    device = ctx.devices.device_for(request.cookies.get(ctx.device_cookie), name)

    def refuse(code: int, error: str, headers: dict[str, str] | None = None) -> ResponseReturnValue:
        return render_template("login.html", next=nxt, login_name=name, error=error), code, headers or {}

    wait = ctx.guard.retry_after(ip, name, device)
    if wait:
        log.warning("sign-in refused (locked out for %ss) for %s from %s", wait, tag, ip)
        return refuse(429, f"Too many failed sign-ins. Try again in {max(1, -(-wait // 60))} minute(s).",
                      {"Retry-After": str(wait)})
    if not name or not password:
        return refuse(400, "Enter your Odoo login and password.")
    try:
        user = ctx.auth(name, password)
    except AuthError:
        ctx.guard.failed(ip, name, device)
        log.warning("failed sign-in for %s from %s%s", tag, ip, " (a known browser)" if device else "")
        return refuse(401, "Odoo did not accept that login and password.")
    except SourceError as exc:
        log.warning("sign-in for %s: Odoo unreachable: %s", tag, exc)
        return refuse(503, "Odoo cannot be reached right now, so nobody can sign in. Try again in a few minutes.")
    with ctx.store.begin() as conn:
        ident = resolve_identity(ctx.settings, conn, user)
    if ident is None:
        log.warning("sign-in for Odoo uid %s: accepted by Odoo but no role on the review page", user.uid)
        return refuse(403, "Odoo accepted your login, but you have no role on the review page. Ask the "
                           "administrator to list you under [web] in the configuration.")
    ctx.guard.succeeded(name, device)
    session.clear()
    session.permanent = True
    session.update(user={"uid": user.uid, "login": user.login, "email": user.email, "name": user.name},
                   sid=secrets.token_urlsafe(16), iat=int(time.time()), csrf=new_csrf_token())
    log.info("%s signed in as %s", ident.actor, ident.role)
    resp = redirect(nxt, 303)
    if device is None:  # this browser is known for this login from now on (throttle.py)
        resp.set_cookie(ctx.device_cookie, ctx.devices.issue(name), max_age=ctx.devices.max_age, path="/",
                        secure=ctx.settings.web.secure_cookies, httponly=True, samesite="Strict")
    return resp


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    sid, iat = session.get("sid"), session.get("iat")
    if isinstance(sid, str) and isinstance(iat, int):
        expires = datetime.fromtimestamp(iat + _ctx().settings.web.session_minutes * 60, UTC)
        _ctx().revoked.revoke(sid, expires)
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("web.login"), 303)


# ---------------------------------------------------------------- the queue
@bp.get("/queue")
@login_required
def queue(ident: Identity) -> ResponseReturnValue:
    ctx = _ctx()
    page = request.args.get("page", 1, type=int) or 1
    today = ctx.today()
    with ctx.store.begin() as conn:
        q = load_queue(conn, ident, today, page=page, page_size=ctx.settings.web.page_size,
                       totals_cache=ctx.letter_totals)
    return render_template("queue.html", queue=q, today=today)


# ---------------------------------------------------------------- letters
def _letter_for(ident: Identity, letter_id: int) -> Letter:
    try:
        letter = letter_queue.get_letter(_ctx().store, letter_id)
    except UsageError:
        abort(404)
    if not letter_visible(ident, letter.attorney_id, letter.attorney_email):
        abort(404)
    return letter


def _letter_file(path_text: str | None) -> Path | None:
    """A letter file, only inside the configured letters folder (a path in the store is not trusted blindly)."""
    if not path_text:
        return None
    settings = _ctx().settings
    root = settings.resolve(settings.letters.dir).resolve()
    path = Path(path_text).resolve()
    if not path.is_relative_to(root):
        log.warning("refusing to serve %s: outside letters.dir %s", path, root)
        return None
    return path


def _client_file(client_id: int) -> dict[str, Any]:
    """The client's invoices, reminder history, contact log and grade, as the letter and client pages show them."""
    ctx = _ctx()
    today = ctx.today()
    with ctx.store.begin() as conn:
        invs = client_invoices(conn, client_id, today)
        history = reminder_history(conn, client_id)
        contacts = contact_log(conn, client_id)
        profile = payment_profile(conn, ctx.calendar.tz, client_id, today)
    return {"invoices": invs, "history": history, "contacts": contacts, "grade": profile.grade,
            "grade_why": profile.reasons}


@bp.get("/letters/<id:letter_id>")
@login_required
def letter(ident: Identity, letter_id: int) -> ResponseReturnValue:
    ctx = _ctx()
    lt = _letter_for(ident, letter_id)
    final = lt.status in (letter_queue.APPROVED, letter_queue.SENT) and lt.approved_path
    path = _letter_file(lt.approved_path if final else lt.path)
    doc, doc_error = None, ""
    if path is None:
        doc_error = "The letter file is not in the letters folder."
    else:
        try:
            doc = ctx.docs.view(path)
        except OSError as exc:
            doc_error = f"The letter file cannot be read ({exc.strerror or exc})."
        except Exception as exc:  # python-docx raises several kinds for a broken package
            doc_error = f"The letter file cannot be opened as a Word document ({exc})."
    changed = lt.status == AWAITING and doc is not None and doc.sha256 != lt.sha256
    can_decide = (lt.status == AWAITING and ident.may_decide
                  and not authority(letter_item(lt, Exit.LETTER_APPROVAL), ident.proven()))
    downloads = {"draft.docx": bool(lt.path), "draft.pdf": bool(lt.pdf_path),
                 "final.docx": bool(lt.approved_path), "final.pdf": bool(lt.approved_pdf_path)}
    return render_template("letter.html", letter=lt, doc=doc, doc_error=doc_error, changed=changed,
                           can_decide=can_decide, downloads=downloads, trail=letter_queue.audit_trail(ctx.store, lt.id),
                           upload_mb=ctx.settings.letters.max_edited_mb, today=ctx.today(),
                           **_client_file(lt.client_id))


@bp.get("/letters/<id:letter_id>/download/<which>")
@login_required
def letter_download(ident: Identity, letter_id: int, which: str) -> ResponseReturnValue:
    if which not in DOWNLOADS:
        abort(404)
    lt = _letter_for(ident, letter_id)
    stage, ext = which.split(".")
    source = {"draft.docx": lt.path, "draft.pdf": lt.pdf_path, "final.docx": lt.approved_path,
              "final.pdf": lt.approved_pdf_path}[which]
    path = _letter_file(source)
    if path is None or not path.is_file():
        abort(404)
    name = f"letter-{lt.id}-{lt.kind}-{stage}.{ext}"
    return send_file(path, mimetype=DOCX_MIME if ext == "docx" else PDF_MIME, as_attachment=True,
                     download_name=name, max_age=0, conditional=False, etag=False)


def _reason() -> str:
    reason = request.form.get("reason", "").strip()
    if not reason:
        abort(400, "Give a reason: it is recorded with the decision.")
    if len(reason) > MAX_REASON:
        abort(400, f"Keep the reason under {MAX_REASON} characters.")
    return reason


@bp.post("/letters/<id:letter_id>/approve")
@login_required
def letter_approve(ident: Identity, letter_id: int) -> ResponseReturnValue:
    ctx = _ctx()
    lt = _letter_for(ident, letter_id)
    _require_decider(ident)
    with ctx.writeback() as wb:
        approve_letter(ctx.store, ctx.settings, lt.id, ident.proven(), now=ctx.now(), writeback=wb)
    flash(f"Letter {lt.id} to {lt.client_name} approved.")
    return redirect(url_for("web.queue"), 303)


@bp.post("/letters/<id:letter_id>/reject")
@login_required
def letter_reject(ident: Identity, letter_id: int) -> ResponseReturnValue:
    ctx = _ctx()
    lt = _letter_for(ident, letter_id)
    _require_decider(ident)
    reason = _reason()
    with ctx.writeback() as wb:
        reject_letter(ctx.store, ctx.settings, lt.id, ident.proven(), reason, now=ctx.now(), writeback=wb)
    flash(f"Letter {lt.id} to {lt.client_name} rejected.")
    return redirect(url_for("web.queue"), 303)


@bp.post("/letters/<id:letter_id>/approve-edited")
@login_required
def letter_approve_edited(ident: Identity, letter_id: int) -> ResponseReturnValue:
    ctx = _ctx()
    lt = _letter_for(ident, letter_id)
    _require_decider(ident)
    upload = request.files.get("edited")
    if upload is None or not upload.filename:
        abort(400, "Choose the edited letter (.docx) to upload.")
    data = upload.stream.read(ctx.upload_limit + 1)
    try:
        check_upload(upload.filename, data, ctx.upload_limit, draft_text=letter_queue.draft_words(lt),
                     client_data=(lt.client_name,))
    except UploadTooLarge as exc:
        abort(413, str(exc))
    except PolicyError as exc:
        abort(400, str(exc))
    folder = Path(tempfile.mkdtemp(prefix="overdue-reminder-upload-"))  # 0700
    try:
        path = folder / "edited.docx"
        write_private(path, data)
        with ctx.writeback() as wb:
            approve_letter(ctx.store, ctx.settings, lt.id, ident.proven(), edited=path, now=ctx.now(), writeback=wb)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    flash(f"Your edited letter {lt.id} to {lt.client_name} is approved.")
    return redirect(url_for("web.queue"), 303)


# ---------------------------------------------------------------- offers
def _offer_for(ident: Identity, offer_id: int) -> OfferRecord:
    try:
        rec = offer_service.get_offer(_ctx().store, offer_id)
    except UsageError:
        abort(404)
    if not offer_visible(ident, rec):
        abort(404)
    return rec


@bp.get("/offers/<id:offer_id>")
@login_required
def offer(ident: Identity, offer_id: int) -> ResponseReturnValue:
    ctx = _ctx()
    rec = _offer_for(ident, offer_id)
    today = ctx.today()
    with ctx.store.begin() as conn:
        name = display_name(client_name(conn, rec.client_id), rec.client_id)
        can_decide = (rec.status == "awaiting_attorney" and ident.may_decide
                      and not authority(offer_item(rec.client_id, Exit.OFFER_ACCEPTANCE, f"offer #{rec.id}",
                                                   needs=rec.needs, attorney_uid=rec.attorney_id), ident.proven()))
        covered = set(rec.invoice_ids)
        invs = [i for i in client_invoices(conn, rec.client_id, today) if i.id in covered]
        trail = read_audit(conn, "offer", rec.id)
    return render_template("offer.html", rec=rec, client_name=name, summary=summary(rec.offer),
                           can_decide=can_decide, invoices=invs, trail=trail, today=today)


@bp.post("/offers/<id:offer_id>/approve")
@login_required
def offer_approve(ident: Identity, offer_id: int) -> ResponseReturnValue:
    ctx = _ctx()
    rec = _offer_for(ident, offer_id)
    _require_decider(ident)
    ref = request.form.get("written_terms_ref", "").strip()[:500]
    offer_service.approve(ctx.store, ctx.settings, rec.id, by=ident.proven(), now=ctx.now(), written_terms_ref=ref)
    flash(f"Offer {rec.id} approved: it goes to the client.")
    return redirect(url_for("web.queue"), 303)


@bp.post("/offers/<id:offer_id>/refuse")
@login_required
def offer_refuse(ident: Identity, offer_id: int) -> ResponseReturnValue:
    ctx = _ctx()
    rec = _offer_for(ident, offer_id)
    _require_decider(ident)
    reason = _reason()
    offer_service.reject(ctx.store, ctx.settings, rec.id, by=ident.proven(), now=ctx.now(), reason=reason)
    flash(f"Offer {rec.id} refused.")
    return redirect(url_for("web.queue"), 303)


# ---------------------------------------------------------------- clients and aging
@bp.get("/clients/<id:client_id>")
@login_required
def client(ident: Identity, client_id: int) -> ResponseReturnValue:
    ctx = _ctx()
    today = ctx.today()
    with ctx.store.begin() as conn:
        name = client_name(conn, client_id)
        if name is None or not client_visible(conn, ident, client_id):
            abort(404)
        events = timeline(conn, client_id, ident)
        rows = aging(open_invoices(conn, client_id=client_id), today, "client")
    return render_template("client.html", client_id=client_id, client_name=name, events=events,
                           charts=aging_charts(rows), aging_rows=rows, today=today, **_client_file(client_id))


@bp.get("/aging")
@login_required
def aging_overview(ident: Identity) -> ResponseReturnValue:
    ctx = _ctx()
    by = request.args.get("by", "client")
    if by not in ("client", "attorney"):
        by = "client"
    today = ctx.today()
    with ctx.store.begin() as conn:
        view = aging_view(conn, ident, today, by)
    return render_template("aging.html", view=view, charts=aging_charts(view.totals), today=today)


def register(app: Flask) -> None:
    app.register_blueprint(bp)


__all__ = ["bp", "current_identity", "login_required", "register"]
