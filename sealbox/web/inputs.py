"""Text from outside, made safe before any use: form fields, file names, paths, query strings.

Browsers never send control characters from what people type, PostgreSQL cannot store NUL, and
a parser handed one fails in its own way; so they are removed from field text at the one place
forms are read, and an address holding one names no page.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from fastapi import Request

from sealbox.errors import NotFound

# C0 controls and DEL; tab, line feed and carriage return are text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(b"[\x00-\x1f\x7f]")


def field_text(value: str) -> str:
    """A form field's value (or name) without the control characters no keyboard types."""
    return _CONTROL.sub("", value)


def check_address(request: Request) -> None:
    """A dependency of every route: an address holding control characters names no page."""
    path = request.scope.get("path", "")
    query = unquote_to_bytes(request.scope.get("query_string", b""))
    if _CONTROL.search(path) or _CONTROL_BYTES.search(query):
        raise NotFound("There is no page at this address.")
