"""[offers] settings: defaults that hold together, and bad values refused at load naming the key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from overdue_reminder import config
from overdue_reminder.errors import ConfigError
from overdue_reminder.resources import example_config


def test_shipped_example_and_defaults_load() -> None:
    s = config.parse(example_config())
    assert s.offers.supervising_partner == "partner@harperlowe.example"
    assert s.offers.min_installment["JPY"] == Decimal(5000)
    d = config.parse("").offers
    assert (d.staff.max_installments, d.attorney.max_installments, d.floors.longest_term_months) == (6, 12, 24)
    assert d.reasons.terms("financial_hardship").kind == "installments"
    assert d.reasons.terms("dispute").kind == "none"


def test_partial_tables_keep_their_own_defaults() -> None:
    s = config.parse('[offers.attorney]\nmax_installments = 18\n[offers.reasons.financial_hardship]\n'
                     'installments = 9\n').offers
    assert s.attorney.max_discount_percent == Decimal(15) and s.attorney.max_installments == 18
    hardship = s.reasons.terms("financial_hardship")
    assert hardship.kind == "installments" and hardship.installments == 9
    assert hardship.down_payment_percent == Decimal(10)


@pytest.mark.parametrize(("text", "key"), [
    ('[offers.staff]\nmax_discount_percent = "20"\n', "offers.staff.max_discount_percent"),
    ('[offers.attorney]\nmax_discount_percent = "30"\n', "offers.attorney.max_discount_percent"),
    ('[offers.attorney]\nmax_term_months = 30\n', "offers.attorney.max_term_months"),
    ('[offers.staff]\nmin_down_payment_percent = "1"\n', "offers.staff.min_down_payment_percent"),
    ('[offers.floors]\nmax_discount_percent = 25.5\n', "offers.floors.max_discount_percent"),
    ('[offers.reasons.dispute]\nkind = "installments"\ninstallments = 3\n', "offers.reasons.dispute.kind"),
    ('[offers.reasons.planning_error]\nkind = "biweekly"\n', "offers.reasons.planning_error.kind"),
    ('[offers.reasons.hardship]\nkind = "none"\n', "offers.reasons.hardship"),
    ('[offers]\nsupervising_partner = "Pat"\n', "offers.supervising_partner"),
    ('[offers]\nmin_installment = { XYZ = "5" }\n', "offers.min_installment.XYZ"),
    ('[offers]\ngrade_extension_percent = { E = 50 }\n', "offers.grade_extension_percent.E"),
    ('[offers]\npromise_grace_days = -1\n', "offers.promise_grace_days"),
    ('[offers]\ndefault_frequency = "daily"\n', "offers.default_frequency"),
])
def test_bad_offer_settings_name_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        config.parse(text, "firm.toml")
    assert err.value.key == key, str(err.value)
    assert "Fix:" in str(err.value)
