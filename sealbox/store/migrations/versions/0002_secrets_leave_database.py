"""instance secrets leave the database for the secrets file

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `services.build` moves the values into the secrets file before migrating; a table that
    # still holds any means that step did not run, and dropping it would lock every source out.
    left = op.get_bind().execute(sa.text("select count(*) from instance_secrets")).scalar()
    if left:
        raise RuntimeError(
            "instance_secrets still holds values: start `sealbox init` or `sealbox serve` of "
            "this release once (it moves them into the secrets file), then migrate."
        )
    op.drop_table("instance_secrets")


def downgrade() -> None:
    op.create_table(
        "instance_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_secrets")),
    )
