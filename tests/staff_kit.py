"""Helpers for the staff tests: accounts of every role, channels with options, submissions
with questionnaire answers and identity, all through the app's public surfaces."""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from starlette.testclient import TestClient

from sealbox.accounts import staff_admin
from sealbox.channels import channel_admin, questionnaire
from sealbox.channels.models import Channel
from sealbox.reports.models import Attachment, Report
from sealbox.services import Services
from sealbox.web.app import create_app
from tests import support

JSON = {"accept": "application/json"}


def browser(services: Services) -> TestClient:
    """A new browser on the same instance; the caller closes it (use as a context manager)."""
    return TestClient(create_app(services), base_url="http://sealbox.test")


def account(services: Services, username: str, role: str) -> support.Account:
    """An enrolled account (see support.add_user)."""
    return support.add_user(services, username, role)


def channel(
    services: Services,
    slug: str,
    handlers: list[str],
    allow_identity: bool = False,
    questions: list[dict] = (),
) -> str:
    """Make a channel; returns its id. `questions` as stored (see channels/questionnaire.py:
    the shape with keys, or the older {kind, label, required, choices} keyed by position)."""
    with services.db.transaction() as session:
        made = channel_admin.create(
            session, services.clock, staff_admin.INSTALLER, slug, slug.title(), "", handlers
        )
        made.allow_identity = allow_identity
        if questions:
            made.questions = questionnaire.dumps(questionnaire.loads(json.dumps(list(questions))))
        return made.id


def submit_form(
    client: TestClient,
    slug: str,
    fields: dict[str, str],
    files: list[tuple[str, str, bytes]] = (),
):
    """Post the submit form with any fields and (field, filename, content) files."""
    page = client.get(f"/submit/{slug}")
    assert page.status_code == 200, page.text
    data = {"form_token": support.token(page.text), **fields}
    parts = [(field, (name, content, "application/octet-stream")) for field, name, content in files]
    parts = parts or [("files", ("", b"", "application/octet-stream"))]
    return client.post(f"/submit/{slug}", data=data, files=parts)


def report_id_of(services: Services, slug: str) -> str:
    with services.db.transaction() as session:
        channel_id = session.scalar(select(Channel.id).where(Channel.slug == slug))
        return session.scalar(select(Report.id).where(Report.channel_id == channel_id))


def file_id_of(services: Services, report_id: str) -> str:
    with services.db.transaction() as session:
        return session.scalar(select(Attachment.id).where(Attachment.report_id == report_id))


def csrf(client: TestClient, path: str = "/staff/account") -> str:
    return support.token(client.get(path).text)


def post(client: TestClient, path: str, **data):
    """Post a staff form with the session's CSRF token; redirects are followed."""
    token = csrf(client)
    return client.post(path, data={"csrf": token, **data}, follow_redirects=True)


def request_ids(html: str) -> list[str]:
    return re.findall(r'href="/staff/disclosures/([0-9a-f]{32})"', html)
