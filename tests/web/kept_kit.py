"""Helpers for the tests of forms given back after a storage fault: what was typed, the rows
it would add, and the page that gives it back, read as a browser reads it."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import httpx
from sqlalchemy import text

from sealbox.errors import SealboxError
from sealbox.locale import translations
from sealbox.web.errors import status_of

TYPED = "KEPTCANARY 倉庫裡的帳本被改過三次 ئامباردىكى دەپتەر ئۈچ قېتىم ئۆزگەرتىلگەن"
REPORT_TEXT = "REPORTCANARY what I saw at the depot"
# Rows any of the forms would add.
TABLES = (
    "messages",
    "attachments",
    "notes",
    "report_labels",
    "disclosure_requests",
    "channels",
    "users",
    "used_tokens",
    "outgoing_mail",
    "audit_log",
)


def counts(services) -> dict[str, int]:
    with services.db.transaction() as session:
        return {
            table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
            for table in TABLES
        }


class Form(HTMLParser):
    """The one form of a page: its action and its fields as the browser would send them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self.textareas: dict[str, str] = {}
        self.multipart = False
        self._area: str | None = None
        self.feed(page)

    def data(self) -> dict[str, list[str]]:
        sent: dict[str, list[str]] = {}
        for name, value in self.fields:
            sent.setdefault(name, []).append(value)
        return sent

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs["action"]
            self.multipart = attrs.get("enctype") == "multipart/form-data"
        elif tag == "input" and attrs.get("type") != "file":
            self.fields.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea":
            self._area = attrs["name"]
            self.textareas[self._area] = ""

    def handle_data(self, data):
        if self._area is not None:
            self.textareas[self._area] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.fields.append((self._area, self.textareas[self._area]))
            self._area = None


def kept_page(page: httpx.Response, refusal: type[SealboxError], lang: str, code: str) -> Form:
    """The page that gives the typed text back after `refusal`: its status, when to come back
    (if ever), in the reader's language."""
    assert page.status_code == status_of(refusal), page.text[:2000]
    assert "KEPTCANARY" in page.text, "what was typed must come back"
    assert f'<html lang="{lang}"' in page.text
    english = refusal.on_form or ""
    translated = translations(code).gettext(english)
    assert translated != english and html.escape(translated) in page.text, page.text[:2000]
    if status_of(refusal) == 503:  # the database is away: when to ask again
        assert int(page.headers.get("retry-after", "0")) > 0, "Retry-After"
    assert translations(code).gettext("Your text, to send again") in page.text
    return Form(page.text)
