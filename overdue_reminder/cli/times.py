"""One time policy for people: every instant shown on the firm's wall clock and labelled with its zone
("2026-11-29 14:22 EST"), as the review page shows it; `--json` keeps ISO 8601 with its offset."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def firm_time(at: datetime, zone: tzinfo) -> str:
    """`at` on the firm's clock, with the zone's abbreviation (or its UTC offset where it has none)."""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)
    label = local.strftime("%Z") or local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {label}"


def iso_with_offset(at: datetime) -> str:
    """ISO 8601 with its offset; the store keeps UTC, so an instant without a zone is read as UTC."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()
