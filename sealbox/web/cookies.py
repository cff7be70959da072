"""Session cookies: HttpOnly, SameSite=Strict, and Secure whenever the request came over HTTPS."""

from __future__ import annotations

import ipaddress

from fastapi import Request
from fastapi.responses import Response

from sealbox.settings import Settings


def over_https(request: Request, settings: Settings) -> bool:
    """True when the browser reached us over HTTPS.

    Directly (uvicorn serving TLS), by setting, or through a reverse proxy in
    `trusted_proxies` that says so. The peer address is compared and forgotten, never stored;
    anyone else's `X-Forwarded-Proto` is ignored, so a client cannot talk us out of `Secure`
    or into believing a plain connection is encrypted.
    """
    if settings.secure_cookies or request.url.scheme == "https":
        return True
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if proto != "https" or request.client is None:
        return False
    try:
        peer = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    return any(peer in network for network in settings.trusted_proxy_networks)


def set_session_cookie(
    response: Response,
    request: Request,
    settings: Settings,
    name: str,
    value: str,
    path: str,
    max_age: int | None = None,
) -> None:
    """Set a cookie that scripts cannot read and other sites never send; it ends with the
    browser session unless `max_age` (seconds) says otherwise."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        path=path,
        secure=over_https(request, settings),
    )


def clear_session_cookie(
    response: Response, request: Request, settings: Settings, name: str, path: str
) -> None:
    response.delete_cookie(
        name, path=path, httponly=True, samesite="strict", secure=over_https(request, settings)
    )
