"""Accounting-system connectors behind one small protocol; a new system is a new module here."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from overdue_reminder.model import Attorney, Invoice, Partner, Payment, Skipped, TrustBalance, Watermark

if TYPE_CHECKING:
    from overdue_reminder.sources.odoo_writeback import OdooActivity, OdooFile, OdooNote

__all__ = ["Page", "Source", "StoredWriteDates", "Watermark", "WriteBack"]

# ids -> the write_date the ledger holds for those it knows: lets a source skip re-reading what is unchanged
StoredWriteDates = Callable[[Sequence[int]], Mapping[int, datetime | None]]


@dataclass
class Page:
    """One RPC page of invoices, or payments, with the watermark to commit alongside it."""

    invoices: list[Invoice] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    closed_ids: list[int] = field(default_factory=list)  # documents that left the open set
    skipped: list[Skipped] = field(default_factory=list)
    partner_refs: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (commercial id, name)
    attorney_refs: dict[int, str] = field(default_factory=dict)
    # (client id, matter reference) -> {flag: the raw Odoo value} from [odoo] matter_flag_fields
    matter_flags: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    watermark: Watermark = field(default_factory=Watermark)
    snapshot: bool = False  # True: the source lists every open invoice; anything else is closed
    done: bool = False  # the last page of this pass


class WriteBack(Protocol):
    """What the desk writes back to (and reads live from) the accounting system: chatter notes, mail,
    attachments, activities, live residuals. A source that can, hands one out through `Source.writeback`."""

    def open(self) -> None: ...

    def close(self) -> None: ...

    def read_residuals(self, invoice_ids: Sequence[int]) -> dict[int, tuple[str, Decimal, str]]: ...

    def post_note(self, invoice_ids: Sequence[int], html: str) -> None: ...

    def send_mail(self, invoice_id: int, subject: str, html: str, partner_ids: Sequence[int]) -> int: ...

    def attach_file(self, model: str, res_id: int, filename: str, data: bytes, mimetype: str) -> int: ...

    def create_activity(self, res_model: str, res_id: int, user_id: int, summary: str, note: str,
                        deadline: date) -> int: ...

    def close_activity(self, activity_id: int, feedback: str) -> None: ...

    # the batched forms: a night's letters and notes in a few calls (sources/odoo_writeback.py)
    def attach_files(self, files: Sequence[OdooFile]) -> list[int]: ...

    def post_notes(self, notes: Sequence[OdooNote]) -> list[int]: ...

    def create_activities(self, items: Sequence[OdooActivity]) -> list[int]: ...


class Source(Protocol):
    name: str

    def open(self) -> None: ...

    def invoice_pages(self, wm: Watermark, stored: StoredWriteDates | None = None) -> Iterator[Page]: ...

    def payment_pages(self, wm: Watermark) -> Iterator[Page]: ...

    def read_partners(self, ids: Sequence[int]) -> tuple[list[Partner], list[Skipped]]: ...

    def read_attorneys(self, ids: Sequence[int]) -> tuple[list[Attorney], list[Skipped]]: ...

    def currencies(self) -> dict[str, int] | None:
        """The accounting system's currency codes and decimal places; None: it has no currency table."""
        ...

    def changed_partner_ids(self, wm: Watermark, stored: StoredWriteDates | None = None) -> tuple[list[int],
                                                                                                  Watermark]: ...

    def trust_balances(self, wm: Watermark) -> tuple[list[TrustBalance] | None, Watermark]: ...

    @property
    def rpc_calls(self) -> int: ...

    def close(self) -> None: ...

    def writeback(self) -> WriteBack | None:
        """This source's write-back side, or None when the system cannot take writes (CSV exports)."""
        ...
