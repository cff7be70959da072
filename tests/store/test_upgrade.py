"""Upgrades that do not break: `sealbox upgrade` brings the data of every earlier release (the
committed fixtures) to this schema, after which every kind of record opens for the people who
could open it; a server refuses to start on a schema behind or ahead of its own."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import httpx
import pytest

from sealbox.store import schema_version
from sealbox.store.db import Database
from tests import support
from tests.live_server import Instance, StaffAccount, token
from tests.store import release_fixtures


def _staff(people: dict, username: str) -> StaffAccount:
    known = people["staff"][username]
    return StaffAccount(username, known["password"], known["totp_secret"])


def _refused(instance: Instance, *args: str) -> subprocess.CompletedProcess:
    """Run a command expected to refuse at once (a server that starts would hang: killed)."""
    instance.tmp_dir.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(
        [sys.executable, "-m", "sealbox", *args],
        env=instance.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0, run.stdout + run.stderr
    return run


@pytest.fixture(params=release_fixtures.RELEASES, ids=lambda path: path.name)
def released(request, tmp_path, database_url):
    instance = Instance(tmp_path / "instance", database_url)
    release = release_fixtures.lay_out(request.param, instance.root, database_url)
    yield instance, release.people
    instance.stop()


def test_every_release_upgrades_and_every_kind_of_record_still_opens(released):
    instance, people = released
    head = schema_version.scripts().get_current_head()
    pending = [
        s.revision for s in schema_version.scripts().iterate_revisions(head, people["revision"])
    ]
    upgraded = instance.cli("upgrade").stdout
    for revision in pending:  # one line per revision applied, naming it
        assert f"applied {revision}: " in upgraded, upgraded
    assert head in upgraded
    instance.start()

    handler = instance.staff_client(_staff(people, "hana"))
    report = handler.get(f"/staff/reports/{people['report_id']}")
    assert report.status_code == 200, report.text
    for kept in ("text", "reply", "follow_up", "note", "identity_name"):
        assert people[kept] in report.text, kept
    [link] = support.file_links(report.text)  # the held file waits for its sender
    download = handler.get(link)
    assert hashlib.sha256(download.content).hexdigest() == people["file_sha256"]
    handler.close()

    custodian = instance.staff_client(_staff(people, "cora"))
    assert custodian.get("/staff/disclosures").status_code == 200
    custodian.close()
    auditor = instance.staff_client(_staff(people, "audrey"))
    assert auditor.get("/staff/audit").status_code == 200
    auditor.close()
    assert instance.cli("audit", "verify").returncode == 0

    with httpx.Client(base_url=instance.url, follow_redirects=True, timeout=60) as source:
        page = source.get("/login")
        mine = source.post(
            "/login", data={"form_token": token(page.text), "passphrase": people["passphrase"]}
        )
        assert mine.status_code == 200
        for kept in ("reply", "follow_up", "held_file_name"):
            assert people[kept] in mine.text, kept


def test_upgrade_applies_each_revision_with_a_line_that_names_it(tmp_path, database_url):
    instance = Instance(tmp_path, database_url)
    scripts = schema_version.scripts()
    head = scripts.get_current_head()
    older = scripts.get_revision(head).down_revision
    url = database_url or f"sqlite:///{instance.data_dir / 'sealbox.db'}"
    instance.data_dir.mkdir(parents=True)
    db = Database(url)
    db.migrate(to=older)
    db.dispose()

    refused = _refused(instance, "serve", "--port", "1")
    assert f"revision {older}, behind this release's {head}" in refused.stderr
    assert "run `sealbox upgrade`" in refused.stderr
    assert "run `sealbox upgrade`" in _refused(instance, "jobs", "run", "--once").stderr
    assert "run `sealbox upgrade`" in _refused(instance, "init").stderr  # init never upgrades

    upgraded = instance.cli("upgrade").stdout
    assert f"Upgrading the schema from {older} to {head}: 1 revision(s)." in upgraded
    assert f"applied {schema_version.describe(head)}" in upgraded
    assert "nothing to do" in instance.cli("upgrade").stdout
    instance.start()
    assert httpx.get(instance.url + "/").status_code == 200
    instance.stop()


def test_a_schema_from_a_newer_release_is_refused_and_left_alone(tmp_path, database_url):
    instance = Instance(tmp_path, database_url)
    instance.init()
    instance.sql("update alembic_version set version_num = '9999_newer'")
    for command in (("serve", "--port", "1"), ("upgrade",)):
        refused = _refused(instance, *command)
        assert "this database was upgraded by a newer Sealbox; install that release" in (
            refused.stderr
        )
    assert instance.sql("select version_num from alembic_version") == ["9999_newer"]
