"""The three steps of a recovery, as JSON bundles of age-sealed key wraps.

1. `export` (on the server): the recovery wraps of every key an account held.
2. `reopen` (offline, with the recovery key): each key unwrapped and wrapped again to the
   holder's new public key. It needs nothing of the server, and the keys exist in the clear only
   in that offline process's memory.
3. `accept` (on the server): the new wraps stored as the account's own.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from sealbox import crypto
from sealbox.backup import recipients as keys
from sealbox.crypto import CannotOpen, Sealed

FORMAT = 1


class BadBundle(Exception):
    """A bundle that cannot be used: the message says why."""


@dataclass(frozen=True)
class Reopened:
    bundle: dict[str, Any]
    reopened: int
    fingerprint: str  # of the key it was wrapped to, for its holder to compare
    other_keys: int  # items wrapped to another recovery key than the one given
    damaged: int


def encode(sealed: Sealed) -> str:
    return base64.b64encode(sealed.ciphertext).decode("ascii")


def decode(text: str) -> Sealed:
    try:
        return Sealed(base64.b64decode(text, validate=True))
    except (binascii.Error, TypeError, ValueError) as exc:
        raise BadBundle("a wrap in the bundle is not age ciphertext") from exc


def check(bundle: object, stage: str) -> dict[str, Any]:
    """`bundle` if it is a recovery bundle of `stage` ("export" or "reopened")."""
    if (
        not isinstance(bundle, dict)
        or bundle.get("format") != FORMAT
        or bundle.get("stage") != stage
        or not isinstance(bundle.get("items"), list)
    ):
        raise BadBundle(f"this is not a Sealbox recovery bundle of the {stage} step")
    return bundle


def reopen(exported: object, identity_file: str, to_key: str) -> Reopened:
    """Offline: open each wrap made to the recovery key in `identity_file` (its text) and wrap
    it to the account's new public key `to_key`. BadKey for a key that is not one."""
    identity = keys.private_key(identity_file)
    to = keys.public_key(to_key)
    bundle = check(exported, "export")
    mine = str(identity.recipient)
    items, others, damaged = [], 0, 0
    for item in bundle["items"]:
        if item.get("recovery_key") != mine:
            others += 1
            continue
        try:
            key = crypto.unwrap_identity(decode(item["wrapped"]), identity)
        except CannotOpen:
            damaged += 1
            continue
        wrapped = crypto.wrap_identity(key, to)
        items.append({"kind": item["kind"], "report": item["report"], "wrapped": encode(wrapped)})
    reopened = {
        "format": FORMAT,
        "stage": "reopened",
        "user": bundle.get("user", ""),
        "to": str(to),
        "items": items,
    }
    return Reopened(reopened, len(items), to.fingerprint, others, damaged)
