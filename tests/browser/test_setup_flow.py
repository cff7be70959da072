"""The first-run setup in a browser (JavaScript on, as for all staff pages): the code that
`sealbox init` printed, a test mail sent from the page to a real SMTP server, then the admin's
first login, which explains the authenticator app before it asks for a code. axe-core finds
nothing serious on these pages."""

from __future__ import annotations

import re

import pytest

from tests.browser import axe
from tests.browser.conftest import screenshot
from tests.live_server import Instance
from tests.notify.mailbox import free_port, smtp_server


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """An instance just installed: no account yet."""
    server = Instance(root=tmp_path_factory.mktemp("fresh"), database_url="")
    printed = server.cli("init").stdout
    server.setup_code = re.search(r"setup code:\s+(\S+)", printed).group(1)
    server.start()
    yield server
    server.stop()


def _shot(page, name: str) -> None:
    screenshot(page, name)


def test_setup_with_the_code_a_test_mail_and_the_first_login(browser, fresh):
    context = browser.new_context(
        base_url=fresh.url, viewport={"width": 1000, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.goto("/staff/setup")
    assert page.evaluate("1 + 1") == 2
    found = axe.violations(page)
    page.fill("#setup_code", fresh.setup_code)
    page.fill("#admin_username", "root")
    page.fill("#admin_email", "root@example.org")
    page.fill("#channel_name", "Whistleblowing")
    page.fill("#channel_slug", "tips")
    page.fill("#mail_from", "sealbox@example.org")
    port = free_port()
    page.fill("#smtp_host", "127.0.0.1")
    page.fill("#smtp_port", str(port))
    page.uncheck("input[name=smtp_starttls]")
    page.fill("#test_address", "root@example.org")
    _shot(page, "setup")
    with smtp_server(port) as mailbox:
        with page.expect_navigation():
            page.click("button[value=test]")
        assert "accepted by the mail server" in page.inner_text("main")
        assert len(mailbox.to("root@example.org")) == 1
    found += axe.violations(page)
    # The test kept what was typed but the code and the password: the code goes in again.
    assert page.input_value("#channel_name") == "Whistleblowing"
    page.fill("#setup_code", fresh.setup_code)
    with page.expect_navigation():
        page.click("button[value=setup]")
    assert "Sealbox is set up" in page.inner_text("h1")
    one_time = page.inner_text("code.secret")
    found += axe.violations(page)
    _shot(page, "setup-done")

    page.goto("/staff/setup")
    assert "set up already" in page.inner_text("body")

    page.goto("/staff/login")
    page.fill("#username", "root")
    page.fill("#password", one_time)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    text = page.inner_text("main")
    assert text.index("What is an authenticator app?") < text.index("6-digit code")
    found += axe.violations(page)
    _shot(page, "first-login-totp")
    context.close()
    assert found == []
