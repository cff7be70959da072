"""Chronology drill: a source and a handler take turns at known times, then a copy of the
server is read the way an adversary would (every file's birth, change, modify and access time;
the raw SQLite file and WAL; PostgreSQL's heap order, xmin, TOAST, table files and pg_dump)
to place each source action among the staff actions, whose times the audit log gives away.

After the hourly pass nothing in the copy falls inside the hour the actions happened in; after
the daily pass nothing falls inside the day, and nothing orders a source action against the
staff actions of that day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

from sqlalchemy import inspect, text
from starlette.testclient import TestClient

from sealbox.accounts.models import User
from sealbox.jobs import runner
from sealbox.web.app import create_app
from tests import support
from tests.e2e import forensics

DAY = dt.datetime(2031, 3, 4, tzinfo=dt.UTC)
NEAR = 90  # seconds: a stored value this close to a source action dates it
STEP = 1.1  # real seconds between actions, so that file times could tell them apart


def knobs(settings, **values):
    """The drill's settings: a tiny file pool (so uploads also overflow it) and no presence
    heartbeat in the middle of the drill."""
    return dataclasses.replace(
        settings, **{k: v for k, v in values.items() if hasattr(settings, k)}
    )


class Drill:
    def __init__(self, services):
        self.services = services
        self.source_times: list[float] = []
        self.staff_times: list[float] = []
        self.side_effects: list[str] = []
        self.written: set[str] = set()
        self.first_real: float | None = None
        self.last_real = 0.0

    def at(self, hour: int, minute: int, day: int = 0) -> None:
        wait = self.last_real + STEP - time.time()
        if wait > 0:
            time.sleep(wait)
        target = DAY + dt.timedelta(days=day, hours=hour, minutes=minute)
        self.services.clock.offset = target.timestamp() - time.time()
        self.last_real = time.time()

    def tables(self) -> dict[str, list[tuple]]:
        with self.services.db.engine.connect() as connection:
            names = inspect(connection).get_table_names()
            return {
                name: sorted(
                    repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
                    for row in connection.execute(text(f'select * from "{name}"'))
                )
                for name in names
            }

    def source(self, hour: int, minute: int, action) -> None:
        self.at(hour, minute)
        self.first_real = self.first_real or time.time()
        before = self.tables()
        action()
        after = self.tables()
        self.source_times.append(self.services.clock.timestamp())
        report_tables = reachable(self.services)
        for name in after:
            if after[name] != before.get(name):
                self.written.add(name)
                if name not in report_tables:
                    self.side_effects.append(f"a source action wrote to {name}")

    def staff(self, hour: int, minute: int, action) -> None:
        self.at(hour, minute)
        action()
        self.staff_times.append(self.services.clock.timestamp())


# Written on a source's action but naming no report on purpose: the session table, used
# submission tokens, this hour's intake counts.
SOURCE_TABLES = {"source_sessions", "used_tokens", "intake_counts"}
# Of those, the ones whose rows' place and writers are judged like a report table's here.
JUDGED = {"used_tokens", "intake_counts"}


def reachable(services) -> set[str]:
    """`reports` and the tables that hang off it, and the tables in SOURCE_TABLES: what the
    maintenance rewrites."""
    with services.db.engine.connect() as connection:
        inspector = inspect(connection)
        parents = {
            name: {fk["referred_table"] for fk in inspector.get_foreign_keys(name)}
            for name in inspector.get_table_names()
        }
    found, grew = {"reports", *SOURCE_TABLES}, True
    while grew:
        grew = False
        for name, refs in parents.items():
            if name not in found and refs & found:
                found.add(name)
                grew = True
    return found


def follow_up(client, text_: str, files=()):
    page = client.get("/report")
    assert page.status_code == 200, page.text
    parts = [("files", (n, c, "application/octet-stream")) for n, c in files] or [
        ("files", ("", b"", "application/octet-stream"))
    ]
    sent = client.post(
        "/report/messages",
        data={"form_token": support.token(page.text, "/report/messages"), "text": text_},
        files=parts,
    )
    assert sent.status_code == 200, sent.text


def run_jobs(services) -> list[str]:
    return [f"{run.name}: {run.outcome}" for run in runner.run_due(services, force=True)]


def test_a_copy_places_no_source_action_finer_than_the_hour_then_the_day(
    services, backend, database_url, tmp_path
):
    services.settings = knobs(
        services.settings,
        blob_pool_size=2,
        worker_heartbeat_seconds=24 * 3600,
        staff_session_idle_minutes=24 * 60,
    )
    drill = Drill(services)
    drill.at(7, 30)
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    with services.db.transaction() as session:
        session.query(User).filter_by(username="alice").one().email = "alice@example.org"
    run_jobs(services)  # the day's first maintenance: it lays out the file pool

    source = TestClient(create_app(services), base_url="http://sealbox.test")
    handler = TestClient(create_app(services), base_url="http://sealbox.test")
    with source, handler:
        assert support.staff_login(handler, services, alice).status_code == 200
        words: dict[str, str] = {}
        reports: list[str] = []

        def submit(name: str, files=()):
            def act():
                sent = support.submit(source, "fraud", f"report {name}", list(files))
                assert sent.status_code == 200, sent.text
                words[name] = support.passphrase_of(sent)
                source.cookies.clear()

            return act

        def again(name: str, files=()):
            def act():
                assert support.source_login(source, words[name]).status_code == 200
                follow_up(source, f"more on {name}", files)
                source.cookies.clear()

            return act

        def read_and_reply(index: int, download: bool = False, note: bool = False):
            def act():
                for report_id in support.report_ids(handler.get("/staff/").text):
                    if report_id not in reports:
                        reports.append(report_id)
                report_id = reports[index]
                page = handler.get(f"/staff/reports/{report_id}")
                assert page.status_code == 200, page.text
                if download:
                    for link in support.file_links(page.text):
                        assert handler.get(link).status_code == 200
                action = f"/staff/reports/{report_id}/reply"
                done = handler.post(
                    action, data={"csrf": support.token(page.text, action), "text": "Noted."}
                )
                assert done.status_code in (200, 303), done.text
                if note:
                    action = f"/staff/reports/{report_id}/notes"
                    handler.post(action, data={"csrf": support.token(page.text), "text": "n"})

            return act

        drill.source(9, 5, submit("one", [("a.bin", b"a" * 3000)]))
        drill.staff(9, 12, read_and_reply(0, download=True))
        drill.source(9, 20, again("one", [("b.bin", b"b" * 5000)]))
        drill.staff(9, 27, read_and_reply(0, download=True))
        drill.source(9, 35, submit("two"))
        drill.staff(9, 42, read_and_reply(1, note=True))
        drill.source(9, 50, again("one", [("c.bin", b"c" * 7000)]))  # the pool is empty now
        drill.staff(9, 57, read_and_reply(0, download=True))

        drill.at(11, 0)
        hourly = time.time()
        outcomes = run_jobs(services)
        during_day = evidence(services, backend, database_url, drill, hourly, tmp_path / "hour")

        drill.source(11, 20, again("two", [("d.bin", b"d" * 4000)]))
        drill.staff(11, 27, read_and_reply(1, download=True))

    drill.at(0, 30, day=1)
    daily = time.time()
    outcomes += run_jobs(services)
    after_day = evidence(services, backend, database_url, drill, daily, tmp_path / "day")

    findings = {
        "side effects": sorted(set(drill.side_effects)),
        "copy after the hourly pass": during_day,
        "copy after the daily pass": after_day,
    }
    report = [f"{name}: {item}" for name, items in findings.items() for item in items]
    assert report == [], "\n".join(["", *report, *outcomes])


def evidence(services, backend, database_url, drill, pass_started, scratch) -> list[str]:
    """Everything in a copy of the server that dates or orders a source action."""
    stamps = forensics.file_stamps(services.settings.data_dir)
    if backend == "postgresql":
        tables = sorted(reachable(services))
        stamps += forensics.stamps_of(forensics.pg_files(database_url, tables).values())
    found = forensics.inside(stamps, drill.first_real, pass_started)
    if backend == "sqlite":
        path = forensics.sqlite_copy(services.settings.data_dir, scratch)
        copy = forensics.read_sqlite(path)
        found += sqlite_placement(path, copy, drill)
    else:
        copy = forensics.read_pg(database_url, forensics.schema_of(database_url))
        found += pg_placement(database_url, copy)
    found += stored_times(copy, drill)
    found += conversation_order(copy)
    found += audit_names(copy)
    return found


def unique_value(copy, table: str, row: dict) -> bytes | None:
    """A piece of the row's longest value (ciphertext, a public key) that no other row has."""
    values = [v for v in row.values() if isinstance(v, (bytes, str)) and len(v) >= 40]
    if not values:
        return None
    needle = forensics.slice_of(max(values, key=len))
    holders = sum(
        1
        for other in copy.rows[table]
        if any(needle in forensics.as_bytes(v) for v in other if isinstance(v, (bytes, str)))
    )
    return needle if holders == 1 else None


def keyed(copy, table: str) -> list[tuple[tuple, dict]]:
    return sorted(
        ((tuple(row[k] for k in copy.keys[table]), row) for row in copy.dicts(table)),
        key=lambda pair: pair[0],
    )


def sqlite_placement(path, copy, drill) -> list[str]:
    found = []
    report_tables = copy.report_tables() | (JUDGED & set(copy.rows))
    for table in sorted(drill.written):
        if forensics.has_rowid(path, table):
            found.append(f"{table}: its rowids number the rows in the order they were written")
    _, free = forensics.sqlite_pages(path)
    if free:
        found.append(f"{free} free pages in the main file keep what they last held")
    main = path.read_bytes()
    canonical = forensics.sqlite_rebuilt(path).read_bytes()
    wal_path = path.with_name("sealbox.db-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    for table in sorted(report_tables):
        needles = [unique_value(copy, table, row) for row in copy.dicts(table)]
        needles = [n for n in needles if n is not None]
        if any(n in wal for n in needles):
            found.append(f"{table}: rows are in the WAL, whose frames keep the write order")
        needles = [n for n in needles if n in main and n in canonical]
        # Laid out as a rebuild from the rows alone would lay it out: nothing in the file
        # then depends on when, or in which order, the rows were written.
        if sorted(needles, key=main.index) != sorted(needles, key=canonical.index):
            found.append(f"{table}: rows lie in the file in the order they were written")
    return found


def pg_placement(database_url, copy) -> list[str]:
    found = []
    report_tables = copy.report_tables() | (JUDGED & set(copy.rows))
    dump = forensics.pg_dump(database_url)
    files = {
        label: path.read_bytes()
        for label, path in forensics.pg_files(database_url, sorted(report_tables)).items()
    }
    for table in sorted(report_tables):
        if not copy.rows[table]:
            continue
        rows = forensics.heap(database_url, table, copy.keys[table])
        xmins = {xmin for _, xmin, _ in rows}
        if len(xmins) > 1:
            found.append(f"{table}: {len(xmins)} inserting transactions (xmin) order its rows")
        keys = [key for _, _, key in rows]
        if keys != sorted(keys):
            found.append(f"{table}: the heap (ctid) order is the order the rows were written")
        chunks = forensics.toast(database_url, table)
        if len({xmin for _, xmin, _ in chunks}) > 1:
            found.append(f"{table}: its TOAST chunks carry several xmin")
        positions = [copy.columns[table].index(k) for k in copy.keys[table]]
        dumped = [tuple(line[p] for p in positions) for line in forensics.dump_rows(dump, table)]
        if dumped != sorted(dumped):
            found.append(f"{table}: pg_dump lists its rows in the order they were written")
        for _, row in keyed(copy, table):
            needle = unique_value(copy, table, row)
            if needle is not None:
                copies = sum(data.count(needle) for data in files.values())
                if copies > 1:
                    found.append(f"{table}: a row's older versions are still in its files")
                    break
    return found


def stored_times(copy, drill) -> list[str]:
    found = []
    for table, rows in copy.rows.items():
        for row in rows:
            for column, value in zip(copy.columns[table], row, strict=True):
                for moment in forensics.moments(value):
                    for when in drill.source_times:
                        if abs(moment - when) < NEAR:
                            found.append(
                                f"{table}.{column} holds a time {moment - when:+.0f} s from a "
                                "source action"
                            )
    return found


def conversation_order(copy) -> list[str]:
    """A report's messages of one author and day must look alike in clear: anything else that
    differs between them (a sequence number) orders the source's turns among the staff's."""
    found = []
    messages = copy.dicts("messages")
    clear = [
        c
        for c in copy.columns["messages"]
        if c not in copy.keys["messages"] and not any(isinstance(m[c], bytes) for m in messages)
    ]
    groups: dict[tuple, list[dict]] = {}
    for message in messages:
        groups.setdefault(
            (message["report_id"], message["author"], str(message["sent_on"])), []
        ).append(message)
    for column in clear:
        if any(len({repr(m[column]) for m in group}) > 1 for group in groups.values()):
            found.append(f"messages.{column} orders a report's messages in clear")
    marks = copy.dicts("read_marks")
    for column in copy.columns["read_marks"]:
        if column not in ("report_id", "user_id") and any(
            not isinstance(m[column], bytes) for m in marks
        ):
            found.append(f"read_marks.{column} tells how far each handler had read, in clear")
    return found


def audit_names(copy) -> list[str]:
    """Staff entries may name a report (it existed by then), never a source's message or file."""
    ids = {m["id"] for m in copy.dicts("messages")} | {a["id"] for a in copy.dicts("attachments")}
    found = []
    for entry in copy.dicts("audit_log"):
        said = f"{entry['target']} {entry['details']}"
        if any(i in said for i in ids):
            found.append(f"audit entry {entry['action']} names a message or file")
    return found
