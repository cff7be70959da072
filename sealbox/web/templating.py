"""The one template loader: shared layouts, source pages and staff pages, each in its own folder."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, PrefixLoader, select_autoescape

from sealbox.crypto import passphrase

HERE = Path(__file__).parent


def _filesize(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return str(size)


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
        self.env.filters["filesize"] = _filesize
        self.env.globals["passphrase_words"] = passphrase.WORD_COUNT

    def render(
        self, request: Request, name: str, context: dict | None = None, status: int = 200
    ) -> HTMLResponse:
        html = self.env.get_template(name).render(request=request, **(context or {}))
        return HTMLResponse(html, status_code=status)
