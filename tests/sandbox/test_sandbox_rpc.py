"""The services over real HTTP: odoo-client-lib on both protocols, wire types, errors, rights,
write-backs and their effect on write_date, read_group, version differences, call counting."""

from __future__ import annotations

import re
import xmlrpc.client
from decimal import Decimal
from typing import Any

import odoolib
import pytest
from sandbox_firm import TODAY, Firm
from sandbox_rpc import RpcClient, RpcFault

from overdue_reminder.sandbox import (
    CLERK_LOGIN,
    CLERK_PASSWORD,
    CLERK_UID,
    SANDBOX_DB,
    SANDBOX_LOGIN,
    SANDBOX_PASSWORD,
    advance_clock,
)

FIELDS = ["name", "partner_id", "commercial_partner_id", "invoice_user_id", "invoice_origin", "ref", "currency_id",
          "amount_total", "amount_residual", "payment_state", "invoice_date", "invoice_date_due", "write_date",
          "move_type", "state"]
OPEN = [["move_type", "=", "out_invoice"], ["state", "=", "posted"], ["payment_state", "in", ["not_paid", "partial"]],
        ["invoice_date_due", "<", TODAY.isoformat()]]


def connect(firm: Firm, protocol: str, login: str = SANDBOX_LOGIN, password: str = SANDBOX_PASSWORD) -> Any:
    return odoolib.get_connection(hostname="127.0.0.1", protocol=protocol, port=firm.server.port,
                                  database=SANDBOX_DB, login=login, password=password)


def no_nulls(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):
        return all(no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(no_nulls(v) for v in value)
    return True


def test_odoolib_reads_invoices_and_partners(shared_firm: Firm, protocol: str) -> None:
    conn = connect(shared_firm, protocol)
    conn.check_login()
    assert conn.user_id == 2
    moves = conn.get_model("account.move")
    records = moves.search_read([*OPEN, ["id", "in", [shared_firm.summary.examples["child_contact_invoice"]]]],
                                FIELDS)
    (inv,) = records
    assert list(inv) == ["id", *FIELDS]
    assert inv["partner_id"][1] == "Keystone Capital Partners LP, Susan Moore (Accounts Payable)"
    assert inv["commercial_partner_id"][1] == "Keystone Capital Partners LP"
    assert isinstance(inv["amount_total"], float) and inv["ref"] is False
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", inv["invoice_date_due"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", inv["write_date"])
    partners = conn.get_model("res.partner").read([inv["partner_id"][0], inv["commercial_partner_id"][0]],
                                                  ["name", "email", "parent_id", "type", "lang"])
    assert partners[0]["type"] == "invoice" and partners[0]["parent_id"][0] == partners[1]["id"]
    assert moves.search_count(OPEN) == shared_firm.db.search_count("account.move", OPEN)
    bad = connect(shared_firm, protocol, password="wrong")
    with pytest.raises(odoolib.tools.AuthenticationError):
        bad.check_login()


def test_wire_values_never_null_and_typed(shared_rpc: RpcClient) -> None:
    rows = shared_rpc.execute("account.move", "search_read", [], fields=[*FIELDS, "narration", "reversed_entry_id"],
                              order="id", limit=400)
    assert len(rows) == 400 and no_nulls(rows)
    for row in rows:
        for name in ("partner_id", "currency_id", "reversed_entry_id"):
            value = row[name]
            assert value is False or (isinstance(value, list) and isinstance(value[0], int)
                                      and isinstance(value[1], str))
        assert row["invoice_date_due"] is False or isinstance(row["invoice_date_due"], str)
        assert isinstance(row["amount_residual"], float)


def test_unknown_database(shared_rpc: RpcClient) -> None:
    with pytest.raises(RpcFault) as info:
        shared_rpc.call("common", "login", "nope", SANDBOX_LOGIN, SANDBOX_PASSWORD)
    assert 'database "nope" does not exist' in info.value.last_line
    shared_rpc.db = "nope"
    with pytest.raises(RpcFault) as info:
        shared_rpc.execute("res.partner", "search", [])
    assert info.value.code in (1, "psycopg2.OperationalError")


def test_rights_of_a_user_without_accounting(shared_firm: Firm, protocol: str) -> None:
    clerk = RpcClient(shared_firm.url, protocol, uid=CLERK_UID, password=CLERK_PASSWORD)
    assert clerk.call("common", "authenticate", SANDBOX_DB, CLERK_LOGIN, CLERK_PASSWORD, {}) == CLERK_UID
    assert clerk.execute("res.partner", "read", [shared_firm.summary.client_ids[0]], fields=["name"])
    for model in ("account.move", "account.payment", "account.move.line"):
        with pytest.raises(RpcFault) as info:
            clerk.execute(model, "search_read", [], fields=["id"], limit=1)
        assert info.value.code in (4, "odoo.exceptions.AccessError")
        assert info.value.message.startswith("You are not allowed to access")
    assert clerk.execute("account.move", "check_access_rights", "read", raise_exception=False) is False
    wrong = RpcClient(shared_firm.url, protocol, password="not-the-key")
    with pytest.raises(RpcFault) as info:
        wrong.execute("res.partner", "search", [])
    assert (info.value.code, info.value.message) in ((3, "Access Denied"), ("odoo.exceptions.AccessDenied",
                                                                           "Access Denied"))


@pytest.mark.parametrize(("call", "kind", "message"), [
    (("no.such.model", "search", []), "odoo.exceptions.UserError", "Object no.such.model doesn't exist"),
    (("account.move", "frobnicate", []), "builtins.AttributeError",
     "The method 'frobnicate' does not exist on the model 'account.move'"),
    (("account.move", "_read", []), "odoo.exceptions.AccessError",
     "Private methods (such as account.move._read) cannot be called remotely."),
    (("account.move", "search_read", [], {"order": "nope"}), "builtins.ValueError",
     "Invalid field 'nope' on model 'account.move'"),
    (("account.move", "search_read", [], {"colour": "red"}), "builtins.TypeError",
     "BaseModel.search_read() got an unexpected keyword argument 'colour'"),
    (("account.move", "message_post", [[1, 2]], {"body": "x"}), "builtins.ValueError",
     "Expected singleton: account.move(1, 2)"),
    (("account.move", "read", [10**7], {"fields": ["nope"]}), "builtins.ValueError",
     "Invalid field 'nope' on model 'account.move'"),
])
def test_errors_are_odoo_errors(shared_rpc: RpcClient, call: tuple[Any, ...], kind: str, message: str) -> None:
    model, method, *rest = call
    args, kwargs = ([*rest, {}])[:2] if rest else ([], {})
    with pytest.raises(RpcFault) as info:
        shared_rpc.execute(model, method, *args, **kwargs)
    codes = {"odoo.exceptions.UserError": 2, "odoo.exceptions.AccessError": 4}
    assert info.value.code in (kind, codes.get(kind, 1))
    assert info.value.message == message


def test_legacy_xmlrpc_routes_use_string_fault_codes(shared_firm: Firm) -> None:
    conn = connect(shared_firm, "xmlrpc")
    with pytest.raises(xmlrpc.client.Fault) as info:
        conn.get_model("no.such.model").search([])
    assert info.value.faultCode == "warning -- UserError\n\nObject no.such.model doesn't exist"
    assert info.value.faultString == ""
    with pytest.raises(xmlrpc.client.Fault) as info:
        conn.get_model("account.move").search_read([["id", "=", 1]], ["no_such_field"])
    assert info.value.faultCode == "Invalid field 'no_such_field' on model 'account.move'"
    clerk = connect(shared_firm, "xmlrpc", CLERK_LOGIN, CLERK_PASSWORD)
    with pytest.raises(xmlrpc.client.Fault) as info:
        clerk.get_model("account.move").search([], 0, 1)
    assert info.value.faultCode.startswith("warning -- AccessError\n\nYou are not allowed to access")
    proxy = xmlrpc.client.ServerProxy(shared_firm.url + "/xmlrpc/object")
    with pytest.raises(xmlrpc.client.Fault) as info:
        proxy.execute_kw(SANDBOX_DB, 2, "wrong", "res.partner", "search", [[]])
    assert (info.value.faultCode, info.value.faultString) == ("AccessDenied", "Access Denied")


def test_odoolib_jsonrpc_raises_its_exception(shared_firm: Firm) -> None:
    conn = connect(shared_firm, "jsonrpc")
    with pytest.raises(odoolib.tools.JsonRPCException) as info:
        conn.get_model("no.such.model").search([])
    assert info.value.error["data"]["name"] == "odoo.exceptions.UserError"


def test_write_backs_and_their_write_dates(rpc: RpcClient, firm: Firm) -> None:
    """message_post and ir.attachment leave the invoice's write_date; mail.activity moves it."""
    inv = firm.summary.examples["zh_cn_invoice"]
    before = rpc.execute("account.move", "read", [inv], fields=["write_date"])[0]["write_date"]
    advance_clock(firm.db, hours=1)
    body = "<p>Reminder sent for <b>INV</b>.</p>"
    mid = rpc.execute("account.move", "message_post", [inv], body=body, body_is_html=True, message_type="comment",
                      subtype_xmlid="mail.mt_note")
    msg = rpc.execute("mail.message", "read", [mid], fields=["body", "message_type", "subtype_id", "model", "res_id",
                                                              "author_id"])[0]
    assert msg == {"id": mid, "body": body, "message_type": "comment", "subtype_id": [2, "Note"],
                   "model": "account.move", "res_id": inv, "author_id": [3, "Harbor & Reed LLP, Mitchell Admin"]}
    plain = rpc.execute("account.move", "message_post", [inv], body="<b>not html</b>")
    assert rpc.execute("mail.message", "read", [plain], fields=["body"])[0]["body"] == "&lt;b&gt;not html&lt;/b&gt;"
    datas = "UmVtaW5kZXIgbGV0dGVyIGZvciBJTlYvMjAyNi8wMDAzNwo="
    att = rpc.execute("ir.attachment", "create", {"name": "r.txt", "datas": datas, "res_model": "account.move",
                                                  "res_id": inv, "mimetype": "text/plain"})
    got = rpc.execute("ir.attachment", "read", [att], fields=["file_size", "checksum", "type"])[0]
    assert got == {"id": att, "file_size": 35, "checksum": "ff5e63bd37ac71e21314167112f1fb4c7f1bb939", "type": "binary"}
    assert rpc.execute("account.move", "read", [inv], fields=["write_date"])[0]["write_date"] == before
    model_id = rpc.execute("ir.model", "search_read", [["model", "=", "account.move"]], fields=["id"])[0]["id"]
    todo = rpc.execute("ir.model.data", "search_read", [["module", "=", "mail"],
                                                        ["name", "=", "mail_activity_data_todo"]],
                       fields=["res_id"])[0]["res_id"]
    act = rpc.execute("mail.activity", "create", {
        "res_model_id": model_id, "res_id": inv, "activity_type_id": todo, "summary": "Call client",
        "date_deadline": "2026-12-01", "user_id": 8})
    after = rpc.execute("account.move", "read", [inv], fields=["write_date"])[0]["write_date"]
    assert after > before and after == firm.db.now().strftime("%Y-%m-%d %H:%M:%S")
    read = rpc.execute("mail.activity", "read", [act], fields=["res_model", "activity_type_id", "user_id", "state"])[0]
    assert read == {"id": act, "res_model": "account.move", "activity_type_id": [4, "To-Do"],
                    "user_id": [8, "Samuel Whitfield"], "state": "planned"}
    done = rpc.execute("mail.activity", "action_feedback", [act], feedback="Client promised to pay")
    assert isinstance(done, int)
    assert rpc.execute("mail.activity", "search_count", [["id", "=", act]]) == 0
    assert rpc.execute("mail.activity", "read", [act], fields=["state", "active"])[0] == {
        "id": act, "state": "done", "active": False}
    with pytest.raises(RpcFault) as info:
        rpc.execute("mail.activity", "action_done", [act])
    assert info.value.code in (2, "odoo.exceptions.MissingError")


def test_method_returning_none(rpc: RpcClient, firm: Firm) -> None:
    inv = firm.summary.examples["eur_invoice"]
    mid = rpc.execute("account.move", "message_post", [inv], body="note")
    if rpc.protocol == "xmlrpc":
        with pytest.raises(RpcFault) as info:
            rpc.execute("mail.message", "set_message_done", [mid])
        assert info.value.code == 1
        assert info.value.last_line == "TypeError: cannot marshal None unless allow_none is enabled"
    else:
        assert rpc.execute("mail.message", "set_message_done", [mid]) is None


def test_read_group_trust_balances(shared_rpc: RpcClient, shared_firm: Firm) -> None:
    db, trust = shared_firm.db, shared_firm.summary.trust_account_id
    domain = [["account_id", "=", trust], ["parent_state", "=", "posted"]]
    groups = shared_rpc.execute("account.move.line", "read_group", domain, ["balance:sum"], ["partner_id"],
                                lazy=False)
    assert groups and no_nulls(groups)
    expected: dict[int, Decimal] = {}
    for row in db.table("account.move.line").rows.values():
        if row["account_id"] == trust and row["parent_state"] == "posted":
            expected[row["partner_id"]] = expected.get(row["partner_id"], Decimal(0)) + row["balance"]
    for group in groups:
        assert set(group) == {"partner_id", "balance", "__count", "__domain"}
        pid, name = group["partner_id"]
        assert isinstance(name, str) and isinstance(group["__count"], int)
        assert Decimal(str(group["balance"])) == expected[pid] and expected[pid] < 0  # trust money is owed
        assert group["__domain"] == ["&", ["partner_id", "=", pid], "&", domain[0], domain[1]]
    lazy = shared_rpc.execute("account.move.line", "read_group", domain, ["balance"], ["partner_id", "account_id"])
    assert "partner_id_count" in lazy[0] and lazy[0]["__context"] == {"group_by": ["account_id"]}
    months = shared_rpc.execute("account.move", "read_group", [["move_type", "=", "out_invoice"]],
                                ["amount_residual:sum"], ["invoice_date:month"], lazy=False)
    assert months and re.fullmatch(r"[A-Z][a-z]+ \d{4}", months[-1]["invoice_date:month"])


def test_versions_differ_where_odoo_does(make_firm: Any, protocol: str) -> None:
    v18 = make_firm(20, 60, version="18.0")
    rpc18 = RpcClient(v18.url, protocol)
    assert rpc18.call("common", "version")["server_version_info"][:2] == [18, 0]
    assert rpc18.execute("account.payment", "search_read", [], fields=["memo"], limit=1)
    with pytest.raises(RpcFault, match="ref"):
        rpc18.execute("account.payment", "search_read", [], fields=["ref"], limit=1)
    with pytest.raises(RpcFault):
        rpc18.execute("res.partner", "name_get", [1])
    v16 = make_firm(20, 60, version="16.0")
    rpc16 = RpcClient(v16.url, protocol)
    assert rpc16.execute("account.payment", "search_read", [], fields=["ref"], limit=1)
    with pytest.raises(RpcFault) as info:
        rpc16.execute("account.move", "message_post", [v16.summary.examples["eur_invoice"]], body="<p>x</p>",
                      body_is_html=True)
    assert info.value.code in (1, "builtins.TypeError")
    assert rpc16.execute("res.partner", "name_get", [1]) == [[1, "Harbor & Reed LLP"]]


def test_call_counter_and_odoolib_round_trips(firm: Firm, protocol: str) -> None:
    conn = connect(firm, protocol)
    firm.server.calls.reset()
    conn.get_model("account.move").search_read([["state", "=", "posted"]], ["name"], limit=5)
    calls = firm.server.calls
    assert calls["common", "login", ""] == 1
    assert calls["object", "search", "account.move"] == 1 and calls["object", "read", "account.move"] == 1
    assert calls.count(service="object") == 2 and calls.total() == 3
    calls.reset()
    assert calls.total() == 0


def test_create_write_unlink_and_old_execute(rpc: RpcClient) -> None:
    pid = rpc.execute("res.partner", "create", {"name": "New Client", "email": "n@example.com"})
    assert isinstance(pid, int)
    assert len(rpc.execute("res.partner", "create", [{"name": "A"}, {"name": "B"}])) == 2
    assert rpc.execute("res.partner", "write", [pid], {"phone": "+1 555"}) is True
    assert rpc.execute("res.partner", "name_search", "New Cli") == [[pid, "New Client"]]
    assert rpc.call("object", "execute", SANDBOX_DB, 2, SANDBOX_PASSWORD, "res.partner", "search_count",
                    [["id", "=", pid]]) == 1
    assert rpc.execute("res.partner", "unlink", [pid]) is True
    assert rpc.execute("res.partner", "read", [pid], fields=["name"]) == []
    assert rpc.call("db", "list") == [SANDBOX_DB]
    with pytest.raises(RpcFault):
        rpc.execute("res.partner", "write", [pid], {"name": "gone"})
