"""A full disk never costs a person what they typed: a source's follow-up whose file does not
fit, and a staff note the database has no room for, come back in an editable form (507, in
the reader's language) with nothing of them stored.

The instance lives on a small tmpfs of its own (mounting one needs root; skipped otherwise).
"""

from __future__ import annotations

import contextlib
import dataclasses

import pytest

from sealbox.errors import StorageFull
from tests import staff_kit, support
from tests.e2e.fault_drills import CannotMount, fill, small_disk
from tests.web.kept_kit import REPORT_TEXT, TYPED, counts, kept_page

MIB = 1024 * 1024
# What the forms would have added (the follow-up's token was used up before its file met the full
# disk; the form comes back with a fresh one).
CONTENT = ("messages", "attachments", "notes")


@pytest.fixture
def disk(tmp_path):
    with contextlib.ExitStack() as stack:
        try:
            path = stack.enter_context(small_disk(tmp_path / "disk", 48))
        except CannotMount as exc:
            pytest.skip(str(exc))
        yield path


@pytest.fixture
def settings(settings, disk):
    return dataclasses.replace(settings, data_dir=disk / "data")


def test_a_full_disk_gives_the_follow_up_and_the_note_back(services, client, disk, backend):
    hana = staff_kit.account(services, "hana", "handler")
    support.add_channel(services, "fraud", ["hana"])
    words = support.passphrase_of(support.submit(client, "fraud", REPORT_TEXT))
    page = support.source_login(client, words)
    token = support.token(page.text, "/report/messages")
    with staff_kit.browser(services) as staff:
        support.staff_login(staff, services, hana)
        [report_id] = support.report_ids(staff.get("/staff/").text)
        csrf = staff_kit.csrf(staff)
        before = counts(services)
        blobs = len(list(services.blobs.ids()))

        # The file does not fit on the disk.
        filler = fill(disk, "filler", leave=2 * MIB)
        answer = client.post(
            "/report/messages?lang=zh-Hant",
            data={"form_token": token, "text": TYPED},
            files=[("files", ("ledger.bin", b"x" * (8 * MIB), "application/octet-stream"))],
        )
        form = kept_page(answer, StorageFull, "zh-Hant", "zh_Hant")
        assert form.textareas == {"text": TYPED} and form.multipart
        assert len(list(services.blobs.ids())) == blobs, "no file kept"

        if backend == "sqlite":
            # The database's own disk: a logout empties SQLite's write-ahead log, so the next
            # write needs room the disk no longer has.
            out = client.post("/logout", data={"form_token": support.token(page.text, "/logout")})
            assert out.status_code == 200
            last = fill(disk, "last", leave=0)
            note = staff.post(
                f"/staff/reports/{report_id}/notes?lang=ug", data={"csrf": csrf, "text": TYPED}
            )
            form = kept_page(note, StorageFull, "ug", "ug")
            assert form.textareas == {"text": TYPED}
            last.unlink()
        filler.unlink()
    after = counts(services)
    for table in CONTENT:
        assert after[table] == before[table], f"nothing stored in {table}"
