"""Every logger of every Sealbox process goes through the redacting handler, third-party ones too.

A `sitecustomize` on the path plays a third-party library in each process (the server, its
cleaning worker, the command line): when a trigger file appears, or at exit, it logs a canary
the way libraries do: as a %-argument, as text it formatted itself, in an exception's message,
as an exception object, and as a Python warning. None of it may reach standard error or the
server's log, yet the records themselves must still show up there.
"""

from __future__ import annotations

import secrets
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from tests.live_server import Instance

LIBRARY = textwrap.dedent(
    """
    import atexit, logging, os, sys, threading, time, warnings

    _done = threading.Lock()

    def _leak():
        if not _done.acquire(blocking=False):
            return
        canary = os.environ["SEALBOX_TEST_CANARY"]
        role = "worker" if sys.argv == ["-c"] else "main"
        lib = logging.getLogger("thirdparty." + role)
        lib.warning("Expected boundary character %r", canary + "-argument")
        lib.warning("Expected boundary character %r" % (canary + "-preformatted",))
        try:
            raise ValueError(canary + "-exception")
        except ValueError:
            lib.exception("could not parse")
        lib.error(ValueError(canary + "-object"))
        warnings.warn(canary + "-warning")

    def _wait_for_trigger():
        while not os.path.exists(os.environ["SEALBOX_TEST_TRIGGER"]):
            time.sleep(0.1)
        _leak()

    atexit.register(_leak)
    threading.Thread(target=_wait_for_trigger, daemon=True).start()
    """
)


@pytest.fixture
def instance(tmp_path, monkeypatch):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(LIBRARY)
    canary = "CANARYLOG" + secrets.token_hex(8)
    monkeypatch.setenv("SEALBOX_TEST_CANARY", canary)
    monkeypatch.setenv("SEALBOX_TEST_TRIGGER", str(tmp_path / "trigger"))
    path = [str(hooks), *filter(None, [__import__("os").environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", ":".join(path))
    inst = Instance(root=tmp_path, database_url="")
    inst.canary = canary
    yield inst
    inst.stop()


def _assert_redacted(output: str, canary: str, roles: list[str]) -> None:
    assert canary not in output, output
    for role in roles:
        # The records arrived, through the handler (its format names the logger) ...
        assert f"WARNING thirdparty.{role}: Expected boundary character %r [values withheld]" in (
            output
        ), output
        assert f"WARNING thirdparty.{role}: [message withheld]" in output, output
        assert f"ERROR thirdparty.{role}: [message withheld]" in output, output
    # ... and warnings too, without their text.
    assert "WARNING py.warnings: [message withheld]" in output, output
    assert "ValueError (message withheld)" in output, output


def test_the_server_and_its_cleaning_worker_log_no_third_party_data(instance):
    instance.cli("init")
    instance.start()
    assert httpx.get(instance.url + "/").status_code == 200
    log = Path(instance.logs[-1])
    (instance.root / "trigger").touch()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and log.read_text(errors="replace").count("py.warnings") < 2:
        time.sleep(0.1)
    instance.stop()
    _assert_redacted(log.read_text(errors="replace"), instance.canary, ["main", "worker"])


def test_the_command_line_logs_no_third_party_data(instance, tmp_path):
    init = instance.cli("init")
    _assert_redacted(init.stderr + init.stdout, instance.canary, ["main"])
    # One file: `scrub` cleans it in a child forked from itself, which keeps its log handler.
    sample = tmp_path / "note.txt"
    sample.write_text("nothing to see\n")
    scrub = instance.cli("scrub", str(sample), check=False)
    _assert_redacted(scrub.stderr + scrub.stdout, instance.canary, ["main"])
    # Several files at once: `scrub` starts the cleaning worker, as the server does.
    other = tmp_path / "other.txt"
    other.write_text("nothing here either\n")
    both = instance.cli("scrub", "--jobs", "2", str(sample), str(other), check=False)
    _assert_redacted(both.stderr + both.stdout, instance.canary, ["main", "worker"])
