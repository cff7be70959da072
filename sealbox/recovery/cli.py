"""`sealbox recovery-key add | list` and `sealbox recovery export | open | import`.

`open` runs on an offline machine with the organisation's recovery key: it reads a bundle and
writes one, and touches no server, database or settings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

key_app = typer.Typer(
    help="Register the organisation's offline recovery key (its public half).",
    no_args_is_help=True,
)
recovery_app = typer.Typer(
    help="Give a reset account its reports back, with the offline recovery key.",
    no_args_is_help=True,
)
DataDir = typer.Option(None, "--data-dir", "-d", help="Data directory (default: ./data).")


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _services(data_dir: Path | None):
    from sealbox import services, settings
    from sealbox.store.schema_version import SchemaMismatch

    try:
        config = settings.load(**({"data_dir": data_dir} if data_dir else {}))
    except ValueError as exc:
        _fail(f"configuration: {exc}", 2)
    try:
        return services.build(config, migrate=False)
    except SchemaMismatch as exc:  # behind or ahead: the message names the command to run
        _fail(str(exc))


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"{path}: {exc.strerror}", 2)
    except ValueError:
        _fail(f"{path}: not a recovery bundle (not JSON)", 2)


def _write_json(path: Path, value: object) -> None:
    if path.exists():
        _fail(f"{path} exists; choose a new file name", 2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1)


@key_app.command("add")
def key_add(public_key: str, data_dir: Path | None = DataDir) -> None:
    """Wrap every report's keys to this offline key too (age1..., from `age-keygen`)."""
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.backup.recipients import BadKey

    try:
        recipient, missing = _services(data_dir).recovery.add_key(COMMAND_LINE, public_key)
    except BadKey as exc:
        _fail(str(exc), 2)
    typer.echo(f"Recovery key {recipient} registered (fingerprint {recipient.fingerprint}).")
    waiting = sum(missing.values())
    if waiting:
        typer.echo(
            f"{waiting} key(s) of existing reports are wrapped to it as their holders next log "
            "in (the server cannot open them without a holder); `sealbox recovery-key list` "
            "shows how many are left."
        )


@key_app.command("list")
def key_list(data_dir: Path | None = DataDir) -> None:
    """The registered recovery keys, and the report keys not yet wrapped to them."""
    svc = _services(data_dir)
    keys = svc.recovery.keys()
    for key in keys:
        typer.echo(f"{key}  {key.fingerprint}")
    if not keys:
        typer.echo("No recovery key is registered (sealbox recovery-key add age1...).")
        return
    missing = svc.recovery.missing()
    typer.echo(
        "Not yet wrapped: "
        + ", ".join(f"{count} {kind} key(s)" for kind, count in missing.items())
        + " (each is wrapped at the next login of a staff member who holds it)."
    )


@recovery_app.command("export")
def export(
    user: str = typer.Option(..., "--user", help="The account whose reports come back."),
    output: Path = typer.Option(..., "--output", "-o", help="The bundle to write."),
    data_dir: Path | None = DataDir,
) -> None:
    """Write the recovery wraps of every key USER holds or held before a reset (audited)."""
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.errors import SealboxError

    svc = _services(data_dir)
    try:
        exported = svc.recovery.export(COMMAND_LINE, user)
    except SealboxError as exc:
        _fail(str(exc))
    _write_json(output, exported.bundle)
    typer.echo(f"{exported.keys} wrapped key(s) of {user} written to {output}.")
    if exported.without_wrap:
        typer.echo(
            f"{exported.without_wrap} key(s) have no recovery wrap (made before the recovery "
            "key, and no holder has logged in since): they cannot be recovered."
        )


@recovery_app.command("open")
def open_(
    bundle: Path,
    identity: Path = typer.Option(
        ..., "--identity", "-i", help="The offline recovery key (AGE-SECRET-KEY-1...)."
    ),
    to: str = typer.Option(..., "--to", help="The account's new public key (age1...)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Default: BUNDLE.reopened"),
) -> None:
    """Offline: re-wrap each key of BUNDLE to the account's new public key. Compare the new
    key's fingerprint with its holder (in person or by phone) before you hand it back."""
    from sealbox.backup.recipients import BadKey
    from sealbox.recovery import bundles

    try:
        key_text = identity.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        _fail(f"{identity}: {exc.strerror}", 2)
    try:
        done = bundles.reopen(_read_json(bundle), key_text, to)
    except BadKey as exc:
        _fail(str(exc), 2)
    except bundles.BadBundle as exc:
        _fail(f"{bundle}: {exc}", 2)
    recipient = done.bundle["to"]
    target = output or bundle.with_name(bundle.name + ".reopened")
    _write_json(target, done.bundle)
    typer.echo(
        f"{done.reopened} key(s) wrapped to {recipient} (fingerprint {done.fingerprint}) "
        f"in {target}: compare the fingerprint with the account's holder before import."
    )
    if done.other_keys or done.damaged:
        typer.echo(
            f"Left out: {done.other_keys} wrapped to another recovery key, "
            f"{done.damaged} that did not open."
        )


@recovery_app.command("import")
def import_(bundle: Path, data_dir: Path | None = DataDir) -> None:
    """Store a reopened bundle's keys as its account's own (audited)."""
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.errors import SealboxError
    from sealbox.recovery.bundles import BadBundle

    reopened = _read_json(bundle)
    user = reopened.get("user", "") if isinstance(reopened, dict) else ""
    svc = _services(data_dir)
    try:
        stored = svc.recovery.accept(COMMAND_LINE, str(user), reopened)
    except BadBundle as exc:
        _fail(f"{bundle}: {exc}", 2)
    except SealboxError as exc:
        _fail(str(exc))
    typer.echo(f"{stored} key(s) given back to {user}.")


def register(app: typer.Typer) -> None:
    """Add the `recovery-key` and `recovery` command groups to the `sealbox` command."""
    app.add_typer(key_app, name="recovery-key")
    app.add_typer(recovery_app, name="recovery")
