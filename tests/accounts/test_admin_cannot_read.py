"""An admin must never become a reader. Attacks by one admin with every account they can make
(web and command line), against the promise that nobody but an account's holder ever knows a
secret that opens their key, and that identity disclosure and channel membership take two
people."""

from __future__ import annotations

import contextlib
import re
import shutil

from sqlalchemy import select
from typer.testing import CliRunner

from sealbox import crypto
from sealbox.accounts import totp
from sealbox.accounts.models import User
from sealbox.channels.models import Channel
from sealbox.cli import app as cli_app
from sealbox.crypto import Identity, Sealed
from sealbox.notify.models import OutgoingMail
from sealbox.reports.models import IdentityKey, Message, ReportKey
from sealbox.store import instance
from tests import row_history, staff_kit, support
from tests.notify.mailbox import set_email

CANARY = "ADMINCANARY the director falsified the audit"
NAME = "IDENTITYCANARY Jane Roe"
ONE_TIME = re.compile(r'<code class="secret">([^<]+)</code>')
TOTP_SHOWN = re.compile(r"<code>([A-Z2-7]{16,})</code>")


def _cli(services, *args: str):
    """`sealbox ...` against this instance, as the operator runs it on the server."""
    config = services.settings.data_dir.parent / "sealbox.toml"
    config.write_text(f"[kdf]\niterations = {services.settings.kdf.iterations}\n")
    env = {"SEALBOX_DATABASE_URL": services.settings.database_url, "SEALBOX_CONFIG": str(config)}
    data_dir = ["--data-dir", str(services.settings.data_dir)]
    return CliRunner().invoke(cli_app, [*args, *data_dir], env=env)


def _admin_adds(browser, username: str, role: str) -> tuple[str, str]:
    """The admin adds an account on the web; returns (one-time password, the page's HTML)."""
    page = staff_kit.post(browser, "/staff/admin/users", username=username, role=role)
    assert page.status_code == 200, page.text
    return ONE_TIME.search(page.text).group(1), page.text


def _user_id(services, username: str) -> str:
    with services.db.transaction() as session:
        return session.scalar(select(User.id).where(User.username == username))


def _channel_id(services, slug: str) -> str:
    with services.db.transaction() as session:
        return session.scalar(select(Channel.id).where(Channel.slug == slug))


def _open_keys(services, copy, passwords: set[str]) -> list[Identity]:
    """Every staff key that `passwords` open in any version of the users table that the
    database files hold (the WAL and dead tuples included)."""
    rows = row_history.versions(
        services.db.engine, copy, "users", ["key_salt", "wrapped_private_key"]
    )
    opened = []
    for salt, wrapped in rows:
        if not salt or not wrapped:
            continue
        for password in passwords:
            wrapping = crypto.derive_password_key(password, salt, services.settings.kdf)
            with contextlib.suppress(crypto.CannotOpen):
                opened.append(crypto.unwrap_identity(Sealed(wrapped), wrapping))
    return opened


def _read_reports(services, keys: list[Identity]) -> list[str]:
    """What the given staff keys read of every report (through every report key wrap)."""
    texts = []
    with services.db.transaction() as session:
        wraps = session.scalars(select(ReportKey.wrapped)).all()
        bodies = session.scalars(select(Message.body)).all()
    for key in keys:
        for wrap in wraps:
            try:
                report_key = crypto.unwrap_identity(wrap, key)
            except crypto.CannotOpen:
                continue
            for body in bodies:
                with contextlib.suppress(crypto.CannotOpen):
                    texts.append(crypto.unseal(body, report_key).decode())
    return texts


def test_what_the_admin_saw_and_a_copy_of_the_data_directory_open_nothing(
    services, client, other_client
):
    ada = support.add_user(services, "ada", "admin")
    support.staff_login(client, services, ada)
    one_time, page = _admin_adds(client, "hana", "handler")
    seen = [page]
    created = staff_kit.post(client, "/staff/admin/channels", slug="tips", name="Tips")
    seen.append(created.text)
    channel_id = _channel_id(services, "tips")
    seen.append(
        staff_kit.post(
            client,
            f"/staff/admin/channels/{channel_id}/handlers",
            **{f"handler_{_user_id(services, 'hana')}": "1"},
        ).text
    )

    hana = support.enrol(services, support.Account("hana", one_time, "", "handler"))
    # Weeks later a source reports; hana reads it with her own password.
    assert support.submit(other_client, "tips", CANARY).status_code == 200
    with staff_kit.browser(services) as browser:
        inbox = support.staff_login(browser, services, hana)
        [report_id] = support.report_ids(inbox.text)
        assert CANARY in browser.get(f"/staff/reports/{report_id}").text
    # The one-time password opens nothing any more, not even the login.
    with staff_kit.browser(services) as browser:
        login = support.staff_login(browser, services, support.Account("hana", one_time, "", ""))
        assert login.status_code == 401
        seen.append(login.text)
    for path in ("/staff/admin/users", f"/staff/admin/channels/{channel_id}", "/staff/home"):
        seen.append(client.get(path).text)
    with services.db.transaction() as session:
        seen += session.scalars(select(OutgoingMail.body)).all()

    # A full copy of the data directory: database, WAL, secrets file, blobs.
    copy = services.settings.data_dir.parent / "copy"
    shutil.copytree(services.settings.data_dir, copy)
    stolen = instance.load(copy / "secrets.toml")
    guesses = {one_time} | {
        m for text in seen for m in re.findall(r"<code[^>]*>([^<]+)</code>", text)
    }

    assert _open_keys(services, copy, guesses) == [], "what the admin saw opens a key"
    # The stolen secrets file opens the second factors, never a key or a report: hana's TOTP
    # secret is not among what the admin saw either.
    with services.db.transaction() as session:
        sealed = session.scalar(select(User.totp_sealed).where(User.username == "hana"))
    secret = totp.unseal(sealed, totp.instance_key(stolen.totp_key))
    assert secret == hana.totp_secret and secret not in " ".join(seen)

    # The same reading of the copy with hana's own password finds her key and the report:
    # the attack above was able to succeed, had any wrap been made to what the admin knew.
    mine = _open_keys(services, copy, {hana.password})
    assert mine and any(CANARY in text for text in _read_reports(services, mine))


def test_the_admin_never_sees_the_holders_authenticator(services, client, other_client):
    ada = support.add_user(services, "ada", "admin")
    support.staff_login(client, services, ada)
    one_time, _ = _admin_adds(client, "hana", "handler")

    # The admin uses the one-time password first and looks at the enrolment page.
    with staff_kit.browser(services) as admin_as_hana:
        peek = support.staff_login(
            admin_as_hana, services, support.Account("hana", one_time, "", "")
        )
        assert peek.url.path == "/staff/account/totp"
        peeked = TOTP_SHOWN.search(peek.text).group(1)

        hana = support.enrol(services, support.Account("hana", one_time, "", "handler"))
        assert hana.totp_secret != peeked, "each enrolling session shows its own fresh secret"
        # The admin's session ended when hana enrolled.
        assert admin_as_hana.get("/staff/account/totp").status_code == 401
    with services.db.transaction() as session:
        sealed = session.scalar(select(User.totp_sealed).where(User.username == "hana"))
    stored = totp.unseal(sealed, totp.instance_key(services.secrets.totp_key))
    assert stored == hana.totp_secret != peeked


def test_one_admin_cannot_get_an_identity_shown(services, client, other_client):
    # Installed with a real custodian; a real handler runs the channel.
    support.add_user(services, "cus", "custodian")
    support.add_user(services, "hana", "handler")
    staff_kit.channel(services, "city", ["hana"], allow_identity=True)
    ada = support.add_user(services, "ada", "admin")
    support.staff_login(client, services, ada)

    # Every account the admin can make: on the web, and on the command line.
    accounts = {}
    for username, role in (("mallory", "handler"), ("trent", "custodian")):
        one_time, page = _admin_adds(client, username, role)
        accounts[username] = support.enrol(services, support.Account(username, one_time, "", role))
    assert "holds no role until an identity custodian approves" in page
    made = _cli(services, "user", "add", "victor", "--role", "custodian")
    assert made.exit_code == 0, made.output
    assert "awaits approval" in made.output
    one_time = re.search(r"one-time password:\s+(\S+)", made.output).group(1)
    accounts["victor"] = support.enrol(services, support.Account("victor", one_time, "", ""))
    # The admin puts their handler on the channel: it waits for hana's approval.
    channel_id = _channel_id(services, "city")
    chosen = {f"handler_{_user_id(services, u)}": "1" for u in ("hana", "mallory")}
    waiting = staff_kit.post(client, f"/staff/admin/channels/{channel_id}/handlers", **chosen)
    assert "Waiting for approval" in waiting.text and "mallory" in waiting.text

    sent = staff_kit.submit_form(other_client, "city", {"text": CANARY, "identity_name": NAME})
    assert sent.status_code == 200
    report_id = staff_kit.report_id_of(services, "city")

    shown = []
    for username in ("mallory", "trent", "victor"):
        with staff_kit.browser(services) as browser:
            support.staff_login(browser, services, accounts[username])
            for path in ("/staff/", "/staff/disclosures", "/staff/approvals", "/staff/home"):
                shown.append(browser.get(path).text)
            shown.append(browser.get(f"/staff/reports/{report_id}").text)
            asked = staff_kit.post(
                browser, f"/staff/reports/{report_id}/disclosure", reason="x" * 40
            )
            shown.append(asked.text)
            assert asked.status_code == 404
            # Nobody the admin made can approve anything: not the channel, not a custodian.
            for path in ("/staff/approvals/channels/x/approve", "/staff/approvals/roles/x/approve"):
                refused = staff_kit.post(browser, path, compared="1")
                assert refused.status_code in (403, 404), (username, path, refused.status_code)
    assert not any(NAME in text or CANARY in text for text in shown)
    with services.db.transaction() as session:
        rogue = set(
            session.scalars(
                select(User.id).where(User.username.in_(["ada", "mallory", "trent", "victor"]))
            )
        )
        for model in (IdentityKey, ReportKey):
            holders = set(session.scalars(select(model.user_id)))
            assert not holders & rogue, model.__name__
        roles = dict(session.execute(select(User.username, User.role)).all())
    assert roles["trent"] == roles["victor"] == "none"


def test_one_admin_cannot_put_a_reader_into_a_channel(services, client, other_client):
    support.add_user(services, "hana", "handler")
    support.add_user(services, "aud", "auditor")
    set_email(services, "hana", "hana@example.org")
    set_email(services, "aud", "aud@example.org")
    staff_kit.channel(services, "city", ["hana"])
    ada = support.add_user(services, "ada", "admin")
    support.staff_login(client, services, ada)
    one_time, _ = _admin_adds(client, "mallory", "handler")
    mallory = support.enrol(services, support.Account("mallory", one_time, "", "handler"))
    channel_id = _channel_id(services, "city")

    # The web: checking the box only asks.
    chosen = {f"handler_{_user_id(services, u)}": "1" for u in ("hana", "mallory")}
    staff_kit.post(client, f"/staff/admin/channels/{channel_id}/handlers", **chosen)
    page = client.get(f"/staff/admin/channels/{channel_id}")
    assert "waiting for approval" in page.text
    # The command line cannot add to an existing channel either.
    again = _cli(services, "channel", "add", "city", "--name", "City", "--handler", "mallory")
    assert again.exit_code != 0 and "already exists" in again.output

    assert support.submit(other_client, "city", CANARY).status_code == 200
    report_id = staff_kit.report_id_of(services, "city")
    with services.db.transaction() as session:
        holders = set(session.scalars(select(ReportKey.user_id)))
        mails = session.execute(select(OutgoingMail.recipient, OutgoingMail.body)).all()
    assert holders == {_user_id(services, "hana")}
    with staff_kit.browser(services) as browser:
        support.staff_login(browser, services, mallory)
        assert browser.get(f"/staff/reports/{report_id}").status_code == 404
        assert support.approval_forms(browser.get("/staff/approvals").text, "mallory") == {}
    # The channel's handler and the auditor were told, by a mail that says who and where.
    for address in ("hana@example.org", "aud@example.org"):
        [body] = [b for r, b in mails if r == address and "asks for mallory to join" in b]
        assert "City" in body and CANARY not in body


def test_a_handler_of_the_channel_approves_a_colleague_after_comparing_fingerprints(
    services, client, other_client
):
    hana = support.add_user(services, "hana", "handler")
    ivan = support.add_user(services, "ivan", "handler")
    staff_kit.channel(services, "city", ["hana"])
    ada = support.add_user(services, "ada", "admin")
    support.staff_login(client, services, ada)
    channel_id = _channel_id(services, "city")
    chosen = {f"handler_{_user_id(services, u)}": "1" for u in ("hana", "ivan")}
    staff_kit.post(client, f"/staff/admin/channels/{channel_id}/handlers", **chosen)

    with staff_kit.browser(services) as browser:
        support.staff_login(browser, services, ivan)
        fingerprint = re.search(
            r'<code class="fingerprint" dir="ltr">([0-9a-f ]+)</code>',
            browser.get("/staff/account").text,
        ).group(1)
    with staff_kit.browser(services) as browser:
        support.staff_login(browser, services, hana)
        page = browser.get("/staff/approvals")
        assert "ivan asks to join the channel City" in page.text and fingerprint in page.text
        assert "<script" not in page.text, "plain forms: no JavaScript needed"
        forms = support.approval_forms(page.text, "ivan")
        unchecked = browser.post(forms["approve"], data={"csrf": support.token(page.text)})
        assert unchecked.status_code == 400 and "Compare the key fingerprint" in unchecked.text
        done = browser.post(
            forms["approve"],
            data={"csrf": support.token(page.text), "compared": "1"},
            follow_redirects=True,
        )
        assert "Approved." in done.text
    assert support.submit(other_client, "city", CANARY).status_code == 200
    with staff_kit.browser(services) as browser:
        inbox = support.staff_login(browser, services, ivan, offset_steps=1)
        [report_id] = support.report_ids(inbox.text)
        assert CANARY in browser.get(f"/staff/reports/{report_id}").text


def test_the_first_custodian_comes_from_the_command_line_only(services, client):
    ada = support.add_user(services, "ada", "admin")
    support.staff_login(client, services, ada)
    # An admin account named like the command line would pass for the installer.
    named = staff_kit.post(client, "/staff/admin/users", username="CLI", role="admin")
    assert named.status_code == 400 and "reserved" in named.text
    refused = staff_kit.post(client, "/staff/admin/users", username="cus", role="custodian")
    assert refused.status_code == 400 and "sealbox user add NAME --role custodian" in refused.text
    first = _cli(services, "user", "add", "cus", "--role", "custodian")
    assert first.exit_code == 0 and "Added custodian cus" in first.output
    second = _cli(services, "user", "add", "cat", "--role", "custodian")
    assert second.exit_code == 0 and "awaits approval" in second.output
    with services.db.transaction() as session:
        roles = dict(session.execute(select(User.username, User.role)).all())
    assert roles["cus"] == "custodian" and roles["cat"] == "none"


def test_role_changes_are_mailed_to_auditors_and_custodians(services, client):
    cus = support.add_user(services, "cus", "custodian")
    support.add_user(services, "aud", "auditor")
    set_email(services, "cus", "cus@example.org")
    set_email(services, "aud", "aud@example.org")
    ada = support.add_user(services, "ada", "admin")
    support.staff_login(client, services, ada)
    one_time, _ = _admin_adds(client, "cat", "custodian")
    support.enrol(services, support.Account("cat", one_time, "", ""))
    support.approve(services, cus, "cat")
    with services.db.transaction() as session:
        mails = session.execute(select(OutgoingMail.recipient, OutgoingMail.body)).all()
        role = session.scalars(select(User.role).where(User.username == "cat")).one()
    assert role == "custodian"
    for address in ("cus@example.org", "aud@example.org"):
        bodies = " | ".join(b for r, b in mails if r == address)
        assert "cli added the account ada as admin." in bodies
        assert "ada asked for the account cat to become custodian" in bodies
        assert "cus approved the request for the account cat to become custodian" in bodies


def test_closing_a_channel_is_mailed_to_its_handlers_and_the_auditors(services, client):
    """Closing a channel (and opening a look-alike) would steer sources away from its handlers."""
    support.add_user(services, "hana", "handler")
    support.add_user(services, "aud", "auditor")
    staff_kit.channel(services, "city", ["hana"])
    set_email(services, "hana", "hana@example.org")
    set_email(services, "aud", "aud@example.org")
    ada = support.add_user(services, "ada", "admin")
    support.staff_login(client, services, ada)
    channel_id = _channel_id(services, "city")
    form = {"name_en": "City", "retention_days_closed": "365", "retention_days_unanswered": "730"}
    staff_kit.post(client, f"/staff/admin/channels/{channel_id}", **form)  # "active" unticked
    staff_kit.post(client, "/staff/admin/channels", slug="city-2", name="City")
    with services.db.transaction() as session:
        mails = session.execute(select(OutgoingMail.recipient, OutgoingMail.body)).all()
    closed = "ada changed the channel “City”: it is now closed to new reports."
    assert {r for r, b in mails if closed in b} == {"hana@example.org", "aud@example.org"}
    assert [r for r, b in mails if "ada added the channel “City” (/submit/city-2)" in b] == [
        "aud@example.org"
    ]
