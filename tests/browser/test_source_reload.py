"""With JavaScript off, a source who reloads the passphrase page, or goes Back and Forward,
sends no second report and sees neither the passphrase again nor what they typed."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot


def _reports(sealbox) -> int:
    return sealbox.sql("select count(*) from reports")[0]


@pytest.mark.parametrize("lang", ["en", "ug"])
def test_reload_back_and_forward_send_one_report(no_js, sealbox, lang):
    page = no_js.new_page()
    before = _reports(sealbox)
    typed = f"Fuel sold at night from depot 7 [reload-{lang}]"
    page.goto(f"/submit/fraud?lang={lang}")
    assert page.locator("main form").get_attribute("autocomplete") == "off"
    page.fill("#text", typed)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/sent" in page.url and "lang=" + lang in page.url
    words = page.locator("ol.passphrase:not(.digits) li").all_inner_texts()
    assert len(words) == 7
    assert not any(word in page.url for word in words)
    assert _reports(sealbox) == before + 1

    reloaded = page.reload()
    assert reloaded is not None and reloaded.status == 410
    shown = page.locator("main").inner_text()
    assert not any(f"\n{word}\n" in f"\n{shown}\n" for word in words), "shown once"
    assert page.locator("#text").count() == 0, "nothing offers to send the report again"
    screenshot(page, f"source-sent-reloaded-{lang}")

    page.go_back()
    assert "/submit/fraud" in page.url
    assert page.locator("#text").input_value() == "", "Back must not show the typed text"
    page.go_forward()
    assert page.locator("#text").count() == 0
    assert _reports(sealbox) == before + 1
    assert no_js.cookies() == [], "the passphrase's receipt is gone from the browser"
