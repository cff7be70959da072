"""Alembic environment: runs migrations on the engine the app hands in, or on the URL."""

from alembic import context

from sealbox.schema import Base
from sealbox.store.db import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    engine = engine or make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite rebuilds a table to change it; with foreign keys on, dropping the old
            # `reports` would cascade into every table that refers to it. Checked at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            applied = config.attributes.get("applied")
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                # Progress: each revision's id, as it is applied (`sealbox upgrade` prints it).
                on_version_apply=[lambda *, step, **_: applied(step.up_revision_id)]
                if applied
                else [],
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations_online()
