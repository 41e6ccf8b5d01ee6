"""The statement of account's PDF: the firm's letterhead, then one page (or more) per currency.

ReportLab's canvas, in its invariant mode, with the creation date set to the statement's date: the same
statement gives the same bytes (no clock, no random document id). Fonts are embedded as subsets: a Latin
TrueType font for everything, and a CJK one for Chinese characters, chosen run by run (the CJK fonts
Debian ships carry no Latin glyphs). The fonts are registered once per process by the service
(services.statements) and passed in by name: this module reads no files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from overdue_reminder.core.statement import Channel, CurrencySection, Statement, StatementLine
from overdue_reminder.core.statement_words import Words, words_for
from overdue_reminder.money import quantize

WIDTH, HEIGHT = A4
MARGIN = 42.0
BOTTOM = 54.0
BODY = 8.0
# Number, matter, issued, due, amount, paid, open, days past due (points; they add up to the text width)
COLUMNS = (92.0, 64.0, 60.0, 60.0, 64.0, 58.0, 64.0, 49.0)
NUMERIC = (False, False, False, False, True, True, True, True)


@dataclass(frozen=True, slots=True)
class PdfFonts:
    """Registered font names: `cjk` is "" when no CJK font is installed (a text needing one then fails).

    Bold is drawn, not embedded: the regular glyphs filled and stroked (text render mode 2), which spares every
    statement a second Latin font program (a quarter of the render time, half the file).
    """

    latin: str
    cjk: str = ""


class MissingFont(ValueError):
    """The text needs a font that is not installed; the service turns this into a clear error with the fix."""


_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f"
_CJK_RUNS = re.compile(f"([{_CJK}]+)")
_CJK_CHAR = re.compile(f"[{_CJK}]")


def _is_cjk(ch: str) -> bool:
    return _CJK_CHAR.match(ch) is not None


@lru_cache(maxsize=65536)
def _runs(text: str) -> tuple[tuple[bool, str], ...]:
    if _CJK_CHAR.search(text) is None:
        return ((False, text),) if text else ()
    return tuple((i % 2 == 1, part) for i, part in enumerate(_CJK_RUNS.split(text)) if part)


def runs(text: str) -> Iterator[tuple[bool, str]]:
    """The text cut into runs of CJK and non-CJK characters, in order."""
    return iter(_runs(text))


@lru_cache(maxsize=65536)
def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


class Page:
    """A canvas with the statement's fonts: draws and measures mixed Latin/CJK text."""

    def __init__(self, canvas: Canvas, fonts: PdfFonts) -> None:
        self.c, self.fonts = canvas, fonts
        canvas.setLineWidth(0.3)

    def _font(self, cjk: bool, bold: bool = False) -> str:
        if cjk:
            if not self.fonts.cjk:
                raise MissingFont("this statement has Chinese text and no CJK font is installed")
            return self.fonts.cjk
        return self.fonts.latin

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return sum(_width(part, self._font(cjk, bold), size) for cjk, part in _runs(text))

    def text(self, x: float, y: float, text: str, size: float = BODY, *, bold: bool = False,
             align: str = "left") -> None:
        if align != "left":
            w = self.width(text, size, bold)
            x = x - w if align == "right" else x - w / 2
        if bold:  # q … Q: the render mode and stroke width end with this text (the text state outlives BT/ET)
            self.c.saveState()
            self.c.setLineWidth(size * 0.035)
        t = self.c.beginText(x, y)
        if bold:
            t.setTextRenderMode(2)
        for cjk, part in _runs(text):
            t.setFont(self._font(cjk), size)
            t.textOut(part)
        self.c.drawText(t)
        if bold:
            self.c.restoreState()

    def fit(self, text: str, width: float, size: float = BODY, bold: bool = False) -> str:
        """The text, cut with an ellipsis so it fits the column (a long number never overprints the next)."""
        if self.width(text, size, bold) <= width:
            return text
        while text and self.width(text + "…", size, bold) > width:
            text = text[:-1]
        return text + "…"

    def wrap(self, text: str, width: float, size: float = BODY) -> list[str]:
        """Lines that fit `width`: Latin text breaks at spaces, Chinese between any two characters."""
        lines: list[str] = []
        line = ""
        for token in _tokens(text):
            candidate = line + token
            if line and self.width(candidate.rstrip(), size) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = candidate
        if line.strip():
            lines.append(line.rstrip())
        return lines


def _tokens(text: str) -> Iterator[str]:
    """Words with their trailing space, and single CJK characters (each a place to break)."""
    word = ""
    for ch in text:
        if _is_cjk(ch):
            if word:
                yield word
                word = ""
            yield ch
        elif ch == " ":
            yield word + " "
            word = ""
        else:
            word += ch
    if word:
        yield word


@lru_cache(maxsize=4096)
def _date(d: date | None, language: str) -> str:
    return format_date(d, "medium", locale=language) if d is not None else ""


def _amount(v: Decimal, currency: str) -> str:
    return f"{quantize(v, currency):,}"


class _Layout:
    """One statement being laid out: the cursor, page breaks, and the blocks in order."""

    def __init__(self, st: Statement, fonts: PdfFonts, canvas: Canvas) -> None:
        self.st, self.w = st, words_for(st.language, st.is_company)
        self.p = Page(canvas, fonts)
        self.y = 0.0
        self.page_no = 0
        self.continued = ""

    # -- pages
    def new_page(self, heading: str) -> None:
        if self.page_no:
            self.p.c.showPage()
        self.page_no += 1
        self.letterhead()
        self.y -= 6
        self.p.text(MARGIN, self.y, heading, 11, bold=True)
        self.y -= 16
        self.continued = heading

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page(f"{self.continued} {self.w.continued}" if self.w.continued not in self.continued
                          else self.continued)

    def letterhead(self) -> None:
        p, st, w = self.p, self.st, self.w
        y = HEIGHT - MARGIN - 4
        p.text(MARGIN, y, st.firm.name, 13, bold=True)
        p.text(WIDTH - MARGIN, y, w.title, 13, bold=True, align="right")
        y -= 13
        right = [w.as_of(_date(st.as_of, st.language)), w.page(self.page_no)]
        left = [*st.firm.address, "  ·  ".join(st.firm.contact)] if st.firm.contact else list(st.firm.address)
        for i in range(max(len(left), len(right))):
            if i < len(left):
                p.text(MARGIN, y, p.fit(left[i], 300), BODY)
            if i < len(right):
                p.text(WIDTH - MARGIN, y, right[i], BODY, align="right")
            y -= 10
        p.c.saveState()
        p.c.setLineWidth(0.6)
        p.c.line(MARGIN, y + 4, WIDTH - MARGIN, y + 4)
        p.c.restoreState()
        y -= 10
        p.text(MARGIN, y, w.client, BODY, bold=True)
        y -= 10
        for line in (st.client_name, *st.client_address):
            p.text(MARGIN, y, p.fit(line, 400), BODY)
            y -= 10
        self.y = y - 4

    # -- blocks
    def table(self, title: str, head: tuple[str, ...], rows: list[tuple[str, ...]],
              widths: tuple[float, ...] = COLUMNS, numeric: tuple[bool, ...] = NUMERIC) -> None:
        self.need(34)
        self.p.text(MARGIN, self.y, title, 9, bold=True)
        self.y -= 12
        self._row(head, widths, numeric, bold=True)
        self.p.c.line(MARGIN, self.y + 8.5, WIDTH - MARGIN, self.y + 8.5)
        for row in rows:
            self._row(row, widths, numeric)
        self.y -= 6

    def _row(self, cells: tuple[str, ...], widths: tuple[float, ...], numeric: tuple[bool, ...],
             bold: bool = False) -> None:
        """One table row; a long reference wraps within its column (up to three lines) rather than overprint."""
        wrapped = [[cell] if num else (self.p.wrap(cell, width - 4) or [""])[:3]
                   for cell, width, num in zip(cells, widths, numeric, strict=True)]
        height = max(len(lines) for lines in wrapped)
        self.need(11 + 9 * (height - 1))
        x = MARGIN
        for lines, width, num in zip(wrapped, widths, numeric, strict=True):
            for i, line in enumerate(lines):
                text = self.p.fit(line, width - 4, BODY, bold)
                y = self.y - 9 * i
                if num:
                    self.p.text(x + width - 2, y, text, BODY, bold=bold, align="right")
                else:
                    self.p.text(x, y, text, BODY, bold=bold)
            x += width
        self.y -= 11 + 9 * (height - 1)

    def totals(self, sec: CurrencySection) -> None:
        w, cur = self.w, sec.currency
        lines: list[tuple[str, str, bool]] = [(w.open_invoices, _amount(sec.open_invoices, cur), False)]
        if sec.credits:
            lines.append((w.less_credits, _amount(-sec.open_credits, cur), False))
        if sec.payments:
            lines.append((w.less_payments, _amount(-sec.unapplied, cur), False))
        due = sec.total_due
        lines.append((w.total_due(cur) if due >= 0 else w.in_your_favour(cur), _amount(abs(due), cur), True))
        self.need(12 * len(lines) + 6)
        right = WIDTH - MARGIN
        for label, value, bold in lines:
            self.p.text(right - 92, self.y, label, 9 if bold else BODY, bold=bold, align="right")
            self.p.text(right - 2, self.y, value, 9 if bold else BODY, bold=bold, align="right")
            self.y -= 12
        self.y -= 6

    def paragraph(self, heading: str, lines: list[tuple[str, bool]]) -> None:
        body = WIDTH - 2 * MARGIN
        wrapped = [(part, bold) for text, bold in lines for part in self.p.wrap(text, body)]
        self.need(12 + 10 * min(len(wrapped), 4))
        self.p.text(MARGIN, self.y, heading, 9, bold=True)
        self.y -= 11
        for text, bold in wrapped:
            self.need(10)
            self.p.text(MARGIN, self.y, text, BODY, bold=bold)
            self.y -= 10
        self.y -= 6

    def how_to_pay(self, currency: str = "") -> None:
        lines: list[tuple[str, bool]] = []
        for ch in self.st.channels:
            if currency and not ch.takes(currency):
                continue
            lines.append((ch.label, True))
            lines.extend((d, False) for d in ch.details)
            lines.extend(_bank_lines(ch, self.w))
            if ch.url:
                lines.append((ch.url, False))
        if lines:
            self.paragraph(self.w.how_to_pay, lines)

    def verification(self) -> None:
        st = self.st
        self.paragraph(self.w.verify_heading, [(st.verification or self.w.verify(st.verify_phone), False)])

    def section(self, sec: CurrencySection) -> None:
        w, cur, lang = self.w, sec.currency, self.st.language
        self.new_page(w.section(cur))
        head = w.columns(cur)
        if sec.invoices:
            self.table(w.invoices, head, [_line_cells(ln, cur, lang) for ln in sec.invoices])
        if sec.credits:
            self.table(w.credits, head, [_line_cells(ln, cur, lang, credit=True) for ln in sec.credits])
        if sec.payments:
            self.table(w.payments, w.payment_columns(cur),
                       [(p.reference, _date(p.date, lang), _amount(p.amount, cur)) for p in sec.payments],
                       (92.0, 124.0, 124.0), (False, False, True))
        self.totals(sec)
        self.how_to_pay(cur)
        self.verification()


def _line_cells(ln: StatementLine, currency: str, language: str, *, credit: bool = False) -> tuple[str, ...]:
    return (ln.number, ln.matter_ref, _date(ln.invoice_date, language), _date(ln.due_date, language),
            _amount(ln.amount, currency), _amount(ln.paid, currency), _amount(ln.open, currency),
            "" if credit else str(ln.days_past_due))


def render_statement(st: Statement, fonts: PdfFonts) -> bytes:
    """The statement's PDF bytes: a pure function of the statement (and the fonts' files)."""
    buf = io.BytesIO()
    # initialFontName: no unused, unembedded Helvetica in the resources (types-reportlab types it as a float)
    c = Canvas(buf, pagesize=A4, invariant=True, pageCompression=True,
               initialFontName=fonts.latin, initialFontSize=BODY)  # type: ignore[arg-type]
    stamp = st.as_of
    c.setDateFormatter(_date_formatter(stamp))
    c.setTitle(f"{words_for(st.language, st.is_company).title} {st.client_name} {st.as_of.isoformat()}")
    c.setAuthor(st.firm.name)
    c.setCreator("overdue-reminder")
    c.setProducer("overdue-reminder")
    layout = _Layout(st, fonts, c)
    for sec in st.sections or (CurrencySection("", (), (), ()),):
        if sec.currency:
            layout.section(sec)
        else:
            layout.new_page(layout.w.nothing_open)
            layout.how_to_pay()
            layout.verification()
    c.showPage()
    c.save()
    return buf.getvalue()


def _date_formatter(d: date) -> Callable[..., str]:
    """The document's creation and modification date: the statement's own date, at midnight UTC."""
    def fmt(*_args: int) -> str:
        return f"D:{d.year:04d}{d.month:02d}{d.day:02d}000000+00'00'"
    return fmt



def _bank_lines(ch: Channel, w: Words) -> list[tuple[str, bool]]:
    """SWIFT/BIC, IBAN, intermediary bank and what to quote, each labelled in the statement's language."""
    out = [(label + value, False) for label, value in ((w.swift, ch.swift), (w.iban, ch.iban),
                                                       (w.intermediary, ch.intermediary_bank)) if value]
    if "{invoice_number}" in ch.reference:
        out.append((w.reference + w.quote_invoice, False))
    elif ch.reference and "{" not in ch.reference:
        out.append((w.reference + ch.reference, False))
    return out

__all__ = ["MissingFont", "PdfFonts", "Words", "render_statement", "runs"]
