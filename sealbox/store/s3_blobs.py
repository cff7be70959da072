"""The S3-compatible blob store: the same contract as the filesystem store, in a bucket.

What it keeps and why:
- Ciphertext only. An upload is a multipart upload streamed as it is sealed, in parts of
  `part_bytes` (S3 wants at least 5 MiB but for the last): memory stays at about one part
  whatever the file's size, and no byte is sent before the first part shows the age header.
- Object keys are random ids (32 hex digits): they say nothing about content, order or time.
- Times: the server stamps each object's LastModified (and each multipart upload's Initiated)
  itself, to the second; no client can set or reset them. Whoever copies the bucket, or reads
  its listing, learns when each file was uploaded, finer than the day the database keeps. The
  README names this as the residual risk of this backend; the filesystem store has none.
- In flight: an upload is no object until its multipart upload completes, and a completed blob
  whose submission has not yet committed is held by its process (`release` lets go). A sweep in
  another process cannot see that hold, so sweeps touch only objects and multipart uploads
  older than `orphan_age` (longer than any submission may take): a blob no row names and older
  than that was left by a process that died.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from sealbox.clock import Clock
from sealbox.crypto import AGE_MAGIC, SealedStream
from sealbox.store.blobs import HEX, BlobMissing
from sealbox.store.faults import BlobStoreAway

MIB = 1024 * 1024
# The probe key `writable` starts (and aborts) an upload under: never an object.
PROBE = "sealbox-write-probe"


@dataclass(frozen=True)
class S3Location:
    """Where the blobs live: an endpoint (empty: AWS), a bucket and its region."""

    bucket: str
    endpoint: str = ""
    region: str = "us-east-1"
    # Path-style addressing (http://host/bucket/key) suits MinIO, Ceph RGW, Garage and moto.
    path_style: bool = True


def client_for(location: S3Location, pool: int = 50) -> Any:
    """A thread-safe boto3 client; credentials come from the usual AWS chain (the environment
    variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an instance role)."""
    import boto3
    from botocore.config import Config

    config = Config(
        region_name=location.region,
        max_pool_connections=pool,
        retries={"max_attempts": 5, "mode": "standard"},
        s3={"addressing_style": "path" if location.path_style else "auto"},
        # Checksums on every request where the server takes them; no plaintext is sent anyway.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.client("s3", endpoint_url=location.endpoint or None, config=config)


class S3BlobStore:
    """Blobs as objects named by random ids, in one bucket that holds nothing else."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        clock: Clock,
        part_bytes: int = 8 * MIB,
        orphan_age: dt.timedelta = dt.timedelta(hours=24),
    ) -> None:
        if part_bytes < 5 * MIB:
            raise ValueError("S3 multipart parts must be at least 5 MiB")
        self.client = client
        self.bucket = bucket
        self.clock = clock
        self.part_bytes = part_bytes
        self.orphan_age = orphan_age
        # Blobs this process wrote whose submission has not committed or been discarded.
        self._held: set[str] = set()
        self._held_lock = threading.Lock()

    def put(self, stream: SealedStream) -> str:
        """Stream a sealed stream into a new object and return its id once it is complete."""
        if not isinstance(stream, SealedStream):
            raise TypeError("the blob store accepts SealedStream only")
        blob_id = secrets.token_hex(16)
        with _answering():
            started = self.client.create_multipart_upload(Bucket=self.bucket, Key=blob_id)
        sink = _Parts(self.client, self.bucket, blob_id, started["UploadId"], self.part_bytes)
        try:
            stream.write_to(sink)  # type: ignore[arg-type]
            with _answering():
                sink.finish()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=blob_id, UploadId=sink.upload_id
                )
            if sink.failure is not None and not isinstance(exc, BlobStoreAway):
                raise BlobStoreAway() from sink.failure
            raise
        with self._held_lock:
            self._held.add(blob_id)
        return blob_id

    def release(self, blob_ids: list[str]) -> None:
        """The submission naming these blobs has committed: they are no longer in flight."""
        with self._held_lock:
            self._held.difference_update(blob_ids)

    @contextlib.contextmanager
    def open(self, blob_id: str) -> Iterator[BinaryIO]:
        """The blob as a readable stream (read from the server as it is consumed)."""
        _check(blob_id)
        try:
            with _answering():
                answer = self.client.get_object(Bucket=self.bucket, Key=blob_id)
        except self.client.exceptions.NoSuchKey:
            raise BlobMissing(f"blob {blob_id} is missing") from None
        body = answer["Body"]
        try:
            yield io.BufferedReader(_Body(body), 1 << 20)
        finally:
            body.close()

    def size(self, blob_id: str) -> int:
        """The blob's length in bytes (BlobMissing if there is none)."""
        _check(blob_id)
        try:
            with _answering():
                head = self.client.head_object(Bucket=self.bucket, Key=blob_id)
        except self.client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise BlobMissing(f"blob {blob_id} is missing") from None
            raise BlobStoreAway() from exc
        return int(head["ContentLength"])

    def writable(self) -> bool:
        """Whether an upload can start (a health check): one is started and aborted at once,
        so no object is made."""
        try:
            started = self.client.create_multipart_upload(Bucket=self.bucket, Key=PROBE)
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=PROBE, UploadId=started["UploadId"]
            )
        except Exception:  # noqa: BLE001 - any failure means "not writable"
            return False
        return True

    def delete(self, blob_id: str) -> None:
        _check(blob_id)
        with _answering():
            self.client.delete_object(Bucket=self.bucket, Key=blob_id)
        self.release([blob_id])

    def ids(self) -> Iterator[str]:
        """Every stored blob."""
        for blob_id, _ in self._objects():
            yield blob_id

    def _objects(self) -> Iterator[tuple[str, dt.datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        for page in pages:
            for item in page.get("Contents", []):
                if _valid(item["Key"]):
                    yield item["Key"], item["LastModified"]

    def sweep_orphans(self, named: Callable[[list[str]], set[str]], batch: int = 500) -> int:
        """Delete the blobs no row names that are older than `orphan_age`; returns how many.

        Safe while other processes share the bucket: their uploads in flight are either no
        object yet (an open multipart upload) or younger than `orphan_age`."""
        cutoff = self.clock.now() - self.orphan_age
        with self._held_lock:
            held = set(self._held)
        old = [b for b, modified in self._objects() if modified < cutoff and b not in held]
        count = 0
        for start in range(0, len(old), batch):
            chunk = old[start : start + batch]
            keep = named(chunk)
            for blob_id in chunk:
                if blob_id not in keep:
                    self.client.delete_object(Bucket=self.bucket, Key=blob_id)
                    count += 1
        return count

    def sweep_temp(self) -> int:
        """Nothing is swept here: an unfinished multipart upload may be another live process's,
        and its start time (Initiated) is not one every S3 server reports truly. Unfinished
        uploads of killed processes (ciphertext parts) go by the bucket's lifecycle rule
        AbortIncompleteMultipartUpload, which the README asks for."""
        return 0

    def settle(self, daily: bool) -> int:
        """Nothing to do: object times are the server's (see the module's docstring)."""
        return 0

    def fill_pool(self, size: int) -> int:
        """Nothing to do: an object cannot be made ahead and written later."""
        return 0


class _Parts:
    """A write-only sink that sends what it is given as the parts of one multipart upload,
    holding at most one part in memory."""

    def __init__(self, client: Any, bucket: str, key: str, upload_id: str, size: int) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.upload_id = upload_id
        self.size = size
        self.buffer = bytearray()
        self.parts: list[dict[str, object]] = []
        self.checked = False
        self.failure: Exception | None = None

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= self.size:
            self._send(self.size)
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        if self.buffer or not self.parts:
            self._send(len(self.buffer))
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    def _send(self, length: int) -> None:
        if not self.checked:
            if bytes(self.buffer[: len(AGE_MAGIC)]) != AGE_MAGIC:
                raise TypeError("refusing to store data that is not age ciphertext")
            self.checked = True
        number = len(self.parts) + 1
        body = bytes(self.buffer[:length])
        del self.buffer[:length]
        try:
            answer = self.client.upload_part(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self.upload_id,
                PartNumber=number,
                Body=body,
            )
        except Exception as exc:
            # The cipher reports a sink's OSError as the sink's own; anything else would
            # come out as a bare encryption error. `put` names it BlobStoreAway.
            self.failure = exc
            raise OSError(f"the blob store refused part {number}: {exc}") from exc
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})


class _Body(io.RawIOBase):
    """botocore's streaming body as a raw stream, so it can be buffered and read in chunks."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextlib.contextmanager
def _answering() -> Iterator[None]:
    """A server that cannot be reached, or that answers with an error of its own (5xx, a
    refused credential), is a fault of the store: BlobStoreAway. Missing objects are not."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            raise
        raise BlobStoreAway() from exc
    except BotoCoreError as exc:
        raise BlobStoreAway() from exc


def _valid(blob_id: str) -> bool:
    return len(blob_id) == 32 and all(c in HEX for c in blob_id)


def _check(blob_id: str) -> None:
    if not _valid(blob_id):
        raise BlobMissing("invalid blob id")
