"""Staff login back-off: guessing the code slows down, but no one can lock the holder out, and
every failure looks and costs the same."""

from __future__ import annotations

import dataclasses
import re

from tests import support

FAILED = "The username, password or code is not right."


def _answer(response) -> tuple[int, str]:
    """What a failed login shows, minus the page's fresh form token."""
    return response.status_code, re.sub(r'value="[^"]*"', "", response.text)


def test_wrong_passwords_never_keep_the_holder_out(services, client):
    alice = support.add_user(services, "alice")
    wrong = dataclasses.replace(alice, password="not-the-password-at-all")
    for _ in range(20):
        assert support.staff_login(client, services, wrong).status_code == 401
    assert support.staff_login(client, services, alice).status_code == 200


def test_guessing_the_code_makes_the_holder_wait_at_most_a_minute(services, client):
    alice = support.add_user(services, "alice")
    for _ in range(20):
        # Someone who holds the password guesses codes, each after the wait of the last.
        guess = support.staff_login(client, services, alice, offset_steps=20)
        assert guess.status_code == 401
        services.clock.advance(61)
    assert support.staff_login(client, services, alice, offset_steps=20).status_code == 401
    waiting = support.staff_login(client, services, alice)
    assert waiting.status_code == 401 and FAILED in waiting.text
    services.clock.advance(30)
    # Tries while waiting do not prolong the wait.
    assert support.staff_login(client, services, alice, offset_steps=20).status_code == 401
    services.clock.advance(31)
    assert support.staff_login(client, services, alice).status_code == 200


def test_unknown_wrong_and_waiting_get_the_same_answer_for_one_derivation(services, client):
    alice = support.add_user(services, "alice")
    ghost = dataclasses.replace(alice, username="ghost")
    wrong = dataclasses.replace(alice, password="not-the-password-at-all")
    for _ in range(10):
        support.staff_login(client, services, ghost)
        support.staff_login(client, services, wrong)
        support.staff_login(client, services, alice, offset_steps=20)
        services.clock.advance(61)
    support.staff_login(client, services, alice, offset_steps=20)  # a minute's wait from here
    answers, costs = [], []
    # An unknown name, a wrong password, a wrong code, and the right code during the wait.
    for account, offset in ((ghost, 0), (wrong, 0), (alice, 20), (alice, 0)):
        before = services.kdf.runs
        answers.append(_answer(support.staff_login(client, services, account, offset)))
        costs.append(services.kdf.runs - before)
    assert answers[0][0] == 401 and FAILED in answers[0][1]
    assert all(answer == answers[0] for answer in answers)
    assert costs == [1, 1, 1, 1]
