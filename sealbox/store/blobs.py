"""The filesystem blob store: ciphertext only, written atomically (temp, fsync, rename)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sealbox.clock import Clock
from sealbox.crypto import AGE_MAGIC, SealedStream


class BlobMissing(Exception):
    """A blob that the database names is not on disk."""


class BlobStore:
    """Blobs live at `root/ab/abcdef...`; names are random and say nothing about content."""

    def __init__(self, root: Path, tmp: Path, clock: Clock) -> None:
        self.root = root
        self.tmp = tmp
        self.clock = clock
        root.mkdir(parents=True, exist_ok=True)
        tmp.mkdir(parents=True, exist_ok=True)

    def _path(self, blob_id: str) -> Path:
        if len(blob_id) != 32 or not all(c in "0123456789abcdef" for c in blob_id):
            raise BlobMissing("invalid blob id")
        return self.root / blob_id[:2] / blob_id

    def put(self, stream: SealedStream) -> str:
        """Write a sealed stream under a fresh id and return the id once it is durable."""
        if not isinstance(stream, SealedStream):
            raise TypeError("the blob store accepts SealedStream only")
        blob_id = secrets.token_hex(16)
        final = self._path(blob_id)
        final.parent.mkdir(exist_ok=True)
        temp = self.tmp / f"{blob_id}.partial"
        try:
            with open(temp, "xb") as sink:
                stream.write_to(sink)
                sink.flush()
                os.fsync(sink.fileno())
            with open(temp, "rb") as check:
                if check.read(len(AGE_MAGIC)) != AGE_MAGIC:
                    raise TypeError("refusing to store data that is not age ciphertext")
            # File times would date the upload to the second: round them to the day.
            day = _midnight(self.clock)
            os.utime(temp, (day, day))
            os.replace(temp, final)
            os.utime(final.parent, (day, day))
            _fsync_dir(final.parent)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        return blob_id

    @contextlib.contextmanager
    def open(self, blob_id: str) -> Iterator[BinaryIO]:
        try:
            handle = open(self._path(blob_id), "rb")  # noqa: SIM115
        except FileNotFoundError as exc:
            raise BlobMissing(f"blob {blob_id} is missing") from exc
        with handle:
            yield handle

    def delete(self, blob_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(blob_id).unlink()

    def ids(self) -> Iterator[str]:
        for shard in self.root.iterdir():
            if shard.is_dir():
                for blob in shard.iterdir():
                    yield blob.name

    def path_of(self, blob_id: str) -> Path:
        """Where a blob lives, for exporting it as an age file."""
        return self._path(blob_id)

    def sweep_orphans(self, referenced: set[str], min_age_days: int = 2) -> int:
        """Delete blobs no row names (left by a killed upload) once they are surely abandoned."""
        cutoff = _midnight(self.clock) - min_age_days * 86400
        count = 0
        for blob_id in list(self.ids()):
            path = self.root / blob_id[:2] / blob_id
            if blob_id not in referenced and path.stat().st_mtime <= cutoff:
                path.unlink(missing_ok=True)
                count += 1
        return count

    def sweep_temp(self) -> int:
        """Remove half-written blobs left by a killed process; returns how many."""
        count = 0
        for partial in self.tmp.glob("*.partial"):
            partial.unlink(missing_ok=True)
            count += 1
        return count


def _midnight(clock: Clock) -> float:
    now = clock.timestamp()
    return now - now % 86400


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
