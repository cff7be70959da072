"""The first-run setup page (`accounts/first_run.py`): no session, only the one-time setup code
that `sealbox init` printed on the server. Once an admin exists it answers 404 for good."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sealbox.accounts.first_run import FirstRun, SetupDone
from sealbox.errors import SealboxError
from sealbox.services import Services
from sealbox.web.deps import lanes, services, templates
from sealbox.web.errors import status_of
from sealbox.web.forms import check_token, form_token, small_form
from sealbox.web.lanes import Lanes
from sealbox.web.staff.admin_mail_routes import mail_edit
from sealbox.web.templating import Templates

router = APIRouter()
PURPOSE = "setup"
# Typed fields given back when the page comes again (the setup code and password never are).
KEPT = ("admin_username", "admin_email", "channel_name", "channel_slug", "test_address")
KEPT_MAIL = ("mail_from", "smtp_host", "smtp_port", "smtp_starttls", "smtp_username")


def _page(request, svc, tpl, form=None, error=None, status=200, test=None) -> Response:
    context = {
        "csrf": form_token(svc.secrets.form_key, PURPOSE, now=svc.clock.timestamp()),
        "form": {k: v for k, v in (form or {}).items() if k in KEPT + KEPT_MAIL},
        "error": error,
        "test": test,
    }
    return tpl.render(request, "staff/setup.html", context, status=status)


@router.get("/setup")
def setup_page(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    svc.accounts.setup_open()
    return _page(request, svc, tpl)


@router.post("/setup")
async def set_up(
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
    lane: Lanes = Depends(lanes),
) -> Response:
    form = await small_form(request)
    check_token(svc.secrets.form_key, PURPOSE, form.get("csrf", ""), now=svc.clock.timestamp())
    code = form.get("setup_code", "")
    try:
        if form.get("action") == "test":
            # The mail server may take its time to answer: never on the event loop.
            address = form.get("test_address", "")
            problem = await run_in_threadpool(
                svc.accounts.setup_test_mail, code, mail_edit(form), address
            )
            return _page(request, svc, tpl, form, test=problem or "sent")
        first = FirstRun(
            admin_username=form.get("admin_username", ""),
            admin_email=form.get("admin_email", ""),
            channel_slug=form.get("channel_slug", ""),
            channel_name=form.get("channel_name", ""),
            mail=mail_edit(form),
        )
        # The admin's one-time password is hashed with Argon2id: on a login thread.
        done = await lane.logins.run(lambda: svc.accounts.set_up(code, first))
    except SetupDone:
        raise
    except SealboxError as exc:
        return _page(request, svc, tpl, form, exc.message, status_of(exc))
    return tpl.render(request, "staff/setup_done.html", {"done": done})
