"""`sealbox doctor` through the command line: a sound instance passes every check; each thing
that is wrong is one line naming the fix, and the command fails; it changes nothing it finds."""

from __future__ import annotations

import os
import socket

import pytest

from sealbox.store import schema_version
from tests.live_server import Instance, free_port

ONION = "http://" + "a" * 56 + ".onion"


@pytest.fixture
def smtp():
    """Something listening where mail goes (the doctor only connects)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


def _doctor(instance: Instance, **settings: str):
    instance.settings.update(settings)
    return instance.cli("doctor", check=False)


def test_a_sound_instance_passes_every_check(tmp_path, database_url, smtp):
    instance = Instance(
        tmp_path,
        database_url,
        fast_kdf=False,  # the real Argon2id cost: the doctor checks it
        settings={
            "public_url": "https://tips.example.org",
            "trusted_proxies": "127.0.0.1",
            "smtp_host": "127.0.0.1",
            "smtp_port": str(smtp),
            "disk_warning_free_mib": "1",
        },
    )
    instance.init()
    run = _doctor(instance)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[-1] == "No problems found."
    assert all(line.startswith("ok    ") for line in lines[:-1]), run.stdout
    for seen in ("is private (700)", "is private (600)", "schema is this release's", "takes files"):
        assert seen in run.stdout
    assert f"the mail server 127.0.0.1:{smtp} answers" in run.stdout
    assert "served over HTTPS (https://tips.example.org)" in run.stdout

    onion = _doctor(instance, public_url=ONION, trusted_proxies="")
    assert onion.returncode == 0 and "served as an onion service" in onion.stdout

    bare = _doctor(instance, public_url="https://tips.example.org")
    assert bare.returncode == 1
    assert "no trusted proxy is set, so cookies are not marked Secure: set trusted_proxies" in (
        bare.stdout
    )


def test_every_problem_is_one_line_with_its_fix(tmp_path, database_url):
    instance = Instance(tmp_path, database_url)  # one Argon2id pass: below the minimum
    instance.init()
    instance.invite("hana")  # an audit entry
    data = instance.data_dir
    secrets = data / "secrets.toml"
    data.chmod(0o755)
    secrets.chmod(0o644)
    scripts = schema_version.scripts()
    head = scripts.get_current_head()
    older = scripts.get_revision(head).down_revision
    instance.sql(f"update alembic_version set version_num = '{older}'")
    instance.sql("update audit_log set at = '2999-01-01 00:00:00'")
    (data / "blobs" / "new").rename(data / "blobs" / "new-kept")
    (data / "blobs" / "new").write_bytes(b"")
    closed = free_port()

    run = _doctor(
        instance,
        smtp_host="127.0.0.1",
        smtp_port=str(closed),
        disk_warning_free_mib=str(10**9),
    )
    assert run.returncode == 1, run.stdout + run.stderr
    failures = [line for line in run.stdout.splitlines() if line.startswith("FAIL  ")]
    wanted = [
        f"{data} can be read by others (755): chmod 700 {data}",
        f"{secrets} can be read by others (644): chmod 600 {secrets}",
        f"at revision {older}, behind this release's {head}: run `sealbox upgrade`",
        f"{data}/blobs/new cannot take a file",
        f"the mail server 127.0.0.1:{closed} cannot be reached",
        f"(below disk_warning_free_mib = {10**9}): free space or grow it",
        "before the newest audit entry (2999-01-01): set the time",
        "kdf.iterations = 1 (minimum 3) makes a stolen database's passphrases cheap to guess",
        "public_url is not set: serve Sealbox over HTTPS",
    ]
    for text in wanted:
        assert [line for line in failures if text in line], (text, run.stdout)
    assert len(failures) >= len(wanted) and f"{len(failures)} problem(s) found." in run.stdout
    # The doctor looks; it repairs and migrates nothing.
    assert oct(data.stat().st_mode)[-3:] == "755"
    assert instance.sql("select version_num from alembic_version") == [older]


def test_a_database_that_does_not_answer_is_named(tmp_path):
    instance = Instance(tmp_path, f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere")
    instance.data_dir.mkdir(parents=True, mode=0o700)
    run = _doctor(instance)
    assert run.returncode == 1
    assert "FAIL  the database does not answer (OperationalError): check database_url" in (
        run.stdout
    )
    assert os.listdir(instance.data_dir) == []  # nothing made: no secrets, no blob store
