"""The report page's forms with JavaScript on, in Uyghur and traditional Chinese: a mistake
comes back beside its form in the page's language with what was typed; a save is confirmed;
the feedback choice stops the deadline; a file's preview is drawn only when opened."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from sealbox.locale import BY_TAG, translations
from tests.browser.conftest import screenshot
from tests.live_server import token

TEXT = "The forklift logs are forged; photos attached."


def _(lang: str, message: str) -> str:
    return translations(BY_TAG[lang.lower()].code).gettext(message)


def _photo() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (1200, 800), "#3a6ea5")
    for x in range(0, 1200, 100):
        image.paste((240, 200, 40), (x, 0, x + 40, 800))
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _letter() -> bytes:
    out = io.BytesIO()
    pages = [Image.new("RGB", (595, 842), shade) for shade in ("#ffffff", "#eeeeee")]
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:])
    return out.getvalue()


@pytest.fixture(scope="module")
def dora(sealbox):
    """A handler alone on her own channel, with one report holding a photo and a PDF."""
    account = sealbox.add_user("dora", "handler")
    sealbox.add_channel("yard", "Yard safety", "Forklifts, cranes.", ["dora"])
    with httpx.Client(base_url=sealbox.url, timeout=60, follow_redirects=True) as source:
        form = source.get("/submit/yard")
        files = [
            ("files", ("forklift.jpg", _photo(), "image/jpeg")),
            ("files", ("letter.pdf", _letter(), "application/pdf")),
        ]
        sent = source.post(
            "/submit/yard", data={"form_token": token(form.text), "text": TEXT}, files=files
        )
        assert sent.status_code == 200, sent.text
    return account


@pytest.fixture
def page(browser, sealbox, dora):
    context = browser.new_context(base_url=sealbox.url, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto("/staff/login")
    page.fill("#username", dora.username)
    page.fill("#password", dora.password)
    page.fill("#totp", dora.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    with page.expect_navigation():
        page.locator("table.inbox a[href^='/staff/reports/']").first.click()
    assert TEXT in page.locator("ol.conversation").inner_text()
    yield page
    context.close()


def _submit(page, action: str) -> None:
    with page.expect_navigation():
        page.click(f"form[action*='/{action}'] button[type=submit]")


def test_in_uyghur_a_refusal_keeps_the_choice_and_a_reply_is_confirmed(page):
    page.goto(page.url.split("#")[0].split("?")[0] + "?lang=ug")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.select_option("#status", "closed")
    _submit(page, "status")
    refused = page.locator("#refused")
    assert refused.inner_text() == _("ug", "Choose an outcome to close the report.")
    assert page.locator("#status").input_value() == "closed", "the choice is kept"
    assert page.evaluate("document.activeElement.id") == "status"

    page.fill("#reply", "ھەرىكەت قىلدۇق: ئامبار تەكشۈرۈلدى.")
    page.check("#feedback")
    _submit(page, "reply")
    assert "lang=ug" in page.url
    said = _(
        "ug", "Reply sent and recorded as the feedback on the outcome: the 3-month deadline is met."
    )
    assert page.locator("#done").inner_text() == said
    assert page.locator("#done").is_visible()
    screenshot(page, "staff-report-feedback-ug")


def test_in_traditional_chinese_a_long_note_comes_back_and_a_status_is_confirmed(page):
    page.goto(page.url.split("#")[0].split("?")[0] + "?lang=zh-Hant")
    note = "倉庫經理 " * 4001  # 20,005 characters: one past what a note may hold
    page.fill("#note", note)
    _submit(page, "notes")
    message = _("zh-Hant", "A note has at most %(max)s characters.") % {"max": "20,000"}
    assert page.locator("#refused").inner_text() == message
    assert page.locator("#note").input_value() == note
    screenshot(page, "staff-report-refused-zh-Hant")

    page.select_option("#status", "in_progress")
    _submit(page, "status")
    status = _("zh-Hant", "In progress")
    expected = _("zh-Hant", "Status set to %(status)s.") % {"status": status}
    assert page.locator("#done").inner_text() == expected
    screenshot(page, "staff-report-saved-zh-Hant")


def test_a_preview_is_drawn_when_opened(page, sealbox):
    def looks() -> int:
        return sealbox.sql("select count(*) from audit_log where action = 'file_previewed'")[0]

    before = looks()
    photo = page.locator("details.preview", has=page.locator("img[alt*='forklift.jpg']"))
    assert looks() == before, "nothing is drawn before the handler opens a preview"
    photo.locator("summary").click()
    image = photo.locator("img")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => img.naturalWidth") == 1200
    assert looks() == before + 1
    screenshot(page, "staff-report-preview-en")

    letter = page.locator("details.preview", has=page.locator("img[alt*='letter.pdf']"))
    letter.locator("summary").click()
    with page.expect_navigation():
        letter.locator("a[href$='/preview']").click()
    images = page.locator("ol.preview img")
    assert images.count() == 2
    for n in range(2):
        images.nth(n).scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=images.nth(n).element_handle()
        )
    screenshot(page, "staff-preview-pdf-en")
