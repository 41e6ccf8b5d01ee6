"""The aging chart as inline SVG: one small bar chart per currency (amounts are never added across currencies).

Drawn by hand rather than with matplotlib so the page stays one request, renders in a few microseconds
and needs no image route; every figure is also in the table beside it for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

from overdue_reminder.core.aging import BUCKETS, AgingRow
from overdue_reminder.money import MoneyError, quantize

WIDTH = 560
LABEL_W = 72
BAR_W = 330
ROW_H = 26
TOP = 30
COLOURS = {"current": "#4c7d4c", "1-30": "#8a8f2e", "31-60": "#b8860b", "61-90": "#c0622b", "90+": "#a33a3a"}


def money(amount: Decimal, currency: str) -> str:
    """'1,234.50 USD', rounded to the currency's minor unit (as entered when the currency is not ISO money)."""
    try:
        value = quantize(amount, currency)
    except MoneyError:
        value = amount
    return f"{value:,} {currency}"


def aging_svg(row: AgingRow, title: str = "") -> Markup:
    """A horizontal bar per bucket for one currency, scaled to the largest bucket."""
    amounts = [row.buckets.get(b, Decimal(0)) for b in BUCKETS]
    top = max([a for a in amounts if a > 0], default=Decimal(0))
    height = TOP + ROW_H * len(BUCKETS) + 8
    label = title or f"Aging in {row.currency}"
    desc = "; ".join(f"{b}: {money(a, row.currency)}" for b, a in zip(BUCKETS, amounts, strict=True))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(label)}: {escape(desc)}">',
             f"<title>{escape(label)}</title>",
             f'<text x="0" y="18" class="chart-title">{escape(label)} — total '
             f"{escape(money(row.total, row.currency))}</text>"]
    for i, (b, a) in enumerate(zip(BUCKETS, amounts, strict=True)):
        y = TOP + i * ROW_H
        w = int(a * BAR_W / top) if top > 0 and a > 0 else 0
        if a > 0 and w < 2:
            w = 2
        parts.append(f'<text x="0" y="{y + 17}" class="chart-label">{escape(b)}</text>')
        parts.append(f'<rect x="{LABEL_W}" y="{y + 4}" width="{BAR_W}" height="{ROW_H - 8}" class="chart-track"/>')
        if w:
            parts.append(f'<rect x="{LABEL_W}" y="{y + 4}" width="{w}" height="{ROW_H - 8}" '
                         f'fill="{COLOURS[b]}"/>')
        parts.append(f'<text x="{LABEL_W + BAR_W + 8}" y="{y + 17}" class="chart-value">'
                     f"{escape(money(a, row.currency))}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def aging_charts(rows: Sequence[AgingRow], title: str = "") -> list[Markup]:
    return [aging_svg(r, f"{title} ({r.currency})" if title else "") for r in sorted(rows, key=lambda r: r.currency)]


__all__ = ["aging_charts", "aging_svg", "money"]
