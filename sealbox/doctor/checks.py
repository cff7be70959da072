"""The checks of `sealbox doctor`, each a function of the settings that returns findings.

Each finding is one line a person can act on: what is wrong and the command or setting that
fixes it. The checks read and probe; they never create, migrate or repair anything (a missing
secrets file is reported, not made), so running the doctor on a broken instance changes nothing.
"""

from __future__ import annotations

import datetime as dt
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import Engine

from sealbox.clock import Clock
from sealbox.crypto import KdfParams
from sealbox.settings import MIB, Settings
from sealbox.store import schema_version, space
from sealbox.store.db import make_engine

# No Sealbox release exists before this day: a clock before it is wrong, whatever the log says.
EARLIEST = dt.date(2025, 1, 1)
# The Argon2id cost below which a stolen database's passphrases and passwords are cheap to guess
# (RFC 9106's second recommended option, Sealbox's default).
MINIMUM_KDF = KdfParams()


@dataclass(frozen=True)
class Finding:
    ok: bool
    line: str


Check = Callable[[Settings, "Probe"], Iterator[Finding]]


class Probe:
    """What several checks share: the database engine (made once, never migrated) and the clock."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.clock = clock
        self.engine: Engine | None = None
        # A SQLite file that is not there is reported, not made by connecting to it.
        self.missing = (
            settings.db_url.startswith("sqlite:///")
            and not Path(settings.db_url.removeprefix("sqlite:///")).is_file()
        )
        if not self.missing:
            self.engine = make_engine(settings.db_url, busy_seconds=2.0)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def _private(path: Path, want: int, what: str) -> Iterator[Finding]:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        yield Finding(
            False, f"{path} can be read by others ({oct(mode)[2:]}): chmod {want:o} {path}"
        )
    else:
        yield Finding(True, f"{what} {path} is private ({oct(mode)[2:]})")


def permissions(settings: Settings, probe: Probe) -> Iterator[Finding]:
    """The data directory (0700) and the secrets file (0600) are the service user's alone."""
    data = settings.data_dir
    if not data.is_dir():
        yield Finding(False, f"{data} does not exist: run `sealbox init` (or restore a backup)")
        return
    yield from _private(data, 0o700, "data directory")
    secrets = settings.secrets_path
    if not secrets.is_file():
        yield Finding(
            False,
            f"{secrets} is missing: restore it from a backup (without it no source can log in), "
            "or run `sealbox init` on a new instance",
        )
        return
    yield from _private(secrets, 0o600, "secrets file")


def database(settings: Settings, probe: Probe) -> Iterator[Finding]:
    """The database answers, and its schema is this release's."""
    if probe.engine is None:
        if settings.data_dir.is_dir():
            yield Finding(False, f"there is no database at {settings.db_url}: run `sealbox init`")
        return
    try:
        state = schema_version.state(probe.engine)
    except sa_exc.DBAPIError as exc:
        yield Finding(
            False,
            f"the database does not answer ({type(exc.orig).__name__}): check database_url "
            "and that the database server runs",
        )
        return
    refusal = state.refusal()
    if refusal is not None:
        yield Finding(False, str(refusal))
    else:
        yield Finding(True, f"the database schema is this release's ({state.head})")


def blob_store(settings: Settings, probe: Probe) -> Iterator[Finding]:
    """Uploads can be written where they go (an unnamed file, gone when closed)."""
    if not settings.data_dir.is_dir():
        return  # said by the permissions check
    for directory in (settings.blob_dir / "new", settings.tmp_dir):
        try:
            with tempfile.TemporaryFile(dir=directory, buffering=0) as sample:
                sample.write(b"\0")
        except OSError as exc:
            yield Finding(
                False,
                f"{directory} cannot take a file ({exc.strerror}): make it a directory the "
                "service user can write (chown -R sealbox: and chmod 700), or run `sealbox init`",
            )
            return
    yield Finding(True, f"the blob store {settings.blob_dir} takes files")


def mail(settings: Settings, probe: Probe) -> Iterator[Finding]:
    """The SMTP server accepts a connection (when mail is configured)."""
    if not settings.smtp_host:
        yield Finding(True, "mail is not configured (set smtp_host to notify staff)")
        return
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        socket.create_connection(
            (settings.smtp_host, settings.smtp_port),
            timeout=min(5.0, settings.smtp_timeout_seconds),
        ).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        yield Finding(
            False,
            f"the mail server {where} cannot be reached ({reason}): check smtp_host, "
            "smtp_port and the firewall",
        )
        return
    yield Finding(True, f"the mail server {where} answers")


def disk(settings: Settings, probe: Probe) -> Iterator[Finding]:
    """Every filesystem Sealbox writes to has more free space than disk_warning_free_mib."""
    low = {volume.path for volume in space.low(settings)}
    for volume in space.volumes(settings):
        free = volume.free_bytes // MIB
        if volume.path in low:
            yield Finding(
                False,
                f"only {free} MiB free on the filesystem of {volume.path} (below "
                f"disk_warning_free_mib = {settings.disk_warning_free_mib}): free space or grow it",
            )
        else:
            yield Finding(True, f"{free} MiB free on the filesystem of {volume.path}")


def clock(settings: Settings, probe: Probe) -> Iterator[Finding]:
    """The clock is plausible: not before any release, not before the audit log's newest day."""
    today = probe.clock.today()
    if today < EARLIEST:
        yield Finding(False, f"the clock says {today}: set the time (timedatectl set-ntp true)")
        return
    newest = None
    if probe.engine is not None:
        try:
            with probe.engine.connect() as connection:
                newest = connection.execute(text("select max(at) from audit_log")).scalar()
        except sa_exc.DBAPIError:
            newest = None  # no audit log to compare with (said by the database check)
    if isinstance(newest, str):  # SQLite hands back text
        newest = dt.datetime.fromisoformat(newest)
    if newest is not None and today < newest.date():
        yield Finding(
            False,
            f"the clock says {today}, before the newest audit entry ({newest.date()}): set the "
            "time (timedatectl set-ntp true); deadlines and retention follow it",
        )
        return
    yield Finding(True, f"the clock says {today}")


def kdf(settings: Settings, probe: Probe) -> Iterator[Finding]:
    """The Argon2id cost is not below the minimum."""
    below = [
        f"kdf.{name} = {getattr(settings.kdf, name)} (minimum {getattr(MINIMUM_KDF, name)})"
        for name in ("memory_kib", "iterations")
        if getattr(settings.kdf, name) < getattr(MINIMUM_KDF, name)
    ]
    if below:
        yield Finding(
            False,
            f"{', '.join(below)} makes a stolen database's passphrases cheap to guess: remove it "
            "from the configuration of a new instance (a changed cost locks out every source "
            "who already has a passphrase)",
        )
        return
    yield Finding(
        True,
        f"Argon2id costs {settings.kdf.memory_kib // 1024} MiB, {settings.kdf.iterations} passes",
    )


def transport(settings: Settings, probe: Probe) -> Iterator[Finding]:
    """People reach it over TLS or as an onion service, never plain HTTP on a public name."""
    url = settings.webauthn_origin
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.endswith(".onion"):
        yield Finding(True, f"served as an onion service ({host})")
        return
    if parts.scheme == "https":
        if settings.trusted_proxies or settings.secure_cookies:
            yield Finding(True, f"served over HTTPS ({url})")
            return
        yield Finding(
            False,
            f"public_url is {url} but no trusted proxy is set, so cookies are not marked "
            "Secure: set trusted_proxies to the HTTPS proxy's address (deploy/nginx)",
        )
        return
    where = f"public_url is {url}" if url else "public_url is not set"
    yield Finding(
        False,
        f"{where}: serve Sealbox over HTTPS (deploy/nginx, then public_url = https://… and "
        "trusted_proxies) or as an onion service (deploy/torrc, public_url = http://….onion)",
    )


CHECKS: tuple[Check, ...] = (permissions, database, blob_store, mail, disk, clock, kdf, transport)


def run(settings: Settings, clock_: Clock | None = None) -> list[Finding]:
    """Every check's findings, in order."""
    probe = Probe(settings, clock_ or Clock())
    try:
        return [finding for check in CHECKS for finding in check(settings, probe)]
    finally:
        probe.close()
