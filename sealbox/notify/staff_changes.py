"""Mails about who may read what. Every change of a staff account's role or standing goes to the
auditors and custodians; every change of a channel's handlers goes to that channel's handlers
and the auditors; a change of an account's second factors to its holder, and of the second
factors a role may use to the auditors. They name staff accounts and channels, never anything
from a report.

Call these inside the transaction of the change, so mail and change commit together.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.channels.models import ChannelHandler
from sealbox.clock import Clock
from sealbox.notify import addresses
from sealbox.notify.queue import enqueue

SIGN_OFF = (
    "\n\nIf you did not expect this, tell your auditors: the audit log records who did it."
    "\nThis mail holds no report content by design.\n"
)


def role_changed(session: Session, clock: Clock, summary: str) -> int:
    """Tell every auditor and custodian about an account change; returns mails queued."""
    recipients = _addresses(session, User.role.in_((Role.AUDITOR, Role.CUSTODIAN)))
    return _send(session, clock, "account", recipients, "Sealbox: a staff account changed", summary)


def second_factor_changed(session: Session, clock: Clock, user: User, summary: str) -> int:
    """Tell the account's holder that its second factors changed (a key added or removed, a
    copied key refused): they are the one who knows whether it was them."""
    recipients = [user.email] if user.email and user.active else []
    subject = "Sealbox: the second factors of your account changed"
    return _send(session, clock, "account", recipients, subject, summary)


def sign_in_policy_changed(session: Session, clock: Clock, summary: str) -> int:
    """Tell every auditor that the second factors a role may use changed."""
    recipients = _addresses(session, User.role == Role.AUDITOR)
    subject = "Sealbox: how staff sign in changed"
    return _send(session, clock, "account", recipients, subject, summary)


def membership_changed(
    session: Session,
    clock: Clock,
    channel_id: str,
    summary: str,
    custodians: bool = False,
    also: Iterable[str] = (),
) -> int:
    """Tell the channel's handlers, the auditors and the accounts in `also` (those who join or
    leave), and the custodians when they must decide, that the channel's handlers change."""
    subject = "Sealbox: a channel's handlers change"
    return channel_changed(session, clock, channel_id, subject, summary, custodians, also)


def channel_changed(
    session: Session,
    clock: Clock,
    channel_id: str,
    subject: str,
    summary: str,
    custodians: bool = False,
    also: Iterable[str] = (),
) -> int:
    """Tell the channel's handlers and the auditors (and `also`, and maybe the custodians)."""
    members = select(ChannelHandler.user_id).where(ChannelHandler.channel_id == channel_id)
    roles = (Role.AUDITOR, Role.CUSTODIAN) if custodians else (Role.AUDITOR,)
    condition = User.id.in_(members) | User.role.in_(roles) | User.id.in_(list(also))
    recipients = _addresses(session, condition)
    return _send(session, clock, "membership", recipients, subject, summary)


def _addresses(session: Session, condition: ColumnElement[bool]) -> list[str]:
    query = select(User.email).where(condition, User.active, User.email.is_not(None))
    return sorted(set(addresses.found(session, query)))


def _send(
    session: Session, clock: Clock, kind: str, recipients: list[str], subject: str, summary: str
) -> int:
    for email in recipients:
        enqueue(session, clock, kind, email, subject, summary + SIGN_OFF)
    return len(recipients)
