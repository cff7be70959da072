"""A channel added on the admin's page and one added with `sealbox channel add` leave audit
entries of one shape; only the actor differs (the admin, or `cli`)."""

from __future__ import annotations

from sqlalchemy import select

from sealbox.channels.models import Channel
from tests import staff_kit, support
from tests.audit.cli_runner import sealbox


def _entries_about(services, slug: str):
    with services.db.transaction() as session:
        channel_id = session.scalar(select(Channel.id).where(Channel.slug == slug))
    return support.audit_entries(services, f"channel:{channel_id}")


def test_adding_a_channel_is_audited_alike_on_the_page_and_on_the_command_line(services, client):
    ada = staff_kit.account(services, "ada", "admin")
    support.staff_login(client, services, ada)
    page = client.get("/staff/admin/channels")
    made = client.post(
        "/staff/admin/channels",
        data={"csrf": support.token(page.text), "slug": "city", "name": "City"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    done = sealbox(services, "channel", "add", "town", "--name", "Town")
    assert done.exit_code == 0, done.output

    assert _entries_about(services, "city") == [("ada", "channel_added", {"slug": "city"})]
    assert _entries_about(services, "town") == [("cli", "channel_added", {"slug": "town"})]
