"""Known devices: a browser that finished a full login of an account may say so later.

While a name waits (name_backoff), the right password alone gets the same answer as a wrong
one, except from a browser that carries this mark for the same account. The mark is verified
statelessly: it holds the account id and the day it was issued, under an HMAC keyed from an
instance secret, and nothing is stored on the server. It opens nothing by itself: it only
lets the right password through during a wait, and the second factor still follows.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sealbox.services import Services

KNOWN_FOR_DAYS = 90
DAY = 86400
# The mark's key is derived from the form key under this label, so no new secret is stored.
LABEL = b"sealbox known staff device"


def _key(services: Services) -> bytes:
    return hmac.new(services.secrets.form_key, LABEL, hashlib.sha256).digest()


def _mac(services: Services, body: str) -> str:
    message = body.encode("utf-8", "surrogatepass")
    return hmac.new(_key(services), message, hashlib.sha256).hexdigest()


def earned_by(pending: str | None) -> bool:
    """Whether a login that leaves this step pending proved a second factor: only such a login
    marks its browser (an enrolling one or one still at its second step does not)."""
    return pending in (None, "password")


def issue(services: Services, user_id: str) -> str:
    """The mark for a browser that just finished a full login of `user_id`."""
    body = f"{user_id}.{int(services.clock.timestamp() // DAY)}"
    return f"{body}.{_mac(services, body)}"


def holder(services: Services, mark: str | None) -> str | None:
    """The account id a browser's mark was issued for, or None (absent, forged, too old)."""
    body, _, mac = (mark or "").rpartition(".")
    user_id, _, day = body.partition(".")
    given = mac.encode("utf-8", "surrogatepass")
    if not (user_id and day.isascii() and day.isdigit()):
        return None
    if not hmac.compare_digest(given, _mac(services, body).encode()):
        return None
    age = services.clock.timestamp() // DAY - int(day)
    return user_id if 0 <= age <= KNOWN_FOR_DAYS else None
