"""Benchmark: `python -m sealbox.scrub` against MAT2 0.15.0 on the same generated corpus.

    python3 bench/scrub/run.py [--files 240]

Prints files/s and MB/s for each tool, plus what each leaves behind by the test oracle
(exiftool identifying tags and warnings, planted marker strings in raw and unpacked bytes).

What is timed, for both tools alike: one command-line run over the whole corpus, from process
start to exit (`python -m sealbox.scrub --json -o DIR FILES...` and `mat2 FILES...`; both clean
several files at once, MAT2 with its process pool, sealbox with one isolated worker per file).
MAT2 cleans copies made before its clock starts. The runs alternate between the tools and the
best of --repeat runs is reported (median in the next column), since the machine may be shared.
MAT2 is installed into a venv on first use (Debian's mat2 for system libraries, then
`pip install --no-deps mat2==0.15.0`); if that fails, MAT2 is skipped with a message.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from scrub import builders  # noqa: E402  (the test fixture builders)
from scrub.oracle import IDENTIFYING, NORMALISED, markers  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "scrub"
MAT2_VENV = Path("/tmp/mat2venv")


def corpus(target: Path, count: int) -> list[Path]:
    """Write `count` files across the formats, each carrying planted metadata."""
    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sealbox-bench-"))
    makers = [
        ("jpg", lambda i: builders.jpeg((320 + i % 7, 240))),
        ("png", lambda i: builders.png((200 + i % 5, 150))),
        ("webp", lambda i: builders.webp((160, 120 + i % 3))),
        ("gif", lambda i: builders.gif((64, 48))),
        ("pdf", lambda i: builders.pdf(pages=1 + i % 3)),
        ("docx", lambda i: builders.docx()),
        ("xlsx", lambda i: builders.xlsx()),
        ("pptx", lambda i: builders.pptx()),
        ("odt", lambda i: builders.odt()),
        (
            "html",
            lambda i: (
                b"<html><head><title>PLANTEDXT</title><meta name=author content=PLANTEDXA>"
                b"</head><body><!-- PLANTEDXC --><p>words</p></body></html>"
            ),
        ),
        ("txt", lambda i: b"plain words\n" * (i + 1)),
        (
            "zip",
            lambda i: builders.write_zip([("a.jpg", builders.jpeg((64, 48))), ("b.txt", b"hello")]),
        ),
    ]
    slow = [
        ("mp3", lambda i: builders.mp3(tmp)),
        ("flac", lambda i: builders.flac(tmp)),
        ("m4a", lambda i: builders.m4a(tmp)),
        ("mp4", lambda i: builders.mp4(tmp, "mp4")),
    ]
    cached: dict[str, bytes] = {}
    files = []
    for i in range(count):
        pool = makers + slow
        ext, make = pool[i % len(pool)]
        if (ext, make) in slow:
            data = cached.get(ext) or cached.setdefault(ext, make(i))
        else:
            data = make(i)
        path = target / f"f{i:04d}.{ext}"
        path.write_bytes(data)
        files.append(path)
    shutil.rmtree(tmp, ignore_errors=True)
    return files


def setup_mat2() -> Path | None:
    exe = MAT2_VENV / "bin" / "mat2"
    if exe.exists():
        return exe
    try:
        if shutil.which("mat2") is None:
            subprocess.run(["apt-get", "install", "-y", "-qq", "mat2"], check=True)
        subprocess.run(
            ["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(MAT2_VENV)], check=True
        )
        subprocess.run(
            [str(MAT2_VENV / "bin" / "pip"), "install", "-q", "--no-deps", "mat2==0.15.0"],
            check=True,
        )
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        print(f"MAT2 skipped: could not install it ({exc})")
        return None
    return exe if exe.exists() else None


def leftovers(outputs: list[Path], work: Path) -> tuple[int, int, int]:
    """(identifying tags, exiftool warnings, planted strings) left in `outputs`."""
    tags = warnings = planted = 0
    to_check = list(outputs)
    for out in outputs:
        data = out.read_bytes()
        planted += len(markers(data))
        if data[:4] == b"PK\x03\x04":
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    for j, info in enumerate(zf.infolist()):
                        body = zf.read(info)
                        planted += len(markers(body))
                        if not info.is_dir():
                            member = work / f"{out.stem}.m{j}{Path(info.filename).suffix}"
                            member.write_bytes(body)
                            to_check.append(member)
            except zipfile.BadZipFile:
                pass
        if data.startswith(b"%PDF"):
            qdf = work / f"{out.stem}.qdf.pdf"
            subprocess.run(
                ["qpdf", "--qdf", "--object-streams=disable", str(out), str(qdf)],
                capture_output=True,
                check=False,
            )
            if qdf.exists():
                planted += len(markers(qdf.read_bytes()) - markers(data))
    for start in range(0, len(to_check), 200):
        batch = to_check[start : start + 200]
        proc = subprocess.run(
            ["exiftool", "-j", "-a", "-u", "-G3:1", "-ee", *map(str, batch)],
            capture_output=True,
            text=True,
            check=False,
        )
        for record in json.loads(proc.stdout or "[]"):
            for key, value in record.items():
                if key.endswith(("Warning", "Error")):
                    warnings += 1
                    continue
                if key.startswith(("ExifTool:", "System:", "SourceFile")):
                    continue
                tag = key.rsplit(":", 1)[-1]
                if tag.startswith("Zip") and not (
                    tag == "ZipModifyDate" and value != "1980:01:01 00:00:00"
                ):
                    continue
                if "ICC" in key or (
                    IDENTIFYING.search(tag) and value is not False and str(value) not in NORMALISED
                ):
                    tags += 1
    return tags, warnings, planted


def run_sealbox(files: list[Path], out_dir: Path) -> tuple[float, list[Path]]:
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sealbox.scrub", "--json", "-o", str(out_dir), *map(str, files)],
        capture_output=True,
        check=False,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    elapsed = time.perf_counter() - start
    return elapsed, [out_dir / f.name for f in files if (out_dir / f.name).exists()]


def run_mat2(exe: Path, files: list[Path], work: Path) -> tuple[float, list[Path]]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    copies = []
    for f in files:
        copy = work / f.name
        shutil.copyfile(f, copy)
        copies.append(copy)
    start = time.perf_counter()
    subprocess.run([str(exe), *map(str, copies)], capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    outs = [c.with_name(f"{c.stem}.cleaned{c.suffix}") for c in copies]
    return elapsed, [o for o in outs if o.exists()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs per tool")
    args = parser.parse_args()
    shutil.rmtree(RESULTS, ignore_errors=True)
    files = corpus(RESULTS / "corpus", args.files)
    total_mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"corpus: {len(files)} files, {total_mb:.1f} MB")
    mat2 = setup_mat2()
    tools = [("sealbox scrub", lambda: run_sealbox(files, RESULTS / "sealbox"))]
    if mat2 is not None:
        tools.append(("MAT2 0.15.0", lambda: run_mat2(mat2, files, RESULTS / "mat2")))
    times: dict[str, list[float]] = {name: [] for name, _ in tools}
    outputs: dict[str, list[Path]] = {}
    for _ in range(max(1, args.repeat)):
        for name, run in tools:
            elapsed, outs = run()
            times[name].append(elapsed)
            outputs[name] = outs
    work = {"sealbox scrub": RESULTS / "sealbox", "MAT2 0.15.0": RESULTS / "mat2"}
    rows = [
        (name, min(times[name]), statistics.median(times[name]), outputs[name]) for name, _ in tools
    ]
    print(
        f"timed: whole-corpus CLI runs, start to exit; best of {max(1, args.repeat)} alternating"
        f" runs (load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    print(
        f"{'tool':<15}{'seconds':>9}{'median':>8}{'files/s':>9}{'MB/s':>8}{'outputs':>9}"
        f"{'id tags':>9}{'warnings':>10}{'planted':>9}"
    )
    for name, best, median, outs in rows:
        tags, warns, planted = leftovers(outs, work[name])
        print(
            f"{name:<15}{best:>9.2f}{median:>8.2f}{len(files) / best:>9.1f}{total_mb / best:>8.2f}"
            f"{len(outs):>9}{tags:>9}{warns:>10}{planted:>9}"
        )
    if len(rows) == 2:
        print(
            f"speed-up (files/s): {rows[1][1] / rows[0][1]:.1f}x best-to-best, "
            f"{rows[1][2] / rows[0][2]:.1f}x median-to-median"
        )


if __name__ == "__main__":
    main()
