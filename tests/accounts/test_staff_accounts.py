"""Staff accounts over HTTP: the first login enrols a fresh authenticator and makes the key
under the holder's own password, a password change re-wraps the key and leaves no old wrap,
TOTP codes work once, enrolment shows a QR code without JavaScript, admins manage accounts,
and "log out everywhere" ends every session."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from sealbox.accounts.models import User
from sealbox.audit.models import AuditEntry
from sealbox.crypto import Recipient
from sealbox.reports.models import ReportKey
from tests import server_copy, staff_kit, support
from tests.row_history import files_still_holding


@pytest.fixture
def database_url(backend):
    """A database of its own: whether an old wrap survives in the table files must not depend
    on another test's transaction that PostgreSQL keeps the old row version for."""
    with server_copy.own_database(backend) as url:
        yield url


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


def test_first_login_makes_the_key_under_the_holders_own_password(services, client, other_client):
    newbie = support.invite(services, "newbie", "handler")
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["newbie", "hana"])
    # A report before newbie set up the account is sealed to hana alone: newbie has no key.
    support.submit(client, "fraud", "FIRSTLOGIN the invoices are fake")
    with services.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "newbie"))
        assert user.public_key is None and user.wrapped_private_key is None
        assert session.scalar(select(ReportKey).where(ReportKey.user_id == user.id)) is None

    landed = _login(other_client, services, "newbie", newbie.password, "")
    assert landed.url.path == "/staff/account/totp"
    # Nothing else answers until the account is set up.
    assert other_client.get("/staff/").status_code == 403
    assert "Set up your authenticator app first" in other_client.get("/staff/").text
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", landed.text).group(1)
    code = pyotp.TOTP(secret).at(services.clock.timestamp())
    page = other_client.post(
        "/staff/account/totp",
        data={"csrf": support.token(landed.text), "code": code},
        follow_redirects=True,
    )
    assert page.url.path == "/staff/account/password"
    assert "Choose your own password" in page.text and "Your key is made now" in page.text
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
    with services.db.transaction() as session:
        assert session.scalar(select(User.public_key).where(User.username == "newbie")) is None
    new_password = "tapestry lantern orbit mango"
    done = change(newbie.password, new_password)
    assert done.status_code == 200 and "Your password was changed" in done.text
    fingerprint = re.search(r'class="fingerprint" dir="ltr">([0-9a-f ]+)<', done.text).group(1)

    with services.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "newbie"))
        assert not user.must_change_password and user.wrapped_private_key is not None
        assert Recipient.parse(user.public_key).fingerprint == fingerprint
        created = session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "key_created", AuditEntry.target == f"user:{user.id}"
            )
        )
        assert created is not None and fingerprint in created.details
    # The session holds the new key at once: a report sent now opens.
    support.submit(client, "fraud", "SECONDREPORT more invoices")
    listed = support.report_ids(other_client.get("/staff/").text)
    assert len(listed) == 1
    assert "SECONDREPORT" in other_client.get(f"/staff/reports/{listed[0]}").text
    # The earlier report reaches newbie the normal way: hana, who holds its key, passes it on.
    with staff_kit.browser(services) as browser:
        support.staff_login(browser, services, hana)
        [first] = set(support.report_ids(browser.get("/staff/").text)) - set(listed)
        with services.db.transaction() as session:
            newbie_id = session.scalar(select(User.id).where(User.username == "newbie"))
        staff_kit.post(browser, f"/staff/reports/{first}/handlers", user_id=newbie_id)
    assert "FIRSTLOGIN" in other_client.get(f"/staff/reports/{first}").text
    # The one-time password no longer opens the account.
    other_client.post("/staff/logout", data={"csrf": support.token(done.text)})
    old = _login(other_client, services, "newbie", newbie.password, "")
    assert old.status_code == 401


def test_a_password_change_keeps_the_key_and_leaves_no_old_wrap(services, client):
    alice = staff_kit.account(services, "alice", "handler")
    with services.db.transaction() as session:
        before = session.scalar(select(User).where(User.username == "alice"))
        public_key, old_wrap = before.public_key, before.wrapped_private_key
    support.staff_login(client, services, alice)
    page = client.get("/staff/account/password")
    done = client.post(
        "/staff/account/password",
        data={
            "csrf": support.token(page.text),
            "current": alice.password,
            "new": "tapestry lantern orbit mango",
            "confirm": "tapestry lantern orbit mango",
        },
        follow_redirects=True,
    )
    assert "Your password was changed" in done.text
    with services.db.transaction() as session:
        after = session.scalar(select(User).where(User.username == "alice"))
        assert after.public_key == public_key and after.wrapped_private_key != old_wrap
    # The wrap under the old password is gone from the database files (WAL, dead tuples).
    assert files_still_holding(services, "users", old_wrap.ciphertext) == []


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
    cus = staff_kit.account(services, "cus", "custodian")
    admin = staff_kit.account(services, "ada", "admin")
    support.staff_login(client, services, admin)
    created = staff_kit.post(client, "/staff/admin/users", username="cora", role="custodian")
    assert created.status_code == 200
    assert "holds no role until an identity custodian approves" in created.text
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
    assert secret in wrong.text, "a wrong code shows the same secret again, to retry"
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
    done = other_client.post(
        "/staff/account/password",
        data={
            "csrf": support.token(enrolled.text),
            "current": one_time,
            "new": "tapestry lantern orbit mango",
            "confirm": "tapestry lantern orbit mango",
        },
        follow_redirects=True,
    )
    assert "waits for an identity custodian" in done.text
    # Until a custodian approves, the account has no role: no custodian page answers it.
    assert other_client.get("/staff/disclosures").status_code == 403
    support.approve(services, cus, "cora")
    assert other_client.get("/staff/disclosures").status_code == 200


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
    with services.db.transaction() as session:
        assert session.scalar(select(User.totp_sealed).where(User.id == bob_id)) is None
    page = _login(other_client, services, "bob", bob.password, "")
    assert page.url.path == "/staff/account/totp"
    fresh = re.search(r"<code>([A-Z2-7]{16,})</code>", page.text).group(1)
    assert fresh != bob.totp_secret
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


def test_a_cli_account_enrols_at_first_login(services, client):
    from typer.testing import CliRunner

    from sealbox.cli import app as cli_app

    config = services.settings.data_dir.parent / "sealbox.toml"
    config.write_text(f"[kdf]\niterations = {services.settings.kdf.iterations}\n")
    env = {"SEALBOX_DATABASE_URL": services.settings.database_url, "SEALBOX_CONFIG": str(config)}
    args = ["user", "add", "tess", "--role", "handler"]
    result = CliRunner().invoke(
        cli_app, [*args, "--data-dir", str(services.settings.data_dir)], env=env
    )
    assert result.exit_code == 0, result.output
    assert "TOTP" not in result.output, "the operator never sees the second factor"
    password = re.search(r"one-time password:\s+(\S+)", result.output).group(1)
    with services.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "tess"))
        assert user.public_key is None and user.totp_sealed is None
    page = _login(client, services, "tess", password, "")
    assert page.url.path == "/staff/account/totp"
