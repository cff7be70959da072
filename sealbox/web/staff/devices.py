"""The known-device cookie of staff browsers (see accounts/known_devices.py): set after a login
that proved a second factor, read at the password step."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from sealbox.accounts.known_devices import DAY, KNOWN_FOR_DAYS
from sealbox.settings import Settings
from sealbox.web.cookies import set_session_cookie

COOKIE = "sealbox_device"
# Sent with the login pages only (the password step and the second factor's).
PATH = "/staff/login"


def presented(request: Request) -> str | None:
    """The browser's mark, as it sent it (checked by the domain)."""
    return request.cookies.get(COOKIE)


def remember(response: Response, request: Request, settings: Settings, mark: str | None) -> None:
    """Mark this browser with the mark a login that proved a second factor was given."""
    if mark is None:
        return
    max_age = KNOWN_FOR_DAYS * DAY
    set_session_cookie(response, request, settings, COOKIE, mark, PATH, max_age=max_age)
