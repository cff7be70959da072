"""A staff session ends for real: at logout its sealed key leaves no copy on disk, and no
session outlives its absolute lifetime, however busy."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests import server_copy, staff_kit, support


@pytest.fixture
def database_url(backend):
    """A database of its own: what survives a delete must not depend on other tests' work."""
    with server_copy.own_database(backend) as url:
        yield url


COOKIE = "sealbox_staff"


def _sealed_keys(services) -> list[bytes]:
    with services.db.engine.connect() as connection:
        return [
            bytes(value)
            for (value,) in connection.execute(text("select sealed_key from staff_sessions"))
        ]


def test_after_logout_a_captured_cookie_and_a_copy_of_the_server_open_nothing(services, client):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    inbox = support.staff_login(client, services, alice)
    assert inbox.status_code == 200
    captured = client.cookies.get(COOKIE)
    [sealed] = _sealed_keys(services)
    if services.db.engine.dialect.name == "sqlite":
        assert server_copy.holding(server_copy.take(services), sealed[-32:])  # the control

    out = client.post("/staff/logout", data={"csrf": support.token(inbox.text)})
    assert out.status_code == 200
    with staff_kit.browser(services) as thief:
        thief.cookies.set(COOKIE, captured, domain="sealbox.test", path="/staff")
        assert thief.get("/staff/").status_code == 401
    # The session key sealed to the cookie's secret is gone from every file (WAL included).
    needles = [sealed[i : i + 32] for i in range(32, len(sealed) - 32, 32)]
    copy = server_copy.take_after_sweep(services, needles)
    for needle in needles:
        assert server_copy.holding(copy, needle) == [], needle


def test_a_busy_staff_session_still_ends_at_its_absolute_lifetime(services, client):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    assert support.staff_login(client, services, alice).status_code == 200
    lifetime = getattr(services.settings, "staff_session_max_hours", 12) * 3600
    used = 0
    while used + 20 * 60 < lifetime:
        services.clock.advance(20 * 60)
        used += 20 * 60
        assert client.get("/staff/").status_code == 200, used
    services.clock.advance(lifetime - used + 60)
    assert client.get("/staff/").status_code == 401
    assert _sealed_keys(services) == []
