"""The first-run setup on the web: only with the one-time code `sealbox init` prints, stored as a
keyed digest only, single use, expiring, refused once an admin exists, and guessing bounded.
It makes the admin (who enrols at first login), the first channel and the mail settings, and
sends a test mail from the page."""

from __future__ import annotations

from sqlalchemy import func, select, text
from typer.testing import CliRunner

from sealbox.accounts.first_run import MAX_TRIES
from sealbox.accounts.models import SetupCode, User
from sealbox.channels.models import Channel
from sealbox.notify.models import MailSettingsRow
from tests import staff_kit, support
from tests.notify.mailbox import free_port, smtp_server

SMTP_PASSWORD = "SMTPPASSWORDCANARY"


def _form(client, code: str, **fields) -> dict[str, str]:
    page = client.get("/staff/setup")
    assert page.status_code == 200, page.text
    return {
        "csrf": support.token(page.text),
        "setup_code": code,
        "admin_username": "root",
        "admin_email": "root@example.org",
        "channel_name": "Whistleblowing",
        "channel_slug": "tips",
        "mail_from": "sealbox@example.org",
        "smtp_host": "mail.example.org",
        "smtp_port": "587",
        "smtp_starttls": "1",
        "smtp_username": "sealbox",
        "smtp_password": SMTP_PASSWORD,
        "action": "setup",
        **fields,
    }


def _admins(services) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(User).where(User.role == "admin"))


def test_init_prints_a_code_that_sets_up_once(services, client, other_client):
    code = services.accounts.setup_code()
    with services.db.transaction() as session:
        row = session.get(SetupCode, 1)
        assert row.digest != code and code.replace("-", "") not in row.digest
    done = client.post("/staff/setup", data=_form(client, code))
    assert done.status_code == 200, done.text
    one_time = done.text.split('<code class="secret">')[1].split("<")[0]
    with services.db.transaction() as session:
        admin = session.scalar(select(User).where(User.username == "root"))
        assert admin.role == "admin" and admin.public_key is None, "no key until enrolment"
        assert session.scalar(select(Channel.name).where(Channel.slug == "tips"))
        mail = session.get(MailSettingsRow, 1)
        assert (mail.smtp_host, mail.smtp_port, mail.smtp_starttls) == (
            "mail.example.org",
            587,
            True,
        )
        assert SMTP_PASSWORD.encode() not in mail.smtp_password.ciphertext
        assert session.get(SetupCode, 1) is None, "the code is used up"
    with services.db.engine.connect() as c:
        actions = [r[0] for r in c.execute(text("select action from audit_log"))]
    assert "setup_completed" in actions

    # The admin enrols like any staff member: the one-time password opens enrolment only.
    login = other_client.get("/staff/login")
    page = other_client.post(
        "/staff/login",
        data={"csrf": support.token(login.text), "username": "root", "password": one_time},
        follow_redirects=True,
    )
    assert page.url.path == "/staff/account/totp"

    # Used once: the page and the code are gone for good now that an admin exists.
    assert client.get("/staff/setup").status_code == 404
    again = client.post("/staff/setup", data={"csrf": "x", "setup_code": code})
    assert again.status_code in (403, 404)
    assert services.accounts.setup_code() is None, "init prints no code once an admin exists"
    assert _admins(services) == 1


def test_no_setup_once_an_admin_exists(services, client):
    code = services.accounts.setup_code()
    staff_kit.account(services, "ada", "admin")
    assert client.get("/staff/setup").status_code == 404
    token = support.token(client.get("/staff/login").text)  # any page's token is not this one
    refused = client.post("/staff/setup", data={"csrf": token, "setup_code": code})
    assert refused.status_code in (403, 404)
    assert _admins(services) == 1


def test_a_wrong_code_is_counted_and_the_code_burns(services, client):
    code = services.accounts.setup_code()
    wrong = client.post("/staff/setup", data=_form(client, "abcde-fghjk-mnpqr-stvwx"))
    assert wrong.status_code == 403 and "not right" in wrong.text
    assert 'value="Whistleblowing"' in wrong.text, "what was typed comes back"
    assert SMTP_PASSWORD not in wrong.text and code not in wrong.text
    for _ in range(MAX_TRIES - 1):
        client.post("/staff/setup", data=_form(client, "0000-0000"))
    burnt = client.post("/staff/setup", data=_form(client, code))
    assert burnt.status_code == 403, "after the limit even the right code is refused"
    assert _admins(services) == 0
    fresh = services.accounts.setup_code()  # `sealbox init` again
    assert client.post("/staff/setup", data=_form(client, fresh)).status_code == 200


def test_a_code_expires(services, client):
    code = services.accounts.setup_code()
    services.clock.advance(25 * 3600)
    late = client.post("/staff/setup", data=_form(client, code))
    assert late.status_code == 403 and _admins(services) == 0


def test_a_forged_form_and_a_bad_field_make_nothing(services, client):
    code = services.accounts.setup_code()
    forged = client.post("/staff/setup", data={**_form(client, code), "csrf": "1.ab"})
    assert forged.status_code == 403
    bad = client.post("/staff/setup", data=_form(client, code, channel_slug="Not A Slug!"))
    assert bad.status_code == 400 and "slug" in bad.text
    assert _admins(services) == 0
    with services.db.transaction() as session:
        assert session.get(SetupCode, 1) is not None, "a refused form does not use the code up"
    assert client.post("/staff/setup", data=_form(client, code)).status_code == 200


def test_the_page_sends_a_test_mail_before_saving(services, client):
    code = services.accounts.setup_code()
    port = free_port()
    mail = {
        "smtp_host": "127.0.0.1",
        "smtp_port": str(port),
        "smtp_starttls": "",
        "smtp_username": "",
        "smtp_password": "",
        "test_address": "root@example.org",
        "action": "test",
    }
    with smtp_server(port) as mailbox:
        tried = client.post("/staff/setup", data=_form(client, code, **mail))
        assert tried.status_code == 200 and "accepted by the mail server" in tried.text
        [message] = mailbox.to("root@example.org")
        assert message["From"] == "sealbox@example.org"
    down = client.post("/staff/setup", data=_form(client, code, **mail))
    assert "could not be sent" in down.text
    assert _admins(services) == 0, "a test saves nothing"
    with services.db.transaction() as session:
        assert session.get(MailSettingsRow, 1) is None
    wrong = client.post("/staff/setup", data=_form(client, "0000", **mail))
    assert wrong.status_code == 403, "no test mail without the code"


def test_sealbox_init_prints_the_code(services, client):
    from sealbox.cli import app

    config = services.settings.data_dir.parent / "sealbox.toml"
    config.write_text(f"[kdf]\niterations = {services.settings.kdf.iterations}\n")
    env = {"SEALBOX_DATABASE_URL": services.settings.database_url, "SEALBOX_CONFIG": str(config)}
    args = ["init", "--data-dir", str(services.settings.data_dir)]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    code = result.output.split("setup code:")[1].split()[0]
    assert "/staff/setup" in result.output
    assert client.post("/staff/setup", data=_form(client, code)).status_code == 200
