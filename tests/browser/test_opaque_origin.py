"""In a real browser: our own forms carry an Origin the server accepts, and a form posted from
an opaque origin (a `data:` page, a sandboxed frame) arrives as `Origin: null` and is refused."""

from __future__ import annotations

import html


def test_a_form_from_an_opaque_origin_is_refused(browser, sealbox):
    context = browser.new_context()
    page = context.new_page()
    seen: list[tuple[str | None, int]] = []
    page.on(
        "response",
        lambda r: (
            seen.append((r.request.headers.get("origin"), r.status))
            if r.request.method == "POST"
            else None
        ),
    )
    form = (
        f'<form method="post" action="{html.escape(sealbox.url)}/login">'
        '<input name="form_token" value="x"><input name="passphrase" value="a b c">'
        '<button type="submit">go</button></form>'
    )
    page.goto("data:text/html," + form)
    with page.expect_navigation():
        page.click("button")
    assert seen == [("null", 403)]
    assert "Cross-site form submissions are refused." in page.content()
    context.close()


def test_our_own_forms_keep_their_origin(browser, sealbox):
    context = browser.new_context(base_url=sealbox.url)
    page = context.new_page()
    origins: list[str | None] = []
    page.on(
        "request", lambda r: origins.append(r.headers.get("origin")) if r.method == "POST" else None
    )
    page.goto("/login")
    page.fill("#passphrase", "abacus abacus abacus abacus abacus abacus abacus")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert origins == [sealbox.url]
    assert "did not open a report" in page.content()
    context.close()
