"""Job: leave nothing in a copy of the server that dates a source's action finer than the day.

Every hour, the hourly pass:
- deletes the bookkeeping of sources' actions that is no longer needed: the intake counts of
  past hours (sealbox.reports.ceilings) and used submission tokens that have expired
  (sealbox.sources.submission_tokens), so neither outlives the pass that follows its hour or day;
- copies blobs whose files were born at upload time (the pool was empty) into files born now;
- rewrites every table tied to a report in the order of its random keys (SQLite: VACUUM and an
  empty WAL; PostgreSQL: the rows re-inserted by one transaction), so no rowid, page, heap
  position, xmin, TOAST id or WAL frame keeps the order in which rows were written;
- sets the access and modification time of every file and directory changed since the last
  pass back to its day, which stamps its change time with the pass's.
A copy made during the day then dates the day's source actions to "before this pass".

The first pass of each day (UTC) is the daily pass: it also brings the day's blobs into the
shard directories sorted by id (copying those whose files the day's passes made), lays out the
pool of empty files that the next day's uploads are written into, and deletes blobs that no row
names and no upload holds (left by a killed upload; a server's start sweeps them too).
A copy made after it dates the previous day's source actions to the day, and orders none of
them against staff actions. What stays out of reach is in README.md, "Guarantees and residual
risk" (filesystem journal, SSD remapping, PostgreSQL's WAL, backups).
"""

from __future__ import annotations

from sealbox.jobs import orphans
from sealbox.jobs.models import JobMark
from sealbox.reports import ceilings
from sealbox.services import Services
from sealbox.sources import submission_tokens
from sealbox.store import filetimes
from sealbox.store.tables import written_by_sources

NAME = "chronology"
INTERVAL = "job_chronology_seconds"
DAILY = "chronology.daily"
HOURLY = "chronology-hour"


def run(services: Services) -> str:
    today = services.clock.today()
    with services.db.transaction() as session:
        mark = session.get(JobMark, DAILY)
        daily = mark is None or mark.day != today
    moved = services.blobs.settle(daily)
    laid = swept = 0
    if daily:
        laid = services.blobs.fill_pool(services.settings.blob_pool_size)
        swept = orphans.sweep(services.db, services.blobs)
    with services.db.transaction() as session:
        counts = ceilings.forget_past_hours(session, services.clock)
        used = submission_tokens.forget_expired(session, today)
    rewritten = services.db.relayout(written_by_sources())
    if daily:
        with services.db.transaction() as session:
            mark = session.get(JobMark, DAILY)
            if mark is None:
                session.add(JobMark(name=DAILY, day=today))
            else:
                mark.day = today
    # Hourly: what changed since the last pass. Daily: since the last daily pass, so that the
    # hourly passes' change times become the day's.
    stamped = filetimes.blur(services.settings.data_dir, "chronology-day" if daily else HOURLY)
    if daily:
        filetimes.set_mark(services.settings.data_dir, HOURLY)
    kind = "daily" if daily else "hourly"
    tables = "tables rewritten" if rewritten else "tables rewritten, WAL still in use"
    return (
        f"{kind} pass: {counts} past hour count(s) and {used} expired token(s) cleared, "
        f"{moved} file(s) settled, {laid} laid out, {swept} abandoned swept, "
        f"{tables}, {stamped} stamped"
    )
