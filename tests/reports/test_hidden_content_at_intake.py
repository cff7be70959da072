"""A source who sends a document with comments and speaker notes is told, in their language,
that these went and that they can paste them into the report."""

from __future__ import annotations

import pytest

from tests import support
from tests.scrub.test_hidden_content import pptx_with_hidden_slide_and_notes

SENTENCES = {
    "en": "1 hidden slide and the speaker notes were removed; "
    "paste them into your report if they matter.",
    "zh-Hans": "已移除1 张隐藏的幻灯片和演讲者备注；如有需要，请将其粘贴到您的报告中。",
    "zh-Hant": "已移除1 張隱藏的投影片和演講者備忘稿；如有需要，請將其貼到您的報告中。",
    "ug": "1 يوشۇرۇن سىلايد ۋە سۆزلىگۈچى ئىزاھاتلىرى چىقىرىۋېتىلدى؛ "
    "مۇھىم بولسا، ئۇلارنى مەلۇماتىڭىزغا چاپلاڭ.",
}


@pytest.fixture
def channel(services):
    support.add_user(services, "alice")
    support.add_channel(services, "slides", ["alice"])


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_the_source_is_told_what_content_went(services, client, channel, lang):
    sent = support.submit(
        client,
        "slides",
        "the deck",
        [("deck.pptx", pptx_with_hidden_slide_and_notes())],
        headers={"Accept-Language": lang},
    )
    assert sent.status_code == 200
    assert SENTENCES[lang] in sent.text
