"""The one template loader: shared layouts, source pages and staff pages, each in its own folder."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, PrefixLoader, select_autoescape

from sealbox.accounts.roles import Role
from sealbox.crypto import passphrase
from sealbox.disclosure.vocabulary import DisclosureState
from sealbox.reports import cleaning
from sealbox.reports.vocabulary import ReportStatus
from sealbox.web import formatting, i18n, labels

HERE = Path(__file__).parent


class Templates:
    def __init__(self) -> None:
        self.env = Environment(
            loader=PrefixLoader(
                {
                    "common": FileSystemLoader(HERE / "templates"),
                    "source": FileSystemLoader(HERE / "source" / "templates"),
                    "staff": FileSystemLoader(HERE / "staff" / "templates"),
                }
            ),
            autoescape=select_autoescape(default=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.install_null_translations(newstyle=True)
        # Per-request gettext comes in each page's context (see render): one environment serves
        # every language at once, and threads never share a selected language.
        self.env.filters.update(formatting.FILTERS)
        self.env.filters.update(labels.FILTERS)
        self.env.globals["passphrase_words"] = passphrase.WORD_COUNT
        self.env.globals["describe_cleaning"] = cleaning.describe
        # Pages compare with the stored words by their names: `ctx.role == Role.ADMIN`.
        self.env.globals["Role"] = Role
        self.env.globals["ReportStatus"] = ReportStatus
        self.env.globals["DisclosureState"] = DisclosureState

    def render(
        self, request: Request, name: str, context: dict | None = None, status: int = 200
    ) -> HTMLResponse:
        page = {**i18n.template_context(request), **(context or {})}
        html = self.env.get_template(name).render(request=request, **page)
        return HTMLResponse(html, status_code=status)
