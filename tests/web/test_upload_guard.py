"""The .docx upload guard on its own: real letters pass; bombs, DTDs, deep or huge XML and odd zips are refused
with UploadTooLarge (413) or UploadError (400), quickly."""

from __future__ import annotations

import io
import random
import time
import zipfile
from pathlib import Path

import pytest
from web_factory import Firm, docx_bytes

from overdue_reminder.web.upload_guard import DocxLimits, UploadError, UploadTooLarge, check_docx_package

MB = 1_048_576
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def repack(base: bytes, replace: dict[str, bytes], *, stored: bool = False, extra: dict[str, bytes] | None = None,
           level: int = 6) -> bytes:
    """`base` (a real .docx) with some parts replaced or added."""
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", method, compresslevel=level) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def document(body: str, prolog: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<w:document {W}><w:body>{body}' \
           f"</w:body></w:document>".encode()


@pytest.fixture(scope="module")
def letter() -> bytes:
    return docx_bytes("Dear client,\nYour invoices INV/2025/5001 and INV/2025/5002 are overdue.")


def test_a_real_letter_and_the_queued_drafts_pass(letter: bytes, firm: Firm) -> None:
    check_docx_package(letter, DocxLimits(MB))
    for lt in (firm.letter_a, firm.letter_b):
        check_docx_package(Path(lt.path).read_bytes(), DocxLimits(MB))


def test_a_compression_bomb_is_refused_from_the_directory_alone(letter: bytes) -> None:
    bomb = repack(letter, {"word/document.xml": document("<w:p/>" * 5_000_000)}, level=9)  # 30 MB in ~30 KB
    assert len(bomb) < 100_000
    t0 = time.perf_counter()
    with pytest.raises(UploadTooLarge, match="compression bomb"):
        check_docx_package(bomb, DocxLimits(MB))
    assert time.perf_counter() - t0 < 0.5


def test_xml_beyond_the_part_and_total_limits_is_too_large(letter: bytes) -> None:
    rng = random.Random(14)
    words = ["invoice", "overdue", "client", "matter", "payment", "balance", "retainer", "statement"]
    text = " ".join(rng.choice(words) for _ in range(120_000))  # ~1 MB, compresses about 5 times: no bomb
    big = document(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
    with pytest.raises(UploadTooLarge, match="MB of XML"):
        check_docx_package(repack(letter, {"word/document.xml": big}), DocxLimits(MB, max_xml_member=MB // 2))
    two = repack(letter, {"word/document.xml": big}, extra={"word/header9.xml": big})
    with pytest.raises(UploadTooLarge, match="MB of XML"):
        check_docx_package(two, DocxLimits(MB, max_xml_total=2 * MB))
    check_docx_package(two, DocxLimits(MB, max_xml_total=3 * MB))  # the same file within the limits passes


def test_too_many_elements_or_parts_is_too_large(letter: bytes) -> None:
    many = repack(letter, {"word/document.xml": document("<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 30_000)})
    with pytest.raises(UploadTooLarge, match="more than 100,000 XML elements"):
        check_docx_package(many, DocxLimits(MB, max_elements=100_000))
    check_docx_package(many, DocxLimits(MB, max_elements=130_000))
    parts = repack(letter, {}, extra={f"customXml/item{i}.bin": b"x" for i in range(400)})
    with pytest.raises(UploadTooLarge, match="parts"):
        check_docx_package(parts, DocxLimits(MB))


@pytest.mark.parametrize(("prolog", "encoding"), [
    ('<!DOCTYPE w:document [<!ENTITY e "expanded">]>', "utf-8"),
    ("<!DOCTYPE w:document SYSTEM \"http://127.0.0.1:9/evil.dtd\">", "utf-8"),
    ('<!DOCTYPE w:document [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>', "utf-8"),
    ('<!DOCTYPE w:document [<!ENTITY e "expanded">]>', "utf-16"),  # no byte pattern to find: the parser's word
], ids=["entity", "external-dtd", "laughs", "utf-16"])
def test_doctype_and_entity_declarations_are_refused(letter: bytes, prolog: str, encoding: str) -> None:
    body = "<w:p><w:r><w:t>Hello &e;</w:t></w:r></w:p>" if "ENTITY e" in prolog else "<w:p/>"
    xml = document(body, prolog).decode()
    if encoding == "utf-16":
        xml = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    bad = repack(letter, {"word/document.xml": xml.encode(encoding)})
    with pytest.raises(UploadError, match="DOCTYPE") as err:
        check_docx_package(bad, DocxLimits(MB))
    assert not isinstance(err.value, UploadTooLarge)


def test_deep_nesting_and_broken_xml_are_bad_requests(letter: bytes) -> None:
    deep = repack(letter, {"word/document.xml": document("<w:sdt>" * 150 + "</w:sdt>" * 150)})
    with pytest.raises(UploadError, match="more than 100 deep"):
        check_docx_package(deep, DocxLimits(MB))
    check_docx_package(deep, DocxLimits(MB, max_depth=160))
    broken = repack(letter, {"word/document.xml": document("<w:p>")})
    with pytest.raises(UploadError, match="not well-formed"):
        check_docx_package(broken, DocxLimits(MB))
    undefined = repack(letter, {"word/document.xml": document("<w:p><w:r><w:t>&e;</w:t></w:r></w:p>")})
    with pytest.raises(UploadError, match="not well-formed"):
        check_docx_package(undefined, DocxLimits(MB))


def test_odd_zips_are_bad_requests(letter: bytes) -> None:
    twice = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(letter)) as src, zipfile.ZipFile(twice, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with pytest.warns(UserWarning, match="Duplicate name"):
            dst.writestr("word/document.xml", document("<w:p/>"))
    with pytest.raises(UploadError, match="lists a part twice"):
        check_docx_package(twice.getvalue(), DocxLimits(MB))
    encrypted = bytearray(letter)
    encrypted[6] |= 0x1  # the first local header's flag; the central directory's follows
    cd = letter.rfind(b"PK\x01\x02")
    first_cd = letter.find(b"PK\x01\x02")
    assert cd >= first_cd > 0
    encrypted[first_cd + 8] |= 0x1
    with pytest.raises(UploadError, match="encrypted"):
        check_docx_package(bytes(encrypted), DocxLimits(MB))
    truncated = letter[: len(letter) // 2]
    with pytest.raises(UploadError, match="not a readable Word .docx"):
        check_docx_package(truncated, DocxLimits(MB))
    with pytest.raises(UploadTooLarge, match="over the 1 KB limit"):
        check_docx_package(letter, DocxLimits(1024))


def test_the_time_budget_refuses_a_slow_check(letter: bytes) -> None:
    many = repack(letter, {"word/document.xml": document("<w:p/>" * 50_000)})
    check_docx_package(many, DocxLimits(MB))
    with pytest.raises(UploadTooLarge, match="to check"):
        check_docx_package(many, DocxLimits(MB, time_budget_seconds=-1.0))
