"""Odoo domains evaluated over in-memory records, with Odoo's semantics and Odoo's errors.

Pure: a domain is parsed against field definitions and compiled to a predicate; related records
are reached only through the `Resolver` the store passes in. Semantics follow Odoo 17's SQL:
empty values are None here (False on the wire), `!=`, `not in` and the negative `like`s include
empty values, comparisons with an empty value match nothing, and a many2one compared with a
string matches on the related record's display name (as Odoo's name_search does).
"""

from __future__ import annotations

import operator as op_
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from .errors import OdooAttributeError, OdooError, OdooTypeError, OdooValueError
from .models import RELATIONAL, FieldDef

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]

AND, OR, NOT = "&", "|", "!"
TRUE_LEAF: tuple[Any, ...] = (1, "=", 1)
FALSE_LEAF: tuple[Any, ...] = (0, "=", 1)
OPERATORS = frozenset({
    "=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike", "not ilike",
    "in", "not in", "child_of", "parent_of", "any", "not any",
})
_ALIASES = {"<>": "!=", "==": "="}
_ARITY = {NOT: 1, AND: 2, OR: 2}
_NEGATIVE = frozenset({"!=", "not like", "not ilike", "not in", "not any"})
_LIKES = frozenset({"like", "ilike", "=like", "=ilike", "not like", "not ilike"})
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {"<": op_.lt, "<=": op_.le, ">": op_.gt, ">=": op_.ge}


class OdooAssertionError(OdooError, AssertionError):
    qualname = "builtins.AssertionError"


class Resolver(Protocol):
    """What domain compilation needs from the store."""

    def field(self, model: str, name: str) -> FieldDef | None: ...

    def getter(self, model: str, name: str) -> Callable[[Record], Any]: ...

    def matching_ids(self, model: str, predicate: Predicate) -> set[int]: ...

    def hierarchy_ids(self, model: str, ids: set[int], *, parents: bool) -> set[int]: ...


@dataclass(frozen=True)
class Leaf:
    model: str
    path: tuple[str, ...]
    operator: str
    right: Any
    field: FieldDef


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Leaf | Const | And | Or | Not


def _is_operator(token: Any) -> bool:
    return isinstance(token, str) and token in _ARITY


def normalize(domain: Any) -> list[Any]:
    """Odoo's normalize_domain: make implicit '&' explicit, reject a wrong operand count."""
    if not isinstance(domain, list | tuple):
        raise OdooAssertionError("Domains to normalize must have a 'domain' form: a list or tuple of domain components")
    if not domain:
        return [TRUE_LEAF]
    result: list[Any] = []
    expected = 1
    for token in domain:
        if expected == 0:
            result[0:0] = [AND]
            expected = 1
        if isinstance(token, list | tuple):
            expected -= 1
            token = tuple(token)
        else:
            expected += _ARITY.get(token, 0) - 1 if isinstance(token, str) else -1
        result.append(token)
    if expected:
        raise OdooValueError(f"Domain {domain} is syntactically not correct.")
    return result


def and_domains(*domains: Sequence[Any]) -> list[Any]:
    """Odoo's expression.AND, used for read_group's `__domain`."""
    parts = [normalize(list(d)) for d in domains if d]
    parts = [p for p in parts if p != [TRUE_LEAF]]
    if not parts:
        return []
    result: list[Any] = [AND] * (len(parts) - 1)
    for part in parts:
        result.extend(part)
    return result


def _as_tuple(token: Any) -> tuple[Any, ...]:
    if isinstance(token, tuple):
        return token
    if isinstance(token, str | list):
        return tuple(token)
    raise OdooTypeError(f"'{type(token).__name__}' object is not iterable")


def parse(domain: Any, model: str, resolver: Resolver) -> Node:
    """Check a domain as Odoo does (arity, then leaf shape and fields, then operators) and build a tree."""
    tokens = normalize(domain)
    items: list[Any] = []
    for token in tokens:  # Odoo's _anyfy_leaves: unpack and field names first
        if _is_operator(token):
            items.append(token)
            continue
        item = _as_tuple(token)
        if len(item) != 3:
            if len(item) < 3:
                raise OdooValueError(f"not enough values to unpack (expected 3, got {len(item)})")
            raise OdooValueError("too many values to unpack (expected 3)")
        if item in (TRUE_LEAF, FALSE_LEAF):
            items.append(Const(item == TRUE_LEAF))
            continue
        left = item[0]
        if not isinstance(left, str):
            raise OdooAttributeError(f"'{type(left).__name__}' object has no attribute 'split'")
        path = tuple(left.split("."))
        items.append((item, path, _resolve_path(model, path, item, resolver)))
    nodes: list[Any] = []
    for entry in items:  # Odoo's check_leaf: operators
        if not isinstance(entry, tuple):
            nodes.append(entry)
            continue
        item, path, fdef = entry
        raw_op = item[1]
        operator = _ALIASES.get(raw_op, raw_op.lower()) if isinstance(raw_op, str) else raw_op
        if operator not in OPERATORS:
            raise OdooValueError(f"Invalid leaf {item}")
        nodes.append(Leaf(model=model, path=path, operator=operator, right=item[2], field=fdef))
    stack: list[Node] = []
    for token in reversed(nodes):
        if token == NOT:
            stack.append(Not(stack.pop()))
        elif token in (AND, OR):
            first, second = stack.pop(), stack.pop()
            cls = And if token == AND else Or
            children: list[Node] = []
            for child in (first, second):
                children.extend(child.children if isinstance(child, cls) else (child,))
            stack.append(cls(tuple(children)))
        else:
            stack.append(token)
    return stack[0]


def _resolve_path(model: str, path: tuple[str, ...], item: tuple[Any, ...], resolver: Resolver) -> FieldDef:
    fdef = resolver.field(model, path[0])
    if fdef is None:
        raise OdooValueError(f"Invalid field {model}.{path[0]} in leaf {item}")
    current = fdef
    for depth, name in enumerate(path[1:], start=1):
        if current.type not in RELATIONAL or current.relation is None:
            raise OdooValueError(f"Invalid field {current.name!r} in leaf {item}")
        sub = resolver.field(current.relation, name)
        if sub is None:
            rest = (".".join(path[depth:]), item[1], item[2])
            raise OdooValueError(f"Invalid field {current.relation}.{name} in leaf {rest}")
        current = sub
    return fdef


def mentions(node: Node, field_name: str) -> bool:
    """Whether a leaf names the field (Odoo skips its implicit active filter then)."""
    if isinstance(node, Leaf):
        return node.path[0] == field_name
    if isinstance(node, And | Or):
        return any(mentions(c, field_name) for c in node.children)
    if isinstance(node, Not):
        return mentions(node.child, field_name)
    return False


def conjuncts(node: Node) -> tuple[Node, ...]:
    """The nodes that must all hold: where index hints may be taken from."""
    return node.children if isinstance(node, And) else (node,)


# ---------------------------------------------------------------------------------------------
# values


def _empty(value: Any) -> bool:
    return value is None or value is False


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise OdooValueError(f'invalid input syntax for type date: "{value}"')


def parse_datetime(value: Any, operator: str = "=") -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10:  # Odoo widens a bare date to the whole day
            text += " 23:59:59" if operator in (">", "<=") else " 00:00:00"
        try:
            return datetime.fromisoformat(text).replace(tzinfo=None, microsecond=0)
        except ValueError:
            pass
    raise OdooValueError(f'invalid input syntax for type timestamp: "{value}"')


def coerce(fdef: FieldDef, value: Any, operator: str = "=") -> Any:
    """A domain's right-hand value in the store's terms (None for empty)."""
    if _empty(value):
        return None
    kind = fdef.type
    if kind == "date":
        return parse_date(value)
    if kind == "datetime":
        return parse_datetime(value, operator)
    if kind in ("float", "monetary"):
        try:
            return value if isinstance(value, Decimal) else Decimal(str(value))
        except InvalidOperation:
            raise OdooValueError(f'invalid input syntax for type numeric: "{value}"') from None
    if kind == "boolean":
        return bool(value)
    if kind in ("integer", "many2one", "many2one_reference") and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _like_regex(pattern: str, *, wildcard: bool, ignore_case: bool) -> re.Pattern[str]:
    """SQL LIKE as a regex: `%` and `_` are wildcards only for =like/=ilike."""
    if wildcard:
        parts = []
        chars = iter(pattern)
        for ch in chars:
            if ch == "\\":
                parts.append(re.escape(next(chars, "\\")))
            elif ch == "%":
                parts.append(".*")
            elif ch == "_":
                parts.append(".")
            else:
                parts.append(re.escape(ch))
        body = "".join(parts)
    else:
        body = ".*" + re.escape(pattern) + ".*"
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _text_matcher(operator: str, right: Any) -> Callable[[Any], bool]:
    """A test on one (non-empty) value for a like-family operator, positive form."""
    positive = operator.replace("not ", "")
    needle = "" if _empty(right) else str(right)
    if positive == "ilike":
        low = needle.lower()
        return lambda v: low in _text(v).lower()
    if positive == "like":
        return lambda v: needle in _text(v)
    rx = _like_regex(needle, wildcard=True, ignore_case=positive == "=ilike")
    return lambda v: rx.fullmatch(_text(v)) is not None


def _values(right: Any) -> list[Any]:
    return list(right) if isinstance(right, list | tuple | set | frozenset) else [right]


# ---------------------------------------------------------------------------------------------
# compilation


def compile_node(node: Node, resolver: Resolver) -> Predicate:
    """A predicate over store records for a parsed domain."""
    if isinstance(node, Const):
        return _TRUE if node.value else _FALSE
    if isinstance(node, Leaf):
        return compile_leaf(node, resolver)
    if isinstance(node, Not):
        inner = compile_node(node.child, resolver)
        return lambda r: not inner(r)
    preds = [compile_node(c, resolver) for c in node.children]
    if isinstance(node, And):
        if len(preds) == 2:
            a, b = preds
            return lambda r: a(r) and b(r)

        def all_of(r: Record) -> bool:
            return all(p(r) for p in preds)

        return all_of

    def any_of(r: Record) -> bool:
        return any(p(r) for p in preds)

    return any_of


def _TRUE(_: Record) -> bool:
    return True


def _FALSE(_: Record) -> bool:
    return False


def compile_leaf(leaf: Leaf, resolver: Resolver) -> Predicate:
    fdef, operator, right = leaf.field, leaf.operator, leaf.right
    getter = resolver.getter(leaf.model, leaf.path[0])
    if len(leaf.path) > 1:
        # Through a relation: the related record must satisfy the rest of the path ("any").
        assert fdef.relation is not None
        sub_field = resolver.field(fdef.relation, leaf.path[1])
        assert sub_field is not None
        sub = Leaf(fdef.relation, leaf.path[1:], operator, right, sub_field)
        ids = resolver.matching_ids(fdef.relation, compile_leaf(sub, resolver))
        return _in_ids(getter, fdef, ids, negate=False)
    if operator == "=?":
        if _empty(right):
            return _TRUE
        operator = "="
    if operator in ("any", "not any"):
        if fdef.relation is None:
            raise OdooValueError(f"Operator {operator!r} needs a relational field, not {leaf.model}.{fdef.name}")
        sub_pred = compile_node(parse(right, fdef.relation, resolver), resolver)
        ids = resolver.matching_ids(fdef.relation, sub_pred)
        return _in_ids(getter, fdef, ids, negate=operator == "not any")
    if operator in ("child_of", "parent_of"):
        target = fdef.relation if fdef.type in RELATIONAL else (leaf.model if fdef.name == "id" else None)
        if target is None or resolver.field(target, "parent_id") is None:
            raise OdooValueError(f"Invalid leaf {(leaf.path[0], leaf.operator, right)}: no hierarchy")
        seeds = _ids_of(target, right, resolver)
        ids = resolver.hierarchy_ids(target, seeds, parents=operator == "parent_of")
        return _in_ids(getter, fdef, ids, negate=False)
    if fdef.type in ("many2one", "many2many", "one2many") and fdef.relation is not None and _by_name(operator, right):
        ids = _name_ids(fdef.relation, operator, right, resolver)
        return _in_ids(getter, fdef, ids, negate=operator in _NEGATIVE)
    if fdef.type in ("many2many", "one2many"):
        return _x2many(getter, operator, right)
    return _scalar(getter, fdef, operator, right)


def _by_name(operator: str, right: Any) -> bool:
    """A relational leaf that compares names (Odoo runs name_search on the comodel)."""
    if operator in _LIKES:
        return True
    if operator in ("=", "!=", "in", "not in"):
        return any(isinstance(v, str) for v in _values(right))
    return False


def _name_ids(model: str, operator: str, right: Any, resolver: Resolver) -> set[int]:
    display = resolver.getter(model, "display_name")
    if operator in _LIKES:
        match = _text_matcher(operator, right)
    else:
        names = {v for v in _values(right) if isinstance(v, str)}
        def match(v: Any) -> bool:
            return v in names

    def pred(rec: Record) -> bool:
        return match(display(rec) or "")

    return resolver.matching_ids(model, pred)


def _ids_of(model: str, right: Any, resolver: Resolver) -> set[int]:
    if isinstance(right, str):
        return _name_ids(model, "ilike", right, resolver)
    return {int(v) for v in _values(right) if not _empty(v)}


def _in_ids(getter: Callable[[Record], Any], fdef: FieldDef, ids: set[int], *, negate: bool) -> Predicate:
    if fdef.type in ("many2many", "one2many"):
        if negate:
            return lambda r: not any(i in ids for i in getter(r) or ())
        return lambda r: any(i in ids for i in getter(r) or ())
    if negate:
        return lambda r: getter(r) not in ids
    return lambda r: getter(r) in ids


def _x2many(getter: Callable[[Record], Any], operator: str, right: Any) -> Predicate:
    if operator in ("=", "!=") and _empty(right):
        want_empty = operator == "="
        return lambda r: (not getter(r)) == want_empty
    if operator in ("=", "in", "!=", "not in"):
        ids = {int(v) for v in _values(right) if not _empty(v)}
        negate = operator in ("!=", "not in")
        if negate:
            return lambda r: not any(i in ids for i in getter(r) or ())
        return lambda r: any(i in ids for i in getter(r) or ())
    raise OdooValueError(f"Operator {operator!r} is not supported on x2many fields by the sandbox")


def _scalar(getter: Callable[[Record], Any], fdef: FieldDef, operator: str, right: Any) -> Predicate:
    boolean = fdef.type == "boolean"
    if operator == "=":
        value = coerce(fdef, right, operator)
        if value is None:
            if boolean:
                return lambda r: not getter(r)
            return lambda r: getter(r) is None
        if boolean:
            return (lambda r: getter(r) is True) if value else (lambda r: not getter(r))
        return lambda r: getter(r) == value
    if operator == "!=":
        value = coerce(fdef, right, operator)
        if value is None:
            if boolean:
                return lambda r: bool(getter(r))
            return lambda r: getter(r) is not None
        if boolean:
            return (lambda r: getter(r) is not True) if value else (lambda r: bool(getter(r)))
        return lambda r: (v := getter(r)) is None or v != value
    if operator in _COMPARE:
        value = coerce(fdef, right, operator)
        if value is None:
            return _FALSE
        cmp = _COMPARE[operator]
        return lambda r: (v := getter(r)) is not None and cmp(v, value)
    if operator in ("in", "not in"):
        values = _values(right)
        has_empty = any(_empty(v) for v in values)
        wanted = {coerce(fdef, v) for v in values if not _empty(v)}
        if boolean and has_empty:
            wanted.add(False)
        if operator == "in":
            if has_empty:
                return lambda r: (v := getter(r)) is None or v in wanted
            return lambda r: getter(r) in wanted
        if has_empty:
            return lambda r: (v := getter(r)) is not None and v not in wanted
        return lambda r: (v := getter(r)) is None or v not in wanted
    if operator in _LIKES:
        negative = operator.startswith("not ")
        if _empty(right) or right == "":
            if operator in ("like", "ilike"):
                return _TRUE
            if negative:
                return lambda r: getter(r) is None
        match = _text_matcher(operator, right)
        if negative:
            return lambda r: (v := getter(r)) is None or not match(v)
        return lambda r: (v := getter(r)) is not None and match(v)
    raise OdooValueError(f"Invalid leaf ({fdef.name!r}, {operator!r}, {right!r})")


# ---------------------------------------------------------------------------------------------
# index hints


@dataclass
class Hints:
    """Bounds a search may start from instead of scanning the table (taken from top-level '&')."""

    id_lo: int | None = None
    id_hi: int | None = None
    id_in: frozenset[int] | None = None
    write_date_lo: datetime | None = None


def hints(node: Node) -> Hints:
    found = Hints()
    for leaf in conjuncts(node):
        if isinstance(leaf, Const) and not leaf.value:
            found.id_in = frozenset()
        if not isinstance(leaf, Leaf) or len(leaf.path) != 1:
            continue
        name, operator, right = leaf.path[0], leaf.operator, leaf.right
        if name == "id":
            _id_hint(found, operator, right)
        elif name == "write_date" and operator in (">", ">=") and not _empty(right):
            try:
                when = parse_datetime(right, operator)
            except OdooValueError:
                continue
            if found.write_date_lo is None or when > found.write_date_lo:
                found.write_date_lo = when
    return found


def _id_hint(found: Hints, operator: str, right: Any) -> None:
    if operator in ("in", "=") and not isinstance(right, str):
        ids = frozenset(int(v) for v in _values(right) if isinstance(v, int) and not isinstance(v, bool))
        found.id_in = ids if found.id_in is None else found.id_in & ids
        return
    if not isinstance(right, int) or isinstance(right, bool):
        return
    lo = {">": right + 1, ">=": right}.get(operator)
    hi = {"<": right - 1, "<=": right}.get(operator)
    if lo is not None and (found.id_lo is None or lo > found.id_lo):
        found.id_lo = lo
    if hi is not None and (found.id_hi is None or hi < found.id_hi):
        found.id_hi = hi

