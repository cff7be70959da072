"""Backup drill: an instance with reports of every kind is backed up, the machine is lost
(data directory and database gone), and the backup is restored into an empty one. The source
still logs in with their passphrase, the handler reads and replies, the audit chain verifies,
and the report retention shredded before the backup does not come back. The `age` CLI opens
what Sealbox wrote, and the server never holds what opens it."""

from __future__ import annotations

import subprocess
import tarfile

from sqlalchemy import select

from sealbox.audit.models import AuditEntry
from tests import staff_kit, support
from tests.backup import kit
from tests.backup.kit import sealbox


def _create(services, tmp_path, key: str, name: str = "backup.age", *extra: str):
    assert sealbox(services, "backup", "key", "add", key).exit_code == 0
    out = tmp_path / name
    made = sealbox(services, "backup", "create", "-o", str(out), *extra)
    assert made.exit_code == 0, made.output
    return out, made


def test_a_backup_restores_into_an_empty_instance(services, client, tmp_path):
    instance = kit.populate(services, client)
    key_file, public = kit.offline_key(tmp_path)
    backup, made = _create(services, tmp_path, public)
    assert "backed up:" in made.output and "(100 %)" in made.output, "progress is shown"
    assert sealbox(services, "audit", "verify").exit_code == 0

    # The age CLI opens it with the offline key; inside, a plain tar of the expected parts.
    opened = subprocess.run(
        ["age", "-d", "-i", str(key_file), str(backup)], capture_output=True, check=True
    )
    (tmp_path / "backup.tar").write_bytes(opened.stdout)
    with tarfile.open(tmp_path / "backup.tar") as tar:
        names = [m.name.split("/", 1)[1] for m in tar.getmembers()]
        assert all(m.mtime == 0 and m.uname == "" for m in tar.getmembers())
    assert names[0] == "manifest.json" and names[-1] == "checksums.json"
    assert "secrets.toml" in names
    assert len([n for n in names if n.startswith("blobs/")]) == 2  # the photo and the held file
    assert any(n.startswith("database.") for n in names)
    # The server keeps only the public half: nothing on it opens the backup.
    data = services.settings.data_dir
    assert b"AGE-SECRET-KEY" not in b"".join(
        p.read_bytes() for p in data.rglob("*") if p.is_file() and "backup" in p.name
    )

    checked = kit.offline("backup", "verify", str(backup), "-i", str(key_file))
    assert checked.exit_code == 0 and "intact" in checked.output, checked.output

    assert support.audit_entries(services, None)[-1][1] == "backup_created"
    kit.wipe(services)
    restored = sealbox(services, "backup", "restore", str(backup), "-i", str(key_file))
    assert restored.exit_code == 0, restored.output
    again = kit.reopen(services)
    try:
        assert kit.report_ids(again) == [instance.kept], "the shredded report stays gone"
        with staff_kit.browser(again) as source:
            mine = support.source_login(source, instance.words)
            assert mine.status_code == 200 and "Thanks" in mine.text
        with staff_kit.browser(again) as handler:
            assert support.staff_login(handler, again, instance.alice, 1).status_code == 200
            page = handler.get(f"/staff/reports/{instance.kept}")
            assert kit.KEPT_TEXT in page.text and "NOTECANARY" in page.text
            assert kit.NAME in page.text, "the approved disclosure survives"
            files = support.file_links(page.text)
            assert len(files) == 2
            assert all(handler.get(link).status_code == 200 for link in files)
            action = f"/staff/reports/{instance.kept}/reply"
            sent = handler.post(
                action, data={"csrf": support.token(page.text, action), "text": "Still here"}
            )
            assert sent.status_code == 200
        assert sealbox(again, "audit", "verify").exit_code == 0
        with again.db.transaction() as session:
            actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
        # The backup was made after the snapshot it holds; the restore is noted once.
        assert "backup_key_added" in actions and actions.count("backup_restored") == 1
    finally:
        again.db.dispose()


def test_restore_refuses_a_target_that_holds_anything(services, client, tmp_path):
    support.add_user(services, "alice")
    key_file, public = kit.offline_key(tmp_path)
    backup, _ = _create(services, tmp_path, public)
    refused = sealbox(services, "backup", "restore", str(backup), "-i", str(key_file))
    assert refused.exit_code == 2
    assert "not empty" in refused.output and "Traceback" not in refused.output


def test_a_tampered_or_cut_backup_is_refused_and_leaves_nothing(services, client, tmp_path):
    support.add_user(services, "alice")
    key_file, public = kit.offline_key(tmp_path)
    backup, _ = _create(services, tmp_path, public)
    data = bytearray(backup.read_bytes())
    flipped = tmp_path / "flipped.age"
    data[len(data) // 2] ^= 1
    flipped.write_bytes(bytes(data))
    cut = tmp_path / "cut.age"
    cut.write_bytes(backup.read_bytes()[: len(data) - 70_000])
    (tmp_path / "other").mkdir()
    wrong_key, _ = kit.offline_key(tmp_path / "other")
    for damaged in (flipped, cut):
        checked = kit.offline("backup", "verify", str(damaged), "-i", str(key_file))
        assert checked.exit_code == 1 and "Traceback" not in checked.output, checked.output
    wrong = kit.offline("backup", "verify", str(backup), "-i", str(wrong_key))
    assert wrong.exit_code == 1 and "does not open with this key" in wrong.output

    kit.wipe(services)
    for damaged in (flipped, cut):
        failed = sealbox(services, "backup", "restore", str(damaged), "-i", str(key_file))
        assert failed.exit_code == 1 and "nothing was kept" in failed.output, failed.output
        data_dir = services.settings.data_dir
        left = [p for p in data_dir.rglob("*") if p.is_file()] if data_dir.exists() else []
        assert left == [], left
    restored = sealbox(services, "backup", "restore", str(backup), "-i", str(key_file))
    assert restored.exit_code == 0, restored.output


def test_an_incremental_backup_holds_only_new_files(services, client, tmp_path):
    instance = kit.populate(services, client)
    key_file, public = kit.offline_key(tmp_path)
    full, _ = _create(services, tmp_path, public)
    sent = staff_kit.submit_form(
        client, "fraud", {"text": "LATERCANARY"}, [("files", "later.jpg", kit.jpeg())]
    )
    later_words = support.passphrase_of(sent)
    client.cookies.clear()
    step = tmp_path / "step.age"
    made = sealbox(services, "backup", "create", "-o", str(step), "--base", f"{full}.blobs")
    assert made.exit_code == 0 and "1 files" in made.output, made.output

    kit.wipe(services)
    alone = sealbox(services, "backup", "restore", str(step), "-i", str(key_file))
    assert alone.exit_code == 2 and "incremental" in alone.output
    both = sealbox(services, "backup", "restore", str(full), str(step), "-i", str(key_file))
    assert both.exit_code == 0, both.output
    again = kit.reopen(services)
    try:
        assert len(kit.report_ids(again)) == 2
        with staff_kit.browser(again) as handler:
            support.staff_login(handler, again, instance.alice, 1)
            for report_id in kit.report_ids(again):
                page = handler.get(f"/staff/reports/{report_id}")
                for link in support.file_links(page.text):
                    assert handler.get(link).status_code == 200, "every file comes back"
        with staff_kit.browser(again) as source:
            assert "LATERCANARY" in support.source_login(source, later_words).text
    finally:
        again.db.dispose()
