"""The per-name table of the staff login back-off keeps no name and stays small, whatever
names an attacker sends (the HTTP side is in tests/accounts/test_staff_backoff.py)."""

from __future__ import annotations

import tracemalloc

from sealbox.accounts.login_backoff import Backoff
from sealbox.accounts.name_backoff import CAPACITY, NameBackoff

KEY = bytes(32)
POLICY = Backoff(after=5, cap=60.0)


def test_many_distinct_names_keep_the_table_at_its_capacity():
    table = NameBackoff(KEY)
    tracemalloc.start()
    for number in range(CAPACITY * 3):
        table.failed(f"name-{number}", 1000.0 + number * 0.001, POLICY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(table) == CAPACITY
    assert peak < 8 * 1024 * 1024
    # The oldest went first; the newest are still counted.
    for _ in range(POLICY.after - 1):
        table.failed(f"name-{CAPACITY * 3 - 1}", 2000.0, POLICY)
    assert table.waiting(f"name-{CAPACITY * 3 - 1}", 2000.0)


def test_no_name_is_kept_in_the_table():
    table = NameBackoff(KEY)
    table.failed("alice", 0.0, POLICY)
    assert "alice" not in repr(vars(table)) and b"alice" not in repr(vars(table)).encode()


def test_a_quiet_name_is_forgotten_and_starts_again():
    table = NameBackoff(KEY, quiet=600)
    for _ in range(POLICY.after - 1):
        table.failed("alice", 0.0, POLICY)
    table.failed("alice", 601.0, POLICY)  # the earlier four are forgotten
    assert not table.waiting("alice", 601.0)
    assert len(table) == 1


def test_the_wait_doubles_up_to_its_cap_and_a_success_clears_it():
    table = NameBackoff(KEY)
    now, waits = 0.0, []
    for _ in range(POLICY.after + 7):
        table.failed("alice", now, POLICY)
        wait = 0
        while table.waiting("alice", now + wait):
            wait += 1
        waits.append(wait)
        now += 61
    assert waits[POLICY.after - 1 :] == [2, 4, 8, 16, 32, 60, 60, 60]
    assert POLICY.delay(10**9) == 60
    table.passed(" ALICE ")
    assert len(table) == 0
