"""The review page's defences: session key, CSRF tokens, login rate limits, upload checks, response headers.

Written with the standard library (`secrets`, `hmac`): the page has one kind of form and one kind of upload,
and every check here is small enough to read in full.
"""

from __future__ import annotations

import hmac
import io
import logging
import os
import secrets
import stat
import threading
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from overdue_reminder.config import Settings
from overdue_reminder.core.letter_docx import inspect_docx
from overdue_reminder.errors import ConfigError, PolicyError

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
MIN_SECRET_LENGTH = 32
ZIP_MAGIC = b"PK\x03\x04"


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


# ---------------------------------------------------------------- login rate limiting
@dataclass
class RateLimiter:
    """Failed sign-ins per key (an IP address, a login) in a sliding window; thread-safe, in memory.

    One waitress process serves the page, so memory is the right place: a restart forgets, which only
    ever helps a legitimate user.
    """

    limit: int
    window_seconds: float
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _trim(self, key: str, now: float) -> deque[float] | None:
        q = self._hits.get(key)
        if q is None:
            return None
        while q and q[0] <= now - self.window_seconds:
            q.popleft()
        if not q:
            del self._hits[key]
            return None
        return q

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may try now."""
        with self._lock:
            now = self.clock()
            q = self._trim(key, now)
            if q is None or len(q) < self.limit:
                return 0
            return max(1, int(q[0] + self.window_seconds - now + 0.999))

    def fail(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            q = self._trim(key, now)
            if q is None:
                q = self._hits[key] = deque()
            q.append(now)
            if len(self._hits) > 10_000:  # bound memory under a spray of keys: drop the stalest
                for stale in sorted(self._hits, key=lambda k: self._hits[k][-1])[:1000]:
                    del self._hits[stale]

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


@dataclass
class LoginGuard:
    """Both limits together: per client IP and per login name (case-insensitive)."""

    per_ip: RateLimiter
    per_login: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.monotonic) -> LoginGuard:
        window = settings.web.login_window_minutes * 60.0
        return cls(RateLimiter(settings.web.login_failures_per_ip, window, clock),
                   RateLimiter(settings.web.login_failures_per_login, window, clock))

    def retry_after(self, ip: str, login: str) -> int:
        return max(self.per_ip.retry_after(ip), self.per_login.retry_after(login.strip().lower()))

    def failed(self, ip: str, login: str) -> None:
        self.per_ip.fail(ip)
        if login.strip():
            self.per_login.fail(login.strip().lower())

    def succeeded(self, login: str) -> None:
        self.per_login.reset(login.strip().lower())


# ---------------------------------------------------------------- uploads
class UploadError(PolicyError):
    """An uploaded letter that is not a sane .docx; the message says what to do instead."""


def check_upload(filename: str, data: bytes, max_bytes: int, *, draft_text: str | None = None,
                 client_data: Iterable[str] = ()) -> str:
    """Refuse anything but a real, macro-free .docx of sane size without forbidden wording; returns its text.

    The cheap checks run first (name, size, zip signature and central directory) so a hostile upload
    never reaches python-docx; `letters.inspect_docx` then applies the letters module's own checks.
    """
    name = Path(filename or "").name
    if not name:
        raise UploadError("choose the edited letter (.docx) to upload.")
    if not name.lower().endswith(".docx"):
        raise UploadError(f"{name} is not a .docx file; save the letter as 'Word Document (.docx)'.")
    if not data:
        raise UploadError(f"{name} is empty.")
    if len(data) > max_bytes:
        raise UploadError(f"{name} is {len(data) // 1024} KB, over the {max_bytes // 1024} KB limit "
                          "(letters.max_edited_mb).")
    if not data.startswith(ZIP_MAGIC):
        raise UploadError(f"{name} is not a Word .docx file; save it as 'Word Document (.docx)'.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise UploadError(f"{name} is not a Word .docx file ({exc}).") from exc
    if "word/document.xml" not in names:
        raise UploadError(f"{name} is not a Word .docx file (no word/document.xml).")
    return inspect_docx(data, max_bytes, f"the edited letter {name}", draft_text=draft_text, client_data=client_data)


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
    "LoginGuard",
    "RateLimiter",
    "UploadError",
    "check_upload",
    "csrf_ok",
    "load_secret_key",
    "new_csrf_token",
]
