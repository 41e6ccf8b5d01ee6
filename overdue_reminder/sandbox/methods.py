"""The model methods a client may call through `execute_kw`, with Odoo's signatures and results.

Each takes an `Env` (database, user, model, context) then the RPC's positional and keyword
arguments, so a wrong call fails with the TypeError Odoo would raise. Results are in store terms
(Decimal, date); the dispatcher converts them at the wire.
"""

from __future__ import annotations

import calendar
import html
import inspect
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from . import domain as dom
from . import portal
from .behaviour import subscribe
from .errors import AccessError, MissingError, OdooTypeError, OdooValueError
from .models import GROUP_LABELS, GROUP_SYSTEM, NUMERIC
from .store import SandboxDB
from .wire import WireList, field_converter


@dataclass
class Env:
    db: SandboxDB
    uid: int
    model: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def active_test(self) -> bool:
        return bool(self.context.get("active_test", True))


@dataclass(frozen=True)
class Method:
    func: Callable[..., Any]
    operation: str | None  # the ACL operation it needs, None for none
    models: frozenset[str] | None = None  # None: every model
    until: int = 99


_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}


def check_access(env: Env, operation: str | None) -> None:
    """Odoo's ACL check: the AccessError of sample 13 for a user without the right group."""
    if operation is None:
        return
    mdef = env.db.model(env.model)
    if mdef.acl is None:
        return
    allowed = mdef.acl.get(operation, ())
    if env.db.groups(env.uid) & set(allowed):
        return
    groups = "\n".join(f"\t- {GROUP_LABELS.get(g, g)}" for g in allowed)
    raise AccessError(
        f"You are not allowed to {_VERBS[operation]} '{mdef.description}' ({env.model}) records.\n\n"
        f"This operation is allowed for the following groups:\n{groups}\n\n"
        "Contact your administrator to request access if necessary."
    )


def call(method_name: str, method: Method, env: Env, args: list[Any], kwargs: dict[str, Any]) -> Any:
    try:
        bound = inspect.signature(method.func).bind(env, *args, **kwargs)
    except TypeError as exc:
        raise OdooTypeError(f"BaseModel.{method_name}() {exc}") from None
    check_access(env, method.operation)
    return method.func(*bound.args, **bound.kwargs)


def _ids(value: Any) -> list[int]:
    if isinstance(value, bool):
        raise OdooTypeError(f"Invalid ids {value!r}")
    if isinstance(value, int):
        return [value]
    if isinstance(value, list | tuple):
        return [int(v) for v in value]
    if value in (None, False):
        return []
    raise OdooTypeError(f"Invalid ids {value!r}")


def _limit(value: Any) -> int | None:
    return None if value in (None, False, 0) else int(value)


def read_records(env: Env, ids: Iterable[int], fields: Any, *, names: bool = True) -> list[dict[str, Any]]:
    """Records as Odoo's `read` returns them: `id` first, then the fields in the order asked."""
    db, model = env.db, env.model
    mdef = db.model(model)
    if isinstance(fields, str):
        fields = [fields]
    wanted = list(fields) if fields else list(mdef.fields)
    db.check_fields(model, wanted)
    memo: dict[tuple[str, int], str] = {}
    plan = [(name, db.getter(model, name), field_converter(db, mdef.fields[name], names=names, memo=memo))
            for name in wanted if name != "id"]
    out = WireList()
    with db.lock:
        table = db.table(model).rows
        for rid in ids:
            row = table.get(rid)
            if row is None:
                continue
            rec: dict[str, Any] = {"id": rid}
            for name, get, convert in plan:
                rec[name] = convert(get(row))
            out.append(rec)
    return out


# --------------------------------------------------------------------------- ORM methods

def m_search(env: Env, domain: Any, offset: int = 0, limit: Any = None, order: Any = None,
             count: bool = False) -> Any:
    if count:
        return env.db.search_count(env.model, domain, active_test=env.active_test)
    return env.db.search(env.model, domain, offset=offset or 0, limit=_limit(limit), order=order or None,
                         active_test=env.active_test)


def m_search_count(env: Env, domain: Any, limit: Any = None) -> int:
    return env.db.search_count(env.model, domain, limit=_limit(limit), active_test=env.active_test)


def m_search_read(env: Env, domain: Any = None, fields: Any = None, offset: int = 0, limit: Any = None,
                  order: Any = None, load: str | None = "_classic_read") -> list[dict[str, Any]]:
    if fields:
        env.db.check_fields(env.model, [fields] if isinstance(fields, str) else fields)
    with env.db.lock:
        ids = env.db.search(env.model, domain or [], offset=offset or 0, limit=_limit(limit), order=order or None,
                            active_test=env.active_test)
        return read_records(env, ids, fields, names=bool(load))


def m_read(env: Env, ids: Any, fields: Any = None, load: str | None = "_classic_read") -> list[dict[str, Any]]:
    return read_records(env, _ids(ids), fields, names=bool(load))


def m_fields_get(env: Env, allfields: Any = None, attributes: Any = None) -> dict[str, Any]:
    mdef = env.db.model(env.model)
    names = [n for n in mdef.fields if not allfields or n in allfields]
    out: dict[str, Any] = {}
    for name in names:
        desc = mdef.fields[name].describe()
        if attributes:
            desc = {k: v for k, v in desc.items() if k in attributes}
        out[name] = desc
    return out


def m_create(env: Env, vals_list: Any) -> Any:
    if isinstance(vals_list, dict):
        return env.db.create(env.model, vals_list, uid=env.uid, context=env.context)
    if not isinstance(vals_list, list):
        raise OdooTypeError(f"create() expects a dict or a list of dicts, not {type(vals_list).__name__}")
    with env.db.lock:
        return [env.db.create(env.model, vals, uid=env.uid, context=env.context) for vals in vals_list]


# What Odoo 17 lets every user change on their own res.users record (SELF_WRITEABLE_FIELDS, abridged).
SELF_WRITEABLE = frozenset({"email", "name", "signature", "lang", "tz", "image_1920", "action_id"})


def m_write(env: Env, ids: Any, vals: dict[str, Any]) -> bool:
    targets = _ids(ids)
    own = targets == [env.uid] and set(vals) <= SELF_WRITEABLE
    if env.model == "res.users" and not own and GROUP_SYSTEM not in env.db.groups(env.uid):
        raise AccessError("You are not allowed to modify 'User' (res.users) records.\n\nThis operation is "
                              "allowed for the following groups:\n\t- Administration/Settings\n\n"
                              "Contact your administrator to request access if necessary.")
    env.db.write(env.model, targets, vals, uid=env.uid)
    return True


def m_unlink(env: Env, ids: Any) -> bool:
    env.db.unlink(env.model, _ids(ids), uid=env.uid)
    return True


def m_name_search(env: Env, name: str = "", args: Any = None, operator: str = "ilike",
                  limit: Any = 100) -> list[list[Any]]:
    domain = list(args or [])
    if name:
        domain = dom.and_domains(domain, [("display_name", operator, name)])
    with env.db.lock:
        ids = env.db.search(env.model, domain, limit=_limit(limit), active_test=env.active_test)
        return [[rid, env.db.display_name(env.model, rid)] for rid in ids]


def m_name_get(env: Env, ids: Any) -> list[list[Any]]:
    with env.db.lock:
        return [[rid, env.db.display_name(env.model, rid)] for rid in _ids(ids) if env.db.row(env.model, rid)]


def m_check_access_rights(env: Env, operation: str, raise_exception: bool = True) -> bool:
    try:
        check_access(env, operation)
    except AccessError:
        if raise_exception:
            raise
        return False
    return True


def m_context_get(env: Env) -> dict[str, Any]:
    return {"lang": "en_US", "tz": "America/New_York", "uid": env.uid}


# --------------------------------------------------------------------------- read_group

_AGG_RE = re.compile(r"^(\w+)(?::(\w+)(?:\((\w+)\))?)?$")
_GRANULARITIES = ("day", "week", "month", "quarter", "year")
_AGGREGATES = {"sum", "avg", "min", "max", "count", "count_distinct", "array_agg", "bool_and", "bool_or"}


def _period(value: date, granularity: str) -> tuple[date, date, str]:
    if granularity == "day":
        return value, value + timedelta(days=1), value.strftime("%d %b %Y")
    if granularity == "week":
        start = value - timedelta(days=value.weekday())
        year, week, _ = value.isocalendar()
        return start, start + timedelta(days=7), f"W{week} {year}"
    if granularity == "month":
        start = value.replace(day=1)
        end = start + timedelta(days=calendar.monthrange(start.year, start.month)[1])
        return start, end, start.strftime("%B %Y")
    if granularity == "quarter":
        q = (value.month - 1) // 3
        start = date(value.year, 3 * q + 1, 1)
        end = date(value.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
        return start, end, f"Q{q + 1} {value.year}"
    start = date(value.year, 1, 1)
    return start, date(value.year + 1, 1, 1), str(value.year)


def _aggregate(func: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if func == "count":
        return len(present)
    if func == "count_distinct":
        return len(set(present))
    if func == "array_agg":
        return present
    if func == "bool_and":
        return all(present)
    if func == "bool_or":
        return any(present)
    if not present:
        return False
    if func == "sum":
        return sum(present, Decimal(0)) if isinstance(present[0], Decimal) else sum(present)
    if func == "avg":
        total = sum(present, Decimal(0)) if isinstance(present[0], Decimal) else sum(present)
        return total / len(present)
    if func == "min":
        return min(present)
    return max(present)


def m_read_group(env: Env, domain: Any, fields: Any, groupby: Any, offset: int = 0, limit: Any = None,
                 orderby: Any = False, lazy: bool = True) -> list[dict[str, Any]]:
    """Odoo's read_group: `field:agg` / `alias:agg(field)` specs, `field:granularity` groupbys."""
    db, model = env.db, env.model
    mdef = db.model(model)
    groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
    used = groupby[:1] if lazy and groupby else groupby
    group_specs: list[tuple[str, str, str | None]] = []  # (spec, field, granularity)
    for spec in used:
        fname, _, gran = spec.partition(":")
        if fname not in mdef.fields:
            raise OdooValueError(f"Invalid field {fname!r} on model {model!r}")
        if gran and gran not in _GRANULARITIES:
            raise OdooValueError(f"Invalid granularity {gran!r} for field {fname!r}")
        if not gran and mdef.fields[fname].type in ("date", "datetime"):
            gran = "month"
        group_specs.append((spec, fname, gran or None))
    aggregates: list[tuple[str, str, str]] = []  # (alias, func, field)
    grouped_fields = {f for _, f, _ in group_specs}
    for spec in [fields] if isinstance(fields, str) else list(fields or []):
        match = _AGG_RE.match(spec)
        if spec == "__count" or match is None:
            continue
        alias, func, fname = match.group(1), match.group(2), match.group(3) or match.group(1)
        if fname not in mdef.fields:
            raise OdooValueError(f"Invalid field {fname!r} on model {model!r}")
        if fname in grouped_fields and not match.group(2):
            continue
        if func is None:
            if mdef.fields[fname].type not in NUMERIC or fname == "id":
                continue
            func = "sum"
        if func not in _AGGREGATES:
            raise OdooValueError(f"Invalid aggregation function {func!r}.")
        aggregates.append((alias, func, fname))

    with db.lock:
        ids = db.search(model, domain or [], order="id", active_test=env.active_test)
        rows = db.table(model).rows
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        getters = [db.getter(model, f) for _, f, _ in group_specs]
        for rid in ids:
            row = rows[rid]
            key: list[Any] = []
            for (_, _, gran), get in zip(group_specs, getters, strict=True):
                value = get(row)
                if gran and value is not None:
                    value = _period(value.date() if isinstance(value, datetime) else value, gran)[0]
                key.append(value)
            groups.setdefault(tuple(key), []).append(row)
        if not group_specs and not groups:
            groups[()] = []
        results: list[dict[str, Any]] = []
        for group_key, members in groups.items():
            results.append(_group_result(env, group_key, members, group_specs, aggregates, groupby, domain or [], lazy))
        _order_groups(env, results, group_specs, orderby)
    end = None if _limit(limit) is None else (offset or 0) + int(limit)
    return results[offset or 0:end]


def _group_result(env: Env, key: tuple[Any, ...], members: list[dict[str, Any]],
                  group_specs: list[tuple[str, str, str | None]], aggregates: list[tuple[str, str, str]],
                  groupby: list[str], domain: Any, lazy: bool) -> dict[str, Any]:
    db, model = env.db, env.model
    mdef = db.model(model)
    out: dict[str, Any] = {}
    group_domain: list[Any] = []
    ranges: dict[str, Any] = {}
    for (spec, fname, gran), value in zip(group_specs, key, strict=True):
        fdef = mdef.fields[fname]
        if value is None:
            out[spec] = False
            group_domain.append((fname, "=", False))
        elif gran:
            start, end, label = _period(value, gran)
            out[spec] = label
            ranges[spec] = {"from": start.isoformat(), "to": end.isoformat()}
            group_domain += [(fname, ">=", start.isoformat()), (fname, "<", end.isoformat())]
        elif fdef.type == "many2one" and fdef.relation:
            out[spec] = (value, db.display_name(fdef.relation, value))
            group_domain.append((fname, "=", value))
        else:
            out[spec] = field_converter(db, fdef)(value)
            group_domain.append((fname, "=", value))
    for alias, func, fname in aggregates:
        get = db.getter(model, fname)
        out[alias] = _aggregate(func, [get(r) for r in members])
    count_key = f"{groupby[0].split(':')[0]}_count" if lazy and groupby else "__count"
    out[count_key] = len(members)
    out["__domain"] = dom.and_domains(group_domain, domain)
    if ranges:
        out["__range"] = ranges
    if lazy and len(groupby) > 1:
        out["__context"] = {"group_by": groupby[1:]}
    return out


def _order_groups(env: Env, results: list[dict[str, Any]], group_specs: list[tuple[str, str, str | None]],
                  orderby: Any) -> None:
    keys: list[tuple[str, bool]] = []
    if orderby:
        for part in str(orderby).split(","):
            words = part.split()
            if words:
                keys.append((words[0], len(words) > 1 and words[1].lower() == "desc"))
    else:
        keys = [(spec, False) for spec, _, _ in group_specs]
    ranges = {spec: spec for spec, _, gran in group_specs if gran}
    for name, desc in reversed(keys):
        def sort_key(group: dict[str, Any], name: str = name) -> tuple[int, Any]:
            value = group.get(name)
            if name in ranges and value:
                value = group["__range"][name]["from"]
            if isinstance(value, tuple):
                value = value[1]
            return (1, 0) if value is False or value is None else (0, value)

        results.sort(key=sort_key, reverse=desc)


# --------------------------------------------------------------------------- mail

def _singleton(env: Env, ids: Any) -> dict[str, Any]:
    id_list = _ids(ids)
    if len(id_list) != 1:
        raise OdooValueError(f"Expected singleton: {env.model}{tuple(id_list)}")
    row = env.db.row(env.model, id_list[0])
    if row is None:
        raise MissingError(f"Record does not exist or has been deleted.\n(Record: {env.model}({id_list[0]},), "
                           f"User: {env.uid})")
    return row


def post_message(db: SandboxDB, model: str, res_id: int, body: str, *, uid: int, message_type: str = "notification",
                 subtype_xmlid: str | None = None, subject: str | None = None,
                 attachment_ids: Iterable[int] = ()) -> int:
    """What message_post stores; shared with the simulation helpers. Leaves write_date alone."""
    subtype = db.xmlid_to_res_id(subtype_xmlid or "mail.mt_note")[1]
    with db.lock:
        mid = db.create("mail.message", {
            "body": body, "model": model, "res_id": res_id, "message_type": message_type, "subtype_id": subtype,
            "subject": subject or False, "attachment_ids": list(attachment_ids),
        }, uid=uid)
        for aid in attachment_ids:
            if db.row("ir.attachment", aid) is not None:
                db.write("ir.attachment", [aid], {"res_model": model, "res_id": res_id}, uid=uid)
        return mid


def m_message_post(env: Env, ids: Any, body: str = "", subject: str | None = None,
                   message_type: str = "notification", subtype_xmlid: str | None = None, subtype_id: Any = False,
                   partner_ids: Any = None, attachment_ids: Any = None, author_id: Any = None,
                   email_from: Any = None, parent_id: Any = False, body_is_html: bool = False,
                   attachments: Any = None, email_layout_xmlid: Any = None) -> int:
    """mail.thread's message_post. Odoo 17+ escapes a plain str body unless body_is_html."""
    if env.db.major < 17 and body_is_html:
        raise OdooTypeError("MailThread.message_post() got an unexpected keyword argument 'body_is_html'")
    with env.db.lock:
        row = _singleton(env, ids)
        text = str(body or "")
        if env.db.major >= 17 and not body_is_html:
            text = html.escape(text)
        if subtype_id and not subtype_xmlid:
            subtype_xmlid = {1: "mail.mt_comment", 2: "mail.mt_note", 3: "mail.mt_activities"}.get(subtype_id)
        mid = post_message(env.db, env.model, row["id"], text, uid=env.uid, message_type=message_type,
                           subtype_xmlid=subtype_xmlid, subject=subject, attachment_ids=_ids(attachment_ids))
        if author_id:
            env.db.write("mail.message", [mid], {"author_id": author_id}, uid=env.uid)
        return mid


def m_message_subscribe(env: Env, ids: Any, partner_ids: Any = None, subtype_ids: Any = None) -> bool:
    with env.db.lock:
        for rid in _ids(ids):
            _singleton(env, [rid])
        subscribe(env.db, env.model, _ids(ids), _ids(partner_ids or []))
    return True


def m_message_unsubscribe(env: Env, ids: Any, partner_ids: Any = None) -> bool:
    targets, partners = set(_ids(ids)), set(_ids(partner_ids or []))
    with env.db.lock:
        gone = [r["id"] for r in env.db.tables["mail.followers"].rows.values()
                if r["res_model"] == env.model and r["res_id"] in targets and r["partner_id"] in partners]
        env.db.unlink("mail.followers", gone, uid=env.uid)
    return True


def m_action_send_mail(env: Env, ids: Any) -> dict[str, Any]:
    """The composer in comment mode: message_post on each record with the wizard's (HTML) body."""
    with env.db.lock:
        wiz = _singleton(env, ids)
        raw = wiz["res_ids"] or "[]"
        res_ids = [int(x) for x in json.loads(raw)] if isinstance(raw, str) else _ids(raw)
        subtype = env.db.display_name("mail.message.subtype", wiz["subtype_id"]) if wiz["subtype_id"] else ""
        xmlid = "mail.mt_note" if subtype == "Note" else "mail.mt_comment"
        for rid in res_ids:
            mid = post_message(env.db, wiz["model"], rid, str(wiz["body"] or ""), uid=env.uid,
                               message_type="comment", subtype_xmlid=xmlid, subject=wiz["subject"])
            env.db.write("mail.message", [mid], {"partner_ids": list(wiz["partner_ids"] or [])}, uid=env.uid)
    return {"type": "ir.actions.act_window_close"}


def m_set_message_done(env: Env, ids: Any) -> None:
    """Returns None on purpose: XML-RPC then faults although the call ran (sample 18)."""
    _ids(ids)
    return None


def finish_activities(db: SandboxDB, ids: Iterable[int], *, uid: int, feedback: str | None = None) -> int | bool:
    """Mark activities done and post the "done" note on their documents; the first message id."""
    messages: list[int] = []
    with db.lock:
        for aid in ids:
            row = db.row("mail.activity", aid)
            if row is None or not row["active"]:
                raise MissingError(f"Record does not exist or has been deleted.\n(Record: mail.activity({aid},), "
                                   f"User: {uid})")
            kind = db.display_name("mail.activity.type", row["activity_type_id"]) if row["activity_type_id"] \
                else "Activity"
            body = f"<div><p>{html.escape(kind)} done</p>"
            if row["summary"]:
                body += f"<p>{html.escape(row['summary'])}</p>"
            if feedback:
                body += f"<p>{html.escape(str(feedback))}</p>"
            body += "</div>"
            if row["res_model"] in db.tables and db.row(row["res_model"], row["res_id"]) is not None:
                messages.append(post_message(db, row["res_model"], row["res_id"], body, uid=uid,
                                             message_type="notification", subtype_xmlid="mail.mt_activities"))
            db.write("mail.activity", [aid], {"active": False, "date_done": db.today()}, uid=uid)
    return messages[0] if messages else False


def m_action_feedback(env: Env, ids: Any, feedback: Any = False, attachment_ids: Any = None) -> int | bool:
    return finish_activities(env.db, _ids(ids), uid=env.uid, feedback=feedback or None)


def m_action_done(env: Env, ids: Any) -> int | bool:
    return finish_activities(env.db, _ids(ids), uid=env.uid)


_THREADS = frozenset({"res.partner", "account.move", "account.payment"})

METHODS: dict[str, Method] = {
    "search": Method(m_search, "read"),
    "search_count": Method(m_search_count, "read"),
    "search_read": Method(m_search_read, "read"),
    "read": Method(m_read, "read"),
    "fields_get": Method(m_fields_get, None),
    "create": Method(m_create, "create"),
    "write": Method(m_write, "write"),
    "unlink": Method(m_unlink, "unlink"),
    "name_search": Method(m_name_search, "read"),
    "name_get": Method(m_name_get, "read", until=17),
    "read_group": Method(m_read_group, "read"),
    "check_access_rights": Method(m_check_access_rights, None),
    "message_post": Method(m_message_post, "read", _THREADS),
    "message_subscribe": Method(m_message_subscribe, "read", _THREADS),
    "message_unsubscribe": Method(m_message_unsubscribe, "write", _THREADS),
    "action_send_mail": Method(m_action_send_mail, None, frozenset({"mail.compose.message"})),
    "set_message_done": Method(m_set_message_done, None, frozenset({"mail.message"})),
    "action_feedback": Method(m_action_feedback, "write", frozenset({"mail.activity"})),
    "action_done": Method(m_action_done, "write", frozenset({"mail.activity"})),
    "context_get": Method(m_context_get, None, frozenset({"res.users"})),
    "get_portal_url": Method(portal.m_get_portal_url, "read", frozenset({"account.move"})),
    "load": Method(portal.m_load, "write", frozenset({"account.move"})),
    "get_param": Method(portal.m_get_param, "read", frozenset({"ir.config_parameter"})),
}


def find_method(db: SandboxDB, model: str, name: str) -> Method | None:
    method = METHODS.get(name)
    if method is None or db.major > method.until:
        return None
    if method.models is not None and model not in method.models:
        return None
    return method
