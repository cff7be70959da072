"""The start page of roles that read no reports; an admin's shows a filling disk."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.services import Services
from sealbox.store import space
from sealbox.web.templating import Templates


def render_home(request: Request, svc: Services, tpl: Templates, ctx: StaffContext) -> Response:
    low_space = space.low(svc.settings) if ctx.role == Role.ADMIN else []
    return tpl.render(request, "staff/home.html", {"ctx": ctx, "low_space": low_space})
