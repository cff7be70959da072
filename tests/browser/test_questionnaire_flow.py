"""The questionnaire in a browser: an admin builds one with forms (JavaScript on), previews it,
and a source answers it step by step with JavaScript off; axe-core finds nothing serious on
the builder, the preview or the steps. Screenshots go to tests/artifacts."""

from __future__ import annotations

import pytest

from tests.browser import axe
from tests.browser.conftest import PHONE, screenshot
from tests.browser.page_watch import PageWatch


def _shot(page, name: str) -> None:
    screenshot(page, f"questionnaire-{name}")


@pytest.fixture(scope="module")
def witness(sealbox):
    """A channel of its own, so the other browser tests keep their one-page forms."""
    sealbox.add_channel("witness", "Witnesses", "Tell us what you saw.", ["carol"])
    return "witness"


@pytest.fixture
def admin_page(browser, sealbox):
    context = browser.new_context(
        base_url=sealbox.url, viewport={"width": 1100, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    ada = sealbox.accounts["ada"]
    page.goto("/staff/login")
    page.fill("#username", ada.username)
    page.fill("#password", ada.password)
    page.fill("#totp", ada.code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    yield page
    context.close()


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _add(page, kind: str, label: str) -> None:
    page.select_option("#kind", kind)
    page.fill("#label", label)
    _click(page, "form:has(#kind) button[type=submit]")
    assert page.locator("p.success").count() == 1, page.locator("main").inner_text()


def test_admin_builds_and_previews_a_questionnaire(admin_page, witness):
    page = admin_page
    assert page.evaluate("1 + 1") == 2  # JavaScript is on for staff
    found: list[str] = []
    _click(page, "a[href$='/staff/admin/channels']")
    _click(page, "a:text('Witnesses')")
    _click(page, "a:text('Edit the questionnaire')")
    builder = page.url
    found += axe.violations(page)

    _add(page, "yesno", "Did anyone else see it?")
    page.fill("#label_zh_Hans", "还有其他人看到吗？")
    page.fill("#label_ug", "باشقىلار كۆردىمۇ؟")
    page.check("input[name=required]")
    found += axe.violations(page)
    _shot(page, "question")
    _click(page, "form button:text('Save question')")

    _add(page, "choice", "Where did it happen?")
    page.fill("input[name=choice_new0_en]", "Warehouse")
    page.fill("input[name=choice_new0_zh_Hans]", "仓库")
    page.fill("input[name=choice_new1_en]", "Office")
    page.fill("input[name=choice_new1_zh_Hans]", "办公室")
    _click(page, "form button:text('Save question')")

    _add(page, "text", "Who else saw it?")
    page.fill("#label_zh_Hans", "还有谁看到了？")
    page.select_option("#when", label="Only when “Did anyone else see it?” is answered “Yes”")
    page.check("input[name=required]")
    _click(page, "form button:text('Save question')")

    # Reorder without JavaScript's help: the place question up to the top.
    page.goto(builder)
    _click(page, "button[aria-label='Move up: Where did it happen?']")
    labels = page.locator("ol.questions li strong").all_inner_texts()
    assert labels == ["Where did it happen?", "Did anyone else see it?", "Who else saw it?"]
    assert "Asked only when “Did anyone else see it?” is answered “Yes”." in page.inner_text("main")
    found += axe.violations(page)
    _shot(page, "builder")

    # Delete asks first, on a page of its own.
    _add(page, "date", "A question to delete")
    page.goto(builder)
    _click(page, "a[href$='/delete']:has-text('A question to delete')")
    assert "A question to delete" in page.inner_text("main")
    found += axe.violations(page)
    _click(page, "main form button[type=submit]")
    assert "Question deleted." in page.inner_text("main")
    assert "A question to delete" not in page.inner_text("ol.questions")

    _click(page, "a:text('Preview it as a source sees it')")
    _click(page, "nav[aria-label='Preview language'] a[hreflang='zh-Hans']")
    preview = page.inner_text("main")
    for shown in ("还有其他人看到吗？", "仓库", "办公室", "还有谁看到了？"):
        assert shown in preview, shown
    found += axe.violations(page)
    _shot(page, "preview")
    assert found == []


def test_source_answers_conditional_steps_with_javascript_off(no_js, browser, sealbox, witness):
    page = no_js.new_page()
    watch = PageWatch(page, sealbox.url)
    page.goto(f"/submit/{witness}?lang=zh-Hans")
    assert page.locator("script").count() == 0
    main = page.inner_text("main")
    assert "还有其他人看到吗？" in main and "还有谁看到了？" not in main, main
    page.fill("#text", "叉车在仓库里倒下了。")
    page.check("input[type=radio][value='yes']")
    page.check("input[type=radio][value='0']")  # the warehouse
    _click(page, "button[value=next]")

    main = page.inner_text("main")
    assert "还有谁看到了？" in main and "仓库" in main, main  # the question, and the answers so far
    page.fill("input[name=q2]", "仓库经理")
    _shot(page, "source-step2")
    _click(page, "button[value=back]")
    assert page.locator("input[type=radio][value='yes']").is_checked()
    assert page.input_value("#text") == "叉车在仓库里倒下了。"
    _click(page, "button[value=next]")
    assert page.input_value("input[name=q2]") == "仓库经理", "the step's answer came back"
    _click(page, "main form button[type=submit]:not([value])")
    assert page.locator("ol.passphrase").count() == 2, page.inner_text("main")
    assert watch.foreign_requests() == []

    # axe on the steps (it needs JavaScript, and a page that lets it in).
    context = browser.new_context(base_url=sealbox.url, bypass_csp=True, viewport=PHONE)
    checked = context.new_page()
    checked.goto(f"/submit/{witness}?lang=ug")
    found = axe.violations(checked)
    checked.check("input[type=radio][value='yes']")
    _click(checked, "button[value=next]")
    found += axe.violations(checked)
    context.close()
    assert found == []


def test_admin_confirms_before_deactivating(admin_page, sealbox):
    sealbox.invite("leaver")
    page = admin_page
    page.goto("/staff/admin/users")
    row = page.locator("tr", has_text="leaver")
    _click(page, "tr:has-text('leaver') a:has-text('Deactivate')")
    assert "Deactivate the account leaver?" in page.inner_text("main")
    assert axe.violations(page) == []
    _shot(page, "confirm-deactivate")
    _click(page, "main a:text('Cancel')")
    assert "deactivated" not in row.inner_text()
    _click(page, "tr:has-text('leaver') a:has-text('Deactivate')")
    _click(page, "main form button[type=submit]")
    assert "deactivated" in page.locator("tr", has_text="leaver").inner_text()
