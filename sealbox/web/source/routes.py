"""The source interface: works with JavaScript off, sets no cookie until a passphrase is used."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.channels import channels, questionnaire
from sealbox.crypto import passphrase
from sealbox.errors import (
    BadInput,
    DatabaseUnavailable,
    Forbidden,
    SealboxError,
    SessionExpired,
    StorageFull,
    storage_refusals,
)
from sealbox.locale import N_
from sealbox.reports import dialog, intake, reporter_identity
from sealbox.services import Services
from sealbox.sources import source_access, source_files, source_sessions, submission_tokens
from sealbox.sources.throttle import LoginBudget
from sealbox.web import i18n
from sealbox.web.cookies import clear_session_cookie, set_session_cookie
from sealbox.web.deps import lanes, login_budget, services, templates
from sealbox.web.errors import kept_text_page, with_retry_after
from sealbox.web.forms import check_token, form_token, small_form
from sealbox.web.kept_text import KeptForm, TypedField, gives_back
from sealbox.web.lanes import Lanes
from sealbox.web.streaming import with_multipart
from sealbox.web.templating import Templates
from sealbox.web.upload import MultipartStream

router = APIRouter()
COOKIE = "sealbox_source"


def _binding(cookie: str | None) -> str:
    return source_sessions.binding(cookie)


@router.get("/")
def landing(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    with svc.db.transaction() as session:
        open_channels = channels.open_channels(session, i18n.language_of(request).code)
    return tpl.render(request, "source/landing.html", {"channels": open_channels})


@router.get("/submit/{slug}")
def submit_form(
    slug: str,
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
) -> Response:
    with svc.db.transaction() as session:
        channel = channels.open_channel(session, slug, i18n.language_of(request).code)
    return _render_submit(request, svc, tpl, channel, text="", error=None)


def _render_submit(
    request, svc, tpl, channel, text, error, status=200, fields=None, errors=None
) -> Response:
    context = {
        "channel": channel,
        "text": text,
        "error": error,
        # Questionnaire and identity fields as typed, and a message per wrong answer.
        "fields": fields or {},
        "errors": errors or {},
        "token": submission_tokens.issue(svc, "submit"),
        "max_mib": svc.settings.max_submission_bytes // (1024 * 1024),
    }
    return tpl.render(request, "source/submit.html", context, status=status)


def _receive(
    stream: MultipartStream,
    draft: intake.Draft | None,
    fields: dict[str, str],
    svc: Services,
    purpose: str,
    binding: str,
    allow_keep: bool = False,
) -> None:
    """Read the form into `fields` (kept on failure): the token first (it works once), then
    anything. Without a draft, files are read and dropped and the token is only checked (the
    form only comes back); a used or expired token stores nothing, but what was typed is read
    to give back."""
    parts = stream.parts()
    for part in parts:
        if "form_token" not in fields:
            if part.name != "form_token" or part.is_file:
                raise Forbidden("This form is out of date. Reload the page and send it again.")
            fields["form_token"] = part.text()
            try:
                if draft is None:
                    submission_tokens.check(svc, purpose, fields["form_token"], binding)
                else:
                    submission_tokens.redeem(svc, purpose, fields["form_token"], binding)
            except Forbidden:
                raise
            except SealboxError:
                # Used, expired, or the database could not note it (full, away): nothing is
                # stored, and what was typed comes back.
                _typed_text(parts, fields, svc.settings.max_submission_bytes)
                raise
        elif part.is_file:
            if draft is None or (not part.filename and part.is_empty()):
                continue  # no file chosen: nothing to seal, so nothing touches the disk
            # "files_keep" is the channel-allowed, explicit choice to keep a file's metadata,
            # honoured only after the confirmation box that precedes it in the form.
            keep = part.name == "files_keep" and fields.get("keep_confirm") == "1" and allow_keep
            if part.name in ("files", "files_keep") or part.name.startswith("q"):
                received = draft.add_file(part, part.filename or "", part.content_type, keep)
                if received is not None and part.name.startswith("q"):
                    # A questionnaire's file question: its answer names the attached file.
                    fields[part.name] = received.display_name
        else:
            fields[part.name] = part.text()
            if draft is not None:
                draft.add_text(len(fields[part.name]))


async def _read_typed(
    request: Request, svc: Services, lane: Lanes, fields: dict[str, str], purpose: str, binding: str
) -> None:
    """Read a form that cannot be stored into `fields`: its token is only checked (a form that
    is not this site's, or not this session's, is refused: Forbidden) and files are dropped."""
    try:
        await with_multipart(
            request,
            lambda stream: _receive(stream, None, fields, svc, purpose, binding),
            lane.uploads,
            fields,
        )
    except Forbidden:
        raise
    except SealboxError:
        return  # busy threads, a form too old to send: what was typed is read all the same


def _typed_text(parts, fields: dict[str, str], limit: int) -> None:
    """The text fields of the rest of a refused form; files are read past (`limit` bytes at
    most), and a form that breaks off keeps what came before."""
    seen = 0
    try:
        for part in parts:
            if not part.is_file:
                fields[part.name] = part.text()
                continue
            while chunk := part.read(1 << 16):
                seen += len(chunk)
                if seen > limit:
                    return
    except BadInput:
        return


@router.post("/submit/{slug}")
async def submit(
    slug: str,
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
    lane: Lanes = Depends(lanes),
) -> Response:
    lang = i18n.language_of(request).code
    fields: dict[str, str] = {}
    try:
        # Tried twice on a lost database connection: the form and its text depend on it.
        with storage_refusals():
            channel = svc.db.read(lambda session: channels.open_channel(session, slug, lang))
    except DatabaseUnavailable as exc:
        # Nothing can be sent without the channel, but what was typed still comes back.
        await _read_typed(request, svc, lane, fields, "submit", "")
        stub = channels.ChannelView(id="", slug=slug, name=slug, description="")
        text = fields.get("text", "")
        page = _render_submit(
            request, svc, tpl, stub, text, exc.form_message, exc.status, fields=fields
        )
        return with_retry_after(page, exc)
    draft = intake.Draft.for_new_report(svc)

    def handle(stream: MultipartStream) -> str:
        try:
            _receive(
                stream,
                draft,
                fields,
                svc,
                "submit",
                "",
                channel.allow_keep_metadata,
            )
            answers = questionnaire.answers(list(channel.questions), fields)
            reporter = reporter_identity.from_fields(fields, channel.allow_identity)
            return intake.submit(svc, draft, slug, fields.get("text", ""), answers, reporter)
        except BaseException:
            draft.discard()
            raise

    try:
        words = await with_multipart(request, handle, lane.uploads, fields)
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
            status=exc.status,
            fields=fields,
            errors=getattr(exc, "errors", None),
        )
        return with_retry_after(page, exc)
    context = {
        "quarantined": draft.quarantined,
        "files": [_file_view(received) for received in draft.files],
        "report_id": draft.report_id,
        "held_token": _held_token(svc, draft.report_id),
        "words": words.split(),
        "digits": passphrase.to_digits(words),
        "bits": round(passphrase.entropy_bits()),
    }
    return tpl.render(request, "source/passphrase.html", context)


def _file_view(received: intake.ReceivedFile) -> dialog.FileView:
    return dialog.FileView(
        received.id,
        received.display_name,
        received.cleaning.get("kind", ""),
        received.size,
        cleaning=received.cleaning,
        held=received.held,
    )


def _held_token(svc: Services, report_id: str | None):
    """Tokens for the send/remove choice of held files; only ever put in the source's pages."""
    return lambda file_id: form_token(svc.secrets.form_key, f"held:{report_id}:{file_id}")


@router.post("/files/{file_id}/decision")
async def decide_held_file(
    file_id: str,
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
) -> Response:
    form = await small_form(request)
    report_id = form.get("report_id", "")
    check_token(svc.secrets.form_key, f"held:{report_id}:{file_id}", form.get("form_token", ""))
    send = form.get("action") == "send"
    source_files.decide(svc, report_id, file_id, send=send)
    return tpl.render(request, "source/decided.html", {"sent": send})


@router.post("/report/files/{file_id}/name")
async def rename_file(
    file_id: str, request: Request, svc: Services = Depends(services)
) -> Response:
    resumed = _source(request, svc)
    source = resumed.source
    form = await small_form(request)
    binding = _binding(request.cookies.get(COOKIE))
    check_token(svc.secrets.form_key, "rename", form.get("form_token", ""), binding)
    source_files.rename(svc, source.report_id, file_id, source.identity, form.get("name", ""))
    done = i18n.local_url(i18n.choice_of(request), "/report")
    return _with_cookie(RedirectResponse(done, status_code=303), request, svc, resumed.cookie)


@router.get("/login")
def login_form(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    token = form_token(svc.secrets.form_key, "login")
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
    check_token(svc.secrets.form_key, "login", form.get("form_token", ""))

    def log_in() -> str:
        source = source_access.log_in(svc, form.get("passphrase", ""), budget)
        return source_sessions.start(svc, source)

    try:
        # The key derivation waits its turn on a login thread, never on the event loop.
        cookie = await lane.logins.run(log_in)
    except SealboxError as exc:
        token = form_token(svc.secrets.form_key, "login")
        page = tpl.render(
            request, "source/login.html", {"token": token, "error": exc.message}, exc.status
        )
        return with_retry_after(page, exc)
    response = RedirectResponse("/report", status_code=303)
    return _with_cookie(response, request, svc, cookie)


def _with_cookie(response: Response, request: Request, svc: Services, value: str) -> Response:
    set_session_cookie(response, request, svc.settings, COOKIE, value, "/")
    return response


def _source(request: Request, svc: Services) -> source_sessions.Resumed:
    return source_sessions.resume(svc, request.cookies.get(COOKIE))


@router.get("/report")
def report(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    try:
        resumed = _source(request, svc)
    except SessionExpired as exc:
        token = form_token(svc.secrets.form_key, "login")
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
    resumed: source_sessions.Resumed,
    sent: bool = False,
    error: str | None = None,
    text: str = "",
    status: int = 200,
) -> Response:
    """The source's conversation, with forms bound to the session; the cookie is renewed."""
    source = resumed.source
    with svc.db.transaction() as session:
        conversation = dialog.conversation(
            session,
            source.report_id,
            source.identity,
            show_staff_names=False,
            include_held=True,
            lang=i18n.language_of(request).code,
        )
    key, binding = svc.secrets.form_key, _binding(resumed.cookie)
    context = {
        "conversation": conversation,
        "token": submission_tokens.issue(svc, "follow-up", binding),
        "held_token": _held_token(svc, source.report_id),
        "rename_token": form_token(key, "rename", binding),
        "logout_token": form_token(key, "logout", binding),
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
    binding = _binding(request.cookies.get(COOKIE))
    fields: dict[str, str] = {}
    try:
        with storage_refusals():
            resumed = _source(request, svc)
    except (StorageFull, DatabaseUnavailable) as exc:
        # The session cannot be checked, so nothing of the report is shown: only what was typed.
        await _read_typed(request, svc, lane, fields, "follow-up", binding)
        return _follow_up_kept(request, svc, binding, fields, exc)
    source = resumed.source
    draft = intake.Draft.for_report(svc, source.public_key)

    def handle(stream: MultipartStream) -> None:
        try:
            _receive(stream, draft, fields, svc, "follow-up", binding)
            intake.follow_up(svc, draft, source.report_id, "source", None, fields.get("text", ""))
        except BaseException:
            draft.discard()
            raise

    try:
        await with_multipart(request, handle, lane.uploads, fields)
    except SealboxError as exc:
        if isinstance(exc, Forbidden):
            raise
        if gives_back(exc):  # storage is away: the page must not read it
            return _follow_up_kept(request, svc, binding, fields, exc)
        # Give back what they wrote, so a refused file does not cost them their message.
        text = fields.get("text", "")
        page = _render_report(
            request, svc, tpl, resumed, error=exc.form_message, text=text, status=exc.status
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
        hidden=(("form_token", submission_tokens.issue(svc, "follow-up", binding)),),
        files=True,
    )
    return kept_text_page(request, exc, form)


@router.post("/logout")
async def logout(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    form = await small_form(request)
    cookie = request.cookies.get(COOKIE)
    check_token(svc.secrets.form_key, "logout", form.get("form_token", ""), _binding(cookie))
    source_sessions.end(svc, cookie)
    response = tpl.render(request, "source/logged_out.html")
    clear_session_cookie(response, request, svc.settings, COOKIE, "/")
    return response
