"""security keys and passkeys (WebAuthn) as a staff second factor; TOTP allowed per role

Revision ID: 0006
Revises: 0005

- security_keys: each staff member's WebAuthn credentials (public values only).
- role_policies: whether authenticator-app codes still count for a role (no row: they do).
- staff_sessions.challenge, challenge_kind, challenge_expires: the session's one open
  security-key challenge.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "security_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("transports", sa.String(length=128), nullable=False),
        sa.Column("synced", sa.Boolean(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("last_used_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_security_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_keys")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_security_keys_credential_id")),
    )
    with op.batch_alter_table("security_keys") as batch:
        batch.create_index(batch.f("ix_security_keys_user_id"), ["user_id"], unique=False)
    op.create_table(
        "role_policies",
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("totp_allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("role", name=op.f("pk_role_policies")),
    )
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(sa.Column("challenge", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("challenge_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("challenge_expires", sa.Float(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), as in 0005.
    op.execute("ALTER TABLE staff_sessions DROP COLUMN challenge_expires")
    op.execute("ALTER TABLE staff_sessions DROP COLUMN challenge_kind")
    op.execute("ALTER TABLE staff_sessions DROP COLUMN challenge")
    op.drop_table("role_policies")
    op.drop_table("security_keys")
