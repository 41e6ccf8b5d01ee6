"""A PDF copy of a letter's .docx, made by LibreOffice when it is installed (the review page offers it then)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from overdue_reminder.config import Settings
from overdue_reminder.files import write_private

log = logging.getLogger(__name__)


def convert_pdf(settings: Settings, docx_path: Path) -> Path | None:
    """A PDF beside the .docx when LibreOffice is on PATH (looked up now, not at import); None otherwise.

    soffice writes into a private temporary folder with its own profile (parallel runs do not share one), and
    the result is copied in with 0600 permissions.
    """
    if settings.letters.pdf == "never":
        return None
    exe = shutil.which("soffice")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as outdir:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", outdir, str(docx_path)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=settings.letters.pdf_timeout_seconds,
                                  check=False)
        except (subprocess.TimeoutExpired, OSError) as exc:
            log.warning("PDF conversion of %s failed: %s", docx_path.name, exc)
            return None
        produced = Path(outdir) / f"{docx_path.stem}.pdf"
        if proc.returncode != 0 or not produced.is_file():
            log.warning("PDF conversion of %s failed (exit %s): %s", docx_path.name, proc.returncode,
                        proc.stderr.decode("utf-8", "replace").strip()[:300])
            return None
        target = docx_path.with_suffix(".pdf")
        write_private(target, produced.read_bytes())
        return target
