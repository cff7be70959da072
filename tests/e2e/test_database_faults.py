"""The database fails under a live server while sources submit.

PostgreSQL: a thread calls `pg_terminate_backend` on every connection of the app, four times a
second. SQLite: another process holds the write lock for longer than the server waits.

Every submission either gets its passphrase page and is stored, or gets a clear page with its
text kept and is absent: acknowledgements equal new rows, no 500, no dropped connection, and
the server logs no unexpected error. A transaction that never reached its commit is tried
again on a fresh connection, so most killed connections cost the source nothing.
"""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests import support
from tests.conftest import PG_URL
from tests.e2e import fault_drills
from tests.live_server import Instance

SUBMISSIONS = 48
SOURCES = 4


@pytest.fixture
def drill(tmp_path, database_url, backend, monkeypatch):
    """An instance whose database connections carry a name the killer can find."""
    app_name = "sealbox_drill_" + secrets.token_hex(4)
    url = database_url
    if backend == "postgresql":
        url += f"&application_name={app_name}"
    else:
        monkeypatch.setenv("SEALBOX_DATABASE_BUSY_SECONDS", "1")
    instance = Instance(root=tmp_path, database_url=url)
    instance.cli("init")
    instance.add_handler("alice")
    instance.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    instance.start()
    if backend == "postgresql":
        fault = fault_drills.PgKiller(PG_URL, app_name, every=0.25)
    else:
        fault = fault_drills.SqliteLocker(instance.data_dir / "sealbox.db", hold=1.5, every=3.0)
    yield instance, fault
    instance.stop()


@pytest.mark.exclusive
def test_every_submission_is_acknowledged_and_stored_or_refused_clearly(drill):
    instance, fault = drill
    result = fault_drills.run_submissions(instance, fault, SUBMISSIONS, SOURCES)
    print(result.summary())
    assert result.faults > 0, "the fault never struck"
    assert result.server_errors == result.transport_errors == result.unknown == 0, result.summary()
    assert result.acknowledged == result.new_rows, result.summary()
    assert result.acknowledged + result.clear_errors == result.submitted == SUBMISSIONS
    assert result.acknowledged > 0, result.summary()
    assert fault_drills.unhandled_lines(instance) == 0

    # An acknowledged report opens with its passphrase and holds what was typed.
    for passphrase, canary in result.passphrases[:2]:
        with httpx.Client(base_url=instance.url, follow_redirects=True, timeout=60) as source:
            page = source.get("/login")
            opened = source.post(
                "/login",
                data={"form_token": support.token(page.text), "passphrase": passphrase},
            )
            assert opened.status_code == 200 and canary in opened.text
