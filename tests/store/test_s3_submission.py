"""A whole submission with `blob_backend = "s3"`: the source's files reach the handler through
the bucket, and the bucket holds age ciphertext and nothing else (on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.testclient import TestClient

from sealbox import services as services_mod
from sealbox.clock import Clock
from sealbox.crypto import AGE_MAGIC
from sealbox.web.app import create_app
from tests import support

LEDGER = b"id,amount,payee\n1,5000,Shell Holdings Ltd\n"
PHOTO = b"\x00\x01binary-secret-marker" + bytes(range(256)) * 2000  # held: cannot be cleaned


@pytest.fixture
def s3_services(settings, s3):
    configured = dataclasses.replace(
        settings, blob_backend="s3", s3_bucket=s3.bucket, s3_endpoint=s3.endpoint
    )
    svc = services_mod.build(configured, clock=Clock())
    yield svc
    svc.db.dispose()


def test_a_submission_goes_through_the_bucket_as_ciphertext_only(s3_services, s3, tmp_path):
    services = s3_services
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    app = create_app(services)
    with (
        TestClient(app, base_url="http://sealbox.test") as source,
        TestClient(app, base_url="http://sealbox.test") as handler,
    ):
        sent = support.submit(
            source,
            "fraud",
            "Invoices from a shell company.",
            [("ledger.csv", LEDGER), ("photo.bin", PHOTO)],
        )
        assert sent.status_code == 200, sent.text
        assert support.decide_held(source, sent.text, "send") == 1

        inbox = support.staff_login(handler, services, alice)
        [report_id] = support.report_ids(inbox.text)
        links = support.file_links(handler.get(f"/staff/reports/{report_id}").text)
        assert {handler.get(link).content for link in links} == {LEDGER, PHOTO}

    stored = s3.objects()
    assert len(stored) == 2
    for data in stored.values():
        assert data.startswith(AGE_MAGIC)
        for plain in (b"Shell Holdings", b"binary-secret-marker", bytes(range(256)), b"ledger"):
            assert plain not in data
    # Nothing of the files went to the local blob directory either.
    blob_dir = services.settings.blob_dir
    assert not blob_dir.exists() or not any(p.is_file() for p in blob_dir.rglob("*"))
    assert services.blobs.writable()


def test_a_setting_naming_no_bucket_stops_the_start():
    from sealbox import settings as settings_mod

    with pytest.raises(ValueError, match="s3_bucket"):
        settings_mod.load(environ={"SEALBOX_BLOB_BACKEND": "s3"})
    with pytest.raises(ValueError, match="blob_backend"):
        settings_mod.load(environ={"SEALBOX_BLOB_BACKEND": "ftp"})


def test_a_bucket_that_does_not_answer_keeps_the_text_and_stores_nothing(settings, s3):
    """The S3 server is away: the source gets the form back with its text (503, Retry-After),
    never a stack trace, and no report is made."""
    from tests.live_server import free_port

    away = dataclasses.replace(
        settings,
        blob_backend="s3",
        s3_bucket=s3.bucket,
        s3_endpoint=f"http://127.0.0.1:{free_port()}",
    )
    services = services_mod.build(away, clock=Clock())
    try:
        support.add_user(services, "alice")
        support.add_channel(services, "fraud", ["alice"])
        with TestClient(create_app(services), base_url="http://sealbox.test") as source:
            sent = support.submit(
                source, "fraud", "The depot ledgers, page 4.", [("ledger.csv", LEDGER)]
            )
        assert sent.status_code == 503, sent.text
        assert "Retry-After" in sent.headers
        assert "The file store did not answer" in sent.text
        assert "The depot ledgers, page 4." in sent.text
        assert "Traceback" not in sent.text
        with services.db.transaction() as session:
            from sqlalchemy import text

            assert session.execute(text("select count(*) from reports")).scalar() == 0
    finally:
        services.db.dispose()
