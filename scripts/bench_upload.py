"""Benchmark: the review page's upload check on the worst .docx it still accepts (issue 14: under 2 s, 200 MB).

The file is as large as every limit allows at the default letters.max_edited_mb (20): word/document.xml is
the largest XML part allowed (4 MB), holding every element the package may still have (200,000 in all) as
paragraphs of text, with one chain nested to the deepest allowed; word/styles.xml fills the rest of the XML
allowance (8 MB in all) with text; both are stored uncompressed so no compression ratio refuses them; an
image fills the upload to 20 MB. `check_upload` runs on it as the page runs it: the zip directory, the
hardened streaming XML parse of every part, then python-docx opening the package and the forbidden-phrase
check over its text. Each measure runs in a fresh process so the peak is the check's own
(the whole process, interpreter and imports included):

  upload.worst seconds     wall time of one check (median of `k` runs)
  upload.worst cpu seconds its CPU time (median): the same on an idle machine, unlike the wall time on a busy one
  upload.worst peak MB     the process's peak resident memory (max over the runs)
  upload.bomb seconds      refusing a compression bomb (a 100 MB part packed into ~100 KB)
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from overdue_reminder.web.upload_guard import DocxLimits  # noqa: E402

MAX_MB = 20  # letters.max_edited_mb's default
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _xml(root: str, body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{root} {W}>{body}</w:{root}>'.encode()


def maximal_docx(limits: DocxLimits) -> bytes:
    """The worst upload `limits` still accept (see the module docstring)."""
    import docx
    from lxml import etree  # type: ignore[import-untyped]

    buf = io.BytesIO()
    docx.Document().save(buf)
    with zipfile.ZipFile(buf) as src:
        others = {i.filename: src.read(i.filename) for i in src.infolist()
                  if i.filename not in ("word/document.xml", "word/styles.xml")}
    xml_parts = [v for k, v in others.items() if k.endswith((".xml", ".rels"))]
    other_elements = sum(sum(1 for _ in etree.fromstring(v).iter()) for v in xml_parts)
    depth = limits.max_depth - 2  # the root and the body count too
    chain = "<w:sdt>" * depth + "</w:sdt>" * depth
    # document.xml: the largest part, every element the package has left, as paragraphs of one run of text
    paragraphs = (limits.max_elements - other_elements - depth - 2 - 2) // 4
    room = limits.max_xml_member - 400 - len(chain)
    text = "x" * (room // paragraphs - len("<w:p><w:r><w:t></w:t></w:r></w:p>"))
    para = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
    document = _xml("document", f"<w:body>{chain}{para * paragraphs}</w:body>")
    # styles.xml: the rest of the XML allowance, as one long text (python-docx parses this part too)
    rest = limits.max_xml_total - len(document) - sum(len(v) for v in xml_parts) - 400
    styles = _xml("styles", f"<w:x>{'y' * rest}</w:x>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        dst.writestr("word/document.xml", document, zipfile.ZIP_STORED)  # stored: no ratio to refuse
        dst.writestr("word/styles.xml", styles, zipfile.ZIP_STORED)
        for name, blob in others.items():
            dst.writestr(name, blob, zipfile.ZIP_DEFLATED)
        used = len(out.getvalue())
        dst.writestr("word/media/image1.png", os.urandom(limits.max_bytes - used - 4096), zipfile.ZIP_STORED)
    data = out.getvalue()
    assert len(data) <= limits.max_bytes, len(data)
    return data


def bomb_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", f"<w:document {W}><w:body>" + "<w:p/>" * 17_000_000 + "</w:body></w:document>")
    return out.getvalue()


CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from overdue_reminder.web.security import check_upload
from overdue_reminder.web.upload_guard import UploadError
data = Path(sys.argv[2]).read_bytes()
t0, c0 = time.perf_counter(), time.process_time()
try:
    check_upload("letter.docx", data, int(sys.argv[3]))
    outcome = "accepted"
except UploadError as exc:
    outcome = type(exc).__name__ + ": " + str(exc)[:120]
took, cpu = time.perf_counter() - t0, time.process_time() - c0
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so it would report the parent's size
peak_kb = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
print(json.dumps({"seconds": took, "cpu_seconds": cpu, "peak_mb": peak_kb / 1024, "outcome": outcome}))
"""


def measure(data: bytes, max_bytes: int) -> dict[str, Any]:
    """One check in a fresh interpreter: seconds, peak resident MB and whether it was accepted."""
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        path = Path(tmp) / "letter.docx"
        path.write_bytes(data)
        res = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(path), str(max_bytes)],
                             capture_output=True, text=True, check=True, timeout=300)
    result: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def run(scale: float) -> list[dict[str, Any]]:
    limits = DocxLimits(MAX_MB * 1_048_576)
    data = maximal_docx(limits)
    k = max(1, min(5, round(5 * scale)))
    runs = [measure(data, limits.max_bytes) for _ in range(k)]
    outcomes = {r["outcome"] for r in runs}
    assert outcomes == {"accepted"}, outcomes  # the worst case the check lets through, not one it refuses
    note = (f"{len(data) / 1_048_576:.1f} MB upload, {limits.max_xml_total // 1_048_576} MB XML in "
            f"{limits.max_elements:,} elements, depth {limits.max_depth}; {k} runs")
    bomb = bomb_docx()
    refused = measure(bomb, limits.max_bytes)
    return [
        {"name": "upload.worst seconds", "value": statistics.median(r["seconds"] for r in runs), "unit": "s",
         "note": note},
        {"name": "upload.worst cpu seconds", "value": statistics.median(r["cpu_seconds"] for r in runs),
         "unit": "s", "note": "the checking process's own CPU time: what a busy machine does not inflate"},
        {"name": "upload.worst peak MB", "value": max(r["peak_mb"] for r in runs), "unit": "MB",
         "note": "whole process (interpreter and imports included); limit 200"},
        {"name": "upload.bomb seconds", "value": refused["seconds"], "unit": "s",
         "note": f"{len(bomb) // 1024} KB unpacking to 100 MB: {refused['outcome'][:60]}"},
    ]
