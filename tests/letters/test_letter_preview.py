"""The web preview reads a letter's structure back from the .docx: headings, bold/italic/underlined runs,
alignment, tables with their header row. Text is carried as data only (the page escapes it)."""

from __future__ import annotations

import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

from overdue_reminder.services.docx_runs import Span, heading_level
from overdue_reminder.services.review import docx_blocks


def _letter() -> bytes:
    doc = docx.Document()
    doc.add_heading("Notice <of> arbitration", level=2)
    p = doc.add_paragraph()
    p.add_run("Pay ")
    p.add_run("$10,425.00").bold = True
    p.add_run(" by ")
    p.add_run("December 11").italic = True
    p.add_run(" <script>alert(1)</script>").underline = True
    right = doc.add_paragraph("November 28, 2026")
    right.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table = doc.add_table(rows=2, cols=2)
    for cell, text in zip(table.rows[0].cells, ("Invoice", "Amount"), strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "INV/1", "5,225.00"
    plain = doc.add_table(rows=1, cols=1)
    plain.rows[0].cells[0].text = "no header here"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_preview_keeps_headings_runs_alignment_and_tables() -> None:
    _, blocks = docx_blocks(_letter())
    heading, para, right, table, plain = blocks
    assert (heading.kind, heading.level, heading.text) == ("heading", 2, "Notice <of> arbitration")
    assert para.kind == "paragraph" and para.spans == (
        Span("Pay "), Span("$10,425.00", bold=True), Span(" by "), Span("December 11", italic=True),
        Span(" <script>alert(1)</script>", underline=True))
    assert right.align == "right" and para.align == ""
    assert table.kind == "table" and table.header_row and table.rows == (("Invoice", "Amount"), ("INV/1", "5,225.00"))
    assert plain.kind == "table" and not plain.header_row


def test_heading_levels() -> None:
    assert [heading_level(s) for s in ("Title", "Heading 1", "Heading 3", "Heading 9", "Heading", "Normal")] == [
        1, 1, 3, 4, 2, 0]
