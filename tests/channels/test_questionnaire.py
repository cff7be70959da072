"""The questionnaire builder: an admin adds, translates, reorders, deletes and previews questions
with forms; sources see labels and choices in their language; answers keep the choice's key."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from sealbox.channels.models import Channel
from sealbox.reports.models import Message
from tests import staff_kit, support


def _admin(services, client):
    ada = staff_kit.account(services, "ada", "admin")
    staff_kit.account(services, "hana", "handler")
    channel_id = staff_kit.channel(services, "hr", ["hana"])
    support.staff_login(client, services, ada)
    return f"/staff/admin/channels/{channel_id}/questions", channel_id


def _stored(services, channel_id) -> list[dict]:
    with services.db.transaction() as session:
        return json.loads(session.get(Channel, channel_id).questions)


def add(client, base: str, kind: str, label: str) -> str:
    """Add a question; returns its key (from the edit page it lands on)."""
    page = staff_kit.post(client, base, kind=kind, label=label)
    assert page.status_code == 200 and "Question added." in page.text, page.text
    return re.search(r'/questions/(q[0-9]+)"', page.text).group(1)


def save(client, base: str, key: str, **fields) -> object:
    return staff_kit.post(client, f"{base}/{key}", **fields)


SITE_CHOICES = {
    "label_en": "Which site?",
    "label_zh_Hans": "哪个地点？",
    "label_ug": "قايسى ئورۇن؟",
    "required": "1",
    "choice_new0_en": "Warehouse",
    "choice_new0_zh_Hans": "仓库",
    "choice_new0_ug": "ئامبار",
    "choice_new1_en": "Office",
    "choice_new1_zh_Hans": "办公室",
}


def test_admin_builds_a_questionnaire_with_forms(services, client):
    base, channel_id = _admin(services, client)
    assert "No questions yet" in client.get(base).text
    site = add(client, base, "choice", "Which site?")
    saved = save(client, base, site, **SITE_CHOICES)
    assert "Question saved." in saved.text
    dept = add(client, base, "text", "Your department")
    add(client, base, "date", "When did it happen?")
    [first, second, third] = _stored(services, channel_id)
    assert (first["key"], second["key"]) == (site, dept)
    assert [c["labels"] for c in first["choices"]] == [
        {"en": "Warehouse", "zh_Hans": "仓库", "ug": "ئامبار"},
        {"en": "Office", "zh_Hans": "办公室"},
    ]
    assert first["required"] and first["labels"]["zh_Hans"] == "哪个地点？"

    # Reorder with buttons: the department up to the top.
    moved = staff_kit.post(client, f"{base}/{dept}/move", direction="up")
    assert moved.status_code == 200
    assert [q["key"] for q in _stored(services, channel_id)] == [dept, site, third["key"]]

    # A choice removed, one renamed, one added: answers keep keys, so the kept one keeps its.
    warehouse, office = (c["key"] for c in first["choices"])
    edit = {
        "label_en": "Which site?",
        f"choice_{warehouse}_en": "Depot",
        f"choice_{office}_en": "Office",
        f"remove_{office}": "1",
        "choice_new0_en": "Canteen",
    }
    assert "Question saved." in save(client, base, site, **edit).text
    after = next(q for q in _stored(services, channel_id) if q["key"] == site)
    labels = [(c["key"], c["labels"]["en"]) for c in after["choices"]]
    assert labels == [(warehouse, "Depot"), ("2", "Canteen")]

    # Delete: a confirmation page first, then the question goes.
    confirm = client.get(f"{base}/{third['key']}/delete")
    assert "When did it happen?" in confirm.text and 'method="post"' in confirm.text
    assert len(_stored(services, channel_id)) == 3, "showing the confirmation deletes nothing"
    staff_kit.post(client, f"{base}/{third['key']}/delete")
    assert [q["key"] for q in _stored(services, channel_id)] == [dept, site]
    audit = support.audit_entries(services, f"channel:{channel_id}")
    changes = [details.get("change") for _, action, details in audit if "questions" in action]
    assert changes == ["added", "changed", "added", "added", "moved", "changed", "deleted"]
    assert not any("Which site" in json.dumps(details) for _, _, details in audit), "no labels"


def test_builder_refusals_say_what_to_fix_and_keep_the_form(services, client):
    base, channel_id = _admin(services, client)
    site = add(client, base, "choice", "Which site?")
    one = save(
        client, base, site, label_en="Which site?", choice_new0_en="Only", choice_new0_ug="بىر"
    )
    assert one.status_code == 400 and "give it at least two" in one.text
    assert 'value="بىر"' in one.text, "what was typed comes back"
    no_english = save(client, base, site, label_en="", label_zh_Hans="地点")
    assert no_english.status_code == 400 and "in English" in no_english.text
    wrong_kind = staff_kit.post(client, base, kind="essay", label="What?")
    assert wrong_kind.status_code == 400 and "kind of question" in wrong_kind.text
    assert 'value="What?"' in wrong_kind.text
    missing = client.get(f"{base}/q99")
    assert missing.status_code == 404
    assert _stored(services, channel_id)[0]["choices"] == []


def test_a_question_depends_only_on_an_earlier_choice(services, client):
    base, channel_id = _admin(services, client)
    witness = add(client, base, "yesno", "Did anyone see it?")
    who = add(client, base, "text", "Who saw it?")
    saved = save(client, base, who, label_en="Who saw it?", when=f"{witness}:yes", required="1")
    assert "Question saved." in saved.text
    stored = _stored(services, channel_id)
    assert stored[1]["when"] == {"question": witness, "choice": "yes"}
    # Yes/no comes labelled in every language from the catalogues.
    assert stored[0]["choices"][0]["labels"]["zh_Hans"] == "是"
    # The dependent question cannot move above the one it depends on...
    up = staff_kit.post(client, f"{base}/{who}/move", direction="up")
    assert up.status_code == 400 and "asked before it" in up.text
    # ...nor can the tested question be deleted while it is tested.
    gone = staff_kit.post(client, f"{base}/{witness}/delete")
    assert gone.status_code == 400 and "Who saw it?" in gone.text
    # A forged condition (a later question, a choice that does not exist) is refused.
    forged = save(client, base, witness, label_en="Did anyone see it?", when=f"{who}:x")
    assert forged.status_code == 400
    bad_choice = save(client, base, who, label_en="Who saw it?", when=f"{witness}:maybe")
    assert bad_choice.status_code == 400 and "no longer exists" in bad_choice.text
    assert _stored(services, channel_id) == stored


def test_preview_shows_the_steps_in_the_chosen_language(services, client):
    base, _ = _admin(services, client)
    site = add(client, base, "choice", "Which site?")
    save(client, base, site, **SITE_CHOICES)
    detail = add(client, base, "long", "What happens in the warehouse?")
    save(
        client,
        base,
        detail,
        label_en="What happens in the warehouse?",
        label_zh_Hans="仓库里发生了什么？",
        when=f"{site}:0",
    )
    preview = client.get(f"{base}/preview?language=zh_Hans")
    assert preview.status_code == 200
    text = preview.text
    for shown in ("哪个地点？", "仓库", "办公室", "仓库里发生了什么？", "Step 2"):
        assert shown in text, shown
    assert text.index("哪个地点？") < text.index("Step 2") < text.index("仓库里发生了什么？")
    assert "disabled" in text and "<script" not in text
    english = client.get(f"{base}/preview").text
    assert "Warehouse" in english and "仓库" not in english


def test_sources_read_questions_and_choices_in_their_language(services, client, other_client):
    base, channel_id = _admin(services, client)
    site = add(client, base, "choice", "Which site?")
    save(client, base, site, **SITE_CHOICES)
    who = add(client, base, "multi", "Who was involved?")
    save(
        client,
        base,
        who,
        label_en="Who was involved?",
        choice_new0_en="Manager",
        choice_new0_zh_Hant="經理",
        choice_new1_en="Colleague",
    )
    source = other_client
    form = source.get("/submit/hr?lang=zh-Hans").text
    assert "哪个地点？" in form and "仓库" in form and "Warehouse" not in form
    assert "Manager" in form, "no translation: the channel's default language"
    assert "經理" in source.get("/submit/hr?lang=zh-Hant").text
    sent = staff_kit.submit_form(
        source, "hr", {"text": "QCANARY", site: "0", f"{who}_0": "1", f"{who}_1": "1"}
    )
    assert sent.status_code == 200, sent.text
    report_id = staff_kit.report_id_of(services, "hr")
    mine = support.source_login(source, support.passphrase_of(sent))
    zh = source.get("/report?lang=zh-Hans").text
    assert "哪个地点？" in zh and "仓库" in zh and "Warehouse" not in zh
    ug = source.get("/report?lang=ug").text
    assert "قايسى ئورۇن؟" in ug and "ئامبار" in ug
    assert "Which site?" in mine.text or "Which site?" in source.get("/report?lang=en").text

    # Renaming the choice later changes nothing of what was answered: the key was stored,
    # with the labels as they were asked.
    renamed = {**SITE_CHOICES, "choice_0_en": "Depot", "choice_1_en": "Office"}
    assert "Question saved." in save(client, base, site, **renamed).text
    assert "Warehouse" in source.get("/report?lang=en").text
    with services.db.transaction() as session:
        body = session.scalar(select(Message.body).where(Message.report_id == report_id))
    assert b"Warehouse" not in body.ciphertext and b"QCANARY" not in body.ciphertext
