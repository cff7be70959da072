"""Every refusal a source can meet is written in the page's language, with its values (a limit,
a line number) filled into the translated sentence, never an English sentence in its place.

The source pages are driven over HTTP in Uyghur and in Traditional Chinese; each error on the
page (`<p class="error">`), once the data we sent is taken out of it, must hold no run of three
English words. Storage faults and busy lanes are injected the way the other tests do it: the
blob store and the database raise the faults they report (`store/faults.py`), a lane refuses.
"""

from __future__ import annotations

import ast
import dataclasses
import html
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
import zxcvbn
from starlette.testclient import TestClient

import sealbox
from sealbox.accounts import password_policy
from sealbox.errors import Busy, SealboxError
from sealbox.locale.extract import error_classes
from sealbox.store.faults import CommitUnknown, DatabaseAway, OutOfSpace
from sealbox.web.app import create_app
from sealbox.web.errors import STATUS, status_of
from sealbox.web.lanes import LOGINS_BUSY, UPLOADS_BUSY
from tests import staff_kit, support

LANGS = ("ug", "zh-Hant")
LIMIT = 512 * 1024  # the submission limit here: small, so that "too large" is cheap
ERROR = re.compile(r'(?s)<p class="error"[^>]*>(.*?)</p>')
TAG = re.compile(r"<[^>]+>")
# Three ASCII words in a row, split by spaces or light punctuation: an English sentence. Codes
# such as YYYY-MM-DD, name@example.org or "MB" are not.
ENGLISH = re.compile(r"[A-Za-z]+(?:'[a-z]+)?(?:[ ,;:]+[A-Za-z]+(?:'[a-z]+)?){2,}")
UNCLEANABLE = b"\x00\x01weird" * 100
RENAME = re.compile(r'/name[^"]*"[^>]*>\s*<input type="hidden" name="form_token" value="([^"]+)"')
QUESTIONS = [
    {"kind": "text", "label": "Department", "required": True},
    {"kind": "long", "label": "Story"},
    {"kind": "choice", "label": "Site", "choices": ["Berlin", "Paris"]},
    {"kind": "date", "label": "When"},
    {"kind": "text", "label": "Required", "required": True},
]


def english_in_errors(page: str, data: tuple[str, ...] = ()) -> list[str]:
    """English sentences in the page's error texts, once the `data` we sent is taken out."""
    regions = ERROR.findall(page)
    assert regions, "no error on the page: " + TAG.sub(" ", page)[:600]
    found = []
    for region in regions:
        text = html.unescape(TAG.sub(" ", region))
        for value in data:
            text = text.replace(value, " ")
        found += ENGLISH.findall(text)
    return found


@dataclasses.dataclass
class Seen:
    """What each step met: its name, the status, and any English found."""

    lang: str
    problems: list[str] = dataclasses.field(default_factory=list)

    def check(self, name, response, status, data=(), retry_after=None) -> str:
        page = response.text
        if response.status_code != status:
            self.problems.append(f"{self.lang} {name}: status {response.status_code} != {status}")
            return page
        if f'lang="{self.lang}"' not in page:
            self.problems.append(f"{self.lang} {name}: the page is not in {self.lang}")
        english = english_in_errors(page, data)
        if english:
            self.problems.append(f"{self.lang} {name}: English {english}")
        if retry_after is not None and response.headers.get("retry-after") != retry_after:
            self.problems.append(f"{self.lang} {name}: Retry-After {response.headers}")
        return page

    def done(self) -> None:
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture
def site(services):
    """A plain channel, one with a questionnaire, one that takes identity details (and no
    custodian to hold them); a small submission limit."""
    staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    staff_kit.channel(services, "hr", ["hana"], questions=QUESTIONS)
    staff_kit.channel(services, "city", ["hana"], allow_identity=True)
    services.settings = dataclasses.replace(services.settings, max_submission_bytes=LIMIT)
    return services


def _url(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def _token(client: TestClient, path: str, lang: str) -> str:
    page = client.get(_url(path, lang))
    assert page.status_code == 200, page.text
    return support.token(page.text)


def _submit(client, slug, lang, fields, files=(), token=None):
    """The submit form as a browser posts it; `files` are (field, name, bytes)."""
    data = {"form_token": token or _token(client, f"/submit/{slug}", lang), **fields}
    parts = [(field, (name, content, "application/octet-stream")) for field, name, content in files]
    parts = parts or [("files", ("", b"", "application/octet-stream"))]
    return client.post(_url(f"/submit/{slug}", lang), data=data, files=parts)


def _login(client, lang, passphrase):
    token = _token(client, "/login", lang)
    return client.post(
        _url("/login", lang),
        data={"form_token": token, "passphrase": passphrase},
        follow_redirects=True,
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_submit_form_refuses_in_the_pages_language(site, client, lang):
    seen = Seen(lang)
    seen.check("empty report", _submit(client, "fraud", lang, {"text": "   "}), 422)
    big = [("files", "evidence.bin", b"x" * (2 * LIMIT))]
    seen.check("file too large", _submit(client, "fraud", lang, {"text": "a"}, big), 413)
    seen.check("text too large", _submit(client, "fraud", lang, {"text": "x" * (LIMIT + 1)}), 413)
    field = {"text": "y" * (1024 * 1024 + 1)}
    seen.check("field too long", _submit(client, "fraud", lang, field), 400, data=("text",))
    many = {f"part{i}": "" for i in range(201)}
    seen.check("too many parts", _submit(client, "fraud", lang, {"text": "a", **many}), 400)
    seen.check("unknown channel", client.get(_url("/submit/nowhere", lang)), 404)
    json = client.get(_url("/submit/nowhere", lang), headers={"accept": "application/json"})
    if ENGLISH.findall(json.json()["message"]):
        seen.problems.append(f"{lang} unknown channel (JSON): {json.json()}")
    refused = {"text": "a", "identity_name": "Ada Lovelace"}
    seen.check("identity refused", _submit(client, "fraud", lang, refused), 400)
    long_name = {"text": "a", "identity_name": "n" * 501}
    seen.check("identity too long", _submit(client, "city", lang, long_name), 400)
    nobody = {"text": "a", "identity_name": "Ada Lovelace"}
    seen.check("identity with no custodian", _submit(client, "city", lang, nobody), 503)
    answers = {"text": "a", "q0": "x" * 1001, "q1": "y" * 20_001, "q2": "Rome", "q3": "31/02"}
    page = seen.check("bad answers", _submit(client, "hr", lang, answers), 400)
    assert len(ERROR.findall(page)) == 6, "one message per wrong answer, and one above"
    forged = _submit(client, "fraud", lang, {"text": "a"}, token="1.2.3")
    seen.check("forged form", forged, 403)
    token = _token(client, "/submit/fraud", lang)
    assert _submit(client, "fraud", lang, {"text": "first"}, token=token).status_code == 200
    seen.check("form used", _submit(client, "fraud", lang, {"text": "again"}, token=token), 409)
    token = _token(client, "/submit/fraud", lang)
    site.clock.advance(7 * 3600)
    seen.check("form expired", _submit(client, "fraud", lang, {"text": "a"}, token=token), 403)
    seen.check("no such page", client.get(_url("/nothing", lang)), 404)
    seen.check("wrong method", client.put(_url("/login", lang)), 405)
    seen.done()


@pytest.mark.parametrize("lang", LANGS)
def test_storage_faults_and_busy_lanes_refuse_in_the_pages_language(
    site, client, lang, monkeypatch
):
    seen = Seen(lang)
    file = [("files", "evidence.bin", b"x" * 1000)]
    with monkeypatch.context() as patch:
        patch.setattr(site.blobs, "put", _raiser(OutOfSpace()))
        seen.check("disk full", _submit(client, "fraud", lang, {"text": "a"}, file), 507)
    token = _token(client, "/submit/fraud", lang)
    with monkeypatch.context() as patch:
        patch.setattr(site.db, "read", _raiser(DatabaseAway()))
        sent = _submit(client, "fraud", lang, {"text": "a"}, token=token)
        seen.check("database away (channel)", sent, 503)
    token = _token(client, "/submit/fraud", lang)
    with monkeypatch.context() as patch:
        patch.setattr(site.db, "run", _raiser(DatabaseAway()))
        sent = _submit(client, "fraud", lang, {"text": "a"}, token=token)
        seen.check("database away (token)", sent, 503)
    token = _token(client, "/submit/fraud", lang)
    with monkeypatch.context() as patch:
        patch.setattr(site.db, "run", _raiser(CommitUnknown()))
        seen.check(
            "outcome unknown", _submit(client, "fraud", lang, {"text": "a"}, token=token), 503
        )
    lanes = client.app.state.lanes
    with monkeypatch.context() as patch:
        patch.setattr(lanes.uploads, "run", _busy(UPLOADS_BUSY, 30))
        sent = _submit(client, "fraud", lang, {"text": "a"})
        seen.check("uploads busy", sent, 503, retry_after="30")
    with monkeypatch.context() as patch:
        patch.setattr(lanes.logins, "run", _busy(LOGINS_BUSY, 5))
        seen.check("logins busy", _login(client, lang, "a b c d e f g"), 503, retry_after="5")
    seen.done()


@pytest.mark.parametrize("lang", LANGS)
def test_logins_sessions_and_files_refuse_in_the_pages_language(site, lang):
    seen = Seen(lang)
    with TestClient(create_app(site), base_url="http://sealbox.test") as client:
        files = [("files", "notes.txt", b"plain notes"), ("files", "blob.bin", UNCLEANABLE)]
        sent = _submit(client, "fraud", lang, {"text": "a"}, files)
        assert sent.status_code == 200, sent.text
        words = support.passphrase_of(sent)
        [remove] = [choice for choice in support.held_choices(sent.text) if choice[3] == "remove"]
        url, token, report_id, _ = remove
        decide = {"form_token": token, "report_id": report_id}
        assert client.post(url, data={**decide, "action": "remove"}).status_code == 200
        again = client.post(_url(url, lang), data={**decide, "action": "send"})
        seen.check("held file decided twice", again, 404)
        forged = client.post(_url(url, lang), data={**decide, "form_token": "1.ab"})
        seen.check("held file, forged form", forged, 403)

        seen.check("wrong passphrase", _login(client, lang, "abacus " * 7), 401)
        seen.check("not logged in", client.get(_url("/report", lang)), 401)
        page = _login(client, lang, words)
        assert page.status_code == 200, page.text
        follow_up = _url("/report/messages", lang)
        empty = {"form_token": support.token(page.text, follow_up), "text": " "}
        parts = [("files", ("", b"", "application/octet-stream"))]
        sent = client.post(follow_up, data=empty, files=parts)
        seen.check("empty follow-up", sent, 422)
        page = client.get(_url("/report", lang))
        big = {"form_token": support.token(page.text, follow_up), "text": "b"}
        parts = [("files", ("more.bin", b"x" * (2 * LIMIT), "application/octet-stream"))]
        sent = client.post(follow_up, data=big, files=parts)
        seen.check("follow-up too large", sent, 413)
        page = client.get(_url("/report", lang))
        rename = {"form_token": RENAME.search(page.text).group(1), "name": "x"}
        sent = client.post(_url(f"/report/files/{'0' * 32}/name", lang), data=rename)
        seen.check("rename a file that is not there", sent, 404)
        site.clock.advance(31 * 60)
        seen.check("session expired", client.get(_url("/report", lang)), 401)

    site.settings = dataclasses.replace(
        site.settings, source_login_burst=1, source_login_per_second=0.001
    )
    with TestClient(create_app(site), base_url="http://sealbox.test") as client:
        assert _login(client, lang, "guess a b c d e f").status_code == 401
        seen.check("login throttled", _login(client, lang, "guess b c d e f g"), 429)
    seen.done()


@pytest.mark.parametrize("lang", LANGS)
def test_password_advice_is_given_in_the_pages_language(services, client, lang):
    """Staff see the policy's limits and zxcvbn's advice translated (the page showed them
    untranslated before)."""
    alice = staff_kit.account(services, "alice", "handler")
    support.staff_login(client, services, alice)
    seen = Seen(lang)
    for name, new in (("too short", "short"), ("too common", "password1234")):
        token = _token(client, "/staff/account/password", lang)
        sent = client.post(
            _url("/staff/account/password", lang),
            data={"csrf": token, "current": alice.password, "new": new, "confirm": new},
        )
        page = seen.check(name, sent, 400)
    assert "%(" not in page and "common password" not in page
    seen.done()


def _raiser(fault: Exception):
    def fail(*args, **kwargs):
        raise fault

    return fail


def _busy(message: str, retry_after: int):
    async def refuse(*args, **kwargs):
        raise Busy(message, retry_after)

    return refuse


# The web layer's table ----------------------------------------------------------------------


def _error_classes() -> set[type[SealboxError]]:
    for module in pkgutil.walk_packages(sealbox.__path__, "sealbox."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, todo = set(), [SealboxError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def test_every_domain_error_has_its_own_http_status():
    """Each error class resolves to a status before the catch-all base: a new error must be
    placed in `web/errors.py::STATUS` (or derive from one that is), not answered as 400 by
    accident."""
    classes = _error_classes()
    assert {cls.__name__ for cls in classes} >= error_classes() - {"SealboxError"}
    unplaced = [
        cls.__qualname__
        for cls in classes
        if next(base for base in cls.__mro__ if base in STATUS) is SealboxError
    ]
    assert not unplaced, f"not in web/errors.py::STATUS: {unplaced}"
    assert all(100 <= status_of(cls) <= 599 for cls in classes)
    for cls in classes:
        assert "status" not in vars(cls), f"{cls.__qualname__} knows an HTTP status"


# No message is built before it is translated ------------------------------------------------


def test_no_error_message_is_built_with_its_values_in_it():
    """`BadInput(f"... {n} ...")` cannot be found in the catalogues; values go in as params."""
    classes = error_classes()
    built = []
    for path in Path(sealbox.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else None
            callee = callee or getattr(node.func, "attr", "")
            first = node.args[0]
            formatted = isinstance(first, ast.JoinedStr | ast.BinOp) or (
                isinstance(first, ast.Call) and getattr(first.func, "attr", "") == "format"
            )
            if callee in classes and formatted:
                built.append(f"{path.relative_to(Path(sealbox.__file__).parent)}:{node.lineno}")
    assert not built, f"messages built before translation: {built}"


def test_every_piece_of_password_advice_is_known():
    """zxcvbn's advice is shown translated; a sentence we do not know would be dropped."""
    source = inspect.getsource(importlib.import_module("zxcvbn.feedback"))
    said = {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "_"
        and isinstance(node.args[0], ast.Constant)
    }
    assert said, zxcvbn.__file__
    assert said <= password_policy.ADVICE, said - password_policy.ADVICE
