"""The handler's inbox at work in a real browser (JavaScript on): a report the handler has not
read sits under "Needs attention" with its unread count and first line; a sealed title shows
on the row; search finds a Chinese substring; axe finds nothing serious on these pages."""

from __future__ import annotations

import httpx
import pytest

from tests.browser import axe
from tests.browser.conftest import screenshot
from tests.live_server import token


@pytest.fixture
def handler_page(browser, sealbox):
    context = browser.new_context(
        base_url=sealbox.url, bypass_csp=True, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    bob = sealbox.accounts["bob"]
    page.goto("/staff/login")
    page.fill("#username", bob.username)
    page.fill("#password", bob.password)
    page.fill("#totp", bob.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    yield page
    context.close()


def _send(sealbox, text: str) -> None:
    with httpx.Client(base_url=sealbox.url, follow_redirects=True) as source:
        form = source.get("/submit/fraud")
        sent = source.post(
            "/submit/fraud",
            data={"form_token": token(form.text), "text": text},
            files=[("files", ("", b"", "application/octet-stream"))],
        )
        assert sent.status_code == 200, sent.text


def test_needs_attention_title_and_search_in_the_browser(handler_page, sealbox):
    _send(sealbox, "仓库经理 moved the stock ledger to his car\nsecond line stays out")
    page = handler_page
    page.goto("/staff/")
    attention = page.locator("section.attention")
    row = attention.locator("tr", has_text="仓库经理 moved the stock ledger").first
    assert "1 unread" in row.inner_text()
    assert "second line" not in attention.inner_text()
    screenshot(page, "staff-inbox-attention-en")

    with page.expect_navigation():
        row.locator("a").first.click()
    page.fill("#title", "Stock ledger, warehouse 3")
    with page.expect_navigation():
        page.click("form[action$='/title'] button[type=submit]")
    assert "Stock ledger, warehouse 3" in page.locator("h1").inner_text()

    page.goto("/staff/")
    listing = page.locator("table.inbox").last
    assert "Stock ledger, warehouse 3" in listing.inner_text()
    assert "Stock ledger, warehouse 3" not in (
        attention.inner_text() if attention.count() else ""
    ), "read now: it needs no attention"
    screenshot(page, "staff-inbox-titled-en")
    found = axe.violations(page) if axe.available() else []

    page.goto("/staff/search")
    page.fill("#q", "仓库")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    results = page.locator("table.inbox")
    assert "Stock ledger, warehouse 3" in results.inner_text()
    assert "仓库经理" in results.inner_text()
    screenshot(page, "staff-search-en")
    if axe.available():
        found += axe.violations(page)
        page.goto("/staff/?lang=ug")
        found += axe.violations(page)
    assert found == []
