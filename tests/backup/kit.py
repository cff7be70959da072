"""An instance with reports of every kind, the `sealbox backup` command, and a wipe."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from sealbox import services as services_mod
from sealbox.cli import app
from sealbox.clock import Clock
from sealbox.jobs import runner
from sealbox.reports import workflow
from sealbox.reports.models import Report
from sealbox.services import Services
from tests import staff_kit, support
from tests.audit.cli_runner import sealbox

DAY = 86400
KEPT_TEXT = "KEPTCANARY the depot manager sells the fuel"
NAME = "Jane IDENTITYCANARY Roe"


@dataclass
class Instance:
    alice: support.Account
    cora: support.Account
    words: str  # the kept report's passphrase
    kept: str  # its id
    gone: str  # a report shredded by retention before the backup


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def populate(services: Services, client) -> Instance:
    """Files, a held file, identity, notes, a disclosure, and a report shredded by retention."""
    alice = staff_kit.account(services, "alice", "handler")
    cora = staff_kit.account(services, "cora", "custodian")
    staff_kit.channel(services, "fraud", ["alice"], allow_identity=True)
    gone = _shredded(services, client, alice)

    sent = staff_kit.submit_form(
        client,
        "fraud",
        {"text": KEPT_TEXT, "identity_name": NAME, "identity_contact": "jane@example.org"},
        [("files", "depot.jpg", jpeg()), ("files", "ledger.bin", b"\x00LEDGER" * 300)],
    )
    assert sent.status_code == 200, sent.text
    words = support.passphrase_of(sent)
    assert support.decide_held(client, sent.text, "send") == 1
    client.cookies.clear()
    kept = next(r for r in _report_ids(services) if r != gone)
    with staff_kit.browser(services) as handler, staff_kit.browser(services) as custodian:
        support.staff_login(handler, services, alice)
        page = handler.get(f"/staff/reports/{kept}")
        action = f"/staff/reports/{kept}/reply"
        handler.post(action, data={"csrf": support.token(page.text, action), "text": "Thanks"})
        staff_kit.post(handler, f"/staff/reports/{kept}/notes", text="NOTECANARY call legal")
        staff_kit.post(
            handler,
            f"/staff/reports/{kept}/disclosure",
            reason="We must warn the reporter about retaliation risk.",
        )
        support.staff_login(custodian, services, cora)
        [request_id] = staff_kit.request_ids(custodian.get("/staff/disclosures").text)
        staff_kit.post(custodian, f"/staff/disclosures/{request_id}/approve")
    return Instance(alice, cora, words, kept, gone)


def _shredded(services: Services, client, alice: support.Account) -> str:
    with services.db.transaction() as session:
        session.execute(text("update channels set retention_days_closed = 30"))
    sent = staff_kit.submit_form(client, "fraud", {"text": "GONECANARY"}, [])
    assert sent.status_code == 200, sent.text
    client.cookies.clear()
    [gone] = _report_ids(services)
    with staff_kit.browser(services) as handler:
        support.staff_login(handler, services, alice)
        page = handler.get(f"/staff/reports/{gone}")
        closed = handler.post(
            f"/staff/reports/{gone}/status",
            data={
                "csrf": support.token(page.text),
                "status": "closed",
                "outcome": next(iter(workflow.OUTCOMES)),
            },
        )
        assert closed.status_code == 200, closed.text
    services.clock.advance(31 * DAY)
    outcome = [run.outcome for run in runner.run_due(services, only=["retention"], force=True)]
    assert outcome == ["deleted 1 closed and 0 unanswered report(s)"]
    return gone


def _report_ids(services: Services) -> list[str]:
    with services.db.transaction() as session:
        return list(session.scalars(select(Report.id)))


def report_ids(services: Services) -> list[str]:
    return _report_ids(services)


def offline_key(tmp_path: Path) -> tuple[Path, str]:
    """An offline key made by the age CLI: its identity file and public key."""
    path = tmp_path / "offline.key"
    made = subprocess.run(
        ["age-keygen", "-o", str(path)], capture_output=True, text=True, check=True
    )
    return path, made.stderr.split("Public key: ")[1].strip()


def wipe(services: Services) -> None:
    """Lose the machine: the data directory and the whole database schema."""
    services.db.dispose()
    shutil.rmtree(services.settings.data_dir)
    url = services.settings.database_url
    if url:
        schema = url.split("csearch_path%3D")[1]
        engine = create_engine(url.split("?")[0].replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as connection:
            connection.execute(text(f"drop schema {schema} cascade"))
        engine.dispose()


def reopen(services: Services) -> Services:
    """The instance as a new server process would build it, at the same (advanced) time."""
    return services_mod.build(services.settings, clock=Clock(offset=services.clock.offset))


def offline(*args: str):
    """A `sealbox` command run where the offline key is, with no instance at hand."""
    return CliRunner().invoke(app, list(args))


__all__ = ["sealbox"]
