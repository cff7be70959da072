"""What a source reads on their pages: the safe choice first for a file that could not be
cleaned, plain words (technical detail folded away), a status that explains itself, the newest
reply on top, questions in the page's language, and the files to attach again after a refusal."""

from __future__ import annotations

import re

import pytest

from tests import staff_kit, support

UNCLEANABLE = b"\x00\x01weird" * 100
QUESTIONS = [
    {
        "kind": "text",
        "label": "Department",
        "labels": {"ug": "بۆلۈم", "zh_Hant": "部門"},
        "required": True,
    }
]


@pytest.fixture
def alice(services):
    return support.add_user(services, "alice")


@pytest.fixture
def channel(services, alice):
    staff_kit.channel(services, "fraud", ["alice"], questions=QUESTIONS)
    return "fraud"


def _outside_details(html: str) -> str:
    return re.sub(r"(?s)<details.*?</details>", "", html)


def test_a_held_file_offers_removal_as_the_primary_choice(client, services, channel):
    sent = staff_kit.submit_form(
        client, "fraud", {"text": "see file", "q0": "Stores"}, [("files", "blob.bin", UNCLEANABLE)]
    )
    assert sent.status_code == 200, sent.text
    buttons = re.findall(
        r'value="(send|remove)">\s*<button type="submit" class="([^"]*)"', sent.text
    )
    assert buttons == [("remove", ""), ("send", "secondary")]
    shown = _outside_details(sent.text)
    assert "application/" not in shown, "no file type codes outside the folded details"
    assert "bits" not in sent.text
    assert "a photo's location" in sent.text.replace("&#39;", "'")


def test_a_refused_form_names_the_files_to_attach_again(client, services, channel):
    refused = staff_kit.submit_form(
        client,
        "fraud",
        {"text": "see files"},  # the required question is not answered
        [("files", "photo-4711.jpg", b"jpeg?"), ("files", "ledger.pdf", b"pdf?")],
    )
    assert refused.status_code == 400, refused.text
    assert "Choose them again before you send" in refused.text
    for name in ("photo-4711.jpg", "ledger.pdf"):
        assert f"<li><bdi>{name}</bdi></li>" in refused.text
    again = client.get("/submit/fraud")
    assert "photo-4711.jpg" not in again.text, "the names are shown to that answer only"


def test_the_report_page_puts_the_latest_reply_first_with_a_plain_status(
    client, services, channel, alice
):
    words = support.passphrase_of(
        staff_kit.submit_form(client, "fraud", {"text": "Fuel sold at night", "q0": "Stores"})
    )
    support.source_login(client, words)
    page = client.get("/report?lang=zh-Hant").text
    assert "部門" in page and "Department" not in page, "questions in the page's language"
    assert "not yet read" not in client.get("/report").text
    assert "Latest reply" not in client.get("/report").text
    with staff_kit.browser(services) as staff:
        support.staff_login(staff, services, alice)
        report_id = staff_kit.report_id_of(services, "fraud")
        staff_kit.post(staff, f"/staff/reports/{report_id}/reply", text="Which depot?")
    page = client.get("/report").text
    latest = page.index("Latest reply")
    assert latest < page.index("The whole conversation") < page.index("Fuel sold at night")
    assert "waiting for your answer" in page
    assert page.index("Which depot?") > latest
