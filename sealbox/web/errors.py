"""Every failure becomes a clear page or JSON error; tracebacks and user data stay out of logs.

`STATUS` is the one place that says which HTTP status a domain error is answered with; the
domain's errors know nothing of HTTP. A message goes into a page as it is (the template shows
it with `|translated`) and into JSON in the reader's language.

An unexpected error is answered once, by `ErrorBoundary`, and not raised on: the server then
logs it once and keeps the connection open (Starlette's own handler re-raises after answering,
so the server would log it a second time and drop a keep-alive connection).
"""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.requests import Request as PlainRequest
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from sealbox.errors import (
    BadInput,
    Busy,
    Conflict,
    DamagedData,
    DatabaseUnavailable,
    EmptyReport,
    Forbidden,
    FormExpired,
    FormUsed,
    LoginFailed,
    NotFound,
    OutcomeUnknown,
    SealboxError,
    SessionExpired,
    StorageFull,
    Throttled,
    TooLarge,
    TooSlow,
    UnknownChannel,
    refusal_for,
)
from sealbox.locale import N_, Message
from sealbox.reports.previews import CannotPreview
from sealbox.reports.reporter_identity import NoCustodian
from sealbox.store.faults import StoreFault
from sealbox.web import i18n, kept_text
from sealbox.web.cookies import clear_session_cookie
from sealbox.web.formatting import message_text

log = logging.getLogger("sealbox.web")

# The status each domain error is answered with; an error not listed takes its nearest listed
# base class's (the most specific class wins).
STATUS: dict[type[SealboxError], int] = {
    SealboxError: 400,
    BadInput: 400,
    NotFound: 404,
    UnknownChannel: 404,
    EmptyReport: 422,
    TooLarge: 413,
    LoginFailed: 401,
    SessionExpired: 401,
    Throttled: 429,
    Forbidden: 403,
    FormExpired: 403,
    FormUsed: 409,
    Conflict: 409,
    TooSlow: 408,
    DamagedData: 500,
    StorageFull: 507,
    DatabaseUnavailable: 503,
    OutcomeUnknown: 503,
    Busy: 503,
    NoCustodian: 503,
    CannotPreview: 422,
}


def status_of(exc: SealboxError | type[SealboxError]) -> int:
    """The HTTP status for a domain error (or error class): that of its most specific class
    in `STATUS`."""
    kind = exc if isinstance(exc, type) else type(exc)
    for cls in kind.__mro__:
        if cls in STATUS:
            return STATUS[cls]
    raise TypeError(f"{kind.__name__} is not a SealboxError")


_HTTP_MESSAGES = {
    404: N_("There is no page at this address."),
    405: N_("This page does not accept that kind of request."),
}


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def error_response(request: Request, status: int, code: str, message: str | Message) -> Response:
    if _wants_json(request):
        text = message_text(i18n.language_of(request).code, message)
        return JSONResponse({"error": code, "message": text}, status_code=status)
    templates = request.app.state.templates
    staff = request.url.path.startswith("/staff")
    if staff and code == "session_expired":
        return templates.render(
            request, "staff/login.html", {"error": message, "csrf": ""}, status=status
        )
    layout = "staff/error.html" if staff else "source/error.html"
    return templates.render(request, layout, {"status": status, "message": message}, status=status)


def with_retry_after(response: Response, exc: SealboxError) -> Response:
    """Tell the client when to come back, for a refusal that only says "not now"."""
    if exc.retry_after is not None:
        response.headers["retry-after"] = str(exc.retry_after)
    return response


def kept_text_page(request: Request, refusal: SealboxError, form: kept_text.KeptForm) -> Response:
    """The answer to a form that storage refused: what was typed, in the form to send again,
    and nothing else (the page reads no storage)."""
    context = {"layout": form.layout, "kept": form, "message": refusal.form_message}
    page = request.app.state.templates.render(
        request, "common/kept.html", context, status=status_of(refusal)
    )
    return with_retry_after(page, refusal)


def _answer(request: Request, refusal: SealboxError) -> Response:
    form = kept_text.kept(request)
    if form is not None and kept_text.gives_back(refusal) and not _wants_json(request):
        return kept_text_page(request, refusal, form)
    page = error_response(request, status_of(refusal), refusal.code, refusal.message)
    return with_retry_after(page, refusal)


def install(app: FastAPI) -> None:
    """Map domain errors and HTTP errors to pages; add the boundary for everything else.

    Call it before adding other middleware: the boundary must sit inside them, so that its
    page still gets the security headers and the language."""
    app.add_middleware(ErrorBoundary)

    @app.exception_handler(SealboxError)
    async def domain_error(request: Request, exc: SealboxError) -> Response:
        response = _answer(request, exc)
        if isinstance(exc, SessionExpired):
            settings = request.app.state.services.settings
            if request.url.path.startswith("/staff"):
                clear_session_cookie(response, request, settings, "sealbox_staff", "/staff")
            else:
                clear_session_cookie(response, request, settings, "sealbox_source", "/")
        return response

    @app.exception_handler(StoreFault)
    async def storage_fault(request: Request, exc: StoreFault) -> Response:
        # A full disk or an unanswering database: the form's text comes back if the route
        # kept it (kept_text), else the plain page says so.
        return _answer(request, refusal_for(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = _HTTP_MESSAGES.get(exc.status_code, N_("The request could not be handled."))
        return error_response(request, exc.status_code, f"http_{exc.status_code}", message)

    @app.exception_handler(ClientDisconnect)
    async def gone(request: Request, exc: ClientDisconnect) -> Response:
        # Ordinary on Tor. One quiet line, and at debug level only: a line per disconnect
        # would date the visits of sources in the log.
        log.debug("a client went away before its request was read; nothing was stored")
        return Response(status_code=400)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(
            ".".join(str(p) for p in e["loc"][1:]) or "request" for e in exc.errors()
        )
        message = Message(N_("Missing or invalid: %(fields)s."), {"fields": fields})
        return error_response(request, 400, "bad_input", message)


class ErrorBoundary:
    """Answers an unexpected exception with the error page, once, and logs it once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: ASGIMessage) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            # The exception's message may quote data (a decode error shows bytes): log type and
            # stack frames only.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("unhandled %s\n%s", type(exc).__name__, frames)
            if started:
                return  # half a page is out: the server closes the connection
            response = error_response(
                PlainRequest(scope, receive),
                500,
                "internal",
                N_("Something went wrong on our side. Please try again."),
            )
            await response(scope, receive, send)
