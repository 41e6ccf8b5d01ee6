"""Each jurisdiction's notice as the law wants it: the official forms attached as the firm's own files (the
enclosure list comes from what is attached, in both languages), release blocked when an enclosure is gone or
changed, the NJ committee secretary's details, and a configuration laxer than the law refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from actors import attorney, staff
from letter_factory import ATTORNEY, NOW, TODAY, line, make_action, make_settings, seed_invoices

from overdue_reminder.cli.setup_cmds import law_and_forms
from overdue_reminder.config import Settings
from overdue_reminder.core.jurisdictions import law_problems
from overdue_reminder.core.letter_docx import document_text, open_docx
from overdue_reminder.errors import ConfigError, PolicyError
from overdue_reminder.files import sha256_file
from overdue_reminder.services.letter_enclosures import config_problems, sample_forms
from overdue_reminder.services.letters import approve_letter, create_letter, get_letter, release_letter
from overdue_reminder.store import Store

LINES = (line(5001, "INV/2025/0101", "3600.00", total="4800.00", matter="M-2025-001"),)
NJ_SECRETARY = """
[letters.jurisdictions.NJ]
secretary_name = "Jordan Lee, Esq."
secretary_address = ["12 Court Street", "Morristown, NJ 07960"]
secretary_phone = "+1 973 555 0142"
"""


def _letter(store: Store, settings: Settings, language: str = "en_US") -> Any:
    action = make_action(LINES, language=language)
    seed_invoices(store, action)
    return create_letter(store, settings, action, today=TODAY, now=NOW).letter


def _words(letter: Any) -> str:
    return document_text(open_docx(Path(letter.path).read_bytes()))


def test_the_forms_are_attached_and_listed_as_attached(seeded_sqlite: Store, settings: Settings) -> None:
    lt = _letter(seeded_sqlite, settings)
    assert lt.notice_kind == "ny_part137"
    assert [e["form"].split(" (")[0] for e in lt.enclosures] == ["UCS 137-1", "UCS 137-2"]
    for e in lt.enclosures:
        assert e["sha256"] == sha256_file(Path(e["path"]))
    assert "Enclosures: UCS 137-1 (Notice of Client's Right to Arbitrate); UCS 137-2" in _words(lt)


def test_zh_enclosure_list_names_the_attached_forms(seeded_sqlite: Store, settings: Settings) -> None:
    text = _words(_letter(seeded_sqlite, settings, "zh_CN"))
    assert "附件：《客户仲裁权利通知》（UCS 137-1）；《客户仲裁申请书》（UCS 137-2）" in text


def test_a_listed_form_without_its_file_refuses_the_letter(seeded_sqlite: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, forms=False)
    with pytest.raises(ConfigError, match=r"letters\.jurisdictions\.NY\.form_files.*UCS 137-1"):
        _letter(seeded_sqlite, s)
    problems = config_problems(s)
    assert [p.key for p in problems] == ["letters.jurisdictions.NY.form_files"] * 2
    with pytest.raises(ConfigError, match="no file is configured"):
        law_and_forms(s)


def test_a_configured_file_that_is_missing_fails_config_check(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    (tmp_path / "forms" / "SAMPLE-UCS-137-2.txt").unlink()
    with pytest.raises(ConfigError, match="SAMPLE-UCS-137-2.txt .* does not exist"):
        law_and_forms(s)
    assert sorted(k for k, _ in sample_forms(s)) == ["letters.jurisdictions.CA.form_files.State Bar of California",
                                                     "letters.jurisdictions.NY.form_files.UCS 137-1"]


@pytest.mark.parametrize("change", ["remove", "edit"])
def test_release_is_blocked_when_an_enclosure_is_gone_or_changed(seeded_sqlite: Store, settings: Settings,
                                                                 change: str) -> None:
    lt = _letter(seeded_sqlite, settings)
    approve_letter(seeded_sqlite, settings, lt.id, attorney(seeded_sqlite, ATTORNEY.email), now=NOW)
    form = Path(lt.enclosures[1]["path"])
    if change == "remove":
        form.unlink()
    else:
        form.write_text("a different form\n", encoding="utf-8")
    words = "is missing" if change == "remove" else "changed since the letter was drafted"
    with pytest.raises(PolicyError, match=rf"UCS 137-2.*{words}.*\(rule: Enclosures as approved\)"):
        release_letter(seeded_sqlite, settings, lt.id, staff("clerk"), today=TODAY, now=NOW)
    assert get_letter(seeded_sqlite, lt.id).status == "approved"


def test_nj_needs_the_committee_secretary(seeded_sqlite: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, jurisdiction="NJ")
    assert {p.key for p in law_problems(s)} == {"letters.jurisdictions.NJ.secretary_name",
                                                "letters.jurisdictions.NJ.secretary_address",
                                                "letters.jurisdictions.NJ.secretary_phone"}
    with pytest.raises(ConfigError, match="secretary"):
        _letter(seeded_sqlite, s)


@pytest.mark.parametrize(("language", "expected"), [
    ("en_US", "Jordan Lee, Esq., 12 Court Street, Morristown, NJ 07960, telephone +1 973 555 0142"),
    ("zh_CN", "委员会秘书（Jordan Lee, Esq.；地址：12 Court Street，Morristown, NJ 07960；电话：+1 973 555 0142）"),
])
def test_nj_letter_carries_the_secretary_details(seeded_sqlite: Store, tmp_path: Path, language: str,
                                                 expected: str) -> None:
    s = make_settings(tmp_path, jurisdiction="NJ", extra=NJ_SECRETARY)
    assert law_problems(s) == []
    lt = _letter(seeded_sqlite, s, language)
    assert lt.notice_kind == "nj_pre_action" and lt.enclosures == ()
    assert expected in _words(lt)


def test_notice_required_false_is_refused_where_the_law_requires_it(seeded_sqlite: Store, tmp_path: Path) -> None:
    s = make_settings(tmp_path, extra="[letters.jurisdictions.NY]\nnotice_required = false")
    [p] = law_problems(s)
    assert p.key == "letters.jurisdictions.NY.notice_required" and "22 NYCRR" in p.problem
    with pytest.raises(ConfigError, match=r"letters\.jurisdictions\.NY\.notice_required"):
        _letter(seeded_sqlite, s)
    assert s.letters.jurisdiction("NY").forms  # type: ignore[union-attr]  # the table only changed that key
    texas = make_settings(tmp_path, extra='[letters.jurisdictions.TX]\nname = "Texas"\nnotice_required = false',
                          jurisdiction="TX")
    assert law_problems(texas) == []  # no shipped law says otherwise


def test_config_check_names_file_key_and_fix(tmp_path: Path) -> None:
    s = make_settings(tmp_path, extra="[letters.jurisdictions.NY]\nnotice_required = false")
    r = subprocess.run([sys.executable, "-m", "overdue_reminder", "--config", s.config_path, "config", "check",
                        "--offline"], capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False)
    assert r.returncode == 2, r.stderr
    assert s.config_path in r.stderr and "letters.jurisdictions.NY.notice_required" in r.stderr
    assert "remove notice_required" in r.stderr
