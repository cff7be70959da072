"""`sealbox audit verify | anchor | export | head`: check the log, sign its head, write it out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sealbox.audit import anchor
from sealbox.audit.service import AuditTrail

if TYPE_CHECKING:  # each command builds the services itself, when it runs
    from sealbox.services import Services

audit_app = typer.Typer(
    help="Verify, anchor, export and witness the audit log.", no_args_is_help=True
)
DataDir = typer.Option(None, "--data-dir", "-d", help="Data directory (default: ./data).")


def _services(data_dir: Path | None) -> Services:
    from sealbox import services, settings
    from sealbox.store.schema_version import SchemaMismatch

    try:
        config = settings.load(data_dir=data_dir) if data_dir else settings.load()
    except ValueError as exc:  # a setting that cannot work (its message says which and why)
        typer.secho(f"error: configuration: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    try:
        return services.build(config, migrate=False)
    except SchemaMismatch as exc:  # behind or ahead: the message names the command to run
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


def _read_anchor(path: Path) -> anchor.Anchor:
    try:
        return AuditTrail.read_anchor(path.read_text(encoding="utf-8", errors="replace"))
    except OSError as exc:
        typer.secho(f"error: {path}: {exc.strerror}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    except anchor.BadAnchor as exc:
        typer.secho(f"error: {path}: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


@audit_app.command("verify")
def verify_command(
    data_dir: Path | None = DataDir,
    anchors: list[Path] = typer.Option(
        [],
        "--anchor",
        help="An anchor you kept (mailed, downloaded, or from `audit anchor`); repeatable. "
        "The server's own newest anchor is always checked.",
    ),
    expect_head: str | None = typer.Option(
        None,
        "--expect-head",
        help="A head hash witnessed earlier; detects entries cut off the end.",
    ),
) -> None:
    """Check every entry's hash, link and key, and that the log still holds each anchor.

    Exit 1 and name the first broken link if any.
    """
    extra = [_read_anchor(path) for path in anchors]
    svc = _services(data_dir)
    checked = svc.audit_trail.verify(None, extra, expect_head)
    verdict = checked.verdict
    if verdict is None:
        typer.secho(f"BROKEN: {checked.anchor_problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    if not verdict.intact:
        typer.secho(
            f"BROKEN at entry {verdict.broken_at}: {verdict.problem}.",
            fg=typer.colors.RED,
            err=True,
        )
        typer.echo(
            f"The {verdict.count} entries before it are intact (head {verdict.head}).", err=True
        )
        raise typer.Exit(1)
    typer.echo(f"OK: {verdict.count} entries, chain intact. Head: {verdict.head}")
    if verdict.legacy:
        typer.echo(
            f"  Entries 1-{verdict.legacy} predate the audit key; entry {verdict.keyed_from}, "
            "which is keyed, seals them."
        )
    for held in verdict.anchored:
        typer.echo(f"  Holds the anchor of {held.signed_at} (entry {held.seq}).")


@audit_app.command("anchor")
def anchor_command(
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Also save the anchor to this file (keep it off the server)."
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Verify the log, then sign its head now and print it (the server keeps a copy too)."""
    svc = _services(data_dir)
    try:
        signed = svc.audit_trail.sign_anchor(None)
    except anchor.LogBroken as exc:
        typer.secho(
            f"BROKEN at entry {exc.verdict.broken_at}: {exc.verdict.problem}. Nothing signed.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1) from None
    except anchor.BadAnchor as exc:
        typer.secho(f"BROKEN: {exc} Nothing signed.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    if output is not None:
        output.write_text(signed.to_text(), encoding="ascii")
        typer.echo(f"Saved the anchor of entry {signed.seq} to {output}.", err=True)
    typer.echo(signed.to_text(), nl=False)


@audit_app.command("export")
def export_command(
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write (default: standard output)."
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Write the whole log as JSON Lines, with the hashes needed to re-verify it elsewhere."""
    svc = _services(data_dir)
    if output is None:
        svc.audit_trail.export(None, sys.stdout)
        return
    with open(output, "w", encoding="utf-8") as sink:
        count = svc.audit_trail.export(None, sink)
    typer.echo(f"Wrote {count} entries to {output}.", err=True)


@audit_app.command("head")
def head_command(data_dir: Path | None = DataDir) -> None:
    """Print the newest entry's number and hash, to be witnessed somewhere else."""
    seq, head = _services(data_dir).audit_trail.head()
    typer.echo(f"{seq} {head}")


def register(app: typer.Typer) -> None:
    """Add the `audit` command group to the `sealbox` command."""
    app.add_typer(audit_app, name="audit")
