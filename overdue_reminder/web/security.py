"""The review page's defences: session key, CSRF tokens, safe redirects, URL ids, upload checks, headers.

Written with the standard library (`secrets`, `hmac`): the page has one kind of form and one kind of upload,
and every check here is small enough to read in full.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from werkzeug.routing import IntegerConverter, Map

from overdue_reminder.config import Settings
from overdue_reminder.core.letter_docx import inspect_docx
from overdue_reminder.errors import ConfigError, PolicyError
from overdue_reminder.web.upload_guard import DocxLimits, UploadError, check_docx_package

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
MIN_SECRET_LENGTH = 32


# ---------------------------------------------------------------- the session signing key
def load_secret_key(settings: Settings) -> tuple[bytes, bool]:
    """The key that signs session cookies, and whether it is ephemeral.

    From the environment variable, else an owner-only file; with neither, a random key for this process
    (sessions then end when the server restarts), which is safe but logged as a warning.
    """
    web = settings.web
    value = os.environ.get(web.secret_key_env, "") if web.secret_key_env else ""
    key = "web.secret_key_env"
    if not value and web.secret_key_file:
        key = "web.secret_key_file"
        path = settings.resolve(web.secret_key_file)
        try:
            mode = path.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise ConfigError(f"the secret key file {path} is readable by others (mode {stat.filemode(mode)}).",
                                  path=settings.config_path, key=key, fix=f"run: chmod 600 {path}")
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the secret key file {path}: {exc.strerror}.", path=settings.config_path,
                              key=key, fix="point it at an existing owner-only file, or leave it empty.") from exc
    if not value:
        log.warning("no web session key configured (%s / web.secret_key_file): using a random key; everyone "
                    "signs in again after a restart", web.secret_key_env or "-")
        return secrets.token_bytes(32), True
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(f"the web session key is {len(value)} characters; it needs at least {MIN_SECRET_LENGTH}.",
                          path=settings.config_path, key=key,
                          fix="generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")
    return value.encode("utf-8"), False


# ---------------------------------------------------------------- CSRF
def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: object, submitted: object) -> bool:
    """Constant-time comparison of the session's token with the form's; anything missing fails."""
    if not isinstance(expected, str) or not isinstance(submitted, str) or not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), submitted.encode("utf-8"))


# ---------------------------------------------------------------- redirects, ids, log tags
MAX_NEXT = 2048


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site (parsed, not prefix-matched), else None.

    Refused: anything with a scheme or host, '//' or '/\\' (a browser reads both as another host), control
    characters (browsers drop tabs and newlines, so '/\t/evil.example' becomes
    '//evil.example'), backslashes, and the same tricks percent-encoded (decoded until nothing changes).
    """
    if not target or len(target) > MAX_NEXT:
        return None
    seen, text = {target}, target
    for _ in range(4):
        text = unquote(text)
        if text in seen:
            break
        seen.add(text)
    for form in seen:
        if any(ord(c) < 0x20 or c in "\\\x7f" for c in form) or not form.startswith("/") or form.startswith("//"):
            return None
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return None
    parts = urlsplit(target)
    return urlunsplit(("", "", parts.path, parts.query, ""))


class StoreId(IntegerConverter):
    """A store id in a URL: 1 to 2**31 - 1 (PostgreSQL's integer). Anything else matches no route: a 404."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def login_tag(secret_key: bytes, login: str) -> str:
    """A short keyed digest of a typed login for the log: the same login gives the same tag, but a password
    typed into the login field never reaches the log."""
    return "login#" + hmac.new(secret_key, login.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()[:10]


# ---------------------------------------------------------------- uploads
def check_upload(filename: str, data: bytes, max_bytes: int, limits: DocxLimits | None = None, *,
                 draft_text: str | None = None, client_data: Iterable[str] = ()) -> str:
    """Refuse anything but a real, macro-free .docx of sane size without forbidden wording; returns its text.

    The cheap checks run first (name, size), then `upload_guard` (zip directory, compression, hardened XML
    parse within a time budget) so a hostile upload never reaches python-docx; `letters.inspect_docx` then
    applies the letters module's own checks. Raises UploadTooLarge (413) or UploadError (400).
    """
    name = Path(filename or "").name
    if not name:
        raise UploadError("choose the edited letter (.docx) to upload.")
    if not name.lower().endswith(".docx"):
        raise UploadError(f"{name} is not a .docx file; save the letter as 'Word Document (.docx)'.")
    if not data:
        raise UploadError(f"{name} is empty.")
    check_docx_package(data, limits or DocxLimits(max_bytes), name)
    try:
        return inspect_docx(data, max_bytes, f"the edited letter {name}", draft_text=draft_text,
                            client_data=client_data)
    except PolicyError as exc:
        raise UploadError(str(exc)) from exc
    except Exception as exc:  # python-docx meets a package it half understands (no body, a dangling part id)
        raise UploadError(f"{name} cannot be read as a Word document ({type(exc).__name__}: {exc}); save it "
                          "again as 'Word Document (.docx)'.") from exc


# ---------------------------------------------------------------- response headers
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


__all__ = [
    "CSP",
    "CSRF_FIELD",
    "SECURITY_HEADERS",
    "StoreId",
    "UploadError",
    "check_upload",
    "csrf_ok",
    "load_secret_key",
    "login_tag",
    "new_csrf_token",
    "safe_next",
]
