"""A .docx paragraph's visible formatting for the web preview: bold, italic and underlined spans, alignment,
heading level. Only these facts leave here, as plain data: the page escapes every span's text itself, so a
letter cannot inject markup into the review page whatever its runs contain.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.text.paragraph import Paragraph
from docx.text.run import Run

ALIGN = {0: "", 1: "center", 2: "right", 3: "justify"}  # WD_ALIGN_PARAGRAPH values the preview shows


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


def _runs(paragraph: Paragraph) -> Iterator[Run]:
    """Runs in order, those inside hyperlinks too (their text is part of the letter)."""
    for item in paragraph.iter_inner_content():
        if isinstance(item, Run):
            yield item
        else:  # a Hyperlink
            yield from item.runs


def _flag(run: Run, name: str) -> bool:
    value: Any = getattr(run, name)
    if value is None and run.style is not None:  # inherited from the character style
        value = getattr(run.style.font, name)
    return bool(value)


def spans(paragraph: Paragraph) -> tuple[Span, ...]:
    """Adjacent runs with the same formatting merged; empty runs dropped."""
    out: list[Span] = []
    for run in _runs(paragraph):
        text = run.text
        if not text:
            continue
        span = Span(text, _flag(run, "bold"), _flag(run, "italic"), _flag(run, "underline"))
        if out and (out[-1].bold, out[-1].italic, out[-1].underline) == (span.bold, span.italic, span.underline):
            out[-1] = Span(out[-1].text + text, span.bold, span.italic, span.underline)
        else:
            out.append(span)
    return tuple(out)


def alignment(paragraph: Paragraph) -> str:
    value = paragraph.paragraph_format.alignment
    if value is None and paragraph.style is not None:
        value = paragraph.style.paragraph_format.alignment
    return ALIGN.get(int(value), "") if value is not None else ""


def heading_level(style_name: str) -> int:
    """1 for Title, n for 'Heading n' (capped at 4), 0 for anything else."""
    if style_name.startswith("Title"):
        return 1
    if style_name.startswith("Heading"):
        digits = "".join(c for c in style_name if c.isdigit())
        return min(4, max(1, int(digits))) if digits else 2
    return 0


__all__ = ["Span", "alignment", "heading_level", "spans"]
