"""The .docx upload guard: an uploaded letter is checked as a zip and as XML before python-docx touches it.

A .docx is a zip of XML parts, so a small upload can unpack to gigabytes (a compression bomb) or carry a
DOCTYPE whose entities python-docx keeps but cannot write back out. This module refuses both cheaply: the zip's
directory first (member count, declared sizes, each member's compression ratio), then every XML part streamed
through lxml with entities, DTDs and the network off, its nesting depth and elements counted (the element
count is what bounds memory, here and when python-docx opens the file afterwards). All of it runs within a
time budget. Pure: bytes in, an exception out (`UploadTooLarge` answers 413, any other `UploadError` 400).
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]

from overdue_reminder.errors import PolicyError

ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 64 * 1024
XML_SUFFIXES = (".xml", ".rels")
FORBIDDEN_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


class UploadError(PolicyError):
    """An uploaded letter that is not a sane .docx; the message says what to do instead (HTTP 400)."""


class UploadTooLarge(UploadError):
    """An upload that is, or unpacks to, more than the page accepts (HTTP 413)."""


@dataclass(frozen=True, slots=True)
class DocxLimits:
    """What an edited letter may be. A real letter is a few dozen parts, its XML well under 1 MB in a few
    thousand elements, nested about 15 deep, each part compressed 3 to 30 times (an empty 3,000-row table
    reaches 130); the limits leave wide room above that and keep the check under 2 s and 200 MB
    (scripts/bench_upload.py)."""

    max_bytes: int  # the upload itself (letters.max_edited_mb)
    max_members: int = 300
    max_ratio: int = 200  # unpacked / compressed, for a member bigger than ratio_floor
    ratio_floor: int = 1_048_576
    max_xml_member: int = 4 * 1_048_576
    max_xml_total: int = 8 * 1_048_576
    max_elements: int = 200_000  # over all parts; python-docx holds them all in memory at once
    max_depth: int = 100
    time_budget_seconds: float = 5.0

    @property
    def max_unpacked(self) -> int:
        """Media barely compress, so the whole package unpacks to about the upload plus its XML."""
        return 2 * self.max_bytes + self.max_xml_total


def check_docx_package(data: bytes, limits: DocxLimits, name: str = "the edited letter") -> None:
    """Raise UploadTooLarge or UploadError unless `data` is a zip whose parts stay within `limits` and whose
    XML parts are well-formed, DTD-free and shallow enough."""
    deadline = time.monotonic() + limits.time_budget_seconds
    if len(data) > limits.max_bytes:
        raise UploadTooLarge(f"{name} is {len(data) // 1024} KB, over the {limits.max_bytes // 1024} KB limit "
                             "(letters.max_edited_mb).")
    if not data.startswith(ZIP_MAGIC):
        raise UploadError(f"{name} is not a Word .docx file; save it as 'Word Document (.docx)'.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            _check_directory(infos, limits, name)
            elements = 0
            for info in infos:
                if info.filename.lower().endswith(XML_SUFFIXES):
                    elements = _check_xml(zf, info, limits, name, deadline, elements)
    except UploadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
            RuntimeError) as exc:  # what zipfile raises for a damaged, encrypted or oddly packed archive
        raise UploadError(f"{name} is not a readable Word .docx file ({exc}).") from exc


def _check_directory(infos: list[zipfile.ZipInfo], limits: DocxLimits, name: str) -> None:
    """Everything the zip's central directory tells without unpacking a byte."""
    if len(infos) > limits.max_members:
        raise UploadTooLarge(f"{name} has {len(infos)} parts; a letter has a few dozen (at most "
                             f"{limits.max_members}).")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise UploadError(f"{name} lists a part twice; save it again from Word.")
    if "word/document.xml" not in names:
        raise UploadError(f"{name} is not a Word .docx file (no word/document.xml).")
    total = xml_total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UploadError(f"{name} is encrypted; save it without a password.")
        total += info.file_size
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UploadTooLarge(f"{name}: the part {info.filename} unpacks to {info.file_size // 1_048_576} MB "
                                 f"from {max(info.compress_size, 1) // 1024} KB (more than {limits.max_ratio} "
                                 "times); refusing a compression bomb.")
        if info.filename.lower().endswith(XML_SUFFIXES):
            xml_total += info.file_size
            if info.file_size > limits.max_xml_member:
                raise UploadTooLarge(f"{name}: the part {info.filename} holds {info.file_size // 1_048_576} MB of "
                                     f"XML (at most {limits.max_xml_member // 1_048_576} MB).")
    if xml_total > limits.max_xml_total:
        raise UploadTooLarge(f"{name} holds {xml_total // 1_048_576} MB of XML (at most "
                             f"{limits.max_xml_total // 1_048_576} MB).")
    if total > limits.max_unpacked:
        raise UploadTooLarge(f"{name} unpacks to {total // 1_048_576} MB (at most "
                             f"{limits.max_unpacked // 1_048_576} MB).")


def _hardened_parser() -> etree.XMLPullParser:
    """No entity expansion, no DTD loading, no network, libxml2's own size limits kept (huge_tree off)."""
    return etree.XMLPullParser(events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=False,
                               load_dtd=False, dtd_validation=False, remove_pis=True)


def _check_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: DocxLimits, name: str, deadline: float,
               elements: int) -> int:
    """Stream one XML part through the hardened parser: refuse declarations, excess depth, elements, size or
    time. `elements` counts the package's elements so far; returns the new count. The count bounds the
    memory the part's tree takes, here and in python-docx afterwards."""
    part = f"{name}: the part {info.filename}"
    parser = _hardened_parser()
    depth = seen = 0
    tail = b""
    max_depth, max_elements = limits.max_depth, limits.max_elements
    with zf.open(info) as stream:
        while chunk := stream.read(CHUNK):
            seen += len(chunk)
            if seen > limits.max_xml_member:  # zipfile stops at the declared size; this is belt and braces
                raise UploadTooLarge(f"{part} unpacks past its declared size.")
            window = tail + chunk
            if any(d in window for d in FORBIDDEN_DECLARATIONS):
                raise UploadError(f"{part} declares a DOCTYPE or ENTITY, which Word never writes; save the letter "
                                  "again as 'Word Document (.docx)'.")
            tail = chunk[-16:]
            try:
                parser.feed(chunk)
                for event, _el in parser.read_events():
                    if event == "start":
                        depth += 1
                        elements += 1
                        if depth > max_depth:
                            raise UploadError(f"{part} nests elements more than {max_depth} deep.")
                    else:
                        depth -= 1
            except etree.XMLSyntaxError as exc:
                raise UploadError(f"{part} is not well-formed XML ({exc}).") from exc
            if elements > max_elements:
                raise UploadTooLarge(f"{name} holds more than {max_elements:,} XML elements; a letter holds a few "
                                     "thousand.")
            if time.monotonic() > deadline:
                raise UploadTooLarge(f"{name} took more than {limits.time_budget_seconds:g} s to check; "
                                     "refusing it.")
    try:
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise UploadError(f"{part} is not well-formed XML ({exc}).") from exc
    doc = root.getroottree().docinfo
    if doc.doctype or doc.internalDTD is not None or doc.externalDTD is not None:  # one not in UTF-8, say
        raise UploadError(f"{part} declares a DOCTYPE, which Word never writes.")
    return elements


__all__ = ["DocxLimits", "UploadError", "UploadTooLarge", "check_docx_package"]
