"""A new staff member's first login and a colleague's approval, with JavaScript off: the code
field is left empty, the authenticator secret is read off the page, the own password makes the
key, and a handler of the channel approves the newcomer after comparing the fingerprint."""

from __future__ import annotations

import re

import pyotp

from tests.browser.conftest import PHONE, screenshot


def test_a_newcomer_enrols_and_is_approved_without_javascript(browser, sealbox):
    one_time = sealbox.invite("dana", "handler")
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, base_url=sealbox.url)
    page = context.new_page()
    page.goto("/staff/login")
    page.fill("#username", "dana")
    page.fill("#password", one_time)
    with page.expect_navigation():
        page.click("main form button[type=submit]")  # the code field stays empty
    assert page.url.endswith("/staff/account/totp")
    assert page.locator("figure.qr svg").count() == 1
    screenshot(page, "staff-enrol-totp-en")
    secret = page.locator("figure.qr code").inner_text()
    page.fill("#code", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/staff/account/password")
    password = "harbour lantern quietly orbit"
    page.fill("#current", one_time)
    page.fill("#new", password)
    page.fill("#confirm", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    fingerprint = page.locator("code.fingerprint").inner_text()
    assert re.fullmatch(r"([0-9a-f]{4} ){4}[0-9a-f]{4}", fingerprint)
    context.close()

    sealbox.ask_to_join(sealbox.accounts["ada"], "tips", "dana")
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, base_url=sealbox.url)
    page = context.new_page()
    carol = sealbox.accounts["carol"]
    page.goto("/staff/login")
    page.fill("#username", carol.username)
    page.fill("#password", carol.password)
    page.fill("#totp", carol.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto("/staff/approvals")
    request = page.locator("section.approval", has_text="dana")
    assert fingerprint in request.inner_text()
    screenshot(page, "staff-approvals-en")
    request.locator("input[name=compared]").check()
    with page.expect_navigation():
        request.locator("form[action$='/approve'] button").click()
    assert "Approved." in page.locator("main").inner_text()
    context.close()
