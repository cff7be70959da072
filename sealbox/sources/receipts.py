"""The passphrase page's receipt: how a sent report's passphrase reaches the page after the
redirect, once, without the server keeping it.

A report is sent by POST and answered with a redirect to `/sent` (POST-redirect-GET), so that
reloading the page, or going Back and Forward, never sends the form a second time. The page
after the redirect needs the passphrase, which must not go into a URL (history, logs, the
Referer of the next page) nor into anything the server stores. So the POST's answer carries it
in a cookie: the passphrase and what cleaning did to the files, compressed and sealed to a key
derived from the instance's cookie seed (kept outside the database), scoped to `/sent`, HttpOnly,
SameSite=Strict. Only the server can open it, only this browser holds it.

The receipt carries a single-use token (`submission_tokens`, purpose "receipt"): the first page
that shows it uses the token up and clears the cookie, so the passphrase is shown once. A
replayed cookie shows nothing; neither does one older than the form token's window. The row the
token leaves is a random digest dated by day, like any used form token. When the database
cannot note the token (away, or its disk full), the passphrase is shown all the same: the
report is stored, and a source who loses its passphrase loses the report, which is worse than
a receipt that could be shown twice to the browser that holds it, within its window.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sealbox import crypto
from sealbox.crypto import CannotOpen, Sealed
from sealbox.errors import DatabaseUnavailable, FormExpired, FormUsed, NotFound, StorageFull
from sealbox.reports.dialog import FileView
from sealbox.sources import submission_tokens

if TYPE_CHECKING:
    from sealbox.services import Services

PURPOSE = "receipt"
KEY_PURPOSE = "receipt"  # at most 8 ASCII characters (crypto.derive_instance_key)
# Browsers keep cookies up to 4096 bytes with their name; past this, the file details stay out
# (the report page shows them after a login) and the passphrase still fits.
MAX_COOKIE = 3800
GONE = (
    "Your report is stored, but its passphrase cannot be shown again: for your safety it is "
    "shown only once. If you wrote it down, use it to open your report. If you did not, you "
    "cannot return to that report; you may send a new one."
)


class ReceiptGone(NotFound):
    """The passphrase was already shown (or the receipt is too old, or not ours)."""

    code = "receipt_gone"


@dataclass(frozen=True)
class Receipt:
    """What the passphrase page shows, once: the passphrase, whether the report waits in
    quarantine, and what cleaning did to each file (`files_left_out`: too many to carry)."""

    report_id: str
    words: tuple[str, ...]
    quarantined: bool
    files: tuple[FileView, ...]
    files_left_out: bool = False


def seal(services: Services, receipt: Receipt) -> str:
    """The cookie value that carries `receipt` to the page after the redirect."""
    token = submission_tokens.issue(services, PURPOSE)
    files = [
        [f.id, f.display_name, f.content_type, f.size, f.cleaning, f.held] for f in receipt.files
    ]
    value = _sealed(services, token, receipt, files)
    if len(value) > MAX_COOKIE:
        value = _sealed(services, token, receipt, None)
    return value


def open_once(services: Services, value: str | None) -> Receipt:
    """The receipt in the cookie `value`, its token used up; ReceiptGone when it was shown
    already, is too old, or is not a receipt of this instance."""
    try:
        raw = (value or "").encode("ascii")
        sealed = Sealed(base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4)))
        data = json.loads(zlib.decompress(crypto.unseal(sealed, _key(services))))
        token = data["t"]
    except (TypeError, ValueError, binascii.Error, zlib.error, CannotOpen, KeyError):
        raise ReceiptGone(GONE) from None
    try:
        submission_tokens.redeem(services, PURPOSE, token)
    except (FormUsed, FormExpired):
        raise ReceiptGone(GONE) from None
    except (DatabaseUnavailable, StorageFull):
        pass  # shown all the same (see above); the window still bounds it
    files = data.get("f")
    return Receipt(
        report_id=data["r"],
        words=tuple(data["w"].split()),
        quarantined=bool(data["q"]),
        files=tuple(FileView(*f) for f in files or ()),
        files_left_out=files is None,
    )


def _sealed(
    services: Services, token: str, receipt: Receipt, files: Sequence[Sequence[object]] | None
) -> str:
    body = {
        "t": token,
        "r": receipt.report_id,
        "w": " ".join(receipt.words),
        "q": receipt.quarantined,
        "f": files,
    }
    packed = zlib.compress(json.dumps(body, separators=(",", ":")).encode(), 9)
    sealed = crypto.seal(packed, _key(services).recipient)
    # Without padding: "=" would make the cookie a quoted string.
    return base64.urlsafe_b64encode(sealed.ciphertext).decode("ascii").rstrip("=")


def _key(services: Services) -> crypto.Identity:
    return crypto.derive_instance_key(services.secrets.cookie_seed, KEY_PURPOSE)
