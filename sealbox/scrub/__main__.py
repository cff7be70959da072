"""`python -m sealbox.scrub FILE...`: the scrub command on its own."""

import typer

from sealbox.scrub.cli import register


def main() -> None:
    app = typer.Typer(add_completion=False, no_args_is_help=True)
    register(app)

    @app.callback()
    def _root() -> None:
        """Sealbox metadata removal."""

    app(args=["scrub", *__import__("sys").argv[1:]], prog_name="python -m sealbox.scrub")


if __name__ == "__main__":  # the worker's fork server re-imports this module: keep the guard
    main()
