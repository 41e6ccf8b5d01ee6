"""Sign-in throttling: per login and per client address, with exponential lockouts that a known browser skips.

The policy (README, "The attorney review page"):

- Per login: `web.login_failures_per_login` failures in a row (none more than `web.login_window_minutes`
  apart) lock that login for `web.login_lockout_minutes`; each further lock doubles, up to
  `web.login_lockout_max_minutes`. A success, or a quiet window after the lock ends, forgets it.
- Per client address: the same with `web.login_failures_per_ip` (a higher number), so one address spraying
  many logins is slowed down too.
- A known browser, one that signed in successfully as that login before (a signed `device` cookie, 30
  days), skips the per-address lock and has a per-login lock of its own. So twenty failures from one
  address behind the firm's proxy, or an attacker guessing Dana's password, never lock out people who
  have signed in from their own browser before; only new browsers behind that address wait, and never
  longer than the cap.

In memory, with at most MAX_KEYS keys per counter: one waitress process serves the page, and a restart
forgets, which only ever helps a legitimate user.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from overdue_reminder.config import Settings

MAX_KEYS = 10_000
DEVICE_DAYS = 30
DEVICE_SALT = "overdue-reminder-device"


@dataclass
class _Strikes:
    fails: int = 0
    locks: int = 0
    last: float = 0.0
    until: float = 0.0


@dataclass
class Lockout:
    """Failures per key; `limit` in a row lock the key for base, 2 x base, 4 x base ... seconds, at most `cap`."""

    limit: int
    window_seconds: float
    base_seconds: float
    cap_seconds: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = MAX_KEYS
    _keys: dict[str, _Strikes] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _current(self, key: str, now: float) -> _Strikes | None:
        s = self._keys.get(key)
        if s is not None and now >= s.until and now - max(s.last, s.until) > self.window_seconds:
            del self._keys[key]  # quiet for a whole window after the last failure and the lock: forgiven
            return None
        return s

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` may try again; 0 when it may try now."""
        with self._lock:
            now = self.clock()
            s = self._current(key, now)
            return 0 if s is None or s.until <= now else max(1, math.ceil(s.until - now))

    def fail(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            s = self._current(key, now)
            if s is None:
                s = self._keys[key] = _Strikes()
            s.fails += 1
            s.last = now
            if s.fails >= self.limit:
                s.fails = 0
                s.locks += 1
                s.until = now + min(self.cap_seconds, self.base_seconds * 2 ** min(s.locks - 1, 30))
            if len(self._keys) > self.max_keys:  # a spray of keys: drop the stalest tenth
                for stale in sorted(self._keys, key=lambda k: max(self._keys[k].last, self._keys[k].until))[
                        :self.max_keys // 10]:
                    del self._keys[stale]

    def reset(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def __len__(self) -> int:
        return len(self._keys)


@dataclass
class LoginGuard:
    """Both counters together; `device` is the known-browser id from `DeviceCookies.device_for`, or None."""

    per_login: Lockout
    per_address: Lockout

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.monotonic) -> LoginGuard:
        web = settings.web
        window, base, cap = (web.login_window_minutes * 60.0, web.login_lockout_minutes * 60.0,
                             web.login_lockout_max_minutes * 60.0)
        return cls(Lockout(web.login_failures_per_login, window, base, cap, clock),
                   Lockout(web.login_failures_per_ip, window, base, cap, clock))

    @staticmethod
    def _login_key(login: str, device: str | None) -> str:
        name = login.strip().lower()
        return f"{name}\x00{device}" if device else name

    def retry_after(self, address: str, login: str, device: str | None = None) -> int:
        wait = self.per_login.retry_after(self._login_key(login, device))
        return wait if device else max(wait, self.per_address.retry_after(address))

    def failed(self, address: str, login: str, device: str | None = None) -> None:
        self.per_address.fail(address)
        if login.strip():
            self.per_login.fail(self._login_key(login, device))

    def succeeded(self, login: str, device: str | None = None) -> None:
        self.per_login.reset(self._login_key(login, device))


class DeviceCookies:
    """The signed `device` cookie a browser gets when it signs in: which login (a keyed digest, not the login
    itself) and a random id for that browser. Signed with the session key, valid DEVICE_DAYS days."""

    def __init__(self, secret_key: bytes, max_age_days: int = DEVICE_DAYS) -> None:
        self._signer = URLSafeTimedSerializer(secret_key, salt=DEVICE_SALT)
        self._key = secret_key
        self.max_age = max_age_days * 86_400

    def _digest(self, login: str) -> str:
        return hmac.new(self._key, login.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()[:24]

    def issue(self, login: str) -> str:
        return self._signer.dumps({"l": self._digest(login), "d": secrets.token_urlsafe(12)})

    def device_for(self, value: str | None, login: str) -> str | None:
        """The browser's id when `value` is a valid device cookie for `login`; None otherwise."""
        if not value or len(value) > 512 or not login.strip():
            return None
        try:
            data: Any = self._signer.loads(value, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not hmac.compare_digest(str(data.get("l", "")), self._digest(login)):
            return None
        device = data.get("d")
        return device if isinstance(device, str) and device else None


__all__ = ["DEVICE_DAYS", "DeviceCookies", "Lockout", "LoginGuard"]
