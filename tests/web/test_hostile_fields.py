"""Hostile input in every form of the route table: arbitrary Unicode and bytes in every field,
in the form token, in path segments and in query strings. The answer is a page (2xx/3xx) or a
clear refusal (4xx), never a 500 and never an unhandled error in the log.

The routes come from the app's route table, so a new form is attacked without being listed.
A form token is the real one most of the time, so the fields behind the token check are
reached too.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from sealbox.web.app import create_app
from tests import support
from tests.web.test_authorization_matrix import app_routes, world  # noqa: F401 (a fixture)

TEMPLATES = Path(__file__).parents[2] / "sealbox" / "web"
# Names whose forms build them from data (per language, per handler, per question).
BUILT_NAMES = [
    "name_en",
    "name_zh_Hans",
    "description_ug",
    "handler_" + "0" * 32,
    "q0",
    "q1",
    "lang",
    "page",
]
# Values that once broke a parser, besides anything hypothesis draws.
NASTY = [
    "\x00",
    "1\x00",
    "²",
    "١٢٣",
    "²²²²²²",
    "١٢٣٤٥٦",
    "12345.é",
    "9" * 40,
    "-1",
    "é" * 300,
    "\u202e\u200f",
    "a" * 70_000,
    "%00",
    "..",
]
EXAMPLES = int(__import__("os").environ.get("HOSTILE_EXAMPLES", "12"))
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data; boundary=hostileboundary7d1"


def _field_names() -> list[str]:
    names = set(BUILT_NAMES)
    for page in TEMPLATES.rglob("*.html"):
        names.update(re.findall(r'name="([a-z_0-9]+)"', page.read_text()))
    return sorted(names - {"viewport", "referrer"})


FIELDS = _field_names()
HOSTILE = st.one_of(st.text(max_size=300), st.sampled_from(NASTY))
# Addresses are short (a client refuses 64 KiB URLs before anything is sent).
IN_URL = st.one_of(st.text(max_size=60), st.sampled_from([v for v in NASTY if len(v) < 100]))
QUERY = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), IN_URL, max_size=4)


def _token_field(path: str) -> str:
    return "csrf" if path.startswith("/staff") and path != "/staff/login" else "form_token"


def _role_for(path: str) -> str:
    if path.startswith("/staff/admin"):
        return "admin"
    if path.startswith(("/staff/approvals", "/staff/disclosures")):
        return "custodian"
    if path.startswith("/staff/audit"):
        return "auditor"
    if path.startswith("/staff"):
        return "handler"
    return "source"


def _ordered(keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Routes that end or change the session go last."""
    last = ("/logout", "/staff/logout", "/staff/account/password", "/staff/account/totp")
    return sorted(keys, key=lambda key: (key[1] in last, key))


def _multipart(fields: list[tuple[str, str]], filename: str | None, content: bytes) -> bytes:
    boundary = "hostileboundary7d1"
    out = bytearray()
    for name, value in fields:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=".encode()
        out += b'"' + name.encode("utf-8", "surrogatepass") + b'"\r\n\r\n'
        out += value.encode("utf-8", "surrogatepass") + b"\r\n"
    if filename is not None:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '.encode()
        out += b'filename="' + filename.encode("utf-8", "surrogatepass") + b'"\r\n'
        out += b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def _path(template: str, targets: dict, draw) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1)
        real = str(targets.get(name, "fraud" if name == "slug" else "0" * 32))
        value = draw(st.one_of(st.just(real), st.just(real), IN_URL))
        return quote(value, safe="") or real

    return re.sub(r"\{(\w+)\}", fill, template)


@pytest.fixture
def sessions(services, world):  # noqa: F811 (the fixture imported above)
    """A browser per role, logged in, with the tokens its pages hold; and the targets."""
    people, targets = world
    browsers = {}
    for role in ("handler", "admin", "custodian", "auditor"):
        browser = TestClient(
            create_app(services), base_url="http://sealbox.test", raise_server_exceptions=False
        )
        assert support.staff_login(browser, services, people[role]).status_code == 200
        browsers[role] = browser
    source = TestClient(
        create_app(services), base_url="http://sealbox.test", raise_server_exceptions=False
    )
    sent = support.submit(source, "own", "a report to come back to", [("notes.bin", b"\x00\x01")])
    assert sent.status_code == 200, sent.text
    assert support.source_login(source, support.passphrase_of(sent)).status_code == 200
    browsers["source"] = source
    yield browsers, targets["own"]
    for browser in browsers.values():
        browser.close()


def _valid_token(browser: TestClient, template: str) -> str:
    if template.startswith("/staff/") and template != "/staff/login":
        return support.token(browser.get("/staff/account").text)
    page = {
        "/submit/{slug}": ("/submit/own", "/submit/own"),
        "/login": ("/login", "/login"),
        "/staff/login": ("/staff/login", "/staff/login"),
        "/report/messages": ("/report", "/report/messages"),
        "/report/files/{file_id}/name": ("/report", "/report/files/"),
        "/logout": ("/report", "/logout"),
    }.get(template)
    if page is None:
        return "1.0"
    html = browser.get(page[0]).text
    try:
        return support.token(html, page[1] if page[1] in html else None)
    except (AssertionError, ValueError):
        return "1.0"


def _attacker(method, template, browser, valid, targets, failures):
    """A hypothesis test that posts (or gets) hostile requests to one route."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def attack(data):
        path = _path(template, targets, data.draw)
        query = data.draw(QUERY)
        url = path + ("?" + urlencode(query, encoding="utf-8") if query else "")
        if method == "GET":
            response = browser.get(url, follow_redirects=False)
        else:
            body, content_type = _body(data.draw, template, valid)
            response = browser.post(
                url, content=body, headers={"content-type": content_type}, follow_redirects=False
            )
        if response.status_code >= 500:
            failures.append(f"{method} {url[:120]!r}: {response.status_code}")

    return attack


def _body(draw, template: str, valid: str) -> tuple[bytes, str]:
    issued = valid.partition(".")[0]
    # The real token, the real one with its MAC replaced, or anything.
    forged = IN_URL.map(f"{issued}.".__add__)
    token = draw(st.one_of(st.just(valid), st.just(valid), forged, HOSTILE))
    fields = [(_token_field(template), token)]
    fields += list(draw(st.dictionaries(st.sampled_from(FIELDS), HOSTILE, max_size=6)).items())
    kind = draw(st.sampled_from(["urlencoded", "multipart", "bytes"]))
    if kind == "urlencoded":
        return urlencode(fields, encoding="utf-8").encode("ascii"), FORM
    if kind == "multipart":
        filename = draw(st.none() | HOSTILE)
        return _multipart(fields, filename, draw(st.binary(max_size=64))), MULTIPART
    content_type = draw(st.sampled_from([FORM, MULTIPART, "multipart/form-data", "text/plain"]))
    return draw(st.binary(max_size=512)), content_type


def test_hostile_fields_never_cause_a_server_error(services, sessions, caplog):
    browsers, targets = sessions
    caplog.set_level(logging.ERROR)
    failures: list[str] = []
    attacked = 0
    for method, template in _ordered(app_routes(create_app(services))):
        if template == "/static":
            continue
        browser = browsers[_role_for(template)]
        valid = _valid_token(browser, template) if method == "POST" else ""
        _attacker(method, template, browser, valid, targets, failures)()
        attacked += 1
    assert attacked > 50, "the route table was not read"
    assert not failures, "\n".join(failures[:40])
    unhandled = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not unhandled, [r.getMessage()[:200] for r in unhandled[:5]]
