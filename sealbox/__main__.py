"""`python -m sealbox` is the `sealbox` command."""

from sealbox.cli import main

main()
