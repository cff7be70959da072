"""`sealbox backup key add | remove | list`, `backup create`, `backup verify`, `backup restore`.

The server holds only the public half of each offline backup key: it can seal a backup and
never open one. Verifying and restoring take the private half (`-i`, an age identity file),
which belongs on the machine the restore runs on, not on the server that makes backups.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

backup_app = typer.Typer(
    help="Back up the instance sealed to an offline key; verify and restore backups.",
    no_args_is_help=True,
)
key_app = typer.Typer(help="The offline keys backups are sealed to.", no_args_is_help=True)
backup_app.add_typer(key_app, name="key")
DataDir = typer.Option(None, "--data-dir", "-d", help="Data directory (default: ./data).")
IdentityFile = typer.Option(
    ..., "--identity", "-i", help="The offline key's identity file (AGE-SECRET-KEY-1...)."
)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _settings(data_dir: Path | None):
    from sealbox import settings

    try:
        return settings.load(**({"data_dir": data_dir} if data_dir else {}))
    except ValueError as exc:
        _fail(f"configuration: {exc}", 2)


def _services(data_dir: Path | None):
    from sealbox import services
    from sealbox.store.schema_version import SchemaMismatch

    try:
        return services.build(_settings(data_dir), migrate=False)
    except SchemaMismatch as exc:  # back up with the release that wrote the database
        _fail(str(exc))


def _key_file(path: Path) -> str:
    """The text of an age identity file (parsed where it is used)."""
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        _fail(f"{path}: {exc.strerror}", 2)
        raise  # unreachable: _fail exits


class _Progress:
    """One line on stderr per tenth of the work (or every 5 s), and one at the end."""

    def __init__(self, verb: str) -> None:
        self.verb = verb
        self.shown = -1
        self.at = 0.0

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // total if total else 10
        now = time.monotonic()
        if tenth > self.shown or now - self.at > 5:
            self.shown, self.at = tenth, now
            percent = done * 100 // total if total else 100
            print(
                f"{self.verb}: {_mib(done)} of {_mib(total)} ({percent} %)",
                file=sys.stderr,
                flush=True,
            )


def _mib(count: int) -> str:
    return f"{count / (1 << 20):.1f} MiB"


@key_app.command("add")
def key_add(public_key: str, data_dir: Path | None = DataDir) -> None:
    """Seal every later backup to this offline key too (age1..., from `age-keygen`)."""
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.backup.recipients import BadKey

    try:
        recipient, added = _services(data_dir).backups.add_key(COMMAND_LINE, public_key)
    except BadKey as exc:
        _fail(str(exc), 2)
    state = "registered" if added else "already registered"
    typer.echo(f"{recipient} {state} (fingerprint {recipient.fingerprint}).")


@key_app.command("remove")
def key_remove(public_key: str, data_dir: Path | None = DataDir) -> None:
    """Stop sealing backups to this key (backups already made still open with it)."""
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.backup.recipients import BadKey

    try:
        removed = _services(data_dir).backups.remove_key(COMMAND_LINE, public_key)
    except BadKey as exc:
        _fail(str(exc), 2)
    if not removed:
        _fail(f"{public_key} is not registered")
    typer.echo(f"{public_key} removed.")


@key_app.command("list")
def key_list(data_dir: Path | None = DataDir) -> None:
    """The registered offline keys and their fingerprints."""
    keys = _services(data_dir).backups.keys()
    for key in keys:
        typer.echo(f"{key}  {key.fingerprint}")
    if not keys:
        typer.echo("No offline backup key is registered (sealbox backup key add age1...).")


@backup_app.command("create")
def create(
    output: Path = typer.Option(..., "--output", "-o", help="The backup file to write."),
    to: list[str] = typer.Option([], "--to", help="Seal to this key too (age1...); repeatable."),
    base: Path | None = typer.Option(
        None,
        "--base",
        help="Incremental: the .blobs list written beside an earlier backup; only blobs it "
        "lacks are included (the database is always whole).",
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Write a consistent backup (database, blobs, instance secrets), sealed to offline keys."""
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.backup.backups import RestoreRefused
    from sealbox.backup.database import DatabaseCopyFailed
    from sealbox.backup.recipients import BadKey
    from sealbox.backup.service import NoBackupKey

    if output.exists():
        _fail(f"{output} exists; choose a new file name", 2)
    svc = _services(data_dir)
    try:
        made = svc.backups.create(COMMAND_LINE, output, to, base, _Progress("backed up"))
    except BadKey as exc:
        _fail(str(exc), 2)
    except (NoBackupKey, DatabaseCopyFailed, RestoreRefused) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{output}: {exc.strerror or exc}")
    kind = f"incremental on {base}, " if base else ""
    typer.echo(
        f"Backup {made.backup_id} written to {output} ({kind}{made.blobs} files, "
        f"{_mib(made.size)} sealed). Blob list for the next incremental: {made.ids_file}"
    )


@backup_app.command("verify")
def verify(
    backup: Path,
    identity: Path = IdentityFile,
) -> None:
    """Open the whole backup with the offline key and check every part against its checksum."""
    from sealbox.backup import backups
    from sealbox.backup.archive import ArchiveDamaged
    from sealbox.backup.recipients import BadKey

    key = _key_file(identity)
    try:
        contents = backups.verify(backup, key, _Progress("verified"))
    except BadKey as exc:
        _fail(f"{identity}: {exc}", 2)
    except ArchiveDamaged as exc:
        _fail(f"{backup}: {exc}")
    except OSError as exc:
        _fail(f"{backup}: {exc.strerror or exc}", 2)
    manifest = contents.manifest
    typer.echo(
        f"{backup}: intact. Backup {manifest['backup_id']} of {manifest['made_on']} "
        f"(Sealbox {manifest['sealbox']}, {manifest['database']}), {contents.members} parts, "
        f"{contents.blobs} files."
    )


@backup_app.command("restore")
def restore(
    backups_: list[Path] = typer.Argument(
        ..., metavar="BACKUP...", help="A full backup, then any incremental ones, in order."
    ),
    identity: Path = IdentityFile,
    data_dir: Path | None = DataDir,
) -> None:
    """Restore into an empty data directory and database (set by the usual settings)."""
    from sealbox import services
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.backup import backups
    from sealbox.backup.archive import ArchiveDamaged
    from sealbox.backup.backups import RestoreRefused
    from sealbox.backup.database import DatabaseCopyFailed
    from sealbox.backup.recipients import BadKey
    from sealbox.clock import Clock
    from sealbox.jobs import orphans

    key = _key_file(identity)
    config = _settings(data_dir)
    try:
        contents = backups.restore(config, backups_, key, Clock(), _Progress("restored"))
    except BadKey as exc:
        _fail(f"{identity}: {exc}", 2)
    except RestoreRefused as exc:
        _fail(str(exc), 2)
    except (ArchiveDamaged, DatabaseCopyFailed) as exc:
        _fail(f"{exc}; nothing was kept")
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror or exc}; nothing was kept")
    svc = services.build(config)  # brings an older backup's schema to this release's
    swept = orphans.sweep(svc.db, svc.blobs)  # blobs of reports deleted since the base
    svc.backups.restored(COMMAND_LINE, contents)
    typer.echo(
        f"Restored backup {contents.manifest['backup_id']} of {contents.manifest['made_on']} "
        f"into {config.data_dir.resolve()} ({contents.blobs} files"
        + (f", {swept} no longer named left out" if swept else "")
        + "). Start Sealbox as usual."
    )


def register(app: typer.Typer) -> None:
    """Add the `backup` command group to the `sealbox` command."""
    app.add_typer(backup_app, name="backup")
