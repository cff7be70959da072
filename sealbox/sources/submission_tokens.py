"""Submission tokens: each works once, and only within `submission_token_hours` of being issued.

A token is `issued.nonce.mac`: the second it was issued, 16 random bytes, and an HMAC of both
with the purpose and session binding under the instance's form key. Redeeming it stores a
digest of the nonce (random: no one can test a guessed time against it, even with the form
key) and the day after which the token has expired anyway. So a used token dates its form to
the day, and the row goes at the first chronology pass after that day.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.errors import Forbidden, FormExpired, FormUsed, storage_refusals
from sealbox.sources.models import UsedToken
from sealbox.store.upsert import insert

if TYPE_CHECKING:
    from sealbox.services import Services

MAC_PURPOSE = "sealbox-submission-token"
NONCE_PURPOSE = "sealbox-used-token"
_SHAPE = re.compile(r"([0-9]{1,12})\.([0-9a-f]{32})\.([0-9a-f]{64})")
# A token from a few seconds ahead (another process's clock) is still fine.
SKEW_SECONDS = 120
FORGED = "This form is out of date. Reload the page and send it again."


def issue(services: Services, purpose: str, binding: str = "") -> str:
    """A fresh token for one form of `purpose` (and the session `binding`, if any)."""
    issued = str(int(services.clock.timestamp()))
    nonce = secrets.token_hex(16)
    return f"{issued}.{nonce}.{_mac(services, purpose, binding, issued, nonce)}"


def redeem(services: Services, purpose: str, token: str, binding: str = "") -> None:
    """Accept `token` once. Forbidden when forged, FormExpired when too old, FormUsed when used."""
    nonce, until = check(services, purpose, token, binding)
    key = crypto.keyed_digest(services.secrets.form_key, NONCE_PURPOSE, nonce.encode())

    def use(session: Session) -> str | None:
        return session.execute(
            insert(session, UsedToken)
            .values(id=key, until=until)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(UsedToken.id)
        ).scalar()

    with storage_refusals():
        added = services.db.run(use, landed=lambda session: session.get(UsedToken, key) is not None)
    if added is None:
        raise FormUsed(
            "This form was already sent once, so it was not stored again. If you did not see "
            "a passphrase, your text is below: attach your files again and send it."
        )


def check(services: Services, purpose: str, token: str, binding: str = "") -> tuple[str, dt.date]:
    """`redeem` without using the token up (for a form that only comes back): its nonce and the
    day it expires. Forbidden when forged, FormExpired when too old."""
    match = _SHAPE.fullmatch(token or "")
    if match is None:
        raise Forbidden(FORGED)
    issued, nonce, mac = match.groups()
    if not crypto.same_digest(mac, _mac(services, purpose, binding, issued, nonce)):
        raise Forbidden(FORGED)
    now = services.clock.timestamp()
    window = services.settings.submission_token_hours * 3600
    if not -SKEW_SECONDS <= now - int(issued) <= window:
        raise FormExpired(
            "This form was opened too long ago to be sent. Nothing was stored: your text is "
            "below, attach your files again and send it."
        )
    return nonce, dt.datetime.fromtimestamp(int(issued) + window, dt.UTC).date()


def forget_expired(session: Session, today: dt.date) -> int:
    """Delete the used tokens that have expired by now; returns how many went."""
    result = session.execute(delete(UsedToken).where(UsedToken.until < today))
    assert isinstance(result, CursorResult)  # a DELETE's result counts its rows
    return result.rowcount or 0


def _mac(services: Services, purpose: str, binding: str, issued: str, nonce: str) -> str:
    message = f"{purpose}|{binding}|{issued}|{nonce}".encode()
    return crypto.keyed_digest(services.secrets.form_key, MAC_PURPOSE, message)
