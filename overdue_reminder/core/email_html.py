"""HTML for staff edits of a reminder: made from the edited text, or checked when staff supply their own.

A staff edit must change both parts of the email together, so the HTML part is generated from the
edited plain text (escaped; blank lines make paragraphs, single line breaks stay line breaks; the firm's
own channel URLs become links). HTML a person supplies is read with `html.parser`, which decodes character
references the way a mail client does, and is checked against an allowlist: raw-string patterns miss
`&#106;avascript:`, `java\tscript:` or `<svg onload>`. Pure: no I/O.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from html.parser import HTMLParser

# What the shipped templates use, and nothing that runs, loads, embeds or submits anything.
ALLOWED_TAGS = frozenset({
    "html", "head", "meta", "title", "style", "body", "div", "span", "p", "br", "hr", "h1", "h2", "h3", "h4",
    "h5", "h6", "strong", "b", "em", "i", "u", "small", "blockquote", "pre", "ul", "ol", "li", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "a",
})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "background", "cite", "longdesc", "poster",
                            "xlink:href", "srcset", "data", "codebase", "dynsrc", "lowsrc", "ping"})
SAFE_SCHEMES = ("https:", "http:", "mailto:", "tel:")
_META_OK = frozenset({"charset", "name", "content"})
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+")
_STYLE_DANGER = ("expression", "url(", "@import", "javascript:", "behavior", "-moz-binding")


def _squash(value: str) -> str:
    """A URL as a browser resolves its scheme: decoded, controls and whitespace gone, lower case."""
    return _INVISIBLE.sub("", html.unescape(value)).lower()


def unsafe_url(value: str) -> bool:
    """True unless the URL is relative/fragment-only or uses one of the safe schemes."""
    url = _squash(value)
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", url)
    return scheme is not None and not url.startswith(SAFE_SCHEMES)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in: list[str] = []

    def _flag(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)
        if tag not in ("br", "hr", "meta", "col"):
            self._in.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._flag(f"the <{tag}> element is not allowed in a reminder")
        for name, raw in attrs:
            value = raw or ""
            if name.startswith("on"):
                self._flag(f"the event-handler attribute {name}= on <{tag}> is not allowed")
            elif name in URL_ATTRIBUTES and any(unsafe_url(u) for u in _urls(name, value)):
                self._flag(f"the {name}= of <{tag}> is not an http(s), mailto or tel link")
            elif name == "style" and any(d in _squash(value) for d in _STYLE_DANGER):
                self._flag(f"the style= of <{tag}> loads or runs something")
            elif tag == "meta" and name not in _META_OK:
                self._flag(f"the {name}= attribute of <meta> is not allowed (no redirects or refreshes)")
            elif name.startswith("xmlns") or name in ("srcdoc", "is", "formtarget"):
                self._flag(f"the {name}= attribute of <{tag}> is not allowed")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "style" in self._in and any(d in _squash(data) for d in _STYLE_DANGER):
            self._flag("the <style> block loads or runs something")

    def handle_comment(self, data: str) -> None:
        if "[if" in data.lower() or "<" in data:
            self._flag("a comment carries markup (conditional comments are not allowed)")

    def handle_decl(self, decl: str) -> None:
        if decl.strip().lower() != "doctype html":
            self._flag(f"the declaration <!{decl}> is not allowed")

    def unknown_decl(self, data: str) -> None:
        self._flag("a CDATA or other declaration is not allowed")

    def handle_pi(self, data: str) -> None:
        self._flag("a processing instruction <?…> is not allowed")


def _urls(name: str, value: str) -> Iterable[str]:
    if name == "srcset":
        return [part.strip().split(" ")[0] for part in value.split(",")]
    return [value]


def html_problems(markup: str) -> list[str]:
    """Everything in `markup` that could run, load or redirect; empty when it is plain formatted text."""
    return _parse(markup).problems


def _parse(markup: str) -> _Checker:
    checker = _Checker()
    checker.feed(markup)
    if "<" in checker.rawdata:  # an unfinished tag at the end: mail clients differ on what it becomes
        checker._flag("the HTML ends inside an unfinished tag")
    checker.close()
    return checker


_PARAGRAPH = re.compile(r"\n[ \t]*\n+")


def text_to_html(text: str, language: str, links: Iterable[str] = ()) -> str:
    """The HTML part for an edited text: every character escaped, paragraphs and line breaks as written.

    `links` are the firm's official channel URLs: where they appear in the text they become links, since
    the shipped HTML links them too. Nothing else becomes markup.
    """
    lang = html.escape(language.replace("_", "-") or "en", quote=True)
    official = sorted({u for u in links if u.startswith("https://") and not unsafe_url(u)}, key=len, reverse=True)
    paragraphs = [p.strip("\n") for p in _PARAGRAPH.split(text.replace("\r\n", "\n").replace("\r", "\n"))]
    body = "\n".join(f'<p style="margin:0 0 12px;">{_lines(p, official)}</p>' for p in paragraphs if p.strip())
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n</head>\n'
            '<body style="margin:0;padding:0;background:#ffffff;">\n'
            '<div style="max-width:680px;margin:0 auto;padding:24px;font-family:Georgia,\'Times New Roman\','
            'serif;font-size:15px;line-height:1.5;color:#222;white-space:normal;">\n'
            f"{body}\n</div>\n</body>\n</html>\n")


def _lines(paragraph: str, links: list[str]) -> str:
    escaped = [html.escape(line.rstrip(), quote=True) for line in paragraph.split("\n")]
    if links:
        found = re.compile("|".join(re.escape(html.escape(u, quote=True)) for u in links))
        escaped = [found.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', e) for e in escaped]
    return "<br>\n".join(escaped)


__all__ = ["ALLOWED_TAGS", "html_problems", "text_to_html", "unsafe_url"]
