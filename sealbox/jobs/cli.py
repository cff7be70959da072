"""`sealbox jobs run`: the periodic jobs, for cron (or a loop of its own)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from sealbox.jobs import runner

jobs_app = typer.Typer(
    help="Run the periodic jobs (sessions, retention, reminders, audit anchor, disk, mail).",
    no_args_is_help=True,
)
DataDir = typer.Option(None, "--data-dir", "-d", help="Data directory (default: ./data).")


@jobs_app.command("run")
def run_command(
    once: bool = typer.Option(False, "--once", help="Run what is due once and exit (for cron)."),
    job: list[str] = typer.Option(
        [], "--job", help=f"Only this job (repeatable): {', '.join(runner.JOBS)}."
    ),
    now: bool = typer.Option(False, "--now", help="Run even if not yet due (never if held)."),
    data_dir: Path | None = DataDir,
) -> None:
    """Run the jobs that are due; safe to start on several machines (a lease in the database)."""
    from sealbox import services, settings
    from sealbox.store.schema_version import SchemaMismatch

    try:
        config = settings.load(**({"data_dir": data_dir} if data_dir else {}))
    except ValueError as exc:  # a setting that cannot work (its message says which and why)
        typer.secho(f"error: configuration: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    try:
        svc = services.build(config, migrate=False)
    except SchemaMismatch as exc:  # behind or ahead: the message names the command to run
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    holder = runner.worker_id()
    failed = False
    while True:
        try:
            runs = runner.run_due(svc, holder, only=job or None, force=now)
        except runner.UnknownJob as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None
        for run in runs:
            typer.echo(f"{run.name}: {run.outcome}")
            failed |= not run.ok
        if once:
            break
        time.sleep(svc.settings.jobs_tick_seconds)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the `jobs` command group to the `sealbox` command."""
    app.add_typer(jobs_app, name="jobs")
