"""Make, check and restore a backup.

A backup is one age file sealed to the registered offline keys (`recipients.py`). Inside, a tar
(`archive.py`) of, in this order: `manifest.json` (format, release, database kind, the day it
was made, its id and, for an incremental one, its base's id), the database (`database.py`), the
instance secrets, the audit anchor, every blob a row names (`blobs/<id>`, age ciphertext as
stored), and `checksums.json` (SHA-256 of every member) last, so a cut-short archive is found.

An incremental backup holds the whole database but only the blobs its base did not: every
backup writes beside itself `<file>.blobs`, the list of blob ids it holds (random names, no
content), for the next one to name as its base.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

import sealbox
from sealbox.backup import archive, database, recipients
from sealbox.backup.archive import ArchiveDamaged, Member
from sealbox.clock import Clock
from sealbox.crypto import Identity, Recipient
from sealbox.reports.models import Attachment
from sealbox.settings import Settings
from sealbox.store import filetimes
from sealbox.store.blobs import HEX, SHARDS, BlobMissing, Blobs, BlobStore

FORMAT = 1
MANIFEST = "manifest.json"
CHECKSUMS = "checksums.json"
SECRETS = "secrets.toml"
ANCHOR = "audit-anchor.json"
BLOBS = "blobs/"

Progress = Callable[[int, int], None]


class RestoreRefused(Exception):
    """The restore target is not empty, or the archives do not fit together."""


@dataclass
class Made:
    """What `create` wrote."""

    backup_id: str
    blobs: int
    skipped: int  # blobs the base holds already
    size: int  # bytes of plaintext sealed
    ids_file: Path


@dataclass
class Contents:
    """What an archive holds, as read (and checked) from start to end."""

    manifest: dict[str, object] = field(default_factory=dict)
    members: int = 0
    blobs: int = 0
    size: int = 0


def ids_file(output: Path) -> Path:
    return output.with_name(output.name + ".blobs")


def read_ids(path: Path) -> tuple[str, set[str]]:
    """The backup id and blob ids listed in a `.blobs` file."""
    lines = path.read_text(encoding="ascii").split()
    if not lines or not lines[0].startswith("backup:"):
        raise RestoreRefused(f"{path} is not a list of a backup's blobs")
    return lines[0].removeprefix("backup:"), set(lines[1:])


def create(
    settings: Settings,
    engine: Engine,
    blobs: Blobs,
    clock: Clock,
    output: Path,
    keys: Sequence[Recipient],
    base: Path | None = None,
    progress: Progress = lambda done, total: None,
) -> Made:
    """Write a backup of the instance to `output`, sealed to `recipients`."""
    if not keys:
        raise ValueError("a backup needs at least one offline key to be sealed to")
    base_id, held = read_ids(base) if base is not None else ("", set())
    backup_id = secrets.token_hex(8)
    manifest = {
        "format": FORMAT,
        "sealbox": sealbox.__version__,
        "database": "sqlite" if database.sqlite_path(settings.db_url) else "postgresql",
        "revision": _revision(engine),
        "made_on": clock.today().isoformat(),
        "backup_id": backup_id,
        "base": base_id,
    }
    written: list[str] = []
    total = [0]
    done = [0]

    def seen(count: int) -> None:
        done[0] += count
        progress(done[0], max(total[0], done[0]))

    def members() -> Iterator[Member]:
        yield _bytes(MANIFEST, json.dumps(manifest, indent=1).encode())
        # The snapshot first: every blob its rows name exists now, and stays while we read
        # it (an open file keeps its bytes even if a shred deletes its name meanwhile).
        yield from database.snapshot(settings.db_url, engine)
        yield _file(SECRETS, settings.secrets_path)
        if settings.audit_anchor_path.exists():
            yield _file(ANCHOR, settings.audit_anchor_path)
        named = sorted(_named(engine) - held)
        total[0] = done[0] + sum(_size(blobs, b) for b in named)
        for blob_id in named:
            opened = contextlib.ExitStack()
            try:
                handle = opened.enter_context(blobs.open(blob_id))
            except BlobMissing:
                continue  # deleted since the snapshot (a shred): the restore sweeps its row
            written.append(blob_id)
            size = _size(blobs, blob_id)
            yield Member(BLOBS + blob_id, size, lambda h=handle, k=opened: _Held(h, k))

    def last(digests: dict[str, str]) -> Member:
        return _bytes(CHECKSUMS, json.dumps({"members": digests}, indent=1).encode())

    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.partial")
    try:
        with open(temp, "wb") as sink:
            archive.write(sink, tuple(keys), members(), last, seen)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temp, output)
    finally:
        temp.unlink(missing_ok=True)
    listed = ids_file(output)
    listed.write_text(
        f"backup:{backup_id}\n" + "".join(f"{b}\n" for b in sorted(held | set(written))),
        encoding="ascii",
    )
    return Made(backup_id, len(written), len(held), done[0], listed)


def verify(path: Path, identity_file: str, progress: Progress = lambda d, t: None) -> Contents:
    """Offline: open the whole archive with the key in `identity_file` (its text) and check
    every member against its checksum."""
    identity = recipients.private_key(identity_file)
    contents = Contents()
    size = path.stat().st_size
    with open(path, "rb") as source:
        for _name, reader in _checked(source, identity, contents):
            _drain(reader)
            progress(source.tell(), size)
    return contents


def _checked(
    source: BinaryIO, identity: Identity, contents: Contents
) -> Iterator[tuple[str, BinaryIO]]:
    """Each member with a reader that hashes what it gives; the checksums member, which must
    come last, checked against them. Raises ArchiveDamaged for anything out of place."""
    digests: dict[str, str] = {}
    ended = False
    for name, reader in archive.read(source, identity):
        if ended:
            raise ArchiveDamaged(f"the archive holds {name!r} after its checksums")
        if not digests and name != MANIFEST:
            raise ArchiveDamaged("the archive does not start with a Sealbox manifest")
        if name in (MANIFEST, CHECKSUMS):
            raw = reader.read(64 << 20)
            try:
                value = json.loads(raw)
            except ValueError as exc:
                raise ArchiveDamaged(f"the archive's {name} cannot be read") from exc
            if name == MANIFEST:
                if value.get("format") != FORMAT:
                    raise ArchiveDamaged(f"unknown backup format {value.get('format')!r}")
                contents.manifest = value
                digests[name] = hashlib.sha256(raw).hexdigest()
            else:
                if value.get("members") != digests:
                    listed = value.get("members") or {}
                    wrong = sorted(set(listed) ^ set(digests)) or sorted(
                        n for n in digests if listed.get(n) != digests[n]
                    )
                    raise ArchiveDamaged(f"the checksum of {wrong[0]} does not match")
                contents.members = len(digests)
                ended = True
            yield name, _Replay(raw)
            continue
        hashing = archive.Hashing(reader)
        yield name, hashing  # type: ignore[misc]
        _drain(hashing)  # whatever the caller left unread still counts
        digests[name] = hashing.hexdigest()
        contents.size += hashing.count
        contents.blobs += name.startswith(BLOBS)
    if not ended:
        raise ArchiveDamaged("the archive ends before its checksums: it was cut short")


def restore(
    settings: Settings,
    paths: Sequence[Path],
    identity_file: str,
    clock: Clock,
    progress: Progress = lambda d, t: None,
) -> Contents:
    """Restore into an empty instance: a full backup, then the incremental ones made on it,
    in order. The database, secrets and anchor come from the last; blobs from all. Refuses a
    data directory or database that holds anything; on failure removes what it wrote."""
    identity = recipients.private_key(identity_file)
    _require_empty(settings)
    written: list[Path] = []
    restorer = database.restorer(settings.db_url)
    BlobStore(settings.blob_dir, settings.tmp_dir, clock)  # its directories, made now
    contents = Contents()
    try:
        chain = ""
        total = sum(p.stat().st_size for p in paths)
        before = 0
        for index, path in enumerate(paths):
            final = index == len(paths) - 1
            contents = Contents()
            with open(path, "rb") as source:
                for name, reader in _checked(source, identity, contents):
                    if name == MANIFEST:
                        _check_chain(contents.manifest, chain, path)
                        chain = str(contents.manifest["backup_id"])
                    elif name.startswith(BLOBS):
                        written.append(_put_blob(settings, clock, name.removeprefix(BLOBS), reader))
                    elif final and name in (database.SQLITE_MEMBER, SECRETS, ANCHOR):
                        target = _target(settings, name)
                        if name == database.SQLITE_MEMBER:
                            restorer.take(reader)
                        else:
                            _write_new(target, reader)
                        written.append(target)
                    elif final and name.startswith(database.PG_PREFIX):
                        restorer.take(reader)
                    progress(before + source.tell(), total)
            before += path.stat().st_size
        restorer.finish()
    except BaseException:
        restorer.abandon()
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return contents


def _check_chain(manifest: dict[str, object], chain: str, path: Path) -> None:
    base = str(manifest.get("base") or "")
    if base != chain:
        if not chain:
            raise RestoreRefused(
                f"{path} is an incremental backup: give its full backup (and any incremental "
                "ones between) before it"
            )
        raise RestoreRefused(f"{path} was not made on the backup given before it")


def _require_empty(settings: Settings) -> None:
    found = [
        p
        for p in (settings.secrets_path, settings.audit_anchor_path)
        if p.exists() and p.stat().st_size > 0
    ]
    if settings.blob_dir.exists() and any(_stored_blobs(settings.blob_dir)):
        found.append(settings.blob_dir)
    if not database.is_empty(settings.db_url):
        found.append(Path(database.sqlite_path(settings.db_url) or "the database"))
    if found:
        names = ", ".join(str(p) for p in found)
        raise RestoreRefused(f"the target is not empty ({names}); restore into an empty one")


def _stored_blobs(root: Path) -> Iterator[Path]:
    for directory in [root / s for s in SHARDS] + [root / "hour", root / "new"]:
        with contextlib.suppress(FileNotFoundError):
            yield from directory.iterdir()
    with contextlib.suppress(FileNotFoundError):
        yield from (p for p in (root / "pool").iterdir() if p.stat().st_size > 0)


def _target(settings: Settings, name: str) -> Path:
    if name == SECRETS:
        return settings.secrets_path
    if name == ANCHOR:
        return settings.audit_anchor_path
    return Path(database.sqlite_path(settings.db_url) or "")


def _put_blob(settings: Settings, clock: Clock, blob_id: str, reader: BinaryIO) -> Path:
    if len(blob_id) != 32 or not all(c in HEX for c in blob_id):
        raise ArchiveDamaged(f"the archive names a blob {blob_id!r} that cannot be one")
    target = settings.blob_dir / blob_id[:2] / blob_id
    _write_new(target, reader)
    filetimes.to_day(target, clock)
    return target


def _write_new(target: Path, reader: BinaryIO) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as sink:
        shutil.copyfileobj(reader, sink, 1 << 20)
        sink.flush()
        os.fsync(sink.fileno())


def _named(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(select(Attachment.blob_id)).scalars())


def _revision(engine: Engine) -> str:
    with engine.connect() as connection:
        try:
            return str(connection.execute(text("select version_num from alembic_version")).scalar())
        except Exception:  # noqa: BLE001 - a database never migrated has no revision
            return ""


def _size(blobs: Blobs, blob_id: str) -> int:
    try:
        return blobs.size(blob_id)
    except BlobMissing:
        return 0


def _bytes(name: str, data: bytes) -> Member:
    return Member(name, len(data), lambda: _Replay(data))


def _file(name: str, path: Path) -> Member:
    return Member(name, path.stat().st_size, lambda: open(path, "rb"))  # noqa: SIM115


def _drain(reader: BinaryIO) -> None:
    while reader.read(1 << 20):
        pass


class _Replay:
    def __init__(self, data: bytes) -> None:
        self._io = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._io.read(size)

    def __enter__(self) -> _Replay:
        return self

    def __exit__(self, *exc: object) -> None:
        self._io.close()


class _Held:
    """A blob opened before its size was read, closed (with what opened it) once copied."""

    def __init__(self, handle: BinaryIO, stack: contextlib.ExitStack) -> None:
        self.handle = handle
        self.stack = stack

    def read(self, size: int = -1) -> bytes:
        return self.handle.read(size)

    def __enter__(self) -> _Held:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()
