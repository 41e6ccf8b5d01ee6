"""A letter's statement of account: written beside its .docx, owner-only, its sha256 in the letter's audit line;
in Chinese for a Chinese-speaking client."""

from __future__ import annotations

import hashlib
import io
import stat
from pathlib import Path

from letter_factory import NOW, TODAY, ZH_CLIENT, line, make_action, make_settings, seed_invoices
from pypdf import PdfReader

from overdue_reminder.config import Settings
from overdue_reminder.services.letters import create_letter
from overdue_reminder.store import Store, read_audit


def test_the_statement_lies_beside_the_letter_and_its_sha256_is_audited(seeded: Store, settings: Settings) -> None:
    lines = [line(501, "INV/2025/0501", "4000.00", total="5000.00"), line(502, "INV/2025/0502", "1750.50"),
             line(503, "INV/2025/0503", "300.00", currency="EUR")]
    action = make_action(lines)
    seed_invoices(seeded, action)
    letter = create_letter(seeded, settings, action, today=TODAY, now=NOW).letter
    docx = Path(letter.path)
    pdf = docx.with_name(docx.name.replace(".docx", ".statement.pdf"))
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    data = pdf.read_bytes()
    with seeded.begin() as conn:
        [created] = [e for e in read_audit(conn, "letter", letter.id) if e.action == "letter.created"]
    assert created.detail["statement"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert created.detail["statement"]["totals"] == {"EUR": "300.00", "USD": "5750.50"}
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    for number, amount in (("INV/2025/0501", "4,000.00"), ("INV/2025/0502", "1,750.50"), ("INV/2025/0503", "300.00")):
        assert number in text and amount in text
    assert "Total due (USD)" in text and "5,750.50" in text and "M-2025-001" in text


def test_a_chinese_client_gets_a_chinese_statement_and_the_switch_turns_it_off(seeded_sqlite: Store,
                                                                               tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    action = make_action([line(601, "INV/2025/0601", "88000.00", currency="CNY")], client=ZH_CLIENT,
                         language="zh_CN")
    seed_invoices(seeded_sqlite, action)
    docx = Path(create_letter(seeded_sqlite, s, action, today=TODAY, now=NOW).letter.path)
    data = docx.with_name(docx.name.replace(".docx", ".statement.pdf")).read_bytes()
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert "对账单" in text and "应付金额（CNY）：88,000.00" in text and ZH_CLIENT.name in text

    (tmp_path / "off").mkdir()
    off = make_settings(tmp_path / "off", extra="[statements]\nattach = false\n")
    other = make_action([line(602, "INV/2025/0602", "100.00", currency="CNY")], client=ZH_CLIENT, language="zh_CN",
                        tier="withdrawal_warning")
    seed_invoices(seeded_sqlite, other)
    letter = create_letter(seeded_sqlite, off, other, today=TODAY, now=NOW).letter
    assert not list(Path(letter.path).parent.glob(Path(letter.path).stem + ".statement.pdf"))
    with seeded_sqlite.begin() as conn:
        assert all("statement" not in e.detail for e in read_audit(conn, "letter", letter.id))
