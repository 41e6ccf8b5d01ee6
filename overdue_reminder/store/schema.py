"""The store's tables (SQLAlchemy Core). Odoo ids are primary keys where a record comes from Odoo.

Changes here ship as an Alembic migration in store/migrations/versions/; a test checks that
the migrated schema equals this metadata.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from overdue_reminder.store.types import Money, UTCDateTime

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# Every res.partner we saw: clients (id == commercial_id) and their contacts (billing contacts).
clients = Table(
    "clients", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("commercial_id", Integer, nullable=False, index=True),
    Column("name", String(500), nullable=False, default=""),
    Column("email", String(500), nullable=False, default=""),
    Column("lang", String(16), nullable=False, default=""),
    Column("phone", String(100), nullable=False, default=""),
    Column("is_company", Boolean, nullable=False, default=False),
    Column("contact_type", String(20), nullable=False, default="contact"),
    Column("street", String(500), nullable=False, default=""),
    Column("street2", String(500), nullable=False, default=""),
    Column("city", String(200), nullable=False, default=""),
    Column("zip", String(40), nullable=False, default=""),
    Column("state", String(200), nullable=False, default=""),
    Column("country", String(200), nullable=False, default=""),
    # A stub row names a partner an invoice referenced before its details were read.
    Column("stub", Boolean, nullable=False, default=False, index=True),
    Column("write_date", UTCDateTime, nullable=True),
    Column("synced_at", UTCDateTime, nullable=True),
)

attorneys = Table(
    "attorneys", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(500), nullable=False, default=""),
    Column("login", String(500), nullable=False, default=""),
    Column("email", String(500), nullable=False, default=""),
    Column("stub", Boolean, nullable=False, default=False),
    Column("write_date", UTCDateTime, nullable=True),
)

matters = Table(
    "matters", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, nullable=False),
    Column("reference", String(200), nullable=False),
    Column("attorney_id", Integer, nullable=True),
    Column("before_court", Boolean, nullable=False, default=False),  # LAW.md #11
    Column("interest_allowed", Boolean, nullable=False, default=False),  # LAW.md #6
    # The effective per-matter flags above and below are what the desk applies: a value set locally
    # (`overdue-reminder matter set`, kept in `flags_local` with who and when) wins over one read from Odoo
    # (`flags_odoo`, [odoo] matter_flag_fields), which wins over the default (core/matter_flags.py).
    Column("interest_rate", Money, nullable=True),  # percent a year, simple; None: the client's or the firm's
    Column("interest_cap", Money, nullable=True),  # interest never above this percent of an invoice's open amount
    # Unused: the desk keeps no matter descriptions, so letters always name a matter by its reference (Rule 1.6).
    Column("describe_in_letters", Boolean, nullable=False, default=False),
    Column("flags_local", JSON, nullable=False, default=dict),  # {flag: {"value", "by", "at"}}
    Column("flags_odoo", JSON, nullable=False, default=dict),  # {flag: value} as the last sync read it
    # Set on the desk (`matter jurisdiction`); "" = from Odoo, the mapping or the firm default.
    Column("jurisdiction", String(10), nullable=False, default="", server_default=""),
    Column("engagement", String(10), nullable=False, default="written", server_default="written"),  # or "oral"
    UniqueConstraint("client_id", "reference", name="uq_matters_client_reference"),
)

invoices = Table(
    "invoices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("client_id", Integer, nullable=False, index=True),
    Column("contact_id", Integer, nullable=False),
    Column("attorney_id", Integer, nullable=True, index=True),
    Column("matter_ref", String(200), nullable=False, default=""),
    Column("jurisdiction", String(10), nullable=False, default="", server_default=""),  # odoo.jurisdiction_field
    Column("currency", String(3), nullable=False),
    Column("amount_total", Money, nullable=False),
    Column("amount_residual", Money, nullable=False),
    Column("invoice_date", Date, nullable=True),
    Column("due_date", Date, nullable=False),
    Column("payment_state", String(20), nullable=False),
    Column("is_open", Boolean, nullable=False, index=True),
    Column("write_date", UTCDateTime, nullable=True),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("access_token", String(64), nullable=False, default="", server_default=""),  # Odoo portal token
)

payments = Table(
    "payments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("client_id", Integer, nullable=False, index=True),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("date", Date, nullable=False),
    Column("state", String(20), nullable=False),
    Column("reconciled", Boolean, nullable=False),
    Column("invoice_ids", JSON, nullable=False, default=list),
    Column("write_date", UTCDateTime, nullable=True),
)

trust_balances = Table(
    "trust_balances", metadata,
    Column("client_id", Integer, primary_key=True, autoincrement=False),
    Column("currency", String(3), primary_key=True),
    Column("amount", Money, nullable=False),
    Column("as_of", UTCDateTime, nullable=False),
)

# Per-model watermark, advanced in the same transaction as the batch it covers.
sync_state = Table(
    "sync_state", metadata,
    Column("source", String(100), primary_key=True),
    Column("model", String(100), primary_key=True),
    Column("watermark", String(40), nullable=False, default=""),  # 'YYYY-MM-DD HH:MM:SS' UTC
    Column("last_id", Integer, nullable=False, default=0),
    Column("phase", String(20), nullable=False, default="full"),  # full | incremental
    Column("updated_at", UTCDateTime, nullable=False),
)

sync_runs = Table(
    "sync_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("status", String(20), nullable=False),  # running | ok | partial | failed
    Column("counts", JSON, nullable=False, default=dict),
    Column("watermarks", JSON, nullable=False, default=dict),
    Column("error", Text, nullable=False, default=""),
)

skipped_records = Table(
    "skipped_records", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("sync_runs.id"), nullable=False, index=True),
    Column("model", String(100), nullable=False),
    Column("record_id", String(100), nullable=False),
    Column("reason", Text, nullable=False),
)

# Append-only: triggers (see the migration) refuse UPDATE and DELETE.
audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("object_type", String(50), nullable=False),
    Column("object_id", String(100), nullable=False),
    Column("detail", JSON, nullable=False, default=dict),
    Index("ix_audit_object", "object_type", "object_id"),
    Index("ix_audit_at", "at"),  # status and the digest read the last day's refusals
)

holds = Table(
    "holds", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, nullable=False, index=True),
    Column("invoice_id", Integer, nullable=True),
    Column("kind", String(40), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("until", Date, nullable=True),
    Column("removed_by", String(200), nullable=True),
    Column("removed_at", UTCDateTime, nullable=True),
    Column("source_ref", String(100), nullable=True),  # e.g. 'offer:12', 'contact:7'
)

contacts = Table(
    "contacts", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("promise_date", Date, nullable=True),
    Column("promise_amount", Money, nullable=True),
    Column("promise_currency", String(3), nullable=True),
    Column("promise_status", String(20), nullable=True),  # open | kept | broken
    # What the client owed in the promised currency when promising: a kept promise reduces it.
    Column("residual_at_promise", Money, nullable=True),
    Column("hold_id", Integer, nullable=True),
    Column("promise_checked_at", UTCDateTime, nullable=True),
)

reminders = Table(
    "reminders", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, nullable=False, index=True),
    Column("tier", String(50), nullable=False),
    Column("tier_index", Integer, nullable=False),
    Column("matter_ref", String(200), nullable=False, default=""),
    Column("channel", String(20), nullable=False),  # email | letter
    Column("run_date", Date, nullable=False),
    Column("invoice_ids", JSON, nullable=False),
    Column("totals", JSON, nullable=False),  # {currency: "amount"}
    Column("to_address", String(500), nullable=False, default=""),
    Column("language", String(16), nullable=False, default=""),
    Column("subject", Text, nullable=False, default=""),
    Column("body_text", Text, nullable=False, default=""),
    Column("body_html", Text, nullable=False, default=""),
    # draft | approved | rejected | cancelled | sending | sent | unconfirmed | failed
    Column("status", String(20), nullable=False, index=True),
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("message_id", String(300), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("sending_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("client_name", String(500), nullable=False, default=""),
    Column("contact_id", Integer, nullable=True),
    Column("attorney_id", Integer, nullable=True),
    Column("attorney_review", Boolean, nullable=False, default=False),
    Column("auto_send", Boolean, nullable=False, default=False),
    Column("max_days_past_due", Integer, nullable=False, default=0),
    # Per document as drafted ([{id, name, currency, residual}]): send re-reads and compares.
    Column("lines", JSON, nullable=False, default=list),
    Column("staff_notes", JSON, nullable=False, default=list),
    Column("why", Text, nullable=False, default=""),
    Column("delivery_ref", Text, nullable=False, default=""),  # .eml path, SMTP reply, Odoo mail id
    # Interest and late fees the text states, per currency ({currency: "amount"}): the exit checks them
    # against the caps and the matters' terms (docs/rules.md, "Interest within its cap").
    Column("interest", JSON, nullable=False, default=dict),
)

offers = Table(
    "offers", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, nullable=False, index=True),
    Column("kind", String(30), nullable=False),  # installments | settlement | extension | combined
    Column("currency", String(3), nullable=False),
    Column("balance", Money, nullable=False),
    Column("terms", JSON, nullable=False),
    Column("installments", JSON, nullable=False, default=list),
    # proposed | awaiting_attorney | rejected | refused | accepted | declined | good_standing | breached | completed
    Column("status", String(30), nullable=False, index=True),
    Column("needs", String(30), nullable=False, default="staff"),  # staff | attorney | partner | refused
    Column("reason", Text, nullable=False, default=""),  # why it needs more than staff, or why refused
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("attorney_id", Integer, nullable=True),
    Column("reason_code", String(40), nullable=False, default=""),  # the client's reason (contacts.reason)
    Column("contact_id", Integer, nullable=True),
    Column("invoice_ids", JSON, nullable=False, default=list),  # the open invoices the offer covers
    Column("offered_on", Date, nullable=False),
    Column("assigned_to", String(500), nullable=True),  # login/email of who must approve
    Column("written_terms", Boolean, nullable=False, default=False),  # LAW.md #7
    Column("written_terms_ref", Text, nullable=False, default=""),
    Column("accepted_by", String(200), nullable=True),
    Column("accepted_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("hold_id", Integer, nullable=True),
    Column("residual_at_offer", Money, nullable=True),  # owed on invoice_ids when proposed
    Column("paid", Money, nullable=True),  # matched toward the schedule so far
    # Where the offer was first put to the client: "reminder:<id>" for one a final-tier reminder carried.
    Column("origin", String(100), nullable=True),
    Index("ux_offers_origin", "origin", unique=True),
)

letters = Table(
    "letters", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, nullable=False, index=True),
    Column("tier", String(50), nullable=False),
    Column("run_date", Date, nullable=False),
    Column("invoice_ids", JSON, nullable=False),
    Column("language", String(16), nullable=False, default=""),
    Column("path", Text, nullable=False),
    Column("pdf_path", Text, nullable=True),
    Column("sha256", String(64), nullable=False),
    Column("approved_sha256", String(64), nullable=True),
    Column("approved_path", Text, nullable=True),
    # awaiting_review | approved | rejected | sent
    Column("status", String(30), nullable=False, index=True),
    Column("attorney_id", Integer, nullable=True, index=True),
    Column("attorney_email", String(500), nullable=False, default=""),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("reason", Text, nullable=False, default=""),
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("odoo_activity_id", Integer, nullable=True),
    Column("kind", String(30), nullable=False, default="escalation"),  # escalation | withdrawal_warning | refer_to_suit
    Column("jurisdiction", String(10), nullable=False, default=""),
    Column("matter_refs", JSON, nullable=False, default=list),
    Column("totals", JSON, nullable=False, default=dict),  # {currency: "amount"}
    Column("flags", JSON, nullable=False, default=list),  # e.g. matters before a court (LAW.md #11)
    Column("reviewed_sha256", String(64), nullable=True),  # the draft or edited file the attorney approved
    Column("approved_pdf_path", Text, nullable=True),
    Column("approved_pdf_sha256", String(64), nullable=True),
    Column("odoo_attachment_ids", JSON, nullable=False, default=dict),  # {invoice id: ir.attachment id}
    Column("released_by", String(200), nullable=True),
    Column("released_at", UTCDateTime, nullable=True),
    Column("interest", JSON, nullable=False, default=dict),  # stated per currency, checked at the exit
    Column("notice_kind", String(50), nullable=True),  # the fee-arbitration notice it carries, if any
    Column("served_on", Date, nullable=True),  # recorded at release: when and how it was served
    Column("served_method", String(50), nullable=True),
    Column("enclosures", JSON, nullable=False, default=list),  # [{"form", "path", "sha256"}] attached
    # Per currency, the open credit notes and unapplied payments netted from `totals`: the invoices' residuals
    # minus these must still equal the totals when the letter is approved and released.
    Column("deductions", JSON, nullable=False, default=dict),
)

# Fee-arbitration notices served (LAW.md #9): refer-to-suit waits on these.
notices = Table(
    "notices", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, nullable=False, index=True),
    Column("kind", String(50), nullable=False),
    Column("served_on", Date, nullable=False),
    Column("method", String(50), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("letter_id", Integer, nullable=True),  # the released letter that carried it (only those count)
)

# Scheduler heartbeat and run records for the nightly service.
service_runs = Table(
    "service_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("job", String(50), nullable=False),
    Column("run_date", Date, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("status", String(20), nullable=False),
    Column("counts", JSON, nullable=False, default=dict),
    Column("error", Text, nullable=False, default=""),
)

heartbeat = Table(
    "heartbeat", metadata,
    Column("name", String(50), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("detail", JSON, nullable=False, default=dict),
)

# Review-page sessions signed out before their cookie expired (sha256 of the session id, never the id itself):
# refused until `expires_at`, when the cookie is dead anyway and the row is cleaned up. Kept in the store so a
# signed-out cookie stays dead across a restart of the page.
revoked_sessions = Table(
    "revoked_sessions", metadata,
    Column("sid_sha256", String(64), primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)
