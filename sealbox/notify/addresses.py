"""Staff mail addresses: a light check, so a typo shows when typed, not when mailing; and
the addresses a query finds."""

from __future__ import annotations

import re

from sqlalchemy import Select
from sqlalchemy.orm import Session

from sealbox.errors import BadInput

_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def normalise_email(text: str | None) -> str | None:
    """The address trimmed, or None when empty; BadInput when it cannot be an address."""
    address = (text or "").strip()
    if not address:
        return None
    if len(address) > 254 or not _ADDRESS.match(address):
        raise BadInput(
            "“%(address)s” is not a mail address (expected name@example.org).", address=address
        )
    return address


def found(session: Session, query: Select[str | None]) -> list[str]:
    """The addresses `query` selects, in its order; an account without one is left out (the
    queries ask for `User.email.is_not(None)` already, which the column's type cannot show)."""
    return [address for address in session.scalars(query) if address is not None]
