"""Files are cleaned before they are sealed: the original's metadata never reaches storage."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from sealbox.channels.models import Channel
from sealbox.reports.models import Attachment
from tests import support
from tests.scrub import builders, oracle

EXIFTOOL = shutil.which("exiftool")


@pytest.fixture
def alice(services):
    account = support.add_user(services, "alice")
    support.add_channel(services, "photos", ["alice"])
    return account


def _attachments(services) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Attachment))


def test_photo_is_cleaned_before_it_is_stored(services, client, other_client, alice, tmp_path):
    photo = builders.jpeg()
    sent = support.submit(client, "photos", "see the photo", [("IMG_0042.jpg", photo)])
    assert sent.status_code == 200
    assert "Cleaned: we removed" in sent.text and "GPS position" in sent.text
    assert "a picture can still show where or who you are" in sent.text

    inbox = support.staff_login(other_client, services, alice)
    [report_id] = support.report_ids(inbox.text)
    page = other_client.get(f"/staff/reports/{report_id}")
    assert "GPS position" in page.text, "handlers see what was removed"
    [link] = support.file_links(page.text)
    stored = other_client.get(link).content
    assert builders.MARK.encode() not in stored
    # Only the clean copy exists: one blob for one attachment, no original kept aside.
    assert _attachments(services) == 1 and len(list(services.blobs.ids())) == 1
    if EXIFTOOL:
        oracle.check_clean(stored, tmp_path, ".jpg")


def test_uncleanable_file_waits_for_the_source_and_can_be_removed(
    services, client, other_client, alice
):
    sent = support.submit(
        client,
        "photos",
        "two files",
        [("notes.txt", b"plain notes"), ("blob.bin", b"\x00\x01weird" * 100)],
    )
    assert "Not sent yet" in sent.text and "could not be cleaned" in sent.text
    assert _attachments(services) == 2
    inbox = support.staff_login(other_client, services, alice)
    [report_id] = support.report_ids(inbox.text)
    page = other_client.get(f"/staff/reports/{report_id}")
    assert "notes.txt" in page.text and "blob.bin" not in page.text
    assert support.decide_held(client, sent.text, "remove") == 1
    assert _attachments(services) == 1 and len(list(services.blobs.ids())) == 1
    # A decision is final: the same form cannot be replayed to re-send the removed file.
    [(url, token, rid, _), *_] = support.held_choices(sent.text)
    again = client.post(url, data={"form_token": token, "report_id": rid, "action": "send"})
    assert again.status_code == 404


def test_decision_tokens_cannot_be_forged_or_moved(services, client, alice):
    sent = support.submit(client, "photos", "x", [("blob.bin", b"\x00\x01weird" * 100)])
    [(url, token, rid, action), *_] = support.held_choices(sent.text)
    assert (
        client.post(
            url, data={"form_token": "1.abc", "report_id": rid, "action": "send"}
        ).status_code
        == 403
    )
    other = "0" * 32
    assert (
        client.post(
            url, data={"form_token": token, "report_id": other, "action": "send"}
        ).status_code
        == 403
    )


def test_keep_metadata_only_when_the_channel_allows_and_the_source_ticks(
    services, client, other_client, alice
):
    photo = builders.jpeg()
    page = client.get("/submit/photos")
    assert "files_keep" not in page.text
    with services.db.transaction() as session:
        session.scalar(select(Channel).where(Channel.slug == "photos")).allow_keep_metadata = True
    page = client.get("/submit/photos")
    assert 'name="files_keep"' in page.text

    def send(confirm: bool):
        fresh = client.get("/submit/photos")  # each report spends its form's token
        data = {"form_token": support.token(fresh.text), "text": "authentic"}
        if confirm:
            data["keep_confirm"] = "1"
        return client.post(
            "/submit/photos", data=data, files=[("files_keep", ("orig.jpg", photo, "image/jpeg"))]
        )

    assert "Sent with its hidden details, as you chose" in send(confirm=True).text
    unticked = send(confirm=False)
    assert "Cleaned: we removed" in unticked.text
    inbox = support.staff_login(other_client, services, alice)
    contents = []
    for report_id in support.report_ids(inbox.text):
        report = other_client.get(f"/staff/reports/{report_id}").text
        contents += [other_client.get(link).content for link in support.file_links(report)]
    assert sorted(builders.MARK.encode() in c for c in contents) == [False, True]


def test_hostile_file_is_held_and_the_rest_is_stored(services, client, alice):
    bomb = builders.zip_bomb_overlapping()
    sent = support.submit(client, "photos", "bomb and text", [("a.zip", bomb), ("ok.txt", b"fine")])
    assert sent.status_code == 200
    assert "Not sent yet" in sent.text
    assert "ok.txt" in sent.text
    assert client.get("/").status_code == 200
