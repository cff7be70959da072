"""questionnaire keys: questions and answer choices get stable keys and labels per language

Revision ID: 0010
Revises: 0009

Each channel's questionnaire (JSON in channels.questions) is rewritten from the older shape
({kind, label, required, choices: [text], labels: {lang: label}}) to the one the builder edits:
{key, kind, labels: {en, ...}, required, choices: [{key, labels}], when}. Keys follow the old
field names (q0, q1, ... and a multi's boxes q3_0, q3_1), so a form opened before the upgrade
still sends what it means. The rule is written out here, not imported: a migration must not
change when the code does. Reports are untouched: their answers are sealed, and those sealed
before are read as they were ({English label: text}).
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

channels = sa.table("channels", sa.column("id", sa.String), sa.column("questions", sa.Text))


def _upgraded(index: int, raw: dict) -> dict:
    if "key" in raw:
        return raw
    return {
        "key": f"q{index}",
        "kind": raw["kind"],
        "labels": {**(raw.get("labels") or {}), "en": raw["label"]},
        "required": bool(raw.get("required")),
        "choices": [
            {"key": str(i), "labels": {"en": text}}
            for i, text in enumerate(raw.get("choices") or ())
        ],
        "when": None,
    }


def _downgraded(raw: dict) -> dict:
    labels = dict(raw.get("labels") or {})
    return {
        "kind": "choice" if raw["kind"] == "yesno" else raw["kind"],
        "label": labels.pop("en", ""),
        "required": bool(raw.get("required")),
        "choices": [c["labels"].get("en", "") for c in raw.get("choices") or ()],
        "labels": labels,
    }


def _rewrite(change) -> None:
    bind = op.get_bind()
    for channel_id, stored in bind.execute(sa.select(channels.c.id, channels.c.questions)).all():
        questions = json.loads(stored or "[]")
        rewritten = json.dumps(change(questions), ensure_ascii=False, sort_keys=True)
        bind.execute(
            channels.update().where(channels.c.id == channel_id).values(questions=rewritten)
        )


def upgrade() -> None:
    _rewrite(lambda questions: [_upgraded(i, q) for i, q in enumerate(questions)])


def downgrade() -> None:
    # Conditions and choice translations have no place in the older shape: they are dropped.
    _rewrite(lambda questions: [_downgraded(q) if "key" in q else q for q in questions])
