"""The `sealbox` command: `sealbox scrub` starts without Typer, everything else through
`sealbox.commands`, which imports each command's modules only when that command runs."""

from __future__ import annotations

import sys


def main() -> None:
    from sealbox import logs

    # Before anything can log: every logger of this process goes through the redacting handler.
    logs.setup("warning")
    if sys.argv[1:2] == ["scrub"]:  # as quick to start as the cleaning itself allows
        from sealbox.scrub.cli import main as scrub

        sys.exit(scrub(sys.argv[2:], "sealbox scrub"))
    from sealbox.commands import app

    app()


def __getattr__(name: str):
    if name == "app":  # `from sealbox.cli import app`, as before the commands moved
        from sealbox.commands import app

        return app
    raise AttributeError(name)
