"""Sample values from `overdue-reminder init` left in a configuration: valid TOML, wrong for any real firm.

A reminder that tells clients to pay into the sample account 1234567890, or signs as the sample firm,
is worse than no reminder; `config check` names every key still holding one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SAMPLE_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"1234567890"), "the sample bank account number"),
    (re.compile(r"harper\s*&\s*lowe|harperlowe", re.IGNORECASE), "the sample firm Harper & Lowe"),
    (re.compile(r"first example bank", re.IGNORECASE), "the sample bank"),
    (re.compile(r"\b(?:[\w-]+\.example|example\.(?:com|org|net))(?!\.?[\w-])", re.IGNORECASE),
     "a reserved example domain"),
    (re.compile(r"\b555[ -]?01\d\d\b"), "a fictional 555-01xx telephone number"),
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value if not isinstance(v, dict) for s in _strings(v)]
    return []


def _leaves(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) for every value; arrays of tables are numbered from 1 as people count them."""
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out += _leaves(value, f"{path}.")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for n, table in enumerate(value, 1):
                out += _leaves(table, f"{path}[{n}].")
        else:
            out.append((path, value))
    return out


def placeholder_warnings(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(key, what it looks like, the sample text found) for each key that still holds a sample value."""
    found: list[tuple[str, str, str]] = []
    for key, value in _leaves(data):
        texts = _strings(value)  # markers in order of harm: the bank account first
        hit = next(((what, m.group(0)) for pattern, what in SAMPLE_MARKERS for text in texts
                    if (m := pattern.search(text))), None)
        if hit:
            found.append((key, hit[0], hit[1]))
    return found
