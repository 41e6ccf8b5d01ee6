"""Tables that fit the reader's terminal: columns chosen per width, prose wrapped at words, and dates, amounts,
ids, invoice numbers and email addresses never broken across lines.

Pure layout, no I/O: `render` turns columns and string cells into lines no wider than `width` (None: as wide
as the content, for `--wide`). A column that cannot fit is dropped in the order its `drop` rank says, and the
table says which were hidden; a table whose kept columns still cannot fit keeps every token whole and runs long.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rich.cells import cell_len

DEFAULT_WIDTH = 80
GAP = "  "
NAME_FLOOR = 16  # a name column is never squeezed below this (unless every name is shorter)
PROSE_FLOOR = 20  # nor a prose column
HANG = 2  # the indent of a cell's second and later lines
LONGEST_WHOLE = 40  # a word wider than this may be folded even in a name column (a path, a URL)

_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
_ZONE = re.compile(r"^([A-Z]{2,5}|[+-]\d{2}(:?\d{2})?|UTC)[,;.)]?$")
_DAY = re.compile(rf"^\(?{_DATE}$")
_NUMBER = re.compile(r"^[-+(]?\d[\d,]*(\.\d+)?\)?$")
_CODE = re.compile(r"^[A-Z]{3}[,;.)]?$")
_PHONE = re.compile(r"(^|[^\x00-\x7f(])\+\d{1,3}( \d{1,5})*$")  # "+1 212 555 0100", also inside Chinese text
_DIGITS = re.compile(r"^\d{1,5}")
_PROTECTED = re.compile(r"[\d@_/#]")  # dates, amounts, ids, invoice numbers, emails, identifiers
_WIDE = frozenset("WF")
_OPEN = frozenset("（【「『《〈“‘")
_CLOSE = frozenset("）】」』》〉”’，。、：；！？")


class Unit(NamedTuple):
    text: str
    spaced: bool


@dataclass(frozen=True, slots=True)
class Col:
    """One column: figures align right; prose wraps freely; `drop` > 0 lets a narrow terminal hide it
    (1 goes first)."""

    header: str
    right: bool = False
    prose: bool = False
    drop: int = 0


def terminal_width() -> int:
    """COLUMNS when set, else the terminal's width, else 80 (output to a file or a pipe)."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if sys.stdout.isatty():
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return DEFAULT_WIDTH


def clean(text: str) -> str:
    """One line for display: any run of whitespace (a name typed with a line break) becomes one space and
    control characters are dropped, so a hostile name can neither split a row nor move the cursor."""
    kept = "".join(ch if not unicodedata.category(ch).startswith("C") else " " for ch in text)
    return " ".join(kept.split())


def width_of(text: str) -> int:
    """Display cells (a Chinese character takes two)."""
    return cell_len(text)


def _words(text: str) -> list[str]:
    """The words of `text`, with an amount kept with its currency code, a date with its time and zone, and a
    telephone number's groups together."""
    out: list[str] = []
    for word in clean(text).split(" "):
        if not word:
            continue
        prev = out[-1] if out else ""
        glue = (_CODE.match(word) and _NUMBER.match(prev)) or (_PHONE.search(prev) and _DIGITS.match(word)) or \
            (_TIME.match(word.rstrip(",;.)")) and _DAY.match(prev)) or \
            (_ZONE.match(word) and _DAY.match(prev.split(" ")[0]) and _TIME.match(prev.split(" ")[-1]))
        if glue:
            out[-1] = f"{prev} {word}"
        else:
            out.append(word)
    return out


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in _WIDE


def _pieces(word: str) -> list[str]:
    """A word cut where Chinese text may break: between wide characters (a run of Latin letters or figures
    stays whole), closing punctuation kept with what it closes and opening punctuation with what it opens."""
    raw: list[str] = []
    for ch in word:
        if _is_wide(ch) or not raw or _is_wide(raw[-1][-1]):
            raw.append(ch)
        else:
            raw[-1] += ch
    merged: list[str] = []
    for p in raw:
        if merged and (p[0] in _CLOSE or merged[-1][-1] in _OPEN):
            merged[-1] += p
        else:
            merged.append(p)
    return merged


def units(text: str) -> list[Unit]:
    """What a line may be broken between: words (an amount with its code, a date with its time), and inside
    Chinese text each character; `spaced` says whether a space joins a unit to the one before."""
    return [Unit(p, n == 0) for word in _words(text) for n, p in enumerate(_pieces(word))]


def joined(parts: Sequence[Unit]) -> str:
    return "".join((" " if u.spaced and n else "") + u.text for n, u in enumerate(parts))


def whole(unit: str, prose: bool) -> bool:
    """May this unit never be broken? Prose keeps figures, dates, ids and addresses whole; a name column keeps
    every word whole; nothing wider than LONGEST_WHOLE (a path, a URL) is kept whole."""
    if width_of(unit) > LONGEST_WHOLE:
        return False
    return not prose or len(unit) == 1 or bool(_PROTECTED.search(unit))


def _fold(unit: str, first: int, rest: int) -> list[str]:
    """A unit too long for its line (a path, a Message-ID) cut at cell boundaries, after a '/', '-', '_' or
    '.' where one falls in the second half of the line (never inside a wide character): `first` cells on its
    first line, `rest` on the others."""
    pieces: list[str] = []
    cur = ""
    for ch in unit:
        limit = rest if pieces else first
        if cur and width_of(cur + ch) > limit:
            cut = max(cur.rfind(sep) for sep in "/-_.@")
            if cut + 1 > limit // 2:
                pieces.append(cur[:cut + 1])
                cur = cur[cut + 1:]
            else:
                pieces.append(cur)
                cur = ""
        cur += ch
    pieces.append(cur)
    return pieces


def wrap(text: str, width: int | None, prose: bool = False, indent: int = 0) -> list[str]:
    """`text` as lines of at most `width` cells, broken between units; a unit wider than the line is folded.
    Lines after the first are indented by `indent` (a hanging indent marks them as the same cell) unless
    that would cut a unit the full width keeps whole."""
    parts = units(text)
    if width is None:
        return [joined(parts)]
    lines: list[str] = []
    cur = ""
    hang = " " * indent if 0 < indent < width else ""
    for unit in parts:
        word = unit.text
        longer = cur + (" " if unit.spaced and cur.strip() else "") + word
        if width_of(longer) <= width:
            cur = longer
            continue
        if cur.strip():
            lines.append(cur)
        if width_of(hang + word) <= width:
            cur = hang + word
            continue
        if width_of(word) <= width:
            cur = word
            continue
        prefix = hang if lines else ""
        first, *more = _fold(word, width - len(prefix), width - len(hang))
        *full, cur = [prefix + first, *(hang + p for p in more)]
        lines += full
    if cur or not lines:
        lines.append(cur)
    return lines


def natural_width(text: str) -> int:
    return width_of(joined(units(text)))


def least_width(col: Col, cells: Sequence[str]) -> int:
    """The narrowest this column may go: its widest unbreakable word, its header's widest word, and a floor
    so names and prose are not squeezed into slivers (figures have no floor: their words are whole)."""
    floor = 1 if col.right else PROSE_FLOOR if col.prose else NAME_FLOOR
    natural = max([natural_width(c) for c in cells] + [natural_width(col.header)])
    words = [u.text for c in cells for u in units(c)]
    hard = [width_of(u) for u in words if whole(u, col.prose)]
    header = [width_of(u.text) for u in units(col.header)]
    return max([min(natural, floor), *hard, *header, 1])


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + len(GAP) * max(0, len(widths) - 1)


def choose(cols: Sequence[Col], cells: Sequence[Sequence[str]], width: int | None) -> tuple[list[int], list[int]]:
    """Which columns to show and how wide: everything at its natural width when it fits; otherwise each at
    its least width, dropping droppable columns until that fits, and the room left shared out by need."""
    shown = list(range(len(cols)))
    natural = [max([natural_width(r[i]) for r in cells] + [natural_width(c.header)]) for i, c in enumerate(cols)]
    if width is None or _total(natural) <= width:
        return shown, natural
    least = [least_width(c, [r[i] for r in cells]) for i, c in enumerate(cols)]
    while _total([least[i] for i in shown]) > width:
        droppable = [i for i in shown if cols[i].drop > 0]
        if not droppable:
            break
        shown.remove(min(droppable, key=lambda i: (cols[i].drop, -i)))
    widths = {i: least[i] for i in shown}
    if _total([natural[i] for i in shown]) <= width:
        return shown, [natural[i] for i in shown]
    room = width - _total(list(widths.values()))
    for phase in (False, True):  # names and lists first (to their full width if they can), then prose
        needy = {i: natural[i] - widths[i] for i in shown if natural[i] > widths[i] and cols[i].prose == phase}
        room = _share(widths, needy, room)
    return shown, [widths[i] for i in shown]


def _share(widths: dict[int, int], needy: dict[int, int], room: int) -> int:
    """Give `room` cells to the needy columns in proportion to what each lacks; returns what is left."""
    while room > 0 and needy:
        need = sum(needy.values())
        given = 0
        for i, short in sorted(needy.items(), key=lambda kv: -kv[1]):
            share = min(short, max(1, room * short // need), room - given)
            widths[i] += share
            needy[i] -= share
            given += share
            if given >= room:
                break
        needy = {i: n for i, n in needy.items() if n > 0}
        room -= given
    return room


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - width_of(text))
    return space + text if right else text + space


def _row_lines(cols: Sequence[Col], cells: Sequence[str], widths: Sequence[int], wide: bool,
               hang: int = HANG) -> list[str]:
    wrapped = [wrap(c, None if wide else w, col.prose, 0 if col.right else hang)
               for col, c, w in zip(cols, cells, widths, strict=True)]
    height = max(len(w) for w in wrapped)
    lines = []
    for n in range(height):
        parts = [_pad(w[n] if n < len(w) else "", width, col.right)
                 for col, w, width in zip(cols, wrapped, widths, strict=True)]
        lines.append(GAP.join(parts).rstrip())
    return lines


def render(title: str, cols: Sequence[Col], rows: Sequence[Sequence[str]], width: int | None) -> list[str]:
    """The table as lines: its title (wrapped at words), headers, a rule, the rows (a cell's later lines
    indented), and a note naming the columns a narrow terminal hid."""
    shown, widths = choose(cols, rows, width)
    kept = [cols[i] for i in shown]
    cells = [[r[i] for i in shown] for r in rows]
    wide = width is None
    out = wrap(title, width) if title.strip() else []
    if any(c.header for c in kept):
        out += _row_lines([Col(c.header, c.right) for c in kept], [c.header for c in kept], widths, wide, 0)
        out.append(GAP.join("─" * w for w in widths))
    for r in cells:
        out += _row_lines(kept, r, widths, wide)
    if not rows:
        out.append("(none)")
    hidden = [cols[i].header for i in range(len(cols)) if i not in shown]
    if hidden:
        out += wrap(f"({', '.join(hidden)} hidden to fit {width} columns; --wide shows every column)", width)
    return out
