"""Migration 0004 (chronology): an existing conversation keeps its order, now sealed; read marks
keep their count, sealed to their reader; on SQLite the report tables lose their rowid with no
row lost and every foreign key still holding; on PostgreSQL sealed columns keep no samples."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import text

from sealbox import crypto
from sealbox import services as services_mod
from sealbox.crypto import Identity
from sealbox.reports import dialog, inbox
from sealbox.store.db import Database, alembic_config

SEQS = [0, 1, 2, 3]


def _older_database(settings, backend) -> dict:
    settings.data_dir.mkdir(parents=True)
    db = Database(settings.db_url)
    command.upgrade(alembic_config(db.url, db.engine), "0002")
    handler, report = Identity.generate(), Identity.generate()
    now = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with db.engine.begin() as c:
        c.execute(
            text(
                "insert into users (id, username, role, totp_last_step, public_key, "
                "failed_logins, locked_until, active, created_at) values ('u1', 'hana', "
                "'handler', 0, :pk, 0, 0, true, :now), ('u2', 'adam', 'admin', 0, null, 0, 0, "
                "true, :now)"
            ),
            {"pk": str(handler.recipient), "now": now},
        )
        c.execute(
            text(
                "insert into channels (id, slug, name, description, active) "
                "values ('c1', 'fraud', 'Fraud', '', true)"
            )
        )
        c.execute(
            text(
                "insert into reports (id, channel_id, public_key, received_on, status, "
                "source_seq, message_count) values ('r1', 'c1', :pk, :day, 'new', 3, 4)"
            ),
            {"pk": str(report.recipient), "day": now.date()},
        )
        for seq in SEQS:
            plain = f'{{"text": "turn {seq}", "answers": {{}}}}'.encode()
            body = crypto.seal(plain, report.recipient)
            c.execute(
                text(
                    "insert into messages (id, report_id, seq, author, sent_on, body) "
                    "values (:id, 'r1', :seq, :author, :day, :body)"
                ),
                {
                    # Ids in the reverse order of the turns: the order must come from `seq`.
                    "id": f"m{9 - seq}",
                    "seq": seq,
                    "author": "staff" if seq % 2 else "source",
                    "day": now.date(),
                    "body": body.ciphertext,
                },
            )
        c.execute(
            text("insert into report_keys (report_id, user_id, wrapped) values ('r1', 'u1', :w)"),
            {"w": crypto.wrap_identity(report, handler.recipient).ciphertext},
        )
        c.execute(
            text(
                "insert into read_marks (report_id, user_id, seen_seq) values "
                "('r1', 'u1', 2), ('r1', 'u2', 3)"
            )
        )
        if backend == "postgresql":
            c.execute(text("analyze messages, report_keys"))  # samples of sealed columns
    db.dispose()
    return {"handler": handler, "report": report}


def test_the_conversation_and_read_marks_survive_sealed(settings, backend):
    keys = _older_database(settings, backend)
    svc = services_mod.build(settings)
    try:
        with svc.db.transaction() as session:
            turns = dialog.conversation(session, "r1", keys["report"], show_staff_names=False)
            page = inbox.inbox(session, "u1", 1, 10, identity=keys["handler"])
        assert [(m.seq, m.text, m.author) for m in turns.messages] == [
            (seq, f"turn {seq}", "staff" if seq % 2 else "source") for seq in SEQS
        ]
        # Hana had seen 2 of the 3 source turns: still unread. Adam's keyless mark is gone.
        assert [item.unread for item in page.items] == [True]
        with svc.db.engine.connect() as c:
            columns = {
                r[0]
                for r in c.execute(
                    text(
                        "select column_name from information_schema.columns "
                        "where table_name = 'messages' and table_schema = current_schema()"
                    )
                    if backend == "postgresql"
                    else text("select name from pragma_table_info('messages')")
                )
            }
            assert "seq" not in columns and "place" in columns
            assert c.execute(text("select count(*) from read_marks")).scalar() == 1
            if backend == "sqlite":
                for table in ("reports", "messages", "read_marks", "report_keys"):
                    sql = c.execute(
                        text("select sql from sqlite_master where name = :t"), {"t": table}
                    ).scalar()
                    assert sql.rstrip().endswith("WITHOUT ROWID"), table
                assert c.execute(text("pragma foreign_key_check")).all() == []
                assert c.execute(text("pragma foreign_keys")).scalar() == 1
            else:
                sampled = c.execute(
                    text(
                        "select attname from pg_stats where schemaname = current_schema() "
                        "and attname in ('body', 'place', 'wrapped', 'seen')"
                    )
                ).all()
                assert sampled == []
        # Foreign keys still cascade: the report takes its rows with it.
        with svc.db.engine.begin() as c:
            c.execute(text("delete from reports where id = 'r1'"))
            assert c.execute(text("select count(*) from messages")).scalar() == 0
            assert c.execute(text("select count(*) from report_keys")).scalar() == 0
    finally:
        svc.db.dispose()
