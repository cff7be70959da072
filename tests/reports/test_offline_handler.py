"""An offline-key handler: the web tells them the report is sealed for offline reading, the
export downloaded over HTTP opens with `sealbox decrypt` and with the Debian `age` CLI."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from typer.testing import CliRunner

from sealbox.cli import app as cli_app
from tests import staff_kit, support

AGE, AGE_KEYGEN = shutil.which("age"), shutil.which("age-keygen")
pytestmark = pytest.mark.skipif(
    AGE is None or AGE_KEYGEN is None, reason="the age CLI is missing (scripts/install-test-deps)"
)


def test_offline_handler_reads_the_export_offline(services, client, other_client, tmp_path):
    identity = tmp_path / "olga.txt"
    subprocess.run([AGE_KEYGEN, "-o", identity], check=True, capture_output=True)
    public = next(
        line.split(": ")[1] for line in identity.read_text().splitlines() if "public key" in line
    )
    olga = support.add_user(services, "olga", offline_key=public)
    staff_kit.account(services, "ivan", "handler")
    staff_kit.channel(services, "leaks", ["olga"])
    support.submit(client, "leaks", "OFFLINECANARY minutes of the board", [("m.txt", b"minutes")])
    report_id = staff_kit.report_id_of(services, "leaks")

    support.staff_login(other_client, services, olga)
    page = other_client.get(f"/staff/reports/{report_id}")
    assert page.status_code == 200
    assert "Sealed for offline reading" in page.text and "sealbox decrypt" in page.text
    assert "OFFLINECANARY" not in page.text
    file_id = staff_kit.file_id_of(services, report_id)
    assert other_client.get(f"/staff/reports/{report_id}/files/{file_id}").status_code == 403
    # Passing the report on needs the key in hand: refused clearly, not with a traceback.
    refused = staff_kit.post(other_client, f"/staff/reports/{report_id}/handlers", user_id="x")
    assert refused.status_code == 403 and "offline" in refused.text

    bundle = other_client.get(f"/staff/reports/{report_id}/export")
    assert bundle.status_code == 200
    assert b"OFFLINECANARY" not in bundle.content
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle.content)

    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli_app, ["decrypt", str(path), "-i", str(identity), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "OFFLINECANARY" in (out / "conversation.txt").read_text()
    assert (out / "files" / "m.txt").read_bytes() == b"minutes"

    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        (tmp_path / "key.age").write_bytes(archive.read("key.age"))
        message = next(n for n in archive.namelist() if n.startswith("messages/"))
        (tmp_path / "message.age").write_bytes(archive.read(message))
    report_key = subprocess.run(
        [AGE, "-d", "-i", identity, tmp_path / "key.age"], capture_output=True, check=True
    ).stdout
    (tmp_path / "report.key").write_bytes(report_key)
    opened = subprocess.run(
        [AGE, "-d", "-i", tmp_path / "report.key", tmp_path / "message.age"],
        capture_output=True,
        check=True,
    ).stdout
    assert b"OFFLINECANARY" in opened

    wrong = tmp_path / "wrong.txt"
    subprocess.run([AGE_KEYGEN, "-o", wrong], check=True, capture_output=True)
    failed = CliRunner().invoke(cli_app, ["decrypt", str(path), "-i", str(wrong), "-o", str(out)])
    assert failed.exit_code != 0 and "Traceback" not in failed.output


def test_a_file_that_is_no_identity_is_named_before_any_bundle_is_read(tmp_path):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(b"not read: the key comes first")
    junk = tmp_path / "notes.txt"
    junk.write_text("AGE-SECRET-KEY-1 is what belongs here\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli_app, ["decrypt", str(bundle), "-i", str(junk), "-o", str(out)])
    assert result.exit_code == 1
    assert "is not an age identity file" in result.output and str(junk) in result.output
    assert "Traceback" not in result.output and not out.exists()
