"""The filesystem blob store: ciphertext only, in files whose times say no more than the day.

A file's birth time and inode number can never be changed, every write stamps its change time
to the nanosecond, and a small directory lists its entries in the order they were added. So an
upload is written in place into an empty file that the maintenance job (sealbox.jobs.chronology)
laid out in a pool ahead of time, picked at random: its birth, inode and directory entry are the
job's. When the pool is empty the file is born at upload time, and the next pass copies it into
a file of its own making. Files enter the shard directories only at the daily pass, sorted by
id; the passes then set every time back (sealbox.store.filetimes).

Layout under `root`:
  pool/<id>  files laid out by a daily pass: empty until an upload is written into one
  ab/<id>    blobs in files born at a daily pass, moved or copied here by a daily pass
  hour/<id>  blobs copied by an hourly pass, born at that pass (the daily pass copies them on)
  new/<id>   blobs written while the pool was empty, born at upload time
A blob is locked (flock) from the moment its upload claims a file until the submission that
names it has committed or been discarded (`release`): neither another upload nor a pass
touches it meanwhile, and a sweep of orphans, in this process or another sharing the store,
skips it. A blob no row names and no upload holds was left by a process that died: the sweep
at the next start of any server (and the daily pass) deletes it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from sealbox.clock import Clock
from sealbox.crypto import AGE_MAGIC, SealedStream
from sealbox.store import filetimes
from sealbox.store.faults import OutOfSpace

HEX = "0123456789abcdef"
SHARDS = [a + b for a in HEX for b in HEX]


class BlobMissing(Exception):
    """A blob that the database names is not on disk."""


class Blobs(Protocol):
    """The blob store's contract, kept by this filesystem store and by the S3 one
    (`s3_blobs.S3BlobStore`): ciphertext only, under random ids; a blob is in flight from `put`
    until `release` or `delete`, and no sweep, in any process sharing the store, takes it."""

    def put(self, stream: SealedStream) -> str: ...
    def release(self, blob_ids: list[str]) -> None: ...
    def open(self, blob_id: str) -> contextlib.AbstractContextManager[BinaryIO]: ...
    def size(self, blob_id: str) -> int: ...
    def writable(self) -> bool: ...
    def delete(self, blob_id: str) -> None: ...
    def ids(self) -> Iterator[str]: ...
    def sweep_orphans(self, named: Callable[[list[str]], set[str]], batch: int = 500) -> int: ...
    def sweep_temp(self) -> int: ...
    def settle(self, daily: bool) -> int: ...
    def fill_pool(self, size: int) -> int: ...


class BlobStore:
    """Blobs are named by random ids that say nothing about content, order or time."""

    def __init__(self, root: Path, tmp: Path, clock: Clock) -> None:
        self.root = root
        self.tmp = tmp
        self.clock = clock
        # Blobs written but not yet committed or discarded, each open with its lock held.
        self._held: dict[str, BinaryIO] = {}
        self._held_lock = threading.Lock()
        self.pool = root / "pool"
        self.hour = root / "hour"
        self.new = root / "new"
        tmp.mkdir(parents=True, exist_ok=True)
        # Every directory exists before the first upload: a directory made by an upload would
        # keep that upload's time as its birth time.
        for directory in (root, self.pool, self.hour, self.new):
            directory.mkdir(parents=True, exist_ok=True)
        for shard in SHARDS:
            (root / shard).mkdir(exist_ok=True)

    def _settled(self, blob_id: str) -> Path:
        return self.root / blob_id[:2] / blob_id

    def _places(self, blob_id: str) -> list[Path]:
        if len(blob_id) != 32 or not all(c in HEX for c in blob_id):
            raise BlobMissing("invalid blob id")
        return [
            self._settled(blob_id),
            self.pool / blob_id,
            self.hour / blob_id,
            self.new / blob_id,
        ]

    def put(self, stream: SealedStream) -> str:
        """Write a sealed stream under a fresh id and return the id once it is durable.

        The blob stays locked until `release` (the submission committed) or `delete`: until
        then it is in flight, and no sweep takes it. A full disk raises OutOfSpace and leaves
        nothing behind (a pool file goes back empty).
        """
        if not isinstance(stream, SealedStream):
            raise TypeError("the blob store accepts SealedStream only")
        try:
            blob_id, sink = self._claim()
        except OSError as exc:
            _raise_if_full(exc)
            raise
        path = Path(sink.name)
        try:
            stream.write_to(sink)
            os.fsync(sink.fileno())
            sink.seek(0)
            if sink.read(len(AGE_MAGIC)) != AGE_MAGIC:
                raise TypeError("refusing to store data that is not age ciphertext")
            filetimes.to_day(path, self.clock)
        except BaseException as exc:
            # A pool file goes back to the pool empty; a new file goes. (Unbuffered, so
            # nothing written later re-fills it.)
            with sink:
                if path.parent == self.pool:
                    sink.truncate(0)
                else:
                    path.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                _raise_if_full(exc)
            raise
        with self._held_lock:
            self._held[blob_id] = sink
        return blob_id

    def release(self, blob_ids: list[str]) -> None:
        """The submission naming these blobs has committed: they are no longer in flight."""
        with self._held_lock:
            handles = [self._held.pop(blob_id, None) for blob_id in blob_ids]
        for handle in handles:
            if handle is not None:
                handle.close()

    def _claim(self) -> tuple[str, BinaryIO]:
        """A random empty pool file, or a new file when there is none; open, locked."""
        free = _names(self.pool)
        while free:
            blob_id = free.pop(secrets.randbelow(len(free)))
            try:
                sink = open(self.pool / blob_id, "r+b", buffering=0)  # noqa: SIM115
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(sink.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                sink.close()
                continue  # another upload is writing into it
            if os.fstat(sink.fileno()).st_size == 0:
                return blob_id, sink
            sink.close()  # written already
        blob_id = secrets.token_hex(16)
        sink = open(self.new / blob_id, "x+b", buffering=0)  # noqa: SIM115
        try:
            fcntl.flock(sink.fileno(), fcntl.LOCK_EX)
            _fsync_dir(self.new)
        except BaseException:
            sink.close()
            (self.new / blob_id).unlink(missing_ok=True)
            raise
        return blob_id, sink

    @contextlib.contextmanager
    def open(self, blob_id: str) -> Iterator[BinaryIO]:
        handle = None
        # A pass may be moving the file from one place to the next: look again.
        for _ in range(3):
            for path in self._places(blob_id):
                with contextlib.suppress(FileNotFoundError):
                    handle = os.fdopen(_open_quietly(path), "rb")
                    break
            if handle is not None:
                break
        if handle is None:
            raise BlobMissing(f"blob {blob_id} is missing")
        with handle:
            yield handle

    def writable(self) -> bool:
        """Whether a file can be written where uploads and their copies go now (a health
        check): an unnamed file (O_TMPFILE) in each, one zero byte, gone when closed, so no
        directory entry or time changes."""
        for directory in (self.new, self.tmp):
            try:
                with tempfile.TemporaryFile(dir=directory, buffering=0) as probe:
                    probe.write(b"\0")
            except OSError:
                return False
        return True

    def delete(self, blob_id: str) -> None:
        for path in self._places(blob_id):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.release([blob_id])

    def ids(self) -> Iterator[str]:
        """Every stored blob (empty pool files are not blobs)."""
        for shard in SHARDS:
            with contextlib.suppress(FileNotFoundError):
                yield from os.listdir(self.root / shard)
        for directory in (self.pool, self.hour, self.new):
            for name in os.listdir(directory):
                with contextlib.suppress(FileNotFoundError):
                    if len(name) == 32 and (directory / name).stat().st_size > 0:
                        yield name

    def size(self, blob_id: str) -> int:
        """The blob's length in bytes (BlobMissing if there is none)."""
        try:
            return self.path_of(blob_id).stat().st_size
        except FileNotFoundError:
            raise BlobMissing(f"blob {blob_id} is missing") from None

    def path_of(self, blob_id: str) -> Path:
        """Where a blob lives, for exporting it as an age file."""
        places = self._places(blob_id)
        return next((p for p in places if p.exists()), places[0])

    def sweep_orphans(self, named: Callable[[list[str]], set[str]], batch: int = 500) -> int:
        """Delete the blobs no row names, left by uploads whose process died; returns how many.

        Safe while other processes share the store: a blob in flight (written, its submission
        not yet committed) is locked by its upload and skipped; a blob is only asked about
        (`named`: which of these ids do rows name?) once this sweep holds its lock, so an upload
        that commits and lets go meanwhile is seen as named and kept.
        """
        count = 0
        candidates = list(self.ids())
        for start in range(0, len(candidates), batch):
            held: dict[str, tuple[Path, BinaryIO]] = {}
            try:
                for blob_id in candidates[start : start + batch]:
                    path = self.path_of(blob_id)
                    handle = _locked(path)
                    if handle is not None:
                        held[blob_id] = (path, handle)
                if not held:
                    continue
                keep = named(list(held))
                for blob_id, (path, _) in held.items():
                    if blob_id not in keep:
                        path.unlink(missing_ok=True)
                        count += 1
            finally:
                for _, handle in held.values():
                    handle.close()
        return count

    def sweep_temp(self) -> int:
        """Remove half-made copies left by a killed process; returns how many. A copy that
        another process is making holds its lock and is left alone."""
        count = 0
        for partial in [*self.tmp.glob("*.partial"), *self.tmp.glob("*.copy")]:
            handle = _locked(partial)
            if handle is None:
                continue
            with handle:
                partial.unlink(missing_ok=True)
            count += 1
        return count

    # --- The maintenance job's work (sealbox.jobs.chronology) ---------------------------

    def settle(self, daily: bool) -> int:
        """Each hour, copy the blobs born at upload time (new/) into files born now (hour/).
        Each day, bring every blob of pool/, hour/ and new/ into the shards, sorted by id, so a
        shard lists its entries by day and id only: pool files are moved (they were born at a
        daily pass), the others copied. Files being written are left for the next pass."""
        if not daily:
            return sum(self._copy(self.new / n, self.hour / n) for n in _names(self.new))
        moved = 0
        places = {name: self.pool / name for name in _names(self.pool)}
        places.update({name: self.hour / name for name in _names(self.hour)})
        places.update({name: self.new / name for name in _names(self.new)})
        for name in sorted(places):
            source = places[name]
            if source.parent == self.pool:
                moved += self._move(source, self._settled(name))
            else:
                moved += self._copy(source, self._settled(name))
        return moved

    def fill_pool(self, size: int) -> int:
        """Lay out empty files until the pool holds `size` free ones; returns how many."""
        free = sum(1 for name in _names(self.pool) if _size(self.pool / name) == 0)
        for _ in range(size - free):
            os.close(os.open(self.pool / secrets.token_hex(16), os.O_CREAT | os.O_EXCL, 0o600))
        _fsync_dir(self.pool)
        return max(0, size - free)

    def _idle(self, path: Path) -> BinaryIO | None:
        """`path` opened with a shared lock if it holds a whole blob nobody is writing."""
        try:
            reader = open(path, "rb")  # noqa: SIM115
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(reader.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            reader.close()
            return None  # still being written: the next pass takes it
        if os.fstat(reader.fileno()).st_size == 0:
            reader.close()
            return None  # free (pool), or made by an upload that has not begun writing
        return reader

    def _move(self, source: Path, target: Path) -> int:
        reader = self._idle(source)
        if reader is None:
            return 0
        with reader:
            os.rename(source, target)
        _fsync_dir(target.parent)
        return 1

    def _copy(self, source: Path, target: Path) -> int:
        reader = self._idle(source)
        if reader is None:
            return 0
        with reader:
            temp = self.tmp / f"{target.name}.copy"
            with open(temp, "wb") as sink:
                # Locked while it is made, so a starting process's sweep leaves it alone.
                fcntl.flock(sink.fileno(), fcntl.LOCK_EX)
                shutil.copyfileobj(reader, sink, 1 << 20)
                sink.flush()
                os.fsync(sink.fileno())
                filetimes.to_day(temp, self.clock)
                os.replace(temp, target)
            _fsync_dir(target.parent)
        try:
            source.unlink()
        except FileNotFoundError:
            # Deleted while we copied (retention, a discarded upload): so is the copy.
            target.unlink(missing_ok=True)
            return 0
        return 1


def _locked(path: Path) -> BinaryIO | None:
    """`path` opened with an exclusive lock, or None when missing or held by someone else."""
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _raise_if_full(exc: OSError) -> None:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        raise OutOfSpace() from exc


def _names(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if len(name) == 32]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return -1


def _open_quietly(path: Path) -> int:
    """Open for reading without updating the access time, which would date the reading."""
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_NOATIME", 0))
    except PermissionError:  # O_NOATIME needs the file's owner
        return os.open(path, os.O_RDONLY)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
