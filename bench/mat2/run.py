"""Coverage against MAT2's own test suite: which of its kinds of file each tool cleans.

    python3 bench/mat2/run.py [--old eed2eb5] [--files]

Builds the files of `tests/scrub/mat2_corpus.py` (the names, formats and troubles of MAT2's
`tests/data`, made here; nothing is fetched), then cleans every one with `sealbox scrub` (this
tree), with the old main's `python -m sealbox.scrub` (a `git archive` of --old), and with
Debian's MAT2 (`apt-get install mat2`; skipped with a message when missing), and with MAT2 0.15
too where `bench/scrub/run.py` has installed it. For every output
it asks exiftool, MAT2's own inspector (`mat2 --show`) and a search for the planted marker
strings (members of archives included) whether anything identifying is left.

Where LibreOffice is installed (`soffice`), the office files are also saved by it once more
(ODF as ODF, and as docx, xlsx and pptx), as `lo-*` files: what a real office suite writes.

Prints a table by format: files, then per tool how many were cleaned and how many held (or
failed), and how many outputs still carry something; --files adds one line per file.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# MAT2 0.15, when bench/scrub/run.py has installed it (Debian's mat2 is 0.13).
MAT2_VENV = Path("/tmp/mat2venv/bin/mat2")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from scrub.mat2_corpus import CASES, available  # noqa: E402  (the test corpus)
from scrub.oracle import markers, mat2_findings, problems  # noqa: E402

# Layout settings exiftool reads out of office XML whose names happen to hold a watched word
# (a slide's "display date" switch, a handout's thumbnail frame, a theme's 3D camera angle).
_LAYOUT = re.compile(
    r"(Display-date-time|Thumbnail(Layer|Width|Height|X|Y)|Scene3dCamera\w*"
    r"|PageSetupCellComments|Border-model)=(True|False|none|[-\d.]+(cm|in)?|\w+)$",
    re.IGNORECASE,
)


def leftovers(path: Path, work: Path) -> list[str]:
    """What exiftool, MAT2's inspector and the marker search find in one output."""
    data = path.read_bytes()
    found = [f"marker {m}" for m in sorted(markers(data))]
    found += problems(path)
    found += [f"mat2: {x}" for x in (mat2_findings(path) or [])]
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for i, info in enumerate(zf.infolist()):
                if info.is_dir():
                    continue
                body = zf.read(info)
                found += [f"{info.filename}: marker {m}" for m in sorted(markers(body))]
                member = work / f"member{i}{Path(info.filename).suffix}"
                member.write_bytes(body)
                found += [f"{info.filename}: {p}" for p in problems(member)]
    return [f for f in found if not _LAYOUT.search(f)]


_LO_TARGETS = {
    "dirty.odt": ("odt", "docx"),
    "dirty.ods": ("ods", "xlsx"),
    "dirty.odp": ("odp", "pptx"),
    "dirty.odg": ("odg",),
    "dirty.odf": ("odf",),
}


def libreoffice(corpus: Path, work: Path, expected: dict[str, str]) -> list[Path]:
    """The office files of the corpus as LibreOffice saves them (none if it is missing)."""
    exe = shutil.which("soffice")
    if exe is None:
        print("LibreOffice files skipped: soffice is not installed")
        return []
    made = []
    out = work / "lo"
    env = {"HOME": str(work / "lo-home"), "PATH": "/usr/local/bin:/usr/bin:/bin"}
    for source, targets in _LO_TARGETS.items():
        for ext in targets:
            subprocess.run(
                [
                    exe,
                    "--headless",
                    "--convert-to",
                    ext,
                    "--outdir",
                    str(out),
                    str(corpus / source),
                ],
                capture_output=True,
                env=env,
                timeout=300,
                check=False,
            )
            result = out / f"{Path(source).stem}.{ext}"
            if result.exists():
                target = corpus / f"lo-{Path(source).stem}.{ext}"
                result.rename(target)
                made.append(target)
                expected[target.name] = "cleaned"
    return made


def sealbox(root: Path, module: list[str], files: list[Path], out: Path) -> dict[str, dict]:
    """Outcome per file name from one `--json` run of a Sealbox tree."""
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", *module, "--json", "-o", str(out), *map(str, files)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/local/bin:/usr/bin:/bin"},
        cwd=out,  # `python -m` puts the working directory first on the path
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        print(f"{module}: no report ({proc.stderr.strip()[-300:]})")
        return {}
    return {Path(r["file"]).name: r for r in report}


def run_mat2(exe: str, files: list[Path], work: Path) -> dict[str, Path | None]:
    work.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, Path | None] = {}
    for f in files:
        copy = work / f.name
        shutil.copyfile(f, copy)
        subprocess.run([exe, str(copy)], capture_output=True, check=False)
        cleaned = copy.with_name(f"{copy.stem}.cleaned{copy.suffix}")
        outputs[f.name] = cleaned if cleaned.exists() else None
    return outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default="eed2eb5", help="the old main to compare with")
    parser.add_argument("--files", action="store_true", help="one line per file too")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sealbox-mat2-bench-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        files, expected = [], {}
        for case in CASES:
            if not available(case):
                print(f"skipped {case.name}: {case.needs} is not installed")
                continue
            path = corpus / case.name
            path.write_bytes(case.build(work))
            files.append(path)
            expected[case.name] = case.expected
        files += libreoffice(corpus, work, expected)
        tools: dict[str, dict[str, tuple[str, list[str]]]] = {}
        new = sealbox(ROOT, ["sealbox", "scrub"], files, work / "new")
        tools["Sealbox (this tree)"] = {
            name: _judge(r, work / "new" / name, work) for name, r in new.items()
        }
        old_tree = work / "old"
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.old], capture_output=True)
        if archive.returncode == 0:
            old_tree.mkdir()
            subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive.stdout, check=True)
            old = sealbox(old_tree, ["sealbox.scrub"], files, work / "old-out")
            tools[f"Sealbox (main {args.old})"] = {
                name: _judge(r, work / "old-out" / name, work) for name, r in old.items()
            }
        mat2s = [
            exe for exe in (shutil.which("mat2"), str(MAT2_VENV)) if exe and Path(exe).exists()
        ]
        if not mat2s:
            print("MAT2 skipped: not installed (apt-get install mat2)")
        for i, exe in enumerate(mat2s):
            version = subprocess.run([exe, "--version"], capture_output=True, text=True)
            outs = run_mat2(exe, files, work / f"mat2-{i}")
            tools[version.stdout.strip() or "mat2"] = {
                name: ("cleaned", leftovers(out, work)) if out else ("failed", [])
                for name, out in outs.items()
            }
        _table(files, expected, tools, args.files)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _judge(report: dict, out: Path, work: Path) -> tuple[str, list[str]]:
    if report["outcome"] == "cannot_clean" or not out.exists():
        return "held", [report["reason"]["text"] if report.get("reason") else "held"]
    return "cleaned", leftovers(out, work)


def _table(files, expected, tools, per_file: bool) -> None:
    by_format: dict[str, list[str]] = defaultdict(list)
    for f in files:
        by_format[f.suffix.lstrip(".")].append(f.name)
    names = list(tools)
    damaged_count = sum(v == "damaged" for v in expected.values())
    print(
        f"{len(files)} files like MAT2's tests/data ({damaged_count} deliberately damaged); "
        "per tool: cleaned / held or failed / outputs with leftovers"
    )
    header = f"{'format':<9}{'files':>6}" + "".join(f"{n[:24]:>26}" for n in names)
    print(header)
    totals = {n: [0, 0, 0] for n in names}
    for fmt in sorted(by_format):
        row = f"{fmt:<9}{len(by_format[fmt]):>6}"
        for n in names:
            cleaned = sum(tools[n].get(f, ("held", []))[0] == "cleaned" for f in by_format[fmt])
            held = len(by_format[fmt]) - cleaned
            dirty = sum(
                1
                for f in by_format[fmt]
                if tools[n].get(f, ("held", []))[0] == "cleaned" and tools[n][f][1]
            )
            totals[n][0] += cleaned
            totals[n][1] += held
            totals[n][2] += dirty
            row += f"{f'{cleaned} / {held} / {dirty}':>26}"
        print(row)
    print(
        f"{'total':<9}{len(files):>6}"
        + "".join(f"{f'{c} / {h} / {d}':>26}" for c, h, d in totals.values())
    )
    damaged = [f for f, v in expected.items() if v == "damaged"]
    for n in names:
        wrong = [f for f in damaged if tools[n].get(f, ("held", []))[0] == "cleaned"]
        if wrong:
            print(f"{n}: cleaned damaged files: {', '.join(wrong)}")
    if per_file:
        for f in files:
            cells = []
            for n in names:
                state, notes = tools[n].get(f.name, ("missing", []))
                cells.append(
                    f"{state}{' +' + str(len(notes)) if state == 'cleaned' and notes else ''}"
                )
            print(f"  {f.name:<36}" + "".join(f"{c:>14}" for c in cells))
            for n in names:
                state, notes = tools[n].get(f.name, ("", []))
                if notes and state == "cleaned":
                    print(f"      {n}: {'; '.join(notes)[:300]}")


if __name__ == "__main__":
    main()
