"""A source's way back in: passphrase -> report, and the sealed cookie that keeps them in."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from sqlalchemy import select

from sealbox import crypto
from sealbox.cases import throttle
from sealbox.cases.errors import LoginFailed, SessionExpired, Throttled
from sealbox.crypto import CannotOpen, Identity, Sealed, passphrase
from sealbox.services import Services
from sealbox.store.models import Report, SourceAccess

GENERIC_FAILURE = "That passphrase did not open a report. Check each word and try again."


@dataclass(frozen=True)
class SourceSession:
    report_id: str
    identity: Identity
    public_key: str


def log_in(services: Services, entered: str, budget: throttle.LoginBudget) -> SourceSession:
    """Open a report by passphrase. Right or wrong, the cost is one Argon2id run.

    Nothing is written: a login must leave no trace that dates it (`budget` lives in memory).
    """
    settings = services.settings
    if not budget.take():
        raise Throttled(
            "Too many people are trying to log in right now. Wait a minute and try again."
        )
    keys = crypto.derive_source_keys(
        passphrase.normalise(entered), services.secrets.source_salt, settings.kdf
    )
    with services.db.transaction() as session:
        access = session.scalar(
            select(SourceAccess).where(SourceAccess.lookup_id == keys.lookup_id)
        )
        report = session.get(Report, access.report_id) if access else None
        if access is None or report is None:
            raise LoginFailed(GENERIC_FAILURE)
        try:
            identity = crypto.unwrap_identity(access.wrapped, keys.identity)
        except CannotOpen as exc:
            raise LoginFailed(GENERIC_FAILURE) from exc
        return SourceSession(report.id, identity, report.public_key)


def _cookie_key(services: Services) -> Identity:
    return crypto.derive_session_key(services.secrets.cookie_seed)


def seal_cookie(services: Services, source: SourceSession) -> str:
    """The source's session lives only in their browser, sealed to this instance."""
    expires = services.clock.timestamp() + services.settings.source_session_minutes * 60
    payload = {
        "r": source.report_id,
        "k": source.identity.export(),
        "p": source.public_key,
        "e": int(expires),
    }
    sealed = crypto.seal(json.dumps(payload).encode(), _cookie_key(services).recipient)
    return base64.urlsafe_b64encode(sealed.ciphertext).decode().rstrip("=")


def open_cookie(services: Services, value: str | None) -> SourceSession:
    if not value:
        raise SessionExpired("Please enter your passphrase to see your report.")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        payload = json.loads(crypto.unseal(Sealed(raw), _cookie_key(services)))
    except (binascii.Error, TypeError, ValueError, CannotOpen) as exc:
        raise SessionExpired("Please enter your passphrase to see your report.") from exc
    if payload["e"] < services.clock.timestamp():
        raise SessionExpired(
            "You were logged out after a while without activity. Enter your passphrase again."
        )
    return SourceSession(payload["r"], Identity.parse(payload["k"]), payload["p"])
