"""A tar stream sealed to age recipients as it is written, and read back as it is opened.

The tar is made in a thread that writes into a pipe while the cipher reads the other end, so
no plaintext byte of the archive touches the disk and memory stays at a few buffers whatever
the size of the data. Members carry no owner, mode or time: the archive says when it was made
only in its manifest, to the day.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from sealbox import crypto
from sealbox.crypto import Identity, Recipient

CHUNK = 1 << 20
# Every member lives under this directory, so `age -d backup.age | tar x` makes one folder.
ROOT = "sealbox-backup"


class ArchiveDamaged(Exception):
    """The archive cannot be opened or read to its end: the message says what failed."""


@dataclass(frozen=True)
class Member:
    """One file to put in the archive: its name under ROOT, its size and how to open it."""

    name: str
    size: int
    open: Callable[[], BinaryIO]


class Hashing:
    """Reads through to `reader`, hashing and counting what passes (and telling `seen`)."""

    def __init__(self, reader: BinaryIO, seen: Callable[[int], None] = lambda n: None) -> None:
        self.reader = reader
        self.digest = hashlib.sha256()
        self.count = 0
        self.seen = seen

    def read(self, size: int = -1) -> bytes:
        data = self.reader.read(size)
        self.digest.update(data)
        self.count += len(data)
        self.seen(len(data))
        return data

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(f"{ROOT}/{name}")
    info.size = size
    info.mode = 0o600
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write(
    sink: BinaryIO,
    recipients: tuple[Recipient, ...],
    members: Iterator[Member],
    last: Callable[[dict[str, str]], Member],
    seen: Callable[[int], None] = lambda n: None,
) -> dict[str, str]:
    """Write `members`, then `last(digests)` (the checksums), sealed to `recipients`, to
    `sink`; returns the SHA-256 of each member by name. Any failure on either side stops both
    and is raised here."""
    read_end, write_end = os.pipe()
    digests: dict[str, str] = {}
    failure: list[BaseException] = []

    def add(tar: tarfile.TarFile, member: Member) -> None:
        with member.open() as reader:
            hashing = Hashing(reader, seen)
            tar.addfile(_info(member.name, member.size), hashing)  # type: ignore[arg-type]
        digests[member.name] = hashing.hexdigest()

    def produce() -> None:
        try:
            with (
                os.fdopen(write_end, "wb", buffering=CHUNK) as pipe,
                tarfile.open(fileobj=pipe, mode="w|", format=tarfile.PAX_FORMAT) as tar,
            ):
                for member in members:
                    add(tar, member)
                add(tar, last(dict(digests)))
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    producer = threading.Thread(target=produce, name="backup-tar", daemon=True)
    producer.start()
    try:
        with os.fdopen(read_end, "rb", buffering=CHUNK) as pipe:
            crypto.seal_stream(pipe, *recipients).write_to(sink)
    finally:
        producer.join()
    if failure:
        raise failure[0]
    return digests


def read(source: BinaryIO, identity: Identity) -> Iterator[tuple[str, _Guarded]]:
    """Open the archive in `source` and yield each member's name (under ROOT) and a reader for
    its content, in order. Every chunk is authenticated before it is handed on; a wrong key,
    damage or truncation raises ArchiveDamaged."""
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def open_() -> None:
        try:
            with os.fdopen(write_end, "wb", buffering=CHUNK) as pipe:
                crypto.unseal_stream(source, pipe, identity)
        except BrokenPipeError:
            pass  # the reader stopped early (it raised): its error is the one that counts
        except BaseException as exc:
            failure.append(exc)

    opener = threading.Thread(target=open_, name="backup-open", daemon=True)
    opener.start()

    def explain(exc: Exception) -> ArchiveDamaged:
        """Why the tar stopped: the cipher's reason (wrong key, damage) if it had one."""
        opener.join()
        if failure:
            return _damaged(failure[0])
        return ArchiveDamaged(f"the archive is not a Sealbox backup ({exc})")

    pipe = os.fdopen(read_end, "rb", buffering=CHUNK)
    try:
        try:
            with tarfile.open(fileobj=pipe, mode="r|") as tar:
                for info in tar:
                    if not info.isfile() or not info.name.startswith(ROOT + "/"):
                        raise ArchiveDamaged(f"unexpected entry in the archive: {info.name!r}")
                    reader = tar.extractfile(info)
                    assert reader is not None  # a regular file
                    yield info.name.removeprefix(ROOT + "/"), _Guarded(reader, explain)
        except tarfile.TarError as exc:
            raise explain(exc) from exc
    finally:
        pipe.close()
        opener.join()
    if failure:
        raise _damaged(failure[0]) from failure[0]


class _Guarded:
    """A member's reader whose tar errors (the stream ended inside it) say why it ended."""

    def __init__(self, reader: BinaryIO, explain: Callable[[Exception], ArchiveDamaged]) -> None:
        self.reader = reader
        self.explain = explain

    def read(self, size: int = -1) -> bytes:
        try:
            return self.reader.read(size)
        except tarfile.TarError as exc:
            raise self.explain(exc) from exc


def _damaged(exc: BaseException) -> ArchiveDamaged:
    if isinstance(exc, crypto.CannotOpen):
        return ArchiveDamaged(
            "the archive does not open with this key, or it is damaged or cut short"
        )
    return ArchiveDamaged(f"the archive could not be read ({type(exc).__name__}: {exc})")
