"""Every list a person reads, over a realistic desk (the sandbox firm after three weekly nights: letters,
offers, holds, a promise, a served notice; Chinese names, a name typed with a line break, hostile names and two
attorneys who share a name), at 80 and 120 columns: no line wider than the terminal (measured by wcwidth) and
every date, amount, id and email address the table shows whole on one line (the values come from `--json`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from cli_desk import TODAY, TWIN, Desk, build_desk
from wcwidth import wcswidth

from overdue_reminder import config
from overdue_reminder.money import format_plain
from overdue_reminder.store import Store, ledger

Tokens = Callable[[Any], list[str]]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    yield from build_desk(tmp_path_factory.mktemp("desk"))


def _json(desk: Desk, *args: str) -> Any:
    r = desk.run("--json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _amount(value: str) -> str:
    return f"{Decimal(value):,}"


def _aging(data: Any) -> list[str]:
    return [_amount(r["total"]) for r in data["rows"]] + [_amount(r["90+"]) for r in data["rows"]]


def _totals(items: Any) -> list[str]:
    return [f"{_amount(a)} {c}" for it in items for c, a in it["totals"].items()]


LISTS: list[tuple[list[str], Tokens]] = [
    (["aging", "--date", TODAY.isoformat()], _aging),
    (["aging", "--by", "attorney", "--date", TODAY.isoformat()], _aging),
    (["aging", "--by", "total", "--date", TODAY.isoformat()], _aging),
    (["drafts", "list", "--all"], lambda d: [str(r["id"]) for r in d] + _totals(d)),
    (["letters", "list"], lambda d: [lt["run_date"] for lt in d] + _totals(d)),
    (["hold", "list", "--all", "--date", TODAY.isoformat()], lambda d: [h["kind"] for h in d]),
    (["contact", "list"], lambda d: [f"{_amount(c['promise_amount'])} {c['promise_currency']}" for c in d
                                     if c["promise_amount"]] + [c["promise_date"] for c in d if c["promise_date"]]),
    (["contact", "check", "--dry-run", "--date", TODAY.isoformat()], lambda d: []),
    (["offer", "list"], lambda d: [format_plain(Decimal(o["balance"]), o["currency"]) for o in d]),
    (["letters", "notices"], lambda d: [n["served_on"] for n in d]),
    (["plan", "--all", "--date", TODAY.isoformat()],
     lambda d: [format_plain(Decimal(a), c) for x in d["actions"] for c, a in x["totals"].items()]),
    (["status"], lambda d: [r["run_date"] for r in d["runs"]]),
    (["letters", "show", "1"], lambda d: [_amount(a) + f" {c}" for c, a in d["totals"].items()]),
    (["offer", "show", "1"], lambda d: [s["due"] for s in d["schedule"]]),
]


def _check(output: str, width: int, tokens: list[str]) -> None:
    lines = output.splitlines()
    wide = [(wcswidth(line), line) for line in lines if wcswidth(line) > width or wcswidth(line) < 0]
    assert not wide, f"lines wider than {width}:\n" + "\n".join(f"{n}: {line}" for n, line in wide)
    broken = [t for t in tokens if not any(t in line for line in lines)]
    assert not broken, f"tokens not whole on one line at {width} columns: {broken[:10]}\n{output}"


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(("args", "tokens"), LISTS, ids=[" ".join(a[:3]) for a, _ in LISTS])
def test_every_list_fits_the_terminal_with_tokens_whole(desk: Desk, args: list[str], tokens: Tokens,
                                                        width: int) -> None:
    r = desk.run(*args, width=width)
    assert r.exit_code == 0, r.output
    _check(r.output, width, tokens(_json(desk, *args)))


def test_the_realistic_desk_has_what_the_tables_must_show(desk: Desk) -> None:
    """The fixture is what it claims: letters, offers, holds, a promise, a notice, Chinese names, twins."""
    assert _json(desk, "letters", "list") and _json(desk, "offer", "list") and _json(desk, "letters", "notices")
    holds = _json(desk, "hold", "list", "--all")
    assert {"dispute", "pause", "promise_to_pay"} <= {h["kind"] for h in holds}
    names = [r["name"] for r in _json(desk, "aging")["rows"]]
    assert any("\u4e00" <= ch <= "\u9fff" for n in names for ch in n)
    assert any(n.split() == ["Line", "Break", "Trading", "Co."] for n in names)  # typed with a line break in Odoo


def test_drafts_show_fits_with_its_email_body(desk: Desk) -> None:
    ids = [d["id"] for d in _json(desk, "drafts", "list", "--all") if d["language"] == "zh_CN"]
    for width in (80, 120):
        r = desk.run("drafts", "show", str(ids[0]), width=width)
        assert r.exit_code == 0, r.output
        _check(r.output, width, ["+1 212 555 0100"])


def test_wide_shows_every_column(desk: Desk) -> None:
    narrow = desk.run("letters", "list", width=80).output
    wide = desk.run("letters", "list", "--wide", width=80).output
    assert "Attorney" not in narrow.splitlines()[1] and "--wide shows every column" in narrow
    assert all(h in wide.splitlines()[1] for h in ("Client", "Kind", "Attorney", "Amount due", "Flags"))


def test_aging_one_table_per_currency_largest_first_and_one_row_per_client(desk: Desk) -> None:
    out = desk.run("aging", "--date", TODAY.isoformat(), width=120).output
    titles = [line for line in out.splitlines() if line.startswith("Aging as of")]
    assert [t.split(", ")[1].split(" ")[0] for t in titles] == ["CNY", "EUR", "USD"]
    for cur, rows in _sections(_json(desk, "aging", "--date", TODAY.isoformat())["rows"]).items():
        totals = [Decimal(r["total"]) for r in rows]
        assert totals == sorted(totals, reverse=True), cur
    assert "Line Break Trading Co." in out  # the name typed with a line break, on one row
    total = desk.run("aging", "--by", "total", width=120).output.splitlines()
    assert total[1].split().count("total") == 1 and total[1].split()[0] == "currency"


def _sections(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["currency"], []).append(r)
    assert list(out) == sorted(out)  # grouped: a currency's rows never interleave with another's
    return out


def test_attorneys_sharing_a_name_are_told_apart_by_email(desk: Desk) -> None:
    rows = _json(desk, "aging", "--by", "attorney")["rows"]
    twins = {r["name"] for r in rows if r["name"].startswith(TWIN)}
    assert twins == {f"{TWIN} <eleanor.harbor@harborreed.example>", f"{TWIN} <james.reed@harborreed.example>"}
    out = desk.run("aging", "--by", "attorney", width=120).output
    assert "<eleanor.harbor@harborreed.example>" in out and "<james.reed@harborreed.example>" in out


def test_names_not_ids_unless_asked(desk: Desk) -> None:
    contacts = _json(desk, "contact", "list")
    cid = contacts[0]["client_id"]
    out = desk.run("contact", "list", width=120).output
    assert f"#{cid}" not in out and str(cid) not in out.split()
    assert f"(#{cid})" in desk.run("contact", "list", "--ids", "--wide").output
    letter = _json(desk, "letters", "show", "1")
    numbers = _invoice_numbers(desk, letter["invoice_ids"])
    shown = desk.run("letters", "show", "1", "--wide").output
    assert all(n in shown for n in numbers)
    assert not any(f" {i}," in shown or shown.rstrip().endswith(f" {i}") for i in letter["invoice_ids"])


def _invoice_numbers(desk: Desk, ids: list[int]) -> list[str]:
    store = Store(config.load(str(desk.config)).store_url)
    try:
        with store.begin() as conn:
            return [i.name for i in ledger.load_invoices(conn, ids)]
    finally:
        store.dispose()


def test_times_on_the_firms_clock_labelled_and_iso_with_offset_in_json(desk: Desk) -> None:
    shown = desk.run("letters", "show", "1", width=120).output
    assert "UTC" not in shown and (" EST" in shown or " EDT" in shown)
    trail = _json(desk, "letters", "show", "1")["audit"]
    assert trail and all(a["at"].endswith("+00:00") for a in trail)
    status = desk.run("status", width=120).output
    assert " EST" in status or " EDT" in status


def test_client_by_name_or_id_everywhere(desk: Desk) -> None:
    drafts = _json(desk, "drafts", "list", "--all")
    chinese = next(d for d in drafts if d["language"] == "zh_CN")
    by_name = _json(desk, "drafts", "list", "--all", "--client", chinese["client_name"][:6])
    by_id = _json(desk, "drafts", "list", "--all", "--client", str(chinese["client_id"]))
    assert by_name == by_id and {d["client_id"] for d in by_name} == {chinese["client_id"]}
    err = desk.refused("drafts", "list", "--client", "Hall")
    assert err.exit_code == 2 and "Hall & Lefèvre Inc." in str(err) and "Hall & Lefèvre LLC" in str(err)


def test_run_dry_run_says_it_syncs(desk: Desk) -> None:
    assert "Sync the ledger" in desk.run("run", "--help").output
    r = desk.run("run", "--dry-run", "--no-digest", "--date", TODAY.isoformat(), width=80)
    assert r.exit_code in (0, 1), r.output
    assert "the ledger was synced" in r.output and "nothing was drafted, sent" in r.output
    assert all(wcswidth(line) <= 80 for line in r.output.splitlines())

