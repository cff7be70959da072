"""The second step of a staff login, and the holder's own security keys.

After the password, a session waits ("factor") for a security key or, where the role still
allows it, an authenticator code. A wrong answer counts towards the account's back-off and
its name's (login_backoff), is audited, and uses up the challenge; only the right one completes
the login (and marks the browser as a known device, see known_devices).
A session that must register a key ("key", or any complete session) may add one; removing one
never leaves the account without a second factor that counts for its role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sealbox import audit
from sealbox.accounts import security_keys, staff, totp
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.factor_policy import totp_counts
from sealbox.accounts.login_backoff import Backoff
from sealbox.accounts.models import StaffSession, User
from sealbox.audit.actions import AuditAction
from sealbox.errors import BadInput, SealboxError, Throttled

if TYPE_CHECKING:
    from sealbox.services import Services

FACTOR = "factor"
WAIT = "Too many wrong answers. Wait a minute, then try again."


# Checks one second factor of the session's account: the key's id ("" for a code), or a refusal.
FactorCheck = Callable[[Session, User, StaffSession], str]


def _rows(session: Session, ctx: StaffContext) -> tuple[User, StaffSession]:
    user = session.get(User, ctx.user_id)
    row = session.get(StaffSession, ctx.session_id)
    if user is None or row is None:
        raise BadInput("Your session has ended. Please log in again.")
    return user, row


def _waiting_for_factor(ctx: StaffContext) -> None:
    if ctx.pending != FACTOR:
        raise BadInput("This login has no second step waiting. Please log in again.")


def login_options(services: Services, ctx: StaffContext) -> str:
    """A fresh challenge for the account's security keys (JSON for the browser)."""
    _waiting_for_factor(ctx)
    with services.db.transaction() as session:
        user, row = _rows(session, ctx)
        return security_keys.login_options(
            session, services.settings, services.clock.timestamp(), user, row
        )


def confirm_with_key(services: Services, ctx: StaffContext, response: str) -> str | None:
    """Finish the login with a security key's answer; returns the step still pending."""
    _waiting_for_factor(ctx)

    def check(session: Session, user: User, row: StaffSession) -> str:
        key = security_keys.check_login(
            session, services.clock, services.settings, user, row, response
        )
        return key.id

    return _confirm(services, ctx, "security_key", check)


def confirm_with_code(services: Services, ctx: StaffContext, code: str) -> str | None:
    """Finish the login with an authenticator code, where those count for the account."""
    _waiting_for_factor(ctx)

    def check(session: Session, user: User, row: StaffSession) -> str:
        if not totp_counts(session, user):
            raise BadInput("Authenticator codes are switched off for your role: use your key.")
        key = totp.instance_key(services.secrets.totp_key)
        if not staff.check_totp(user, code, services.clock.timestamp(), key):
            raise BadInput("That code is not right. Try the next code your app shows.")
        return ""

    return _confirm(services, ctx, "totp", check)


def _confirm(services: Services, ctx: StaffContext, method: str, check: FactorCheck) -> str | None:
    """Run `check`; a refusal is committed (failure count, audit, used-up challenge), then
    raised; success completes the session."""
    failure: SealboxError | None = None
    now = services.clock.timestamp()
    backoff = Backoff.for_settings(services.settings)
    with services.db.transaction() as session:
        user, row = _rows(session, ctx)
        if backoff.waiting(user, now):
            failure = Throttled(WAIT)
        else:
            try:
                key_id = check(session, user, row)
            except SealboxError as exc:
                failure = exc
        if isinstance(failure, Throttled):
            pass  # waiting: nothing was tried, and the wait is not prolonged
        elif failure is not None:
            backoff.failed(user, now)
            services.login_names.failed(user.username, now, backoff)
            audit.record(
                session,
                services.clock,
                user.username,
                AuditAction.LOGIN_FAILED,
                f"user:{user.id}",
                factor=method,
            )
        else:
            backoff.passed(user)
            services.login_names.passed(user.username)
            row.pending = staff.pending_step(session, user)
            details = {"factor": method, **({"key": key_id} if key_id else {})}
            if row.pending:
                details["pending"] = row.pending
            audit.record(
                session,
                services.clock,
                user.username,
                AuditAction.LOGIN,
                f"user:{user.id}",
                **details,
            )
            pending = row.pending
    if failure is not None:
        raise failure
    return pending


def registration_options(services: Services, ctx: StaffContext, password: str = "") -> str:
    """A fresh registration challenge for this session (JSON for the browser).

    A complete session must give the password again: a session left open on someone's laptop
    must not be enough to add a second factor. (A session that must register a key now has
    just been opened with the password.) A wrong password counts towards the back-off.
    """
    _may_manage_keys(ctx)
    now = services.clock.timestamp()
    backoff = Backoff.for_settings(services.settings)
    failure: SealboxError | None = None
    with services.db.transaction() as session:
        user, row = _rows(session, ctx)
        if ctx.pending is None:
            if backoff.waiting(user, now):
                failure = Throttled(WAIT)
            elif not services.kdf.verify_password(user.password_hash, password):
                failure = BadInput("Your password is not right.")
                backoff.failed(user, now)
                audit.record(
                    session,
                    services.clock,
                    user.username,
                    AuditAction.PASSWORD_CHECK_FAILED,
                    f"user:{user.id}",
                    purpose="security_key",
                )
        if failure is None:
            return security_keys.registration_options(session, services.settings, now, user, row)
    raise failure


def add_key(services: Services, ctx: StaffContext, name: str, response: str) -> str | None:
    """Register the key that answered this session's challenge; returns the step still
    pending (a session that had to register a key moves on). The challenge is used up even
    when the answer is refused."""
    _may_manage_keys(ctx)
    failure: SealboxError | None = None
    with services.db.transaction() as session:
        user, row = _rows(session, ctx)
        try:
            # Refusals come before anything is written, but after the challenge is used up.
            security_keys.register(
                session, services.clock, services.settings, user, row, name, response
            )
        except SealboxError as exc:
            failure = exc
        if failure is None and row.pending == "key":
            row.pending = staff.pending_step(session, user)
        pending = row.pending
    if failure is not None:
        raise failure
    return pending


def remove_key(services: Services, ctx: StaffContext, key_id: str) -> None:
    if ctx.pending:
        raise BadInput("Finish setting up your account first.")
    with services.db.transaction() as session:
        user, _ = _rows(session, ctx)
        security_keys.remove(session, services.clock, user, key_id)


def _may_manage_keys(ctx: StaffContext) -> None:
    # An enrolling session ("totp") or one that has a password only ("factor") may not add a
    # second factor; a session that must register a key ("key") or a complete one may.
    if ctx.pending not in (None, "key"):
        raise BadInput("Finish logging in before you add a security key.")
