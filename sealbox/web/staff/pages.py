"""What a staff page works with: the request, the services, the templates and who is asking,
as one FastAPI dependency per guard; and the one way a page is shown, or shown again with a
refusal in its form."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts.actor import StaffContext
from sealbox.errors import SealboxError
from sealbox.services import Services
from sealbox.web import i18n
from sealbox.web.deps import services, templates
from sealbox.web.errors import status_of
from sealbox.web.staff import guards
from sealbox.web.templating import Templates

# A refusal to show in the page's form, or None.
Refusal = SealboxError | None
T = TypeVar("T")


@dataclass(frozen=True)
class StaffPage:
    request: Request
    svc: Services
    tpl: Templates
    ctx: StaffContext

    def render(
        self, template: str, context: dict[str, Any] | None = None, error: Refusal = None
    ) -> Response:
        """The page; with `error`, the page again saying what was refused (at its status)."""
        full = {"ctx": self.ctx, "error": error.message if error else None, **(context or {})}
        status = status_of(error) if error else 200
        return self.tpl.render(self.request, template, full, status=status)

    def post_then_go(
        self,
        work: Callable[[], T],
        again: Callable[[SealboxError], Response],
        to: str | Callable[[T], str],
    ) -> Response:
        """A form's post: `work` (the service call), then on to `to` (a 303; `to(result)` when
        where depends on the result); refused, the form again saying why (`again(refusal)`)."""
        try:
            done = work()
        except SealboxError as exc:
            return again(exc)
        return RedirectResponse(to if isinstance(to, str) else to(done), status_code=303)

    def local(self, path: str) -> str:
        """`path` in the language this browser chose (for a redirect or a script's next page)."""
        return i18n.local_url(i18n.choice_of(self.request), path)


def fields(view: object) -> dict[str, Any]:
    """A view dataclass's fields as a template's context (one level deep)."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}  # type: ignore[arg-type]


def _page_for(guard: Callable[..., StaffContext]) -> Callable[..., StaffPage]:
    def page(
        request: Request,
        svc: Services = Depends(services),
        tpl: Templates = Depends(templates),
        ctx: StaffContext = Depends(guard),
    ) -> StaffPage:
        return StaffPage(request, svc, tpl, ctx)

    page.__doc__ = f"A staff page for {guard.__name__}: {guard.__doc__ or ''}"
    return page


# One per guard of guards.py: whose page it is decides which.
AnyStep = Annotated[StaffPage, Depends(_page_for(guards.any_step))]
AnySession = Annotated[StaffPage, Depends(_page_for(guards.any_session))]
FactorStep = Annotated[StaffPage, Depends(_page_for(guards.factor_step))]
KeyHolder = Annotated[StaffPage, Depends(_page_for(guards.key_holder))]
Staff = Annotated[StaffPage, Depends(_page_for(guards.staff))]
Handler = Annotated[StaffPage, Depends(_page_for(guards.handler))]
Admin = Annotated[StaffPage, Depends(_page_for(guards.admin))]
Approver = Annotated[StaffPage, Depends(_page_for(guards.approver))]
Custodian = Annotated[StaffPage, Depends(_page_for(guards.custodian))]
# The posted form, once its CSRF token matches the session's.
Form = Annotated[dict[str, str], Depends(guards.checked_form)]
