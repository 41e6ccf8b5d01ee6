"""A reminder shows only the payment channels for its currencies, with their SWIFT/BIC, IBAN, intermediary bank
and reference, in the client's language; a currency no channel takes is refused, never sent without channels."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.core.clearance import content_problems
from overdue_reminder.core.reminder_text import Templates, render_action, sample_actions, shared_for
from overdue_reminder.core.wording import reminder_wording
from overdue_reminder.errors import ConfigError
from overdue_reminder.model import ActionLine

RUN = date(2026, 3, 10)
USD_WIRE, INTL_WIRE, CARD = "Bank transfer (USD)", "International wire (EUR, CNY)", "Client portal (card or ACH)"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> config.Settings:
    path: Path = write_demo_config(tmp_path_factory.mktemp("desk"), 8069, "lawfirm", "admin")
    return config.load(str(path))


def in_currency(currency: str, language: str = "en_US") -> object:
    base = sample_actions(RUN)[2]  # one USD invoice
    line: ActionLine = dataclasses.replace(base.lines[0], currency=currency, name="INV/2026/0777")
    return dataclasses.replace(base, tier="friendly", language=language, lines=(line,),
                               totals={currency: line.amount_residual})


def render(settings: config.Settings, currency: str, language: str = "en_US") -> tuple[str, str]:
    a = in_currency(currency, language)
    r = render_action(Templates(), a, shared_for(settings, RUN), "R-TEST000001")  # type: ignore[arg-type]
    return r.text, r.html


def test_a_cny_reminder_shows_the_wire_with_swift_and_iban_and_no_aba(settings: config.Settings) -> None:
    text, html = render(settings, "CNY")
    assert INTL_WIRE in text and CARD in text and USD_WIRE not in text and USD_WIRE not in html
    assert "ABA" not in text and "021000021" not in text  # the USD routing number is not shown to a CNY payer
    assert "SWIFT/BIC: COBADEFFXXX" in text and "IBAN: DE89 3704 0044 0532 0130 00" in text
    assert "Intermediary bank: Bank of China, Frankfurt Branch" in text and "SWIFT/BIC: COBADEFFXXX" in html
    assert "Payment reference: INV/2026/0777" in text


def test_a_usd_reminder_shows_only_the_usd_channels(settings: config.Settings) -> None:
    text, _ = render(settings, "USD")
    assert USD_WIRE in text and CARD in text and INTL_WIRE not in text and "IBAN" not in text
    assert "ABA routing 021000021" in text


def test_a_zh_cn_reminder_prints_the_channel_in_chinese(settings: config.Settings) -> None:
    text, _ = render(settings, "CNY", "zh_CN")
    assert "国际电汇（欧元、人民币）" in text and "示例银行股份公司（法兰克福）" in text
    assert "银行识别代码（SWIFT/BIC）：COBADEFFXXX" in text and "中转银行：中国银行法兰克福分行" in text
    assert "Example Bank AG" not in text and "Frankfurt Branch" not in text


def test_the_exit_requires_exactly_the_channels_of_the_currencies(settings: config.Settings) -> None:
    text, _ = render(settings, "CNY")
    assert content_problems(text, reminder_wording(settings, "en_US", ["CNY"])) == []
    assert any(USD_WIRE in p for p in content_problems(text, reminder_wording(settings, "en_US", ["USD"])))


def test_a_currency_no_channel_takes_is_refused_at_drafting(settings: config.Settings) -> None:
    only_usd = [dataclasses.replace(ch, currencies=["USD"]) for ch in settings.payment.channels]
    s = dataclasses.replace(settings, payment=dataclasses.replace(settings.payment, channels=only_usd, currencies=[]))
    with pytest.raises(ConfigError, match="no payment channel takes EUR") as err:
        render(s, "EUR")
    assert err.value.key == "payment.channels"


def test_a_reminder_in_two_currencies_needs_a_channel_for_each(settings: config.Settings) -> None:
    only_usd = [dataclasses.replace(ch, currencies=["USD"]) for ch in settings.payment.channels]
    s = dataclasses.replace(settings, payment=dataclasses.replace(settings.payment, channels=only_usd, currencies=[]))
    base = sample_actions(RUN)[1]  # USD invoices, a JPY one and a credit note
    a = dataclasses.replace(base, tier="friendly", language="en_US")
    with pytest.raises(ConfigError, match="no payment channel takes JPY"):
        render_action(Templates(), a, shared_for(s, RUN), "R-TEST000002")
    both = dataclasses.replace(s, payment=dataclasses.replace(s.payment, channels=[
        *only_usd, dataclasses.replace(settings.payment.channels[1], currencies=["JPY"])]))
    text = render_action(Templates(), a, shared_for(both, RUN), "R-TEST000002").text
    assert USD_WIRE in text and INTL_WIRE in text
