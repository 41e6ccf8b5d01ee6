"""Field and model definitions of the Odoo models the sandbox serves.

One table of truth for `fields_get`, for validating field names in `read`, domains and `order`,
and for converting values to and from the wire. Definitions follow Odoo 17 (names, labels,
selections); a few fields exist only in some versions (`account.payment.ref` up to 17,
`memo` from 18) so that clients are caught asking for the wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RELATIONAL = frozenset({"many2one", "one2many", "many2many"})
NUMERIC = frozenset({"integer", "float", "monetary"})
TEXTUAL = frozenset({"char", "text", "html", "selection"})

Selection = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FieldDef:
    """What Odoo's `fields_get` says about one field, plus the versions that have it."""

    name: str
    type: str
    string: str
    relation: str | None = None
    selection: Selection | None = None
    required: bool = False
    readonly: bool = False
    store: bool = True
    since: int = 0
    until: int = 99

    def describe(self) -> dict[str, Any]:
        """The full `fields_get` entry (no `attributes` filter)."""
        desc: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "string": self.string,
            "readonly": self.readonly,
            "required": self.required,
            "store": self.store,
            "searchable": True,
            "sortable": self.store and self.type not in ("one2many", "many2many", "binary"),
            "groupable": self.store and self.type not in ("one2many", "many2many", "binary", "text", "html"),
            "exportable": True,
            "manual": False,
            "company_dependent": False,
            "change_default": False,
            "depends": [],
            "context": {},
        }
        if self.relation is not None:
            desc["relation"] = self.relation
            desc["domain"] = []
        if self.selection is not None:
            desc["selection"] = [list(pair) for pair in self.selection]
        if self.type in ("char", "text", "html"):
            desc["translate"] = False
        return desc


@dataclass(frozen=True)
class ModelDef:
    """One Odoo model: its fields, its default order and who may touch it."""

    name: str
    description: str
    fields: dict[str, FieldDef]
    order: str = "id"
    rec_name: str | None = "name"
    # Group names allowed per operation; None means every internal user.
    acl: dict[str, tuple[str, ...]] | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    mail_thread: bool = False

    @property
    def has_active(self) -> bool:
        return "active" in self.fields


# Group labels as Odoo prints them in an AccessError.
GROUP_LABELS = {
    "account.group_account_invoice": "Invoicing/Billing",
    "account.group_account_manager": "Invoicing/Billing Administrator",
    "account.group_account_readonly": "Technical/Show Accounting Features - Readonly",
    "base.group_portal": "User types/Portal",
    "base.group_user": "User types/Internal User",
    "base.group_system": "Administration/Settings",
}
GROUP_USER = "base.group_user"
GROUP_INVOICE = "account.group_account_invoice"
GROUP_ACCOUNT_MANAGER = "account.group_account_manager"
GROUP_READONLY = "account.group_account_readonly"
GROUP_PORTAL = "base.group_portal"
GROUP_SYSTEM = "base.group_system"

_ACCOUNTING_ACL: dict[str, tuple[str, ...]] = {
    "read": (GROUP_INVOICE, GROUP_ACCOUNT_MANAGER, GROUP_READONLY, GROUP_PORTAL),
    "write": (GROUP_INVOICE, GROUP_ACCOUNT_MANAGER),
    "create": (GROUP_INVOICE, GROUP_ACCOUNT_MANAGER),
    "unlink": (GROUP_INVOICE, GROUP_ACCOUNT_MANAGER),
}
_ACCOUNTING_NO_PORTAL_ACL: dict[str, tuple[str, ...]] = {
    **_ACCOUNTING_ACL,
    "read": (GROUP_INVOICE, GROUP_ACCOUNT_MANAGER, GROUP_READONLY),
}


def _f(name: str, type_: str, string: str, **kw: Any) -> FieldDef:
    return FieldDef(name=name, type=type_, string=string, **kw)


def _m2o(name: str, string: str, relation: str, **kw: Any) -> FieldDef:
    return FieldDef(name=name, type="many2one", string=string, relation=relation, **kw)


def _sel(name: str, string: str, selection: Selection, **kw: Any) -> FieldDef:
    return FieldDef(name=name, type="selection", string=string, selection=selection, **kw)


def _magic() -> list[FieldDef]:
    """The fields every Odoo model has (`id`, `display_name` and the audit columns)."""
    return [
        _f("id", "integer", "ID", readonly=True),
        _f("display_name", "char", "Display Name", readonly=True, store=False),
        _m2o("create_uid", "Created by", "res.users", readonly=True),
        _f("create_date", "datetime", "Created on", readonly=True),
        _m2o("write_uid", "Last Updated by", "res.users", readonly=True),
        _f("write_date", "datetime", "Last Updated on", readonly=True),
    ]


LANGS: Selection = (("en_US", "English (US)"), ("zh_CN", "Chinese (Simplified) / 简体中文"),
                    ("de_DE", "German / Deutsch"), ("fr_FR", "French / Français"))
MOVE_TYPES: Selection = (
    ("entry", "Journal Entry"), ("out_invoice", "Customer Invoice"), ("out_refund", "Customer Credit Note"),
    ("in_invoice", "Vendor Bill"), ("in_refund", "Vendor Credit Note"), ("out_receipt", "Sales Receipt"),
    ("in_receipt", "Purchase Receipt"),
)
MOVE_STATES: Selection = (("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled"))
PAYMENT_STATES: Selection = (
    ("not_paid", "Not Paid"), ("in_payment", "In Payment"), ("paid", "Paid"), ("partial", "Partially Paid"),
    ("reversed", "Reversed"), ("invoicing_legacy", "Invoicing App Legacy"),
)
ACCOUNT_TYPES: Selection = (
    ("asset_receivable", "Receivable"), ("asset_cash", "Bank and Cash"), ("asset_current", "Current Assets"),
    ("liability_payable", "Payable"), ("liability_current", "Current Liabilities"), ("income", "Income"),
    ("expense", "Expenses"), ("equity", "Equity"),
)


def _model(name: str, description: str, fields: list[FieldDef], version: int, **kw: Any) -> ModelDef:
    present = [f for f in _magic() + fields if f.since <= version <= f.until]
    return ModelDef(name=name, description=description, fields={f.name: f for f in present}, **kw)


def build_models(version: int) -> dict[str, ModelDef]:
    """All sandbox models as an Odoo server of major `version` (16, 17 or 18) defines them."""
    models = [
        _model("res.partner", "Contact", [
            _f("name", "char", "Name"),
            _f("email", "char", "Email"),
            _sel("lang", "Language", LANGS),
            _f("phone", "char", "Phone"),
            _f("mobile", "char", "Mobile"),
            _f("street", "char", "Street"),
            _f("street2", "char", "Street2"),
            _f("city", "char", "City"),
            _f("zip", "char", "Zip"),
            _m2o("state_id", "State", "res.country.state"),
            _m2o("country_id", "Country", "res.country"),
            _f("is_company", "boolean", "Is a Company"),
            _m2o("parent_id", "Related Company", "res.partner"),
            _m2o("commercial_partner_id", "Commercial Entity", "res.partner", readonly=True),
            _sel("type", "Address Type", (("contact", "Contact"), ("invoice", "Invoice Address"),
                                           ("delivery", "Delivery Address"), ("other", "Other Address"))),
            _f("vat", "char", "Tax ID"),
            _f("ref", "char", "Reference"),
            _f("customer_rank", "integer", "Customer Rank"),
            _f("supplier_rank", "integer", "Supplier Rank"),
            _f("active", "boolean", "Active"),
            _m2o("company_id", "Company", "res.company"),
        ], version, order="display_name, id desc", mail_thread=True,
            defaults={"active": True, "type": "contact", "is_company": False, "customer_rank": 0,
                      "supplier_rank": 0}),
        _model("res.users", "User", [
            _f("name", "char", "Name"),
            _f("login", "char", "Login", required=True),
            _f("email", "char", "Email"),
            _f("email_formatted", "char", "Formatted Email", readonly=True, store=False),
            _m2o("partner_id", "Related Partner", "res.partner", required=True),
            _f("active", "boolean", "Active"),
            _f("share", "boolean", "Share User", readonly=True),
            _m2o("company_id", "Company", "res.company"),
        ], version, order="name, login", defaults={"active": True, "share": False}),
        _model("ir.config_parameter", "System Parameter", [
            _f("key", "char", "Key", required=True),
            _f("value", "text", "Value", required=True),
        ], version, order="key", rec_name="key",
            acl={op: (GROUP_SYSTEM,) for op in ("read", "write", "create", "unlink")}),
        _model("res.company", "Companies", [
            _f("name", "char", "Company Name", required=True),
            _m2o("partner_id", "Partner", "res.partner", required=True),
            _m2o("currency_id", "Currency", "res.currency", required=True),
        ], version, order="name"),
        _model("res.currency", "Currency", [
            _f("name", "char", "Currency", required=True),
            _f("full_name", "char", "Name"),
            _f("symbol", "char", "Symbol", required=True),
            _f("decimal_places", "integer", "Decimal Places", readonly=True),
            _f("rounding", "float", "Rounding Factor"),
            _sel("position", "Symbol Position", (("after", "After Amount"), ("before", "Before Amount"))),
            _f("active", "boolean", "Active"),
        ], version, order="active desc, name", defaults={"active": True, "position": "after"}),
        _model("res.country", "Country", [
            _f("name", "char", "Country Name", required=True),
            _f("code", "char", "Country Code"),
        ], version, order="name"),
        _model("res.country.state", "Country state", [
            _f("name", "char", "State Name", required=True),
            _f("code", "char", "State Code", required=True),
            _m2o("country_id", "Country", "res.country", required=True),
        ], version, order="code"),
        _model("account.account", "Account", [
            _f("code", "char", "Code", required=True),
            _f("name", "char", "Account Name", required=True),
            _sel("account_type", "Type", ACCOUNT_TYPES, required=True),
            _f("reconcile", "boolean", "Allow Reconciliation"),
        ], version, order="code, id", acl=_ACCOUNTING_NO_PORTAL_ACL, defaults={"reconcile": False}),
        _model("account.move", "Journal Entry", [
            _f("name", "char", "Number"),
            _sel("move_type", "Type", MOVE_TYPES, required=True, readonly=True),
            _sel("state", "Status", MOVE_STATES, required=True, readonly=True),
            _sel("payment_state", "Payment Status", PAYMENT_STATES, readonly=True),
            _m2o("partner_id", "Partner", "res.partner"),
            _m2o("commercial_partner_id", "Commercial Entity", "res.partner", readonly=True),
            _m2o("invoice_user_id", "Salesperson", "res.users"),
            _f("invoice_origin", "char", "Origin", readonly=True),
            _f("ref", "char", "Reference"),
            _f("payment_reference", "char", "Payment Reference"),
            _m2o("currency_id", "Currency", "res.currency", required=True),
            _f("amount_untaxed", "monetary", "Untaxed Amount", readonly=True),
            _f("amount_tax", "monetary", "Tax", readonly=True),
            _f("amount_total", "monetary", "Total", readonly=True),
            _f("amount_residual", "monetary", "Amount Due", readonly=True),
            _f("date", "date", "Date", required=True),
            _f("invoice_date", "date", "Invoice/Bill Date"),
            _f("invoice_date_due", "date", "Due Date"),
            _f("narration", "html", "Terms and Conditions"),
            _m2o("reversed_entry_id", "Reversal of", "account.move", readonly=True),
            _m2o("company_id", "Company", "res.company", required=True, readonly=True),
            _f("access_token", "char", "Security Token"),  # portal.mixin
        ], version, order="date desc, name desc, id desc", acl=_ACCOUNTING_ACL, mail_thread=True,
            defaults={"move_type": "entry", "state": "draft", "payment_state": "not_paid", "name": "/"}),
        _model("account.move.line", "Journal Item", [
            _m2o("move_id", "Journal Entry", "account.move", required=True),
            _f("name", "char", "Label"),
            _m2o("account_id", "Account", "account.account"),
            _m2o("partner_id", "Partner", "res.partner"),
            _f("balance", "monetary", "Balance"),
            _f("debit", "monetary", "Debit"),
            _f("credit", "monetary", "Credit"),
            _m2o("currency_id", "Currency", "res.currency", required=True),
            _sel("parent_state", "Status", MOVE_STATES, readonly=True),
            _f("date", "date", "Date", readonly=True),
        ], version, order="date desc, move_id desc, id", rec_name=None, acl=_ACCOUNTING_NO_PORTAL_ACL),
        _model("account.payment", "Payments", [
            _f("name", "char", "Number", readonly=True),
            _m2o("partner_id", "Customer/Vendor", "res.partner"),
            _f("amount", "monetary", "Amount"),
            _m2o("currency_id", "Currency", "res.currency"),
            _f("date", "date", "Date", required=True),
            _sel("state", "Status", MOVE_STATES, required=True, readonly=True),
            _sel("payment_type", "Payment Type", (("outbound", "Send"), ("inbound", "Receive")), required=True),
            _sel("partner_type", "Partner Type", (("customer", "Customer"), ("supplier", "Vendor"))),
            _f("is_reconciled", "boolean", "Is Reconciled", readonly=True),
            _f("is_matched", "boolean", "Is Matched With a Bank Statement", readonly=True),
            FieldDef("reconciled_invoice_ids", "many2many", "Reconciled Invoices", relation="account.move",
                     readonly=True),
            _f("ref", "char", "Reference", until=17),
            _f("memo", "char", "Memo", since=18),
        ], version, order="date desc, name desc", acl=_ACCOUNTING_NO_PORTAL_ACL, mail_thread=True,
            defaults={"state": "draft", "payment_type": "inbound", "partner_type": "customer",
                      "is_reconciled": False, "is_matched": False, "reconciled_invoice_ids": []}),
        _model("mail.message", "Message", [
            _f("subject", "char", "Subject"),
            _f("body", "html", "Contents"),
            _f("model", "char", "Related Document Model"),
            FieldDef("res_id", "many2one_reference", "Related Document ID"),
            _sel("message_type", "Type", (("email", "Email"), ("comment", "Comment"),
                                          ("email_outgoing", "Outgoing Email"), ("notification", "System notification"),
                                          ("auto_comment", "Automated Targeted Notification"),
                                          ("user_notification", "User Specific Notification")), required=True),
            _m2o("subtype_id", "Subtype", "mail.message.subtype"),
            _m2o("author_id", "Author", "res.partner"),
            _f("date", "datetime", "Date"),
            FieldDef("attachment_ids", "many2many", "Attachments", relation="ir.attachment"),
            FieldDef("partner_ids", "many2many", "Recipients", relation="res.partner"),
            _f("message_id", "char", "Message-Id"),
            _f("record_name", "char", "Message Record Name"),
            _f("email_from", "char", "From"),
            _f("reply_to", "char", "Reply-To"),
        ], version, order="id desc", rec_name=None,
            defaults={"message_type": "notification", "attachment_ids": [], "partner_ids": []}),
        _model("mail.followers", "Document Followers", [
            _f("res_model", "char", "Related Document Model Name", required=True),
            FieldDef("res_id", "many2one_reference", "Related Document ID"),
            _m2o("partner_id", "Related Partner", "res.partner", required=True),
        ], version, order="id", rec_name=None),
        _model("mail.compose.message", "Email composition wizard", [
            _sel("composition_mode", "Composition mode", (("comment", "Post on a document"),
                                                          ("mass_mail", "Email Mass Mailing"))),
            _f("model", "char", "Related Document Model"),
            _f("res_ids", "text", "Related Document IDs"),
            _f("body", "html", "Contents"),
            _f("subject", "char", "Subject"),
            FieldDef("partner_ids", "many2many", "Additional Contacts", relation="res.partner"),
            _m2o("subtype_id", "Subtype", "mail.message.subtype"),
        ], version, order="id", rec_name="subject", defaults={"composition_mode": "comment", "partner_ids": []}),
        _model("mail.message.subtype", "Message subtypes", [
            _f("name", "char", "Message Type", required=True),
            _f("internal", "boolean", "Internal Only"),
        ], version, order="id", defaults={"internal": False}),
        _model("ir.attachment", "Attachment", [
            _f("name", "char", "Name", required=True),
            FieldDef("datas", "binary", "File Content (base64)", store=False),
            _f("res_model", "char", "Resource Model"),
            FieldDef("res_id", "many2one_reference", "Resource ID"),
            _f("mimetype", "char", "Mime Type", readonly=True),
            _f("file_size", "integer", "File Size", readonly=True),
            _f("checksum", "char", "Checksum/SHA1", readonly=True),
            _sel("type", "Type", (("url", "URL"), ("binary", "File")), required=True),
        ], version, order="id desc", defaults={"type": "binary"}),
        _model("mail.activity", "Activity", [
            _m2o("res_model_id", "Document Model", "ir.model", required=True),
            _f("res_model", "char", "Related Document Model", readonly=True),
            FieldDef("res_id", "many2one_reference", "Related Document ID", required=True),
            _f("res_name", "char", "Document Name", readonly=True, store=False),
            _m2o("activity_type_id", "Activity Type", "mail.activity.type"),
            _f("summary", "char", "Summary"),
            _f("note", "html", "Note"),
            _m2o("user_id", "Assigned to", "res.users"),
            _f("date_deadline", "date", "Due Date", required=True),
            _f("date_done", "date", "Done Date", readonly=True),
            _sel("state", "State", (("overdue", "Overdue"), ("today", "Today"), ("planned", "Planned"),
                                    ("done", "Done")), readonly=True, store=False),
            _f("active", "boolean", "Active"),
        ], version, order="date_deadline asc, id asc", rec_name="summary", defaults={"active": True}),
        _model("mail.activity.type", "Activity Type", [
            _f("name", "char", "Name", required=True),
            _f("active", "boolean", "Active"),
        ], version, order="id", defaults={"active": True}),
        _model("ir.model", "Models", [
            _f("model", "char", "Model", required=True),
            _f("name", "char", "Model Description", required=True),
        ], version, order="model"),
        _model("ir.model.data", "Model Data", [
            _f("module", "char", "Module", required=True),
            _f("name", "char", "External Identifier", required=True),
            _f("complete_name", "char", "Complete ID", readonly=True, store=False),
            _f("model", "char", "Model Name", required=True),
            _f("res_id", "integer", "Record ID"),
            _f("noupdate", "boolean", "Non Updatable"),
        ], version, order="module, model, name", rec_name="complete_name", defaults={"noupdate": False}),
    ]
    return {m.name: m for m in models}


# ir.model ids as a real database numbers them (account.move is 426 in the samples).
IR_MODEL_IDS = {
    "res.partner": 85, "res.users": 93, "res.company": 77, "res.currency": 40, "res.country": 42,
    "res.country.state": 44, "account.account": 418, "account.move": 426, "account.move.line": 427,
    "account.payment": 448, "mail.message": 120, "mail.message.subtype": 121, "ir.attachment": 24,
    "mail.activity": 137, "mail.activity.type": 138, "mail.followers": 133, "mail.compose.message": 150,
    "ir.model": 1, "ir.model.data": 6,
}
