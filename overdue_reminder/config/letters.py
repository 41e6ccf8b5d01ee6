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
    }


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
    templates_dir: str = ""
    tier_kinds: dict[str, str] = field(default_factory=dict)
    jurisdictions: dict[str, JurisdictionSettings] = field(default_factory=_default_jurisdictions)

    def check(self, ctx: Ctx) -> None:
        if self.supervising_partner and "@" not in self.supervising_partner:
            ctx.fail("letters.supervising_partner", f"{self.supervising_partner!r} is not an email address.",
                     "use the partner's email as it appears in Odoo, e.g. \"partner@firm.example\".")
        if self.suit_waiting_days < 0:
            ctx.fail("letters.suit_waiting_days", "must be 0 or more.", "use 30 (LAW.md #9).")
        if self.pdf_timeout_seconds <= 0:
            ctx.fail("letters.pdf_timeout_seconds", "must be positive.", "use e.g. 120.")
        if self.review_days < 0:
            ctx.fail("letters.review_days", "must be 0 or more.", "use e.g. 2.")
        if not 1 <= self.max_edited_mb <= 200:
            ctx.fail("letters.max_edited_mb", "must be between 1 and 200.", "use e.g. 20.")
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
            if not j.notice_kind:
                ctx.fail(f"letters.jurisdictions.{code}.notice_kind", "must not be empty.",
                         "use a short name such as \"ny_part137\"; `letters notice --kind` records it.")

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
