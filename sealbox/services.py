"""The object graph one process runs on. Built once, handed to the web app and the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sealbox import schema  # noqa: F401  (every table known to this process)
from sealbox.accounts.name_backoff import NameBackoff
from sealbox.accounts.service import Accounts
from sealbox.audit.service import AuditTrail
from sealbox.backup.service import Backups
from sealbox.channels.service import Channels
from sealbox.clock import Clock
from sealbox.disclosure.service import Disclosures
from sealbox.kdf_queue import KdfQueue
from sealbox.notify.service import Mail
from sealbox.recovery.service import Recovery
from sealbox.reports.service import Reports
from sealbox.settings import Settings
from sealbox.sources.service import Sources
from sealbox.store import instance, schema_version
from sealbox.store.blobs import Blobs, BlobStore
from sealbox.store.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    blobs: Blobs
    clock: Clock
    secrets: instance.InstanceSecrets
    # Every Argon2id derivation of this process goes through it (bounded threads and queue).
    kdf: KdfQueue
    # Failed staff logins per name, in this process's memory only (accounts/name_backoff.py).
    login_names: NameBackoff
    # The domain services (one each; every page and command goes through them).
    disclosures: Disclosures = field(init=False)
    audit_trail: AuditTrail = field(init=False)
    mail: Mail = field(init=False)
    sources: Sources = field(init=False)
    accounts: Accounts = field(init=False)
    reports: Reports = field(init=False)
    channels: Channels = field(init=False)
    recovery: Recovery = field(init=False)
    backups: Backups = field(init=False)


def blob_store(settings: Settings, clock: Clock) -> Blobs:
    """The blob store the settings name: the filesystem one, or a bucket (store/s3_blobs.py)."""
    if settings.blob_backend != "s3":
        return BlobStore(settings.blob_dir, settings.tmp_dir, clock)
    from sealbox.store import s3_blobs

    location = s3_blobs.S3Location(
        settings.s3_bucket, settings.s3_endpoint, settings.s3_region, settings.s3_path_style
    )
    return s3_blobs.S3BlobStore(
        s3_blobs.client_for(location),
        settings.s3_bucket,
        clock,
        part_bytes=settings.s3_part_mib * s3_blobs.MIB,
        orphan_age=dt.timedelta(hours=settings.s3_orphan_hours),
    )


def build(
    settings: Settings,
    clock: Clock | None = None,
    migrate: bool = True,
    applied: Callable[[str], object] | None = None,
) -> Services:
    """Open the database and blob store for `settings`.

    migrate=True first brings the schema to this release's head (`sealbox init` and `sealbox
    upgrade`, which prints each revision given to `applied`; the tests' fixtures);
    migrate=False is for everything that serves: it raises SchemaMismatch, touching nothing,
    unless the database is already at this release's head.
    """
    clock = clock or Clock()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = Database(settings.db_url, settings.database_busy_seconds)
    refusal = schema_version.state(db.engine).refusal()
    if refusal is not None and (not migrate or refusal.state.verdict == "ahead"):
        db.dispose()
        raise refusal
    # Secrets first: an older schema still holds them in the database, and the migration that
    # drops that table refuses while it is not empty.
    secrets = instance.load(settings.secrets_path, db.engine)
    # Every audit entry written through this database is keyed with it (sealbox.audit.log).
    db.session_info["audit_key"] = secrets.audit_key
    blobs = blob_store(settings, clock)
    kdf = KdfQueue(settings.kdf, settings.kdf_threads, settings.kdf_waiting)
    services = Services(
        settings=settings,
        db=db,
        blobs=blobs,
        clock=clock,
        secrets=secrets,
        kdf=kdf,
        login_names=NameBackoff(secrets.form_key),
    )
    services.disclosures = Disclosures(services)
    services.audit_trail = AuditTrail(services)
    services.mail = Mail(services)
    services.sources = Sources(services)
    services.accounts = Accounts(services)
    services.reports = Reports(services)
    services.channels = Channels(services)
    services.recovery = Recovery(services)
    services.backups = Backups(services)
    if refusal is not None:
        db.migrate(secrets, applied)
    from sealbox.audit import anchor

    # Once per instance: its first signed anchor (and keys a log that predates keying).
    anchor.adopt(services)
    return services
