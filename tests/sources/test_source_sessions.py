"""A source's session ends for real: after logout or expiry, a captured cookie opens nothing, not
even together with a full copy of the server."""

from __future__ import annotations

import base64
import hashlib

import pytest
from sqlalchemy import inspect, text

from sealbox import crypto
from sealbox.jobs import runner
from sealbox.web.app import create_app
from tests import server_copy, staff_kit, support


@pytest.fixture
def database_url(backend):
    """A database of its own: what survives a delete must not depend on other tests' work."""
    with server_copy.own_database(backend) as url:
        yield url


COOKIE = "sealbox_source"


@pytest.fixture
def words(services, client):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    words = support.passphrase_of(support.submit(client, "fraud", "The first report text"))
    client.cookies.clear()
    return words


def _rows(services) -> list[tuple[str, bytes]]:
    """The server's halves of source sessions (none where the server keeps no such table)."""
    if not inspect(services.db.engine).has_table("source_sessions"):
        return []
    with services.db.engine.connect() as connection:
        return [
            (row[0], bytes(row[1]))
            for row in connection.execute(text("select id, sealed from source_sessions"))
        ]


def _follow_up(browser, token: str, message: str):
    return browser.post(
        "/report/messages",
        data={"form_token": token, "text": message},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )


def _thief_opens(cookie: str, services) -> bool:
    """The cookie as the thief holds it, opened with every instance secret (the old design)."""
    try:
        raw = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
        sealed = crypto.Sealed(raw)
    except (ValueError, TypeError):
        return False
    for seed in vars(services.secrets).values():
        try:
            crypto.unseal(sealed, crypto.derive_session_key(seed))
            return True
        except crypto.CannotOpen:
            continue
    return False


def test_a_captured_cookie_opens_nothing_after_logout_even_with_a_copy_of_the_server(
    services, client, words
):
    page = support.source_login(client, words)
    assert "The first report text" in page.text
    captured = client.cookies.get(COOKIE)
    follow_token = support.token(page.text, "/report/messages")
    halves = _rows(services)
    if halves and services.db.engine.dialect.name == "sqlite":
        # While the session lives, a copy holds its server half (the control for what follows).
        assert server_copy.holding(server_copy.take(services), halves[0][1][-32:])

    out = client.post("/logout", data={"form_token": support.token(page.text, "/logout")})
    assert out.status_code == 200

    with staff_kit.browser(services) as thief:
        thief.cookies.set(COOKIE, captured, domain="sealbox.test")
        replay = thief.get("/report")
        assert replay.status_code == 401
        assert "The first report text" not in replay.text
        posted = _follow_up(thief, follow_token, "Posted by whoever stole the cookie")
        assert posted.status_code in (401, 403)
    again = support.source_login(client, words)
    assert "Posted by whoever stole the cookie" not in again.text

    # The whole server, as it lies on disk after the logout: nothing the cookie could open.
    [(row_id, sealed)] = halves
    # Past the fixed age header line (the same in every age file), every 32 bytes are unique.
    needles = [row_id.encode()] + [sealed[i : i + 32] for i in range(32, len(sealed) - 32, 32)]
    copy = server_copy.take_after_sweep(services, needles)
    assert not _thief_opens(captured, services)
    for needle in needles:
        assert server_copy.holding(copy, needle) == [], needle


def test_a_session_in_constant_use_still_ends_at_its_absolute_lifetime(services, client, words):
    support.source_login(client, words)
    lifetime = getattr(services.settings, "source_session_max_minutes", 120) * 60
    used = 0
    while used + 20 * 60 < lifetime:
        services.clock.advance(20 * 60)
        used += 20 * 60
        assert client.get("/report").status_code == 200, used
    services.clock.advance(lifetime - used + 60)
    ended = client.get("/report")
    assert ended.status_code == 401
    assert "even when in use" in ended.text
    assert _rows(services) == []


def test_an_idle_session_is_deleted_on_the_server_not_only_in_the_browser(services, client, words):
    support.source_login(client, words)
    captured = client.cookies.get(COOKIE)
    # Nobody comes back: the sessions job sweeps the row once its hour has passed.
    services.clock.advance(services.settings.source_session_minutes * 60 + 3600)
    [run] = runner.run_due(services, only=["sessions"], force=True)
    assert run.outcome == "ended 0 staff and 1 source session(s)"
    assert _rows(services) == []
    with staff_kit.browser(services) as thief:
        thief.cookies.set(COOKIE, captured, domain="sealbox.test")
        assert thief.get("/report").status_code == 401


def test_pushing_the_cookies_times_forward_is_refused(services, client, words):
    support.source_login(client, words)
    sid, secret, started, last, tag = client.cookies.get(COOKIE).split(".")
    services.clock.advance(services.settings.source_session_minutes * 60 + 60)
    later = str(int(last) + 3600)
    client.cookies.set(COOKIE, ".".join([sid, secret, later, later, tag]), domain="sealbox.test")
    assert client.get("/report").status_code == 401


def test_the_server_half_names_no_report_and_no_time_finer_than_the_hour(services, client, words):
    support.source_login(client, words)
    with services.db.engine.connect() as connection:
        [report_id] = connection.execute(text("select id from reports")).scalars().all()
        result = connection.execute(text("select * from source_sessions"))
        columns = list(result.keys())
        [row] = result.all()
    assert sorted(columns) == ["expires_hour", "id", "sealed"]
    values = dict(zip(columns, row, strict=True))
    assert isinstance(values["expires_hour"], int)
    assert abs(values["expires_hour"] * 3600 - services.clock.timestamp()) <= 2 * 3600
    assert report_id not in str(values)
    assert report_id.encode() not in bytes(values["sealed"])
    cookie = client.cookies.get(COOKIE)
    assert values["id"] == hashlib.sha256(cookie.split(".")[0].encode()).hexdigest()
    assert cookie.split(".")[1] not in str(values)


def test_two_tabs_share_one_session(services, client, words):
    first = support.source_login(client, words)
    second = client.get("/report")
    # A form from the first page still posts after the second page renewed the cookie.
    token = support.token(first.text, "/report/messages")
    assert second.status_code == 200
    assert _follow_up(client, token, "From the first tab").status_code == 303


def test_https_cookies_are_secure_and_a_proxy_is_believed_only_if_trusted(services, words):
    import dataclasses

    from starlette.testclient import TestClient

    def login_cookie(base_url: str, peer: str, headers: dict | None = None) -> str:
        with TestClient(create_app(services), base_url=base_url, client=(peer, 5000)) as browser:
            page = browser.get("/login")
            response = browser.post(
                "/login",
                data={"form_token": support.token(page.text), "passphrase": words},
                headers=headers,
                follow_redirects=False,
            )
            assert response.status_code == 303, response.text
            return response.headers["set-cookie"]

    def secure(cookie: str) -> bool:
        return "secure" in [p.strip().lower() for p in cookie.split(";")]

    assert secure(login_cookie("https://sealbox.test", "192.0.2.1"))
    assert not secure(login_cookie("http://sealbox.test", "192.0.2.1"))
    https = {"x-forwarded-proto": "https"}
    # Anyone can send the header; it counts only from a proxy in the allow-list.
    assert not secure(login_cookie("http://sealbox.test", "192.0.2.1", https))
    services.settings = dataclasses.replace(services.settings, trusted_proxies="127.0.0.0/8")
    assert secure(login_cookie("http://sealbox.test", "127.0.0.1", https))
    assert not secure(login_cookie("http://sealbox.test", "192.0.2.1", https))
    services.settings = dataclasses.replace(services.settings, secure_cookies=True)
    assert secure(login_cookie("http://sealbox.test", "192.0.2.1"))


def test_a_post_from_an_opaque_origin_is_refused(services, client, words):
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"form_token": support.token(page.text), "passphrase": words},
        headers={"origin": "null"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert COOKIE not in response.headers.get("set-cookie", "")
