"""The table layout (cli/tables.py), the time policy (cli/times.py) and how aging reads (cli/aging_view.py):
pure functions, measured with wcwidth, an independent judge of display width."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from wcwidth import wcswidth

from overdue_reminder.cli.aging_view import attorney_labels, per_currency
from overdue_reminder.cli.tables import Col, clean, render, units, wrap
from overdue_reminder.cli.times import firm_time, iso_with_offset
from overdue_reminder.core.aging import AgingRow
from overdue_reminder.model import Attorney

NEW_YORK = ZoneInfo("America/New_York")


def cells(line: str) -> int:
    width = wcswidth(line)
    assert width >= 0, f"unprintable character in {line!r}"
    return width


def intact(lines: list[str], token: str) -> bool:
    return any(token in line for line in lines)


COLS = [Col("ID", right=True), Col("Client"), Col("Run date"), Col("Status"), Col("Attorney", drop=2),
        Col("Amount due", right=True), Col("Note", prose=True, drop=1)]
ROWS = [
    ["1", "杭州云帆网络科技有限公司", "2026-11-05", "awaiting_review", "margaret.chen@harperlowe.example",
     "295,286.00 CNY", "The client's controller (ap@yunfan.example) promised a wire on 2026-12-01 for 5,000.00 CNY."],
    ["12", "Line\r\nBreak Trading Co. International Holdings", "2026-11-05", "approved",
     "j.smith@harperlowe.example", "1,234.00 USD, 5.00 EUR", ""],
]


def test_a_table_fits_80_and_120_columns_with_every_token_whole() -> None:
    for width in (80, 120):
        lines = render("Letters awaiting an attorney's review, with the amounts and the attorney assigned to each",
                       COLS, ROWS, width)
        assert all(cells(line) <= width for line in lines), "\n".join(lines)
        for token in ("2026-11-05", "295,286.00 CNY", "1,234.00 USD", "5.00 EUR", "awaiting_review"):
            assert intact(lines, token), (token, lines)
        assert any("Line Break" in line for line in lines)  # the name typed with a line break: one row
    narrow = render("t", COLS, ROWS, 80)
    assert "margaret.chen@harperlowe.example" not in "\n".join(narrow)
    assert "Attorney" in narrow[-1] and "--wide" in narrow[-1]  # says what it hid and how to see it
    assert intact(render("t", COLS, ROWS, 120), "margaret.chen@harperlowe.example")
    roomy = render("t", COLS, ROWS, 130)  # room for the note too: wrapped at words, its tokens whole
    assert all(cells(line) <= 130 for line in roomy) and len(roomy) > 1 + 2 + len(ROWS)
    for token in ("ap@yunfan.example", "2026-12-01", "5,000.00 CNY"):
        assert intact(roomy, token), (token, roomy)


def test_wide_shows_every_column_on_one_line_per_row() -> None:
    lines = render("t", COLS, ROWS, None)
    assert len(lines) == 1 + 2 + len(ROWS)
    assert all(h.header in lines[1] for h in COLS)


def test_the_title_wraps_at_words_to_the_width_not_to_the_table() -> None:
    title = "tonight: left alone, and why (overdue-reminder plan --all shows each client)"
    lines = render(title, [Col("reason"), Col("clients", right=True)], [["too_soon", "26"]], 40)
    assert lines[0] == "tonight: left alone, and why"
    assert lines[1] == "(overdue-reminder plan --all shows each"
    lines = render(title, [Col("reason"), Col("clients", right=True)], [["too_soon", "26"]], 80)
    assert lines[0] == title


def test_chinese_text_breaks_between_characters_never_inside_a_number_or_after_an_opening_bracket() -> None:
    subject = "第二次付款提醒（已逾期36天）：律师费账单INV/2026/00051（Harper & Lowe LLP）"
    lines = wrap(subject, 16, prose=True)
    assert all(cells(line) <= 16 for line in lines)
    assert intact(lines, "INV/2026/00051")
    assert not any(line.rstrip().endswith("（") or line.lstrip().startswith(("）", "：")) for line in lines)
    assert "".join(line.strip() for line in lines).replace(" ", "") == subject.replace(" ", "")


def test_glued_units_amounts_dates_times_phones() -> None:
    words = [u.text for u in units("paid 1,234.00 USD at 2026-11-29 14:22 EST; call +1 212 555 0100 today")]
    assert "1,234.00 USD" in words and "2026-11-29 14:22 EST;" in words and "+1 212 555 0100" in words
    assert clean("Line\r\nBreak\tTrading  \x1b[31mCo.") == "Line Break Trading [31mCo."


@given(st.lists(st.sampled_from(["Hall", "&", "Lefèvre", "2026-11-29", "1,904.17 USD", "杭州云帆网络", "a@b.example",
                                 "INV/2026/00204", "supercalifragilisticexpialidocious", "（已逾期）", "🚀"]),
                min_size=1, max_size=30),
       st.integers(min_value=14, max_value=60), st.booleans())
def test_no_wrapped_line_is_wider_than_asked_and_nothing_is_lost(words: list[str], width: int, prose: bool) -> None:
    text = " ".join(words)
    lines = wrap(text, width, prose, indent=2)
    assert all(cells(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for token in ("2026-11-29", "1,904.17 USD", "a@b.example", "INV/2026/00204"):
        if token in text:
            assert intact(lines, token)


def test_times_are_on_the_firms_clock_and_labelled() -> None:
    at = datetime(2026, 11, 29, 19, 22, tzinfo=UTC)
    assert firm_time(at, NEW_YORK) == "2026-11-29 14:22 EST"
    assert firm_time(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), NEW_YORK) == "2026-07-01 08:00 EDT"
    assert firm_time(at, ZoneInfo("Asia/Shanghai")) == "2026-11-30 03:22 CST"
    assert iso_with_offset(at) == "2026-11-29T19:22:00+00:00"
    assert iso_with_offset(datetime(2026, 11, 29, 19, 22)) == "2026-11-29T19:22:00+00:00"


def _row(label: str, currency: str, total: str) -> AgingRow:
    r = AgingRow(label, label, currency)
    r.buckets["90+"] = Decimal(total)
    return r


def test_aging_is_ranked_within_each_currency_never_across() -> None:
    rows = [_row("a", "CNY", "295286"), _row("b", "USD", "90000"), _row("c", "USD", "95000"), _row("d", "CNY", "5")]
    assert [(cur, [r.label for r in group]) for cur, group in per_currency(rows)] == [
        ("CNY", ["a", "d"]), ("USD", ["c", "b"])]


def test_attorneys_who_share_a_name_are_told_apart_by_email() -> None:
    labels = attorney_labels([Attorney(6, "Margaret Chen", "mchen", "mchen@firm.example"),
                              Attorney(7, "Margaret Chen", "mchen2", "margaret.chen@firm.example"),
                              Attorney(8, "Wei Zhang", "wzhang", "wzhang@firm.example")])
    assert labels == {6: "Margaret Chen <mchen@firm.example>", 7: "Margaret Chen <margaret.chen@firm.example>",
                      8: "Wei Zhang"}
