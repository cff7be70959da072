"""The known-device cookie of staff browsers (see accounts/known_devices.py): set after a login
that proved a second factor, read at the password step."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from sealbox.accounts import known_devices
from sealbox.services import Services
from sealbox.web.cookies import set_session_cookie

COOKIE = "sealbox_device"
# Sent with the login pages only (the password step and the second factor's).
PATH = "/staff/login"


def presented(request: Request) -> str | None:
    """The browser's mark, as it sent it (checked by the domain)."""
    return request.cookies.get(COOKIE)


def remember(
    response: Response, request: Request, svc: Services, user_id: str, pending: str | None
) -> None:
    """Mark this browser for `user_id` when the login it just made proved a second factor."""
    if not known_devices.earned_by(pending):
        return
    mark = known_devices.issue(svc, user_id)
    max_age = known_devices.KNOWN_FOR_DAYS * known_devices.DAY
    set_session_cookie(response, request, svc.settings, COOKIE, mark, PATH, max_age=max_age)
