"""Instance secrets live in a 0600 file outside the database; older databases hand theirs over."""

from __future__ import annotations

import stat

import pytest
from alembic import command
from sqlalchemy import inspect, text

from sealbox import services as services_mod
from sealbox.store import instance
from sealbox.store.db import Database, alembic_config


def test_secrets_are_in_a_private_file_and_not_in_the_database(services):
    path = services.settings.secrets_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = instance.load(path)
    assert values == services.secrets
    assert not inspect(services.db.engine).has_table(instance.LEGACY_TABLE)
    # A second process reads the same values (workers share them).
    again = services_mod.build(services.settings, migrate=False)
    assert again.secrets == services.secrets
    again.db.dispose()


def test_a_secrets_file_others_can_read_is_refused(services):
    path = services.settings.secrets_path
    path.chmod(0o644)
    with pytest.raises(instance.SecretsFileError, match="chmod 600"):
        instance.load(path)


def test_a_damaged_secrets_file_is_refused_with_a_clear_reason(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text('source_salt = "not hex"\n')
    path.chmod(0o600)
    with pytest.raises(instance.SecretsFileError, match="damaged"):
        instance.load(path)


def test_an_older_database_hands_its_secrets_over_and_keeps_none(settings):
    settings.data_dir.mkdir(parents=True)
    db = Database(settings.db_url)
    command.upgrade(alembic_config(db.url, db.engine), "0001")
    salt = bytes(range(32))
    with db.engine.begin() as connection:
        connection.execute(
            text("insert into instance_secrets (name, value) values ('source_salt', :v)"),
            {"v": salt},
        )
    db.dispose()
    svc = services_mod.build(settings)
    try:
        assert svc.secrets.source_salt == salt
        assert instance.load(settings.secrets_path).source_salt == salt
        assert not inspect(svc.db.engine).has_table(instance.LEGACY_TABLE)
    finally:
        svc.db.dispose()
