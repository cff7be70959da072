"""Browser tests: Debian's Chromium driven by Playwright against a real `sealbox serve`.

Playwright never downloads a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 in
scripts/install-test-deps); the flags below are documented in DEVELOPERS.md."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.live_server import Instance

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ["en", "zh-Hans", "zh-Hant", "ug"]
PHONE = {"width": 360, "height": 740}

if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium is missing: run scripts/install-test-deps (Debian package chromium)",
        allow_module_level=True,
    )
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


# Who works on the test instance: name -> role. Each test finds its own reports by their text.
STAFF = {
    "alice": "handler",  # answers sources in the source flow
    "bob": "handler",  # also reads "fraud"; the accessibility checks use his pages
    "carol": "handler",  # alone on "tips": the staff flow's inbox holds only its report
    "ada": "admin",
    "cus": "custodian",
    "aud": "auditor",
}


@pytest.fixture(scope="session")
def sealbox(tmp_path_factory):
    """One server for the whole browser run, set up with the CLI as an operator would; each
    staff member then enrols at their first login."""
    # SQLite and the production key derivation, as an instance is installed; security keys
    # need the name the instance is configured with (`public_url`, on localhost).
    server = Instance(
        root=tmp_path_factory.mktemp("sealbox"),
        database_url="",
        fast_kdf=False,
        public_host="localhost",
    )
    server.init()
    server.start()
    server.accounts = server.add_users(STAFF)
    server.add_channel(
        "fraud", "Fraud and bribery", "Payments, contracts, favours.", ["alice", "bob"]
    )
    server.add_channel("tips", "Tips", "Anything else.", ["carol"])
    # carol waits to join "fraud": the approval pages of bob and the custodian show a request.
    server.ask_to_join(server.accounts["ada"], "fraud", "carol")
    yield server
    server.stop()


@pytest.fixture
def no_js(browser, sealbox):
    """A fresh browser profile with JavaScript off, like Tor Browser at "Safest", phone-sized."""
    context = browser.new_context(
        java_script_enabled=False, viewport=PHONE, base_url=sealbox.url, locale="en-US"
    )
    yield context
    context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
