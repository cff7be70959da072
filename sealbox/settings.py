"""One typed settings object, read from a TOML file and `SEALBOX_*` environment variables."""

from __future__ import annotations

import difflib
import ipaddress
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from sealbox.crypto import KdfParams
from sealbox.scrub.limits import WorkerLimits

MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything an instance can be configured with. Safe defaults throughout."""

    data_dir: Path = Path("data")
    database_url: str = ""
    # SQLite: how long a write waits for another process's before the page says the database
    # did not answer.
    database_busy_seconds: float = 30.0
    # Instance secrets (passphrase salt, cookie, form, second-factor and audit keys), mode 0600.
    # Default: `secrets.toml` in the data directory; put it on another volume (or a systemd
    # credential) so that a copy of the data directory alone opens nothing.
    secrets_file: Path | None = None
    # The server's newest signed audit anchor (default: `audit-anchor.json` in the data directory).
    audit_anchor_file: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    # Per submission (all files and text of one request together).
    max_submission_bytes: int = 500 * MIB
    max_message_chars: int = 100_000
    # Passphrase logins: one global bucket, because sources' addresses are never known.
    source_login_burst: int = 30
    source_login_per_second: float = 2.0
    # Source sessions end after this many minutes without a request, and at the latest after
    # source_session_max_minutes, whatever happens; logging out ends them at once.
    source_session_minutes: int = 30
    source_session_max_minutes: int = 120
    staff_session_idle_minutes: int = 30
    staff_session_max_hours: int = 12
    # Cookies get `Secure` when the request came over HTTPS: directly, or through a reverse proxy
    # listed in trusted_proxies (addresses or networks, comma-separated) that says so with
    # `X-Forwarded-Proto: https`. No one else's header is believed. secure_cookies forces it.
    secure_cookies: bool = False
    trusted_proxies: str = ""
    # Staff logins: after this many failed tries at a name (unknown or not, wrong password or
    # code), and after this many wrong second factors given after an account's right password,
    # each further one makes the name or account wait 2, 4, 8... seconds, never more than
    # staff_backoff_max_seconds. No lockout: the holder still gets in with password and code,
    # or from a browser that logged in before (accounts/login_backoff.py).
    staff_lockout_after: int = 5
    staff_backoff_max_seconds: int = 60
    # The address staff reach this instance at (scheme, host and port, no path), such as
    # https://tips.example.org: security keys and passkeys are bound to its host name (the
    # WebAuthn relying party id) and to this origin. Empty: staff cannot register keys.
    public_url: str = ""
    # A login that passed the password must finish its second factor within this time, and a
    # security-key challenge must be answered within it.
    staff_second_factor_seconds: int = 300
    # The forms that send a report or a follow-up carry a token that works once, and only for
    # this many hours after the form was opened (a used token is remembered until then).
    submission_token_hours: int = 6
    # Ceilings on new reports per UTC hour, for each channel and for the whole instance, in
    # reports and in MiB received. Past any of them new reports are still accepted but land in
    # the channel's quarantine, which its handlers triage. 0 turns a ceiling off.
    channel_reports_per_hour: int = 20
    channel_mib_per_hour: int = 2048
    instance_reports_per_hour: int = 60
    instance_mib_per_hour: int = 8192
    inbox_page_size: int = 50
    kdf: KdfParams = field(default_factory=KdfParams)
    # Argon2id runs on kdf_threads threads (0: one per core); kdf_waiting more may wait, and
    # beyond that a login gets "busy, try again" (503) at once.
    kdf_threads: int = 0
    kdf_waiting: int = 16
    # Uploads (submissions, follow-ups) in progress at once; more get 503 with Retry-After.
    max_uploads: int = 16
    # A request body must not pause longer than body_idle_seconds, and after that long it
    # must average at least body_min_bytes_per_second; otherwise it is cut off (408).
    body_idle_seconds: float = 30.0
    body_min_bytes_per_second: int = 512
    # A request's line and headers must arrive within header_timeout_seconds, in at most
    # max_header_bytes and max_header_count headers (431 beyond).
    header_timeout_seconds: float = 20.0
    max_header_bytes: int = 32 * 1024
    max_header_count: int = 100
    # Files up to this size are cleaned in memory; larger ones are held as "cannot be cleaned".
    scrub_max_bytes: int = 256 * MIB
    scrub_worker_memory_bytes: int = 2048 * MIB
    scrub_worker_cpu_seconds: int = 60
    log_level: str = "info"
    # Outgoing mail (notifications). An empty smtp_host keeps mail queued and says so to admins.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = 15.0
    mail_from: str = "sealbox@localhost"
    mail_max_attempts: int = 10
    mail_retry_seconds: int = 60  # first retry; doubles each time, at most a day
    # "New report" mail leaves at this hour (UTC) only, so its time says nothing finer than the day.
    new_report_mail_hour: int = 7
    # Bulk-access alert: more than this many distinct reports opened within this many minutes.
    bulk_access_threshold: int = 20
    bulk_access_minutes: int = 10
    # Periodic jobs: run inside `sealbox serve` (and/or by cron with `sealbox jobs run`).
    jobs_in_process: bool = True
    jobs_tick_seconds: int = 30
    job_mail_seconds: int = 60
    job_retention_seconds: int = 3600
    job_reminders_seconds: int = 3600
    job_sessions_seconds: int = 300
    # The audit log's signed head is mailed to the auditors once a day.
    job_anchor_seconds: int = 86400
    # The chronology job (hourly, and its first run each day is the daily pass).
    job_chronology_seconds: int = 3600
    # Empty files laid out each day for uploads to be written into; an upload finding none
    # costs one more copy of its file at the next pass (see sealbox.store.blobs).
    blob_pool_size: int = 500
    # Where blobs go: "filesystem" (blob_dir in the data directory; one host, any number of
    # serving processes on it) or "s3" (a bucket of an S3-compatible store that holds nothing
    # else; any number of hosts). Credentials for s3 come from the usual AWS variables
    # (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), a profile or an instance role; see README.
    blob_backend: str = "filesystem"
    s3_bucket: str = ""
    s3_endpoint: str = ""  # empty: AWS
    s3_region: str = "us-east-1"
    s3_path_style: bool = True
    # Parts of a multipart upload: what an upload holds in memory (S3 wants at least 5 MiB).
    s3_part_mib: int = 8
    # Sweeps of other processes' leftovers touch only objects and unfinished uploads older
    # than this: longer than any submission takes, so no live upload is taken.
    s3_orphan_hours: int = 24
    # Admins are warned (start page, a daily mail, the log) when a filesystem Sealbox writes to
    # has less free space than this; the disk job checks every job_disk_seconds.
    disk_warning_free_mib: int = 2048
    job_disk_seconds: int = 300
    # How often each serving process says it is alive (they share the login budget).
    worker_heartbeat_seconds: float = 30.0
    reminder_days_ahead: int = 2

    def __post_init__(self) -> None:
        for name in self.trusted_proxies.replace(",", " ").split():
            try:
                ipaddress.ip_network(name, strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {name!r} is not an IP address or network"
                ) from None
        if self.public_url:
            _check_public_url(self.public_url)
        if self.blob_backend not in ("filesystem", "s3"):
            raise ValueError(f"blob_backend: {self.blob_backend!r} is not filesystem or s3")
        if self.blob_backend == "s3" and not self.s3_bucket:
            raise ValueError("blob_backend is s3: set s3_bucket too")
        if self.s3_part_mib < 5:
            raise ValueError("s3_part_mib: S3 wants parts of at least 5 MiB")

    @property
    def webauthn_origin(self) -> str:
        """The origin security-key ceremonies must come from (empty: no public_url set)."""
        return self.public_url.strip().rstrip("/")

    @property
    def webauthn_rp_id(self) -> str:
        """The WebAuthn relying party id: the public URL's host name."""
        return urlsplit(self.webauthn_origin).hostname or ""

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sealbox.db'}"

    @property
    def scrub_limits(self) -> WorkerLimits:
        return WorkerLimits(
            memory_bytes=self.scrub_worker_memory_bytes,
            cpu_seconds=self.scrub_worker_cpu_seconds,
            wall_seconds=self.scrub_worker_cpu_seconds * 2.0,
        )

    @property
    def secrets_path(self) -> Path:
        return self.secrets_file or self.data_dir / "secrets.toml"

    @property
    def audit_anchor_path(self) -> Path:
        return self.audit_anchor_file or self.data_dir / "audit-anchor.json"

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The reverse proxies whose X-Forwarded-Proto is believed."""
        names = self.trusted_proxies.replace(",", " ").split()
        return tuple(ipaddress.ip_network(name, strict=False) for name in names)

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def tmp_dir(self) -> Path:
        """The only temporary directory the app writes to; it holds ciphertext only."""
        return self.data_dir / "tmp"


def _check_public_url(url: str) -> None:
    parts = urlsplit(url.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"public_url: {url!r} is not an http(s) address such as https://host")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise ValueError(f"public_url: {url!r} must name scheme, host and port only, no path")
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    raise ValueError(
        f"public_url: {url!r} names an IP address; security keys need a host name "
        "(use localhost on this machine)"
    )


# Environment variables with the SEALBOX_ prefix that are not settings: the config file's path,
# and variables the test suite and benchmarks read for themselves.
_NOT_SETTINGS = ("SEALBOX_CONFIG",)
_NOT_SETTINGS_PREFIXES = ("SEALBOX_TEST_", "SEALBOX_BENCH_")
_KINDS = {"int": "a whole number", "float": "a number"}


def _coerce(name: str, kind: type | str, raw: object) -> object:
    kind_name = kind if isinstance(kind, str) else kind.__name__
    kind_name = kind_name.removesuffix(" | None")
    if kind_name == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{name}: {raw!r} is not true or false")
    if kind_name == "Path":
        return Path(str(raw))
    if kind_name in _KINDS:
        try:
            return int(raw) if kind_name == "int" else float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{name}: {raw!r} is not {_KINDS[kind_name]}") from None
    if isinstance(raw, list | tuple):  # a TOML list for a comma-separated setting
        return ",".join(str(item) for item in raw)
    return str(raw)


def _unknown(name: str, where: str, known: list[str]) -> ValueError:
    """A misspelt setting stops the start: silently running on a default is worse."""
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return ValueError(f"{where}: {name} is not a setting{hint}")


def load(
    config_file: Path | None = None, environ: dict[str, str] | None = None, **overrides
) -> Settings:
    """Settings from (lowest first) defaults, the TOML file, the environment, then `overrides`.

    A key that names no setting, in the file or as a `SEALBOX_*` variable, is refused with the
    nearest setting's name, as is a value of the wrong kind."""
    environ = dict(os.environ if environ is None else environ)
    names = [f.name for f in fields(Settings)]
    values: dict[str, object] = {}
    config_file = config_file or (
        Path(environ["SEALBOX_CONFIG"]) if "SEALBOX_CONFIG" in environ else None
    )
    if config_file and config_file.exists():
        try:
            from_file = tomllib.loads(config_file.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{config_file}: not valid TOML ({exc})") from None
        for name in from_file:
            if name not in names:
                raise _unknown(name, str(config_file), names)
        values.update(from_file)
    env_names = [f"SEALBOX_{name.upper()}" for name in names]
    for key, raw in environ.items():
        if not key.startswith("SEALBOX_") or key in _NOT_SETTINGS:
            continue
        if key.startswith(_NOT_SETTINGS_PREFIXES):
            continue
        if key not in env_names:
            raise _unknown(key, "environment", env_names)
        values[key.removeprefix("SEALBOX_").lower()] = raw
    kdf = values.pop("kdf", None)
    typed = {
        f.name: _coerce(f.name, f.type, values[f.name])
        for f in fields(Settings)
        if f.name in values and f.name != "kdf"
    }
    settings = Settings(**typed)
    if isinstance(kdf, dict):
        known = [f.name for f in fields(KdfParams)]
        for name in kdf:
            if name not in known:
                raise _unknown(f"kdf.{name}", "kdf", [f"kdf.{k}" for k in known])
        settings = replace(settings, kdf=KdfParams(**kdf))
    return replace(settings, **overrides)
