"""The first-run setup on the web: the first admin, the first channel and the mail settings,
reachable only with the one-time setup code that `sealbox init` prints on the server.

Whoever can reach the site before the operator could otherwise make themselves its admin, so:
the code is stored only as a keyed digest (a database copy does not give it, and the key lives
in the instance secrets file); it works once, for `SETUP_HOURS`; it is refused once an admin
exists; and every wrong try is counted where all workers see it, the code burnt after
`MAX_TRIES` (the operator runs `sealbox init` again for a new one). 80 random bits and ten
tries leave a guesser no chance.

The admin made here gets a one-time password, shown once on the page, and enrols their second
factor, password and key at their first login like any staff member.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.accounts import staff_admin
from sealbox.accounts.models import SetupCode, User
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.audit.log import record
from sealbox.channels import channel_admin
from sealbox.errors import BadInput, Forbidden, NotFound
from sealbox.notify import mail_config
from sealbox.notify.mail_config import MailEdit

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services

SETUP_HOURS = 24
MAX_TRIES = 10
PURPOSE = "sealbox-setup-code"
ACTOR = "setup"  # how the audit log names the setup page (a name no account can take)
ROW = 1
GROUPS, GROUP = 4, 5  # 20 characters of Crockford base32: 100 bits


@dataclass(frozen=True)
class FirstRun:
    """What the setup page needs: the first channel's name and address and the admin's name."""

    admin_username: str
    admin_email: str
    channel_slug: str
    channel_name: str
    mail: MailEdit


@dataclass(frozen=True)
class SetUp:
    admin_username: str
    one_time_password: str  # shown once, on the page that answers the setup
    channel_slug: str


class SetupDone(NotFound):
    """An admin exists: the setup page is gone for good."""


_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def admin_exists(session: Session) -> bool:
    count = session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN))
    return bool(count)


def issue(services: Services) -> str | None:
    """A fresh setup code (any earlier one stops working), or None once an admin exists."""
    code = "-".join("".join(secrets.choice(_ALPHABET) for _ in range(GROUP)) for _ in range(GROUPS))
    expires = services.clock.now() + dt.timedelta(hours=SETUP_HOURS)
    with services.db.transaction() as session:
        if admin_exists(session):
            return None
        session.execute(delete(SetupCode))
        session.add(SetupCode(id=ROW, digest=_digest(services, code), expires_at=expires))
    return code


def check_open(services: Services) -> None:
    """SetupDone once an admin exists (the page then says so and shows no form)."""
    with services.db.transaction() as session:
        if admin_exists(session):
            raise SetupDone("Sealbox is set up already: log in at /staff/login.")


def complete(services: Services, code: str, first: FirstRun) -> SetUp:
    """Check the code (a wrong one is counted), then in one transaction: use it up, make the
    admin, the channel and the mail settings. Nothing is made when anything is refused."""
    _redeem_check(services, code)
    clock = services.clock
    with services.db.transaction() as session:
        if admin_exists(session):
            raise SetupDone("Sealbox is set up already: log in at /staff/login.")
        # Use the code up first: two setups racing with one code, only one deletes its row.
        result = session.execute(
            delete(SetupCode).where(
                SetupCode.digest == _digest(services, code), SetupCode.expires_at > clock.now()
            )
        )
        assert isinstance(result, CursorResult)  # a DELETE's result counts its rows
        if result.rowcount != 1:
            raise Forbidden(_WRONG, max=MAX_TRIES)
        added = staff_admin.add(
            session, clock, services.kdf, ACTOR, first.admin_username, Role.ADMIN, first.admin_email
        )
        channel = channel_admin.create(
            session, clock, ACTOR, first.channel_slug, first.channel_name
        )
        changed = mail_config.save(services, session, first.mail)
        record(session, clock, ACTOR, AuditAction.SETUP_COMPLETED, None, mail=changed)
        return SetUp(added.user.username, added.password, channel.slug)


def check_code(services: Services, code: str) -> None:
    """Refuse a wrong, expired or burnt code (counting a wrong one); for the test mail."""
    _redeem_check(services, code)


_WRONG = (
    "This setup code is not right, has expired or was used. Run “sealbox init” on the server "
    "for a new one (a code stops working after %(max)s wrong tries)."
)


def _redeem_check(services: Services, code: str) -> None:
    digest = _digest(services, code)
    now = services.clock.now()
    with services.db.transaction() as session:
        if admin_exists(session):
            raise SetupDone("Sealbox is set up already: log in at /staff/login.")
        # The digest is keyed (HMAC): comparing it in SQL leaks nothing about the code.
        valid = session.scalar(
            select(SetupCode.id).where(SetupCode.digest == digest, SetupCode.expires_at > now)
        )
        if valid is not None:
            return
        if session.get(SetupCode, ROW) is not None:
            # Counted in the database, so that every worker adds to the same count; the code
            # is burnt at the limit.
            session.execute(update(SetupCode).values(failures=SetupCode.failures + 1))
            session.execute(delete(SetupCode).where(SetupCode.failures >= MAX_TRIES))
            session.execute(delete(SetupCode).where(SetupCode.expires_at <= now))
    raise Forbidden(_WRONG, max=MAX_TRIES)


def _digest(services: Services, code: str) -> str:
    typed = "".join(code.lower().split()).replace("-", "")
    return crypto.keyed_digest(services.secrets.form_key, PURPOSE, typed.encode())


def validate(first: FirstRun) -> None:
    """Refuse an empty admin name or channel before the code is used."""
    if not first.admin_username.strip():
        raise BadInput("Choose the admin's username.")
    if not first.channel_name.strip() or not first.channel_slug.strip():
        raise BadInput("Give the first channel a name and an address.")
