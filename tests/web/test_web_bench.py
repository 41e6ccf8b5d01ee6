"""scripts/bench_web.py at a small scale: it builds a firm, signs in, and times every page (the figures at full
size are in the report; here only their shape and a generous bound that a pathological regression would break)."""

from __future__ import annotations

from web_factory import load_bench


def test_bench_runs_and_times_every_page() -> None:
    mod = load_bench("web")
    results = mod.run(0.02)
    names = {r["name"] for r in results}
    for page in ("queue", "queue.all", "queue.partner", "letter", "letter.cold", "offer", "client", "aging"):
        assert f"web.{page} median" in names and f"web.{page} p95" in names
    medians = {r["name"]: r["value"] for r in results if r["name"].endswith("median")}
    assert all(0 < v < 500 for v in medians.values()), medians
    assert "20 items in the queue (16 letters, 4 offers)" in results[0]["note"]
