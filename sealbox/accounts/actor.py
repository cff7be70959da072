"""Who is asking: the staff member behind a request, or the operator at the server's command
line, as every domain service receives them."""

from __future__ import annotations

from dataclasses import dataclass

from sealbox.accounts import roles
from sealbox.accounts.roles import Role
from sealbox.crypto import Identity, Recipient


@dataclass(frozen=True)
class StaffContext:
    """Who is asking, and the key they hold for this request only."""

    user_id: str
    username: str
    role: Role
    identity: Identity | None
    session_id: str
    csrf_token: str
    # A step the session must finish first ("totp" enrolment, "password" change), or None.
    pending: str | None = None
    # While enrolling: the fresh authenticator secret only this session has seen.
    enrol_totp: str | None = None
    # Where this session's key is sealed (a public key; its private half needs the cookie).
    session_recipient: Recipient | None = None


@dataclass(frozen=True)
class CommandLine:
    """The operator at the server's command line (`sealbox user add`, `channel add`...): the
    installer, who may name the first custodian. The audit log names them `cli`, a name no
    account can take (staff.RESERVED_NAMES)."""

    username: str = "cli"


COMMAND_LINE = CommandLine()
# Whoever may manage accounts and channels: an admin's session, or the command line.
Actor = StaffContext | CommandLine


def require_admin(actor: Actor) -> None:
    """Accounts and channels are managed by admins and from the command line; no other role."""
    if isinstance(actor, StaffContext):
        roles.require(actor.role, Role.ADMIN)
