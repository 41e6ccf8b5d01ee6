"""The aging chart on the review page: the digest's picture (services.aging_chart), one panel per currency.

Each panel is an SVG embedded as a data: image, so the page stays one request and the strict Content
Security Policy (no inline styles) does not apply inside it; it scales to the column's width (legible on a
390 px phone: the panel is drawn at about that width, its text stays text). Every figure is also in the
table beside it and in the image's alt text for screen readers.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup

from overdue_reminder.core.aging import AgingRow
from overdue_reminder.money import MoneyError, quantize
from overdue_reminder.services.aging_chart import alt_text, panel


def money(amount: Decimal, currency: str) -> str:
    """'1,234.50 USD', rounded to the currency's minor unit (as entered when the currency is not ISO money)."""
    try:
        value = quantize(amount, currency)
    except MoneyError:
        value = amount
    return f"{value:,} {currency}"


def aging_svg(row: AgingRow, title: str = "") -> Markup:
    """One currency's panel as an <img> in a <figure>, its total as text in the caption."""
    data = base64.b64encode(panel(row, "svg")).decode("ascii")
    count = f"{row.count:,} invoice" + ("" if row.count == 1 else "s")
    caption = f"{title}: " if title else ""
    return Markup('<figure class="chart"><img src="data:image/svg+xml;base64,{data}" alt="{alt}" width="422" '
                  'height="240" data-currency="{cur}"><figcaption>{caption}total {total} in {count}</figcaption>'
                  '</figure>').format(data=data, alt=alt_text(row), cur=row.currency, caption=caption,
                                      total=money(row.total, row.currency), count=count)


def aging_charts(rows: Sequence[AgingRow], title: str = "") -> list[Markup]:
    return [aging_svg(r, f"{title} ({r.currency})" if title else "") for r in sorted(rows, key=lambda r: r.currency)]


__all__ = ["aging_charts", "aging_svg", "money"]
