"""Which SMTP server mail goes through, and from which address: the settings file's values, or
those an admin saved on the web (the first-run setup or the mail settings page), which win.

The SMTP password an admin types is sealed to a key derived from an instance secret, so the
database alone does not reveal it, and no page ever shows it back: a blank password field keeps
the one stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.crypto import CannotOpen, Identity
from sealbox.errors import BadInput
from sealbox.notify.addresses import normalise_email
from sealbox.notify.models import MailSettingsRow

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services

PURPOSE = "smtppass"  # a purpose of its own: the key opens nothing else
ROW = 1
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


@dataclass(frozen=True)
class MailConfig:
    mail_from: str
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_username: str
    smtp_password: str
    # Whether an admin set these on the web (else they come from the settings file).
    from_web: bool = False


@dataclass(frozen=True)
class MailSettingsView:
    """The mail settings as a page shows them: whether a password is set, never which."""

    mail_from: str
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_username: str
    password_set: bool
    from_web: bool


def shown(config: MailConfig) -> MailSettingsView:
    return MailSettingsView(
        config.mail_from,
        config.smtp_host,
        config.smtp_port,
        config.smtp_starttls,
        config.smtp_username,
        bool(config.smtp_password),
        config.from_web,
    )


@dataclass(frozen=True)
class MailEdit:
    """What the mail settings form sends; a blank password keeps the one stored."""

    mail_from: str
    smtp_host: str
    smtp_port: str
    smtp_starttls: bool
    smtp_username: str
    smtp_password: str = ""
    forget_password: bool = False


def _key(services: Services) -> Identity:
    return crypto.derive_instance_key(services.secrets.totp_key, PURPOSE)


def current(services: Services, session: Session) -> MailConfig:
    """The mail settings in force."""
    row = session.get(MailSettingsRow, ROW)
    s = services.settings
    if row is None:
        return MailConfig(
            s.mail_from, s.smtp_host, s.smtp_port, s.smtp_starttls, s.smtp_username, s.smtp_password
        )
    password = ""
    if row.smtp_password is not None:
        try:
            password = crypto.unseal(row.smtp_password, _key(services)).decode()
        except CannotOpen:
            password = ""  # another instance's secrets: mail fails to log in, and says so
    return MailConfig(
        row.mail_from,
        row.smtp_host,
        row.smtp_port,
        row.smtp_starttls,
        row.smtp_username,
        password,
        from_web=True,
    )


def checked(edit: MailEdit) -> tuple[str, str, int, str]:
    """(sender, host, port, user name) of the form, or BadInput saying what to fix."""
    sender = normalise_email(edit.mail_from)
    if sender is None:
        raise BadInput("Give the address mail is sent from, such as sealbox@example.org.")
    host = edit.smtp_host.strip()
    if host and not _HOST.match(host):
        raise BadInput("The SMTP server is a host name, such as mail.example.org.")
    port_text = edit.smtp_port.strip()
    if not port_text.isdecimal() or not 1 <= int(port_text) <= 65535:
        raise BadInput("The SMTP port is a number from 1 to 65535 (usually 587).")
    username = edit.smtp_username.strip()
    if len(username) > 254 or len(edit.smtp_password) > 1000:
        raise BadInput("The SMTP user name or password is too long.")
    return sender, host, int(port_text), username


def trial(edit: MailEdit) -> MailConfig:
    """The settings of the form as they would be, unsaved (for a test mail before saving)."""
    sender, host, port, username = checked(edit)
    return MailConfig(sender, host, port, edit.smtp_starttls, username, edit.smtp_password)


def save(services: Services, session: Session, edit: MailEdit) -> list[str]:
    """Check and store the admin's mail settings; returns the names of the fields that changed
    (for the audit log; never a value)."""
    sender, host, port, username = checked(edit)
    before = current(services, session)
    row = session.get(MailSettingsRow, ROW)
    if row is None:
        row = MailSettingsRow(id=ROW, smtp_password=None)
        if before.smtp_password:  # the settings file's password carries over until replaced
            row.smtp_password = crypto.seal(before.smtp_password.encode(), _key(services).recipient)
        session.add(row)
    row.mail_from, row.smtp_host, row.smtp_port = sender, host, port
    row.smtp_starttls, row.smtp_username = edit.smtp_starttls, username
    if edit.forget_password:
        row.smtp_password = None
    elif edit.smtp_password:
        row.smtp_password = crypto.seal(edit.smtp_password.encode(), _key(services).recipient)
    session.flush()
    after = current(services, session)
    names = ("mail_from", "smtp_host", "smtp_port", "smtp_starttls", "smtp_username")
    changed = [n for n in names if getattr(before, n) != getattr(after, n)]
    if before.smtp_password != after.smtp_password:
        changed.append("smtp_password")
    return changed
