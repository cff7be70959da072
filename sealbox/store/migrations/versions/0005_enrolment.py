"""staff enrolment by the holder, sealed second factors, approvals for custodians and channels

Revision ID: 0005
Revises: 0004

- users.totp_secret (clear text) becomes users.totp_sealed, sealed to a key derived from the
  secrets file's `totp_key`; the clear column is emptied, dropped, and the table forgotten.
- staff_sessions.enrol_totp: the fresh authenticator secret of an enrolling session.
- users.key_rotation_due: set for every key held on the server. An older release made it when
  the account was created, under a password its creator saw; it is replaced at the next login.
- channels.membership_locked: set for every channel that has handlers or reports.
- role_requests, membership_requests: what waits for a second person's approval.
"""

import sqlalchemy as sa
from alembic import context, op

import sealbox.store.types
from sealbox import crypto

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TOTP_PURPOSE = "totp"  # as in sealbox.accounts.totp


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("totp_sealed", sealbox.store.types.SealedColumn(), nullable=True)
        )
    _seal_totp_secrets()
    op.execute("ALTER TABLE users DROP COLUMN totp_secret")
    context.config.attributes.setdefault("forget", set()).add("users")

    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("key_rotation_due", sa.Boolean(), server_default="0", nullable=False)
        )
    op.execute(
        sa.text(
            "update users set key_rotation_due = :yes where wrapped_private_key is not null"
        ).bindparams(yes=True)
    )
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(sa.Column("enrol_totp", sealbox.store.types.SealedColumn(), nullable=True))
    with op.batch_alter_table("channels") as batch:
        batch.add_column(
            sa.Column("membership_locked", sa.Boolean(), server_default="0", nullable=False)
        )
    op.execute(
        sa.text(
            "update channels set membership_locked = :yes where id in "
            "(select channel_id from channel_handlers) or id in (select channel_id from reports)"
        ).bindparams(yes=True)
    )

    if op.get_bind().dialect.name == "postgresql":
        # pg_statistic would keep sample values of sealed columns (see 0004).
        for table, column in (("users", "totp_sealed"), ("staff_sessions", "enrol_totp")):
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STATISTICS 0')

    op.create_table(
        "role_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_role_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_requests")),
    )
    with op.batch_alter_table("role_requests") as batch:
        batch.create_index(batch.f("ix_role_requests_state"), ["state"], unique=False)
        batch.create_index(batch.f("ix_role_requests_user_id"), ["user_id"], unique=False)

    op.create_table(
        "membership_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_membership_requests_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_membership_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_requests")),
    )
    with op.batch_alter_table("membership_requests") as batch:
        batch.create_index(
            batch.f("ix_membership_requests_channel_id"), ["channel_id"], unique=False
        )
        batch.create_index(batch.f("ix_membership_requests_state"), ["state"], unique=False)
        batch.create_index(batch.f("ix_membership_requests_user_id"), ["user_id"], unique=False)


def _seal_totp_secrets() -> None:
    """Seal every clear TOTP secret to the secrets file's key, then empty the clear column."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("select id, totp_secret from users where totp_secret is not null")
    ).all()
    if not rows:
        return
    secrets = context.config.attributes.get("secrets")
    if secrets is None:
        raise RuntimeError(
            "Staff second factors must be sealed with the instance secrets file: run "
            "`sealbox init` or `sealbox serve` of this release (they migrate with it)."
        )
    recipient = crypto.derive_instance_key(secrets.totp_key, TOTP_PURPOSE).recipient
    sealed = sealbox.store.types.SealedColumn()
    for user_id, secret in rows:
        value = crypto.seal(secret.encode("ascii"), recipient)
        bind.execute(
            sa.text("update users set totp_sealed = :sealed, totp_secret = null where id = :id")
            .bindparams(sa.bindparam("sealed", type_=sealed))
            .bindparams(sealed=value, id=user_id)
        )


def downgrade() -> None:
    # Second factors are not unsealed again: after a downgrade every staff member enrols anew.
    op.drop_table("membership_requests")
    op.drop_table("role_requests")
    # Plain ALTER TABLE (SQLite 3.35+): a batch rebuild would cascade deletes from these tables.
    op.execute("ALTER TABLE channels DROP COLUMN membership_locked")
    op.execute("ALTER TABLE users DROP COLUMN key_rotation_due")
    op.execute("ALTER TABLE staff_sessions DROP COLUMN enrol_totp")
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.execute(sa.text("update users set totp_confirmed = :no").bindparams(no=False))
    op.execute("ALTER TABLE users DROP COLUMN totp_sealed")
