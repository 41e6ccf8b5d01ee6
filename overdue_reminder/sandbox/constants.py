"""The sandbox firm's fixed facts: credentials, and ids chosen as a real Odoo 17 database has them.

Public, so that tests and the demo log in and look records up without magic numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

SANDBOX_DB = "lawfirm"
SANDBOX_LOGIN = "admin"
SANDBOX_PASSWORD = "admin-key"
CLERK_LOGIN = "clerk-noacct"
CLERK_PASSWORD = "clerk-key"
ATTORNEY_PASSWORD = "attorney-key"

ADMIN_UID = 2
CLERK_UID = 17
COMPANY_PARTNER_ID = 1
# Ids as a real Odoo 17 database has them (USD 1 and EUR 125 are from the samples).
CURRENCY_IDS: Mapping[str, int] = {"USD": 1, "EUR": 125, "CNY": 9, "XTS": 170}
COUNTRY_IDS: Mapping[str, int] = {"US": 233, "DE": 57, "CN": 48, "FR": 75, "GB": 231, "CA": 38}
ACCOUNT_IDS: Mapping[str, int] = {"receivable": 6, "bank": 31, "trust_bank": 32, "income": 45, "trust": 58}
TRUST_ACCOUNT_CODE = "2150"
FIRST_CLIENT_PARTNER_ID = 101

ATTORNEYS = (  # (uid, partner id, name, login)
    (6, 7, "Eleanor Harbor", "eleanor.harbor@harborreed.example"),
    (7, 8, "James Reed", "james.reed@harborreed.example"),
    (8, 9, "Samuel Whitfield", "samuel.whitfield@harborreed.example"),
    (9, 10, "Claire Dubois", "claire.dubois@harborreed.example"),
    (10, 11, "Priya Raman", "priya.raman@harborreed.example"),
    (11, 12, "Marcus Oyelaran", "marcus.oyelaran@harborreed.example"),
    (12, 13, "Wei Zhang", "wei.zhang@harborreed.example"),
    (13, 14, "Elena Petrova", "elena.petrova@harborreed.example"),
)
VENDORS = ((31, "Westlaw Research Services"), (32, "Metro Court Reporters LLC"), (33, "Iron Mountain Records"),
           (34, "Lexington Expert Witness Group"), (35, "City Courier & Process Servers"))
