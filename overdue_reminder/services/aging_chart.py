"""The aging chart, one small panel per currency, for the morning digest (PNG) and the review page (SVG).

Small multiples rather than one axis: CNY 295,286 beside USD 4,120 on one scale hides every USD bar, and an
amount is never added or compared across currencies. Each panel has its own scale, the currency's symbol
and thousands separators on the axis (Babel, in the reader's locale), and a print-friendly look: white
ground, no chart junk, dark ink, one hue darkening with age. The same function draws both formats, so the
web page and the email show the same picture.

The bytes are deterministic for the same figures (no timestamps or random ids in the file, matplotlib's
bundled DejaVu font), so a digest re-rendered for the same night is byte-identical and the web can cache.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from babel.numbers import format_currency, format_decimal, get_currency_symbol

from overdue_reminder.core.aging import BUCKETS, AgingRow

Format = Literal["png", "svg"]
# Oldest darkest: a reader sees where the risk is without a legend, in colour or in grey print.
COLOURS = {"current": "#9fb3c8", "1-30": "#6f8fb0", "31-60": "#c98b3a", "61-90": "#b5542f", "90+": "#7f1d1d"}
LABELS = {"current": "not yet due", "1-30": "1–30 days", "31-60": "31–60 days", "61-90": "61–90 days",
          "90+": "over 90 days"}
INK, MUTED, GRID = "#1d2430", "#5a6372", "#d5dae1"
_LOCK = threading.Lock()
PANEL_INCHES = (4.4, 2.5)  # 440 x 250 px at 100 dpi: readable on a 390 px phone without zooming
_STYLE: Any = {  # matplotlib types the keys as a Literal of every rcParam
    "font.family": "DejaVu Sans", "font.size": 10, "axes.edgecolor": GRID, "axes.labelcolor": INK,
    "xtick.color": MUTED, "ytick.color": INK, "axes.titlesize": 11, "axes.titleweight": "bold",
    "figure.facecolor": "white", "axes.facecolor": "white", "svg.fonttype": "none",
    "svg.hashsalt": "overdue-reminder-aging", "path.simplify": False,
}


def money_text(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """'$1,234.50' in en_US, 'US$1,234.50' in zh_CN; the currency's own minor unit."""
    try:
        return str(format_currency(amount, currency, locale=locale))
    except (ValueError, KeyError):  # not an ISO currency: the figure with its code
        return f"{format_decimal(amount, locale=locale)} {currency}"


def axis_text(value: float, currency: str, locale: str = "en_US") -> str:
    """A tick label: the symbol and whole units with separators ('$300,000'); ticks are round numbers."""
    symbol = get_currency_symbol(currency, locale=locale)
    whole = format_decimal(Decimal(round(value)), format="#,##0", locale=locale)
    return f"-{symbol}{whole.lstrip('-')}" if value < 0 else f"{symbol}{whole}"


def bucket_label(b: str) -> str:
    return LABELS.get(b, b)


def nice_ticks(low: float, top: float, n: int = 3) -> list[float]:
    """About n round ticks (1, 2, 2.5 or 5 times a power of ten) from 0 (or below) past the largest amount."""
    span = max(top, -low, 1.0)
    raw = span / n
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    last = max(1, math.ceil(top / step))
    return [k * step for k in range(math.ceil(low / step), last + 1)]


def scale(values: Sequence[Decimal]) -> tuple[float, float, list[float]]:
    """The value axis both drawings share: (left, right, ticks); room on the right for the value labels."""
    top = max([float(v) for v in values] + [0.0])
    low = min([float(v) for v in values] + [0.0])
    ticks = nice_ticks(low, (top or 1.0) * 1.5)  # ticks over the whole axis: at most four, labels never touch
    return min(ticks[0], low * 1.1), ticks[-1], ticks


def panel(row: AgingRow, fmt: Format = "png", *, locale: str = "en_US", dpi: int = 150) -> bytes:
    """One currency's panel as PNG or SVG bytes (cached: the same figures give the same bytes)."""
    amounts = tuple(str(row.buckets.get(b, Decimal(0))) for b in BUCKETS)
    return _panel(row.currency, amounts, fmt, locale, dpi)


def panels(rows: Sequence[AgingRow], fmt: Format = "png", *, locale: str = "en_US") -> list[tuple[str, bytes]]:
    """(currency, bytes) for each currency, in currency order: the small multiples."""
    return [(r.currency, panel(r, fmt, locale=locale)) for r in sorted(rows, key=lambda r: r.currency)]


def alt_text(row: AgingRow, locale: str = "en_US") -> str:
    parts = "; ".join(f"{bucket_label(b)} {money_text(row.buckets.get(b, Decimal(0)), row.currency, locale)}"
                      for b in BUCKETS)
    return f"Open receivables in {row.currency} by days past due: {parts}."


@lru_cache(maxsize=256)
def _panel(currency: str, amounts: tuple[str, ...], fmt: Format, locale: str, dpi: int) -> bytes:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter

    values = [Decimal(a) for a in amounts]
    total = sum(values, Decimal(0))
    with _LOCK, matplotlib.rc_context(_STYLE):  # rcParams are process-wide; the web renders from threads
        fig = Figure(figsize=PANEL_INCHES, dpi=100)  # no pyplot: no global figure registry
        ax = fig.add_subplot()
        ys = list(range(len(BUCKETS)))[::-1]  # oldest at the bottom, reading down as in the table
        # matplotlib draws floats; every figure a person reads is formatted from the Decimal.
        ax.barh(ys, [float(v) for v in values], height=0.62, color=[COLOURS[b] for b in BUCKETS])
        ax.set_yticks(ys, [bucket_label(b) for b in BUCKETS])
        left, right, ticks = scale(values)
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: axis_text(v, currency, locale)))
        ax.set_xlim(left, right)
        for y, v in zip(ys, values, strict=True):
            if v:
                ax.text(max(float(v), 0.0), y, "  " + money_text(v, currency, locale), va="center",
                        ha="left", fontsize=9, color=INK)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_title(f"{currency}  ·  total {money_text(total, currency, locale)}", loc="left", color=INK)
        fig.subplots_adjust(left=0.24, right=0.97, top=0.87, bottom=0.13)  # fixed labels: no tight_layout pass
        buf = io.BytesIO()
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        else:
            fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


__all__ = ["COLOURS", "alt_text", "axis_text", "bucket_label", "money_text", "nice_ticks", "panel", "panels", "scale"]
