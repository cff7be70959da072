"""Keys exported by `sealbox` let the Debian `age` CLI open what Sealbox stored."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import httpx
import pytest

from sealbox.crypto import Recipient
from tests import support

AGE = shutil.which("age")
AGE_KEYGEN = shutil.which("age-keygen")
pytestmark = pytest.mark.skipif(
    AGE is None, reason="the age CLI is missing (scripts/install-test-deps installs it)"
)


def test_age_decrypts_a_stored_attachment_blob(instance):
    password, _ = instance.add_handler("alice")
    instance.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    instance.start()
    evidence = b"ledger line: 5,000 EUR to the shell company\n" * 1000
    with httpx.Client(base_url=instance.url, follow_redirects=True) as source:
        assert (
            support.submit(source, "fraud", "see file", [("evidence.txt", evidence)]).status_code
            == 200
        )
    report_id = _only_report_id(instance)

    key = instance.root / "alice.key"
    instance.cli("export-key", "alice", "-o", str(key), "--password-stdin", input=password + "\n")
    bundle = instance.root / "bundle.zip"
    instance.cli("export", report_id, "--user", "alice", "-o", str(bundle))
    with zipfile.ZipFile(bundle) as archive:
        (instance.root / "key.age").write_bytes(archive.read("key.age"))
    report_key = subprocess.run(
        [AGE, "-d", "-i", key, instance.root / "key.age"], capture_output=True, check=True
    ).stdout
    (instance.root / "report.key").write_bytes(report_key)

    # The blob exactly as it rests in the data directory (the pool's empty files aside).
    blobs = (instance.data_dir / "blobs").rglob("*")
    [blob] = [p for p in blobs if p.is_file() and p.stat().st_size > 0]
    opened = subprocess.run(
        [AGE, "-d", "-i", instance.root / "report.key", blob], capture_output=True, check=True
    ).stdout
    assert opened == evidence

    out = instance.root / "out"
    done = instance.cli("decrypt", str(bundle), "-i", str(key), "-o", str(out))
    assert "evidence.txt" in done.stderr  # progress, per file
    assert (out / "files" / "evidence.txt").read_bytes() == evidence
    assert "see file" in (out / "conversation.txt").read_text()


@pytest.mark.skipif(AGE_KEYGEN is None, reason="age-keygen is missing")
def test_offline_key_handler_reads_only_offline(instance):
    identity = instance.root / "offline.txt"
    subprocess.run([AGE_KEYGEN, "-o", identity], check=True, capture_output=True)
    public = next(
        line.split(": ")[1] for line in identity.read_text().splitlines() if "public key" in line
    )
    # Olga registers her public key herself, when she sets up her account.
    password, secret = instance.add_staff("olga", "handler", offline_key=public)
    instance.cli("channel", "add", "leaks", "--name", "Leaks", "--handler", "olga")
    olga, _ = instance.staff_login("olga", password, secret)
    account = olga.get("/staff/account").text
    olga.close()
    assert Recipient.parse(public).fingerprint in account
    with httpx.Client(base_url=instance.url, follow_redirects=True) as source:
        support.submit(source, "leaks", "for offline eyes", [("a.txt", b"alpha")])
    report_id = _only_report_id(instance)
    bundle = instance.root / "olga.zip"
    instance.cli("export", report_id, "--user", "olga", "-o", str(bundle))
    with zipfile.ZipFile(bundle) as archive:
        assert b"for offline eyes" not in b"".join(archive.read(n) for n in archive.namelist())
    out = instance.root / "olga"
    instance.cli("decrypt", str(bundle), "-i", str(identity), "-o", str(out))
    assert "for offline eyes" in (out / "conversation.txt").read_text()
    assert (out / "files" / "a.txt").read_bytes() == b"alpha"

    wrong = instance.root / "wrong.txt"
    subprocess.run([AGE_KEYGEN, "-o", wrong], check=True, capture_output=True)
    refused = instance.cli("decrypt", str(bundle), "-i", str(wrong), "-o", str(out), check=False)
    assert refused.returncode == 1
    assert "cannot open the bundle" in refused.stderr
    assert "Traceback" not in refused.stderr


def _only_report_id(instance) -> str:
    [report_id] = instance.sql("select id from reports")
    return report_id


def test_decrypt_leaves_no_truncated_file_from_a_damaged_bundle(instance):
    password, _ = instance.add_handler("alice")
    instance.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    instance.start()
    with httpx.Client(base_url=instance.url, follow_redirects=True) as source:
        support.submit(source, "fraud", "see file", [("notes.txt", b"words " * 50_000)])
    key = instance.root / "alice.key"
    instance.cli("export-key", "alice", "-o", str(key), "--password-stdin", input=password + "\n")
    bundle = instance.root / "bundle.zip"
    instance.cli("export", _only_report_id(instance), "--user", "alice", "-o", str(bundle))
    damaged = instance.root / "damaged.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("files/") and not info.filename.endswith(".meta.age"):
                data = data[: len(data) // 2] + bytes(len(data) - len(data) // 2)
            target.writestr(info, data)
    out = instance.root / "out"
    result = instance.cli("decrypt", str(damaged), "-i", str(key), "-o", str(out), check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert not (out / "files" / "notes.txt").exists()
