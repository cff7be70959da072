"""`python -m sealbox.scrub FILE...`: the scrub command on its own."""

from sealbox.scrub.worker import prestart


def main() -> None:
    from sealbox import logs

    logs.setup("warning")
    prestart()  # the cleaning worker loads its libraries while the command line is parsed
    import typer

    from sealbox.scrub.cli import register

    app = typer.Typer(add_completion=False, no_args_is_help=True)
    register(app)

    @app.callback()
    def _root() -> None:
        """Sealbox metadata removal."""

    app(args=["scrub", *__import__("sys").argv[1:]], prog_name="python -m sealbox.scrub")


if __name__ == "__main__":
    main()
