"""Admins edit channels: names and descriptions per language, identity and metadata options,
retention, handlers. Each change is audited by field name, never by value."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from sealbox.audit.models import AuditEntry
from sealbox.channels.models import Channel, ChannelHandler
from tests import staff_kit, support


def _form(**overrides):
    base = {
        "name_en": "Fraud",
        "description_en": "Report fraud here.",
        "name_zh_Hans": "欺诈举报",
        "description_zh_Hans": "在这里举报欺诈。",
        "name_ug": "ئالدامچىلىق",
        "active": "1",
        "allow_identity": "1",
        "retention_days_closed": "90",
        "retention_days_unanswered": "400",
    }
    return {**base, **overrides}


def test_admin_edits_a_channel(services, client, other_client):
    ada = staff_kit.account(services, "ada", "admin")
    staff_kit.account(services, "hana", "handler")
    staff_kit.account(services, "ivan", "handler")
    support.staff_login(client, services, ada)
    created = staff_kit.post(client, "/staff/admin/channels", slug="fraud", name="Fraud")
    assert created.status_code == 200
    with services.db.transaction() as session:
        channel = session.scalar(select(Channel).where(Channel.slug == "fraud"))
        channel_id = channel.id
    assert client.get("/").text.count("/submit/fraud") == 0, "no handler yet: not open"

    bad = staff_kit.post(
        client, f"/staff/admin/channels/{channel_id}", **_form(retention_days_closed="0")
    )
    assert bad.status_code == 400 and "Retention" in bad.text
    saved = staff_kit.post(client, f"/staff/admin/channels/{channel_id}", **_form())
    assert "Saved." in saved.text
    page = client.get(f"/staff/admin/channels/{channel_id}")
    boxes = re.findall(r'name="handler_([0-9a-f]{32})" value="1"[^>]*> (\w+)', page.text)
    ids = {name: uid for uid, name in boxes}
    staff_kit.post(
        client, f"/staff/admin/channels/{channel_id}/handlers", **{f"handler_{ids['hana']}": "1"}
    )

    with services.db.transaction() as session:
        channel = session.get(Channel, channel_id)
        assert (channel.retention_days_closed, channel.retention_days_unanswered) == (90, 400)
        assert channel.allow_identity and not channel.allow_keep_metadata
        assert {u for u in session.scalars(select(ChannelHandler.user_id))} == {ids["hana"]}
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.target == f"channel:{channel_id}"))
        )
    actions = [e.action for e in entries]
    assert {"channel_added", "channel_changed", "channel_handlers_changed"} <= set(actions)
    changed = next(json.loads(e.details) for e in entries if e.action == "channel_changed")
    assert "texts" in changed["fields"] and "retention_days_closed" in changed["fields"]
    assert "欺诈" not in " ".join(e.details for e in entries)

    source = other_client
    assert "/submit/fraud" in source.get("/").text
    chinese = source.get("/submit/fraud?lang=zh-Hans")
    assert "欺诈举报" in chinese.text and "在这里举报欺诈。" in chinese.text
    assert "Fraud" in source.get("/submit/fraud?lang=en").text
    assert 'name="identity_name"' in chinese.text
