"""`sealbox doctor`: one line per check, a fix on each failure, non-zero exit on any."""

from __future__ import annotations

from pathlib import Path

import typer

DataDir = typer.Option(None, "--data-dir", "-d", help="Data directory (default: ./data).")


def doctor(data_dir: Path | None = DataDir) -> None:
    """Check this instance: permissions, schema, blob store, mail, disk, clock, KDF, TLS."""
    from sealbox import settings
    from sealbox.doctor import checks

    try:
        config = settings.load(**({"data_dir": data_dir} if data_dir else {}))
    except ValueError as exc:  # a setting that cannot work (its message says which and why)
        typer.secho(f"error: configuration: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    findings = checks.run(config)
    for finding in findings:
        if finding.ok:
            typer.echo(f"ok    {finding.line}")
        else:
            typer.secho(f"FAIL  {finding.line}", fg=typer.colors.RED)
    failed = sum(not finding.ok for finding in findings)
    if failed:
        typer.echo(f"{failed} problem(s) found.")
        raise typer.Exit(1)
    typer.echo("No problems found.")


def register(app: typer.Typer) -> None:
    """Add the `doctor` command to the `sealbox` command."""
    app.command("doctor")(doctor)
