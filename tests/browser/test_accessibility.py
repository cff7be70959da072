"""axe-core in each source page in each language and in each staff page: no serious or critical
violations. axe comes from the npm registry (scripts/install-test-deps)."""

from __future__ import annotations

import re

import pytest

from sealbox.web.i18n import with_lang
from tests.browser.conftest import AXE, LANGUAGES, PHONE
from tests.live_server import StaffAccount

SERIOUS = ("serious", "critical")
# Links that download or change things rather than show a page.
IDS = re.compile(r"[0-9a-f]{32}")
NOT_PAGES = re.compile(r"/files/|/export|/anchor|/logout|\.json|\.jsonl")

if not AXE.exists():
    pytest.skip(f"{AXE} is missing: run scripts/install-test-deps", allow_module_level=True)


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.fixture
def axe_context(browser, sealbox):
    # The page's Content-Security-Policy forbids injected scripts; axe is the only exception.
    context = browser.new_context(base_url=sealbox.url, bypass_csp=True, viewport=PHONE)
    yield context
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_source_pages_have_no_serious_violations(axe_context, lang):
    page = axe_context.new_page()
    found = []
    for path in ("/", "/submit/fraud", "/login", "/no-such-page"):
        page.goto(f"{path}?lang={lang}")
        found += _violations(page)

    page.goto(f"/submit/fraud?lang={lang}")
    page.fill("#text", "Accessibility check.")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    found += _violations(page)  # the passphrase page
    words = page.locator("ol.passphrase:not(.digits) li").all_inner_texts()

    page.goto(f"/login?lang={lang}")
    page.fill("#passphrase", " ".join(words))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    found += _violations(page)  # the report page
    with page.expect_navigation():
        page.click("form[action^='/logout'] button")
    found += _violations(page)  # logged out
    assert found == []


def _log_in(page, account: StaffAccount, lang: str) -> None:
    page.goto(f"/staff/login?lang={lang}")
    page.fill("#username", account.username)
    page.fill("#password", account.password)
    page.fill("#totp", account.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def _staff_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href^='/staff']", "as => as.map(a => a.href)")
    return [href for href in hrefs if not NOT_PAGES.search(href)]


def _kind(url: str) -> str:
    """Pages that differ only by an id (one report or another) are one kind of page."""
    return IDS.sub("{id}", url.split("?")[0])


@pytest.mark.parametrize("username", ["bob", "ada", "cus", "aud"])
def test_staff_pages_have_no_serious_violations(browser, sealbox, username):
    context = browser.new_context(
        base_url=sealbox.url, bypass_csp=True, viewport={"width": 1100, "height": 800}
    )
    page = context.new_page()
    page.goto("/staff/login?lang=ug")
    found = _violations(page)
    _log_in(page, sealbox.accounts[username], "en")
    # Every kind of page the role can reach by following links, in English and in Uyghur.
    seen, queue = {_kind(page.url)}, [page.url]
    while queue:
        url = queue.pop(0)
        for lang in ("en", "ug"):
            page.goto(with_lang(url, lang))
            found += _violations(page)
        for href in _staff_links(page):
            if _kind(href) not in seen:
                seen.add(_kind(href))
                queue.append(href)
    context.close()
    assert len(seen) >= 2
    assert found == []
