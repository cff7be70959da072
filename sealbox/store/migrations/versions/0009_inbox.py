"""the inbox at volume: latest activity, sealed titles and previews, read marks by reader

Revision ID: 0009
Revises: 0008

- reports.activity_on: the day of the newest message (either side), from messages.sent_on;
- reports.title: a title the handlers write, sealed to the report's notes key;
- reports.preview: the first line of the report, sealed at intake to the notes key (reports
  received before this migration show none: only a key holder could write it);
- read_marks gets an index by reader, for "needs attention".
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("activity_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("title", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("preview", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE reports SET activity_on = COALESCE("
        "(SELECT MAX(m.sent_on) FROM messages m WHERE m.report_id = reports.id), received_on)"
    )
    op.create_index("ix_reports_activity", "reports", ["activity_on", "id"], unique=False)
    op.create_index("ix_read_marks_user", "read_marks", ["user_id", "report_id"], unique=False)
    if postgresql:
        for column in ("title", "preview"):
            op.execute(f'ALTER TABLE "reports" ALTER COLUMN "{column}" SET STATISTICS 0')


def downgrade() -> None:
    op.drop_index("ix_read_marks_user", table_name="read_marks")
    op.drop_index("ix_reports_activity", table_name="reports")
    sqlite = op.get_bind().dialect.name == "sqlite"
    no_rowid = {"sqlite_with_rowid": False} if sqlite else {}
    with op.batch_alter_table("reports", table_kwargs=no_rowid) as batch:
        batch.drop_column("preview")
        batch.drop_column("title")
        batch.drop_column("activity_on")
