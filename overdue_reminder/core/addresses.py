"""Postal address blocks in each country's own order, and the one phone number a client verifies us on.

A US address reads "New York, NY 10017" (never "10017 New York"); a Chinese one runs from the largest unit to the
smallest (省、市、区, then the street) without the Western reversal, with the postcode on its own line. Other
countries keep the common European "ZIP City" line. Pure functions over `model.Address`.
"""

from __future__ import annotations

import re

from overdue_reminder.config import Settings
from overdue_reminder.model import Address

_US = frozenset({"us", "usa", "u.s.", "u.s.a.", "united states", "united states of america", "美国"})
_CN = frozenset({"cn", "china", "prc", "people's republic of china", "中国", "中华人民共和国", "中國"})
US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX",
    "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR", "guam": "GU",
}
_CJK = re.compile(r"[\u3400-\u9fff]")
_DISTRICT = ("区", "县", "旗", "市")


def country_kind(a: Address) -> str:
    """'US', 'CN' or '' (any other country, or none given and nothing that says which)."""
    c = a.country.strip().casefold()
    if c in _US:
        return "US"
    if c in _CN:
        return "CN"
    if not c and (a.state.strip().upper() in US_STATES.values() or a.state.strip().casefold() in US_STATES):
        return "US"
    if not c and _CJK.search(a.city + a.state + a.street):
        return "CN"
    return ""


def state_code(state: str) -> str:
    """'New York', 'New York (US)' or 'ny' → 'NY'; anything else unchanged."""
    s = re.sub(r"\s*\(us\)$", "", state.strip(), flags=re.IGNORECASE)
    if len(s) == 2 and s.isalpha():
        return s.upper()
    return US_STATES.get(s.casefold(), s)


def _us_lines(a: Address) -> list[str]:
    tail = " ".join(p for p in (state_code(a.state), a.zip.strip()) if p)
    city = ", ".join(p for p in (a.city.strip(), tail) if p)
    return [p for p in (a.street, a.street2, city, a.country) if p]


def _cn_lines(a: Address) -> list[str]:
    if not _CJK.search(a.street + a.city + a.state):
        city = ", ".join(p for p in (a.city, " ".join(x for x in (a.state, a.zip) if x)) if p)
        return [p for p in (a.street, a.street2, city, a.country) if p]
    region = a.state.strip()
    city = a.city.strip()
    if city and region and (city == region or city.rstrip("市") == region.rstrip("市")):
        city = ""  # 直辖市: 上海市 is both province and city
    district = a.street2.strip() if a.street2.strip().endswith(_DISTRICT) else ""
    rest = "" if district else a.street2.strip()
    head = "".join(p for p in (region, city, district) if p)
    lines = [a.country.strip(), head, a.street.strip(), rest]
    if a.zip.strip():
        lines.append(f"邮编：{a.zip.strip()}")
    return [p for p in lines if p]


def _other_lines(a: Address) -> list[str]:
    city = " ".join(p for p in (a.zip, a.city) if p)
    if a.state:
        city = f"{city}, {a.state}" if city else a.state
    return [p for p in (a.street, a.street2, city, a.country) if p]


def postal_lines(a: Address) -> list[str]:
    """The address block, one line per element, in the order the destination country's post expects."""
    kind = country_kind(a)
    if kind == "US":
        return _us_lines(a)
    if kind == "CN":
        return _cn_lines(a)
    return _other_lines(a)


def verify_phone(settings: Settings) -> str:
    """The one number a client calls to verify a payment request: emails, offers and letters print the same."""
    return " ".join((settings.payment.verify_phone or settings.firm.phone).split())


__all__ = ["US_STATES", "country_kind", "postal_lines", "state_code", "verify_phone"]
