"""Migration 0010 (questionnaire keys): a questionnaire saved in the older shape keeps working:
the same questions, labels and translations, keys that match the old field names, and a form
that sources can still answer; going back restores the older shape."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text
from starlette.testclient import TestClient

from sealbox import services as services_mod
from sealbox.store.db import Database, alembic_config
from sealbox.web.app import create_app
from tests import staff_kit, support

OLDER = [
    {"kind": "text", "label": "Your department", "required": True, "choices": [], "labels": {}},
    {
        "kind": "choice",
        "label": "Which site?",
        "required": False,
        "choices": ["Berlin", "Paris"],
        "labels": {"zh_Hans": "哪个地点？"},
    },
    {"kind": "multi", "label": "Who?", "required": False, "choices": ["A", "B"], "labels": {}},
]


def test_an_older_questionnaire_is_rewritten_and_still_answered(settings, backend):
    settings.data_dir.mkdir(parents=True)
    db = Database(settings.db_url)
    config = alembic_config(db.url, db.engine)
    command.upgrade(config, "0009")
    with db.engine.begin() as c:
        c.execute(
            text(
                "insert into channels (id, slug, name, description, active, questions) "
                "values ('c1', 'hr', 'HR', '', true, :questions)"
            ),
            {"questions": json.dumps(OLDER)},
        )
    command.upgrade(config, "head")
    with db.engine.connect() as c:
        stored = json.loads(c.execute(text("select questions from channels")).scalar())
    assert [q["key"] for q in stored] == ["q0", "q1", "q2"]
    assert stored[1]["labels"] == {"en": "Which site?", "zh_Hans": "哪个地点？"}
    assert stored[1]["choices"] == [
        {"key": "0", "labels": {"en": "Berlin"}},
        {"key": "1", "labels": {"en": "Paris"}},
    ]
    db.dispose()

    svc = services_mod.build(settings)
    try:
        staff_kit.account(svc, "hana", "handler")
        with svc.db.engine.begin() as c:
            user_id = c.execute(text("select id from users where username = 'hana'")).scalar()
            c.execute(
                text("insert into channel_handlers (channel_id, user_id) values ('c1', :u)"),
                {"u": user_id},
            )
        with TestClient(create_app(svc), base_url="http://sealbox.test") as client:
            form = client.get("/submit/hr?lang=zh-Hans").text
            assert "哪个地点？" in form and 'name="q2_1"' in form
            sent = staff_kit.submit_form(
                client, "hr", {"text": "x", "q0": "Sales", "q1": "1", "q2_0": "1"}
            )
            assert sent.status_code == 200, sent.text
            support.source_login(client, support.passphrase_of(sent))
            mine = client.get("/report").text
            assert "Paris" in mine and "Sales" in mine
    finally:
        svc.db.dispose()

    db = Database(settings.db_url)
    command.downgrade(alembic_config(db.url, db.engine), "0009")
    with db.engine.connect() as c:
        back = json.loads(c.execute(text("select questions from channels")).scalar())
    assert [(q["label"], q["choices"]) for q in back] == [(q["label"], q["choices"]) for q in OLDER]
    db.dispose()
