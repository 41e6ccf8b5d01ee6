"""The aging chart on the review page: the digest's picture (services.aging_chart), one panel per currency.

Drawn here as inline SVG with the digest chart's geometry, scale, ticks, colours and Babel-formatted labels
(`aging_chart.scale`, `axis_text`, `money_text`), because matplotlib needs about half a second per panel on a
busy server and a client page would wait for it. Presentation attributes only (no style attributes, so the
strict Content Security Policy holds); the panel scales to the column's width and is drawn at about a
phone's width, so its text stays legible at 390 px. Every figure is also in the table beside it and in the
accessible label.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

from overdue_reminder.core.aging import BUCKETS, AgingRow
from overdue_reminder.money import MoneyError, quantize
from overdue_reminder.services.aging_chart import (
    COLOURS,
    GRID,
    INK,
    MUTED,
    alt_text,
    axis_text,
    bucket_label,
    money_text,
    scale,
)

W, H = 440, 250  # the digest panel's 4.4 x 2.5 inches at 100 dpi
X0, X1, Y0, Y1 = W * 0.24, W * 0.97, H * 0.13, H * 0.87  # its subplots_adjust margins
FONT = 'font-family="DejaVu Sans, system-ui, sans-serif"'


def money(amount: Decimal, currency: str) -> str:
    """'1,234.50 USD', rounded to the currency's minor unit (as entered when the currency is not ISO money)."""
    try:
        value = quantize(amount, currency)
    except MoneyError:
        value = amount
    return f"{value:,} {currency}"


def aging_svg(row: AgingRow, title: str = "") -> Markup:
    """One currency's panel as inline SVG in a <figure>, its total as text in the caption."""
    values = [row.buckets.get(b, Decimal(0)) for b in BUCKETS]
    left, right, ticks = scale(values)

    def x(v: float) -> float:
        return X0 + (v - left) / (right - left) * (X1 - X0)

    band = (Y1 - Y0) / len(BUCKETS)
    cur = row.currency
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
             f'aria-label="{escape(alt_text(row))}" data-currency="{escape(cur)}" {FONT}>',
             f"<title>{escape(alt_text(row))}</title>",
             f'<text x="{X0:.1f}" y="{Y0 - 12:.1f}" font-size="15" font-weight="bold" fill="{INK}">'
             f"{escape(cur)}  ·  total {escape(money_text(row.total, cur))}</text>"]
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" y1="{Y0:.1f}" x2="{x(t):.1f}" y2="{Y1:.1f}" stroke="{GRID}" '
                     f'stroke-width="0.8"/>')
        parts.append(f'<text x="{x(t):.1f}" y="{Y1 + 18:.1f}" font-size="14" text-anchor="middle" fill="{MUTED}">'
                     f"{escape(axis_text(t, cur))}</text>")
    parts.append(f'<line x1="{X0:.1f}" y1="{Y1:.1f}" x2="{X1:.1f}" y2="{Y1:.1f}" stroke="{GRID}"/>')
    for i, (b, v) in enumerate(zip(BUCKETS, values, strict=True)):
        mid = Y0 + band * (i + 0.5)
        parts.append(f'<text x="{X0 - 8:.1f}" y="{mid + 4.5:.1f}" font-size="14" text-anchor="end" fill="{INK}">'
                     f"{escape(bucket_label(b))}</text>")
        if v:
            a, z = sorted((x(0.0), x(float(v))))
            parts.append(f'<rect x="{a:.1f}" y="{mid - band * 0.31:.1f}" width="{max(z - a, 1.5):.1f}" '
                         f'height="{band * 0.62:.1f}" fill="{COLOURS[b]}"/>')
            parts.append(f'<text x="{max(z, x(0.0)) + 6:.1f}" y="{mid + 4.5:.1f}" font-size="14" fill="{INK}">'
                         f"{escape(money_text(v, cur))}</text>")
    parts.append("</svg>")
    count = f"{row.count:,} invoice" + ("" if row.count == 1 else "s")
    caption = f"{title}: " if title else ""
    return Markup('<figure class="chart">{svg}<figcaption>{caption}total {total} in {count}</figcaption>'
                  "</figure>").format(svg=Markup("".join(parts)), caption=caption,
                                      total=money(row.total, cur), count=count)


def aging_charts(rows: Sequence[AgingRow], title: str = "") -> list[Markup]:
    return [aging_svg(r, f"{title} ({r.currency})" if title else "") for r in sorted(rows, key=lambda r: r.currency)]


__all__ = ["aging_charts", "aging_svg", "money"]
