"""`python -m sealbox.scrub FILE...`: the scrub command on its own."""

import sys


def main() -> None:
    from sealbox import logs

    logs.setup("warning")
    from sealbox.scrub.cli import main as scrub

    sys.exit(scrub(sys.argv[1:], "python -m sealbox.scrub"))


if __name__ == "__main__":
    main()
