"""The source's pages as a phone with JavaScript off shows them, in English and Uyghur: the form
with its size limit, the passphrase page with a held file (removing it is the primary choice),
and the report page with the handler's newest reply on top. axe finds nothing serious there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import axe
from tests.browser.conftest import PHONE
from tests.browser.test_source_flow import _, _check_page, _reply_as_handler, alice  # noqa: F401

SHOTS = Path("/work/wt/shots")


def _shot(page, name: str) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "ug"])
def test_form_passphrase_and_report_pages(no_js, browser, sealbox, alice, lang):  # noqa: F811
    page = no_js.new_page()
    marker = f"[shown-{lang}]"
    page.goto(f"/submit/fraud?lang={lang}")
    _check_page(page, lang)
    limit = page.locator("#files-hint strong").inner_text()
    assert "500" in limit or "٥٠٠" in limit
    page.fill("#text", f"{_(lang, 'What happened?')} {marker}")
    page.set_input_files(
        "#files",
        files=[{"name": "blob.bin", "mimeType": "application/octet-stream", "buffer": b"\0" * 900}],
    )
    _shot(page, f"e-form-{lang}")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    _check_page(page, lang)
    buttons = page.locator(".choices button")
    assert buttons.nth(0).inner_text() == _(lang, "Remove it")
    assert buttons.nth(0).get_attribute("class") == ""
    assert buttons.nth(1).get_attribute("class") == "secondary"
    assert "bits" not in page.locator("main").inner_text()
    words = page.locator("ol.passphrase:not(.digits) li").all_inner_texts()
    _shot(page, f"e-passphrase-{lang}")

    _reply_as_handler(alice, marker, f"Which depot? {marker}")
    page.goto(f"/login?lang={lang}")
    page.fill("#passphrase", " ".join(words))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    _check_page(page, lang)
    latest = page.locator("section.latest-reply")
    assert f"Which depot? {marker}" in latest.inner_text()
    assert _(lang, "waiting for your answer") in latest.inner_text()
    main = page.locator("main").inner_text()
    assert main.index(_(lang, "Latest reply")) < main.index(marker)
    assert "not yet read" not in main
    _shot(page, f"e-report-{lang}")

    checked = browser.new_context(base_url=sealbox.url, bypass_csp=True, viewport=PHONE)
    try:
        found = []
        axe_page = checked.new_page()
        axe_page.goto(f"/submit/fraud?lang={lang}")
        found += axe.violations(axe_page)
        axe_page.goto(f"/login?lang={lang}")
        axe_page.fill("#passphrase", " ".join(words))
        with axe_page.expect_navigation():
            axe_page.click("main form button[type=submit]")
        found += axe.violations(axe_page)
        assert found == []
    finally:
        checked.close()
