"""`sealbox scrub FILE... [-o DIR] [--json] [--strict]`: the intake cleaning, for anyone's files."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from sealbox.scrub.detect import detect
from sealbox.scrub.filenames import sanitise_filename
from sealbox.scrub.model import CleanOptions, CleanResult, Outcome
from sealbox.scrub.registry import modules, supported_kinds
from sealbox.scrub.worker import clean_forked, clean_isolated, preload_for, prestart

if TYPE_CHECKING:
    import typer

EXIT_OK, EXIT_CANNOT_CLEAN, EXIT_USAGE = 0, 1, 2
Cleaning = Callable[[bytes, CleanOptions], CleanResult]


def output_path(source: Path, output_dir: Path | None) -> Path:
    """NAME.clean.EXT next to the input, or NAME.EXT inside `output_dir`."""
    if output_dir is not None:
        return output_dir / source.name
    return source.with_name(f"{source.stem}.clean{source.suffix}")


def scrub(
    files: list[Path],
    output_dir: Path | None,
    as_json: bool,
    strict: bool = False,
    jobs: int | None = None,
) -> int:
    """Clean each file into a copy and print what was removed; returns the exit code."""
    missing = [f for f in files if not f.is_file()]
    if not files or missing:
        for f in missing:
            print(f"sealbox scrub: no such file: {f}", file=sys.stderr)
        if not files:
            print("sealbox scrub: give at least one file", file=sys.stderr)
        return EXIT_USAGE
    if output_dir is not None:
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"sealbox scrub: cannot create {output_dir}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
    options = CleanOptions(strict_images=strict)
    workers = max(1, jobs or os.cpu_count() or 1)
    kinds = _kinds(files)
    if len(files) == 1 or workers == 1:
        # One at a time: each child is forked from this process, which has loaded the
        # cleaners first; no second interpreter to start, no thread to fork beside.
        for name in modules(kinds):
            importlib.import_module(name)
        done = [_one(f, output_dir, options, clean_forked) for f in files]
    else:
        # Several at once, each in its own child of the zygote (forking from threads is not
        # safe), like MAT2's pool.
        prestart(preload=False)
        preload_for(kinds)
        with ThreadPoolExecutor(workers) as pool:
            done = list(pool.map(lambda f: _one(f, output_dir, options, clean_isolated), files))
    status = EXIT_OK
    for source, target, result, error in done:
        if error:
            print(f"sealbox scrub: {error}", file=sys.stderr)
            return EXIT_USAGE
        if result.data is None:
            status = EXIT_CANNOT_CLEAN
        if not as_json:
            _print_human(source, target, result)
    if as_json:
        print(json.dumps([_json(s, t, r) for s, t, r, _ in done], indent=2, ensure_ascii=False))
    return status


def _kinds(files: list[Path]) -> set[str]:
    """The types of these files, from their first bytes (every type if one is an archive)."""
    kinds = set()
    for f in files:
        try:
            with f.open("rb") as fh:
                kinds.add(detect(fh.read(4096), deep=False))
        except OSError:
            continue  # reported when the file is read for cleaning
    if "application/zip" in kinds:
        kinds |= supported_kinds()
    return kinds


def _one(
    source: Path, output_dir: Path | None, options: CleanOptions, clean: Cleaning
) -> tuple[Path, Path | None, CleanResult | None, str | None]:
    """Read, clean and write one file; an OSError becomes the message to print."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        return source, None, None, f"cannot read {source}: {exc.strerror}"
    result = clean(data, options)
    del data
    target = None
    if result.data is not None:
        target = output_path(source, output_dir)
        try:
            target.write_bytes(result.data)
        except OSError as exc:
            return source, target, result, f"cannot write {target}: {exc.strerror}"
    return source, target, result, None


def _json(source: Path, target: Path | None, result: CleanResult) -> dict:
    return {
        "file": str(source),
        "output": None if target is None else str(target),
        **result.to_json(),
    }


def _print_human(source: Path, target: Path | None, result: CleanResult) -> None:
    name = sanitise_filename(str(source))
    print(f"{name} ({result.kind})")
    print(f"  {result.summary()}")
    if result.removed_content():
        print(f"  {result.removed_content()}")
    for notice in result.residual:
        print(f"  Note: {notice.text()}")
    if target is not None and result.outcome is not Outcome.CANNOT_CLEAN:
        print(f"  Clean copy: {target}")


def parser(prog: str = "sealbox scrub") -> argparse.ArgumentParser:
    """The command line of `sealbox scrub` (argparse: it starts in milliseconds)."""
    cli = argparse.ArgumentParser(
        prog=prog,
        description="Remove identifying metadata (GPS, camera serials, authors, dates...) "
        "from files.",
        epilog="Exit status: 0 all cleaned, 1 some file cannot be cleaned, 2 usage error.",
    )
    cli.add_argument("files", nargs="+", type=Path, metavar="FILE", help="Files to clean.")
    cli.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        help="Write clean copies here (default: next to each file, as NAME.clean.EXT).",
    )
    cli.add_argument("--json", action="store_true", help="Print the findings as JSON.")
    cli.add_argument(
        "--strict", action="store_true", help="Re-render every picture (slower, lossy)."
    )
    cli.add_argument(
        "-j",
        "--jobs",
        type=_at_least_one,
        metavar="N",
        help="Files cleaned at once (default: one per CPU).",
    )
    return cli


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def main(argv: list[str], prog: str = "sealbox scrub") -> int:
    """Parse `argv` (after the command name) and clean; returns the exit status."""
    args = parser(prog).parse_args(argv)
    return scrub(args.files, args.output_dir, args.json, args.strict, args.jobs)


def register(app: typer.Typer) -> None:
    """Add the `scrub` command to a Typer app; it hands its arguments to `main` unparsed."""
    import typer

    def scrub_command(ctx: typer.Context) -> None:
        """Remove identifying metadata (GPS, camera serials, authors, dates...) from files."""
        prog = f"{ctx.parent.info_name} scrub" if ctx.parent else "scrub"
        try:
            status = main(list(ctx.args), prog)
        except SystemExit as exc:  # argparse's usage errors and --help
            status = exc.code if isinstance(exc.code, int) else EXIT_USAGE
        raise typer.Exit(status)

    scrub_command.__annotations__ = {"ctx": typer.Context, "return": None}  # typer reads these
    app.command(
        "scrub",
        add_help_option=False,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )(scrub_command)
