"""Limitation periods per jurisdiction: invoices approaching or past the end of their period go to the attorney
(an attention item saying why), never into a routine reminder; the period is the matter's (desk, Odoo field,
mapping, firm default) and depends on a written or oral engagement."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policy_factory import TODAY, inv, snapshot

from overdue_reminder import config
from overdue_reminder.config import PolicySettings, Settings
from overdue_reminder.core.jurisdictions import (
    ORAL,
    WRITTEN,
    Limits,
    Period,
    add_years,
    limitation_state,
    period_for,
    resolve,
)
from overdue_reminder.core.policy import plan
from overdue_reminder.model import Partner
from overdue_reminder.services.jurisdiction import set_matter_jurisdiction
from overdue_reminder.services.planning import plan_from_store
from overdue_reminder.store import Store, ledger

NY6 = Period("NY", 6)
LIMITS = Limits(NY6, {(2, "CA-9"): Period("CA", 2, ORAL)}, warn_days=90)


def _settings(tmp_path: Path, jurisdiction: str = "NY", extra: str = "") -> Settings:
    text = f'source = "files"\n[firm]\nname = "Firm"\njurisdiction = "{jurisdiction}"\n[letters]\n{extra}\n'
    cfg = tmp_path / "overdue-reminder.toml"
    cfg.write_text(text, encoding="utf-8")
    return config.parse(text, str(cfg))


def _years_ago(years: int, plus_days: int = 0) -> date:
    return add_years(TODAY, -years) + timedelta(days=plus_days)


def test_the_shipped_periods(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    assert period_for(s, "NY").years == 6 and period_for(s, "NY", ORAL).years == 6
    assert (period_for(s, "CA").years, period_for(s, "CA", ORAL).years) == (4, 2)
    assert period_for(s, "CN").years == 3 and period_for(s, "ZZ").years == 0
    s2 = _settings(tmp_path, extra="[letters.jurisdictions.NY]\nlimitation_years_written = 5")
    assert period_for(s2, "NY").years == 5


def test_past_and_approaching_are_flagged_for_the_attorney_not_reminded() -> None:
    invoices = [inv(1, due=_years_ago(6, -1)), inv(2, due=_years_ago(6, 30)), inv(3, due=400),
                inv(4, client=2, matter="CA-9", due=_years_ago(2, 10)), inv(5, client=2, matter="NY-1", due=800)]
    p = plan(PolicySettings(), snapshot(invoices, limits=LIMITS), TODAY)
    reminded = {ln.invoice_id for a in p.actions for ln in a.lines}
    assert reminded == {3, 5}
    flagged = {s.client_id: s for s in p.skipped if s.kind == "limitation"}
    assert set(flagged[1].invoice_ids) == {1, 2} and flagged[2].invoice_ids == (4,)
    why = flagged[1].reason
    assert f"INV/2026/0001 fell due {_years_ago(6, -1)}" in why and "ended on" in why
    assert "the NY limitation period (6 years, written engagement)" in why and "in 30 days" in why
    assert "the attorney decides" in why and "(rule: Limitation periods)" in why
    assert "CA limitation period (2 years, oral engagement) ends on" in flagged[2].reason


def test_no_period_no_flag() -> None:
    p = plan(PolicySettings(), snapshot([inv(1, due=_years_ago(30))]), TODAY)
    assert [a.client_id for a in p.actions] == [1] and not p.skipped


@given(years=st.integers(1, 10), warn=st.integers(0, 400), offset=st.integers(-4000, 4000))
def test_the_planner_flags_exactly_what_limitation_state_says(years: int, warn: int, offset: int) -> None:
    due = TODAY - timedelta(days=max(offset, 1))
    limits = Limits(Period("NY", years), warn_days=warn)
    p = plan(PolicySettings(), snapshot([inv(1, due=due)], limits=limits), TODAY)
    flagged = any(s.kind == "limitation" for s in p.skipped)
    assert flagged == (limitation_state(due, Period("NY", years), TODAY, warn) != "")


def test_resolution_order() -> None:
    mapping = {"CA-": "CA", "CA-7": "NJ"}
    assert resolve("CA-7", mapping=mapping, firm_default="NY").code == "NJ"  # exact before prefix
    assert resolve("CA-8", mapping=mapping, firm_default="NY") == resolve("CA-8", mapping={"CA-": "CA"})
    assert resolve("CA-8", from_odoo="cn", mapping=mapping).code == "CN"
    assert resolve("CA-8", set_on_desk="NJ", from_odoo="CN", mapping=mapping).source == "matter"
    assert resolve("X", firm_default="ny").code == "NY" and resolve("X").code == ""


def test_from_the_store_the_matter_period_applies(store: Store, tmp_path: Path) -> None:
    s = _settings(tmp_path, extra='jurisdiction_by_matter = { "CA-" = "CA" }')
    now = datetime(2026, 11, 28, 15, tzinfo=UTC)
    with store.begin() as conn:
        ledger.store_partners(conn, [Partner(1, "Acme Corp", 1, "ap@acme.example", is_company=True)], now)
        ledger.store_invoices(conn, [inv(11, matter="CA-1", due=_years_ago(3)),
                                     inv(12, matter="NY-1", due=_years_ago(3))], now)
    p = plan_from_store(store, s, TODAY)
    assert {ln.invoice_id for a in p.actions for ln in a.lines} == {11, 12}  # CA written: 4 years
    set_matter_jurisdiction(store, s, "Acme", "CA-1", "CA", "clerk", engagement=ORAL)
    p = plan_from_store(store, s, TODAY)
    assert {ln.invoice_id for a in p.actions for ln in a.lines} == {12}
    [flag] = [x for x in p.skipped if x.kind == "limitation"]
    assert flag.invoice_ids == (11,) and "CA limitation period (2 years, oral engagement) ended on" in flag.reason
    with pytest.raises(Exception, match="no jurisdiction 'ZZ'"):
        set_matter_jurisdiction(store, s, "Acme", "CA-1", "ZZ", "clerk")
    assert WRITTEN == "written"
