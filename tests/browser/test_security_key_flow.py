"""A security key in a real browser: Chromium's virtual authenticator (CTAP2 over USB, resident
key, user verification) registered on the account's keys page, then a logout and a login with
password and key, the code left empty. The instance is reached under its configured name
(SEALBOX_PUBLIC_URL, localhost): keys are bound to it."""

from __future__ import annotations

import pytest

from tests.browser import axe
from tests.browser.conftest import screenshot


@pytest.fixture
def keyed_page(browser, sealbox):
    """A browser at the instance's public address with one virtual security key plugged in."""
    # bypass_csp lets axe in (tests/browser/axe.py); the page's own script needs no bypass.
    context = browser.new_context(
        base_url=sealbox.public_url, viewport={"width": 1100, "height": 800}, bypass_csp=True
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield page, cdp, added["authenticatorId"]
    context.close()


def _credentials(cdp, authenticator_id: str) -> list[dict]:
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def test_a_key_registered_on_the_keys_page_logs_in(keyed_page, sealbox):
    page, cdp, authenticator_id = keyed_page
    erin = sealbox.add_user("erin", "handler")
    page.goto("/staff/login")
    page.fill("#username", erin.username)
    page.fill("#password", erin.password)
    page.fill("#totp", erin.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto("/staff/account")
    with page.expect_navigation():
        page.click("a[href$='/staff/account/keys']")
    assert page.locator("#webauthn-unsupported").is_hidden()
    page.fill("#key-name", "virtual USB key")
    page.fill("#key-password", erin.password)
    with page.expect_navigation(url="**/staff/account/keys?added=1"):
        page.click("form[data-webauthn] button[type=submit]")
    assert "virtual USB key" in page.locator("table.keys").inner_text()
    screenshot(page, "staff-security-keys-en")
    [credential] = _credentials(cdp, authenticator_id)
    assert credential["rpId"] == "localhost"
    used = credential["signCount"]

    with page.expect_navigation():
        page.click("header form[action$='/staff/logout'] button")
    page.fill("#username", erin.username)
    page.fill("#password", erin.password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")  # the code stays empty
    assert page.url.endswith("/staff/login/factor")
    assert page.locator("#code").count() == 1  # codes still count for handlers
    screenshot(page, "staff-login-security-key-en")
    if axe.available():  # the page between password and key, reached by no link
        found = axe.violations(page)
        page.goto("/staff/login/factor?lang=ug")
        found += axe.violations(page)
        screenshot(page, "staff-login-security-key-ug")
        assert found == []
    with page.expect_navigation(url="**/staff/?lang=ug"):
        page.click("form[data-webauthn] button[type=submit]")
    assert page.locator("html").get_attribute("lang") == "ug"
    [credential] = _credentials(cdp, authenticator_id)
    assert credential["signCount"] > used


def test_without_a_key_the_browser_says_so(keyed_page, sealbox):
    """The key answers only its own site: under another address of the same server the
    browser refuses, and the page shows a translated message instead of hanging."""
    page, cdp, _ = keyed_page
    carol = sealbox.accounts["carol"]
    page.goto(sealbox.url + "/staff/login?lang=zh-Hans")
    page.fill("#username", carol.username)
    page.fill("#password", carol.password)
    page.fill("#totp", carol.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(sealbox.url + "/staff/account/keys?lang=zh-Hans")
    page.fill("#key-name", "wrong address")
    page.fill("#key-password", carol.password)
    page.click("form[data-webauthn] button[type=submit]")
    error = page.locator("[data-webauthn-error]")
    error.wait_for(state="visible")
    assert "安全密钥" in error.inner_text()
    assert page.locator("table.keys").count() == 0


def test_the_sign_in_page_names_the_accounts_without_a_key(browser, sealbox):
    context = browser.new_context(base_url=sealbox.url, viewport={"width": 1100, "height": 800})
    page = context.new_page()
    ada = sealbox.accounts["ada"]
    page.goto("/staff/login")
    page.fill("#username", ada.username)
    page.fill("#password", ada.password)
    page.fill("#totp", ada.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    with page.expect_navigation():
        page.click("header a[href$='/staff/admin/sign-in']")
    handlers = page.locator("section.role-factors", has=page.locator("input[value=handler]"))
    assert "bob" in handlers.inner_text()
    assert handlers.locator("input[name=understood]").count() == 1
    screenshot(page, "staff-admin-sign-in-en")
    page.goto("/staff/admin/sign-in?lang=ug")
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot(page, "staff-admin-sign-in-ug")
    context.close()


@pytest.mark.parametrize("browser_kind", ["no WebAuthn", "no JavaScript"])
def test_a_browser_that_cannot_use_keys_is_told_so(browser, sealbox, browser_kind):
    context = browser.new_context(
        base_url=sealbox.public_url,
        viewport={"width": 1100, "height": 800},
        java_script_enabled=browser_kind != "no JavaScript",
    )
    # An old or locked-down browser: the API is simply not there.
    context.add_init_script("delete window.PublicKeyCredential;")
    page = context.new_page()
    bob = sealbox.accounts["bob"]
    page.goto("/staff/login")
    page.fill("#username", bob.username)
    page.fill("#password", bob.password)
    page.fill("#totp", bob.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto("/staff/account/keys")
    main = page.locator("main").inner_text()
    if browser_kind == "no JavaScript":
        assert "Security keys need JavaScript" in main
    else:
        assert page.locator("#webauthn-unsupported").is_visible()
        assert "This browser cannot use security keys" in main
    assert page.locator("form[data-webauthn]").is_hidden()
    context.close()
