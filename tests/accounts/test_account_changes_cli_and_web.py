"""An account change made on the admin's page and the same change made with `sealbox` leave
audit entries of one shape: the same actions about the account, with the same details.
Only the actor differs (the admin, or `cli`)."""

from __future__ import annotations

from sqlalchemy import select

from sealbox.accounts.models import User
from tests import staff_kit, support
from tests.audit.cli_runner import sealbox


def _entries_about(services, username: str):
    with services.db.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
    return support.audit_entries(services, f"user:{user_id}")


def _shape(entries, username: str):
    """The entries without who made them, and with the account's name as NAME."""
    return [
        (action, {k: "NAME" if v == username else v for k, v in details.items()})
        for _, action, details in entries
    ]


def _add_on_the_page(client, username: str, role: str) -> None:
    page = client.get("/staff/admin/users")
    made = client.post(
        "/staff/admin/users",
        data={"csrf": support.token(page.text), "username": username, "role": role},
    )
    assert made.status_code == 200 and "one-time password" in made.text.lower(), made.text


def test_adding_an_account_is_audited_alike_on_the_page_and_on_the_command_line(services, client):
    ada = staff_kit.account(services, "ada", "admin")
    support.staff_login(client, services, ada)

    _add_on_the_page(client, "webber", "handler")
    done = sealbox(services, "user", "add", "clive", "--role", "handler")
    assert done.exit_code == 0, done.output

    on_page, on_cli = _entries_about(services, "webber"), _entries_about(services, "clive")
    assert [actor for actor, *_ in on_page] == ["ada"]
    assert [actor for actor, *_ in on_cli] == ["cli"]
    assert _shape(on_page, "webber") == _shape(on_cli, "clive")
    assert _shape(on_cli, "clive") == [("user_added", {"role": "handler", "username": "NAME"})]


def test_asking_for_a_custodian_is_audited_alike_on_the_page_and_on_the_command_line(
    services, client
):
    staff_kit.account(services, "cora", "custodian")  # the first one, named at install time
    ada = staff_kit.account(services, "ada", "admin")
    support.staff_login(client, services, ada)

    _add_on_the_page(client, "webber", "custodian")
    done = sealbox(services, "user", "add", "clive", "--role", "custodian")
    assert done.exit_code == 0, done.output
    assert "awaits approval" in done.output

    on_page, on_cli = _entries_about(services, "webber"), _entries_about(services, "clive")
    assert {actor for actor, *_ in on_page} == {"ada"}
    assert {actor for actor, *_ in on_cli} == {"cli"}
    assert _shape(on_page, "webber") == _shape(on_cli, "clive")
    assert [action for action, *_ in _shape(on_cli, "clive")] == ["user_added", "role_requested"]
