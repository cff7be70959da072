"""Passphrase logins are throttled across every serving process, and a login leaves no time of
itself, nor any row outside the report tables (which the chronology job rewrites)."""

from __future__ import annotations

import dataclasses
import time

import pytest
from sqlalchemy import inspect, text
from starlette.testclient import TestClient

from sealbox.store.tables import written_by_sources
from sealbox.web.app import create_app
from tests import support
from tests.e2e import forensics


@pytest.fixture
def channel(services):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    return "fraud"


def tune(services, **values) -> None:
    services.settings = dataclasses.replace(services.settings, **values)


def worker(services) -> TestClient:
    """One more serving process on the same database (its own app, budget and heartbeat)."""
    return TestClient(create_app(services), base_url="http://sealbox.test")


def everything(services) -> dict[str, dict[str, tuple]]:
    """Every row of every table, by its repr (to compare) with its values (to read)."""
    with services.db.engine.connect() as connection:
        return {
            name: {
                repr(row): row
                for row in (
                    tuple(bytes(v) if isinstance(v, memoryview) else v for v in found)
                    for found in connection.execute(text(f'select * from "{name}"'))
                )
            }
            for name in inspect(connection).get_table_names()
        }


def test_a_passphrase_login_leaves_no_time_and_nothing_outside_the_report_tables(services, channel):
    tune(services, worker_heartbeat_seconds=3600)
    with worker(services) as source:
        words = support.passphrase_of(support.submit(source, channel, "report"))
        source.cookies.clear()
        before = everything(services)
        services.clock.advance(3 * 3600)  # far from the submission's time
        assert support.source_login(source, words).status_code == 200
        assert support.source_login(source, "wrong " * 7).status_code == 401
        login = services.clock.timestamp()
        after = everything(services)
    changed = {name for name in after if after[name].keys() != before.get(name, {}).keys()}
    # The chronology job rewrites the report tables and the session table (a login opens a
    # session); anything else would keep the login.
    assert changed <= {table.name for table in written_by_sources()}
    times = [
        (name, moment - login)
        for name in changed
        for key, row in after[name].items()
        if key not in before[name]
        for value in row
        for moment in forensics.moments(value)
        if abs(moment - login) < 3600
    ]
    assert times == []


def test_the_login_budget_is_shared_by_the_live_workers(services, channel):
    tune(
        services,
        source_login_burst=4,
        source_login_per_second=0.0001,
        worker_heartbeat_seconds=0.05,
    )
    with worker(services) as first, worker(services) as second:
        time.sleep(0.5)  # a few heartbeats: each worker has seen the other
        tries = [
            [support.source_login(browser, f"guess {n} a b c d e").status_code for n in range(3)]
            for browser in (first, second)
        ]
    # Each holds half of the burst of 4: four guesses in all, not eight.
    assert tries == [[401, 401, 429], [401, 401, 429]]
