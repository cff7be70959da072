"""Staff accounts over HTTP: first login forces a password change that re-wraps the private
key, TOTP codes work once, enrolment shows a QR code without JavaScript, admins manage
accounts, and "log out everywhere" ends every session."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from sealbox.store.models import User
from tests import support
from tests.web import staff_kit


def _login(client, services, username, password, code):
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={
            "csrf": support.token(page.text),
            "username": username,
            "password": password,
            "totp": code,
        },
        follow_redirects=True,
    )


def test_first_login_forces_a_strong_password_and_keeps_the_key(services, client, other_client):
    newbie = staff_kit.account(services, "newbie", "handler", must_change_password=True)
    staff_kit.channel(services, "fraud", ["newbie"])
    support.submit(client, "fraud", "FIRSTLOGIN the invoices are fake")
    with services.db.transaction() as session:
        old_wrap = session.scalar(select(User).where(User.username == "newbie")).wrapped_private_key

    page = support.staff_login(other_client, services, newbie)
    assert page.url.path == "/staff/account/password"
    assert "Choose your own password" in page.text
    # Nothing else answers until the password is changed.
    assert other_client.get("/staff/").status_code == 403
    assert "Choose a new password first" in other_client.get("/staff/").text

    def change(current, new, confirm=None):
        return other_client.post(
            "/staff/account/password",
            data={
                "csrf": support.token(page.text),
                "current": current,
                "new": new,
                "confirm": confirm or new,
            },
            follow_redirects=True,
        )

    weak = change(newbie.password, "password1234")
    assert weak.status_code == 400 and "too easy to guess" in weak.text
    assert change("wrong-current-password", "tapestry lantern orbit mango").status_code == 400
    mismatch = change(newbie.password, "tapestry lantern orbit mango", "something else entirely")
    assert "not the same" in mismatch.text
    new_password = "tapestry lantern orbit mango"
    done = change(newbie.password, new_password)
    assert done.status_code == 200 and "Your password was changed" in done.text

    with services.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "newbie"))
        assert not user.must_change_password
        assert user.wrapped_private_key != old_wrap  # re-wrapped under the new password
    # The same private key opens the report after logging in with the new password.
    other_client.post("/staff/logout", data={"csrf": support.token(done.text)})
    inbox = _login(other_client, services, "newbie", new_password, newbie.code(services, 1))
    [report_id] = support.report_ids(inbox.text)
    assert "FIRSTLOGIN" in other_client.get(f"/staff/reports/{report_id}").text
    old = _login(other_client, services, "newbie", newbie.password, newbie.code(services, -1))
    assert old.status_code == 401


def test_a_totp_code_is_refused_the_second_time(services, client, other_client):
    alice = staff_kit.account(services, "alice", "handler")
    code = alice.code(services)
    assert _login(client, services, "alice", alice.password, code).status_code == 200
    again = _login(other_client, services, "alice", alice.password, code)
    assert again.status_code == 401
    assert "not right" in again.text
    # An older code (from the step before) is refused too once a newer one was used.
    older = alice.code(services, -1)
    assert _login(other_client, services, "alice", alice.password, older).status_code == 401


def test_admin_adds_a_user_who_enrols_totp_from_a_qr_code(services, client, other_client):
    admin = staff_kit.account(services, "ada", "admin")
    support.staff_login(client, services, admin)
    created = staff_kit.post(client, "/staff/admin/users", username="cora", role="custodian")
    assert created.status_code == 200
    one_time = re.search(r'<code class="secret">([^<]+)</code>', created.text).group(1)

    # The new account logs in with its password alone, straight to enrolment.
    page = _login(other_client, services, "cora", one_time, "")
    assert page.url.path == "/staff/account/totp"
    assert "<svg" in page.text and "<script" not in page.text
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", page.text).group(1)
    assert other_client.get("/staff/disclosures").status_code == 403
    wrong = other_client.post(
        "/staff/account/totp", data={"csrf": support.token(page.text), "code": "000000"}
    )
    assert wrong.status_code == 400 and "not right" in wrong.text
    enrolled = other_client.post(
        "/staff/account/totp",
        data={
            "csrf": support.token(page.text),
            "code": pyotp.TOTP(secret).at(services.clock.timestamp()),
        },
        follow_redirects=True,
    )
    assert enrolled.url.path == "/staff/account/password"
    # After enrolment the secret is never shown again.
    assert other_client.get("/staff/account/totp").status_code == 400


def test_admin_deactivates_and_resets_totp(services, client, other_client):
    admin = staff_kit.account(services, "ada", "admin")
    bob = staff_kit.account(services, "bob", "handler")
    support.staff_login(client, services, admin)
    assert support.staff_login(other_client, services, bob).status_code == 200
    with services.db.transaction() as session:
        bob_id = session.scalar(select(User.id).where(User.username == "bob"))

    staff_kit.post(client, f"/staff/admin/users/{bob_id}/active", active="0")
    assert other_client.get("/staff/").status_code == 401, "a deactivated account's session ends"
    assert (
        _login(other_client, services, "bob", bob.password, bob.code(services, 1)).status_code
        == 401
    )
    staff_kit.post(client, f"/staff/admin/users/{bob_id}/active", active="1")

    staff_kit.post(client, f"/staff/admin/users/{bob_id}/reset-totp")
    page = _login(other_client, services, "bob", bob.password, "")
    assert page.url.path == "/staff/account/totp"
    with services.db.transaction() as session:
        assert session.scalar(select(User.totp_secret).where(User.id == bob_id)) != bob.totp_secret
    own = staff_kit.post(
        client, "/staff/admin/users/" + _id(services, "ada") + "/active", active="0"
    )
    assert own.status_code == 400 and "your own account" in own.text


def _id(services, username):
    with services.db.transaction() as session:
        return session.scalar(select(User.id).where(User.username == username))


def test_log_out_everywhere_ends_every_session(services, client, other_client):
    alice = staff_kit.account(services, "alice", "handler")
    support.staff_login(client, services, alice)
    support.staff_login(other_client, services, alice, offset_steps=1)
    assert other_client.get("/staff/").status_code == 200
    account = client.get("/staff/account")
    assert "Log out everywhere" in account.text
    client.post("/staff/logout", data={"csrf": support.token(account.text), "everywhere": "1"})
    assert client.get("/staff/").status_code == 401
    assert other_client.get("/staff/").status_code == 401


def test_idle_sessions_expire(services, client):
    alice = staff_kit.account(services, "alice", "handler")
    support.staff_login(client, services, alice)
    services.clock.advance(services.settings.staff_session_idle_minutes * 60 + 1)
    assert client.get("/staff/").status_code == 401


def test_cli_temporary_password_forces_a_change(services, client):
    from typer.testing import CliRunner

    from sealbox.cli import app as cli_app

    config = services.settings.data_dir.parent / "sealbox.toml"
    config.write_text(f"[kdf]\niterations = {services.settings.kdf.iterations}\n")
    env = {"SEALBOX_DATABASE_URL": services.settings.database_url, "SEALBOX_CONFIG": str(config)}
    args = ["user", "add", "tess", "--role", "custodian", "--temporary-password"]
    result = CliRunner().invoke(
        cli_app, [*args, "--data-dir", str(services.settings.data_dir)], env=env
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"password:\s+(\S+)", result.output).group(1)
    secret = re.search(r"TOTP secret:\s+(\S+)", result.output).group(1)
    page = _login(
        client, services, "tess", password, pyotp.TOTP(secret).at(services.clock.timestamp())
    )
    assert page.url.path == "/staff/account/password"
