"""Staff login back-off: guessing the code slows down, but no one can lock the holder out, and
every failure looks and costs the same."""

from __future__ import annotations

import dataclasses
import re

import pytest
from starlette.testclient import TestClient

from sealbox import settings as settings_mod
from sealbox.web.app import create_app
from tests import staff_kit, support
from tests.accounts.test_security_keys import ORIGIN, key_step, password_step, with_key
from tests.conftest import TEST_KDF

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


# The per-name wait: wrong passwords and unknown names count too, and the holder still gets in
# by showing more than the password.


@pytest.fixture
def settings(tmp_path, database_url):
    # Security keys answer this origin (see test_security_keys).
    return settings_mod.load(
        environ={},
        data_dir=tmp_path / "data",
        database_url=database_url,
        kdf=TEST_KDF,
        public_url=ORIGIN,
    )


def _make_wait(client, services, *accounts) -> None:
    """Fail at the accounts' names until each waits the longest wait (a minute) from now."""
    for round_ in range(services.settings.staff_lockout_after + 7):
        if round_:
            services.clock.advance(61)
        for account in accounts:
            assert support.staff_login(client, services, account).status_code == 401


def _waits(services, name: str) -> bool:
    return services.login_names.waiting(name, services.clock.timestamp())


def test_an_unknown_name_waits_exactly_like_a_known_one(services, client):
    alice = support.add_user(services, "alice")
    ghost = dataclasses.replace(alice, username="ghost", password="not-the-password-at-all")
    wrong = dataclasses.replace(alice, password="not-the-password-at-all")
    answers: dict[str, list] = {"ghost": [], "alice": []}
    for _ in range(services.settings.staff_lockout_after + 2):
        for name, account in (("ghost", ghost), ("alice", wrong)):
            response = support.staff_login(client, services, account)
            assert "set-cookie" not in response.headers
            answers[name].append(_answer(response))
    assert answers["ghost"] == answers["alice"]
    assert answers["ghost"][0][0] == 401 and FAILED in answers["ghost"][0][1]
    # Both names wait now, however they are typed.
    assert _waits(services, "ghost") and _waits(services, " GHOST ")
    assert _waits(services, "alice") and _waits(services, "Alice")
    services.clock.advance(services.settings.staff_backoff_max_seconds + 1)
    assert not _waits(services, "ghost") and not _waits(services, "alice")


def test_during_the_wait_the_password_alone_reaches_the_key_page_only_from_a_known_browser(
    services, client
):
    # `client` finished a full login of hana's account: it is a known device from now on.
    hana, device = with_key(services, client, "hana")
    wrong = dataclasses.replace(hana, password="not-the-password-at-all")
    with staff_kit.browser(services) as attacker:
        _make_wait(attacker, services, wrong)
        # The right password alone, from a fresh browser: the answer of a wrong one.
        held = password_step(attacker, hana)
        assert held.url.path == "/staff/login" and held.status_code == 401
        assert _answer(held) == _answer(password_step(attacker, wrong))
    landed = password_step(client, hana)
    assert landed.url.path == "/staff/login/factor"
    # After the wait, a fresh browser reaches the key page again, and the key logs in.
    services.clock.advance(services.settings.staff_backoff_max_seconds + 1)
    with staff_kit.browser(services) as fresh:
        assert password_step(fresh, hana).url.path == "/staff/login/factor"
        assert key_step(fresh, device).json()["next"] == "/staff/"
        assert "sealbox_device" in fresh.cookies


def _device_cookie(response) -> list[str]:
    steps = [*response.history, response]
    cookies = [c for step in steps for c in step.headers.get_list("set-cookie")]
    return [c.lower() for c in cookies if c.startswith("sealbox_device=")]


def test_only_a_full_login_marks_the_browser_and_the_mark_is_a_strict_cookie(services, client):
    hana, device = with_key(services, client, "hana")
    alice = support.add_user(services, "alice")
    with TestClient(create_app(services), base_url="https://sealbox.test") as browser:
        assert _device_cookie(password_step(browser, hana)) == []  # the key is still due
        assert len(_device_cookie(key_step(browser, device))) == 1
        (mark,) = _device_cookie(support.staff_login(browser, services, alice))
    attributes = {part.strip().split("=")[0] for part in mark.split(";")}
    assert {"httponly", "secure", "samesite", "max-age", "path"} <= attributes
    assert "samesite=strict" in mark and "path=/staff/login" in mark
    assert f"max-age={90 * 86400}" in mark


def test_a_known_device_mark_holds_for_its_own_account_only(services, client):
    hana, _ = with_key(services, client, "hana")
    omar, _ = with_key(services, client, "omar")  # the browser's mark is omar's now
    _make_wait(client, services, dataclasses.replace(hana, password="not-the-password-at-all"))
    assert password_step(client, hana).url.path == "/staff/login"
    # A mark that was tampered with is no mark.
    mark = client.cookies["sealbox_device"]
    with staff_kit.browser(services) as forger:
        forged = mark[:-1] + ("0" if mark[-1] != "0" else "1")
        forger.cookies.set("sealbox_device", forged, domain="sealbox.test", path="/staff/login")
        _make_wait(forger, services, dataclasses.replace(omar, password="not-the-password"))
        assert password_step(forger, omar).url.path == "/staff/login"
        forger.cookies.set("sealbox_device", mark, domain="sealbox.test", path="/staff/login")
        assert password_step(forger, omar).url.path == "/staff/login/factor"
        # A mark is known for 90 days after the login that issued it.
        services.clock.advance(91 * 86400)
        forger.cookies.delete("sealbox_staff")
        _make_wait(forger, services, dataclasses.replace(omar, password="not-the-password"))
        assert password_step(forger, omar).url.path == "/staff/login"


def test_during_the_wait_the_right_password_and_code_still_log_in(services, client):
    alice = support.add_user(services, "alice")
    wrong = dataclasses.replace(alice, password="not-the-password-at-all")
    _make_wait(client, services, wrong)
    with staff_kit.browser(services) as fresh:
        assert support.staff_login(fresh, services, alice, offset_steps=20).status_code == 401
        assert _waits(services, "alice")
        assert support.staff_login(fresh, services, alice).status_code == 200
        assert fresh.get("/staff/").status_code == 200
    # The login clears the name's count.
    assert not _waits(services, "alice")


def test_during_the_wait_a_newcomer_still_enrols_with_the_one_time_password(services, client):
    nina = support.invite(services, "nina")
    _make_wait(client, services, dataclasses.replace(nina, password="not-the-password-at-all"))
    with staff_kit.browser(services) as fresh:
        landed = support.staff_login(fresh, services, nina)
        assert landed.url.path == "/staff/account/totp"


def test_tries_during_the_wait_do_not_prolong_it(services, client):
    hana, _ = with_key(services, client, "hana")
    wrong = dataclasses.replace(hana, password="not-the-password-at-all")
    with staff_kit.browser(services) as attacker:
        _make_wait(attacker, services, wrong)
        services.clock.advance(30)
        for _ in range(10):
            assert password_step(attacker, wrong).status_code == 401
        assert password_step(attacker, hana).url.path == "/staff/login"  # still waiting
        services.clock.advance(31)
    with staff_kit.browser(services) as fresh:
        assert password_step(fresh, hana).url.path == "/staff/login/factor"


def test_every_try_during_the_wait_costs_one_derivation_and_gets_one_answer(services, client):
    hana, _ = with_key(services, client, "hana")
    alice = support.add_user(services, "alice")
    ghost = dataclasses.replace(alice, username="ghost")
    with staff_kit.browser(services) as attacker:
        wrong = [dataclasses.replace(a, password="wrong-one") for a in (ghost, alice, hana)]
        _make_wait(attacker, services, *wrong)
        answers, costs = [], []
        tries = (
            (ghost, 0),  # an unknown name
            (dataclasses.replace(alice, password="wrong-one"), 0),  # a wrong password
            (alice, 20),  # the right password with a wrong code
            (dataclasses.replace(alice, totp_secret=""), 0),  # the right password alone
            (dataclasses.replace(hana, totp_secret=""), 0),  # the same, before a key
        )
        for account, offset in tries:
            before = services.kdf.runs
            answers.append(_answer(support.staff_login(attacker, services, account, offset)))
            costs.append(services.kdf.runs - before)
    assert answers[0][0] == 401 and FAILED in answers[0][1]
    assert all(answer == answers[0] for answer in answers)
    assert costs == [1] * len(tries)


def test_the_table_of_names_stays_bounded(services, client):
    from sealbox.accounts.name_backoff import NameBackoff

    small = NameBackoff(services.secrets.form_key, capacity=20, quiet=600)
    services.login_names = small
    for number in range(40):
        nobody = support.Account(f"nobody{number}", "not-the-password-at-all", "", "handler")
        assert support.staff_login(client, services, nobody).status_code == 401
    assert len(small) == 20
    # After a quiet while the next failure sweeps the old entries out.
    services.clock.advance(601)
    support.staff_login(client, services, support.Account("late", "wrong", "", "handler"))
    assert len(small) == 1
