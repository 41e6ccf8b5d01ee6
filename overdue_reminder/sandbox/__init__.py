"""An Odoo-protocol test server (XML-RPC and JSON-RPC over real HTTP on loopback) and a seeded
generator of a realistic law firm, for the demo, the tests and the benchmarks.

    db = SandboxDB(version="17.0")
    summary = generate_firm(db, clients=500, invoices=5000, seed=7, today=date(2026, 11, 28))
    with SandboxServer(db) as server:
        conn = odoolib.get_connection(hostname="127.0.0.1", protocol="jsonrpc", port=server.port,
                                      database=SANDBOX_DB, login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD)
"""

from .constants import (
    ACCOUNT_IDS,
    ADMIN_UID,
    ATTORNEY_PASSWORD,
    CLERK_LOGIN,
    CLERK_PASSWORD,
    CLERK_UID,
    COUNTRY_IDS,
    CURRENCY_IDS,
    SANDBOX_DB,
    SANDBOX_LOGIN,
    SANDBOX_PASSWORD,
    TRUST_ACCOUNT_CODE,
)
from .errors import AccessDenied, AccessError, MissingError, OdooError, OdooValueError, UserError
from .generator import FirmSummary, generate_firm
from .server import CallCounter, FaultRule, Faults, SandboxServer
from .simulate import advance_clock, cancel_invoice, dispute, pay_invoice, post_invoice, reverse_invoice
from .store import Clock, SandboxDB

__all__ = [
    "ACCOUNT_IDS",
    "ADMIN_UID",
    "ATTORNEY_PASSWORD",
    "CLERK_LOGIN",
    "CLERK_PASSWORD",
    "CLERK_UID",
    "COUNTRY_IDS",
    "CURRENCY_IDS",
    "SANDBOX_DB",
    "SANDBOX_LOGIN",
    "SANDBOX_PASSWORD",
    "TRUST_ACCOUNT_CODE",
    "AccessDenied",
    "AccessError",
    "CallCounter",
    "Clock",
    "FaultRule",
    "Faults",
    "FirmSummary",
    "MissingError",
    "OdooError",
    "OdooValueError",
    "SandboxDB",
    "SandboxServer",
    "UserError",
    "advance_clock",
    "cancel_invoice",
    "dispute",
    "generate_firm",
    "pay_invoice",
    "post_invoice",
    "reverse_invoice",
]
