"""Running the `sealbox` command in-process against a test instance's data and database."""

from __future__ import annotations

from typer.testing import CliRunner

from sealbox.cli import app
from sealbox.services import Services


def sealbox(services: Services, *args: str, input: str | None = None):
    """Invoke `sealbox ARGS --data-dir ...` with the instance's database URL in the environment."""
    settings = services.settings
    env = {"SEALBOX_DATABASE_URL": settings.database_url, "SEALBOX_JOBS_IN_PROCESS": "0"}
    return CliRunner().invoke(
        app, [*args, "--data-dir", str(settings.data_dir)], env=env, input=input
    )
