"""A new staff member's first login, done as a person does it, over HTTP: log in with the
one-time password, scan the authenticator secret the page shows, choose an own password.
Works with any httpx client (the in-process TestClient or a live server)."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pyotp

TOKEN = re.compile(r'name="(?:form_token|csrf)" value="([^"]+)"')
TOTP_SECRET = re.compile(r"<code>([A-Z2-7]{16,})</code>")


@dataclass(frozen=True)
class Enrolled:
    password: str  # the holder's own password
    totp_secret: str  # read from the enrolment page, as an authenticator app would scan it
    last_step: int  # the TOTP step the enrolment used up


def own_password() -> str:
    """A password the staff policy accepts, known only to the test that plays the holder."""
    return "own " + secrets.token_urlsafe(12)


def _token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no form token on the page"
    return match.group(1)


def enrol(
    client: httpx.Client,
    username: str,
    one_time_password: str,
    now: Callable[[], float] = time.time,
    password: str | None = None,
    offline_key: str = "",
) -> Enrolled:
    """Enrol `username` and log out again; returns what only the holder now knows."""
    password = password or own_password()
    page = client.get("/staff/login")
    landed = client.post(
        "/staff/login",
        data={
            "csrf": _token(page.text),
            "username": username,
            "password": one_time_password,
            "totp": "",
        },
        follow_redirects=True,
    )
    assert landed.url.path == "/staff/account/totp", (landed.status_code, landed.text)
    secret = TOTP_SECRET.search(landed.text).group(1)
    totp = pyotp.TOTP(secret)
    # The step before now (one step of drift is allowed) leaves the current step's code free
    # for the first real login; a step boundary in between is retried with the new time.
    for _ in range(2):
        step = int(now() // totp.interval) - 1
        confirmed = client.post(
            "/staff/account/totp",
            data={"csrf": _token(landed.text), "code": totp.at(step * totp.interval)},
            follow_redirects=True,
        )
        if confirmed.status_code == 200:
            break
    assert confirmed.url.path == "/staff/account/password", confirmed.text
    done = client.post(
        "/staff/account/password",
        data={
            "csrf": _token(confirmed.text),
            "current": one_time_password,
            "new": password,
            "confirm": password,
            "offline_key": offline_key,
        },
        follow_redirects=True,
    )
    assert done.status_code == 200 and done.url.path == "/staff/account", done.text
    client.post("/staff/logout", data={"csrf": _token(done.text)})
    return Enrolled(password, secret, step)
