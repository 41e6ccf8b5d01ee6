"""The sender for the crash test: `send` as the CLI runs it, killing itself with SIGKILL on cue.

    .venv/bin/python tests/reminders/crash_driver.py CONFIG

CRASH_AT = "<stage>:<n>" picks the kill point deterministically:
  residuals:1  after the lock and the unconfirmed sweep, while reading residuals (nothing claimed yet)
  claimed:n    the n-th reminder's `sending` is committed, before it is handed over
  midway:n     half of the n-th message is on the wire (SMTP DATA) or in a temporary file (outbox)
  handed:n     the channel accepted the n-th message, before `sent` is committed
  recorded:n   the n-th `sent` is committed
  none:0       no crash
CRASH_NOW is the (aware, ISO) instant the run uses, inside the send window.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage

from overdue_reminder import config
from overdue_reminder.services import delivery
from overdue_reminder.services.reminders import Reminder
from overdue_reminder.store import Store


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> int:
    settings = config.load(sys.argv[1])
    stage, _, n_text = os.environ.get("CRASH_AT", "none:0").partition(":")
    n = int(n_text or 0)
    now = datetime.fromisoformat(os.environ["CRASH_NOW"])
    store = Store(settings.store_url)
    counts = {"claimed": 0, "handed": 0, "recorded": 0, "midway": 0}

    def on_step(step: str, r: Reminder) -> None:
        counts[step] += 1
        if step == stage and counts[step] == n:
            die()

    class Residuals(delivery.StoreResiduals):
        def read_residuals(self, invoice_ids: Sequence[int]) -> dict[int, tuple[str, Decimal, str]]:
            if stage == "residuals":
                die()
            return super().read_residuals(invoice_ids)

    class Smtp(delivery.SmtpTransport):
        def deliver(self, r: Reminder, message: EmailMessage) -> str:
            counts["midway"] += 1
            if stage == "midway" and counts["midway"] == n and self.conn is not None:
                data = message.as_bytes()
                self.conn.mail(self.sender)
                self.conn.rcpt(r.to_address)
                self.conn.putcmd("data")
                self.conn.getreply()
                self.conn.send(data[: len(data) // 2])
                die()
            return super().deliver(r, message)

    class Outbox(delivery.OutboxTransport):
        def deliver(self, r: Reminder, message: EmailMessage) -> str:
            counts["midway"] += 1
            if stage == "midway" and counts["midway"] == n:
                data = message.as_bytes()
                tmp = self.folder / f".tmp-{r.idempotency_key[:16]}-{os.getpid()}"
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.write(fd, data[: len(data) // 2])
                die()
            return super().deliver(r, message)

    transport: delivery.Transport
    if settings.delivery.mode == "smtp":
        transport = Smtp(settings)
    else:
        transport = Outbox(settings.resolve(settings.delivery.outbox_dir))
    result = delivery.send_approved(store, settings, now, transport=transport, residuals=Residuals(store),
                                    on_step=on_step, actor="crash-driver")
    print(json.dumps(result.summary(), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
