"""a copy of the server dates no source action finer than the day

- messages.seq (a message's place in clear) becomes messages.place, sealed to the report key;
- read_marks.seen_seq becomes read_marks.seen, sealed to the reader's own key;
- rate_buckets (the time of the latest passphrase login) goes; `workers` lists live processes;
- job_marks records the chronology job's daily pass;
- on SQLite, every table tied to a report loses its rowid (WITHOUT ROWID);
- on PostgreSQL, sealed columns get no statistics (pg_statistic would keep sample values).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from sealbox import crypto
from sealbox.crypto import Recipient

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIED_TO_REPORTS = [
    "reports",
    "disclosure_requests",
    "identity_keys",
    "messages",
    "note_keys",
    "notes",
    "read_marks",
    "report_keys",
    "report_labels",
    "reporter_identities",
    "source_access",
    "attachments",
]
SEALED = [
    ("users", "wrapped_private_key"),
    ("staff_sessions", "sealed_key"),
    ("source_sessions", "sealed"),
    ("disclosure_requests", "reason"),
    ("disclosure_requests", "decision_reason"),
    ("identity_keys", "wrapped"),
    ("messages", "place"),
    ("messages", "body"),
    ("note_keys", "wrapped"),
    ("notes", "body"),
    ("read_marks", "seen"),
    ("report_keys", "wrapped"),
    ("reporter_identities", "body"),
    ("source_access", "wrapped"),
    ("attachments", "meta"),
]


def _seal(number: int, public_key: str) -> bytes:
    return crypto.seal(str(number).encode(), Recipient.parse(public_key)).ciphertext


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.add_column("messages", sa.Column("place", sa.LargeBinary(), nullable=True))
    op.add_column("read_marks", sa.Column("seen", sa.LargeBinary(), nullable=True))
    # Anyone may seal to a report (its public key is in clear), so the places can be sealed
    # here; only the report's key holders can read them back.
    places = bind.execute(
        sa.text(
            "select m.id, m.seq, r.public_key from messages m join reports r on r.id = m.report_id"
        )
    ).all()
    for message_id, seq, public_key in places:
        bind.execute(
            sa.text("update messages set place = :p where id = :i"),
            {"p": _seal(seq, public_key), "i": message_id},
        )
    marks = bind.execute(
        sa.text(
            "select m.report_id, m.user_id, m.seen_seq, u.public_key from read_marks m "
            "join users u on u.id = m.user_id"
        )
    ).all()
    for report_id, user_id, seen_seq, public_key in marks:
        if public_key is None:
            continue  # deleted below: without a key of their own, nothing can be sealed to them
        bind.execute(
            sa.text("update read_marks set seen = :s where report_id = :r and user_id = :u"),
            {"s": _seal(seen_seq, public_key), "r": report_id, "u": user_id},
        )
    bind.execute(sa.text("delete from read_marks where seen is null"))

    no_rowid = {"sqlite_with_rowid": False} if sqlite else {}
    with op.batch_alter_table("messages", recreate="auto", table_kwargs=no_rowid) as batch:
        batch.alter_column("place", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_constraint("uq_messages_report_id", type_="unique")
        batch.drop_column("seq")
        batch.create_index("ix_messages_report", ["report_id", "id"])
    with op.batch_alter_table("read_marks", recreate="auto", table_kwargs=no_rowid) as batch:
        batch.alter_column("seen", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("seen_seq")

    op.drop_table("rate_buckets")
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seen", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_table(
        "job_marks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_marks")),
    )

    if sqlite:
        # A rowid numbers rows in the order they were written. Foreign keys are off while the
        # environment migrates (env.py), so that replacing `reports` cascades nothing.
        for table in TIED_TO_REPORTS:
            if table in ("messages", "read_marks"):
                continue  # rebuilt above
            with op.batch_alter_table(table, recreate="always", table_kwargs=no_rowid):
                pass
    else:
        for table, column in SEALED:
            # Changing the type (to itself: no rewrite) drops the samples an ANALYZE kept;
            # statistics 0 keeps any from being taken again.
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE bytea')
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STATISTICS 0')


def downgrade() -> None:
    raise RuntimeError(
        "0003_c_chronology seals each message's place and each read mark; only the key "
        "holders can open them, so the migration cannot be undone. Restore a backup instead."
    )
