"""Staff mail addresses: a light check, so a typo shows when typed, not when mailing."""

from __future__ import annotations

import re

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
