"""FastAPI dependencies: services come from the app that was built with them, never a global."""

from __future__ import annotations

from fastapi import Request

from sealbox.services import Services
from sealbox.sources.throttle import LoginBudget
from sealbox.web.lanes import Lanes
from sealbox.web.templating import Templates


def services(request: Request) -> Services:
    return request.app.state.services


def templates(request: Request) -> Templates:
    return request.app.state.templates


def login_budget(request: Request) -> LoginBudget:
    """This process's share of the passphrase-login budget."""
    return request.app.state.login_budget


def lanes(request: Request) -> Lanes:
    """The thread lanes of uploads and logins (sealbox.web.lanes)."""
    return request.app.state.lanes
