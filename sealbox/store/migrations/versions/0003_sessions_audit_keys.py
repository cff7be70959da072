"""server-side source sessions, staff session lifetime, keyed audit entries

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import sealbox.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "source_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("sealed", sealbox.store.types.SealedColumn(), nullable=False),
        sa.Column("expires_hour", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_sessions")),
        # Session secrets never reach PostgreSQL's WAL (a crash ends every session, no more);
        # on SQLite, no rowid means no insertion order.
        prefixes=["UNLOGGED"] if postgresql else [],
        sqlite_with_rowid=False,
    )
    # Sessions made before they had a lifetime end now: everyone logs in again.
    op.execute("delete from staff_sessions")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created", sa.Float(), server_default="0", nullable=False))
    if postgresql:
        op.execute("alter table staff_sessions set unlogged")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("mac")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("alter table staff_sessions set logged")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_column("created")
    op.drop_table("source_sessions")
