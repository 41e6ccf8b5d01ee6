"""The official forms a letter's notice encloses: files the firm configures per jurisdiction, attached by sha256.

We cannot download official forms (no internet, and the courts revise them): the firm saves each one and names
it in `letters.jurisdictions.X.form_files`. A notice that says a form is enclosed is only drafted when the file
is there; the letter records each file's sha256, and approval and release refuse a letter whose enclosure is
gone or changed (core.clearance, "Enclosures as approved"). `config check` reports missing files up front.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from overdue_reminder.config import Settings
from overdue_reminder.core.jurisdictions import Problem, jurisdictions_in_use, law_problems, notice_required
from overdue_reminder.core.rules import REFER_TO_SUIT
from overdue_reminder.errors import ConfigError
from overdue_reminder.files import sha256_file

SAMPLE_MARK = "SAMPLE - NOT THE OFFICIAL FORM"  # the first line of every sample form the desk writes


@dataclass(frozen=True)
class NoticeParts:
    """What a letter carries for its jurisdiction: the notice kind ("" for none) and the forms attached."""

    notice_kind: str
    enclosures: tuple[dict[str, Any], ...]  # {"form", "path", "sha256"}

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(str(e["form"]) for e in self.enclosures)


def carries_notice(settings: Settings, code: str, kind: str) -> bool:
    """Escalation and withdrawal letters carry the notice; a refer-to-suit letter refers to the one served."""
    return bool(code) and notice_required(settings, code) and kind != REFER_TO_SUIT


def form_problems(settings: Settings, code: str) -> list[Problem]:
    """Each form the jurisdiction's notice lists whose file is not configured or not there."""
    j = settings.letters.jurisdiction(code)
    if j is None or not notice_required(settings, code):
        return []
    out = []
    for form in j.forms:
        key = f"letters.jurisdictions.{code}.form_files"
        name = j.form_file(form)
        if not name:
            out.append(Problem(key, f"the {code} notice lists {form!r} as enclosed, but no file is configured.",
                               f"save the official form and add it: [{key}] \"{form.split(' (')[0]}\" = "
                               "\"forms/FILE.pdf\" (docs/jurisdictions.md)."))
        elif not settings.resolve(name).is_file():
            out.append(Problem(f"{key}.{form.split(' (')[0]}", f"the form file {settings.resolve(name)} for "
                               f"{form!r} does not exist.", "save the official form there, or fix the path."))
    return out


def notice_parts(settings: Settings, code: str, kind: str) -> NoticeParts:
    """The notice and its attached forms for a new letter; a listed form without its file refuses the letter."""
    problems = law_problems(settings, {code}) if code else []
    if carries_notice(settings, code, kind):
        problems += form_problems(settings, code)
    elif not problems:
        return NoticeParts("", ())
    if problems:
        p = problems[0]
        raise ConfigError(p.problem, path=settings.config_path, key=p.key, fix=p.fix)
    j = settings.letters.jurisdiction(code)
    assert j is not None
    attached = []
    for form in j.forms:
        path = settings.resolve(j.form_file(form))
        attached.append({"form": form, "path": str(path), "sha256": sha256_file(path)})
    return NoticeParts(j.notice_kind, tuple(attached))


def config_problems(settings: Settings) -> list[Problem]:
    """For `config check`: the law's floor and every form file of the jurisdictions configured or in use."""
    codes = jurisdictions_in_use(settings)
    out = law_problems(settings, codes)
    for code in sorted(c.upper() for c in codes):
        out += form_problems(settings, code)
    return out


def sample_forms(settings: Settings) -> list[tuple[str, str]]:
    """(key, path) of each configured form file that is one of the desk's samples, for `config check` to warn."""
    out = []
    for code in sorted(jurisdictions_in_use(settings)):
        j = settings.letters.jurisdiction(code)
        for form, name in (j.form_files.items() if j else ()):
            path = settings.resolve(name)
            try:
                with path.open("rb") as fh:
                    head = fh.read(256)
            except OSError:
                continue
            if SAMPLE_MARK.encode() in head:
                out.append((f"letters.jurisdictions.{code}.form_files.{form}", str(path)))
    return out


def write_sample_forms(folder: Path) -> dict[str, str]:
    """Sample form files for a demo or a new desk, each marked as a sample on its first line; form -> file name."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for key, title, who in (("UCS 137-1", "Notice of Client's Right to Arbitrate", "the NY Unified Court System"),
                            ("UCS 137-2", "Client's Request for Arbitration", "the NY Unified Court System"),
                            ("State Bar of California", "Notice of Client's Right to Fee Arbitration",
                             "the State Bar of California")):
        path = folder / f"SAMPLE-{key.replace(' ', '-')}.txt"
        path.write_text(f"{SAMPLE_MARK}\n{key} ({title})\n\nThis file stands in for the official form in a demo "
                        f"or a new configuration. Replace it with the form published by {who} before any letter "
                        "is sent.\n", encoding="utf-8")
        out[key] = f"{folder.name}/{path.name}"
    return out


__all__ = ["SAMPLE_MARK", "NoticeParts", "carries_notice", "config_problems", "form_problems", "notice_parts",
           "sample_forms", "write_sample_forms"]
