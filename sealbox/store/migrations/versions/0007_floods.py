"""floods: single-use submission tokens, hourly intake counts, a quarantine for reports

Revision ID: 0007
Revises: 0006

- used_tokens: a digest of each used submission token's random nonce and the day it expires;
- intake_counts: new reports and bytes per channel (and "*" for the instance) per UTC hour;
- reports.quarantined: arrived past an hourly ceiling, waits for its handlers' triage.
Both new tables are written on a source's action: no rowid on SQLite, UNLOGGED on PostgreSQL
(no WAL), and the chronology pass rewrites them with the report tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    unlogged = ["UNLOGGED"] if postgresql else []
    op.create_table(
        "used_tokens",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_used_tokens")),
        prefixes=unlogged,
        sqlite_with_rowid=False,
    )
    op.create_table(
        "intake_counts",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "hour", name=op.f("pk_intake_counts")),
        prefixes=unlogged,
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("quarantined", sa.Boolean(), server_default="0", nullable=False))
    op.create_index(
        "ix_reports_quarantined", "reports", ["quarantined", "received_on", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_reports_quarantined", table_name="reports")
    sqlite = op.get_bind().dialect.name == "sqlite"
    no_rowid = {"sqlite_with_rowid": False} if sqlite else {}
    with op.batch_alter_table("reports", table_kwargs=no_rowid) as batch:
        batch.drop_column("quarantined")
    op.drop_table("intake_counts")
    op.drop_table("used_tokens")
