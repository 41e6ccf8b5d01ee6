"""Odoo over odoo-client-lib: batched, keyset-paginated, incremental reads and idempotent write-backs.

Full pass: the open receivables paged by id (`id > last`, order id, batch 1000). Incremental
pass: every customer document whose write_date is at or after the watermark (less the look-back
window), paged on (write_date, id) with a light read (stored columns only); only those whose
write_date differs from the ledger's, or new open ones, are then read whole; those no longer open
are reported closed. Partners and users are read by id
in batches, never per invoice. Field names are those of Odoo 16, 17 and 18.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from overdue_reminder.config import OdooSettings
from overdue_reminder.errors import ConfigError
from overdue_reminder.model import (
    Address,
    Attorney,
    Invoice,
    InvoiceKind,
    Partner,
    Payment,
    Skipped,
    TrustBalance,
)
from overdue_reminder.money import MoneyError, is_currency, quantize, quantum, to_decimal
from overdue_reminder.sources import Page, StoredWriteDates, Watermark
from overdue_reminder.sources.odoo_portal import OdooPortal, clean_token
from overdue_reminder.sources.odoo_writeback import OdooWriteBack
from overdue_reminder.sources.rpc import RpcClient
from overdue_reminder.sources.sanitise import DEFAULT_MAX_AMOUNT, NAME_MAX, Cleaner, line

log = logging.getLogger(__name__)

MOVE_TYPES = ["out_invoice", "out_refund"]
OPEN_PAYMENT_STATES = ("not_paid", "partial")  # in_payment: registered, awaiting reconciliation
INVOICE_FIELDS = ["name", "move_type", "state", "payment_state", "partner_id", "commercial_partner_id",
                  "invoice_user_id", "invoice_origin", "ref", "currency_id", "amount_total",
                  "amount_residual", "invoice_date", "invoice_date_due", "write_date",
                  "access_token"]  # portal.mixin: the pay link's token, read with the batch (no extra call)
PARTNER_FIELDS = ["name", "email", "lang", "phone", "street", "street2", "city", "zip", "state_id",
                  "country_id", "is_company", "commercial_partner_id", "type", "write_date"]
# Invoices are read without many2one names (load=""): Odoo computes a display name per referenced partner,
# user and currency otherwise, a third of the read. The names come from the partner, user and currency reads.
BARE_IDS = ""
USER_FIELDS = ["name", "login", "email", "write_date"]
LIGHT_FIELDS = ["write_date", "move_type", "state", "payment_state"]  # stored columns: no name lookups
CURRENCY_FIELDS = ["name", "decimal_places", "rounding", "active"]
SUPPORTED_MAJOR = (16, 17, 18)


def odoo_datetime(value: Any) -> datetime | None:
    """Odoo's 'YYYY-MM-DD HH:MM:SS' (UTC) as an aware datetime (fromisoformat: 10x strptime's speed)."""
    if not value:
        return None
    return datetime.fromisoformat(str(value)[:19]).replace(tzinfo=UTC)


def odoo_date(value: Any) -> date | None:
    if not value:
        return None
    return date.fromisoformat(value if isinstance(value, str) and len(value) == 10 else str(value)[:10])


def _minus_seconds(stamp: str, seconds: int) -> str:
    if not stamp or seconds <= 0:
        return stamp
    return (datetime.fromisoformat(stamp) - timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def m2o(value: Any) -> tuple[int, str] | None:
    """Odoo many2one: [id, display_name], a bare id (read with load=""), or False."""
    if value.__class__ is list and len(value) == 2 and value[0].__class__ is int and value[1].__class__ is str:
        return value[0], value[1]  # the shape Odoo sends; the general case below
    if value.__class__ is int:
        return value, ""
    if isinstance(value, (list, tuple)) and len(value) >= 1 and isinstance(value[0], int):
        return value[0], str(value[1]) if len(value) > 1 else ""
    return None


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def is_open(rec: dict[str, Any]) -> bool:
    return (rec.get("state") == "posted" and rec.get("payment_state") in OPEN_PAYMENT_STATES
            and rec.get("move_type") in MOVE_TYPES)


def _wire_money(value: Any, currency: str, max_amount: Decimal) -> Decimal:
    """The hot path of to_decimal for Odoo's floats: shortest repr, then the currency's quantum."""
    if value.__class__ is float:
        d = Decimal(repr(value))
        if d.is_finite() and -max_amount <= d <= max_amount:
            return d.quantize(quantum(currency), rounding=ROUND_HALF_UP)
    return Cleaner("account.move", "").amount("amount", value, currency, max_amount)


def parse_invoice(rec: dict[str, Any], matter_fields: Sequence[str],
                  max_amount: Decimal = DEFAULT_MAX_AMOUNT, jurisdiction_field: str = "") -> Invoice | Skipped:
    """An Odoo account.move as an Invoice, or the reason it cannot be used."""
    rid = rec.get("id", "?")
    name = line(rec.get("name"), 64) or f"account.move {rid}"
    partner, commercial = m2o(rec.get("partner_id")), m2o(rec.get("commercial_partner_id"))
    if partner is None and commercial is None:
        return Skipped("account.move", rid, f"{name}: no customer (partner_id is empty)")
    partner = partner or commercial
    commercial = commercial or partner
    assert partner is not None and commercial is not None
    cur = m2o(rec.get("currency_id"))
    currency = cur[1] if cur else ""
    if not is_currency(currency):
        return Skipped("account.move", rid, f"{name}: unknown currency {currency or '(none)'!r}")
    due = odoo_date(rec.get("invoice_date_due"))
    if due is None:
        return Skipped("account.move", rid, f"{name}: no due date (invoice_date_due is empty)")
    try:
        total = _wire_money(rec.get("amount_total"), currency, max_amount)
        residual = _wire_money(rec.get("amount_residual"), currency, max_amount)
    except MoneyError as exc:
        return Skipped("account.move", rid, f"{name}: {exc}")
    if residual < 0 or total < 0:
        return Skipped("account.move", rid, f"{name}: negative amount (residual {residual} {currency})")
    matter = ""
    for f in matter_fields:
        matter = line(rec.get(f), 200)
        if matter:
            break
    user = m2o(rec.get("invoice_user_id"))
    kind = InvoiceKind.CREDIT_NOTE if rec.get("move_type") == "out_refund" else InvoiceKind.INVOICE
    open_ = is_open(rec) and residual > 0
    return Invoice(id=int(rid), name=name, kind=kind, client_id=commercial[0], contact_id=partner[0],
                   attorney_id=user[0] if user else None, matter_ref=matter, currency=currency,
                   amount_total=total, amount_residual=residual, invoice_date=odoo_date(rec.get("invoice_date")),
                   due_date=due, payment_state=text(rec.get("payment_state")), is_open=open_,
                   write_date=odoo_datetime(rec.get("write_date")), access_token=clean_token(rec.get("access_token")),
                   jurisdiction=jurisdiction_code(rec.get(jurisdiction_field)) if jurisdiction_field else "")


def jurisdiction_code(value: Any) -> str:
    """A jurisdiction as Odoo holds it: a code ("NY"), a selection key, or a many2one's name; "" if unusable."""
    ref = m2o(value)
    raw = ref[1] if ref else text(value)
    code = line(raw, 10).strip().upper()
    return code if code.isalnum() else ""


def parse_partner(rec: dict[str, Any], notes: list[Skipped] | None = None) -> Partner:
    """A res.partner with every text field made safe; what had to be dropped or cut goes to `notes`."""
    commercial = m2o(rec.get("commercial_partner_id"))
    state, country = m2o(rec.get("state_id")), m2o(rec.get("country_id"))
    c = Cleaner("res.partner", int(rec["id"]))
    partner = Partner(
        id=int(rec["id"]), name=c.text("name", rec.get("name"), NAME_MAX),
        commercial_id=commercial[0] if commercial else int(rec["id"]),
        email=c.email("email", rec.get("email")), lang=line(rec.get("lang"), 16),
        phone=c.text("phone", rec.get("phone"), 64),
        is_company=bool(rec.get("is_company")), contact_type=line(rec.get("type"), 32) or "contact",
        address=Address(c.text("street", rec.get("street")), c.text("street2", rec.get("street2")),
                        c.text("city", rec.get("city"), NAME_MAX), c.text("zip", rec.get("zip"), 32),
                        line(state[1] if state else "", NAME_MAX), line(country[1] if country else "", NAME_MAX)),
        write_date=odoo_datetime(rec.get("write_date")))
    if notes is not None:
        notes.extend(c.notes)
    return partner


def parse_attorney(rec: dict[str, Any], notes: list[Skipped] | None = None) -> Attorney:
    """A res.users: its email goes into letters, digests and headers, so only a plainly valid one is kept."""
    c = Cleaner("res.users", int(rec["id"]))
    attorney = Attorney(int(rec["id"]), c.text("name", rec.get("name"), NAME_MAX), line(rec.get("login"), 254),
                        c.email("email", rec.get("email"), strict=True), odoo_datetime(rec.get("write_date")))
    if notes is not None:
        notes.extend(c.notes)
    return attorney


def parse_currencies(records: Sequence[dict[str, Any]]) -> dict[str, int]:
    """res.currency rows as code -> decimal places (Odoo derives decimal_places from the rounding factor)."""
    out: dict[str, int] = {}
    for rec in records:
        code = text(rec.get("name")).strip().upper()
        places = rec.get("decimal_places")
        if len(code) != 3 or not code.isalpha():
            continue
        if not isinstance(places, int) or isinstance(places, bool):
            rounding = rec.get("rounding")
            try:
                places = max(0, -Decimal(repr(rounding)).normalize().as_tuple().exponent)  # type: ignore[operator]
            except (ArithmeticError, TypeError, ValueError):
                continue
        if 0 <= places <= 6:
            out[code] = places
    return out


class OdooSource(OdooWriteBack, OdooPortal):
    """Reads receivables from Odoo; writes notes, attachments and activities back (OdooWriteBack); pay links
    (OdooPortal)."""

    name = "odoo"
    concurrent_reads = True  # the RPC client takes calls from several threads (sync reads ahead)

    def __init__(self, settings: OdooSettings, password: str, *, trust_account_code: str = "",
                 client: RpcClient | None = None, max_amount: Decimal = DEFAULT_MAX_AMOUNT) -> None:
        self.settings = settings
        self.max_amount = max_amount
        self.trust_account_code = trust_account_code
        self.client = client or RpcClient(settings.protocol, settings.host, settings.port, settings.database,
                                          settings.login, password, timeout=settings.timeout_seconds,
                                          retries=settings.retries, backoff=settings.backoff_seconds,
                                          reuse_login=True)
        self.server_version = ""
        self.major = 17
        self._currency_codes: dict[int, str] = {}  # res.currency id -> code, for invoices read without names

    # ------------------------------------------------------------ session
    def open(self) -> None:
        """Log in; the version is read only by `check` (sync's field set is the same on 16-18)."""
        self.client.authenticate()

    def _read_version(self) -> None:
        info = self.client.version()
        self.server_version = str(info.get("server_version", ""))
        serie = info.get("server_version_info") or [0]
        try:
            self.major = int(serie[0])
        except (TypeError, ValueError, IndexError):
            self.major = 17
        if self.major not in SUPPORTED_MAJOR:
            log.warning("Odoo %s is not a tested version (16, 17, 18); continuing", self.server_version)

    @property
    def rpc_calls(self) -> int:
        return self.client.total_calls

    def close(self) -> None:
        self.client.close()

    def writeback(self) -> OdooSource:
        """Odoo takes notes, mail, attachments and activities on this same session."""
        return self

    def check(self) -> dict[str, Any]:
        """For `config check`: version, login, and read access to each model the tool needs."""
        self._read_version()
        self.client.reuse_login = False  # check the login itself, not a remembered one
        self.open()
        access: dict[str, int] = {}
        for model, domain in (("account.move", [("move_type", "in", MOVE_TYPES)]), ("res.partner", []),
                              ("res.users", []), ("account.payment", [])):
            access[model] = int(self.client.execute(model, "search_count", domain))
        self._check_jurisdiction_field()
        trust: dict[str, Any] = {}
        if self.trust_account_code:
            trust = {"code": self.trust_account_code, "account_id": self._trust_account_id()}
        return {"trust_account": trust, "url": self.client.url, "database": self.settings.database,
                "server_version": self.server_version,
                "login": self.settings.login, "uid": self.client.uid, "access": access}

    def _check_jurisdiction_field(self) -> None:
        """odoo.jurisdiction_field must name a field of account.move: a typo would silently read nothing."""
        name = self.settings.jurisdiction_field
        if name and name not in self.client.execute("account.move", "fields_get", [name], attributes=["type"]):
            raise ConfigError(f"Odoo's account.move has no field {name!r}.", key="odoo.jurisdiction_field",
                              fix="use the technical name of the invoice field holding the jurisdiction (e.g. "
                                  "\"x_jurisdiction\"), or \"\" to take it from letters.jurisdiction_by_matter "
                                  "and firm.jurisdiction.")

    def _trust_account_id(self) -> int:
        """The configured trust liability account; a missing one is a configuration error (exit 2)."""
        code = self.trust_account_code
        accounts = self.client.execute("account.account", "search_read", [("code", "=", code)],
                                       fields=["id", "name", "account_type"], limit=1)
        if not accounts:
            raise ConfigError(f"Odoo has no account with code {code!r} (the trust liability account).",
                              key="odoo.trust_account_code",
                              fix="set it to the code of the firm's client trust liability account in Odoo's chart "
                                  "of accounts, or to \"\" if the firm holds no client money.")
        return int(accounts[0]["id"])

    # ------------------------------------------------------------ invoices
    def _currency_code(self, currency_id: int) -> str:
        if currency_id not in self._currency_codes:
            self.currencies()  # a currency added since: read the list again
            self._currency_codes.setdefault(currency_id, "")
        return self._currency_codes[currency_id]

    def _page(self, records: list[dict[str, Any]]) -> Page:
        """Open documents are validated (bad ones skipped and listed); others are closures."""
        page = Page()
        for rec in records:
            cur = rec.get("currency_id")
            if cur.__class__ is int:  # read with load="": the code from the currency list
                rec["currency_id"] = [cur, self._currency_code(cur)]
            parsed = parse_invoice(rec, self.settings.matter_fields, self.max_amount, self.settings.jurisdiction_field)
            if not is_open(rec):
                if isinstance(parsed, Invoice):
                    page.invoices.append(parsed)  # stored closed: payment history for client profiles
                elif rec.get("id"):
                    page.closed_ids.append(int(rec["id"]))
                continue
            if isinstance(parsed, Skipped):
                page.skipped.append(parsed)
                if rec.get("id"):
                    page.closed_ids.append(int(rec["id"]))  # a stored copy must not stay open
                continue
            page.invoices.append(parsed)
            partner, commercial = m2o(rec.get("partner_id")), m2o(rec.get("commercial_partner_id"))
            for ref in (partner, commercial):
                if ref:
                    page.partner_refs[ref[0]] = (parsed.client_id, line(ref[1], NAME_MAX))
            user = m2o(rec.get("invoice_user_id"))
            if user:
                page.attorney_refs[user[0]] = line(user[1], NAME_MAX)
            flags = self.settings.matter_flag_fields
            if flags and parsed.matter_ref:
                page.matter_flags[(parsed.client_id, parsed.matter_ref)] = {
                    flag: rec[fld] for flag, fld in flags.items() if fld in rec}
        return page

    @property
    def invoice_fields(self) -> list[str]:
        """The account.move fields read: the standard ones, and the firm's matter-flag and jurisdiction fields if it
        has them (same batched read)."""
        wanted = [*self.settings.matter_flag_fields.values(), self.settings.jurisdiction_field]
        extra = list(dict.fromkeys(f for f in wanted if f and f not in INVOICE_FIELDS))
        return [*INVOICE_FIELDS, *extra] if extra else INVOICE_FIELDS

    def invoice_pages(self, wm: Watermark, stored: StoredWriteDates | None = None) -> Iterator[Page]:
        """Full pass pages the open set by id; incremental pages changes on (write_date, id), reading
        whole only what `stored` (the ledger's write_dates) does not already hold.

        The caller runs this generator a page ahead in a thread (sync.prefetch): fetching and
        parsing page N+1 overlap storing page N. (A third stage, fetching ahead of parsing, was
        measured slower: the threads then mostly contend for the GIL.)
        """
        if wm.phase == "full":
            for records, mark, done in self._open_set(wm):
                page = self._page(records)
                page.done, page.watermark = done, mark
                yield page
        else:
            # A light read finds the candidates (the look-back window re-finds many); only those that
            # differ from the ledger are read whole.
            for light, mark, done in self._changes("account.move", [("move_type", "in", MOVE_TYPES)],
                                                   LIGHT_FIELDS, wm):
                page = self._page(self._read_invoices(self._to_read(light, stored)))  # closed ones close theirs
                page.done, page.watermark = done, mark
                yield page

    @staticmethod
    def _to_read(light: list[dict[str, Any]], stored: StoredWriteDates | None) -> list[int]:
        """Ids worth a full read: known ones whose write_date moved, unknown ones that are open."""
        ids = [int(r["id"]) for r in light]
        if stored is None:
            return ids
        known = stored(ids)
        out = []
        for rec in light:
            rid = int(rec["id"])
            if rid in known:
                if known[rid] != odoo_datetime(rec.get("write_date")):
                    out.append(rid)
            elif is_open(rec):
                out.append(rid)
        return out

    def _read_invoices(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(0, len(ids), self.settings.batch_size):
            out.extend(self.client.execute("account.move", "read", list(ids[i:i + self.settings.batch_size]),
                                           fields=self.invoice_fields, load=BARE_IDS))
        return out

    def _open_set(self, wm: Watermark) -> Iterator[tuple[list[dict[str, Any]], Watermark, bool]]:
        """The open receivables by id, resuming after the last id a cut-off pass committed."""
        batch = self.settings.batch_size
        last, high = wm.last_id, wm.watermark
        while True:
            domain: list[Any] = [("move_type", "in", MOVE_TYPES), ("state", "=", "posted"),
                                 ("payment_state", "in", list(OPEN_PAYMENT_STATES)), ("id", ">", last)]
            records = self.client.execute("account.move", "search_read", domain,
                                          fields=self.invoice_fields, order="id", limit=batch, load=BARE_IDS)
            if records:
                last = int(records[-1]["id"])
                high = max(high, max(text(r.get("write_date")) for r in records))
            done = len(records) < batch
            yield records, Watermark(high, 0, "incremental") if done else Watermark(high, last, "full"), done
            if done:
                return

    def _changes(self, model: str, domain: list[Any], fields: list[str],
                 wm: Watermark) -> Iterator[tuple[list[dict[str, Any]], Watermark, bool]]:
        """Records written at or after the watermark, in (write_date, id) order, a page at a time.

        Each pass starts `odoo.lookback_seconds` before the watermark: Odoo stamps write_date with
        whole seconds, and with the start of the writing transaction, so a record written later in
        that second, or committed late by a long transaction, must not be missed; re-reading a few
        is harmless (upserts; unchanged records are not counted as changed). Pages continue with
        `write_date >= last` and `id not in (ids already read at that second)`: plain conjuncts, so
        the server can use its write_date index instead of scanning an OR.
        """
        batch = self.settings.batch_size
        stamp, seen = _minus_seconds(wm.watermark, self.settings.lookback_seconds), list[int]()
        while True:
            dom = list(domain)
            if stamp:
                dom.append(("write_date", ">=", stamp))
            if seen:
                dom.append(("id", "not in", list(seen)))
            records = self.client.execute(model, "search_read", dom, fields=fields,
                                          order="write_date asc, id asc", limit=batch)
            for rec in records:
                wd = text(rec.get("write_date"))
                if wd != stamp:
                    stamp, seen = wd, []
                seen.append(int(rec["id"]))
            done = len(records) < batch
            yield records, Watermark(stamp, 0, "incremental"), done
            if done:
                return

    def read_residuals(self, invoice_ids: Sequence[int]) -> dict[int, tuple[str, Decimal, str]]:
        """Right before sending: what each invoice still owes now (id -> (currency, residual, state))."""
        out: dict[int, tuple[str, Decimal, str]] = {}
        ids = list(invoice_ids)
        for i in range(0, len(ids), self.settings.batch_size):
            chunk = ids[i:i + self.settings.batch_size]
            for rec in self.client.execute("account.move", "read", chunk,
                                           fields=["currency_id", "amount_residual", "payment_state", "state"]):
                cur = m2o(rec.get("currency_id"))
                currency = cur[1] if cur else ""
                state = text(rec.get("payment_state")) if rec.get("state") == "posted" else text(rec.get("state"))
                residual = to_decimal(rec.get("amount_residual") or 0)
                out[int(rec["id"])] = (currency, quantize(residual, currency) if is_currency(currency) else residual,
                                       state)
        return out

    # ------------------------------------------------------------ partners, users
    def read_partners(self, ids: Sequence[int]) -> tuple[list[Partner], list[Skipped]]:
        out: list[Partner] = []
        skipped: list[Skipped] = []
        ids = list(ids)
        for i in range(0, len(ids), self.settings.batch_size):
            chunk = ids[i:i + self.settings.batch_size]
            for rec in self.client.execute("res.partner", "read", chunk, fields=PARTNER_FIELDS):
                try:
                    out.append(parse_partner(rec, skipped))
                except (KeyError, TypeError, ValueError) as exc:
                    skipped.append(Skipped("res.partner", rec.get("id", "?"), f"unreadable partner: {exc}"))
        return out, skipped

    def changed_partner_ids(self, wm: Watermark, stored: StoredWriteDates | None = None) -> tuple[list[int], Watermark]:
        """Partners changed since the watermark (ids only; the caller reads the ones it knows). With
        `stored`, only those whose write_date moved against the ledger's (Odoo rewrites a partner for
        many reasons, e.g. each posted invoice raises its customer rank)."""
        if not wm.watermark:
            return [], wm
        ids: list[int] = []
        last_mark = wm
        for records, mark, _done in self._changes("res.partner", [], ["write_date"], wm):
            known = stored([int(r["id"]) for r in records]) if stored is not None else None
            ids.extend(int(rec["id"]) for rec in records
                       if known is None or known.get(int(rec["id"])) != odoo_datetime(rec.get("write_date")))
            last_mark = mark
        return ids, last_mark

    def read_attorneys(self, ids: Sequence[int]) -> tuple[list[Attorney], list[Skipped]]:
        out: list[Attorney] = []
        notes: list[Skipped] = []
        ids = list(ids)
        for i in range(0, len(ids), self.settings.batch_size):
            chunk = ids[i:i + self.settings.batch_size]
            for rec in self.client.execute("res.users", "read", chunk, fields=USER_FIELDS):
                out.append(parse_attorney(rec, notes))
        return out, notes

    def currencies(self) -> dict[str, int] | None:
        """Odoo's own currency list, archived ones included (old invoices keep their currency)."""
        records = self.client.execute("res.currency", "search_read", [("active", "in", [True, False])],
                                      fields=CURRENCY_FIELDS)
        self._currency_codes.update((int(r["id"]), text(r.get("name")).strip().upper()) for r in records
                                    if isinstance(r.get("id"), int))
        return parse_currencies(records)

    # ------------------------------------------------------------ payments, trust
    @staticmethod
    def _payment_domain() -> list[Any]:
        # 'posted' (16/17) or 'in_process'/'paid' (18): exclude the draft and cancelled states instead.
        return [("partner_type", "=", "customer"), ("payment_type", "=", "inbound"),
                ("state", "not in", ["draft", "cancel", "canceled", "rejected"])]

    def _payment_high_water(self) -> str:
        """The newest write_date among all customer payments: where the incremental pass starts."""
        last = self.client.execute("account.payment", "search_read", [("partner_type", "=", "customer")],
                                   fields=["write_date"], order="write_date desc, id desc", limit=1)
        return text(last[0].get("write_date")) if last else ""

    PAYMENT_FIELDS: ClassVar[list[str]] = ["partner_id", "amount", "currency_id", "date", "state", "is_reconciled",
                                           "reconciled_invoice_ids", "write_date"]

    def payment_pages(self, wm: Watermark) -> Iterator[Page]:
        """Full pass: the unreconciled customer payments by id. Incremental: every customer payment
        written since the watermark (a reconciliation changes is_reconciled and the write_date)."""
        if wm.phase != "full":
            for records, mark, done in self._changes("account.payment", [("partner_type", "=", "customer")],
                                                     self.PAYMENT_FIELDS, wm):
                page = self._payment_page(records)
                page.done, page.watermark = done, mark
                yield page
            return
        batch = self.settings.batch_size
        last, high = wm.last_id, wm.watermark
        while True:
            records = self.client.execute(
                "account.payment", "search_read",
                [*self._payment_domain(), ("is_reconciled", "=", False), ("id", ">", last)],
                fields=self.PAYMENT_FIELDS, order="id", limit=batch)
            page = self._payment_page(records)
            for rec in records:
                high = max(high, text(rec.get("write_date")))
            if records:
                last = int(records[-1]["id"])
            page.done = len(records) < batch
            page.watermark = Watermark(max(high, self._payment_high_water()), 0, "incremental") if page.done \
                else Watermark(high, last, "full")
            yield page
            if page.done:
                return

    def _payment_page(self, records: list[dict[str, Any]]) -> Page:
        page = Page()
        for rec in records:
            partner = m2o(rec.get("partner_id"))
            cur = m2o(rec.get("currency_id"))
            d = odoo_date(rec.get("date"))
            if partner is None or cur is None or d is None or not is_currency(cur[1]):
                page.skipped.append(Skipped("account.payment", rec.get("id", "?"),
                                            "payment without customer, currency or date"))
                continue
            state = text(rec.get("state"))
            try:
                amount = Cleaner("account.payment", rec["id"]).amount("amount", rec.get("amount"), cur[1],
                                                                       self.max_amount)
            except MoneyError as exc:
                page.skipped.append(Skipped("account.payment", rec.get("id", "?"), str(exc)))
                continue
            page.payments.append(Payment(
                id=int(rec["id"]), client_id=partner[0], amount=amount,
                currency=cur[1], date=d, reconciled=bool(rec.get("is_reconciled")),
                invoice_ids=tuple(int(x) for x in rec.get("reconciled_invoice_ids") or []),
                state="posted" if state in ("posted", "in_process", "paid") else state,
                write_date=odoo_datetime(rec.get("write_date"))))
            page.partner_refs[partner[0]] = (partner[0], line(partner[1], NAME_MAX))
        return page

    def trust_balances(self, wm: Watermark) -> tuple[list[TrustBalance] | None, Watermark]:
        """Per-client credit balance on the trust liability account, re-read only when one of its
        lines changed since the watermark. None: not configured, or unchanged."""
        if not self.trust_account_code:
            return None, wm
        accounts = [{"id": self._trust_account_id()}]
        on_account: list[Any] = [("account_id", "=", accounts[0]["id"])]
        newest = self.client.execute(
            "account.move.line", "search_read",
            on_account + ([("write_date", ">=", wm.watermark)] if wm.watermark else []),
            fields=["write_date"], order="write_date desc, id desc", limit=1)
        if wm.watermark and (not newest or text(newest[0].get("write_date")) <= wm.watermark):
            return None, wm  # nothing on the trust account moved: the stored balances stand
        mark = Watermark(text(newest[0].get("write_date")) if newest else "", 0, "incremental")
        groups = self.client.execute(
            "account.move.line", "read_group",
            [("account_id", "=", accounts[0]["id"]), ("parent_state", "=", "posted"), ("partner_id", "!=", False)],
            fields=["balance:sum"], groupby=["partner_id", "currency_id"], lazy=False)
        out = []
        for g in groups:
            partner, cur = m2o(g.get("partner_id")), m2o(g.get("currency_id"))
            if partner is None or cur is None or not is_currency(cur[1]):
                continue
            try:  # a liability: credit balance is money held
                held = -Cleaner("account.move.line", partner[0]).amount("trust balance", g.get("balance") or 0,
                                                                       cur[1], self.max_amount)
            except MoneyError as exc:
                log.warning("trust balance of partner %s skipped: %s", partner[0], exc)
                continue
            if held > 0:
                out.append(TrustBalance(partner[0], cur[1], held))
        return out, mark
