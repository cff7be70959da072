"""`sealbox audit verify | export | head`: check the chain, write it out, witness its head."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from sealbox.audit import export, verify
from sealbox.audit.log import GENESIS
from sealbox.audit.models import AuditEntry

audit_app = typer.Typer(help="Verify, export and witness the audit log.", no_args_is_help=True)
DataDir = typer.Option(None, "--data-dir", "-d", help="Data directory (default: ./data).")


def _services(data_dir: Path | None):
    from sealbox import services, settings

    return services.build(settings.load(**({"data_dir": data_dir} if data_dir else {})))


@audit_app.command("verify")
def verify_command(
    data_dir: Path | None = DataDir,
    expect_head: str | None = typer.Option(
        None,
        "--expect-head",
        help="A head hash witnessed earlier; detects entries cut off the end.",
    ),
) -> None:
    """Check every entry's hash and link; exit 1 and name the first broken link if any."""
    svc = _services(data_dir)
    with svc.db.transaction() as session:
        verdict = verify.verify(session, expect_head)
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


@audit_app.command("export")
def export_command(
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write (default: standard output)."
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Write the whole log as JSON Lines, with the hashes needed to re-verify it elsewhere."""
    svc = _services(data_dir)
    with svc.db.transaction() as session:
        if output is None:
            export.write_jsonl(session, sys.stdout)
            return
        with open(output, "w", encoding="utf-8") as sink:
            count = export.write_jsonl(session, sink)
    typer.echo(f"Wrote {count} entries to {output}.", err=True)


@audit_app.command("head")
def head_command(data_dir: Path | None = DataDir) -> None:
    """Print the newest entry's number and hash, to be witnessed somewhere else."""
    from sqlalchemy import select

    svc = _services(data_dir)
    with svc.db.transaction() as session:
        last = session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    typer.echo(f"{last.seq} {last.hash}" if last else f"0 {GENESIS}")


def register(app: typer.Typer) -> None:
    """Add the `audit` command group to the `sealbox` command."""
    app.add_typer(audit_app, name="audit")
