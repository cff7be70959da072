"""Keys from before enrolment by the holder are replaced at the holder's next login.

An older release made a handler's key pair when the account was created, under the password its
creator saw; whoever saw it, with a copy of the database from then, holds that key. After the
upgrade that key opens nothing that is in the database, nor any later report.
"""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import select, text

from sealbox import crypto
from sealbox import services as services_mod
from sealbox.accounts.models import User
from sealbox.crypto import Identity, Sealed
from sealbox.disclosure.models import DisclosureRequest
from sealbox.reports.models import Message
from sealbox.store.db import Database, alembic_config
from tests import row_history, staff_kit, support

CANARY = "ROTATECANARY the contract was rigged"
NAME = "Jane ROTATENAME Roe"


def test_upgrade_marks_every_key_held_on_the_server_for_replacement(settings):
    settings.data_dir.mkdir(parents=True)
    db = Database(settings.db_url)
    command.upgrade(alembic_config(db.url, db.engine), "0002")
    wrap = crypto.seal(b"x", Identity.generate().recipient).ciphertext
    now = dt.datetime.now(dt.UTC)
    with db.engine.begin() as connection:
        for user_id, wrapped in (("held", wrap), ("offline", None)):
            connection.execute(
                text(
                    "insert into users (id, username, role, public_key, wrapped_private_key, "
                    "totp_last_step, failed_logins, locked_until, active, created_at, "
                    "must_change_password, totp_confirmed) values (:id, :id, 'handler', "
                    "'age1x', :wrapped, 0, 0, 0, :yes, :now, :no, :yes)"
                ),
                {"id": user_id, "wrapped": wrapped, "yes": True, "no": False, "now": now},
            )
    db.dispose()
    svc = services_mod.build(settings)
    try:
        with svc.db.transaction() as session:
            due = dict(session.execute(select(User.id, User.key_rotation_due)).all())
    finally:
        svc.db.dispose()
    assert due == {"held": True, "offline": False}


def _keys_opened_by(services, key: Identity, table: str) -> int:
    """How many versions of `table`'s wraps (the files' history included) `key` opens."""
    opened = 0
    for (wrapped,) in row_history.versions(
        services.db.engine, services.settings.data_dir, table, ["wrapped"]
    ):
        try:
            crypto.unwrap_identity(Sealed(wrapped), key)
            opened += 1
        except crypto.CannotOpen:
            pass
    return opened


def test_a_key_made_by_an_older_release_is_replaced_at_the_next_login(
    services, client, other_client
):
    hana = support.add_user(services, "hana", "handler")
    support.add_user(services, "cus", "custodian")
    staff_kit.channel(services, "city", ["hana"], allow_identity=True)
    sent = staff_kit.submit_form(client, "city", {"text": CANARY, "identity_name": NAME})
    assert sent.status_code == 200
    report_id = staff_kit.report_id_of(services, "city")
    with staff_kit.browser(services) as browser:
        support.staff_login(browser, services, hana)
        staff_kit.post(browser, f"/staff/reports/{report_id}/notes", text="ROTATENOTE call legal")
        staff_kit.post(
            browser,
            f"/staff/reports/{report_id}/disclosure",
            reason="ROTATEREASON we must protect the reporter",
        )
    # As an older release left it: the key is known to whoever saw the account's first password.
    with services.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "hana"))
        wrapping = crypto.derive_password_key(hana.password, user.key_salt, services.settings.kdf)
        leaked = crypto.unwrap_identity(user.wrapped_private_key, wrapping)
        user.key_rotation_due = True
        old_fingerprint = leaked.recipient.fingerprint

    with staff_kit.browser(services) as browser:
        support.staff_login(browser, services, hana, offset_steps=1)
        page = browser.get(f"/staff/reports/{report_id}").text
        assert CANARY in page and "ROTATENOTE" in page
        account = browser.get("/staff/account").text
        assert old_fingerprint not in account
    with services.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "hana"))
        assert not user.key_rotation_due and user.public_key != str(leaked.recipient)
        wrapping = crypto.derive_password_key(hana.password, user.key_salt, services.settings.kdf)
        renewed = crypto.unwrap_identity(user.wrapped_private_key, wrapping)
        reason = session.scalar(select(DisclosureRequest.reason))
    row_history.settle(services, "report_keys", "note_keys", "disclosure_requests")
    # Her copy of the disclosure reason moved to the new key as well.
    assert b"ROTATEREASON" in crypto.unseal(reason, renewed)
    for table in ("report_keys", "note_keys"):
        assert _keys_opened_by(services, leaked, table) == 0, table
    for (sealed,) in row_history.versions(
        services.db.engine, services.settings.data_dir, "disclosure_requests", ["reason"]
    ):
        with pytest.raises(crypto.CannotOpen):
            crypto.unseal(Sealed(sealed), leaked)

    # A report sent after the login is sealed to the new key only.
    assert support.submit(other_client, "city", "ROTATELATER second report").status_code == 200
    with services.db.transaction() as session:
        bodies = session.scalars(select(Message.body)).all()
    assert _keys_opened_by(services, leaked, "report_keys") == 0
    assert len(bodies) == 2
    with staff_kit.browser(services) as browser:
        services.clock.advance(60)  # a later login, with a fresh code
        inbox = support.staff_login(browser, services, hana)
        texts = [browser.get(f"/staff/reports/{r}").text for r in support.report_ids(inbox.text)]
    assert len(texts) == 2, inbox.text
    assert any("ROTATELATER" in t for t in texts) and any(CANARY in t for t in texts)
