"""Domain errors. Each carries a message that the person who sees it can act on."""

from __future__ import annotations


class SealboxError(Exception):
    """Base for refusals that the web layer turns into a page or JSON error."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(SealboxError):
    status = 404
    code = "not_found"


class EmptyReport(SealboxError):
    status = 422
    code = "empty_report"


class TooLarge(SealboxError):
    status = 413
    code = "too_large"


class UnknownChannel(SealboxError):
    status = 404
    code = "unknown_channel"


class BadInput(SealboxError):
    status = 400
    code = "bad_input"


class LoginFailed(SealboxError):
    status = 401
    code = "login_failed"


class Throttled(SealboxError):
    status = 429
    code = "throttled"


class SessionExpired(SealboxError):
    status = 401
    code = "session_expired"


class Forbidden(SealboxError):
    status = 403
    code = "forbidden"


class DamagedData(SealboxError):
    status = 500
    code = "damaged_data"


class Conflict(SealboxError):
    status = 409
    code = "conflict"
