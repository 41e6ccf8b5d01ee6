"""Forbidden wording: threats a collection letter or reminder must never make, checked on the firm's own words.

LAW.md #10 forbids threatening criminal action to gain advantage in a civil matter; the same goes for threats of
administrative, disciplinary, tax or immigration consequences (a report to the IRS, a complaint to a licensing
board, a "失信名单" listing). The check reads only what the firm writes (templates, generated sentences, staff
edits), never the client's own data: a client whose legal name is "Criminal Defense Partners LLC" or "Police
Benevolent Association" must still receive its reminder. Callers mask client fields (`mask`) or compare an
edited letter with its draft (`staff_lines`) so only the firm's words are read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

# Stems (matched at the start of a word, case-insensitive) and Chinese phrases (matched anywhere).
CRIMINAL: tuple[str, ...] = (
    "criminal", "prosecut", "police", "jail", "prison", "arrest", "fraud charges", "press charges", "felony",
    "misdemeanor", "indict", "law enforcement", "district attorney", "theft of services", "warrant for",
    "刑事", "报警", "逮捕", "坐牢", "监狱", "拘留", "公安", "警方", "诈骗罪", "判刑", "检察",
)
ADMINISTRATIVE: tuple[str, ...] = (
    "report you to", "internal revenue", "tax authorit", "tax office", "tax fraud", "tax evasion", "immigration",
    "deport", "uscis", "visa status", "green card", "disciplinary", "licensing board", "licensing authorit",
    "licence revo", "license revo", "revoke your licen", "professional licen", "bar complaint",
    "税务机关", "税务局", "税务部门", "偷税", "逃税", "举报", "失信名单", "失信被执行人", "黑名单", "移民",
    "签证", "遣返", "纪律处分", "吊销", "执业资格", "执照",
)
# Short words that are only a threat as a whole word ("irs" is inside "first").
WHOLE_WORDS: tuple[str, ...] = ("irs",)
FORBIDDEN_PHRASES: tuple[str, ...] = (*CRIMINAL, *ADMINISTRATIVE, *WHOLE_WORDS)

_MASK = "\u2591"  # a placeholder no phrase contains: masked client data reads as neither word nor phrase
# Format characters (Unicode category Cf: soft hyphen, zero-width and bidi controls, tags) a reader does not see.
_INVISIBLE = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u08e2\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                        "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")


def _fold(text: str) -> str:
    """What a reader sees: compatibility forms folded (full-width letters), invisible characters dropped."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()


@lru_cache(maxsize=256)
def _phrase(p: str) -> tuple[str, re.Pattern[str] | None]:
    """The folded phrase (a fast substring test) and, for English words, the pattern that confirms it starts a
    word (or, for WHOLE_WORDS, is one): "irs" inside "first" is no threat."""
    folded = " ".join(_fold(p).split())
    if not p.isascii():
        return folded, None
    body = r"\s+".join(re.escape(w) for w in folded.split())
    tail = r"(?![^\W_])" if p in WHOLE_WORDS else ""
    return folded.split()[0], re.compile(rf"(?<![^\W_]){body}{tail}")


def mask(text: str, data: Iterable[str]) -> str:
    """`text` folded, with every occurrence of each client value (name, address, reference…) blanked out."""
    out = _fold(text)
    for value in sorted({_fold(v).strip() for v in data if v and v.strip()}, key=len, reverse=True):
        out = out.replace(value, _MASK * len(value))
    return out


def find(text: str, data: Iterable[str] = (), phrases: Sequence[str] = FORBIDDEN_PHRASES) -> list[str]:
    """The forbidden phrases in `text`, in list order, once each; `data` (client fields) is not read.

    Each phrase is first looked for as a plain substring (C speed, so a 20 MB upload is checked in well under a
    second); only a hit is confirmed with the word-boundary pattern."""
    seen = mask(text, data)
    found = []
    for p in phrases:
        quick, pattern = _phrase(p)
        if quick in seen and (pattern is None or pattern.search(seen)):
            found.append(p)
    return found


def staff_lines(edited: str, draft: str) -> str:
    """The lines of an edited letter that the draft did not have: what staff wrote (the rest was checked)."""
    before = {" ".join(line.split()) for line in draft.splitlines()}
    return "\n".join(line for line in edited.splitlines() if " ".join(line.split()) not in before)


__all__ = ["ADMINISTRATIVE", "CRIMINAL", "FORBIDDEN_PHRASES", "WHOLE_WORDS", "find", "mask", "staff_lines"]
