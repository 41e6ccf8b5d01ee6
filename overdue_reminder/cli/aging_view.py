"""How `aging` reads: one section per currency (CNY and USD are never ranked against each other by their
nominal amounts), names rather than ids, and attorneys who share a name told apart by their email."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import groupby

from overdue_reminder.core.aging import BUCKETS, AgingRow
from overdue_reminder.model import Attorney


def per_currency(rows: Iterable[AgingRow]) -> list[tuple[str, list[AgingRow]]]:
    """Rows grouped by currency (alphabetical), each group largest total first."""
    ordered = sorted(rows, key=lambda r: (r.currency, -r.total, r.label, r.key))
    return [(cur, list(group)) for cur, group in groupby(ordered, key=lambda r: r.currency)]


def attorney_labels(people: Iterable[Attorney]) -> dict[int, str]:
    """Each attorney's name; where two share a name, the name with the email (else the login, else the id)."""
    items = list(people)
    seen = Counter(a.name.casefold() for a in items)
    return {a.id: a.name if seen[a.name.casefold()] == 1 else f"{a.name} <{a.email or a.login or f'#{a.id}'}>"
            for a in items}


def with_ids(labels: Mapping[int, str]) -> dict[int, str]:
    return {k: f"{v} (#{k})" for k, v in labels.items()}


def bucket_cells(row: AgingRow) -> list[object]:
    return [row.count, *(row.buckets[b] for b in BUCKETS), row.total]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def section_total(currency: str, rows: list[AgingRow], what: str) -> str:
    """One sentence under a currency's table: the sums over all its rows (a --limit may have cut the table)."""
    sums = {b: sum((r.buckets[b] for r in rows), start=rows[0].buckets[b] * 0) for b in BUCKETS}
    total = sum(sums.values(), start=rows[0].total * 0)
    invoices = sum(r.count for r in rows)
    parts = "; ".join(f"{b} {sums[b]:,} {currency}" for b in BUCKETS)
    return (f"{currency}, {plural(len(rows), what)}, {plural(invoices, 'invoice')}: {total:,} {currency} in all "
            f"({parts})")
