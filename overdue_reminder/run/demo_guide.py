"""What the demo tells a newcomer once the desk is up: whom to sign in as, and what to try next.

The sign-ins are the sandbox's own Odoo users (sandbox/constants.py), so the review page checks them with
Odoo as it would in a firm. The attorney shown is the one with the most letters waiting, so signing in
shows a queue with something in it. The suggested commands find the demo's configuration through
$OVERDUE_REMINDER_CONFIG (one `export` line first); the demo's own test runs each one while the demo serves.
"""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from overdue_reminder.config import CONFIG_ENV  # the README's documented fallback for --config
from overdue_reminder.sandbox.constants import ATTORNEY_PASSWORD, ATTORNEYS, CLERK_LOGIN, CLERK_PASSWORD
from overdue_reminder.services import letters as letter_queue
from overdue_reminder.store import Store

CLERK_NAME = "Jordan Lee"  # the sandbox's clerk user; the demo's [web] lists this login as billing staff


@dataclass(frozen=True, slots=True)
class SignIn:
    role: str
    name: str
    login: str
    password: str
    sees: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "name": self.name, "login": self.login, "password": self.password,
                "sees": self.sees}


@dataclass(frozen=True, slots=True)
class Suggestion:
    command: str
    why: str


def sign_ins(store: Store) -> list[SignIn]:
    """One attorney (the one with most letters awaiting review; the first on a tie) and the billing clerk."""
    waiting = Counter(lt.attorney_id for lt in letter_queue.list_letters(store, status=letter_queue.AWAITING))
    uid, _, name, login = max(ATTORNEYS, key=lambda a: (waiting[a[0]], -a[0]))
    count = waiting[uid]
    mine = f"{count} letter{'' if count == 1 else 's'} awaiting review" if count else "an empty queue tonight"
    return [SignIn("attorney", name, login, ATTORNEY_PASSWORD, f"their own queue: {mine}"),
            SignIn("billing clerk", CLERK_NAME, CLERK_LOGIN, CLERK_PASSWORD,
                   "all letters and offers; decides nothing an attorney must")]


def first_awaiting(store: Store, attorney_login: str) -> int | None:
    """The attorney's oldest letter awaiting review, for a `letters show` worth running."""
    mine = letter_queue.list_letters(store, attorney=attorney_login, status=letter_queue.AWAITING)
    return mine[0].id if mine else None


def config_export(config_path: Path) -> str:
    """The shell line that points every later command at the demo's configuration."""
    return f"export {CONFIG_ENV}={shlex.quote(str(config_path))}"


def next_commands(*, odoo_up: bool, letter_id: int | None = None) -> list[Suggestion]:
    """The commands worth trying next (after `config_export`). Those that talk to Odoo (delivery's dry run
    reads live balances; `config check` logs in) only while the sandbox is up."""
    rows = [("status", "last runs, queues, aging totals"),
            ("plan", "tonight's plan per client, and why"),
            ("aging", "open receivables by age and currency"),
            ("drafts list", "reminders waiting for the clerk"),
            ("letters list", "escalation letters and their state")]
    if letter_id is not None:
        rows.append((f"letters show {letter_id}", "one letter: text, figures, history"))
    rows += [("offer list", "payment plans, settlements, extensions"),
             ("hold list", "disputes, pauses and other holds")]
    if odoo_up:
        rows += [("send --dry-run", "what would be sent now (sends nothing)"),
                 ("config check", "checks the config and the Odoo login")]
    return [Suggestion(f"overdue-reminder {cmd}", why) for cmd, why in rows]
