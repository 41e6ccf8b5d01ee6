"""One small error hierarchy; every message is something a billing clerk can act on.

Each error carries the process exit code the CLI uses (see DESIGN.md, Conventions).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_SKIPPED = 1
EXIT_CONFIG = 2
EXIT_SOURCE = 3
EXIT_LOCKED = 4
EXIT_UNDELIVERED = 6  # the run finished, but some work was not delivered (run/outcome.py)


class OverdueReminderError(Exception):
    """Base of every error the tool raises on purpose."""

    exit_code = EXIT_CONFIG


class ConfigError(OverdueReminderError):
    """A setting is missing or wrong; the message names the file, the key and the fix."""

    exit_code = EXIT_CONFIG

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None,
                 fix: str | None = None) -> None:
        self.path, self.key, self.fix = path, key, fix
        where = ""
        if path:
            where = f"{path}: "
        if key:
            where += f"[{key}] "
        text = f"{where}{message}"
        if fix:
            text += f" Fix: {fix}"
        super().__init__(text)


class UsageError(OverdueReminderError):
    """The command was asked for something it cannot do (bad id, wrong state)."""

    exit_code = EXIT_CONFIG


class SourceError(OverdueReminderError):
    """The accounting system is unreachable, refused the login, or denied access."""

    exit_code = EXIT_SOURCE


class AuthError(SourceError):
    """Login refused or an access right is missing: retrying will not help."""


class TransientSourceError(SourceError):
    """A timeout, dropped connection or 5xx: worth retrying with backoff."""


class StoreError(OverdueReminderError):
    """The local store cannot be opened or is at the wrong schema version."""

    exit_code = EXIT_CONFIG


class LockedError(OverdueReminderError):
    """Another run holds the lock."""

    exit_code = EXIT_LOCKED


class DeliveryError(OverdueReminderError):
    """A message could not be handed to the delivery channel."""

    exit_code = EXIT_SKIPPED


class PolicyError(OverdueReminderError):
    """An action would break a rule (authority limit, floor, unapproved letter)."""

    exit_code = EXIT_CONFIG
