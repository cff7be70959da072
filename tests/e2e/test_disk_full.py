"""A full disk under a live `sealbox serve`: admins are warned while there is still room; a
source's upload that meets the full disk gets a clear page in their language with their text
in the form, and nothing of it is stored. Once there is room again, the same report goes in.

The instance lives on a small tmpfs of its own (mounting one needs root; skipped otherwise).
"""

from __future__ import annotations

import contextlib
import secrets
import time

import httpx
import pyotp
import pytest

from sealbox.errors import StorageFull
from sealbox.locale import translations
from tests import support
from tests.e2e.fault_drills import (
    CannotMount,
    fill,
    free_bytes,
    post_report,
    small_disk,
    stored_blobs,
)
from tests.live_server import Instance

MIB = 1024 * 1024
DISK_MIB = 64
WARN_MIB = 16


def staff_login(instance: Instance, username: str, password: str, secret: str):
    """Logged in with the next step's code: the enrolment a moment ago used this step's."""
    client = httpx.Client(base_url=instance.url, follow_redirects=True)
    token = support.token(client.get("/staff/login").text)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    landed = client.post(
        "/staff/login",
        data={"csrf": token, "username": username, "password": password, "totp": code},
    )
    assert landed.status_code == 200, landed.text[:500]
    return client, landed.text


def reports(instance: Instance) -> int:
    return instance.sql("SELECT count(*) FROM reports")[0]


@pytest.fixture
def instance(tmp_path, database_url, backend, monkeypatch):
    monkeypatch.setenv("SEALBOX_DISK_WARNING_FREE_MIB", str(WARN_MIB))
    with contextlib.ExitStack() as stack:
        try:
            disk = stack.enter_context(small_disk(tmp_path / "disk", DISK_MIB))
        except CannotMount as exc:
            pytest.skip(str(exc))
        inst = Instance(root=disk, database_url=database_url)
        stack.callback(inst.stop)
        inst.cli("init")
        yield inst


def test_a_full_disk_gives_the_text_back_and_stores_nothing(instance, backend):
    instance.add_handler("alice")
    admin = instance.add_staff("root", "admin")
    instance.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    disk = instance.root

    # Room enough: no warning.
    browser, home = staff_login(instance, "root", *admin)
    assert "Disk space is running low" not in home
    filler = fill(disk, "filler", leave=3 * MIB)

    # Before it is full: the admin's start page and the disk job say so.
    warned = browser.get("/staff/").text
    browser.close()
    assert "Disk space is running low" in warned
    job = instance.cli("jobs", "run", "--once", "--now", "--job", "disk").stdout
    assert "LOW SPACE" in job, job

    before = free_bytes(disk)
    canary = f"DISKFULL{secrets.token_hex(6)} my careful account of what I saw"
    english = StorageFull.on_form
    sent = post_report(instance.url, "en", canary, secrets.token_bytes(60 * MIB))
    assert sent.status_code == 507, sent.text[:500]
    assert canary in sent.text, "the typed text must come back in the form"
    assert english in sent.text
    for lang, code in (("zh-Hans", "zh_Hans"), ("zh-Hant", "zh_Hant"), ("ug", "ug")):
        sent = post_report(instance.url, lang, canary, secrets.token_bytes(8 * MIB))
        assert sent.status_code == 507, sent.text[:500]
        assert canary in sent.text
        translated = translations(code).gettext(english)
        assert translated != english and translated in sent.text, lang
        assert english not in sent.text, lang

    # Nothing stored: no report, no blob, no half-written file; the space is back.
    assert reports(instance) == 0
    assert stored_blobs(instance.data_dir) == []
    assert list((instance.data_dir / "tmp").iterdir()) == []
    assert free_bytes(disk) >= before - MIB

    # Not one byte left: a report without files needs no blob; on SQLite the database itself
    # is out of space, and says so the same way.
    last = fill(disk, "last", leave=0)
    sent = post_report(instance.url, "en", canary, None)
    if backend == "sqlite" and sent.status_code != 200:
        assert sent.status_code == 507, sent.text[:500]
        assert canary in sent.text and english in sent.text
        assert reports(instance) == 0
    else:
        assert sent.status_code == 200, sent.text[:500]
        assert reports(instance) == 1
    stored = reports(instance)

    # Room again: the same report with its file goes in.
    filler.unlink()
    last.unlink()
    sent = post_report(instance.url, "en", canary, secrets.token_bytes(8 * MIB))
    assert sent.status_code == 200, sent.text[:500]
    assert len(support.passphrase_of(sent).split()) >= 7
    assert reports(instance) == stored + 1

    log = "\n".join(path.read_text(errors="replace") for path in instance.logs)
    assert "unhandled" not in log and "Traceback" not in log, log[-3000:]
