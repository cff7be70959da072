"""Blobs of uploads that never committed: swept at the next start, as the README says, and
never while an upload that may still commit holds them, even in another server process that
shares the store.

Each drill holds an upload at the point where its first file is sealed and on disk but the
submission has not committed (the rest of the form still to come), then either kills the
server or starts a second one on the same data directory and database.
"""

from __future__ import annotations

import os
import signal

from tests import support
from tests.e2e.fault_drills import HELD_FILE, HeldUpload, stored_blobs, wait_for_blob
from tests.live_server import Instance


def setup(instance: Instance) -> None:
    instance.add_handler("alice")
    instance.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    instance.start()


def test_an_upload_cut_off_by_a_kill_is_swept_at_the_next_start(instance):
    setup(instance)
    upload = HeldUpload(instance.url)
    upload.start()
    wait_for_blob(instance.data_dir)
    os.kill(instance.process.pid, signal.SIGKILL)
    instance.process.wait(10)
    upload.go.set()
    upload.join(30)
    assert stored_blobs(instance.data_dir), "the cut-off upload left its blob"

    instance.start()  # the next start
    assert stored_blobs(instance.data_dir) == []
    assert instance.sql("SELECT count(*) FROM reports") == [0]


def test_a_starting_server_leaves_another_servers_upload_in_flight(instance, tmp_path):
    setup(instance)
    # A second server on the same data directory (and database): its own root for its logs.
    second_root = tmp_path / "second"
    second_root.mkdir()
    (second_root / "data").symlink_to(instance.data_dir)
    second = Instance(root=second_root, database_url=instance.database_url)

    upload = HeldUpload(instance.url)
    upload.start()
    held = wait_for_blob(instance.data_dir)
    try:
        second.start()  # sweeps at its start, while the first server's upload is in flight
        assert held.exists() and held.stat().st_size > len(HELD_FILE), (
            "an upload in flight was swept"
        )
        upload.go.set()
        upload.join(60)
        assert upload.failure is None, upload.failure
        assert upload.response is not None and upload.response.status_code == 200
        assert len(support.passphrase_of(upload.response).split()) >= 7

        [blob_id] = instance.sql("SELECT blob_id FROM attachments")
        second.stop()
        second.start()  # committed now: a start keeps what a row names
        assert [p.name for p in stored_blobs(instance.data_dir)] == [blob_id]
    finally:
        upload.go.set()
        second.stop()
