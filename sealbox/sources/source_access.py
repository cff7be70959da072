"""A source's way back in: passphrase -> report (the session that follows: source_sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from sealbox import crypto
from sealbox.crypto import CannotOpen, Identity, passphrase
from sealbox.errors import LoginFailed, Throttled
from sealbox.reports.models import Report, SourceAccess
from sealbox.sources import throttle

if TYPE_CHECKING:
    from sealbox.services import Services

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
    if not budget.take():
        raise Throttled(
            "Too many people are trying to log in right now. Wait a minute and try again."
        )
    keys = services.kdf.source_keys(passphrase.normalise(entered), services.secrets.source_salt)
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
