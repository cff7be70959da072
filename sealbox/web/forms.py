"""Form tokens (CSRF) and small urlencoded forms; no multipart spooling anywhere but upload.py."""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import parse_qsl

from fastapi import Request

from sealbox.errors import BadInput, Forbidden
from sealbox.web.inputs import field_text

MAX_FORM_BYTES = 256 * 1024
TOKEN_LIFETIME = 24 * 3600
# "<unix time>.<HMAC-SHA256 in hex>": anything else is refused before it is compared.
_TOKEN = re.compile(r"([0-9]{1,12})\.([0-9a-f]{64})")


def form_token(key: bytes, purpose: str, binding: str = "", *, now: float) -> str:
    """A token that proves a form came from this site's page for `purpose` (and session),
    issued at `now` (the services' clock)."""
    issued = str(int(now))
    mac = hmac.new(key, f"{purpose}|{binding}|{issued}".encode(), hashlib.sha256).hexdigest()
    return f"{issued}.{mac}"


def check_token(key: bytes, purpose: str, token: str, binding: str = "", *, now: float) -> None:
    """Refuse a token that is malformed, forged, for another form or session, or too old."""
    parsed = _TOKEN.fullmatch(token or "")
    if parsed is None:
        raise Forbidden("This form is out of date. Reload the page and send it again.")
    issued, mac = parsed.groups()
    expected = hmac.new(key, f"{purpose}|{binding}|{issued}".encode(), hashlib.sha256).hexdigest()
    fresh = now - int(issued) < TOKEN_LIFETIME
    if not hmac.compare_digest(mac.encode(), expected.encode()) or not fresh:
        raise Forbidden("This form is out of date. Reload the page and send it again.")


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a secret sent in a form with the one held (any text)."""
    return hmac.compare_digest((given or "").encode(), expected.encode())


async def small_form(request: Request) -> dict[str, str]:
    """Read an urlencoded form of bounded size; multipart is refused here by design."""
    return dict(await small_form_pairs(request))


async def small_form_pairs(request: Request) -> list[tuple[str, str]]:
    """`small_form` as (name, value) pairs, for forms that repeat a name (checkboxes). The body
    is read once: a later call in the same request gets the same pairs."""
    read = getattr(request.state, "small_form", None)
    if read is not None:
        return list(read)
    if not is_small_form(request):
        raise BadInput("This form must be sent as application/x-www-form-urlencoded.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise BadInput("The form is too large.")
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    request.state.small_form = [(field_text(name), field_text(value)) for name, value in pairs]
    return list(request.state.small_form)


def is_small_form(request: Request) -> bool:
    """Whether the request is sent the way `small_form` reads."""
    content_type = request.headers.get("content-type", "")
    return content_type.startswith("application/x-www-form-urlencoded")
