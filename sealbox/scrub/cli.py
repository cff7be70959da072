"""`sealbox scrub FILE... [-o DIR] [--json] [--strict]`: the intake cleaning, for anyone's files."""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer

from sealbox.scrub.filenames import sanitise_filename
from sealbox.scrub.model import CleanOptions, CleanResult, Outcome
from sealbox.scrub.worker import clean_isolated

EXIT_OK, EXIT_CANNOT_CLEAN, EXIT_USAGE = 0, 1, 2


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
    # Each file is cleaned in its own isolated worker; several at a time, like MAT2's pool.
    workers = max(1, jobs or os.cpu_count() or 1)
    with ThreadPoolExecutor(workers) as pool:
        done = list(pool.map(lambda f: _one(f, output_dir, options), files))
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


def _one(
    source: Path, output_dir: Path | None, options: CleanOptions
) -> tuple[Path, Path | None, CleanResult | None, str | None]:
    """Read, clean and write one file; an OSError becomes the message to print."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        return source, None, None, f"cannot read {source}: {exc.strerror}"
    result = clean_isolated(data, options)
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
    for notice in result.residual:
        print(f"  Note: {notice.text()}")
    if target is not None and result.outcome is not Outcome.CANNOT_CLEAN:
        print(f"  Clean copy: {target}")


def register(app: typer.Typer) -> None:
    """Add the `scrub` command to a Typer app."""

    @app.command("scrub")
    def scrub_command(
        files: Annotated[list[Path], typer.Argument(help="Files to clean.", show_default=False)],
        output_dir: Annotated[
            Path | None,
            typer.Option(
                "--output-dir",
                "-o",
                help="Write clean copies here (default: next to each file, as NAME.clean.EXT).",
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the findings as JSON.")
        ] = False,
        strict: Annotated[
            bool, typer.Option("--strict", help="Re-render every picture (slower, lossy).")
        ] = False,
        jobs: Annotated[
            int | None,
            typer.Option(
                "--jobs", "-j", min=1, help="Files cleaned at once (default: one per CPU)."
            ),
        ] = None,
    ) -> None:
        """Remove identifying metadata (GPS, camera serials, authors, dates...) from files.

        Exit status: 0 all cleaned, 1 some file cannot be cleaned, 2 usage error.
        """
        raise typer.Exit(scrub(files, output_dir, as_json, strict, jobs))
