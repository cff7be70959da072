"""The S3 blob store against a real S3 HTTP endpoint (moto's server, tests/s3_server.py): the
contract the filesystem store keeps, ciphertext only, flat memory for big uploads, and sweeps
that leave another process's uploads in flight alone."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import textwrap

import pytest

from sealbox import crypto
from sealbox.clock import Clock
from sealbox.crypto import AGE_MAGIC, SealedStream
from sealbox.store.blobs import BlobMissing
from sealbox.store.s3_blobs import MIB, S3BlobStore, S3Location, client_for


def store(s3, clock: Clock | None = None, part_mib: int = 5) -> S3BlobStore:
    client = client_for(S3Location(s3.bucket, s3.endpoint))
    return S3BlobStore(client, s3.bucket, clock or Clock(), part_bytes=part_mib * MIB)


def sealed(data: bytes, identity: crypto.Identity) -> SealedStream:
    return crypto.seal_stream(io.BytesIO(data), identity.recipient)


def test_a_blob_goes_in_as_ciphertext_and_comes_back(s3):
    blobs = store(s3)
    key = crypto.Identity.generate()
    plain = b"the ledger, page 4 " * 400_000  # 7.6 MB: two parts
    blob_id = blobs.put(sealed(plain, key))

    stored = s3.objects()
    assert list(stored) == [blob_id]
    assert stored[blob_id].startswith(AGE_MAGIC)
    assert b"ledger" not in stored[blob_id]
    assert blobs.size(blob_id) == len(stored[blob_id])
    assert list(blobs.ids()) == [blob_id]
    out = io.BytesIO()
    with blobs.open(blob_id) as handle:
        crypto.unseal_stream(handle, out, key)
    assert out.getvalue() == plain

    blobs.delete(blob_id)
    assert s3.objects() == {}
    with pytest.raises(BlobMissing), blobs.open(blob_id):
        pass
    with pytest.raises(BlobMissing):
        blobs.size(blob_id)


def test_plaintext_is_refused_and_leaves_nothing(s3):
    blobs = store(s3)
    with pytest.raises(TypeError):
        blobs.put(b"plain bytes")  # type: ignore[arg-type]
    not_age = SealedStream(lambda sink: sink.write(b"plain text, not age" * 1000))
    with pytest.raises(Exception, match="not age ciphertext"):
        blobs.put(not_age)
    assert s3.objects() == {}
    assert s3.client().list_multipart_uploads(Bucket=s3.bucket).get("Uploads", []) == []


def test_hostile_ids_name_no_object(s3):
    blobs = store(s3)
    for hostile in ("../x", "sealbox-write-probe", "A" * 32, ""):
        with pytest.raises(BlobMissing), blobs.open(hostile):
            pass


def test_sweeps_take_only_old_leftovers_never_uploads_in_flight(s3):
    clock = Clock()
    blobs = store(s3, clock)
    other_process = store(s3, clock)
    key = crypto.Identity.generate()
    named = other_process.put(sealed(b"committed", key))
    in_flight = other_process.put(sealed(b"not committed yet", key))  # held by the other
    # An upload still streaming in another process: a multipart upload not completed.
    s3.client().create_multipart_upload(Bucket=s3.bucket, Key="0" * 32)

    def rows_name(ids: list[str]) -> set[str]:
        return {named} & set(ids)

    # A starting process sees the other's blob in flight, unnamed: it is young, so it stays.
    assert blobs.sweep_orphans(rows_name) == 0
    assert blobs.sweep_temp() == 0
    assert set(s3.objects()) == {named, in_flight}

    clock.advance(dt.timedelta(hours=25).total_seconds())
    assert blobs.sweep_orphans(rows_name) == 1
    assert set(s3.objects()) == {named}
    # Unfinished uploads are the bucket's lifecycle rule's to end, never a sweep's.
    assert blobs.sweep_temp() == 0
    assert len(s3.client().list_multipart_uploads(Bucket=s3.bucket)["Uploads"]) == 1


def test_writable_leaves_no_object(s3):
    blobs = store(s3)
    assert blobs.writable()
    assert s3.objects() == {}
    gone = S3BlobStore(client_for(S3Location("no-such-bucket", s3.endpoint)), "x", Clock())
    assert not gone.writable()


UPLOAD = textwrap.dedent(
    """
    import io, json, resource, sys
    from sealbox import crypto
    from sealbox.clock import Clock
    from sealbox.store.s3_blobs import MIB, S3BlobStore, S3Location, client_for

    size, part_mib, bucket, endpoint = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]

    class Zeros(io.RawIOBase):
        left = size
        def readable(self): return True
        def readinto(self, buffer):
            n = min(len(buffer), self.left)
            buffer[:n] = bytes(n)
            self.left -= n
            return n

    blobs = S3BlobStore(client_for(S3Location(bucket, endpoint)), bucket, Clock(), part_mib * MIB)
    key = crypto.Identity.generate()
    blob_id = blobs.put(crypto.seal_stream(Zeros(), key.recipient))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"blob": blob_id, "size": blobs.size(blob_id), "peak_kib": peak}))
    """
)


def upload_peak(s3, size: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", UPLOAD, str(size), "8", s3.bucket, s3.endpoint],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_64_mib_upload_streams_in_parts_with_flat_memory(s3):
    """Peak memory (ru_maxrss of a process of its own) with a 64 MiB file is within about two
    8 MiB parts of the peak with a 1 MiB file: the file is never held whole."""
    small = upload_peak(s3, 1 * MIB)
    big = upload_peak(s3, 64 * MIB)
    grew = (big["peak_kib"] - small["peak_kib"]) // 1024
    print(
        f"peak memory: {small['peak_kib'] // 1024} MiB (1 MiB file), "
        f"{big['peak_kib'] // 1024} MiB (64 MiB file, parts of 8 MiB)"
    )
    assert big["size"] > 64 * MIB  # the whole file, sealed
    assert grew < 24, (small, big)
    head = s3.client().get_object(Bucket=s3.bucket, Key=big["blob"], Range="bytes=0-63")
    assert head["Body"].read().startswith(AGE_MAGIC)
