"""Headers on every response, a same-origin check on every state-changing request."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'none'; "
    "script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
# The one policy a response may set for itself instead of CSP: nothing loads, nothing runs.
SEALED_OFF = "default-src 'none'; sandbox; frame-ancestors 'none'"
HEADERS = {
    "content-security-policy": CSP,
    # No referrer ever leaves the site; within it, forms keep a real Origin header (under
    # "no-referrer" browsers send `Origin: null` on every POST, which the check below refuses).
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SecurityMiddleware:
    """Pure ASGI (so upload bodies stream untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE_METHODS and not _same_origin(scope):
            response = PlainTextResponse(
                "Cross-site form submissions are refused.", status_code=403
            )
            await response(scope, receive, _with_headers(send, scope))
            return
        await self.app(scope, receive, _with_headers(send, scope))


def _with_headers(send: Send, scope: Scope) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            csp = headers.get("content-security-policy")
            for name, value in HEADERS.items():
                headers[name] = value
            if csp == SEALED_OFF:
                # A response that allows nothing at all (a drawn page of a file) keeps its own.
                headers["content-security-policy"] = csp
            if not scope["path"].startswith("/static/"):
                # Pages can hold decrypted content or a passphrase: never cache them.
                headers["cache-control"] = "no-store"
                headers["pragma"] = "no-cache"
        await send(message)

    return wrapped


def _same_origin(scope: Scope) -> bool:
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    if headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = headers.get("origin")
    if not origin:
        # Privacy settings may omit Origin; form tokens still apply.
        return True
    # "null" comes from sandboxed frames, data: and file: pages and cross-site redirects:
    # never from a form on one of our pages, so it is refused like any other foreign origin.
    if origin == "null":
        return False
    return urlsplit(origin).netloc == headers.get("host", "")
