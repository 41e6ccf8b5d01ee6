"""scripts/bench_upload.py: the worst .docx the upload check accepts is checked within issue 14's bounds
(under 2 s and 200 MB of peak memory, the whole checking process counted), and a bomb is refused at once."""

from __future__ import annotations

from web_factory import load_bench


def test_the_worst_allowed_upload_is_checked_in_bounds() -> None:
    mod = load_bench("upload")
    results = {r["name"]: r for r in mod.run(0.2)}  # one run; the bench itself asserts it was accepted
    # CPU time: the suite shares two cores with other work, which stretches wall time but not CPU time
    assert 0 < results["upload.worst cpu seconds"]["value"] < 2.0, results
    assert 0 < results["upload.worst seconds"]["value"] < 20.0, results
    assert 0 < results["upload.worst peak MB"]["value"] < 200, results
    assert "20.0 MB upload" in results["upload.worst seconds"]["note"]
    bomb = results["upload.bomb seconds"]
    assert bomb["value"] < 0.5 and "UploadTooLarge" in bomb["note"], bomb
