"""Shred drill: after retention deletes a report, every byte the server keeps is carved for the
report's key wraps, messages, file names and identity, and every age header found is tried with
the source's passphrase. Nothing of the shredded report may come back; a kept report, carved the
same way, shows that the carving finds what is there.

SQLite: the main file, its WAL and free pages. PostgreSQL: the table, TOAST and index files of
the instance's schema and pg_statistic (where ANALYZE keeps sample values), found with
pg_relation_filepath, and a pg_dump.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select, text

from sealbox import crypto
from sealbox.channels.models import Channel
from sealbox.crypto import CannotOpen, Sealed, passphrase
from sealbox.jobs import runner
from sealbox.reports import workflow
from sealbox.reports.models import Attachment, Report
from sealbox.schema import metadata
from sealbox.store.types import SealedColumn
from tests import staff_kit, support
from tests.e2e import forensics
from tests.e2e.test_chronology_drill import follow_up, reachable

# Six bodies per report, from a line to past SQLite's page and PostgreSQL's TOAST thresholds.
SIZES = (10, 500, 1500, 3000, 9000, 40000)
DAY = 86400


def _write_report(services, source, name: str) -> str:
    sent = staff_kit.submit_form(
        source,
        "fraud",
        {"text": f"{name} " * SIZES[0], "identity_name": f"{name} person", "identity_contact": "x"},
        [("files", f"{name}.txt", name.encode() * 400)],
    )
    assert sent.status_code == 200, sent.text
    words = support.passphrase_of(sent)
    source.cookies.clear()
    assert support.source_login(source, words).status_code == 200
    for size in SIZES[1:]:
        follow_up(source, (name + " ") * (size // (len(name) + 1)))
    source.cookies.clear()
    return words


def _sealed_values(services, report_id: str) -> dict[str, bytes]:
    """Every sealed value the database holds for one report, read before the shred."""
    found = {}
    with services.db.engine.connect() as connection:
        for table in (metadata.tables[name] for name in sorted(reachable(services))):
            sealed = [c.name for c in table.columns if isinstance(c.type, SealedColumn)]
            key = "id" if table.name == "reports" else "report_id"
            if not sealed or key not in table.columns:
                continue
            rows = connection.execute(
                text(f'select {", ".join(sealed)} from "{table.name}" where {key} = :r'),
                {"r": report_id},
            ).all()
            for n, row in enumerate(rows):
                for column, value in zip(sealed, row, strict=True):
                    if value is not None:
                        found[f"{table.name}.{column}#{n}"] = bytes(value)
    return found


def _opened_wraps(places: dict[str, bytes], sealed: dict[str, bytes], words: str, services):
    """Cut a wrap's length at every age header and try to open it with the passphrase."""
    [wrap] = [v for k, v in sealed.items() if k.startswith("source_access.wrapped")]
    key = crypto.derive_source_keys(
        passphrase.normalise(words), services.secrets.source_salt, services.settings.kdf
    ).identity
    opened = []
    for place, data in places.items():
        start = data.find(crypto.AGE_MAGIC)
        while start != -1:
            with contextlib.suppress(CannotOpen, ValueError):
                crypto.unwrap_identity(Sealed(data[start : start + len(wrap)]), key)
                opened.append(place)
            start = data.find(crypto.AGE_MAGIC, start + 1)
    return opened


def _report_ids(services) -> set[str]:
    with services.db.transaction() as session:
        return set(session.scalars(select(Report.id)))


def _blob_bytes(services, report_id: str) -> dict[str, bytes]:
    with services.db.transaction() as session:
        blob_ids = session.scalars(
            select(Attachment.blob_id).where(Attachment.report_id == report_id)
        )
        return {f"blob {b}": services.blobs.path_of(b).read_bytes() for b in blob_ids}


def test_a_shredded_report_leaves_no_byte_behind(services, backend, database_url, client):
    alice = support.add_user(services, "alice")
    support.add_user(services, "carla", "custodian")
    support.add_channel(services, "fraud", ["alice"])
    with services.db.transaction() as session:
        channel = session.scalars(select(Channel)).one()
        channel.allow_identity = True
        channel.retention_days_closed = 30
    words = {"gone": _write_report(services, client, "gone")}
    [gone] = _report_ids(services)
    words["kept"] = _write_report(services, client, "kept")
    [kept] = _report_ids(services) - {gone}
    names = {"gone": gone, "kept": kept}

    with staff_kit.browser(services) as handler:
        support.staff_login(handler, services, alice)
        for report_id in names.values():  # read marks, a reply and a note on each
            page = handler.get(f"/staff/reports/{report_id}")
            action = f"/staff/reports/{report_id}/reply"
            handler.post(action, data={"csrf": support.token(page.text, action), "text": "ok"})
            handler.post(
                f"/staff/reports/{report_id}/notes",
                data={"csrf": support.token(page.text), "text": "a note"},
            )
        closed = handler.post(
            f"/staff/reports/{gone}/status",
            data={
                "csrf": support.token(page.text),
                "status": "closed",
                "outcome": next(iter(workflow.OUTCOMES)),
            },
        )
        assert closed.status_code == 200, closed.text
    sealed = {
        name: {**_sealed_values(services, rid), **_blob_bytes(services, rid)}
        for name, rid in names.items()
    }
    assert len([k for k in sealed["gone"] if k.startswith("messages.body")]) == len(SIZES) + 1
    if backend == "postgresql":
        tables = ", ".join(f'"{name}"' for name in sorted(reachable(services)))
        with services.db.engine.begin() as connection:
            connection.execute(text(f"analyze {tables}"))  # as autovacuum would

    services.clock.advance(31 * DAY)
    outcome = [run.outcome for run in runner.run_due(services, only=["retention"], force=True)]
    assert outcome == ["deleted 1 closed and 0 unanswered report(s)"]

    places = {
        str(path.relative_to(services.settings.data_dir)): path.read_bytes()
        for path in services.settings.data_dir.rglob("*")
        if path.is_file()
    }
    if backend == "postgresql":
        for label, path in forensics.pg_files(database_url, statistics=True).items():
            places[label] = path.read_bytes()
        places["pg_dump"] = forensics.pg_dump(database_url).encode()
    needles = {
        name: {label: forensics.pieces_of(value) for label, value in values.items()}
        for name, values in sealed.items()
    }
    # The carving works: every sealed value of the kept report is found, and its wrap opens.
    found = {hit.split(" in ")[0] for hit in forensics.carve(places, needles["kept"])}
    assert found == set(needles["kept"])
    opened = {name: _opened_wraps(places, sealed[name], words[name], services) for name in names}
    assert opened["kept"], "the kept report's wrap was not found: the carving proves nothing"
    # Of the shredded report, no byte is left, and the passphrase opens nothing.
    leaks = forensics.carve(places, needles["gone"])
    assert (leaks, opened["gone"]) == ([], [])


@pytest.fixture
def client(services):
    with staff_kit.browser(services) as browser:
        yield browser
