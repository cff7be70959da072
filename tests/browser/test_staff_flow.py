"""A handler's day with JavaScript on: log in with a TOTP code, inbox, open a report, reply,
set its status; and the staff pages in each language."""

from __future__ import annotations

import httpx
import pytest

from sealbox.locale import BY_TAG, translations
from tests.browser.conftest import LANGUAGES, screenshot
from tests.live_server import token


def _(lang: str, message: str) -> str:
    return translations(BY_TAG[lang.lower()].code).gettext(message)


@pytest.fixture
def report_from_a_source(sealbox):
    """A report sent the way any browser would send it."""
    with httpx.Client(base_url=sealbox.url, follow_redirects=True) as source:
        form = source.get("/submit/tips")
        sent = source.post(
            "/submit/tips",
            data={"form_token": token(form.text), "text": "Bribes for the port contract."},
            files=[("files", ("memo.txt", b"meeting at the harbour", "text/plain"))],
        )
        assert sent.status_code == 200, sent.text


@pytest.fixture
def staff_page(browser, sealbox):
    context = browser.new_context(base_url=sealbox.url, viewport={"width": 1100, "height": 800})
    yield context.new_page()
    context.close()


def test_handler_logs_in_reads_replies_and_sets_status(staff_page, sealbox, report_from_a_source):
    page = staff_page
    carol = sealbox.accounts["carol"]
    page.goto("/staff/login")
    assert page.evaluate("1 + 1") == 2  # JavaScript is on here
    screenshot(page, "staff-login-en")
    page.fill("#username", carol.username)
    page.fill("#password", carol.password)
    page.fill("#totp", carol.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    assert page.locator("h1").inner_text().startswith("Inbox")
    row = page.locator("table.inbox tbody tr").first
    assert "unread" in row.inner_text()
    screenshot(page, "staff-inbox-en")
    with page.expect_navigation():
        row.locator("a[href^='/staff/reports/']").click()

    assert "Bribes for the port contract." in page.locator("ol.conversation").inner_text()
    assert "memo.txt" in page.locator("ol.conversation").inner_text()
    page.fill("#reply", "Thank you. Who signed the contract?")
    with page.expect_navigation():
        page.click("form[action$='/reply'] button[type=submit]")
    assert "Who signed the contract?" in page.locator("ol.conversation").inner_text()

    page.select_option("#status", "acknowledged")
    with page.expect_navigation():
        page.click("form[action$='/status'] button[type=submit]")
    assert page.locator("#status").input_value() == "acknowledged"
    assert "acknowledged" in page.locator("p.meta").inner_text()
    screenshot(page, "staff-report-en")

    for lang in LANGUAGES[1:]:
        page.goto(f"/staff/?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text().startswith(_(lang, "Inbox"))
        screenshot(page, f"staff-inbox-{lang}")
        with page.expect_navigation():
            page.locator("table.inbox a[href^='/staff/reports/']").first.click()
        assert f"lang={lang}" in page.url
        assert page.locator("h2", has_text=_(lang, "Reply to the source")).count() == 1
        screenshot(page, f"staff-report-{lang}")
