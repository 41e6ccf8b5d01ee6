"""A staff edit of a reminder, checked like a template: what the new parts are, or why they are refused.

An edit replaces the text and HTML parts together, never one of them: new text brings a new HTML part
made from it (core.email_html), and HTML may only come with the text it shows. The words that would leave
pass the same content rules as the templates (core.wording): the official channels and the verification
line are there, no threat in any shipped language, no account number but the firm's own. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from overdue_reminder.core.clearance import CONTENT, Wording, content_problems, html_words
from overdue_reminder.core.email_html import html_problems, text_to_html
from overdue_reminder.core.texts import clean_subject
from overdue_reminder.errors import UsageError


@dataclass(frozen=True)
class EditedParts:
    subject: str | None
    text: str | None
    html: str | None
    html_generated: bool

    def values(self) -> dict[str, str]:
        out = {"subject": self.subject, "body_text": self.text, "body_html": self.html}
        return {k: v for k, v in out.items() if v is not None}


def _refuse(part: str, problems: Sequence[str]) -> UsageError:
    return UsageError(f"the edited {part} cannot go out: " + "; ".join(problems)
                      + f" (rule: {CONTENT}). Correct it and edit again; nothing was changed.")


def edited_parts(*, subject: str | None, text: str | None, html: str | None, language: str, wording: Wording,
                 links: Sequence[str] = (), client_data: Sequence[str] = ()) -> EditedParts:
    """The checked new parts of a reminder in `language`; UsageError names every problem found."""
    if subject is None and text is None and html is None:
        raise UsageError("nothing to change: give a subject, a text part or an HTML part.")
    if html is not None and text is None:
        raise UsageError("an HTML part needs the text part it shows (--text-file too): both parts of a reminder "
                         "are replaced together. Or give only the text: the HTML part is made from it.")
    new_subject = None
    if subject is not None:
        new_subject = clean_subject(subject)
        if not new_subject:
            raise UsageError("the subject would be empty.")
        found = content_problems(new_subject, Wording(forbidden=wording.forbidden,
                                                      official_accounts=wording.official_accounts), client_data)
        if found:
            raise _refuse("subject", found)
    if text is None:
        return EditedParts(new_subject, None, None, False)
    for part, body in (("text part", text), ("HTML part", html)):
        if body is not None and "\x00" in body:
            raise UsageError(f"the new {part} contains a NUL character.")
    found = content_problems(text, wording, client_data)
    if found:
        raise _refuse("text part", found)
    if html is None:
        return EditedParts(new_subject, text, text_to_html(text, language, links), True)
    unsafe = html_problems(html)
    if unsafe:
        raise UsageError("the new HTML part is refused: " + "; ".join(unsafe) + ". Give only the text part and "
                         "the HTML part is made from it.")
    found = content_problems(html_words(html), wording, client_data)
    if found:
        raise _refuse("HTML part", found)
    return EditedParts(new_subject, text, html, False)


__all__ = ["EditedParts", "edited_parts"]
