"""Escalation letters as .docx: the layout of a rendered letter (letterhead, table, sections), reading letters
back, the final copy without the DRAFT marker, and the check of an attorney's edited file.

The words come from `core.letter_text` (templates, context, forbidden-phrase check); this module only lays
them out. Speed: python-docx's default template carries ~800 KB of styles that are parsed and compressed again
for every document. `LetterBuilder` prepares a trimmed skeleton once per language (styles in use, letterhead,
header, footer, logo) and each letter reopens it from bytes and appends its body with plain lxml calls, several
times faster than building the same document with python-docx from scratch (scripts/bench_letters.py).
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree  # type: ignore[import-untyped]

from overdue_reminder.config import Settings
from overdue_reminder.core import phrases
from overdue_reminder.core.letter_text import (
    DRAFT_MARKER,
    FORBIDDEN_PHRASES,
    SHIPPED_LANGUAGES,
    LetterRenderer,
    LetterRequest,
    LetterText,
    SentReminder,
    check_letter_templates,
    check_letter_text,
    matter_refs,
    refuse_forbidden,
    sample_request,
)
from overdue_reminder.core.letter_words import label_value, wide
from overdue_reminder.errors import ConfigError, PolicyError
from overdue_reminder.files import secure_dir, write_private

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_KEEP_STYLES = frozenset({
    "Normal", "Header", "HeaderChar", "Footer", "FooterChar", "DefaultParagraphFont", "TableNormal", "NoList",
    "TableGrid", "Title", "TitleChar", "Heading2", "Heading2Char",
})
# East Asian face and language tag of the Normal style: the tag makes Word and LibreOffice choose a face of that
# script (a Simplified Chinese one for zh-CN) when the named face is missing, instead of a Japanese default.
_EAST_ASIAN_FONT = {"zh": "SimSun", "ja": "MS Mincho", "ko": "Batang"}
_EAST_ASIAN_LANG = {"zh": "zh-CN", "ja": "ja-JP", "ko": "ko-KR"}
TABLE_COLUMNS = ("col_number", "col_date", "col_due", "col_days", "col_amount", "col_paid", "col_outstanding",
                 "col_currency")
DEFAULT_LABELS = {"col_days": "Days past due"}


# ---------------------------------------------------------------- the builder
@dataclass
class LetterBuilder(LetterRenderer):
    """Renders and lays out letters for one settings object. Not thread-safe: one builder per thread."""

    _skeletons: dict[tuple[str, bool], bytes] = field(init=False, default_factory=dict, repr=False)
    _logo: bytes | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        logo = self.settings.firm.logo
        if logo:
            path = self.settings.resolve(logo)
            try:
                self._logo = path.read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot read the logo {path}: {exc.strerror}.", path=self.settings.config_path,
                                  key="firm.logo", fix="point it at a PNG or JPEG file, or set logo = \"\".") from exc

    def skeleton(self, language: str, *, draft: bool) -> bytes:
        """The parts every letter in one language shares, built once per builder."""
        key = (language, draft)
        found = self._skeletons.get(key)
        if found is None:
            found = self._skeletons[key] = self._skeleton(language, self.labels(language), draft=draft)
        return found

    # ------------------------------------------------------------ layout (docx)
    def build(self, req: LetterRequest, *, draft: bool = True) -> bytes:
        return self.layout(self.render(req), draft=draft)

    def layout(self, text: LetterText, *, draft: bool = True) -> bytes:
        doc = docx.Document(io.BytesIO(self.skeleton(text.language, draft=draft)))
        body = doc.element.body
        sect = body[-1]  # the section properties stay last
        add = _Appender(body, sect)
        labels = text.labels
        add.para([text.date_line], align="right", space_before=12)
        add.para(list(text.address_lines), space_before=12)
        add.para([text.reference], bold=True, space_before=12)
        add.para([text.salutation])
        add.text_block(text.body)
        add.para([labels["invoices_heading"]], bold=True, space_before=6, keep_next=True)
        add.table([labels.get(k) or DEFAULT_LABELS[k] for k in TABLE_COLUMNS], text.table_rows)
        add.para([labels["totals_heading"]], bold=True, space_before=10, keep_next=True)
        for label, amount in text.totals:
            add.para([label_value(label, amount, text.language)], bold=label.startswith(labels["total_due"]))
        add.para([labels["history_heading"]], bold=True, space_before=10, keep_next=True)
        add.para(list(text.history) or [labels["history_none"]])
        if text.offer:
            add.para([labels["offer_heading"]], bold=True, space_before=10, keep_next=True)
            add.text_block(text.offer)
        if text.notice:
            add.text_block(text.notice, heading_space=10)
        add.text_block(text.closing, keep_with_next=True)  # "Sincerely," stays with the signature
        add.para(text.signature.split("\n"), space_before=30)
        if text.enclosures:
            add.para([label_value(labels["enclosures"], ("；" if wide(text.language) else "; ").join(text.enclosures),
                                  text.language)], space_before=12, size=9)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    def _skeleton(self, language: str, labels: Mapping[str, str], *, draft: bool) -> bytes:
        """The parts every letter in one language shares: trimmed styles, letterhead, header, footer."""
        doc = docx.Document()
        _trim_package(doc)
        firm = self.settings.firm
        normal = doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(11)
        _east_asian(normal.element.get_or_add_rPr(), language)
        normal.paragraph_format.space_after = Pt(6)
        section = doc.sections[0]
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = Cm(2.0)
        section.bottom_margin = Cm(2.0)
        section.different_first_page_header_footer = False
        # Letterhead: logo, firm name, address, contact line.
        if self._logo is not None:
            p = doc.add_paragraph()
            p.add_run().add_picture(io.BytesIO(self._logo), height=Cm(1.6))
        name = doc.add_paragraph()
        run = name.add_run(firm.name)
        run.bold = True
        run.font.size = Pt(16)
        name.paragraph_format.space_after = Pt(0)
        contact = " · ".join(x for x in (firm.phone, firm.email, firm.website) if x)
        lines = [*firm.address, *([contact] if contact else [])]
        if lines:
            p = doc.add_paragraph()
            for i, line in enumerate(lines):
                r = p.add_run(line)
                r.font.size = Pt(9)
                if i < len(lines) - 1:
                    r.add_break()
            _bottom_border(p._p)
        # Header: the DRAFT marker on every page (one section, no first-page or even-page variant).
        header = section.header
        header.is_linked_to_previous = False
        hp = header.paragraphs[0]
        hp.alignment = 1  # centre
        if draft:
            r = hp.add_run(labels["draft_marker"])
            r.bold = True
            r.font.size = Pt(12)
            r.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        # Footer: firm name and "Page X of Y" as PAGE / NUMPAGES fields.
        footer = section.footer
        footer.is_linked_to_previous = False
        fp = footer.paragraphs[0]
        fp.alignment = 1
        _page_fields(fp._p, labels["page_format"])
        core = doc.core_properties
        core.author = firm.name
        core.last_modified_by = firm.name
        core.title = ""
        core.comments = ""
        core.keywords = ""
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()




# ---------------------------------------------------------------- helpers: docx
def _trim_package(doc: DocxDocument) -> None:
    """Drop what python-docx's default template carries but a letter never uses (≈800 KB per save)."""
    styles = doc.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for s in styles.findall(qn("w:style")):
        if s.get(qn("w:styleId")) not in _KEEP_STYLES:
            styles.remove(s)
    part = doc.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "customXml"):
            del part.rels[rid]
    pkg = part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] == "thumbnail":
            del pkg.rels[rid]


def _bottom_border(p: Any) -> None:
    ppr = p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="4" '
                         'w:color="808080"/></w:pBdr>'))


def _page_fields(p: Any, page_format: str) -> None:
    """'Page {PAGE} of {NUMPAGES}' → text runs and PAGE / NUMPAGES simple fields."""
    for piece in re.split(r"(\{PAGE\}|\{NUMPAGES\})", page_format):
        if not piece:
            continue
        if piece in ("{PAGE}", "{NUMPAGES}"):
            instr = piece.strip("{}")
            fld = etree.SubElement(p, qn("w:fldSimple"))
            fld.set(qn("w:instr"), f" {instr} ")
            r = etree.SubElement(fld, qn("w:r"))
            _sub_text(r, "1")
        else:
            _sub_text(etree.SubElement(p, qn("w:r")), piece)


def _east_asian(rpr: Any, language: str) -> None:
    """rFonts eastAsia + lang eastAsia on a run-properties element, for the letter's language (zh-CN by default:
    a Chinese name in an English letter still gets a Simplified Chinese face)."""
    base = language.split("_")[0]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = etree.SubElement(rpr, qn("w:rFonts"))
    fonts.set(qn("w:eastAsia"), _EAST_ASIAN_FONT.get(base, _EAST_ASIAN_FONT["zh"]))
    if base in _EAST_ASIAN_LANG:
        fonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = etree.SubElement(rpr, qn("w:lang"))
    lang.set(qn("w:val"), language.replace("_", "-") or "en-US")
    lang.set(qn("w:eastAsia"), _EAST_ASIAN_LANG.get(base, _EAST_ASIAN_LANG["zh"]))


def _sub_text(r: Any, text: str) -> None:
    t = etree.SubElement(r, qn("w:t"))
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


class _Appender:
    """Appends paragraphs and the invoice table to the body with plain lxml (text is escaped by lxml)."""

    _NUMERIC = (3, 4, 5, 6)
    _DATES = (1, 2)  # never wrapped: a date broken over two lines misreads in the 8-pt table
    _WIDTHS_CM = (2.5, 2.3, 2.3, 1.3, 2.1, 1.8, 2.1, 1.6)  # 16 cm: fits Letter and A4 with 2.5 cm margins

    def __init__(self, body: Any, sect: Any) -> None:
        self.body = body
        self.sect = sect

    def _p(self) -> Any:
        p = etree.Element(qn("w:p"))
        self.sect.addprevious(p)
        return p

    def para(self, lines: Sequence[str], *, bold: bool = False, align: str = "", space_before: int = 0,
             size: int = 0, keep_next: bool = False) -> None:
        p = self._p()
        if align or space_before or keep_next:
            ppr = etree.SubElement(p, qn("w:pPr"))
            if keep_next:
                etree.SubElement(ppr, qn("w:keepNext"))
            if space_before:
                etree.SubElement(ppr, qn("w:spacing")).set(qn("w:before"), str(space_before * 20))
            if align:
                etree.SubElement(ppr, qn("w:jc")).set(qn("w:val"), align)
        r = etree.SubElement(p, qn("w:r"))
        if bold or size:
            rpr = etree.SubElement(r, qn("w:rPr"))
            if bold:
                etree.SubElement(rpr, qn("w:b"))
            if size:
                etree.SubElement(rpr, qn("w:sz")).set(qn("w:val"), str(size * 2))
        for i, line in enumerate(lines):
            if i:
                etree.SubElement(r, qn("w:br"))
            _sub_text(r, line)

    def text_block(self, text: str, heading_space: int = 0, keep_with_next: bool = False) -> None:
        """Plain text → paragraphs at blank lines, line breaks within; '# ' starts a bold heading."""
        blocks = text.split("\n\n")
        for i, block in enumerate(blocks):
            lines = block.split("\n")
            while lines and lines[0].startswith("# "):
                self.para([lines.pop(0)[2:]], bold=True, space_before=heading_space, keep_next=True)
            if lines:
                self.para(lines, keep_next=keep_with_next and i == len(blocks) - 1)

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        tbl = parse_xml(
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
            'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid/></w:tbl>')
        grid = tbl.find(qn("w:tblGrid"))
        twips = [int(w / 2.54 * 1440) for w in self._WIDTHS_CM]
        for w in twips:
            etree.SubElement(grid, qn("w:gridCol")).set(qn("w:w"), str(w))
        header = self._row(twips, headers, bold=True)
        trpr = etree.Element(qn("w:trPr"))
        etree.SubElement(trpr, qn("w:tblHeader"))
        header.insert(0, trpr)
        tbl.append(header)
        proto = self._row(twips, [""] * len(headers), bold=False)
        for values in rows:
            tr = copy.deepcopy(proto)
            for t, value in zip(tr.iter(f"{_W}t"), values, strict=True):
                t.text = value
            tbl.append(tr)
        self.sect.addprevious(tbl)

    def _row(self, twips: Sequence[int], values: Sequence[str], *, bold: bool) -> Any:
        tr = etree.Element(qn("w:tr"))
        for i, (w, value) in enumerate(zip(twips, values, strict=True)):
            tc = etree.SubElement(tr, qn("w:tc"))
            tcpr = etree.SubElement(tc, qn("w:tcPr"))
            tcw = etree.SubElement(tcpr, qn("w:tcW"))
            tcw.set(qn("w:w"), str(w))
            tcw.set(qn("w:type"), "dxa")
            if i in self._DATES:
                etree.SubElement(tcpr, qn("w:noWrap"))
            p = etree.SubElement(tc, qn("w:p"))
            ppr = etree.SubElement(p, qn("w:pPr"))
            etree.SubElement(ppr, qn("w:spacing")).set(qn("w:after"), "0")
            if i in self._NUMERIC:
                etree.SubElement(ppr, qn("w:jc")).set(qn("w:val"), "right")
            r = etree.SubElement(p, qn("w:r"))
            rpr = etree.SubElement(r, qn("w:rPr"))
            if bold:
                etree.SubElement(rpr, qn("w:b"))
            etree.SubElement(rpr, qn("w:sz")).set(qn("w:val"), "16")
            _sub_text(r, value)
        return tr


# ---------------------------------------------------------------- reading letters back
def open_docx(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def document_text(doc: DocxDocument, *, headers: bool = True) -> str:
    """Every word of a document: body paragraphs, tables, and (optionally) headers and footers."""
    chunks: list[str] = [_paragraph_texts(doc.element.body)]
    if headers:
        for section in doc.sections:
            for hf in _headers_footers(section):
                if not hf.is_linked_to_previous:
                    chunks.append(_paragraph_texts(hf._element))
    return "\n".join(chunks)


def _paragraph_texts(root: Any) -> str:
    """One line per paragraph (table cells included), line breaks kept, so phrases never run together."""
    lines = []
    for p in root.iter(f"{_W}p"):
        lines.append("".join(("\n" if el.tag == f"{_W}br" else "\t" if el.tag == f"{_W}tab" else el.text or "")
                             for el in p.iter(f"{_W}t", f"{_W}br", f"{_W}tab")))
    return "\n".join(lines)


def _headers_footers(section: Any) -> list[Any]:
    return [section.header, section.first_page_header, section.even_page_header,
            section.footer, section.first_page_footer, section.even_page_footer]


def header_texts(doc: DocxDocument) -> list[str]:
    """The text each page would show in its header: every section's default, first-page and even-page header."""
    out: list[str] = []
    for section in doc.sections:
        kinds = [section.header]
        if section.different_first_page_header_footer:
            kinds.append(section.first_page_header)
        if doc.settings.odd_and_even_pages_header_footer:
            kinds.append(section.even_page_header)
        out.extend("\n".join(p.text for p in h.paragraphs) for h in kinds)
    return out


def strip_draft_marker(data: bytes) -> bytes:
    """The final copy: the same text with the DRAFT marker removed from every header (and nothing else)."""
    doc = open_docx(data)
    for section in doc.sections:
        for hf in (section.header, section.first_page_header, section.even_page_header):
            if hf.is_linked_to_previous:
                continue
            for p in hf.paragraphs:
                if DRAFT_MARKER in p.text:
                    for child in list(p._p):
                        if child.tag != qn("w:pPr"):
                            p._p.remove(child)
    if DRAFT_MARKER in document_text(doc):
        raise PolicyError(f"the letter still shows {DRAFT_MARKER!r} outside its header; remove it from the text "
                          "and approve the edited file.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def inspect_docx(data: bytes, max_bytes: int, what: str = "the edited letter", *, draft_text: str | None = None,
                 client_data: Iterable[str] = (), check_wording: bool = True) -> str:
    """Check that bytes are a sane, macro-free .docx without forbidden wording; returns its text.

    Wording is the firm's only: with `draft_text` (the checked draft) only the lines staff added or changed are
    read, and `client_data` (the client's name, address…) is masked in them. `check_wording=False` leaves the
    wording to a later step that knows the draft."""
    if len(data) > max_bytes:
        raise PolicyError(f"{what} is {len(data) // 1024} KB, over the {max_bytes // 1024} KB limit "
                          "(letters.max_edited_mb).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            unpacked = sum(i.file_size for i in zf.infolist())
            content_types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise PolicyError(f"{what} is not a Word .docx file ({exc}). Save it as 'Word Document (.docx)'.") from exc
    if "word/document.xml" not in names:
        raise PolicyError(f"{what} is not a Word .docx file (no word/document.xml).")
    if unpacked > 20 * max_bytes:
        raise PolicyError(f"{what} unpacks to {unpacked // 1_048_576} MB; refusing a file that large.")
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise PolicyError(f"{what} contains macros; save it as a plain .docx (not .docm).")
    try:
        doc = open_docx(data)
    except Exception as exc:  # python-docx raises several kinds for a broken package
        raise PolicyError(f"{what} cannot be opened as a Word document: {exc}.") from exc
    text = document_text(doc)
    if check_wording:
        own = text if draft_text is None else phrases.staff_lines(text, draft_text)
        refuse_forbidden(own, what, client_data)
    return text



# ---------------------------------------------------------------- samples
def sample_letters(settings: Settings, out_dir: Path, *, today: date | None = None) -> list[Path]:
    """One sample letter (DRAFT, made-up client) per shipped language; the demo command calls this."""
    builder = LetterBuilder(settings)
    secure_dir(out_dir, tighten=False)
    paths: list[Path] = []
    for lang in SHIPPED_LANGUAGES:
        req = sample_request(settings, lang, today=today)
        path = out_dir / f"sample-letter-{lang}.docx"
        write_private(path, builder.build(req, draft=True))
        paths.append(path)
    return paths


def build_letter(settings: Settings, req: LetterRequest, *, draft: bool = True) -> bytes:
    """One-off convenience; reuse a `LetterBuilder` for many letters."""
    return LetterBuilder(settings).build(req, draft=draft)


__all__ = [
    "DOCX_MIME", "DRAFT_MARKER", "FORBIDDEN_PHRASES", "SHIPPED_LANGUAGES", "LetterBuilder", "LetterRequest",
    "LetterText", "SentReminder", "build_letter", "check_letter_templates", "check_letter_text", "document_text",
    "header_texts", "inspect_docx", "matter_refs", "open_docx", "sample_letters", "sample_request",
    "strip_draft_marker",
]
