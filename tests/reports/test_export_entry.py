"""An export is audited in one shape whether a handler downloads it or the command line
writes it: the report as target, and whose key wrap went into the bundle."""

from __future__ import annotations

import json
import zipfile

from tests import staff_kit, support
from tests.audit.cli_runner import sealbox


def _exports(services) -> list[dict]:
    log = sealbox(services, "audit", "export")
    assert log.exit_code == 0, log.output
    entries = [json.loads(line) for line in log.output.splitlines() if line.strip()]
    return [e for e in entries if e["action"] == "report_exported"]


def test_web_and_cli_exports_write_the_same_entry(services, client, tmp_path):
    alice = support.add_user(services, "alice")
    staff_kit.channel(services, "fraud", ["alice"])
    support.submit(client, "fraud", "EXPORTCANARY minutes", [("m.txt", b"minutes")])
    report_id = staff_kit.report_id_of(services, "fraud")

    with staff_kit.browser(services) as browser:
        support.staff_login(browser, services, alice)
        web = browser.get(f"/staff/reports/{report_id}/export")
    assert web.status_code == 200
    bundle = tmp_path / "cli.zip"
    cli = sealbox(services, "export", report_id, "--user", "alice", "-o", str(bundle))
    assert cli.exit_code == 0, cli.output
    with zipfile.ZipFile(bundle) as archive:
        assert "manifest.json" in archive.namelist()

    by_web, by_cli = _exports(services)
    assert by_web["actor"] == "alice" and by_cli["actor"] == "cli"
    for entry in (by_web, by_cli):
        assert entry["target"] == f"report:{report_id}"
        assert json.loads(entry["details"]) == {"for_user": "alice"}


def test_cli_export_for_someone_without_a_wrap_is_refused_and_not_audited(
    services, client, tmp_path
):
    support.add_user(services, "alice")
    support.add_user(services, "bert")
    staff_kit.channel(services, "fraud", ["alice"])
    support.submit(client, "fraud", "secret")
    report_id = staff_kit.report_id_of(services, "fraud")
    for user in ("bert", "nobody"):
        out = tmp_path / f"{user}.zip"
        result = sealbox(services, "export", report_id, "--user", user, "-o", str(out))
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert not out.exists()
    assert _exports(services) == []
