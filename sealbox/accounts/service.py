"""The accounts service: what the staff login, account, security-key, approval and admin pages
and the account commands of `sealbox` call.

Each call opens its own transaction(s), checks who may make it, and writes its audit entries
and queues its mail in the same transaction as the work (through the modules of this package),
so that a page and a command make the same change with the same record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sealbox import audit
from sealbox.accounts import (
    factor_policy,
    first_run,
    known_devices,
    password_policy,
    reset,
    role_requests,
    roles,
    second_factor,
    security_keys,
    staff,
    staff_admin,
    staff_sessions,
    totp,
)
from sealbox.accounts.actor import Actor, CommandLine, StaffContext, require_admin
from sealbox.accounts.factor_policy import RoleFactors
from sealbox.accounts.first_run import FirstRun, SetUp
from sealbox.accounts.models import User
from sealbox.accounts.role_requests import RoleRequestView
from sealbox.accounts.roles import Role
from sealbox.accounts.security_keys import KeyInfo
from sealbox.accounts.staff_admin import Account
from sealbox.audit.actions import AuditAction
from sealbox.channels import membership
from sealbox.channels.membership import RequestView
from sealbox.crypto import Identity, Recipient
from sealbox.errors import BadInput, Forbidden, NotFound
from sealbox.notify import mail_config, sender, smtp
from sealbox.notify.addresses import normalise_email
from sealbox.notify.mail_config import MailEdit
from sealbox.notify.service import TEST_BODY, TEST_SUBJECT

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services


@dataclass(frozen=True)
class Login:
    """A session just opened: the cookie that carries it, who it is, and the known-device mark
    for the browser when the login proved a second factor (else None)."""

    cookie: str
    context: StaffContext
    device_mark: str | None


@dataclass(frozen=True)
class FactorDone:
    """A second factor accepted: the step the session must finish next (or None), and the
    browser's known-device mark where the login is now complete."""

    pending: str | None
    device_mark: str | None


@dataclass(frozen=True)
class FactorChoice:
    """What the second step of a login may use: a security key, an authenticator code."""

    has_keys: bool
    codes: bool


@dataclass(frozen=True)
class OwnAccount:
    fingerprint: str | None
    # The role the account waits for (a custodian must approve), or None.
    awaiting: str | None


@dataclass(frozen=True)
class PasswordForm:
    # The password chosen now makes the account's key (enrolment), and a handler may instead
    # register the public key of an identity they keep offline.
    first_key: bool
    may_keep_offline: bool
    min_length: int = password_policy.MIN_LENGTH


@dataclass(frozen=True)
class TotpEnrolment:
    """The authenticator secret this enrolling session made, and the URI an app scans."""

    secret: str
    uri: str


@dataclass(frozen=True)
class OwnKeys:
    keys: list[KeyInfo]
    # Whether authenticator codes count as a second factor for this account too.
    codes: bool
    # Whether security keys work on this instance (it has a public address).
    available: bool
    max_name: int = security_keys.NAME_LENGTH


@dataclass(frozen=True)
class NewAccount:
    username: str
    role: str
    # The one-time password: shown once; it opens only the enrolment pages, never a key.
    password: str
    # The role that waits for a custodian's approval (the account holds none until then).
    awaiting: str | None


@dataclass(frozen=True)
class SignInPolicy:
    roles: list[RoleFactors]
    available: bool


@dataclass(frozen=True)
class Approvals:
    """What the second person may decide: handlers joining channels, new custodians."""

    channel_requests: list[RequestView]
    role_requests: list[RoleRequestView]


@dataclass(frozen=True)
class OfflineKey:
    """A fresh age identity for a handler who keeps their key offline: the file's text (secret)
    and the public key they register at enrolment."""

    identity: str
    public_key: str


class Accounts:
    """Staff accounts: logins and sessions, the holder's own account and second factors,
    the admin's management of accounts and sign-in policy, and the approvals of roles."""

    def __init__(self, services: Services) -> None:
        self._services = services

    # Logins and sessions ---------------------------------------------------------------

    def log_in(
        self, username: str, password: str, totp_code: str, device: str | None = None
    ) -> Login:
        """The password step of a login (with a code, if one was typed); `device` is the
        browser's known-device mark, if it sent one. Failures are audited and raised."""
        cookie = staff_sessions.log_in(self._services, username, password, totp_code, device)
        context = staff_sessions.resume(self._services, cookie)
        return Login(cookie, context, self._device_mark(context.user_id, context.pending))

    def resume(self, cookie: str | None) -> StaffContext:
        """The session a request's cookie carries; SessionExpired when it ended or never was."""
        return staff_sessions.resume(self._services, cookie)

    def csrf_of(self, cookie: str | None) -> str | None:
        """The form token of the session `cookie` names, from the cookie alone (no database):
        None for no session's cookie."""
        return staff_sessions.csrf_of(cookie)

    def log_out(self, ctx: StaffContext, everywhere: bool = False) -> None:
        """End this session, or every session of the account."""
        staff_sessions.log_out(self._services, ctx, everywhere)

    def end_expired_sessions(self) -> int:
        """End the idle and over-age sessions (the sessions job), and make every ended one
        unrecoverable; returns how many ended now."""
        return staff_sessions.sweep_expired(self._services)

    def _device_mark(self, user_id: str, pending: str | None) -> str | None:
        if not known_devices.earned_by(pending):
            return None
        return known_devices.issue(self._services, user_id)

    # The second step of a login --------------------------------------------------------

    def factor_choice(self, ctx: StaffContext) -> FactorChoice:
        """What this half-logged-in session may confirm the login with."""
        with self._services.db.transaction() as session:
            user = _own(session, ctx)
            has_keys = factor_policy.key_count(session, user.id) > 0
            return FactorChoice(has_keys, factor_policy.totp_counts(session, user))

    def login_options(self, ctx: StaffContext) -> str:
        """A fresh challenge for the account's security keys (JSON for the browser)."""
        return second_factor.login_options(self._services, ctx)

    def confirm_with_key(self, ctx: StaffContext, credential: str) -> FactorDone:
        """Finish the login with a security key's answer; a wrong one counts and is audited."""
        pending = second_factor.confirm_with_key(self._services, ctx, credential)
        return FactorDone(pending, self._device_mark(ctx.user_id, pending))

    def confirm_with_code(self, ctx: StaffContext, code: str) -> FactorDone:
        """Finish the login with an authenticator code, where codes count for the account."""
        pending = second_factor.confirm_with_code(self._services, ctx, code)
        return FactorDone(pending, self._device_mark(ctx.user_id, pending))

    # The holder's own account ----------------------------------------------------------

    def own_account(self, ctx: StaffContext) -> OwnAccount:
        """The holder's key fingerprint (read to an approver) and the role they wait for."""
        with self._services.db.transaction() as session:
            user = _own(session, ctx)
            fingerprint = Recipient.parse(user.public_key).fingerprint if user.public_key else None
            return OwnAccount(fingerprint, role_requests.pending_role(session, user.id))

    def password_form(self, ctx: StaffContext) -> PasswordForm:
        """What the password form offers this account (its first key, an offline key)."""
        with self._services.db.transaction() as session:
            user = _own(session, ctx)
            first_key = staff.needs_key(user)
            return PasswordForm(first_key, first_key and user.role == Role.HANDLER)

    def change_password(
        self, ctx: StaffContext, current: str, new: str, confirm: str, offline_key: str = ""
    ) -> None:
        """The holder's new password: their key is made now (enrolment) or re-wrapped; every
        other session of the account ends."""
        staff_sessions.change_password(self._services, ctx, current, new, confirm, offline_key)

    def totp_enrolment(self, ctx: StaffContext) -> TotpEnrolment:
        """The secret this enrolling session made, shown to it alone and never again."""
        secret = _enrolling(ctx)
        return TotpEnrolment(secret, totp.otpauth_uri(ctx.username, secret))

    def finish_totp(self, ctx: StaffContext, code: str) -> str | None:
        """Confirm the authenticator with a code it shows; returns the step still pending."""
        _enrolling(ctx)
        return staff_sessions.finish_totp(self._services, ctx, code)

    # The holder's security keys --------------------------------------------------------

    def own_keys(self, ctx: StaffContext) -> OwnKeys:
        """The holder's security keys, and whether their codes count too."""
        with self._services.db.transaction() as session:
            user = _own(session, ctx)
            codes = user.totp_confirmed and factor_policy.totp_allowed(session, user.role)
            keys = security_keys.keys_of(session, user.id)
        return OwnKeys(keys, codes, bool(self._services.settings.webauthn_origin))

    def key_options(self, ctx: StaffContext, name: str, password: str = "") -> str:
        """A registration challenge for a key to be called `name` (JSON for the browser); a
        complete session gives the password again."""
        security_keys.check_name(name)
        return second_factor.registration_options(self._services, ctx, password)

    def add_key(self, ctx: StaffContext, name: str, credential: str) -> str | None:
        """Register the key that answered; returns the step still pending."""
        return second_factor.add_key(self._services, ctx, name, credential)

    def remove_key(self, ctx: StaffContext, key_id: str) -> None:
        """Remove one of the holder's keys; never their last second factor. Audited, mailed."""
        second_factor.remove_key(self._services, ctx, key_id)

    # Admins (and the command line) manage accounts -------------------------------------

    # The first-run setup (the page that needs the code `sealbox init` prints) -------------

    def setup_code(self) -> str | None:
        """A fresh one-time setup code (for `sealbox init` to print), or None once an admin
        exists."""
        return first_run.issue(self._services)

    def setup_open(self) -> None:
        """SetupDone once an admin exists."""
        first_run.check_open(self._services)

    def set_up(self, code: str, first: FirstRun) -> SetUp:
        """The first admin, channel and mail settings, with the one-time setup code."""
        first_run.validate(first)
        mail_config.checked(first.mail)
        return first_run.complete(self._services, code, first)

    def setup_test_mail(self, code: str, edit: MailEdit, address: str) -> str | None:
        """Send a test mail at once through the form's mail settings (not saved); None when
        the server took it, else what went wrong, in words an admin can act on."""
        first_run.check_code(self._services, code)
        to = normalise_email(address)
        if to is None:
            raise BadInput("Type the address the test mail should go to.")
        config = mail_config.trial(edit)
        try:
            sender.send_now(self._services, config, to, TEST_SUBJECT, TEST_BODY)
        except Exception as exc:  # the server, the network, TLS, login: said on the page
            return smtp.describe(exc)
        return None

    def listing(self, actor: Actor) -> list[Account]:
        """Every account, by role and name, with the role it waits for and its fingerprint."""
        require_admin(actor)
        with self._services.db.transaction() as session:
            return staff_admin.accounts(session)

    def add(self, actor: Actor, username: str, role: str, email: str = "") -> NewAccount:
        """A new account with a one-time password; its holder enrols at first login. Only the
        command line names the first custodian; later ones wait for a custodian's approval."""
        require_admin(actor)
        svc = self._services
        with svc.db.transaction() as session:
            added = staff_admin.add(
                session, svc.clock, svc.kdf, actor.username, username, role, email
            )
            return NewAccount(added.user.username, added.user.role, added.password, added.awaiting)

    def set_active(self, ctx: StaffContext, user_id: str, active: bool) -> None:
        """Deactivate (its sessions end at once) or reactivate an account."""
        require_admin(ctx)
        with self._services.db.transaction() as session:
            staff_admin.set_active(session, self._services.clock, ctx, user_id, active)

    def reset_account(self, actor: Actor, username: str) -> str:
        """A forgotten password: the account enrols anew (returns its one-time password); its
        old key and wraps are erased, and what they opened waits for recovery."""
        svc = self._services
        with svc.db.transaction() as session:
            password = reset.reset(session, svc.clock, svc.kdf, actor, username)
        svc.db.forget(*reset.TOUCHED)
        return password

    def reset_second_factors(self, ctx: StaffContext, user_id: str) -> None:
        """A lost phone or key: the account enrols a new second factor at its next login."""
        require_admin(ctx)
        with self._services.db.transaction() as session:
            staff_admin.reset_totp(session, self._services.clock, ctx, user_id)

    def sign_in_policy(self, actor: Actor) -> SignInPolicy:
        """Per role: whether authenticator codes count, and the accounts without a key."""
        require_admin(actor)
        with self._services.db.transaction() as session:
            overview = factor_policy.overview(session)
        return SignInPolicy(overview, bool(self._services.settings.webauthn_origin))

    def set_totp_allowed(
        self, actor: Actor, role: str, allowed: bool, understood: bool = False
    ) -> None:
        """Switch authenticator codes on or off as a second factor for `role`."""
        require_admin(actor)
        svc = self._services
        with svc.db.transaction() as session:
            factor_policy.set_totp_allowed(
                session,
                svc.clock,
                actor.username,
                role,
                allowed,
                keys_available=bool(svc.settings.webauthn_origin),
                understood=understood,
            )

    # The second person's approvals -----------------------------------------------------

    def approvals(self, ctx: StaffContext) -> Approvals:
        """Requests `ctx` may decide: handlers joining their channels (a custodian: any), and
        for a custodian, accounts waiting to become one."""
        roles.require(ctx.role, Role.HANDLER, Role.CUSTODIAN)
        with self._services.db.transaction() as session:
            channels = membership.decidable(session, ctx)
            waiting = role_requests.pending(session) if ctx.role == Role.CUSTODIAN else []
        return Approvals(channels, waiting)

    def decide_role(
        self, ctx: StaffContext, request_id: str, approve: bool, compared: bool = False
    ) -> RoleRequestView:
        """A custodian approves (after comparing the key fingerprint) or denies a request."""
        with self._services.db.transaction() as session:
            return role_requests.decide(
                session, self._services.clock, ctx, request_id, approve, compared
            )

    # Keys at the command line ----------------------------------------------------------

    def export_key(self, actor: Actor, username: str, password: str) -> str:
        """The private key of `username`, opened with their password, as an age identity file
        (for `age -d -i`, `sealbox decrypt`). The command line only; audited."""
        if not isinstance(actor, CommandLine):
            raise Forbidden("A key is exported on the server's command line only.")
        svc = self._services
        with svc.db.transaction() as session:
            user = staff.get_user(session, username)
            if user is None or user.wrapped_private_key is None:
                raise NotFound("There is no account of that name whose key is held here.")
            if not svc.kdf.verify_password(user.password_hash, password):
                raise BadInput("The password is not right.")
            identity = staff.open_key(svc.kdf, user, password)
            audit.record(
                session,
                svc.clock,
                user.username,
                AuditAction.KEY_EXPORTED,
                f"user:{user.id}",
                via="cli",
            )
        assert identity is not None  # a wrapped key opened
        return identity.export()

    @staticmethod
    def new_offline_key() -> OfflineKey:
        """A fresh age identity for a handler who keeps their key offline (nothing stored)."""
        identity = Identity.generate()
        return OfflineKey(identity.export(), str(identity.recipient))


def _enrolling(ctx: StaffContext) -> str:
    """The authenticator secret of a session that enrols one."""
    if ctx.pending != "totp" or ctx.enrol_totp is None:
        raise BadInput("Your authenticator is already set up. An admin can reset it if lost.")
    return ctx.enrol_totp


def _own(session: Session, ctx: StaffContext) -> User:
    """The account of the session asking."""
    user = session.get(User, ctx.user_id)
    if user is None:
        raise NotFound("This account does not exist.")
    return user
