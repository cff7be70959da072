"""The source interface: works with JavaScript off, sets no cookie until a passphrase is used.

Each page parses its request, makes one call to the sources service (`svc.sources`) and renders.
Forms a source writes in stream in (`with_multipart`): the service reads their parts on an
upload thread, filling `fields` with what was typed, so that every refusal gives it back.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.channels.answers import QuestionnaireInvalid
from sealbox.channels.channel_settings import ChannelView
from sealbox.errors import (
    DatabaseUnavailable,
    Forbidden,
    SealboxError,
    SessionExpired,
    StorageFull,
)
from sealbox.locale import N_
from sealbox.services import Services
from sealbox.sources.receipts import ReceiptGone
from sealbox.sources.service import Sent
from sealbox.sources.source_sessions import Resumed
from sealbox.sources.throttle import LoginBudget
from sealbox.web import i18n
from sealbox.web.cookies import clear_session_cookie, set_session_cookie
from sealbox.web.deps import lanes, login_budget, services, templates
from sealbox.web.errors import kept_text_page, status_of, with_retry_after
from sealbox.web.forms import check_token, form_token, small_form
from sealbox.web.kept_text import KeptForm, TypedField, gives_back
from sealbox.web.lanes import Lanes
from sealbox.web.streaming import refuse_oversized, with_multipart
from sealbox.web.templating import Templates
from sealbox.web.upload import MultipartStream

router = APIRouter()
COOKIE = "sealbox_source"
RECEIPT_COOKIE = "sealbox_sent"
SENT = "/sent"


@router.get("/")
def landing(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    open_channels = svc.sources.open_channels(i18n.language_of(request).code)
    return tpl.render(request, "source/landing.html", {"channels": open_channels})


@router.get("/submit/{slug}")
def submit_form(
    slug: str,
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
) -> Response:
    channel = svc.sources.channel(slug, i18n.language_of(request).code)
    return _render_submit(request, svc, tpl, channel, text="", error=None, step=0)


def _render_submit(
    request,
    svc,
    tpl,
    channel,
    text,
    error,
    status=200,
    fields=None,
    errors=None,
    step=None,
    token=None,
) -> Response:
    """A step of the channel's form (the last one, where files are chosen, unless `step` says
    otherwise) with what was typed, and a message per wrong answer."""
    fields = {**(fields or {}), "text": text}
    lang = i18n.language_of(request).code
    context = {
        "channel": channel,
        "text": text,
        "error": error,
        "form": svc.sources.form_page(channel, fields, 10**6 if step is None else step, lang),
        # Questionnaire and identity fields as typed, and a message per wrong answer.
        "fields": fields,
        "errors": errors or {},
        # A form's token is used up when it is sent: a refused form gets a fresh one; between
        # steps the form keeps its own.
        "token": token or svc.sources.submission_token(),
        "max_mib": svc.settings.max_submission_bytes // (1024 * 1024),
    }
    return tpl.render(request, "source/submit.html", context, status=status)


@router.post("/submit/{slug}/step")
async def submit_step(
    slug: str,
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
) -> Response:
    """Next or Back between the steps of a form with conditional questions. Nothing is stored:
    the answers so far come back in the next page's form, and the form's single-use token with
    them (it is used up only when the form is sent from its last step)."""
    channel = svc.sources.channel(slug, i18n.language_of(request).code)
    fields = await small_form(request)
    current = int(fields["step"]) if fields.get("step", "").isdecimal() else 0
    forward = fields.get("action") != "back"
    text = fields.get("text", "")
    try:
        shown = svc.sources.next_step(channel, fields, current, forward)
    except QuestionnaireInvalid as exc:
        return _render_submit(
            request,
            svc,
            tpl,
            channel,
            text,
            exc.form_message,
            status_of(exc),
            fields,
            exc.errors,
            current,
            fields.get("form_token"),
        )
    return _render_submit(
        request,
        svc,
        tpl,
        channel,
        text,
        None,
        fields=fields,
        step=shown,
        token=fields.get("form_token"),
    )


@router.post("/submit/{slug}")
async def submit(
    slug: str,
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
    lane: Lanes = Depends(lanes),
) -> Response:
    fields: dict[str, str] = {}
    try:
        # Tried twice on a lost database connection: the form and its text depend on it.
        channel = svc.sources.channel(slug, i18n.language_of(request).code)
    except DatabaseUnavailable as exc:
        # Nothing can be sent without the channel, but what was typed still comes back.
        await _read_typed(
            request,
            lambda stream: svc.sources.read_back_submission(stream.parts(), fields),
            lane,
            fields,
        )
        stub = ChannelView(id="", slug=slug, name=slug, description="")
        text = fields.get("text", "")
        page = _render_submit(
            request, svc, tpl, stub, text, exc.form_message, status_of(exc), fields=fields
        )
        return with_retry_after(page, exc)

    def handle(stream: MultipartStream) -> Sent:
        return svc.sources.submit(channel, stream.parts(), fields)

    try:
        # A form that says it is too large is refused before its files are read.
        await refuse_oversized(request, svc.settings.max_submission_bytes, fields)
        sent = await with_multipart(request, handle, lane.uploads, fields)
    except SealboxError as exc:
        if isinstance(exc, Forbidden):
            raise
        # Give back what they wrote, so a refused file does not cost them their text.
        page = _render_submit(
            request,
            svc,
            tpl,
            channel,
            fields.get("text", ""),
            exc.form_message,
            status=status_of(exc),
            fields=fields,
            errors=getattr(exc, "errors", None),
            step=getattr(exc, "page", None),
        )
        return with_retry_after(page, exc)
    # POST-redirect-GET: the page with the passphrase is a GET, so reloading it, or going Back
    # and Forward, never sends the report again. The passphrase goes in a sealed cookie that
    # only the next page opens, once (`sources/receipts.py`), never in the URL.
    done = i18n.local_url(i18n.choice_of(request), SENT)
    response = RedirectResponse(done, status_code=303)
    value = svc.sources.receipt(sent)
    set_session_cookie(response, request, svc.settings, RECEIPT_COOKIE, value, SENT)
    return response


@router.get(SENT)
def sent_page(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    """The passphrase, shown once; a reload says plainly that it cannot be shown again."""
    try:
        sent = svc.sources.open_receipt(request.cookies.get(RECEIPT_COOKIE))
    except ReceiptGone as exc:
        response = tpl.render(request, "source/sent_gone.html", {"message": exc.message}, 410)
    else:
        context = {
            "quarantined": sent.quarantined,
            "files": sent.files,
            "files_left_out": sent.files_left_out,
            "report_id": sent.report_id,
            "held_token": _held_token(svc, sent.report_id),
            "words": sent.words,
            "digits": sent.digits,
        }
        response = tpl.render(request, "source/passphrase.html", context)
    clear_session_cookie(response, request, svc.settings, RECEIPT_COOKIE, SENT)
    return response


async def _read_typed(
    request: Request, read: Callable[[MultipartStream], None], lane: Lanes, fields: dict[str, str]
) -> None:
    """Read a form that cannot be stored into `fields` (`read` checks its token only: a form
    that is not this site's, or not this session's, is refused: Forbidden; files are dropped)."""
    try:
        await with_multipart(request, read, lane.uploads, fields)
    except Forbidden:
        raise
    except SealboxError:
        return  # busy threads, a form too old to send: what was typed is read all the same


def _held_token(svc: Services, report_id: str | None):
    """Tokens for the send/remove choice of held files; only ever put in the source's pages."""
    return lambda file_id: form_token(
        svc.secrets.form_key, f"held:{report_id}:{file_id}", now=svc.clock.timestamp()
    )


@router.post("/files/{file_id}/decision")
async def decide_held_file(
    file_id: str,
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
) -> Response:
    form = await small_form(request)
    report_id = form.get("report_id", "")
    check_token(
        svc.secrets.form_key,
        f"held:{report_id}:{file_id}",
        form.get("form_token", ""),
        now=svc.clock.timestamp(),
    )
    send = form.get("action") == "send"
    svc.sources.decide_held_file(report_id, file_id, send=send)
    return tpl.render(request, "source/decided.html", {"sent": send})


@router.post("/report/files/{file_id}/name")
async def rename_file(
    file_id: str, request: Request, svc: Services = Depends(services)
) -> Response:
    resumed = _source(request, svc)
    form = await small_form(request)
    binding = svc.sources.binding(request.cookies.get(COOKIE))
    check_token(
        svc.secrets.form_key,
        "rename",
        form.get("form_token", ""),
        binding,
        now=svc.clock.timestamp(),
    )
    svc.sources.rename_file(resumed, file_id, form.get("name", ""))
    done = i18n.local_url(i18n.choice_of(request), "/report")
    return _with_cookie(RedirectResponse(done, status_code=303), request, svc, resumed.cookie)


@router.get("/login")
def login_form(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    token = form_token(svc.secrets.form_key, "login", now=svc.clock.timestamp())
    return tpl.render(request, "source/login.html", {"token": token, "error": None})


@router.post("/login")
async def login(
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
    budget: LoginBudget = Depends(login_budget),
    lane: Lanes = Depends(lanes),
) -> Response:
    form = await small_form(request)
    check_token(
        svc.secrets.form_key, "login", form.get("form_token", ""), now=svc.clock.timestamp()
    )
    entered = form.get("passphrase", "")
    try:
        # The key derivation waits its turn on a login thread, never on the event loop.
        cookie = await lane.logins.run(lambda: svc.sources.log_in(entered, budget))
    except SealboxError as exc:
        token = form_token(svc.secrets.form_key, "login", now=svc.clock.timestamp())
        page = tpl.render(
            request, "source/login.html", {"token": token, "error": exc.message}, status_of(exc)
        )
        return with_retry_after(page, exc)
    response = RedirectResponse("/report", status_code=303)
    return _with_cookie(response, request, svc, cookie)


def _with_cookie(response: Response, request: Request, svc: Services, value: str) -> Response:
    set_session_cookie(response, request, svc.settings, COOKIE, value, "/")
    return response


def _source(request: Request, svc: Services) -> Resumed:
    return svc.sources.resume(request.cookies.get(COOKIE))


@router.get("/report")
def report(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    try:
        resumed = _source(request, svc)
    except SessionExpired as exc:
        token = form_token(svc.secrets.form_key, "login", now=svc.clock.timestamp())
        response = tpl.render(
            request, "source/login.html", {"token": token, "error": exc.message}, 401
        )
        clear_session_cookie(response, request, svc.settings, COOKIE, "/")
        return response
    sent = request.query_params.get("sent") == "1"
    return _render_report(request, svc, tpl, resumed, sent=sent)


def _render_report(
    request: Request,
    svc: Services,
    tpl: Templates,
    resumed: Resumed,
    sent: bool = False,
    error: str | None = None,
    text: str = "",
    status: int = 200,
) -> Response:
    """The source's conversation, with forms bound to the session; the cookie is renewed."""
    page = svc.sources.report(resumed, i18n.language_of(request).code)
    key, binding = svc.secrets.form_key, svc.sources.binding(resumed.cookie)
    context = {
        "conversation": page.conversation,
        "token": page.follow_up_token,
        "held_token": _held_token(svc, page.conversation.report_id),
        "rename_token": form_token(key, "rename", binding, now=svc.clock.timestamp()),
        "logout_token": form_token(key, "logout", binding, now=svc.clock.timestamp()),
        "error": error,
        "text": text,
        "sent": sent,
        "max_mib": svc.settings.max_submission_bytes // (1024 * 1024),
    }
    response = tpl.render(request, "source/report.html", context, status=status)
    return _with_cookie(response, request, svc, resumed.cookie)


@router.post("/report/messages")
async def follow_up(
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
    lane: Lanes = Depends(lanes),
) -> Response:
    binding = svc.sources.binding(request.cookies.get(COOKIE))
    fields: dict[str, str] = {}
    try:
        resumed = _source(request, svc)
    except (StorageFull, DatabaseUnavailable) as exc:
        # The session cannot be checked, so nothing of the report is shown: only what was typed.
        await _read_typed(
            request,
            lambda stream: svc.sources.read_back_follow_up(binding, stream.parts(), fields),
            lane,
            fields,
        )
        return _follow_up_kept(request, svc, binding, fields, exc)

    def handle(stream: MultipartStream) -> None:
        svc.sources.follow_up(resumed, stream.parts(), fields)

    try:
        await refuse_oversized(request, svc.settings.max_submission_bytes, fields)
        await with_multipart(request, handle, lane.uploads, fields)
    except SealboxError as exc:
        if isinstance(exc, Forbidden):
            raise
        if gives_back(exc):  # storage is away: the page must not read it
            return _follow_up_kept(request, svc, binding, fields, exc)
        # Give back what they wrote, so a refused file does not cost them their message.
        text = fields.get("text", "")
        page = _render_report(
            request, svc, tpl, resumed, error=exc.form_message, text=text, status=status_of(exc)
        )
        return with_retry_after(page, exc)
    done = i18n.local_url(i18n.choice_of(request), "/report?sent=1")
    return _with_cookie(RedirectResponse(done, status_code=303), request, svc, resumed.cookie)


def _follow_up_kept(
    request: Request, svc: Services, binding: str, fields: dict[str, str], exc: SealboxError
) -> Response:
    """The message form alone, with what was typed and a fresh token: sent again, the session
    is checked then."""
    form = KeptForm(
        "/report/messages",
        (TypedField("text", N_("Message"), fields.get("text", "")),),
        "source/layout.html",
        hidden=(("form_token", svc.sources.follow_up_token(binding)),),
        files=True,
    )
    return kept_text_page(request, exc, form)


@router.post("/logout")
async def logout(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    form = await small_form(request)
    cookie = request.cookies.get(COOKIE)
    binding = svc.sources.binding(cookie)
    check_token(
        svc.secrets.form_key,
        "logout",
        form.get("form_token", ""),
        binding,
        now=svc.clock.timestamp(),
    )
    svc.sources.log_out(cookie)
    response = tpl.render(request, "source/logged_out.html")
    clear_session_cookie(response, request, svc.settings, COOKIE, "/")
    return response
