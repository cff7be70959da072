"""A real SMTP server on loopback (aiosmtpd) and settings that point Sealbox at it."""

from __future__ import annotations

import email
import email.policy
import socket
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller

from sealbox import settings as settings_mod
from sealbox.accounts.models import User
from sealbox.services import Services


class Mailbox:
    """Collects every message the server accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(port: int):
    """Run the server for the `with` block; before and after it, the port refuses connections."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def set_email(services: Services, username: str, address: str) -> None:
    with services.db.transaction() as session:
        session.query(User).filter(User.username == username).one().email = address


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mail_settings() -> dict:
    """Overrides a test module may extend before `settings` is built."""
    return {}


@pytest.fixture
def settings(tmp_path, database_url, smtp_port, mail_settings):
    """Sealbox sending to 127.0.0.1:smtp_port without TLS (loopback only)."""
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_starttls": False,
        "mail_from": "sealbox@example.org",
        "smtp_timeout_seconds": 5.0,
        **mail_settings,
    }
    return settings_mod.load(
        environ={}, data_dir=tmp_path / "data", database_url=database_url, **values
    )
