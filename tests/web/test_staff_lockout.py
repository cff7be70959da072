"""Staff login is throttled per account: guessing locks the account, not everyone."""

from __future__ import annotations

import dataclasses

from tests import support


def test_repeated_failures_lock_only_that_account(services, client):
    alice = support.add_user(services, "alice")
    bob = support.add_user(services, "bob")
    wrong = dataclasses.replace(alice, password="not-the-password-at-all")
    for _ in range(services.settings.staff_lockout_after):
        assert support.staff_login(client, services, wrong).status_code == 401
    locked = support.staff_login(client, services, alice)
    assert locked.status_code == 429, "the right password does not help while locked"
    assert "Too many failed attempts" in locked.text
    assert support.staff_login(client, services, bob).status_code == 200
    client.cookies.clear()
    services.clock.advance(61)
    assert support.staff_login(client, services, alice).status_code == 200


def test_unknown_user_and_wrong_code_get_the_same_message(services, client):
    alice = support.add_user(services, "alice")
    ghost = dataclasses.replace(alice, username="ghost")
    bad_code = support.staff_login(client, services, alice, offset_steps=20)
    unknown = support.staff_login(client, services, ghost)
    assert bad_code.status_code == unknown.status_code == 401
    assert "The username, password or code is not right." in bad_code.text
    assert "The username, password or code is not right." in unknown.text
