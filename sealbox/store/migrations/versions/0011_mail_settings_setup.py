"""mail settings and the first-run setup code

Revision ID: 0011
Revises: 0010

- mail_settings: the mail settings an admin saves on the web (one row); the SMTP password is
  sealed to a key derived from an instance secret, which lives outside the database;
- setup_codes: the one-time code `sealbox init` prints for the first-run setup page, as a keyed
  digest only, with when it expires and how many wrong tries it has had (one row at most).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_from", sa.String(length=254), nullable=False),
        sa.Column("smtp_host", sa.String(length=253), nullable=False),
        sa.Column("smtp_port", sa.Integer(), nullable=False),
        sa.Column("smtp_starttls", sa.Boolean(), nullable=False),
        sa.Column("smtp_username", sa.String(length=254), nullable=False),
        sa.Column("smtp_password", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_settings")),
    )
    op.create_table(
        "setup_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_codes")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # A sealed column keeps no statistics (pg_statistic would keep sample values).
        op.execute('ALTER TABLE "mail_settings" ALTER COLUMN "smtp_password" SET STATISTICS 0')


def downgrade() -> None:
    op.drop_table("setup_codes")
    op.drop_table("mail_settings")
