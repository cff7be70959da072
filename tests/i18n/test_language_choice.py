"""Which language a page speaks, and that the choice travels in the URL, never in a cookie."""

from __future__ import annotations

import re

import pytest

from sealbox.web.i18n import choose, from_accept_language, with_lang
from tests import support


@pytest.mark.parametrize(
    ("header", "tag"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
        ("zh-TW,zh;q=0.9", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("ug-CN,ug;q=0.9,zh;q=0.5", "ug"),
        ("en-US,en;q=0.5", "en"),  # what Tor Browser always sends
        ("fr-FR,de;q=0.8", "en"),
        ("fr;q=0.9,ug;q=0.2,zh-Hant;q=0.5", "zh-Hant"),
        ("ug;q=0, zh-Hans;q=0.1", "zh-Hans"),
        ("", "en"),
    ],
)
def test_accept_language_is_the_first_guess(header, tag):
    assert from_accept_language(header).tag == tag


def test_the_url_wins_over_the_browser():
    choice = choose("ug", "zh-CN")
    assert choice.language.tag == "ug" and choice.explicit
    assert not choose("klingon", "zh-CN").explicit


def test_with_lang_replaces_and_keeps_the_fragment():
    assert with_lang("/staff/reports/ab#latest", "ug") == "/staff/reports/ab?lang=ug#latest"
    assert with_lang("/staff/?page=2&lang=en", "zh-Hans") == "/staff/?page=2&lang=zh-Hans"


def _html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


@pytest.mark.parametrize(
    ("lang", "direction", "heading"),
    [
        ("en", "ltr", "Send a report safely"),
        ("zh-Hans", "ltr", "安全地提交举报"),
        ("zh-Hant", "ltr", "安全地提交舉報"),
        ("ug", "rtl", "مەلۇماتنى بىخەتەر يوللاڭ"),
    ],
)
def test_landing_page_speaks_the_chosen_language(client, lang, direction, heading):
    page = client.get(f"/?lang={lang}")
    assert page.status_code == 200
    assert _html_tag(page.text) == f'<html lang="{lang}" dir="{direction}">'
    assert heading in page.text
    assert "set-cookie" not in page.headers
    assert page.headers["content-language"] == lang
    assert "Accept-Language" in page.headers["vary"]


def test_accept_language_chooses_without_putting_it_in_links(client):
    page = client.get("/", headers={"accept-language": "zh-TW"})
    assert 'lang="zh-Hant"' in _html_tag(page.text)
    assert 'href="/login"' in page.text


def test_links_and_forms_keep_an_explicit_language(services, client):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    landing = client.get("/?lang=ug")
    assert 'href="/submit/fraud?lang=ug"' in landing.text
    assert 'href="/login?lang=ug"' in landing.text
    form = client.get("/submit/fraud?lang=ug")
    assert 'action="/submit/fraud?lang=ug"' in form.text


def test_language_switcher_is_plain_links_to_this_page(client):
    page = client.get("/login?lang=zh-Hans")
    switcher = page.text[page.text.index('class="languages') :]
    for tag, name in [("en", "English"), ("zh-Hant", "繁體中文"), ("ug", "ئۇيغۇرچە")]:
        assert f'href="/login?lang={tag}" lang="{tag}"' in switcher
        assert name in switcher
    current = '<a href="/login?lang=zh-Hans" lang="zh-Hans" dir="ltr" hreflang="zh-Hans"'
    assert current + ' aria-current="true">' in switcher
    assert "<script" not in page.text


def test_redirects_keep_the_language(services, client):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    sent = support.submit(client, "fraud", "A report.")
    words = support.passphrase_of(sent)
    page = client.get("/login?lang=zh-Hant")
    answer = client.post(
        "/login?lang=zh-Hant",
        data={"form_token": support.token(page.text), "passphrase": words},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/report?lang=zh-Hant"
    report = client.get(answer.headers["location"])
    assert "您的舉報" in report.text


def test_domain_errors_are_shown_in_the_page_language(client):
    page = client.get("/login?lang=ug")
    answer = client.post(
        "/login?lang=ug",
        data={"form_token": support.token(page.text), "passphrase": "not a real passphrase"},
    )
    assert answer.status_code == 401
    assert "بۇ مەخپىي ئىبارە ھېچقانداق مەلۇماتنى ئاچمىدى" in answer.text
    assert "did not open" not in answer.text


def test_error_pages_are_translated(client):
    page = client.get("/no-such-page?lang=zh-Hans")
    assert page.status_code == 404
    assert "此地址没有页面。" in page.text


def test_dates_are_written_for_the_language(services, client):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    words = support.passphrase_of(support.submit(client, "fraud", "A report."))
    support.source_login(client, words)
    today = services.clock.today()
    chinese = client.get("/report?lang=zh-Hans").text
    assert f"{today.year}年{today.month}月{today.day}日" in chinese
    english = client.get("/report?lang=en").text
    assert f"{today.day}, {today.year}" in english
