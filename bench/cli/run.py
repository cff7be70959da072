"""Benchmark: how fast the `sealbox` command starts, beside MAT2 and the old main, same run.

    python3 bench/cli/run.py [--runs 20] [--old eed2eb5]

Times whole processes, start to exit: `sealbox --help`, and `sealbox scrub one.jpg` against
`mat2 one.jpg` on the same JPEG (a camera picture with GPS, built here). Each command runs
--runs times, the commands taking turns so that a busy machine weighs on all alike; reported
are the best and the median wall time and the median CPU time (user + system, children
included), which the load on a shared machine disturbs less.

`sealbox` is this tree and the old main a `git archive` of --old (default eed2eb5) beside it,
both started as `python -m sealbox` by this interpreter. MAT2 is Debian's (`apt-get install
mat2`, 0.13); it is skipped with a message when missing. Nothing is fetched.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from scrub import builders  # noqa: E402  (the test fixture builders)


def old_tree(rev: str, into: Path) -> Path | None:
    """The sources of `rev`, unpacked from this repository."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True)
    if archive.returncode != 0:
        print(f"old main skipped: git archive {rev} failed")
        return None
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) for one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--old", default="eed2eb5", help="the old main to compare with")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sealbox-cli-bench-"))
    try:
        photo = work / "one.jpg"
        photo.write_bytes(builders.jpeg((640, 480)))
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work)}
        new = {**base, "PYTHONPATH": str(ROOT)}
        py = [sys.executable, "-m", "sealbox"]
        groups: list[tuple[str, list[tuple[str, list[str], dict[str, str]]]]] = [
            ("--help", [("sealbox (this tree)", [*py, "--help"], new)]),
            ("one.jpg", [("sealbox (this tree)", [*py, "scrub", "one.jpg"], new)]),
        ]
        old = old_tree(args.old, work / "old")
        if old is not None:
            env = {**base, "PYTHONPATH": str(old)}
            groups[0][1].append((f"sealbox (main {args.old})", [*py, "--help"], env))
            groups[1][1].append((f"sealbox (main {args.old})", [*py, "scrub", "one.jpg"], env))
        mat2 = shutil.which("mat2")
        if mat2 is None:
            print("MAT2 skipped: not installed (apt-get install mat2)")
        else:
            version = subprocess.run([mat2, "--version"], capture_output=True, text=True)
            label = version.stdout.strip() or "mat2"
            groups[0][1].append((label, [mat2, "--help"], base))
            groups[1][1].append((label, [mat2, "one.jpg"], base))
        print(
            f"{args.runs} runs each, in turn; load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} CPUs at the start"
        )
        print(f"{'command':<34}{'tool':<26}{'best s':>8}{'median s':>10}{'CPU s':>8}")
        for what, tools in groups:
            walls: dict[str, list[float]] = {name: [] for name, _, _ in tools}
            cpus: dict[str, list[float]] = {name: [] for name, _, _ in tools}
            for _name, cmd, env in tools:  # one warm-up each: disk caches, .pyc files
                measure(cmd, env, work)
            for _ in range(args.runs):
                for name, cmd, env in tools:
                    wall, cpu = measure(cmd, env, work)
                    walls[name].append(wall)
                    cpus[name].append(cpu)
            command = "sealbox --help / mat2 --help" if what == "--help" else "scrub one.jpg"
            for name, _, _ in tools:
                print(
                    f"{command:<34}{name:<26}{min(walls[name]):>8.3f}"
                    f"{statistics.median(walls[name]):>10.3f}{statistics.median(cpus[name]):>8.3f}"
                )
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
