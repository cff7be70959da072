"""The admin's mail page: is mail configured, what waits, what failed and why; retry, test."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox import audit
from sealbox.accounts.actor import StaffContext
from sealbox.errors import BadInput, NotFound
from sealbox.jobs import runner
from sealbox.notify import queue, status
from sealbox.notify.addresses import normalise_email
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.staff.guards import admin, checked_form
from sealbox.web.templating import Templates

router = APIRouter()


@router.get("/admin/mail")
def mail_page(
    request: Request,
    notice: str = "",
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    tpl: Templates = Depends(templates),
) -> Response:
    with svc.db.transaction() as session:
        mail = status.overview(session, svc.settings)
    context = {"ctx": ctx, "mail": mail, "notice": notice}
    return tpl.render(request, "staff/mail_queue.html", context)


@router.post("/admin/mail/{mail_id}/retry")
def retry(
    mail_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    form: dict = Depends(checked_form),
) -> Response:
    with svc.db.transaction() as session:
        if queue.retry_now(session, svc.clock, mail_id) is None:
            raise NotFound("This mail is not in the queue (any more).")
        audit.record(session, svc.clock, ctx.username, "mail_retried", f"mail:{mail_id}")
    return RedirectResponse("/staff/admin/mail?notice=retry", status_code=303)


@router.post("/admin/mail/send")
def send_now(
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    form: dict = Depends(checked_form),
) -> Response:
    runner.run_due(svc, only=["mail"], force=True)
    return RedirectResponse("/staff/admin/mail?notice=sent", status_code=303)


@router.post("/admin/mail/test")
def send_test(
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    form: dict = Depends(checked_form),
) -> Response:
    address = normalise_email(form.get("address"))
    if address is None:
        raise BadInput("Type the address the test mail should go to.")
    with svc.db.transaction() as session:
        queue.enqueue(
            session,
            svc.clock,
            "test",
            address,
            "Sealbox test mail",
            "This is a test mail from Sealbox: mail from this instance reaches you.\n",
        )
        audit.record(session, svc.clock, ctx.username, "mail_test_queued", None)
    return RedirectResponse("/staff/admin/mail?notice=queued", status_code=303)
