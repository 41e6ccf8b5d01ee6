"""Escalation letters' settings and each jurisdiction's fee-arbitration notice (LAW.md #8, #9)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from overdue_reminder.config.builder import Ctx

LETTER_KINDS = ("escalation", "withdrawal_warning", "refer_to_suit")
SERVICE_METHODS = ("certified_mail", "certified_and_regular_mail", "registered_mail", "personal_service",
                   "regular_mail", "hand_delivery", "email")


@dataclass(frozen=True)
class JurisdictionSettings:
    """One jurisdiction's fee-arbitration notice (LAW.md #8, #9): what letters say, what refer-to-suit waits on."""

    name: str = ""
    notice_required: bool = True
    notice_kind: str = "fee_arbitration"
    notice_title: str = ""
    rule: str = ""
    forms: list[str] = field(default_factory=list)
    template: str = ""  # default notices/<CODE>.txt.j2
    service_methods: list[str] = field(default_factory=list)  # empty: any method counts
    waiting_days: int = 0  # 0: letters.suit_waiting_days
    # The official forms as files, keyed by the form's name in `forms` (or its leading code, e.g. "UCS 137-1"):
    # a notice lists as enclosed only forms attached from here (docs/jurisdictions.md).
    form_files: dict[str, str] = field(default_factory=dict)
    secretary_name: str = ""  # NJ R. 1:20A-6: the District Fee Arbitration Committee secretary
    secretary_address: list[str] = field(default_factory=list)
    secretary_phone: str = ""
    limitation_years_written: int = 0  # 0: core.jurisdictions' table
    limitation_years_oral: int = 0

    def form_file(self, form: str) -> str:
        """The configured file for a form: by its full name, else by a key its name starts with."""
        if form in self.form_files:
            return self.form_files[form]
        keys = [k for k in self.form_files if k and form.startswith(k) and form[len(k):len(k) + 1] in ("", " ", ":")]
        return self.form_files[max(keys, key=len)] if keys else ""


def _default_jurisdictions() -> dict[str, JurisdictionSettings]:
    """Shipped defaults (LAW.md #9); the firm's counsel confirms them, a [letters.jurisdictions.X] table overrides."""
    return {
        "NY": JurisdictionSettings(
            name="New York", notice_kind="ny_part137",
            notice_title="Notice of Client's Right to Arbitrate (22 NYCRR Part 137)", rule="22 NYCRR 137.6",
            forms=["UCS 137-1 (Notice of Client's Right to Arbitrate)", "UCS 137-2 (Client's Request for Arbitration)"],
            service_methods=["certified_mail", "personal_service"]),
        "CA": JurisdictionSettings(
            name="California", notice_kind="ca_mfaa",
            notice_title="Notice of Client's Right to Fee Arbitration (Mandatory Fee Arbitration Act)",
            rule="Cal. Bus. & Prof. Code §6201(a)",
            forms=["State Bar of California: Notice of Client's Right to Fee Arbitration"]),
        "NJ": JurisdictionSettings(
            name="New Jersey", notice_kind="nj_pre_action",
            notice_title="Pre-Action Notice of Client's Right to Fee Arbitration (R. 1:20A-6)",
            rule="N.J. Ct. R. 1:20A-6", forms=[],
            service_methods=["certified_and_regular_mail"]),
        "CN": JurisdictionSettings(name="People's Republic of China", notice_required=False, notice_kind="none"),
    }


def default_jurisdiction(code: str) -> JurisdictionSettings | None:
    return _default_jurisdictions().get(code.upper()) if code == code.upper() else None


@dataclass(frozen=True)
class LettersSettings:
    """Escalation letters: where they are written, who reviews them, and each jurisdiction's notice."""

    dir: str = "letters"
    supervising_partner: str = ""
    pdf: Literal["auto", "never"] = "auto"
    pdf_timeout_seconds: float = 120.0
    write_back: bool = False
    suit_waiting_days: int = 30
    review_days: int = 2
    max_edited_mb: int = 20
    max_age_days: int = 30  # a letter prepared longer ago is not approved or released (docs/rules.md)
    expiry_warning_days: int = 5  # status and the digest warn this many days before max_age_days
    templates_dir: str = ""
    tier_kinds: dict[str, str] = field(default_factory=dict)
    jurisdictions: dict[str, JurisdictionSettings] = field(default_factory=_default_jurisdictions)
    # Matter reference (exact) or prefix -> jurisdiction code, when Odoo does not say (docs/jurisdictions.md).
    jurisdiction_by_matter: dict[str, str] = field(default_factory=dict)
    # Invoices this many days or fewer from the end of their limitation period go to the attorney, not a reminder.
    limitation_warning_days: int = 90

    def check(self, ctx: Ctx) -> None:
        if not 1 <= self.max_age_days <= 365:
            ctx.fail("letters.max_age_days", "must be between 1 and 365.",
                     "use e.g. 30: older letters come back with today's figures for approval.")
        if self.supervising_partner and "@" not in self.supervising_partner:
            ctx.fail("letters.supervising_partner", f"{self.supervising_partner!r} is not an email address.",
                     "use the partner's email as it appears in Odoo, e.g. \"partner@firm.example\".")
        if self.suit_waiting_days < 0:
            ctx.fail("letters.suit_waiting_days", "must be 0 or more.", "use 30 (rule: Fee arbitration before suit).")
        if self.pdf_timeout_seconds <= 0:
            ctx.fail("letters.pdf_timeout_seconds", "must be positive.", "use e.g. 120.")
        if self.review_days < 0:
            ctx.fail("letters.review_days", "must be 0 or more.", "use e.g. 2.")
        if not 1 <= self.max_edited_mb <= 200:
            ctx.fail("letters.max_edited_mb", "must be between 1 and 200.", "use e.g. 20.")
        if not 1 <= self.max_age_days <= 365:
            ctx.fail("letters.max_age_days", "must be between 1 and 365.",
                     "use e.g. 30: older letters come back with today's figures for approval.")
        if not 0 <= self.expiry_warning_days < self.max_age_days:
            ctx.fail("letters.expiry_warning_days", "must be 0 or more and below letters.max_age_days.",
                     "use e.g. 5.")
        self._check_mapping(ctx)
        for tier, kind in self.tier_kinds.items():
            if kind not in LETTER_KINDS:
                ctx.fail(f"letters.tier_kinds.{tier}", f"{kind!r} is not a letter kind.",
                         f"use one of: {', '.join(LETTER_KINDS)}.")
        for code, j in self.jurisdictions.items():
            if not code.isalnum() or code != code.upper():
                ctx.fail(f"letters.jurisdictions.{code}", f"jurisdiction code {code!r} must be upper-case letters.",
                         "use a code such as NY, CA or NJ.")
            for i, m in enumerate(j.service_methods):
                if m not in SERVICE_METHODS:
                    ctx.fail(f"letters.jurisdictions.{code}.service_methods[{i}]", f"unknown method {m!r}.",
                             f"use one of: {', '.join(SERVICE_METHODS)}.")
            if j.waiting_days < 0:
                ctx.fail(f"letters.jurisdictions.{code}.waiting_days", "must be 0 or more.",
                         "use 0 for letters.suit_waiting_days, or a number of days.")
            if j.limitation_years_written < 0 or j.limitation_years_oral < 0:
                ctx.fail(f"letters.jurisdictions.{code}.limitation_years_written", "must be 0 or more.",
                         "use the number of years, or 0 for the shipped table (docs/jurisdictions.md).")
            if not j.notice_kind:
                ctx.fail(f"letters.jurisdictions.{code}.notice_kind", "must not be empty.",
                         "use a short name such as \"ny_part137\"; `letters notice --kind` records it.")

    def _check_mapping(self, ctx: Ctx) -> None:
        if not 0 <= self.limitation_warning_days <= 3650:
            ctx.fail("letters.limitation_warning_days", "must be between 0 and 3650.", "use e.g. 90.")
        for ref, code in self.jurisdiction_by_matter.items():
            if not code.isalnum() or self.jurisdiction(code) is None:
                ctx.fail(f"letters.jurisdiction_by_matter.{ref}", f"{code!r} is not a configured jurisdiction.",
                         "use a code with a [letters.jurisdictions.X] table, or NY, CA, NJ or CN.")

    def jurisdiction(self, code: str) -> JurisdictionSettings | None:
        """The configured table first, then the shipped defaults (so configuring NY keeps CA and NJ)."""
        code = code.upper()
        return self.jurisdictions.get(code) or _default_jurisdictions().get(code)

    def kind_of(self, tier: str) -> str:
        """Which letter a tier produces: configured, else the tier's own name if it is a kind, else escalation."""
        if tier in self.tier_kinds:
            return self.tier_kinds[tier]
        return tier if tier in LETTER_KINDS else "escalation"

    def waiting_days(self, code: str) -> int:
        j = self.jurisdiction(code) if code else None
        return j.waiting_days if j is not None and j.waiting_days else self.suit_waiting_days
