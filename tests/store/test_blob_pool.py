"""The blob store writes uploads into files laid out ahead of time, so a file's birth time and
inode belong to a maintenance pass, never to an upload; a file born at upload time (the pool was
empty) is copied by the next pass. A file being written is left alone by uploads and passes."""

from __future__ import annotations

import io
import subprocess
import threading
import time

import pytest

from sealbox import crypto
from sealbox.clock import Clock
from sealbox.crypto import Identity
from sealbox.store.blobs import BlobMissing, BlobStore

KEY = Identity.generate()


@pytest.fixture
def store(tmp_path) -> BlobStore:
    """The blob store alone (it keeps no rows: nothing here differs between databases)."""
    return BlobStore(tmp_path / "blobs", tmp_path / "tmp", Clock())


def born(path) -> float:
    """The birth time `stat` reports (statx)."""
    out = subprocess.run(["stat", "--format=%.9W", path], capture_output=True, text=True)
    return float(out.stdout)


def put(store, data: bytes, commit: bool = True) -> str:
    """Store `data`; with `commit`, as a submission that committed (the blob let go)."""
    blob_id = store.put(crypto.seal_stream(io.BytesIO(data), KEY.recipient))
    if commit:
        store.release([blob_id])
    return blob_id


def read(store, blob_id: str) -> bytes:
    out = io.BytesIO()
    with store.open(blob_id) as blob:
        crypto.unseal_stream(blob, out, KEY)
    return out.getvalue()


def test_uploads_are_written_into_pool_files_born_at_the_pass(store):
    assert store.fill_pool(40) == 40
    laid_out = {p.name: born(p) for p in store.pool.iterdir()}
    time.sleep(0.05)
    uploaded = [put(store, f"blob {n}".encode()) for n in range(10)]
    assert set(uploaded) <= set(laid_out)
    for blob_id in uploaded:
        assert born(store.path_of(blob_id)) == laid_out[blob_id]
    # Picked at random, not in the order the pass made them.
    made_in_order = sorted(laid_out, key=laid_out.get)
    assert uploaded != made_in_order[: len(uploaded)]
    assert store.fill_pool(40) == 10

    assert store.settle(daily=True) == 10
    for n, blob_id in enumerate(uploaded):
        path = store.path_of(blob_id)
        assert path.parent.name == blob_id[:2] and born(path) == laid_out[blob_id]
        assert read(store, blob_id) == f"blob {n}".encode()


def test_a_file_born_at_upload_time_is_copied_by_the_next_passes(store):
    blob_id = put(store, b"no pool today")  # the pool is empty
    at_upload = born(store.path_of(blob_id))
    time.sleep(0.1)
    assert store.settle(daily=False) == 1
    at_hourly = born(store.path_of(blob_id))
    assert at_hourly > at_upload + 0.05
    assert read(store, blob_id) == b"no pool today"
    time.sleep(0.1)
    assert store.settle(daily=True) == 1
    path = store.path_of(blob_id)
    assert path.parent.name == blob_id[:2] and born(path) > at_hourly + 0.05
    assert read(store, blob_id) == b"no pool today"
    assert list(store.ids()) == [blob_id]


class Gate:
    """A plaintext reader that waits before its end until the test opens the gate."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)
        self.gate = threading.Event()
        self.waiting = threading.Event()

    def read(self, n: int = -1) -> bytes:
        chunk = self.data.read(n)
        if not chunk:
            self.waiting.set()
            self.gate.wait(30)
        return chunk


def test_a_file_being_written_is_left_to_its_writer(store):
    store.fill_pool(2)
    slow = Gate(b"slow upload " * 1000)
    result: list[str] = []
    writer = threading.Thread(
        target=lambda: result.append(store.put(crypto.seal_stream(slow, KEY.recipient)))
    )
    writer.start()
    assert slow.waiting.wait(10)
    other = put(store, b"meanwhile")  # takes the other pool file
    assert store.settle(daily=True) == 1  # only the finished one
    assert put(store, b"third") not in [p.name for p in store.pool.iterdir()]
    slow.gate.set()
    writer.join(10)
    [slow_id] = result
    assert slow_id != other
    assert read(store, slow_id) == b"slow upload " * 1000
    assert read(store, other) == b"meanwhile"


def test_a_failed_upload_gives_its_pool_file_back_empty(store):
    store.fill_pool(1)
    [free] = list(store.pool.iterdir())

    class Broken:
        def read(self, n: int = -1) -> bytes:
            raise OSError("the client went away")

    try:
        store.put(crypto.seal_stream(Broken(), KEY.recipient))
    except Exception:  # the cipher library wraps the reader's error in its own
        pass
    else:
        raise AssertionError("a broken upload was stored")
    assert free.exists() and free.stat().st_size == 0
    assert list(store.ids()) == []


def test_a_blob_in_flight_is_left_by_passes_and_sweeps_until_let_go(store):
    """Between its last byte and its submission's commit a blob is held: no pass moves it and
    no sweep (of this process or another sharing the store) deletes it."""
    store.fill_pool(3)
    named = put(store, b"committed, a row names it")
    in_flight = put(store, b"written, not yet committed", commit=False)
    orphan = put(store, b"its process died before the commit")
    rows = {named}
    assert store.sweep_orphans(lambda ids: rows & set(ids)) == 1  # the orphan only
    assert read(store, in_flight) == b"written, not yet committed"
    assert store.settle(daily=True) == 1  # the named one; the held one waits
    with pytest.raises(BlobMissing):
        read(store, orphan)
    rows.add(in_flight)  # its submission commits, then lets go
    store.release([in_flight])
    assert store.sweep_orphans(lambda ids: rows & set(ids)) == 0
    assert store.settle(daily=True) == 1
    assert read(store, in_flight) == b"written, not yet committed"
