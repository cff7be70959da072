"""Channel names and descriptions are shown in the page's language, or in English if an admin
gave none in that language."""

from __future__ import annotations

from sqlalchemy import select

from sealbox.channels import channel_settings
from sealbox.channels.models import Channel
from tests import support


def _translate_channel(services, slug: str) -> None:
    with services.db.transaction() as session:
        channel = session.scalar(select(Channel).where(Channel.slug == slug))
        settings = channel_settings.ChannelSettings(
            names={
                "en": "Police abuse",
                "zh_Hans": "警察滥权",
                "ug": "ساقچىلارنىڭ ھوقۇق سۇيىئىستېمالى",
            },
            descriptions={"en": "Reports about the police.", "zh_Hans": "关于警察的举报。"},
            active=True,
        )
        channel_settings.update(session, channel, settings)


def test_channel_texts_follow_the_page_language(services, client):
    support.add_user(services, "alice")
    support.add_channel(services, "police", ["alice"])
    _translate_channel(services, "police")

    chinese = client.get("/?lang=zh-Hans").text
    assert "警察滥权" in chinese and "关于警察的举报。" in chinese
    assert "Police abuse" not in chinese

    uyghur = client.get("/submit/police?lang=ug").text
    assert "ساقچىلارنىڭ ھوقۇق سۇيىئىستېمالى" in uyghur
    assert "Reports about the police." in uyghur  # no Uyghur description: English stands in

    traditional = client.get("/?lang=zh-Hant").text
    assert "Police abuse" in traditional  # nothing in Traditional Chinese yet
