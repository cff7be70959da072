"""Every route of the app × every role × own/other channel, generated from the app's route
table: a route missing from EXPECTED fails the test, so no new page escapes the matrix.

A denial is recognised by its status *and* its message (a 400 for an empty form is not a
denial: it means the request got past authorization). Admins, custodians and auditors must
never see report content, and admins hold no key wrap.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from sealbox.accounts import role_requests
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import User
from sealbox.channels import channel_settings, membership
from sealbox.channels.models import Channel
from sealbox.disclosure import two_person
from sealbox.reports.models import IdentityKey, ReportKey
from sealbox.web.app import create_app
from tests import staff_kit, support

ALLOW = "allow"
PUBLIC = "public"  # source pages and the staff login: no staff session involved
Rule = Callable[[str, str], object]

DENIALS = {
    401: {"Please log in.", "Your session has expired. Please log in again."},
    403: {
        "Your role does not give access to this page.",
        "Set up your authenticator app first, at /staff/account/totp.",
        "Choose a new password first, at /staff/account/password.",
        "This session has no login waiting for its second factor.",
        "Only a handler of this channel or a custodian can decide this.",
    },
    404: {"This report does not exist or is not yours to read."},
}


def report(role: str, scope: str) -> object:
    return ALLOW if role == "handler" and scope == "own" else 404


def handlers(role: str, scope: str) -> object:
    """A handler page about no particular report (other roles: 404, as for reports)."""
    return ALLOW if role == "handler" else 404


def only(*roles: str) -> Rule:
    return lambda role, scope: ALLOW if role in roles else 403


def any_staff(role: str, scope: str) -> object:
    return ALLOW


def never(role: str, scope: str) -> object:
    """The second step of a login: no complete (or enrolling) session may use it."""
    return 403


def channel_approval(role: str, scope: str) -> object:
    """A new handler of a channel: its own handlers or a custodian decide, nobody else."""
    if role == "custodian" or (role == "handler" and scope == "own"):
        return ALLOW
    return 403


EXPECTED: dict[str, object] = {
    "GET /static": PUBLIC,
    "GET /": PUBLIC,
    "GET /healthz": PUBLIC,  # "ok" or "not ok", nothing else (tests/web/test_healthz.py)
    "GET /submit/{slug}": PUBLIC,
    "POST /submit/{slug}": PUBLIC,
    "POST /submit/{slug}/step": PUBLIC,
    "GET /sent": PUBLIC,  # the one-time passphrase page; its sealed receipt cookie is the gate
    "POST /files/{file_id}/decision": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "GET /report": PUBLIC,
    "POST /report/messages": PUBLIC,
    "POST /report/files/{file_id}/name": PUBLIC,
    "POST /logout": PUBLIC,
    "GET /staff/login": PUBLIC,
    "GET /staff/setup": PUBLIC,
    "POST /staff/setup": PUBLIC,
    "POST /staff/login": PUBLIC,
    "GET /staff/login/factor": any_staff,
    "POST /staff/login/factor/options": never,
    "POST /staff/login/factor/key": never,
    "POST /staff/login/factor/code": never,
    "POST /staff/logout": any_staff,
    "GET /staff/home": any_staff,
    "GET /staff/": any_staff,
    "GET /staff/overdue": handlers,
    "GET /staff/quarantine": handlers,
    "POST /staff/quarantine": handlers,
    "GET /staff/search": handlers,
    "POST /staff/search": handlers,
    "GET /staff/reports/{report_id}": report,
    "POST /staff/reports/{report_id}/reply": report,
    "GET /staff/reports/{report_id}/files/{file_id}": report,
    "GET /staff/reports/{report_id}/files/{file_id}/preview": report,
    "GET /staff/reports/{report_id}/files/{file_id}/preview/{number}.png": report,
    "GET /staff/reports/{report_id}/export": report,
    "POST /staff/reports/{report_id}/status": report,
    "POST /staff/reports/{report_id}/labels": report,
    "POST /staff/reports/{report_id}/title": report,
    "POST /staff/reports/{report_id}/flag": report,
    "POST /staff/reports/{report_id}/legal-hold": report,
    "POST /staff/reports/{report_id}/notes": report,
    "POST /staff/reports/{report_id}/handlers": report,
    "POST /staff/reports/{report_id}/handlers/remove": report,
    "POST /staff/reports/{report_id}/disclosure": report,
    "GET /staff/account": any_staff,
    "GET /staff/account/password": any_staff,
    "POST /staff/account/password": any_staff,
    "GET /staff/account/totp": any_staff,
    "POST /staff/account/totp": any_staff,
    "GET /staff/account/keys": any_staff,
    "POST /staff/account/keys/options": any_staff,
    "POST /staff/account/keys": any_staff,
    "POST /staff/account/keys/{key_id}/remove": any_staff,
    "GET /staff/admin/users": only("admin"),
    "POST /staff/admin/users": only("admin"),
    "GET /staff/admin/mail/settings": only("admin"),
    "POST /staff/admin/mail/settings": only("admin"),
    "GET /staff/admin/users/{user_id}/active": only("admin"),
    "POST /staff/admin/users/{user_id}/active": only("admin"),
    "GET /staff/admin/users/{user_id}/reset-totp": only("admin"),
    "POST /staff/admin/users/{user_id}/reset-totp": only("admin"),
    "GET /staff/admin/sign-in": only("admin"),
    "POST /staff/admin/sign-in": only("admin"),
    "GET /staff/admin/channels": only("admin"),
    "POST /staff/admin/channels": only("admin"),
    "GET /staff/admin/channels/{channel_id}": only("admin"),
    "POST /staff/admin/channels/{channel_id}": only("admin"),
    "GET /staff/admin/channels/{channel_id}/questions": only("admin"),
    "POST /staff/admin/channels/{channel_id}/questions": only("admin"),
    "GET /staff/admin/channels/{channel_id}/questions/preview": only("admin"),
    "GET /staff/admin/channels/{channel_id}/questions/{key}": only("admin"),
    "POST /staff/admin/channels/{channel_id}/questions/{key}": only("admin"),
    "POST /staff/admin/channels/{channel_id}/questions/{key}/move": only("admin"),
    "GET /staff/admin/channels/{channel_id}/questions/{key}/delete": only("admin"),
    "POST /staff/admin/channels/{channel_id}/questions/{key}/delete": only("admin"),
    "POST /staff/admin/channels/{channel_id}/handlers": only("admin"),
    "GET /staff/admin/mail": only("admin"),
    "POST /staff/admin/mail/{mail_id}/retry": only("admin"),
    "POST /staff/admin/mail/send": only("admin"),
    "POST /staff/admin/mail/test": only("admin"),
    "GET /staff/approvals": only("handler", "custodian"),
    "POST /staff/approvals/channels/{membership_id}/approve": channel_approval,
    "POST /staff/approvals/channels/{membership_id}/deny": channel_approval,
    "POST /staff/approvals/roles/{role_request_id}/approve": only("custodian"),
    "POST /staff/approvals/roles/{role_request_id}/deny": only("custodian"),
    "GET /staff/disclosures": only("custodian"),
    "POST /staff/disclosures/share": only("custodian"),
    "GET /staff/disclosures/{request_id}": only("custodian"),
    "POST /staff/disclosures/{request_id}/approve": only("custodian"),
    "POST /staff/disclosures/{request_id}/deny": only("custodian"),
    "GET /staff/audit": only("auditor"),
    "GET /staff/audit/verify": only("auditor"),
    "GET /staff/audit/export": only("auditor"),
    "GET /staff/audit/anchor": only("auditor"),
}
# While a first password change (or TOTP enrolment) is due, only these pages answer.
SETUP_ROUTES = {
    "POST /staff/logout",
    "GET /staff/login/factor",
    "GET /staff/account/password",
    "POST /staff/account/password",
    "GET /staff/account/totp",
    "POST /staff/account/totp",
}
# "pending": a new account whose holder has not enrolled; "none": an enrolled account whose
# custodian role waits for a custodian's approval.
ROLES = ("admin", "handler", "custodian", "auditor", "pending", "none", "anonymous")
SECRET_TEXT = "MATRIXCANARY the treasurer moved funds"
SECRET_NAME = "MATRIXNAME Jane Roe"


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route, including those of included routers and mounts."""
    found = []
    for route in app.routes:
        contexts = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            methods = getattr(context, "methods", None) or {"GET"}
            found += [(method, context.path) for method in sorted(methods) if method != "HEAD"]
    return found


def expectation(key: str, role: str, scope: str) -> object:
    if key not in EXPECTED:
        pytest.fail(f"{key} is not in EXPECTED ({__file__}): say who may use it")
    rule = EXPECTED[key]
    if rule == PUBLIC:
        return PUBLIC
    if role == "anonymous":
        return 401
    if role == "pending":
        return ALLOW if key in SETUP_ROUTES else 403
    return rule(role, scope)


@pytest.fixture
def world(services, client):
    """Two channels with a report each (identity given, a file, a disclosure request)."""
    people = {
        "admin": staff_kit.account(services, "ada", "admin"),
        "handler": staff_kit.account(services, "hana", "handler"),
        "custodian": staff_kit.account(services, "cora", "custodian"),
        "auditor": staff_kit.account(services, "aud", "auditor"),
        "pending": support.invite(services, "newbie", "handler"),
        "none": staff_kit.account(services, "nora", "custodian"),
    }
    otto = staff_kit.account(services, "otto", "handler")
    staff_kit.account(services, "pat", "handler")
    spare_user = staff_kit.account(services, "spare", "auditor")
    staff_kit.channel(services, "own", ["hana"], allow_identity=True)
    staff_kit.channel(services, "other", ["otto"], allow_identity=True)
    spare_channel = staff_kit.channel(services, "spare", [])
    with services.db.transaction() as session:
        [role_request] = role_requests.pending(session)
        pat = session.scalar(select(User.id).where(User.username == "pat"))
        for slug in ("own", "other"):
            channel = session.scalar(select(Channel.id).where(Channel.slug == slug))
            joined = channel_settings.handler_ids(session, channel) | {pat}
            membership.set_handlers(session, services.clock, "ada", channel, joined)
        waiting = {
            r.channel_name.lower(): r.id for r in membership.decidable(session, _custodian())
        }
    targets = {}
    for slug, holder in (("own", people["handler"]), ("other", otto)):
        sent = staff_kit.submit_form(
            client,
            slug,
            {"text": f"{SECRET_TEXT} in {slug}", "identity_name": SECRET_NAME},
            [("files", "ledger.csv", b"MATRIXFILE 1,2,3")],
        )
        assert sent.status_code == 200, sent.text
        report_id = staff_kit.report_id_of(services, slug)
        with services.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == holder.username))
            ctx = StaffContext(user.id, user.username, "handler", None, "-", "-")
            request_id = two_person.request(
                session, services.clock, ctx, report_id, "Needed to protect the reporter."
            )
        targets[slug] = {
            "slug": slug,
            "report_id": report_id,
            "file_id": staff_kit.file_id_of(services, report_id),
            "number": 1,
            "request_id": request_id,
            "user_id": _user_id(services, spare_user.username),
            "channel_id": spare_channel,
            "mail_id": "0" * 32,
            "key_id": "0" * 32,
            "membership_id": waiting[slug],
            "role_request_id": role_request.id,
            "key": "q0",
        }
    return people, targets


def _custodian() -> StaffContext:
    return StaffContext("-", "-", "custodian", None, "-", "-")


def _user_id(services, username: str) -> str:
    with services.db.transaction() as session:
        return session.scalar(select(User.id).where(User.username == username))


def _form_for(key: str) -> dict[str, str]:
    # Values that pass authorization but change nothing that later requests depend on.
    if key.endswith("/handlers/remove") or key.endswith("/handlers"):
        return {"user_id": "nobody"}
    return {}


def test_every_route_is_in_the_matrix(services):
    routes = {f"{method} {path}" for method, path in app_routes(create_app(services))}
    missing = sorted(routes - EXPECTED.keys())
    assert not missing, f"add these routes to EXPECTED in {__file__}: {missing}"
    stale = sorted(EXPECTED.keys() - routes)
    assert not stale, f"these routes no longer exist; remove them from EXPECTED: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(services, world, role):
    people, targets = world
    keys = sorted(
        {f"{m} {p}" for m, p in app_routes(create_app(services))},
        key=lambda k: k == "POST /staff/logout",  # logging out last
    )
    with staff_kit.browser(services) as browser:
        if role != "anonymous":
            landed = support.staff_login(browser, services, people[role])
            assert landed.status_code == 200, landed.text
        token_page = "/staff/account/password" if role == "pending" else "/staff/account"
        token = support.token(browser.get(token_page).text) if role != "anonymous" else "x"
        failures = []
        for scope in ("own", "other"):
            for key in keys:
                expected = expectation(key, role, scope)
                if expected == PUBLIC:
                    continue
                if key == "POST /staff/logout" and scope == "own":
                    continue  # logging out would end the session before "other" is checked
                method, template = key.split(" ", 1)
                path = template.format(**targets[scope])
                if method == "GET":
                    response = browser.get(path, headers=staff_kit.JSON, follow_redirects=False)
                else:
                    data = {"csrf": token, **_form_for(key)}
                    response = browser.post(
                        path, data=data, headers=staff_kit.JSON, follow_redirects=False
                    )
                problem = _check(response, expected)
                if problem:
                    failures.append(f"{role}/{scope} {method} {path}: {problem}")
                if role != "handler" and (
                    "MATRIXCANARY" in response.text or "MATRIXFILE" in response.text
                ):
                    failures.append(f"{role}/{scope} {method} {path}: report content shown")
                if role not in ("custodian",) and SECRET_NAME in response.text:
                    failures.append(f"{role}/{scope} {method} {path}: identity shown")
        assert not failures, "\n".join(failures)


def _check(response, expected) -> str | None:
    status = response.status_code
    message = ""
    if response.headers.get("content-type", "").startswith("application/json"):
        message = response.json().get("message", "")
    denied = status in DENIALS and message in DENIALS[status]
    if status >= 500:
        return f"server error {status}"
    if expected == ALLOW:
        return f"refused with {status} {message!r}" if denied else None
    if status != expected or not denied:
        return f"expected a {expected} denial, got {status} {message!r}"
    return None


def test_admins_hold_no_key_and_see_no_content(services, world):
    people, targets = world
    admin_id = _user_id(services, people["admin"].username)
    with services.db.transaction() as session:
        for name in (people["admin"].username, people["auditor"].username):
            user = session.scalar(select(User).where(User.username == name))
            assert user.public_key is None and user.wrapped_private_key is None, "no key pair"
        for model in (ReportKey, IdentityKey):
            held = session.scalar(
                select(func.count()).select_from(model).where(model.user_id == admin_id)
            )
            assert held == 0, model.__name__
    with staff_kit.browser(services) as browser:
        support.staff_login(browser, services, people["admin"])
        for path in ("/staff/", "/staff/admin/users", "/staff/admin/channels", "/staff/home"):
            page = browser.get(path)
            assert page.status_code == 200
            assert "MATRIXCANARY" not in page.text and targets["own"]["report_id"] not in page.text
