"""The ASGI application: source pages, staff pages, static files, headers, error pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from sealbox.services import Services
from sealbox.web import errors
from sealbox.web.i18n import LanguageMiddleware
from sealbox.web.security import SecurityMiddleware
from sealbox.web.source import routes as source_routes
from sealbox.web.staff import admin_mail_routes, audit_routes
from sealbox.web.staff import routes as staff_routes
from sealbox.web.templating import HERE, Templates


def create_app(services: Services) -> FastAPI:
    """Build the app around `services`; tests build one per database they run on."""
    app = FastAPI(title="Sealbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = services
    app.state.templates = Templates()
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(LanguageMiddleware)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(source_routes.router)
    app.include_router(staff_routes.router, prefix="/staff")
    app.include_router(audit_routes.router, prefix="/staff")
    app.include_router(admin_mail_routes.router, prefix="/staff")
    return app
