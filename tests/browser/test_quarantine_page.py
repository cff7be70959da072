"""The quarantine page in a real browser: with JavaScript off a handler ticks reports and moves
them to the inbox with one form; axe finds nothing serious on it, in English and Uyghur."""

from __future__ import annotations

import time

import httpx
import pyotp
import pytest

from tests import support
from tests.browser.conftest import AXE, PHONE, screenshot
from tests.browser.test_accessibility import _violations
from tests.live_server import Instance


@pytest.fixture
def flooded(tmp_path, monkeypatch):
    """A server whose channel holds one report an hour in the inbox; three more wait."""
    monkeypatch.setenv("SEALBOX_CHANNEL_REPORTS_PER_HOUR", "1")
    instance = Instance(root=tmp_path, database_url="")
    instance.cli("init")
    password, secret = instance.add_handler("alice")
    instance.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    with httpx.Client(base_url=instance.url, follow_redirects=True) as source:
        for n in range(4):
            assert support.submit(source, "fraud", f"offer number {n}").status_code == 200
    yield instance, password, secret
    instance.stop()


def _log_in(page, password: str, secret: str) -> None:
    page.goto("/staff/login")
    page.fill("#username", "alice")
    page.fill("#password", password)
    # The enrolment used this step's code; a code is never accepted twice.
    page.fill("#totp", pyotp.TOTP(secret).at(time.time() + 30))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/staff/login" not in page.url, page.content()


def test_triage_without_javascript_and_no_serious_violations(browser, flooded):
    instance, password, secret = flooded
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, base_url=instance.url)
    page = context.new_page()
    _log_in(page, password, secret)
    assert "Reports waiting in quarantine: 3" in page.content()
    page.goto("/staff/quarantine")
    boxes = page.locator("input[name=report]")
    assert boxes.count() == 3
    boxes.nth(0).check()
    boxes.nth(2).check()
    screenshot(page, "staff-quarantine-en")
    with page.expect_navigation():
        page.click("button[value=release]")
    assert "Reports moved to the inbox: 2." in page.content()
    assert page.locator("input[name=report]").count() == 1
    session = context.storage_state()  # the same login for axe, which needs JavaScript
    context.close()

    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run scripts/install-test-deps")
    context = browser.new_context(
        base_url=instance.url,
        bypass_csp=True,
        viewport={"width": 1100, "height": 800},
        storage_state=session,
    )
    page = context.new_page()
    found = []
    for lang in ("en", "ug"):
        page.goto(f"/staff/quarantine?all=1&lang={lang}")
        assert page.locator("input[name=report][checked]").count() == 1, page.url
        found += _violations(page)
    context.close()
    assert found == []
