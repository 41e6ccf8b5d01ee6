"""The review page on a phone (390 px) and a desktop (1280 px), in real Chromium: no page scrolls sideways,
the aging charts are drawn one per currency and stay legible, the letter keeps its bold and its table.
Screenshots of every page at both widths are saved under test-artifacts/responsive/ for a person to look at.

Skipped locally when Chromium or Playwright is missing; under CI their absence is a failure (test_web_browser).
"""

from __future__ import annotations

from typing import Any

from test_web_browser import ARTIFACTS, LiveDesk, browser_page, live_desk  # noqa: F401  (fixtures)

from overdue_reminder.sandbox.generator import ATTORNEY_PASSWORD

WIDTHS = (390, 1280)
SHOTS = ARTIFACTS / "responsive"


def _sign_in(page: Any, desk: LiveDesk) -> None:
    page.goto(f"{desk.url}/login")
    page.fill("#login", desk.attorney)
    page.fill("#password", ATTORNEY_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{desk.url}/queue")


def _fits(page: Any, name: str, width: int) -> None:
    """The document is no wider than the viewport; a full-page screenshot is kept either way."""
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    wide = page.evaluate("""(w) => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.doc-scroll'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
                         width)
    assert scroll <= width, f"{name} at {width} px is {scroll} px wide: {wide}"


def test_pages_fit_phone_and_desktop(live_desk: LiveDesk, browser_page: Any) -> None:  # noqa: F811
    page, desk = browser_page, live_desk
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(page, desk)
    letter = desk.mine[0]
    pages = {"queue": "/queue", "aging": "/aging?by=client", "aging-by-attorney": "/aging?by=attorney",
             "letter": f"/letters/{letter.id}", "client": f"/clients/{letter.client_id}"}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        for name, path in pages.items():
            page.goto(f"{desk.url}{path}")
            page.wait_for_load_state("load")
            _fits(page, name, width)
        # The aging charts: one loaded image per currency, each drawn wide enough to read on the phone.
        page.goto(f"{desk.url}/aging")
        charts = page.eval_on_selector_all(".charts svg", """els => els.map(e => [e.dataset.currency,
            e.getBoundingClientRect().width, Math.min(...[...e.querySelectorAll('text')].map(
                t => parseFloat(t.getAttribute('font-size')))) * e.getBoundingClientRect().width
                / e.viewBox.baseVal.width])""")
        currencies = [c for c, _, _ in charts]
        assert charts and len(currencies) == len(set(currencies)) >= 2, charts  # never two currencies on one axis
        for cur, shown, text_px in charts:
            assert min(width - 40, 330) <= shown <= width, (cur, shown, width)  # the panel fills a phone's width
            assert text_px >= 11, (cur, text_px)  # its smallest text, as drawn on screen, is still legible
    assert all((SHOTS / f"{n}-{w}.png").stat().st_size > 5_000 for n in pages for w in WIDTHS)


def test_letter_preview_keeps_structure_and_hides_missing_pdf(live_desk: LiveDesk, browser_page: Any) -> None:  # noqa: F811
    page, desk = browser_page, live_desk
    _sign_in(page, desk)
    letter = desk.mine[0]
    page.goto(f"{desk.url}/letters/{letter.id}")
    paper = page.locator("#letter-text")
    bold = paper.locator("strong").all_inner_texts()
    assert desk.settings.firm.name in bold  # the letterhead's firm name is bold in the .docx
    assert any("Notice of Client's Right to Arbitrate" in b for b in bold)  # a section heading stays bold
    table = paper.locator("table.doc-table")
    assert table.count() == 1 and table.locator("th").count() >= 5  # the invoice table with its header row
    assert paper.locator("script").count() == 0
    # No LibreOffice on PATH (the fixture), so no PDF was made: no PDF link is offered.
    assert page.locator("a[href$='.pdf']").count() == 0
    assert page.locator("a[href$='draft.docx']").count() == 1
