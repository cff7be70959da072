"""Test helpers that drive Sealbox only through its public surfaces (HTTP, CLI, files)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pyotp
from sqlalchemy import select
from starlette.testclient import TestClient

from sealbox.accounts import staff_admin
from sealbox.channels import channel_admin
from sealbox.services import Services
from sealbox.web.app import create_app
from tests import enrolment

TOKEN = re.compile(r'name="(?:form_token|csrf)" value="([^"]+)"')
WORDS = re.compile(r"<li>([a-z-]+)</li>")


@dataclass
class Account:
    username: str
    password: str
    totp_secret: str
    role: str

    def code(self, services: Services, offset_steps: int = 0) -> str:
        if not self.totp_secret:
            return ""  # not enrolled yet: the login leads to the authenticator enrolment
        totp = pyotp.TOTP(self.totp_secret)
        return totp.at(services.clock.timestamp() + offset_steps * totp.interval)


def invite(services: Services, username: str, role: str = "handler") -> Account:
    """An account as the install-time CLI makes it: a one-time password, nothing enrolled."""
    with services.db.transaction() as session:
        added = staff_admin.add(
            session, services.clock, services.kdf, staff_admin.INSTALLER, username, role
        )
    return Account(username, added.password, "", role)


def enrol(services: Services, account: Account, offline_key: str = "") -> Account:
    """The holder's first login over HTTP; returns the account with their own secrets."""
    with TestClient(create_app(services), base_url="http://sealbox.test") as browser:
        done = enrolment.enrol(
            browser,
            account.username,
            account.password,
            now=services.clock.timestamp,
            offline_key=offline_key,
        )
    return Account(account.username, done.password, done.totp_secret, account.role)


def add_user(
    services: Services, username: str, role: str = "handler", offline_key: str = ""
) -> Account:
    """A staff account made at install time whose holder has enrolled (own password and key)."""
    return enrol(services, invite(services, username, role), offline_key)


def add_channel(services: Services, slug: str, handlers: list[str]) -> None:
    with services.db.transaction() as session:
        channel_admin.create(
            session,
            services.clock,
            staff_admin.INSTALLER,
            slug,
            slug.title() + " channel",
            "",
            handlers,
        )


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


APPROVAL = re.compile(r'(?s)<section class="approval">\s*<h3>(.*?)</h3>(.*?)</section>')


def approval_forms(html: str, username: str) -> dict[str, str]:
    """{"approve": action, "deny": action} of the request about `username` on /staff/approvals."""
    for heading, body in APPROVAL.findall(html):
        if re.search(rf"\b{re.escape(username)}\b", heading):
            actions = re.findall(r'action="(/staff/approvals/[^"?]+)', body)
            return {action.rsplit("/", 1)[1]: action for action in actions}
    return {}


def approve(services: Services, approver: Account, username: str, offset_steps: int = 0) -> None:
    """`approver` (a handler of the channel, or a custodian) approves what waits for `username`,
    after comparing the key fingerprint, as on the Approvals page."""
    with TestClient(create_app(services), base_url="http://sealbox.test") as browser:
        assert staff_login(browser, services, approver, offset_steps).status_code == 200
        page = browser.get("/staff/approvals")
        forms = approval_forms(page.text, username)
        assert "approve" in forms, page.text
        done = browser.post(
            forms["approve"],
            data={"csrf": token(page.text), "compared": "1"},
            follow_redirects=True,
        )
        assert done.status_code == 200 and "Approved." in done.text, done.text


def audit_entries(services: Services, target: str) -> list[tuple[str | None, str, dict]]:
    """(actor, action, details) of every audit entry about `target` ("user:ID"...), in order."""
    from sealbox.audit.models import AuditEntry

    with services.db.transaction() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.seq)
        ).all()
        return [(row.actor, row.action, json.loads(row.details)) for row in rows]
