"""In-memory Odoo tables: records as dicts of Python values, searched with Odoo's semantics.

Values are stored the way the client's own code should think of them: money as Decimal, dates
as `date`, `write_date` as a naive UTC `datetime` with whole seconds (as Odoo keeps it), empty
as None. The wire conversion (floats, strings, `False`) happens only at the RPC boundary.

Two sorted indexes per table keep the searches a sync makes cheap at 100,000 records:
ids (keyset pages `('id', '>', n)` ordered by id start with a bisect and stop after `limit`
matches) and `(write_date, id)` (incremental reads ordered by write_date). One re-entrant lock
guards everything, because the HTTP server is threaded and tests mutate data from their thread.
"""

from __future__ import annotations

import bisect
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import behaviour
from . import domain as dom
from .errors import MissingError, OdooValueError
from .models import FieldDef, ModelDef, build_models

SUPERUSER_ID = 1
CENT = Decimal("0.01")
_ORDER_RE = re.compile(
    r'^(\s*([a-z0-9:_]+|"[a-z0-9:_]+")(\.id)?(\s+(desc|asc))?(\s+(nulls\s+first|nulls\s+last))?\s*(,|$))+(?<!,)$',
    re.IGNORECASE,
)
Row = dict[str, Any]


def parse_version(version: str) -> int:
    """'17.0' -> 17; the sandbox knows 16, 17 and 18."""
    major = int(version.split(".")[0].removeprefix("saas~"))
    if major not in (16, 17, 18):
        raise ValueError(f"the sandbox speaks Odoo 16.0, 17.0 or 18.0, not {version!r}")
    return major


class Clock:
    """The server's notion of now (naive UTC, whole seconds), which tests step through days.

    Frozen clocks (the default) make write_dates deterministic; a flowing clock (the CLI's)
    advances with real time from wherever it was last set.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = True) -> None:
        self.frozen = frozen
        self._base = (start or datetime.now(UTC).replace(tzinfo=None)).replace(microsecond=0)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        if self.frozen:
            return self._base
        return (self._base + timedelta(seconds=time.monotonic() - self._t0)).replace(microsecond=0)

    def today(self) -> date:
        return self.now().date()

    def set(self, when: datetime) -> None:
        self._base = when.replace(tzinfo=None, microsecond=0)
        self._t0 = time.monotonic()

    def advance(self, delta: timedelta) -> datetime:
        self.set(self.now() + delta)
        return self.now()


@dataclass
class Stats:
    """Work counters, so tests can prove a keyset page costs O(limit), not O(table)."""

    searches: int = 0
    scanned: int = 0

    def reset(self) -> None:
        self.searches = 0
        self.scanned = 0


class Table:
    """One model's rows plus its two sorted indexes."""

    __slots__ = ("ids", "list_fields", "model", "next_id", "rows", "template", "wd_index")

    def __init__(self, model: ModelDef) -> None:
        self.model = model
        self.rows: dict[int, Row] = {}
        self.ids: list[int] = []
        self.wd_index: list[tuple[datetime, int]] = []
        self.next_id = 1
        self.template: Row = {}
        self.list_fields = tuple(f.name for f in model.fields.values() if f.type in ("many2many", "one2many"))
        for fdef in model.fields.values():
            if fdef.name in ("id", "display_name") or not (fdef.store or fdef.type == "binary"):
                continue
            default = model.defaults.get(fdef.name)
            if fdef.type == "boolean" and default is None:
                default = False
            if fdef.type in ("many2many", "one2many") and default is None:
                default = []
            self.template[fdef.name] = default

    def new_row(self, values: Mapping[str, Any]) -> Row:
        row = dict(self.template)
        for key in self.list_fields:  # never share the template's list between rows
            row[key] = list(row[key])
        row.update(values)
        return row

    def add(self, row: Row) -> None:
        rid = row["id"]
        self.rows[rid] = row
        if not self.ids or rid > self.ids[-1]:
            self.ids.append(rid)
        else:
            bisect.insort(self.ids, rid)
        self.next_id = max(self.next_id, rid + 1)
        wd = row.get("write_date")
        if wd is not None:
            entry = (wd, rid)
            if not self.wd_index or entry > self.wd_index[-1]:
                self.wd_index.append(entry)
            else:
                bisect.insort(self.wd_index, entry)

    def remove(self, rid: int) -> None:
        row = self.rows.pop(rid)
        del self.ids[bisect.bisect_left(self.ids, rid)]
        self._drop_wd(row.get("write_date"), rid)

    def reindex_write_date(self, rid: int, old: datetime | None, new: datetime | None) -> None:
        if old == new:
            return
        self._drop_wd(old, rid)
        if new is not None:
            bisect.insort(self.wd_index, (new, rid))

    def _drop_wd(self, wd: datetime | None, rid: int) -> None:
        if wd is None:
            return
        pos = bisect.bisect_left(self.wd_index, (wd, rid))
        if pos < len(self.wd_index) and self.wd_index[pos] == (wd, rid):
            del self.wd_index[pos]


class SandboxDB:
    """One Odoo database in memory: tables, users and their credentials, a clock, a lock."""

    def __init__(self, name: str = "lawfirm", *, version: str = "17.0", clock: Clock | None = None) -> None:
        self.name = name
        self.version = version
        self.major = parse_version(version)
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.stats = Stats()
        self.models: dict[str, ModelDef] = build_models(self.major)
        self.tables: dict[str, Table] = {name: Table(m) for name, m in self.models.items()}
        self._getters: dict[tuple[str, str], Callable[[Mapping[str, Any]], Any]] = {}
        self._passwords: dict[int, set[str]] = {}
        self._groups: dict[int, frozenset[str]] = {}
        self.sequences: dict[str, int] = {}
        self.meta: dict[str, Any] = {}
        behaviour.seed(self)

    # ------------------------------------------------------------------ clock and users

    def now(self) -> datetime:
        """The server's UTC now (see `clock`); tests may also replace this method on the instance."""
        return self.clock.now()

    def today(self) -> date:
        return self.now().date()

    def next_sequence(self, key: str) -> int:
        """Per-journal-and-year counters for names like INV/2026/00042."""
        with self.lock:
            value = self.sequences.get(key, 0) + 1
            self.sequences[key] = value
            return value

    def set_auth(self, uid: int, *, passwords: Iterable[str], groups: Iterable[str]) -> None:
        """Credentials (passwords or API keys, both accepted like Odoo 14+) and groups of a user."""
        with self.lock:
            self._passwords[uid] = set(passwords)
            self._groups[uid] = frozenset(groups)

    def authenticate(self, login: str, password: str) -> int | None:
        with self.lock:
            users = self.tables["res.users"]
            for uid in users.ids:
                row = users.rows[uid]
                if row["login"] == login and row["active"]:
                    return uid if password in self._passwords.get(uid, ()) else None
            return None

    def check_credentials(self, uid: Any, password: Any) -> bool:
        with self.lock:
            if not isinstance(uid, int) or not isinstance(password, str) or not password:
                return False
            row = self.tables["res.users"].rows.get(uid)
            return bool(row and row["active"] and password in self._passwords.get(uid, ()))

    def groups(self, uid: int) -> frozenset[str]:
        return self._groups.get(uid, frozenset())

    # ------------------------------------------------------------------ schema (the domain Resolver)

    def model(self, name: str) -> ModelDef:
        return self.models[name]

    def table(self, name: str) -> Table:
        return self.tables[name]

    def field(self, model: str, name: str) -> FieldDef | None:
        mdef = self.models.get(model)
        return mdef.fields.get(name) if mdef else None

    def check_fields(self, model: str, names: Iterable[str]) -> None:
        fields = self.models[model].fields
        for name in names:
            if name not in fields:
                raise OdooValueError(f"Invalid field {name!r} on model {model!r}")

    def getter(self, model: str, name: str) -> Callable[[Mapping[str, Any]], Any]:
        """A fast accessor for a field on a row: itemgetter for stored fields, a function otherwise."""
        key = (model, name)
        found = self._getters.get(key)
        if found is None:
            found = behaviour.make_getter(self, model, name)
            self._getters[key] = found
        return found

    def matching_ids(self, model: str, predicate: dom.Predicate) -> set[int]:
        rows = self.tables[model].rows
        self.stats.scanned += len(rows)
        return {rid for rid, row in rows.items() if predicate(row)}

    def hierarchy_ids(self, model: str, ids: set[int], *, parents: bool) -> set[int]:
        rows = self.tables[model].rows
        found = set(ids)
        if parents:
            for rid in ids:
                row = rows.get(rid)
                while row is not None and row.get("parent_id") and row["parent_id"] not in found:
                    found.add(row["parent_id"])
                    row = rows.get(row["parent_id"])
            return found
        children: dict[int, list[int]] = {}
        for rid, row in rows.items():
            if row.get("parent_id"):
                children.setdefault(row["parent_id"], []).append(rid)
        todo = list(ids)
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    # ------------------------------------------------------------------ display names

    def display_name(self, model: str, rid: int) -> str:
        row = self.tables[model].rows.get(rid)
        return "" if row is None else str(self.getter(model, "display_name")(row) or "")

    # ------------------------------------------------------------------ values

    def coerce_value(self, model: str, fdef: FieldDef, value: Any) -> Any:
        """A value from a client or a test in the store's terms; raises what Odoo would."""
        kind = fdef.type
        if kind == "boolean":
            return bool(value)
        if kind in ("many2many", "one2many"):
            return _x2many_commands(value, [])
        if value is None or value is False:
            return None
        if kind == "date":
            return dom.parse_date(value)
        if kind == "datetime":
            return dom.parse_datetime(value)
        if kind == "monetary":
            return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)  # as float_round does
        if kind == "float":
            return value if isinstance(value, Decimal) else Decimal(str(value))
        if kind in ("integer", "many2one", "many2one_reference"):
            if isinstance(value, list | tuple) and value:  # a [id, name] pair read back from the wire
                value = value[0]
            if isinstance(value, bool) or not isinstance(value, int):
                try:
                    return int(value)
                except (TypeError, ValueError):
                    raise OdooValueError(f"Wrong value for {model}.{fdef.name}: {value!r}") from None
            return value
        if kind == "selection":
            assert fdef.selection is not None
            if value not in {key for key, _ in fdef.selection}:
                raise OdooValueError(f"Wrong value for {model}.{fdef.name}: {value!r}")
            return value
        if kind == "binary":
            return value.decode("ascii") if isinstance(value, bytes) else str(value)
        return str(value)

    def _coerce_vals(self, model: str, vals: Mapping[str, Any], row: Row | None = None) -> Row:
        fields = self.models[model].fields
        out: Row = {}
        for name, value in vals.items():
            fdef = fields.get(name)
            if fdef is None:
                raise OdooValueError(f"Invalid field {name!r} on model {model!r}")
            if name in ("id", "display_name") or not (fdef.store or fdef.type == "binary"):
                continue  # Odoo ignores writes to computed fields without an inverse
            if fdef.type in ("many2many", "one2many"):
                out[name] = _x2many_commands(value, list(row.get(name) or []) if row else [])
            else:
                out[name] = self.coerce_value(model, fdef, value)
        return out

    # ------------------------------------------------------------------ writing

    def insert(self, model: str, rows: Iterable[Mapping[str, Any]]) -> list[int]:
        """Trusted bulk load (the generator's path): no coercion and no hooks, only defaults and ids."""
        with self.lock:
            table = self.tables[model]
            now = self.now()
            added: list[int] = []
            wd_sorted = True
            for values in rows:
                row = table.new_row(values)
                if row.get("id") is None:
                    row["id"] = table.next_id
                rid = row["id"]
                if row.get("create_date") is None:
                    row["create_date"] = now
                if row.get("write_date") is None:
                    row["write_date"] = row["create_date"]
                row.setdefault("create_uid", SUPERUSER_ID)
                row.setdefault("write_uid", row["create_uid"])
                if row["create_uid"] is None:
                    row["create_uid"] = SUPERUSER_ID
                if row["write_uid"] is None:
                    row["write_uid"] = row["create_uid"]
                table.rows[rid] = row
                if table.ids and rid <= table.ids[-1]:
                    bisect.insort(table.ids, rid)
                else:
                    table.ids.append(rid)
                entry = (row["write_date"], rid)
                if table.wd_index and entry < table.wd_index[-1]:
                    wd_sorted = False
                table.wd_index.append(entry)
                table.next_id = max(table.next_id, rid + 1)
                added.append(rid)
            if not wd_sorted:
                table.wd_index.sort()
            return added

    def create(self, model: str, vals: Mapping[str, Any], *, uid: int = SUPERUSER_ID,
               context: Mapping[str, Any] | None = None) -> int:
        """Create one record as Odoo's ORM would: coerce, default, compute, stamp."""
        with self.lock:
            table = self.tables[model]
            coerced = self._coerce_vals(model, vals)
            now = self.now()
            coerced.update({"create_uid": uid, "write_uid": uid, "create_date": now, "write_date": now})
            row = table.new_row(coerced)
            row["id"] = table.next_id
            behaviour.on_create(self, model, row, vals, uid)
            table.add(row)
            behaviour.after_create(self, model, row, uid, context or {})
            return int(row["id"])

    def write(self, model: str, ids: Iterable[int], vals: Mapping[str, Any], *, uid: int = SUPERUSER_ID,
              touch: bool = True) -> None:
        """Update records; `write_date` moves to now unless `touch` is False (for silent test fixes)."""
        with self.lock:
            table = self.tables[model]
            rows = [self._row_or_missing(model, rid, uid) for rid in ids]
            for row in rows:
                coerced = self._coerce_vals(model, vals, row)
                old_wd = row.get("write_date")
                row.update(coerced)
                behaviour.on_write(self, model, row, coerced)
                if touch:
                    row["write_date"] = self.now()
                    row["write_uid"] = uid
                table.reindex_write_date(row["id"], old_wd, row.get("write_date"))

    def touch(self, model: str, ids: Iterable[int], *, uid: int = SUPERUSER_ID) -> None:
        """Bump write_date without changing anything else (what some side effects do in Odoo)."""
        self.write(model, ids, {}, uid=uid)

    def unlink(self, model: str, ids: Iterable[int], *, uid: int = SUPERUSER_ID) -> None:
        with self.lock:
            table = self.tables[model]
            for rid in list(ids):
                self._row_or_missing(model, rid, uid)
                table.remove(rid)

    def _row_or_missing(self, model: str, rid: Any, uid: int) -> Row:
        row = self.tables[model].rows.get(rid) if isinstance(rid, int) else None
        if row is None:
            raise MissingError(f"Record does not exist or has been deleted.\n(Record: {model}({rid},), User: {uid})")
        return row

    # ------------------------------------------------------------------ reading

    def row(self, model: str, rid: int) -> Row | None:
        """The live row (do not mutate it: use write). None when the id does not exist."""
        return self.tables[model].rows.get(rid)

    def get(self, model: str, rid: int) -> Row | None:
        """A copy of a record with its display name, for tests and simulations."""
        with self.lock:
            row = self.tables[model].rows.get(rid)
            if row is None:
                return None
            out = dict(row)
            out["display_name"] = self.getter(model, "display_name")(row)
            return out

    def read(self, model: str, ids: Iterable[int], fields: Sequence[str] | None = None) -> list[Row]:
        """Records in the order asked, missing ids skipped (as Odoo 17's read does), store values."""
        with self.lock:
            mdef = self.models[model]
            names = list(fields) if fields else [f for f in mdef.fields if f != "id"]
            self.check_fields(model, names)
            getters = [(n, self.getter(model, n)) for n in names if n != "id"]
            rows = self.tables[model].rows
            out: list[Row] = []
            for rid in ids:
                row = rows.get(rid)
                if row is None:
                    continue
                rec: Row = {"id": rid}
                for name, get in getters:
                    rec[name] = get(row)
                out.append(rec)
            return out

    def parse_domain(self, model: str, domain: Any, *, active_test: bool = True) -> dom.Node:
        node = dom.parse(domain if domain is not None else [], model, self)
        mdef = self.models[model]
        if active_test and mdef.has_active and not dom.mentions(node, "active"):
            active = dom.Leaf(model, ("active",), "=", True, mdef.fields["active"])
            node = dom.And((active, *dom.conjuncts(node)))
        return node

    def search(self, model: str, domain: Any = None, *, offset: int = 0, limit: int | None = None,
               order: str | None = None, active_test: bool = True) -> list[int]:
        """Ids matching `domain`, Odoo's way; cheap for keyset pages on id and write_date."""
        with self.lock:
            node = self.parse_domain(model, domain, active_test=active_test)
            pred = dom.compile_node(node, self)
            hint = dom.hints(node)
            mdef = self.models[model]
            keys = self.parse_order(model, order or mdef.order, internal=not order)
            offset = max(int(offset or 0), 0)
            limit = int(limit) if limit not in (None, False) else None
            self.stats.searches += 1
            table = self.tables[model]
            if keys in ([("id", False)], [("id", True)]):
                return self._first_matches(table, self._by_id(table, hint, reverse=keys[0][1]), pred, offset, limit)
            if keys and keys[0][0] == "write_date" and (
                    len(keys) == 1 or (len(keys) == 2 and keys[1] == ("id", keys[0][1]))):
                return self._first_matches(table, self._by_write_date(table, hint, reverse=keys[0][1]), pred, offset,
                                          limit)
            matches = [table.rows[rid] for rid in self._first_matches(table, self._by_id(table, hint), pred, 0, None)]
            for name, desc in reversed(keys):
                matches.sort(key=self._sort_key(model, name), reverse=desc)
            end = None if limit is None else offset + limit
            return [row["id"] for row in matches[offset:end]]

    def search_count(self, model: str, domain: Any = None, *, limit: int | None = None,
                     active_test: bool = True) -> int:
        with self.lock:
            node = self.parse_domain(model, domain, active_test=active_test)
            pred = dom.compile_node(node, self)
            self.stats.searches += 1
            table = self.tables[model]
            count = 0
            scanned = 0
            for rid in self._by_id(table, dom.hints(node)):
                scanned += 1
                if pred(table.rows[rid]):
                    count += 1
                    if limit and count >= limit:
                        break
            self.stats.scanned += scanned
            return count

    def _first_matches(self, table: Table, candidates: Iterator[int], pred: dom.Predicate, offset: int,
                       limit: int | None) -> list[int]:
        rows = table.rows
        found: list[int] = []
        skipped = 0
        scanned = 0
        for rid in candidates:
            scanned += 1
            if pred(rows[rid]):
                if skipped < offset:
                    skipped += 1
                    continue
                found.append(rid)
                if limit is not None and len(found) >= limit:
                    break
        self.stats.scanned += scanned
        return found

    def _by_id(self, table: Table, hint: dom.Hints, *, reverse: bool = False) -> Iterator[int]:
        ids = table.ids
        lo = hint.id_lo
        hi = hint.id_hi
        if hint.id_in is not None:
            chosen = sorted((i for i in hint.id_in if i in table.rows and (lo is None or i >= lo)
                             and (hi is None or i <= hi)), reverse=reverse)
            return iter(chosen)
        start = 0 if lo is None else bisect.bisect_left(ids, lo)
        end = len(ids) if hi is None else bisect.bisect_right(ids, hi)
        if reverse:
            return (ids[i] for i in range(end - 1, start - 1, -1))
        return (ids[i] for i in range(start, end))

    def _by_write_date(self, table: Table, hint: dom.Hints, *, reverse: bool = False) -> Iterator[int]:
        index = table.wd_index
        if hint.id_in is not None:
            rows = table.rows
            chosen = sorted(((rows[i]["write_date"], i) for i in hint.id_in if i in rows), reverse=reverse)
            return (rid for _, rid in chosen)
        start = 0 if hint.write_date_lo is None else bisect.bisect_left(index, (hint.write_date_lo,))
        if reverse:
            return (index[i][1] for i in range(len(index) - 1, start - 1, -1))
        return (index[i][1] for i in range(start, len(index)))

    def parse_order(self, model: str, order: str, *, internal: bool = False) -> list[tuple[str, bool]]:
        """Odoo's order check and parse: [(field, descending)]."""
        if not isinstance(order, str) or not _ORDER_RE.match(order):
            raise OdooValueError(
                f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list '
                "of valid field names (optionally followed by asc/desc for the direction)"
            )
        fields = self.models[model].fields
        keys: list[tuple[str, bool]] = []
        for part in order.split(","):
            words = part.split()
            name = words[0].strip('"').removesuffix(".id")
            fdef = fields.get(name)
            if fdef is None:
                raise OdooValueError(f"Invalid field {name!r} on model {model!r}")
            if not fdef.store and not internal:
                raise OdooValueError(f"Cannot convert {model}.{name} to SQL because it is not stored")
            keys.append((name, len(words) > 1 and words[1].lower() == "desc"))
        return keys

    def _sort_key(self, model: str, name: str) -> Callable[[Row], tuple[int, Any]]:
        fdef = self.models[model].fields[name]
        get = self.getter(model, name)
        if fdef.type == "many2one" and fdef.relation:
            relation = fdef.relation

            def m2o_key(row: Row) -> tuple[int, Any]:
                value = get(row)
                return (1, "") if value is None else (0, self.display_name(relation, value))

            return m2o_key

        def key(row: Row) -> tuple[int, Any]:
            value = get(row)
            return (1, 0) if value is None else (0, value)

        return key

    def xmlid_to_res_id(self, xmlid: str) -> tuple[str, int]:
        module, _, name = xmlid.partition(".")
        data = self.tables["ir.model.data"]
        for row in data.rows.values():
            if row["module"] == module and row["name"] == name:
                return row["model"], row["res_id"]
        raise OdooValueError(f"External ID not found in the system: {xmlid}")

    def add_xmlid(self, module: str, name: str, model: str, res_id: int) -> None:
        self.insert("ir.model.data", [{"module": module, "name": name, "model": model, "res_id": res_id}])


def _x2many_commands(value: Any, current: list[int]) -> list[int]:
    """Odoo's x2many write commands ((6, 0, ids), (4, id), (3, id), (5,)) or a plain id list."""
    if value is None or value is False:
        return []
    ids = list(current)
    if isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    for command in value:
        if not isinstance(command, list | tuple) or not command:
            raise OdooValueError(f"Invalid x2many command {command!r}")
        code = command[0]
        if code == 6:
            ids = list(command[2])
        elif code == 4 and command[1] not in ids:
            ids.append(command[1])
        elif code in (2, 3) and command[1] in ids:
            ids.remove(command[1])
        elif code == 5:
            ids = []
    return ids
