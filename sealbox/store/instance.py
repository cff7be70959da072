"""Per-instance secrets, kept in a file outside the database (mode 0600), shared by every worker.

A copy of the database alone must open nothing: the passphrase salt, the form and cookie keys,
the key that seals second factors and the audit key all live here. Losing this file locks every
source out, so it is part of every backup (see README, "Instance secrets").
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import stat
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine


class SecretsFileError(Exception):
    """The secrets file cannot be used as it is (permissions, damage); the message says why."""


@dataclass(frozen=True)
class InstanceSecrets:
    source_salt: bytes  # Argon2id salt for passphrases: a guess is tied to this instance
    form_key: bytes  # HMAC key for form tokens (CSRF)
    cookie_seed: bytes  # seed of the key that seals source session state
    totp_key: bytes  # seed of the key that seals staff second-factor secrets in the database
    audit_key: bytes  # HMAC key of the audit chain: a database copy cannot recompute it
    signing_seed: bytes  # Ed25519 seed: audit anchors (and exports) are signed with it


NAMES = tuple(f.name for f in fields(InstanceSecrets))
LEGACY_TABLE = "instance_secrets"


def load(path: Path, engine: Engine | None = None) -> InstanceSecrets:
    """Read the secrets file, creating it (or the names it lacks) under an exclusive lock.

    Values still held in the database by an older release are moved into the file first, then
    deleted from the database, so an upgraded instance keeps its passphrases working.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        stored = _read(path) if path.exists() else {}
        in_file = set(stored)
        legacy = _legacy_values(engine) if engine is not None else {}
        for name, value in legacy.items():
            stored.setdefault(name, value)
        for name in NAMES:
            if name not in stored:
                stored[name] = secrets.token_bytes(32)
        if set(stored) != in_file:
            _write(path, stored)
        if legacy and engine is not None:
            _drop_legacy(engine)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    return InstanceSecrets(**{name: stored[name] for name in NAMES})


def _read(path: Path) -> dict[str, bytes]:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretsFileError(
            f"{path} can be read by other users (mode {stat.filemode(mode)}); run: chmod 600 {path}"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="ascii"))
        return {name: bytes.fromhex(value) for name, value in raw.items() if name in NAMES}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise SecretsFileError(
            f"{path} is damaged ({type(exc).__name__}); restore it from your backup."
        ) from exc


def _write(path: Path, values: dict[str, bytes]) -> None:
    """Replace the file atomically: a crash leaves the old file or the new one, never half."""
    body = "# Sealbox instance secrets. Back this file up; never share it.\n" + "".join(
        f'{name} = "{values[name].hex()}"\n' for name in NAMES if name in values
    )
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _legacy_values(engine: Engine) -> dict[str, bytes]:
    if not inspect(engine).has_table(LEGACY_TABLE):
        return {}
    with engine.connect() as connection:
        rows = connection.execute(text(f"select name, value from {LEGACY_TABLE}"))  # noqa: S608
        return {name: bytes(value) for name, value in rows if name in NAMES}


def _drop_legacy(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(f"delete from {LEGACY_TABLE}"))  # noqa: S608
