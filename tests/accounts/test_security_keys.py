"""Security keys and passkeys (WebAuthn) as a staff second factor, over HTTP, answered by a
software authenticator that makes real attestation and assertion responses: register, log in
with the key, refuse a phishing origin, a foreign relying party, a replayed or expired
challenge and a copied key (its counter goes back), switch authenticator codes off per role,
and never let the last second factor go."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import select

from sealbox import settings as settings_mod
from sealbox.accounts.models import SecurityKey, User
from sealbox.audit.models import AuditEntry
from sealbox.notify.models import OutgoingMail
from tests import staff_kit, support
from tests.conftest import TEST_KDF
from tests.soft_authenticator import SoftAuthenticator

ORIGIN = "http://sealbox.test"
JSON = {"accept": "application/json"}


@pytest.fixture
def settings(tmp_path, database_url):
    return settings_mod.load(
        environ={},
        data_dir=tmp_path / "data",
        database_url=database_url,
        kdf=TEST_KDF,
        public_url=ORIGIN,
    )


def _actions(services, name: str) -> list[dict]:
    with services.db.transaction() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == name)).all()
        return [json.loads(row.details) for row in rows]


def _mails_to(services, address: str) -> list[str]:
    with services.db.transaction() as session:
        return list(
            session.scalars(select(OutgoingMail.body).where(OutgoingMail.recipient == address))
        )


def _set_email(services, username: str, email: str) -> None:
    with services.db.transaction() as session:
        session.scalar(select(User).where(User.username == username)).email = email


def _role_section(html: str, role: str) -> str:
    for section in html.split('<section class="role-factors">')[1:]:
        if f'name="role" value="{role}"' in section:
            return section.split("</section>")[0]
    raise AssertionError(f"no section for {role}")


def add_key(client, device: SoftAuthenticator, name: str = "blue key", password: str = "", **bend):
    """Register `device` on the keys page as the browser script does (a complete session
    gives the password again)."""
    page = client.get("/staff/account/keys")
    assert page.status_code == 200, page.text
    csrf = support.token(page.text)
    options = client.post(
        "/staff/account/keys/options",
        data={"csrf": csrf, "name": name, "password": password},
        headers=JSON,
    )
    assert options.status_code == 200, options.text
    answer = device.create(options.json(), **bend)
    return client.post(
        "/staff/account/keys",
        data={"csrf": csrf, "name": name, "credential": answer},
        headers=JSON,
    )


def password_step(client, account: support.Account, code: str = ""):
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={
            "csrf": support.token(page.text),
            "username": account.username,
            "password": account.password,
            "totp": code,
        },
        follow_redirects=True,
    )


def key_options(client):
    page = client.get("/staff/login/factor")
    csrf = support.token(page.text)
    options = client.post("/staff/login/factor/options", data={"csrf": csrf}, headers=JSON)
    assert options.status_code == 200, options.text
    return csrf, options.json()


def key_step(client, device: SoftAuthenticator, **bend):
    csrf, options = key_options(client)
    answer = device.get(options, **bend)
    return client.post(
        "/staff/login/factor/key", data={"csrf": csrf, "credential": answer}, headers=JSON
    )


def with_key(services, client, username: str, role: str = "handler"):
    """An enrolled account holding one registered key; the client is logged out after."""
    account = support.add_user(services, username, role)
    device = SoftAuthenticator(ORIGIN)
    assert support.staff_login(client, services, account).status_code == 200
    assert add_key(client, device, password=account.password).status_code == 200
    staff_kit.post(client, "/staff/logout")
    return account, device


def test_a_key_is_registered_and_then_logs_in(services, client):
    hana = support.add_user(services, "hana")
    _set_email(services, "hana", "hana@example.org")
    support.staff_login(client, services, hana)
    device = SoftAuthenticator(ORIGIN)
    added = add_key(client, device, name="blue USB key", password=hana.password)
    assert added.status_code == 200 and added.json()["next"] == "/staff/account/keys?added=1"
    page = client.get("/staff/account/keys")
    assert "blue USB key" in page.text
    assert [d["name"] for d in _actions(services, "security_key_added")] == ["blue USB key"]
    assert any("blue USB key" in body for body in _mails_to(services, "hana@example.org"))
    staff_kit.post(client, "/staff/logout")

    waiting = password_step(client, hana)
    assert waiting.url.path == "/staff/login/factor"
    assert 'data-webauthn="login"' in waiting.text and 'src="/static/webauthn.js"' in waiting.text
    # A password alone opens nothing.
    assert client.get("/staff/").status_code == 403
    assert client.get("/staff/account/password").status_code == 403
    assert client.get("/staff/account/keys").status_code == 403
    done = key_step(client, device)
    assert done.status_code == 200 and done.json()["next"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert _actions(services, "login")[-1]["factor"] == "security_key"
    with services.db.transaction() as session:
        assert session.scalar(select(SecurityKey.sign_count)) == 1


def test_a_session_alone_adds_no_key_without_the_password(services, client):
    hana = support.add_user(services, "hana")
    support.staff_login(client, services, hana)
    page = client.get("/staff/account/keys")
    assert 'name="password"' in page.text
    csrf = support.token(page.text)
    for password in ("", "not her password"):
        refused = client.post(
            "/staff/account/keys/options",
            data={"csrf": csrf, "name": "thief's key", "password": password},
            headers=JSON,
        )
        assert refused.status_code == 400
        assert refused.json()["message"] == "Your password is not right."
    # No challenge was opened, so no answer can register a key.
    device = SoftAuthenticator(ORIGIN)
    answer = device.create(
        {"rp": {"id": "sealbox.test"}, "user": {"id": "aGFuYQ"}, "challenge": "AAAA"}
    )
    sent = client.post(
        "/staff/account/keys",
        data={"csrf": csrf, "name": "thief's key", "credential": answer},
        headers=JSON,
    )
    assert sent.status_code == 400
    with services.db.transaction() as session:
        assert session.scalar(select(SecurityKey.id)) is None
        failed = session.scalar(select(User.failed_logins).where(User.username == "hana"))
    assert failed == 2 and len(_actions(services, "password_check_failed")) == 2


def test_a_phishing_origin_or_foreign_relying_party_is_refused(services, client):
    hana = support.add_user(services, "hana")
    support.staff_login(client, services, hana)
    phished = add_key(
        client, SoftAuthenticator(ORIGIN), password=hana.password, origin="https://sea1box.test"
    )
    assert phished.status_code == 400 and "could not be verified" in phished.json()["message"]
    foreign = add_key(
        client, SoftAuthenticator(ORIGIN), password=hana.password, rp_id="sea1box.test"
    )
    assert foreign.status_code == 400
    device = SoftAuthenticator(ORIGIN)
    assert add_key(client, device, password=hana.password).status_code == 200
    staff_kit.post(client, "/staff/logout")

    password_step(client, hana)
    assert key_step(client, device, origin="https://sea1box.test").status_code == 401
    assert key_step(client, device, rp_id="sea1box.test").status_code == 401
    assert client.get("/staff/").status_code == 403
    assert key_step(client, device).status_code == 200
    assert client.get("/staff/").status_code == 200
    assert [d["factor"] for d in _actions(services, "login_failed")] == ["security_key"] * 2


def test_a_challenge_answers_once_and_expires(services, client, other_client):
    hana, device = with_key(services, client, "hana")
    password_step(client, hana)
    csrf, options = key_options(client)
    answer = device.get(options)
    first = client.post("/staff/login/factor/key", data={"csrf": csrf, "credential": answer})
    assert first.status_code == 200
    # The same answer again, in a new half-logged-in session: its challenge is not this one's.
    password_step(other_client, hana)
    other_csrf, _ = key_options(other_client)
    replayed = other_client.post(
        "/staff/login/factor/key", data={"csrf": other_csrf, "credential": answer}, headers=JSON
    )
    assert replayed.status_code == 401
    assert other_client.get("/staff/").status_code == 403
    # Nor twice in one session: the first answer, even a wrong one, uses the challenge up.
    other_csrf, options = key_options(other_client)
    wrong = device.get(options, origin="https://sea1box.test")
    right = device.get(options)
    for answer, status in ((wrong, 401), (right, 400)):
        sent = other_client.post(
            "/staff/login/factor/key",
            data={"csrf": other_csrf, "credential": answer},
            headers=JSON,
        )
        assert sent.status_code == status, sent.text
    assert "expired or was already answered" in sent.json()["message"]
    # A challenge left open too long is void, and so is the half-logged-in session.
    other_client.cookies.clear()
    password_step(other_client, hana)
    other_csrf, options = key_options(other_client)
    services.clock.advance(services.settings.staff_second_factor_seconds + 1)
    late = other_client.post(
        "/staff/login/factor/key",
        data={"csrf": other_csrf, "credential": device.get(options)},
        headers=JSON,
    )
    assert late.status_code == 401 and late.json()["error"] == "session_expired"


def test_a_copied_key_whose_counter_goes_back_is_refused_and_audited(services, client):
    hana, device = with_key(services, client, "hana")
    _set_email(services, "hana", "hana@example.org")
    for _ in range(3):
        password_step(client, hana)
        assert key_step(client, device).status_code == 200
        staff_kit.post(client, "/staff/logout")
    password_step(client, hana)
    copied = key_step(client, device, counter=2)
    assert copied.status_code == 401 and "looks copied" in copied.json()["message"]
    assert client.get("/staff/").status_code == 403
    [entry] = _actions(services, "security_key_copy_refused")
    assert entry["stored_count"] == 3 and entry["answered_count"] == 2
    assert any("counter went back" in body for body in _mails_to(services, "hana@example.org"))


def test_codes_switched_off_for_a_role_no_longer_log_in(services, client, other_client):
    ada = support.add_user(services, "ada", "admin")
    aud = support.add_user(services, "aud", "auditor")
    _set_email(services, "aud", "aud@example.org")
    hana, device = with_key(services, client, "hana")
    ivo = support.add_user(services, "ivo")  # a handler without a key
    support.staff_login(other_client, services, ada)
    page = other_client.get("/staff/admin/sign-in")
    handlers = _role_section(page.text, "handler")
    assert "Without a security key:" in handlers and "ivo" in handlers and "hana" not in handlers
    refused = staff_kit.post(other_client, "/staff/admin/sign-in", role="handler", totp_allowed="0")
    assert refused.status_code == 400 and "Tick the box" in refused.text
    switched = staff_kit.post(
        other_client, "/staff/admin/sign-in", role="handler", totp_allowed="0", understood="1"
    )
    assert switched.status_code == 200 and "Saved." in switched.text
    [entry] = _actions(services, "totp_policy_changed")
    assert entry == {"totp_allowed": False, "without_key": ["ivo"]}
    assert any("ivo" in body for body in _mails_to(services, "aud@example.org"))

    # hana's right code is not a second factor any more: only her key is.
    landed = password_step(client, hana, code=hana.code(services))
    assert landed.url.path == "/staff/login/factor"
    assert client.get("/staff/").status_code == 403
    assert 'name="code"' not in landed.text
    code = client.post(
        "/staff/login/factor/code",
        data={"csrf": support.token(landed.text), "code": hana.code(services, 1)},
    )
    assert code.status_code == 400 and client.get("/staff/").status_code == 403
    assert key_step(client, device).status_code == 200
    assert client.get("/staff/").status_code == 200

    # ivo has no key: his code leads to registering one, and to nothing else until he does.
    other_client.cookies.clear()
    landed = support.staff_login(other_client, services, ivo)
    assert landed.url.path == "/staff/account/keys"
    assert "Register one now to go on" in landed.text
    assert other_client.get("/staff/").status_code == 403
    assert other_client.get("/staff/account/password").url.path == "/staff/account/keys"
    ivo_key = SoftAuthenticator(ORIGIN)
    added = add_key(other_client, ivo_key)
    assert added.status_code == 200 and added.json()["next"] == "/staff/"
    assert other_client.get("/staff/").status_code == 200
    del aud


def test_the_last_second_factor_that_counts_cannot_be_removed(services, client, other_client):
    ada = support.add_user(services, "ada", "admin")
    hana, device = with_key(services, client, "hana")
    assert support.staff_login(client, services, hana, offset_steps=1).status_code == 200

    def key_ids():
        with services.db.transaction() as session:
            return list(session.scalars(select(SecurityKey.id)))

    # Codes still count for handlers: the only key may go, and comes back.
    [only] = key_ids()
    removed = staff_kit.post(client, f"/staff/account/keys/{only}/remove")
    assert removed.status_code == 200 and "The key was removed." in removed.text
    assert key_ids() == [] and len(_actions(services, "security_key_removed")) == 1
    assert add_key(client, device, password=hana.password).status_code == 200

    support.staff_login(other_client, services, ada)
    staff_kit.post(other_client, "/staff/admin/sign-in", role="handler", totp_allowed="0")
    [only] = key_ids()
    kept = staff_kit.post(client, f"/staff/account/keys/{only}/remove")
    assert kept.status_code == 400 and "last second factor" in kept.text
    assert key_ids() == [only]
    spare = SoftAuthenticator(ORIGIN)
    assert add_key(client, spare, name="spare", password=hana.password).status_code == 200
    assert staff_kit.post(client, f"/staff/account/keys/{only}/remove").status_code == 200
    [left] = key_ids()
    assert staff_kit.post(client, f"/staff/account/keys/{left}/remove").status_code == 400
    # Nobody removes another account's key.
    other = staff_kit.post(other_client, f"/staff/account/keys/{left}/remove")
    assert other.status_code == 404 and key_ids() == [left]


def test_a_newcomer_of_a_keys_only_role_registers_a_key_at_enrolment(services, client):
    ada = support.add_user(services, "ada", "admin")
    support.staff_login(client, services, ada)
    staff_kit.post(client, "/staff/admin/sign-in", role="auditor", totp_allowed="0")
    client.cookies.clear()
    newcomer = support.invite(services, "nora", "auditor")
    landed = password_step(client, newcomer)
    assert landed.url.path == "/staff/account/keys"
    assert client.get("/staff/account/totp").status_code == 400
    device = SoftAuthenticator(ORIGIN)
    added = add_key(client, device)
    assert added.json()["next"] == "/staff/account/password"
    page = client.get("/staff/account/password")
    own = "harbour lantern quietly orbit"
    done = client.post(
        "/staff/account/password",
        data={
            "csrf": support.token(page.text),
            "current": newcomer.password,
            "new": own,
            "confirm": own,
        },
        follow_redirects=True,
    )
    assert done.url.path == "/staff/account", done.text
    staff_kit.post(client, "/staff/logout")
    nora = support.Account("nora", own, "", "auditor")
    assert password_step(client, nora).url.path == "/staff/login/factor"
    assert key_step(client, device).json()["next"] == "/staff/"
    assert client.get("/staff/home").status_code == 200


def test_switching_codes_off_needs_security_keys_to_work(services, client):
    ada = support.add_user(services, "ada", "admin")
    services.settings = dataclasses.replace(services.settings, public_url="")
    support.staff_login(client, services, ada)
    page = client.get("/staff/admin/sign-in")
    assert "SEALBOX_PUBLIC_URL" in page.text
    refused = staff_kit.post(
        client, "/staff/admin/sign-in", role="admin", totp_allowed="0", understood="1"
    )
    assert refused.status_code == 400 and "public address" in refused.text
    keys = client.get("/staff/account/keys")
    assert "SEALBOX_PUBLIC_URL" in keys.text and "data-webauthn" not in keys.text


def test_wrong_codes_on_the_second_step_count_towards_the_back_off(services, client):
    hana, device = with_key(services, client, "hana")
    for _ in range(services.settings.staff_lockout_after):
        landed = password_step(client, hana)
        wrong = client.post(
            "/staff/login/factor/code",
            data={"csrf": support.token(landed.text), "code": "000000"},
        )
        assert wrong.status_code == 400
        client.cookies.clear()
    # While the back-off runs, the password step answers as for any failure.
    waiting = password_step(client, hana)
    assert waiting.status_code == 401
    assert "The username, password or code is not right." in waiting.text
    # It never lasts more than a minute, and then the key logs in.
    services.clock.advance(61)
    assert password_step(client, hana).url.path == "/staff/login/factor"
    assert key_step(client, device).json()["next"] == "/staff/"


def test_a_lost_key_is_reset_by_an_admin_and_the_holder_enrols_again(services, client):
    ada = support.add_user(services, "ada", "admin")
    hana, device = with_key(services, client, "hana")
    _set_email(services, "hana", "hana@example.org")
    support.staff_login(client, services, ada)
    with services.db.transaction() as session:
        hana_id = session.scalar(select(User.id).where(User.username == "hana"))
    staff_kit.post(client, f"/staff/admin/users/{hana_id}/reset-totp")
    client.cookies.clear()
    with services.db.transaction() as session:
        assert session.scalar(select(SecurityKey.id)) is None
    assert _actions(services, "user_totp_reset")[-1]["security_keys_removed"] == 1
    assert any("reset the second factors" in b for b in _mails_to(services, "hana@example.org"))
    # The lost key opens nothing now; the password leads to a fresh enrolment only.
    landed = password_step(client, hana)
    assert landed.url.path == "/staff/account/totp"
    csrf = support.token(landed.text)
    refused = client.post("/staff/login/factor/options", data={"csrf": csrf}, headers=JSON)
    assert refused.status_code == 403 and "no login waiting" in refused.json()["message"]
    del device


def test_a_key_from_an_older_release_is_replaced_at_a_login_with_a_security_key(services, client):
    hana, device = with_key(services, client, "hana")
    with services.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "hana"))
        user.key_rotation_due = True
        old_key = user.public_key
    password_step(client, hana)
    assert key_step(client, device).status_code == 200
    with services.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "hana"))
        assert not user.key_rotation_due and user.public_key != old_key
    assert client.get("/staff/").status_code == 200


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8080", "names an IP address"),
        ("https://tips.example.org/staff", "no path"),
        ("tips.example.org", "is not an http(s) address"),
    ],
)
def test_a_public_address_keys_cannot_work_with_is_refused_at_start(tmp_path, url, why):
    from typer.testing import CliRunner

    from sealbox.cli import app

    ran = CliRunner().invoke(
        app, ["init", "--data-dir", str(tmp_path / "data")], env={"SEALBOX_PUBLIC_URL": url}
    )
    assert ran.exit_code == 2
    assert "configuration: public_url" in ran.output and why in ran.output
    assert "Traceback" not in ran.output


def test_without_a_key_the_password_alone_is_never_confirmed(services, client):
    hana = support.add_user(services, "hana")
    right = password_step(client, hana)
    wrong = password_step(client, dataclasses.replace(hana, password="not the password"))
    assert right.status_code == wrong.status_code == 401
    assert right.url.path == wrong.url.path == "/staff/login"
    assert "The username, password or code is not right." in right.text
    with services.db.transaction() as session:
        # The missing code counts towards the back-off (it came with the right password); the
        # wrong password makes no one wait.
        assert session.scalar(select(User.failed_logins).where(User.username == "hana")) == 1


def test_a_half_logged_in_session_waits_out_the_back_off_like_the_login(services, client):
    hana, device = with_key(services, client, "hana")
    landed = password_step(client, hana)
    csrf = support.token(landed.text)
    for _ in range(services.settings.staff_lockout_after):
        wrong = client.post("/staff/login/factor/code", data={"csrf": csrf, "code": "000000"})
        assert wrong.status_code == 400
    locked = key_step(client, device)
    assert locked.status_code == 429 and "Wait a minute" in locked.json()["message"]
    assert client.get("/staff/").status_code == 403
    with services.db.transaction() as session:
        failed = session.scalar(select(User.failed_logins).where(User.username == "hana"))
    assert failed == services.settings.staff_lockout_after


def test_the_sessions_job_sweeps_a_login_left_at_its_second_step(services, client):
    from sealbox.accounts import staff_sessions
    from sealbox.accounts.models import StaffSession

    hana, _ = with_key(services, client, "hana")
    password_step(client, hana)
    services.clock.advance(services.settings.staff_second_factor_seconds - 10)
    assert staff_sessions.sweep_expired(services) == 0
    services.clock.advance(20)  # long before the idle limit, but past the second-step limit
    assert staff_sessions.sweep_expired(services) == 1
    with services.db.transaction() as session:
        assert session.scalar(select(StaffSession.id)) is None
