"""A source's session after a passphrase login: one half in the cookie, one half on the server.

The cookie holds `id . secret . started . last-used . tag`. The server row (keyed by a hash of
the id) holds the report's id and key sealed to a key derived from the secret, so neither half
opens anything alone. Logging out, idling `source_session_minutes` and reaching
`source_session_max_minutes` end the session: the row is deleted and the deletion made
unrecoverable (`Database.forget`), after which a captured cookie with a full copy of the server
opens nothing.

The row names no report and stores no finer time than the hour after which it may be swept.
The exact times live in the cookie only, tagged with the instance's cookie key so they cannot be
pushed forward.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sealbox import crypto
from sealbox.crypto import CannotOpen, Identity, Sealed
from sealbox.errors import SessionExpired
from sealbox.sources.models import SourceSessionRow
from sealbox.sources.source_access import SourceSession
from sealbox.store import erase

if TYPE_CHECKING:
    from sealbox.services import Services

TAG_PURPOSE = "sealbox-source-cookie"
LOG_IN = "Please enter your passphrase to see your report."
IDLE = "You were logged out after a while without activity. Enter your passphrase again."
TOO_OLD = (
    "For your safety, a session ends after a while even when in use. Enter your passphrase again."
)


@dataclass(frozen=True)
class Resumed:
    source: SourceSession
    cookie: str  # the same session with its idle clock restarted: send it back


@dataclass(frozen=True)
class _Cookie:
    sid: str
    secret: bytes
    started: int
    last: int

    @property
    def row_id(self) -> str:
        return hashlib.sha256(self.sid.encode()).hexdigest()


def start(services: Services, source: SourceSession) -> str:
    """Open a session for `source` (just logged in); returns the cookie value."""
    now = int(services.clock.timestamp())
    cookie = _Cookie(secrets.token_urlsafe(24), secrets.token_bytes(32), now, now)
    payload = {"r": source.report_id, "k": source.identity.export(), "p": source.public_key}
    sealed = crypto.seal(json.dumps(payload).encode(), _key(cookie).recipient)
    with services.db.transaction() as session:
        session.add(
            SourceSessionRow(
                id=cookie.row_id, sealed=sealed, expires_hour=_expiry_hour(services, cookie)
            )
        )
    return _encode(services, cookie)


def resume(services: Services, value: str | None) -> Resumed:
    """The source of a request carrying `value`; SessionExpired when ended, unknown or forged."""
    cookie = _decode(services, value)
    settings = services.settings
    now = int(services.clock.timestamp())
    too_old = now - cookie.started > settings.source_session_max_minutes * 60
    idle = now - cookie.last > settings.source_session_minutes * 60
    renewed = _Cookie(cookie.sid, cookie.secret, cookie.started, now)
    source, ended = None, False
    with services.db.transaction() as session:
        row = session.get(SourceSessionRow, cookie.row_id)
        if row is not None and (too_old or idle or row.expires_hour * 3600 <= now):
            erase.delete_overwritten(session, SourceSessionRow, SourceSessionRow.id == row.id)
            ended = True
        elif row is not None:
            source = _open(row.sealed, cookie)
            hour = _expiry_hour(services, renewed)
            if hour != row.expires_hour:  # at most one write an hour per session
                row.expires_hour = hour
    if ended:
        forget(services)
    if too_old:
        raise SessionExpired(TOO_OLD)
    if idle or ended:
        raise SessionExpired(IDLE)
    if source is None:
        raise SessionExpired(LOG_IN)
    return Resumed(source, _encode(services, renewed))


def end(services: Services, value: str | None) -> None:
    """Log out: delete the server's half and make the deletion unrecoverable."""
    sid = (value or "").partition(".")[0]
    if not sid:
        return
    row_id = hashlib.sha256(sid.encode()).hexdigest()
    with services.db.transaction() as session:
        erase.delete_overwritten(session, SourceSessionRow, SourceSessionRow.id == row_id)
    forget(services)


def binding(value: str | None) -> str:
    """A value that stays the same for the whole session, to bind its forms' tokens to."""
    sid, _, rest = (value or "").partition(".")
    secret_hex = rest.partition(".")[0]
    return hashlib.sha256(f"{sid}.{secret_hex}".encode()).hexdigest()[:32]


def sweep_expired(services: Services) -> int:
    """Delete sessions past their hour, then forget every deleted session (logouts included)."""
    hour = int(services.clock.timestamp()) // 3600
    with services.db.transaction() as session:
        ended = erase.delete_overwritten(
            session, SourceSessionRow, SourceSessionRow.expires_hour <= hour
        )
    forget(services)
    return ended


def forget(services: Services) -> None:
    """See `Database.forget`; if SQLite is busy, the sessions job catches up within minutes."""
    services.db.forget("source_sessions")


def _expiry_hour(services: Services, cookie: _Cookie) -> int:
    """The hour after which the row may be swept: the end of the session, rounded up."""
    settings = services.settings
    ends = min(
        cookie.last + settings.source_session_minutes * 60,
        cookie.started + settings.source_session_max_minutes * 60,
    )
    return math.ceil(ends / 3600)


def _key(cookie: _Cookie) -> Identity:
    return crypto.derive_session_key(cookie.secret)


def _open(sealed: Sealed, cookie: _Cookie) -> SourceSession | None:
    try:
        payload = json.loads(crypto.unseal(sealed, _key(cookie)))
    except (CannotOpen, ValueError):
        return None
    return SourceSession(payload["r"], Identity.parse(payload["k"]), payload["p"])


def _tag(services: Services, sid: str, started: int, last: int) -> str:
    message = f"{sid}|{started}|{last}".encode()
    return crypto.keyed_digest(services.secrets.cookie_seed, TAG_PURPOSE, message)[:32]


def _encode(services: Services, cookie: _Cookie) -> str:
    tag = _tag(services, cookie.sid, cookie.started, cookie.last)
    return f"{cookie.sid}.{cookie.secret.hex()}.{cookie.started}.{cookie.last}.{tag}"


def _decode(services: Services, value: str | None) -> _Cookie:
    parts = (value or "").split(".")
    if len(parts) != 5 or not parts[0]:
        raise SessionExpired(LOG_IN)
    sid, secret_hex, started, last, tag = parts
    try:
        cookie = _Cookie(sid, bytes.fromhex(secret_hex), int(started), int(last))
    except ValueError:
        raise SessionExpired(LOG_IN) from None
    expected = _tag(services, sid, cookie.started, cookie.last)
    if len(cookie.secret) != 32 or not crypto.same_digest(tag, expected):
        raise SessionExpired(LOG_IN)
    return cookie
