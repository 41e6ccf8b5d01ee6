"""ONE jinja2 environment and loader for reminder emails, offer emails and letters (core/texts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import TemplateRuntimeError
from jinja2.exceptions import SecurityError

from overdue_reminder import config
from overdue_reminder.config import Settings
from overdue_reminder.core import texts
from overdue_reminder.core.letter_text import LetterRenderer
from overdue_reminder.core.reminder_text import Templates, templates_for
from overdue_reminder.resources import templates_root


def _settings(tmp_path: Path, extra: str = "") -> Settings:
    text = f'source = "files"\n[firm]\nname = "Firm"\ndefault_language = "en_US"\n{extra}\n'
    cfg = tmp_path / "overdue-reminder.toml"
    cfg.write_text(text, encoding="utf-8")
    return config.parse(text, str(cfg))


def test_one_environment_serves_every_family(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    env = texts.environment_for(s)
    assert env is texts.environment_for(s)
    assert templates_for(s).env is env.env
    assert LetterRenderer(s)._texts is env
    assert env.letters.loader is env.env.loader and env.letters.linked_to is env.env
    for family in texts.FAMILIES:
        assert {"en_US", "zh_CN"} <= set(env.languages(family))
    assert "en_US/friendly.txt.j2" in env.names("email") and "en_US/labels.txt" in env.names("letters")


def test_includes_resolve_within_their_family(tmp_path: Path) -> None:
    env = texts.environment(texts.TemplateFolders(templates_root()))
    email = env.env.get_template("email/en_US/friendly.txt.j2")  # extends "en_US/_layout.txt.j2"
    offer = env.env.get_template("offers/en_US/offer.txt.j2")  # includes "offers/en_US/_offer_section.txt.j2"
    assert email.name == "email/en_US/friendly.txt.j2" and offer.name == "offers/en_US/offer.txt.j2"
    assert env.env.join_path("en_US/_layout.txt.j2", "email/en_US/firm.txt.j2") == "email/en_US/_layout.txt.j2"
    assert env.env.join_path("offers/en_US/x.j2", "email/en_US/firm.txt.j2") == "offers/en_US/x.j2"


def test_firm_folders_come_first_per_family(tmp_path: Path) -> None:
    own = tmp_path / "own"
    (own / "offers" / "en_US").mkdir(parents=True)
    (own / "offers" / "en_US" / "offer.subject.j2").write_text("Our own offer\n", encoding="utf-8")
    letters = tmp_path / "own_letters" / "en_US"
    letters.mkdir(parents=True)
    (letters / "closing.txt.j2").write_text("Yours,\n", encoding="utf-8")
    s = _settings(tmp_path, f'[templates]\ndir = "{own}"\n[letters]\ntemplates_dir = "{letters.parent}"')
    env = texts.TextEnvironment(texts.folders_for(s))
    assert env.env.get_template("offers/en_US/offer.subject.j2").render() == "Our own offer\n"
    assert env.letters.get_template("letters/en_US/closing.txt.j2").render() == "Yours,"
    assert env.folders.dirs("letters") == [letters.parent, templates_root() / "letters"]


def test_sandboxed_and_filters_need_a_locale() -> None:
    env = texts.TextEnvironment(texts.TemplateFolders(templates_root()))
    with pytest.raises(SecurityError):
        env.env.from_string("{{ items.append(1) }}").render(items=[])
    with pytest.raises(TemplateRuntimeError, match="locale"):
        env.env.from_string("{{ 5|money('USD') }}").render()


@pytest.mark.parametrize(("wanted", "default", "expected"), [
    ("zh_TW", "en_US", "zh_CN"), ("zh-cn", "en_US", "zh_CN"), ("en_GB", "zh_CN", "en_US"),
    ("fr_FR", "zh_CN", "zh_CN"), ("", "de_DE", "en_US"), ("fr_FR", "de_DE", "en_US"),
])
def test_one_language_fallback(wanted: str, default: str, expected: str) -> None:
    assert texts.pick_language(wanted, default, ["en_US", "zh_CN"]) == expected
    assert texts.pick_language(wanted, default, ["zh_CN"]) == "zh_CN"


def test_reminder_templates_keep_their_chain() -> None:
    t = Templates(default_language="en_US")
    assert t.chain("zh_TW")[:3] == ["zh_TW", "zh", "zh_CN"]
    assert t.env is texts.environment(texts.TemplateFolders(templates_root())).env
