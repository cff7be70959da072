"""Destructive admin actions ask first, on a page of their own (no JavaScript needed):
deactivating an account, resetting its second factors, removing a channel's handler. And the
first login explains what an authenticator app is before it asks for a code."""

from __future__ import annotations

import re

from sqlalchemy import select

from sealbox.accounts.models import User
from sealbox.channels.models import ChannelHandler
from tests import staff_kit, support


def _id(services, username: str) -> str:
    with services.db.transaction() as session:
        return session.scalar(select(User.id).where(User.username == username))


def _forms(html: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+)"', html)


def test_deactivate_and_reset_ask_first(services, client):
    ada = staff_kit.account(services, "ada", "admin")
    staff_kit.account(services, "bob", "handler")
    support.staff_login(client, services, ada)
    bob = _id(services, "bob")
    users = client.get("/staff/admin/users").text
    # The list links to the confirmation pages; it posts no deactivation or reset itself.
    assert f'href="/staff/admin/users/{bob}/active"' in users
    assert f'href="/staff/admin/users/{bob}/reset-totp"' in users
    assert f"/staff/admin/users/{bob}/reset-totp" not in _forms(users)
    assert f"/staff/admin/users/{bob}/active" not in _forms(users)

    asked = client.get(f"/staff/admin/users/{bob}/active")
    assert asked.status_code == 200 and "Deactivate the account bob?" in asked.text
    assert 'name="active" value="0"' in asked.text and 'href="/staff/admin/users"' in asked.text
    reset = client.get(f"/staff/admin/users/{bob}/reset-totp")
    assert "Reset the second factors of bob?" in reset.text
    with services.db.transaction() as session:
        row = session.get(User, bob)
        assert row.active and row.totp_sealed is not None, "asking changes nothing"

    token = support.token(asked.text)
    done = client.post(
        f"/staff/admin/users/{bob}/active",
        data={"csrf": token, "confirm": "1", "active": "0"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    with services.db.transaction() as session:
        assert not session.get(User, bob).active
    assert client.get("/staff/admin/users/" + "0" * 32 + "/active").status_code == 404


def test_removing_a_handler_asks_first(services, client):
    ada = staff_kit.account(services, "ada", "admin")
    staff_kit.account(services, "hana", "handler")
    staff_kit.account(services, "ivan", "handler")
    channel_id = staff_kit.channel(services, "hr", ["hana", "ivan"])
    support.staff_login(client, services, ada)
    hana, ivan = _id(services, "hana"), _id(services, "ivan")
    path = f"/staff/admin/channels/{channel_id}/handlers"
    asked = staff_kit.post(client, path, **{f"handler_{hana}": "1"})
    assert asked.status_code == 200 and "Remove these handlers" in asked.text
    assert "<li>ivan</li>" in asked.text and "<li>hana</li>" not in asked.text
    with services.db.transaction() as session:
        held = set(session.scalars(select(ChannelHandler.user_id)))
    assert held == {hana, ivan}, "asking removes nobody"
    done = staff_kit.post(client, path, **{f"handler_{hana}": "1", "confirm": "1"})
    assert "Removed: ivan." in done.text
    with services.db.transaction() as session:
        assert set(session.scalars(select(ChannelHandler.user_id))) == {hana}


def test_first_login_explains_the_authenticator_before_the_code(services, client, other_client):
    ada = staff_kit.account(services, "ada", "admin")
    support.staff_login(client, services, ada)
    created = staff_kit.post(client, "/staff/admin/users", username="cora", role="handler")
    one_time = re.search(r'<code class="secret">([^<]+)</code>', created.text).group(1)
    login = other_client.get("/staff/login")
    page = other_client.post(
        "/staff/login",
        data={"csrf": support.token(login.text), "username": "cora", "password": one_time},
        follow_redirects=True,
    )
    assert page.url.path == "/staff/account/totp"
    text = page.text
    explained = text.index("What is an authenticator app?")
    assert explained < text.index("What to do") < text.index('name="code"')
    assert "every 30 seconds" in text and "Install an authenticator app" in text
