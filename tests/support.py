"""Test helpers that drive Sealbox only through its public surfaces (HTTP, CLI, files)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyotp
from starlette.testclient import TestClient

from sealbox.cases import channels, staff
from sealbox.services import Services

TOKEN = re.compile(r'name="(?:form_token|csrf)" value="([^"]+)"')
WORDS = re.compile(r"<li>([a-z-]+)</li>")


@dataclass
class Account:
    username: str
    password: str
    totp_secret: str
    role: str

    def code(self, services: Services, offset_steps: int = 0) -> str:
        totp = pyotp.TOTP(self.totp_secret)
        return totp.at(services.clock.timestamp() + offset_steps * totp.interval)


def add_user(
    services: Services, username: str, role: str = "handler", offline_key: str | None = None
) -> Account:
    with services.db.transaction() as session:
        new = staff.create_user(
            session, services.clock, services.settings.kdf, username, role, None, offline_key
        )
    return Account(username, new.password, new.totp_secret, role)


def add_channel(services: Services, slug: str, handlers: list[str]) -> None:
    with services.db.transaction() as session:
        channels.create_channel(session, slug, slug.title() + " channel", "", handlers=handlers)


def token(html: str, action: str | None = None) -> str:
    """The form token on a page, of the form posting to `action` if given."""
    if action is not None:
        html = html[html.index(f'action="{action}"') :]
    match = TOKEN.search(html)
    assert match, "no form token on the page"
    return match.group(1)


def submit(
    client: TestClient, slug: str, text: str, files: list[tuple[str, bytes]] = (), headers=None
):
    page = client.get(f"/submit/{slug}")
    assert page.status_code == 200, page.text
    data = {"form_token": token(page.text), "text": text}
    file_parts = [("files", (name, content, "application/octet-stream")) for name, content in files]
    # A browser sends an empty file part when no file was chosen; so do we.
    file_parts = file_parts or [("files", ("", b"", "application/octet-stream"))]
    return client.post(f"/submit/{slug}", data=data, files=file_parts, headers=headers)


def passphrase_of(response) -> str:
    words = WORDS.findall(response.text)
    assert len(words) >= 7, response.text
    return " ".join(words)


def source_login(client: TestClient, passphrase: str, headers=None):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"form_token": token(page.text), "passphrase": passphrase},
        headers=headers,
        follow_redirects=True,
    )


def staff_login(client: TestClient, services: Services, account: Account, offset_steps: int = 0):
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={
            "csrf": token(page.text),
            "username": account.username,
            "password": account.password,
            "totp": account.code(services, offset_steps),
        },
        follow_redirects=True,
    )


def report_ids(html: str) -> list[str]:
    return re.findall(r'href="/staff/reports/([0-9a-f]{32})"', html)


def file_links(html: str) -> list[str]:
    return re.findall(r'href="(/staff/reports/[0-9a-f]{32}/files/[0-9a-f]{32})"', html)


HELD_FORM = re.compile(
    r'action="(/files/[0-9a-f]{32}/decision)[^"]*"[^>]*>\s*'
    r'<input type="hidden" name="form_token" value="([^"]+)">\s*'
    r'<input type="hidden" name="report_id" value="([0-9a-f]{32})">\s*'
    r'<input type="hidden" name="action" value="(send|remove)">'
)


def held_choices(html: str) -> list[tuple[str, str, str, str]]:
    """(action URL, token, report id, action) of each send/remove form on a source page."""
    return HELD_FORM.findall(html)


def decide_held(client: TestClient, html: str, action: str = "send") -> int:
    """Make the same choice for every held file on the page; returns how many."""
    count = 0
    for url, form_token, report_id, kind in held_choices(html):
        if kind == action:
            response = client.post(
                url, data={"form_token": form_token, "report_id": report_id, "action": kind}
            )
            assert response.status_code == 200, response.text
            count += 1
    return count
