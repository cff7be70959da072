"""A source's whole visit with JavaScript off, in each language: report with a file, note the
passphrase, come back later, read the handler's reply, answer it."""

from __future__ import annotations

import re

import pytest

from sealbox.locale import BY_TAG, translations
from sealbox.locale.extract import read
from tests.browser.conftest import LANGUAGES, PHONE, screenshot
from tests.browser.page_watch import PageWatch, overflows
from tests.live_server import token

REPORTS = {
    "en": "The director approved invoices from a shell company.",
    "zh-Hans": "局长批准了一家空壳公司的发票。",
    "zh-Hant": "局長批准了一家空殼公司的發票。",
    "ug": "مۇدىر بىر قۇرۇق شىركەتنىڭ تالونلىرىنى تەستىقلىدى.",
}
PAGE_BUDGET = 100_000  # bytes per page, everything included


@pytest.fixture(scope="module")
def alice(sealbox):
    client = sealbox.staff_client(sealbox.accounts["alice"])
    yield client
    client.close()


def _(lang: str, message: str) -> str:
    return translations(BY_TAG[lang.lower()].code).gettext(message)


def _reply_as_handler(alice, marker: str, text: str) -> None:
    inbox = alice.get("/staff/").text
    for report_id in re.findall(r'href="/staff/reports/([0-9a-f]{32})', inbox):
        page = alice.get(f"/staff/reports/{report_id}").text
        if marker in page:
            action = f"/staff/reports/{report_id}/reply"
            answer = alice.post(action, data={"csrf": token(page, action), "text": text})
            assert answer.status_code == 303, answer.text
            return
    raise AssertionError(f"the handler's inbox has no report with {marker!r}")


def _submit(page, selector: str) -> None:
    """Click a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def _english_sentences() -> list[str]:
    """The catalogue's English sentences that a translated page must not show."""
    return [
        m.id
        for m in read("en")
        if isinstance(m.id, str) and " " in m.id and len(m.id) >= 12 and "%(" not in m.id
    ]


ENGLISH = _english_sentences()


def _check_page(page, lang: str) -> None:
    language = BY_TAG[lang.lower()]
    if lang != "en":
        shown = page.locator("body").inner_text()
        left = [sentence for sentence in ENGLISH if sentence in shown]
        assert left == [], f"{page.url} shows English: {left}"
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == language.direction
    assert page.locator("script").count() == 0
    assert not overflows(page, PHONE["width"]), f"{page.url} scrolls sideways on a phone"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_source_reports_comes_back_and_answers_with_javascript_off(no_js, sealbox, alice, lang):
    page = no_js.new_page()
    watch = PageWatch(page, sealbox.url)
    marker = f"[{lang}]"

    page.goto(f"/?lang={lang}")
    _check_page(page, lang)
    assert page.locator("h1").inner_text() == _(lang, "Send a report safely")
    screenshot(page, f"source-landing-{lang}")

    with page.expect_navigation():
        page.click("a.channel")
    assert f"lang={lang}" in page.url
    _check_page(page, lang)
    page.fill("#text", f"{REPORTS[lang]} {marker}")
    page.set_input_files(
        "#files",
        files=[{"name": "evidence.txt", "mimeType": "text/plain", "buffer": b"invoice 4711"}],
    )
    screenshot(page, f"source-submit-{lang}")
    _submit(page, "main form button[type=submit]")

    assert page.locator("h1").inner_text() == _(lang, "Your report was sent")
    _check_page(page, lang)
    words = page.locator("ol.passphrase:not(.digits) li").all_inner_texts()
    digits = page.locator("ol.passphrase.digits li").all_inner_texts()
    assert len(words) == len(digits) == 7
    assert all(re.fullmatch(r"\d{4}", group) for group in digits)
    screenshot(page, f"source-passphrase-{lang}")
    assert no_js.cookies() == [], "choosing a language or reporting must not set a cookie"
    page.emulate_media(media="print")
    screenshot(page, f"source-passphrase-print-{lang}")
    assert not page.locator("header.site").is_visible()
    assert page.locator("ol.passphrase.digits").is_visible()
    page.emulate_media(media="screen")

    _reply_as_handler(alice, marker, f"Which year? {marker}")

    # Days later: a browser that kept nothing. Chinese and Uyghur readers use the digits.
    no_js.clear_cookies()
    page.goto(f"/login?lang={lang}")
    _check_page(page, lang)
    typed = " ".join(words) if lang in ("en", "zh-Hans") else " ".join(digits)
    page.fill("#passphrase", typed)
    _submit(page, "main form button[type=submit]")
    assert page.locator("h1").inner_text() == _(lang, "Your report"), page.locator(
        "main"
    ).inner_text()
    conversation = page.locator("ol.conversation").inner_text()
    assert REPORTS[lang] in conversation
    assert f"Which year? {marker}" in conversation
    assert "evidence.txt" in conversation
    _check_page(page, lang)
    screenshot(page, f"source-report-{lang}")

    page.fill("#text", f"It was 2023. {marker}")
    _submit(page, 'form[action^="/report/messages"] button[type=submit]')
    assert page.locator("p.success").inner_text() == _(lang, "Your message was sent.")
    assert f"It was 2023. {marker}" in page.locator("ol.conversation").inner_text()

    assert watch.foreign_requests() == []
    assert watch.heavy_loads(PAGE_BUDGET) == []
    assert len(watch.loads) >= 5
