"""Staff second factors rest sealed to a key from the secrets file: a copy of the database holds
no TOTP secret, and a database from an older release has its clear secrets sealed on upgrade."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from starlette.testclient import TestClient

from sealbox import crypto
from sealbox import services as services_mod
from sealbox.accounts import totp
from sealbox.accounts.models import User
from sealbox.store.db import Database, alembic_config
from sealbox.web.app import create_app
from tests import support
from tests.row_history import database_files


def _found(secret: str, files: dict[str, bytes]) -> list[str]:
    return [name for name, data in files.items() if secret.encode() in data]


def test_a_database_copy_holds_no_second_factor(services):
    alice = support.add_user(services, "alice", "handler")
    with services.db.transaction() as session:
        sealed = session.scalar(select(User.totp_sealed).where(User.username == "alice"))
    assert totp.unseal(sealed, totp.instance_key(services.secrets.totp_key)) == alice.totp_secret
    assert (
        _found(alice.totp_secret, database_files(services.db.engine, services.settings.data_dir))
        == []
    )


def test_an_older_database_has_its_clear_second_factors_sealed(settings):
    settings.data_dir.mkdir(parents=True)
    db = Database(settings.db_url)
    command.upgrade(alembic_config(db.url, db.engine), "0002")
    secret, password = pyotp.random_base32(32), "tapestry lantern orbit mango"
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "insert into users (id, username, role, password_hash, totp_secret, "
                "totp_last_step, failed_logins, locked_until, active, created_at, "
                "must_change_password, totp_confirmed) values ('u1', 'olde', 'admin', :hash, "
                ":secret, 0, 0, 0, :yes, :now, :no, :yes)"
            ),
            {
                "hash": crypto.hash_password(password, settings.kdf),
                "secret": secret,
                "yes": True,
                "no": False,
                "now": dt.datetime.now(dt.UTC),
            },
        )
    assert _found(secret, database_files(db.engine, settings.data_dir)), "the clear secret is there"
    db.dispose()

    svc = services_mod.build(settings)
    try:
        columns = {c["name"] for c in inspect(svc.db.engine).get_columns("users")}
        assert "totp_secret" not in columns and "totp_sealed" in columns
        assert _found(secret, database_files(svc.db.engine, settings.data_dir)) == []
        with svc.db.transaction() as session:
            sealed = session.scalar(select(User.totp_sealed).where(User.username == "olde"))
        assert totp.unseal(sealed, totp.instance_key(svc.secrets.totp_key)) == secret
        # The authenticator the admin enrolled before the upgrade still works.
        with TestClient(create_app(svc), base_url="http://sealbox.test") as browser:
            account = support.Account("olde", password, secret, "admin")
            landed = support.staff_login(browser, svc, account)
            assert landed.status_code == 200 and "Manage staff accounts" in landed.text
    finally:
        svc.db.dispose()


def test_clear_second_factors_are_not_migrated_without_the_secrets_file(settings):
    settings.data_dir.mkdir(parents=True)
    db = Database(settings.db_url)
    command.upgrade(alembic_config(db.url, db.engine), "0002")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "insert into users (id, username, role, totp_secret, totp_last_step, "
                "failed_logins, locked_until, active, created_at, must_change_password, "
                "totp_confirmed) values ('u1', 'olde', 'admin', 'JBSWY3DPEHPK3PXP', 0, 0, 0, "
                ":yes, :now, :no, :yes)"
            ),
            {"yes": True, "no": False, "now": dt.datetime.now(dt.UTC)},
        )
    with pytest.raises(RuntimeError, match="secrets file"):
        db.migrate()
    db.dispose()
