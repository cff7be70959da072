"""recovery: the organisation's offline recovery keys and the wraps of each report's keys to them

- recovery_keys: the public half of each offline recovery key (`sealbox recovery-key add`);
- recovery_wraps: a report's key (report, notes, identity) wrapped to a recovery key; tied to the
  report (no rowid on SQLite; no statistics of the sealed column on PostgreSQL);
- recovery_claims: the keys a reset account held, by report id only, until recovery gives them back.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recovery_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=128), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_keys")),
        sa.UniqueConstraint("public_key", name=op.f("uq_recovery_keys_public_key")),
    )
    op.create_table(
        "recovery_wraps",
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_recovery_wraps_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["recovery_keys.id"],
            name=op.f("fk_recovery_wraps_key_id_recovery_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "kind", "key_id", name=op.f("pk_recovery_wraps")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "recovery_claims",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_claims_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_recovery_claims_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "report_id", "kind", name=op.f("pk_recovery_claims")),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE "recovery_wraps" ALTER COLUMN "wrapped" SET STATISTICS 0')


def downgrade() -> None:
    op.drop_table("recovery_claims")
    op.drop_table("recovery_wraps")
    op.drop_table("recovery_keys")
