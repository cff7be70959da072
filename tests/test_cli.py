"""The `sealbox` command starts with only what the command asked for needs."""

import json
import subprocess
import sys

import pytest

from sealbox import commands

from .scrub import builders

_HEAVY = ("sqlalchemy", "fastapi", "starlette", "pyrage", "argon2", "alembic", "uvicorn", "lxml")


def _imported(*args: str, cwd=None) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run `sealbox ARGS` in a fresh interpreter; what it printed and which packages it loaded."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + ' '.join("
        "sorted({m.split('.')[0] for m in sys.modules})) + '\\n'))\n"
        f"sys.argv = ['sealbox', *{list(args)!r}]\n"
        "from sealbox.cli import main\nmain()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, check=False
    )
    line = proc.stderr.rsplit("MODULES ", 1)[-1]
    return proc, set(line.split())


def test_help_lists_every_command_without_loading_the_application():
    proc, loaded = _imported("--help")
    assert proc.returncode == 0, proc.stderr
    for name in ("init", "serve", "scrub", "user", "channel", "audit", "jobs", "decrypt"):
        assert f" {name} " in proc.stdout
    assert "disk, mail)." in proc.stdout  # help lines are whole, not cut
    assert not loaded & set(_HEAVY), loaded & set(_HEAVY)
    bare, _ = _imported()
    assert bare.returncode == 2 and " scrub " in bare.stdout


def test_scrub_loads_neither_the_application_nor_typer(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(builders.jpeg())
    proc, loaded = _imported("scrub", "--json", str(photo))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.split("\nMODULES")[0])[0]["outcome"] == "cleaned"
    assert not loaded & {*_HEAVY, "typer", "pydantic", "click", "rich"}, loaded


@pytest.mark.parametrize("name", sorted(commands._LAZY))
def test_the_help_line_of_a_lazy_command_is_its_own(name):
    real = commands.load_command(name)
    listed = commands._LAZY[name][1]
    assert listed == real.help.split("\n\n")[0].strip(), "update _LAZY in sealbox/commands.py"


def test_several_files_at_once_and_one_file_alone_give_the_same_report(tmp_path):
    files = []
    for i in range(3):
        path = tmp_path / f"p{i}.jpg"
        path.write_bytes(builders.jpeg((32 + i, 24)))
        files.append(str(path))
    out = tmp_path / "out"
    run = [sys.executable, "-m", "sealbox", "scrub", "--json", "-o", str(out)]
    together = subprocess.run([*run, "-j", "3", *files], capture_output=True, text=True)
    alone = [subprocess.run([*run, f], capture_output=True, text=True) for f in files]
    assert together.returncode == 0 and all(p.returncode == 0 for p in alone)
    assert json.loads(together.stdout) == [json.loads(p.stdout)[0] for p in alone]
