"""The ASGI application: source pages, staff pages, static files, headers, error pages."""

from __future__ import annotations

import contextlib

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from sealbox.jobs.background import Heartbeat
from sealbox.services import Services
from sealbox.sources.throttle import LoginBudget
from sealbox.web import errors, health
from sealbox.web.i18n import LanguageMiddleware
from sealbox.web.inputs import check_address
from sealbox.web.lanes import Lanes
from sealbox.web.request_limits import RequestLimits
from sealbox.web.security import SecurityMiddleware
from sealbox.web.source import routes as source_routes
from sealbox.web.staff import admin_mail_routes, audit_routes, setup_routes
from sealbox.web.staff import routes as staff_routes
from sealbox.web.templating import HERE, Templates


def create_app(services: Services) -> FastAPI:
    """Build the app around `services`; tests build one per database they run on."""
    settings = services.settings
    budget = LoginBudget(
        settings.source_login_burst, settings.source_login_per_second, services.clock
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        heartbeat = Heartbeat(services, budget)
        heartbeat.beat()
        heartbeat.start()
        try:
            yield
        finally:
            heartbeat.stop()

    app = FastAPI(
        title="Sealbox",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        # Path and query are checked before any route reads them.
        dependencies=[Depends(check_address)],
    )
    app.state.services = services
    app.state.login_budget = budget
    app.state.templates = Templates()
    # Uploads and logins run on threads of their own: the shared pool stays for pages.
    app.state.lanes = Lanes.for_settings(settings, services.kdf.threads + services.kdf.waiting)
    errors.install(app)  # first: its boundary sits inside the middleware below
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(LanguageMiddleware)
    # Outermost: a request with too many headers or a body that crawls is cut off before
    # anything else runs for it.
    app.add_middleware(
        RequestLimits,
        max_header_count=settings.max_header_count,
        idle=settings.body_idle_seconds,
        min_rate=settings.body_min_bytes_per_second,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(health.router)
    app.include_router(source_routes.router)
    app.include_router(staff_routes.router, prefix="/staff")
    app.include_router(audit_routes.router, prefix="/staff")
    app.include_router(admin_mail_routes.router, prefix="/staff")
    app.include_router(setup_routes.router, prefix="/staff")
    return app
